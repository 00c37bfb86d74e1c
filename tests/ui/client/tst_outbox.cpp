#include "app/mainwindow.h"
#include "app/navigation.h"
#include "auth/session.h"
#include "clienttestsupport.h"
#include "models/patientsearchmodel.h"
#include "outbox/outbox.h"
#include "screens/reception/patientsscreen.h"
#include "shared/protocol/apipaths.h"

#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QUuid>

#include <memory>

using hms::Role;
using hms::client::MainWindow;
using hms::client::Outbox;
using hms::client::Screen;
using hms::test::ServerFixture;
namespace ui = hms::test::ui;

namespace {

template<typename T>
T *child(QWidget *parent, const char *name)
{
    T *widget = parent->findChild<T *>(QLatin1String(name));
    if (!widget)
        qWarning("no child %s", name);
    return widget;
}

} // namespace

class TestOutbox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void offlineWritesSurviveARestartAndAreSentOnce();
    void aReplayWhoseAnswerWasLostCreatesNothingTwice();
    void aRefusedItemIsShownAndCanBeDiscarded();
    void cleanupTestCase();

private:
    std::unique_ptr<ServerFixture> m_fixture;
    std::shared_ptr<quint16> m_port = std::make_shared<quint16>(0);
    QString m_departmentId;
};

void TestOutbox::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    ui::removeOutboxFile();
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("outbox"));
    if (!m_fixture->isValid())
        QSKIP("HMS_TEST_DATABASE_URL not set");
    // The server comes back on the same port, as a real one would.
    QVERIFY2(m_fixture->start([port = m_port](hms::server::ServerConfig &config) {
        config.listenPort = *port;
    }),
             qPrintable(m_fixture->errorString()));
    *m_port = m_fixture->port();
    QVERIFY(m_fixture->createHospital(ui::Hospital, QStringLiteral("Alpha General")) > 0);
    for (Role role : {Role::Admin, Role::Reception})
        QVERIFY(m_fixture->createUser(ui::Hospital, hms::roleName(role), role, ui::Password) > 0);
    const QByteArray admin = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("admin"), ui::Password));
    m_departmentId = ui::call(*m_fixture, "POST", hms::api::Departments, admin,
                              {{QStringLiteral("code"), QStringLiteral("OPD")},
                               {QStringLiteral("name"), QStringLiteral("Outpatients")}})
                         .value(QStringLiteral("id"))
                         .toString();
    QVERIFY(!m_departmentId.isEmpty());
}

void TestOutbox::init()
{
    QSettings().clear();
}

void TestOutbox::offlineWritesSurviveARestartAndAreSentOnce()
{
    const QByteArray reception = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("reception"), ui::Password));
    QVERIFY(!ui::call(*m_fixture, "POST", hms::api::Patients, reception,
                      ui::patientBody(QStringLiteral("Gus Known"), QStringLiteral("+15551110001"),
                                      QStringLiteral("1950-01-01")))
                 .isEmpty());

    auto first = std::make_unique<MainWindow>(ui::serverUrlOf(*m_port));
    first->show();
    QVERIFY(ui::signIn(*first, *m_port, QStringLiteral("reception")));
    const QByteArray refreshToken = first->session().refreshToken();
    const QByteArray accessToken = first->session().accessToken();

    // Pick the known patient for a check-in while the server still answers.
    QVERIFY(first->showScreen(Screen::Patients));
    auto *patients =
        qobject_cast<hms::client::PatientsScreen *>(first->screenWidget(Screen::Patients));
    QTest::keyClicks(child<QLineEdit>(patients, "searchEdit"), QStringLiteral("Gus Known"));
    QTRY_COMPARE(patients->model()->rowCount(), 1);
    child<QTableView>(patients, "patientTable")->selectRow(0);
    QPushButton *checkIn = child<QPushButton>(patients, "checkInButton");
    QTRY_VERIFY(checkIn->isEnabled());

    // The server goes away.
    m_fixture->stop();
    QTRY_COMPARE(first->connectionStateText(), QStringLiteral("reconnecting"));
    QTest::mouseClick(checkIn, Qt::LeftButton);
    QTRY_VERIFY2(child<QLabel>(patients, "checkInStatus")->text().contains(QLatin1String("kept")),
                 qPrintable(child<QLabel>(patients, "checkInStatus")->text()));

    QVERIFY(first->showScreen(Screen::Register));
    QWidget *form = first->screenWidget(Screen::Register);
    QTest::keyClicks(child<QLineEdit>(form, "fullNameEdit"), QStringLiteral("Fenna Offline"));
    QTest::keyClicks(child<QLineEdit>(form, "birthDateEdit"), QStringLiteral("1999-09-09"));
    QTest::keyClicks(child<QLineEdit>(form, "phoneEdit"), QStringLiteral("+15551110002"));
    QTest::mouseClick(child<QPushButton>(form, "registerButton"), Qt::LeftButton);
    QLabel *status = child<QLabel>(form, "registerStatus");
    QTRY_VERIFY2(status->text().contains(QLatin1String("kept")), qPrintable(status->text()));

    // Shown as pending, in the list and the status bar.
    auto *list = child<QListWidget>(form, "outboxList");
    QCOMPARE(list->count(), 2);
    QVERIFY2(list->item(1)->text().contains(QLatin1String("Pending: Register Fenna Offline")),
             qPrintable(list->item(1)->text()));
    QCOMPARE(first->pendingText(), QStringLiteral("2 waiting to be sent"));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients WHERE full_name = 'Fenna Offline'"),
             qint64(0));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM visits"), qint64(0));

    // SECURITY A9: the outbox file holds no token.
    const QString outboxPath = first->outbox().databasePath();
    first.reset(); // the client closes
    {
        QFile file(outboxPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(bytes.contains("Fenna Offline"));
        QVERIFY(!bytes.contains(refreshToken));
        QVERIFY(!bytes.contains(accessToken));
        QCOMPARE(file.permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
                 QFileDevice::Permissions());
    }

    // A new client object, then the server comes back: sign in, and the outbox empties.
    MainWindow second(ui::serverUrlOf(*m_port));
    second.show();
    QVERIFY2(m_fixture->restart(), qPrintable(m_fixture->errorString()));
    QCOMPARE(m_fixture->port(), *m_port);
    QVERIFY(ui::signIn(second, *m_port, QStringLiteral("reception")));
    QTRY_COMPARE(second.outbox().unsent().size(), qsizetype(0));
    QTRY_COMPARE(
        m_fixture->count("SELECT count(*) FROM patients WHERE full_name = 'Fenna Offline'"),
        qint64(1));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM visits"), qint64(1));
    QVERIFY(second.pendingText().isEmpty());
    QVERIFY(!child<QListWidget>(second.screenWidget(Screen::Register), "outboxList")->isVisible());

    // Signing in again (a third client) sends nothing more.
    MainWindow third(ui::serverUrlOf(*m_port));
    third.show();
    QVERIFY(ui::signIn(third, *m_port, QStringLiteral("reception")));
    QCOMPARE(third.outbox().unsent().size(), qsizetype(0));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients WHERE full_name = 'Fenna Offline'"),
             qint64(1));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM visits"), qint64(1));
    // The patient data of sent items is gone from the disk.
    QFile file(outboxPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains("Fenna Offline"));
}

void TestOutbox::aReplayWhoseAnswerWasLostCreatesNothingTwice()
{
    // The first attempt reached the server, but its answer was lost (the client saw a
    // network error and kept the item): the replay carries the same key.
    const QString key = Outbox::newIdempotencyKey();
    const QJsonObject body = ui::patientBody(
        QStringLiteral("Hugo Lost"), QStringLiteral("+15551110003"), QStringLiteral("1944-04-04"));
    const QByteArray reception = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("reception"), ui::Password));
    const QByteArray request = ServerFixture::httpRequest(
        "POST", hms::api::Patients, reception, QJsonDocument(body).toJson(QJsonDocument::Compact));
    const QByteArray keyHeader = QByteArray("\r\nIdempotency-Key: ") + key.toLatin1() + "\r\n\r\n";
    const QByteArray withKey = QByteArray(request).replace(QByteArray("\r\n\r\n"), keyHeader);
    const std::optional<hms::test::RawResponse> sent =
        hms::test::RawHttpClient::roundTrip(*m_port, withKey);
    QVERIFY(sent && sent->status == 201);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients WHERE full_name = 'Hugo Lost'"),
             qint64(1));

    MainWindow window(ui::serverUrlOf(*m_port));
    window.show();
    QVERIFY(ui::signIn(window, *m_port, QStringLiteral("reception")));
    QSignalSpy delivered(&window.outbox(), &Outbox::delivered);
    QVERIFY(window.outbox()
                .enqueue(QLatin1String(Outbox::Registration), QLatin1String(hms::api::Patients),
                         body, key, QStringLiteral("Register Hugo Lost"))
                .isOk());
    window.outbox().replay();
    QTRY_COMPARE(delivered.count(), 1);
    // The server answered from its idempotency store: the same patient, nothing new.
    QCOMPARE(delivered.at(0).at(1).value<QJsonObject>().value(QStringLiteral("id")),
             sent->json().value(QStringLiteral("id")));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients WHERE full_name = 'Hugo Lost'"),
             qint64(1));
    QCOMPARE(window.outbox().unsent().size(), qsizetype(0));
}

void TestOutbox::aRefusedItemIsShownAndCanBeDiscarded()
{
    MainWindow window(ui::serverUrlOf(*m_port));
    window.show();
    QVERIFY(ui::signIn(window, *m_port, QStringLiteral("reception")));
    // Kept offline by an older client whose rules were laxer: the server refuses it (422).
    QJsonObject body =
        ui::patientBody(QStringLiteral("Ivo Refused"), QStringLiteral("+15551110004"),
                        QStringLiteral("1933-03-03"));
    body.insert(QStringLiteral("favouriteColour"), QStringLiteral("blue"));
    QVERIFY(window.outbox()
                .enqueue(QLatin1String(Outbox::Registration), QLatin1String(hms::api::Patients),
                         body, Outbox::newIdempotencyKey(), QStringLiteral("Register Ivo Refused"))
                .isOk());
    window.outbox().replay();
    QTRY_COMPARE(window.outbox().unsent().value(0).state, QStringLiteral("failed"));
    QCOMPARE(window.outbox().unsent().size(), qsizetype(1));
    QCOMPARE(window.outbox().pendingCount(), 0);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients WHERE full_name = 'Ivo Refused'"),
             qint64(0));

    QVERIFY(window.showScreen(Screen::Register));
    QWidget *form = window.screenWidget(Screen::Register);
    auto *list = child<QListWidget>(form, "outboxList");
    QCOMPARE(list->count(), 1);
    QVERIFY2(list->item(0)->text().startsWith(QLatin1String("Refused: Register Ivo Refused")),
             qPrintable(list->item(0)->text()));
    auto *discard = child<QPushButton>(form, "discardButton");
    QVERIFY(!discard->isEnabled());
    list->setCurrentRow(0);
    QVERIFY(discard->isEnabled());
    QTest::mouseClick(discard, Qt::LeftButton);
    QCOMPARE(window.outbox().unsent().size(), qsizetype(0));
    QVERIFY(!list->isVisible());
}

void TestOutbox::cleanupTestCase()
{
    QSettings().clear();
    m_fixture.reset();
    ui::removeOutboxFile();
}

QTEST_MAIN(TestOutbox)
#include "tst_outbox.moc"
