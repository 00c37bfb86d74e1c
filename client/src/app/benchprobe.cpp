#include "app/benchprobe.h"

#include "app/mainwindow.h"
#include "app/navigation.h"
#include "models/patientsearchmodel.h"
#include "screens/reception/patientsscreen.h"

#include <QCoreApplication>
#include <QEvent>
#include <QFile>
#include <QLineEdit>
#include <QTableView>
#include <QTimer>

#include <cstdio>

#include <unistd.h>

namespace hms::client {

namespace {

void report(const char *key, const QString &value)
{
    std::fprintf(stderr, "bench: %s=%s\n", key, qPrintable(value));
    std::fflush(stderr);
}

} // namespace

BenchProbe::BenchProbe(MainWindow &window, QString query, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_query(std::move(query))
{
    m_window.installEventFilter(this);
    connect(&m_window, &MainWindow::shellShown, this, &BenchProbe::listPatients);
}

double BenchProbe::secondsSinceProcessStart()
{
    // Field 22 of /proc/self/stat: start time in clock ticks after boot; /proc/uptime: now.
    QFile stat(QStringLiteral("/proc/self/stat"));
    QFile uptime(QStringLiteral("/proc/uptime"));
    if (!stat.open(QIODevice::ReadOnly) || !uptime.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray line = stat.readAll();
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    constexpr int StartTimeAfterName = 22 - 3;
    if (fields.size() <= StartTimeAfterName)
        return -1;
    const double ticks = double(sysconf(_SC_CLK_TCK));
    const double started = fields.at(StartTimeAfterName).toDouble() / ticks;
    const double now = uptime.readAll().split(' ').value(0).toDouble();
    return now - started;
}

qint64 BenchProbe::statusKiB(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly | QIODevice::Text))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    // readAll(), not atEnd(): a /proc file has size 0 until it is read.
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

bool BenchProbe::eventFilter(QObject *watched, QEvent *event)
{
    if (!m_painted && watched == &m_window && event->type() == QEvent::Paint) {
        m_painted = true;
        // Reported once the paint is done (the next turn of the event loop).
        QTimer::singleShot(0, this, []() {
            report("login_window_s", QString::number(secondsSinceProcessStart(), 'f', 3));
            report("login_window_rss_kib", QString::number(statusKiB("VmRSS")));
        });
    }
    return QObject::eventFilter(watched, event);
}

void BenchProbe::listPatients()
{
    if (!m_window.showScreen(Screen::Patients)) {
        report("error", QStringLiteral("this role has no patient list"));
        QCoreApplication::exit(3);
        return;
    }
    auto *screen = qobject_cast<PatientsScreen *>(m_window.screenWidget(Screen::Patients));
    if (!screen) {
        QCoreApplication::exit(3);
        return;
    }
    report("signed_in_s", QString::number(secondsSinceProcessStart(), 'f', 3));
    m_listing.start();
    // Typed as a person would: the screen's debounce starts the search.
    screen->searchField()->setText(m_query);
    connect(screen->model(), &PatientSearchModel::pageLoaded, this, [this](const QString &error) {
        if (!error.isEmpty()) {
            report("error", error);
            QCoreApplication::exit(1);
            return;
        }
        ++m_pages;
        // Let the view lay the rows out before it is scrolled again.
        QTimer::singleShot(0, this, &BenchProbe::step);
    });
}

void BenchProbe::step()
{
    auto *screen = qobject_cast<PatientsScreen *>(m_window.screenWidget(Screen::Patients));
    PatientSearchModel *model = screen->model();
    if (model->isLoading())
        return;
    if (model->canFetchMore({})) {
        // The view asks for the next page when its scroll bar reaches the end.
        screen->table()->scrollToBottom();
        if (!model->isLoading())
            model->fetchMore({}); // the view had nothing left to scroll (tiny window)
        return;
    }
    const double seconds = double(m_listing.nsecsElapsed()) / 1e9;
    report("rows", QString::number(model->rowCount()));
    report("pages", QString::number(m_pages));
    report("list_s", QString::number(seconds, 'f', 3));
    report("vm_hwm_kib", QString::number(statusKiB("VmHWM")));
    report("vm_rss_kib", QString::number(statusKiB("VmRSS")));
    QCoreApplication::exit(0);
}

} // namespace hms::client
