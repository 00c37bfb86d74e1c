#include "api/apiclient.h"
#include "app/benchprobe.h"
#include "app/language.h"
#include "app/mainwindow.h"
#include "app/navigation.h"
#include "shared/core/buildinfo.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QPixmap>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace {

/// Grabs \a window into \a path and quits with 0 (1 when the file could not be written).
void grabAndQuit(QWidget &window, const QString &path)
{
    const bool saved = window.grab().save(path, "PNG");
    if (!saved)
        std::fprintf(stderr, "hms-client: could not write %s\n", qPrintable(path));
    QCoreApplication::exit(saved ? 0 : 1);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("hms-client"));
    QApplication::setOrganizationName(QStringLiteral("HMS"));
    QApplication::setApplicationVersion(QLatin1String(hms::Version));
    // The language chosen at the last sign-in, else the system's when the client has it
    // (built-in :/i18n/hms_client_<lang>.qm), else English.
    hms::client::language::apply(hms::client::language::preferred());

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("HMS desktop client"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption serverOption(QStringLiteral("server"),
                                          QStringLiteral("Server URL (default $HMS_SERVER_URL or "
                                                         "http://127.0.0.1:8080)."),
                                          QStringLiteral("url"));
    const QCommandLineOption loginAsOption(
        QStringLiteral("login-as"),
        QStringLiteral("For screenshots and demos: sign in as this user at start (or "
                       "$HMS_CLIENT_AUTOLOGIN_USER). The hospital comes from --hospital or "
                       "$HMS_CLIENT_AUTOLOGIN_HOSPITAL; the password only from "
                       "$HMS_CLIENT_AUTOLOGIN_PASSWORD, never from the command line."),
        QStringLiteral("username"));
    const QCommandLineOption hospitalOption(QStringLiteral("hospital"),
                                            QStringLiteral("Hospital code for --login-as."),
                                            QStringLiteral("code"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Save a PNG of the main window to this path once it is shown (after "
                       "the automatic sign-in, when there is one) and quit."),
        QStringLiteral("path"));
    const QCommandLineOption screenOption(
        QStringLiteral("screen"),
        QStringLiteral(
            "With --login-as: show this screen (patients, register, queue, appointments, "
            "admissions, bed-board, vitals, due-medications, "
            "users, audit) before the screenshot; exit code 3 when the role has "
            "no such screen."),
        QStringLiteral("name"));
    parser.addOption(screenOption);
    const QCommandLineOption caFileOption(
        QStringLiteral("ca-file"),
        QStringLiteral("Also trust the CA certificate(s) of this PEM file for TLS (the "
                       "hospital's CA; default $HMS_CLIENT_CA_FILE)."),
        QStringLiteral("path"));
    parser.addOption(caFileOption);
    const QCommandLineOption benchOption(
        QStringLiteral("bench"),
        QStringLiteral("For tests/bench/client_patients.sh: print timings and memory to stderr; "
                       "with --login-as, list the patients matching this search to the end "
                       "and quit."),
        QStringLiteral("search"));
    parser.addOption(benchOption);
    parser.addOption(serverOption);
    parser.addOption(loginAsOption);
    parser.addOption(hospitalOption);
    parser.addOption(screenshotOption);
    parser.process(app);

    QString caFile = parser.value(caFileOption);
    if (caFile.isEmpty())
        caFile = qEnvironmentVariable("HMS_CLIENT_CA_FILE");
    if (!caFile.isEmpty()) {
        QString error;
        if (!hms::client::ApiClient::trustCaCertificates(caFile, &error)) {
            std::fprintf(stderr, "hms-client: %s\n", qPrintable(error));
            return 2;
        }
    }

    QString server = parser.value(serverOption);
    if (server.isEmpty())
        server = qEnvironmentVariable("HMS_SERVER_URL", QStringLiteral("http://127.0.0.1:8080"));
    QString loginAs = parser.value(loginAsOption);
    if (loginAs.isEmpty())
        loginAs = qEnvironmentVariable("HMS_CLIENT_AUTOLOGIN_USER");
    QString hospital = parser.value(hospitalOption);
    if (hospital.isEmpty())
        hospital = qEnvironmentVariable("HMS_CLIENT_AUTOLOGIN_HOSPITAL");
    const QString screenshot = parser.value(screenshotOption);
    std::optional<hms::client::Screen> screen;
    if (parser.isSet(screenOption)) {
        screen = hms::client::screenFromKey(parser.value(screenOption));
        if (!screen) {
            std::fprintf(stderr, "hms-client: unknown --screen %s\n",
                         qPrintable(parser.value(screenOption)));
            return 2;
        }
    }

    hms::client::MainWindow window(server);
    std::unique_ptr<hms::client::BenchProbe> bench;
    if (parser.isSet(benchOption))
        bench = std::make_unique<hms::client::BenchProbe>(window, parser.value(benchOption));
    window.show();

    if (!loginAs.isEmpty()) {
        const QString password = qEnvironmentVariable("HMS_CLIENT_AUTOLOGIN_PASSWORD");
        if (password.isEmpty()) {
            std::fprintf(stderr, "hms-client: --login-as needs $HMS_CLIENT_AUTOLOGIN_PASSWORD\n");
            return 2;
        }
        window.signInWith(server, hospital, loginAs, password);
    } else {
        window.start();
    }

    if (!screenshot.isEmpty()) {
        constexpr int SettleMs = 400;
        if (loginAs.isEmpty()) {
            QTimer::singleShot(SettleMs, &window, [&window, screenshot]() {
                grabAndQuit(window, screenshot);
            });
        } else {
            QObject::connect(&window, &hms::client::MainWindow::shellShown, &window,
                             [&window, screenshot, screen]() {
                                 if (screen && !window.showScreen(*screen)) {
                                     QCoreApplication::exit(3);
                                     return;
                                 }
                                 // Long enough for the screen's first answers to arrive.
                                 QTimer::singleShot(screen ? 1500 : SettleMs, &window,
                                                    [&window, screenshot]() {
                                                        grabAndQuit(window, screenshot);
                                                    });
                             });
            // A failed sign-in still leaves a picture of what went wrong, and exit code 1.
            QTimer::singleShot(20000, &window, [&window, screenshot]() {
                window.grab().save(screenshot, "PNG");
                QCoreApplication::exit(1);
            });
        }
    }
    return app.exec();
}
