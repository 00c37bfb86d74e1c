#include "app/logging.h"
#include "app/serverapp.h"
#include "app/unixsignals.h"
#include "shared/core/buildinfo.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

using namespace hms::server;

int main(int argc, char *argv[])
{
    // Qt's glib event dispatcher finds a socket notifier by walking a list of all of them,
    // and every socket write toggles its write notifier: with a thousand live subscribers
    // that made each pushed frame cost O(subscribers) (callgrind, live_fanout bench). The
    // plain UNIX dispatcher keeps them in a hash. A headless server needs nothing from glib.
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hms-server"));
    QCoreApplication::setApplicationVersion(QLatin1String(hms::Version));
    installLogFormat();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("HMS REST and WebSocket server.\n\n")
                                     + ServerConfig::settingsHelp());
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOption(QStringLiteral("config"),
                                          QStringLiteral("Read settings from this INI file."),
                                          QStringLiteral("file"));
    const QCommandLineOption listenOption(
        QStringLiteral("listen"), QStringLiteral("Serve on address:port (overrides HMS_LISTEN)."),
        QStringLiteral("address:port"));
    const QCommandLineOption noMigrateOption(
        QStringLiteral("no-migrate"), QStringLiteral("Do not apply pending migrations at start."));
    parser.addOptions({configOption, listenOption, noMigrateOption});
    parser.process(app);

    QTextStream err(stderr);
    ServerConfig::Overrides overrides;
    overrides.configFile = parser.value(configOption);
    overrides.listen = parser.value(listenOption);
    overrides.noMigrate = parser.isSet(noMigrateOption);
    const hms::Result<ServerConfig> config =
        ServerConfig::load(overrides, QProcessEnvironment::systemEnvironment());
    if (!config) {
        err << "hms-server: " << config.problem().detail << Qt::endl;
        return 2;
    }

    ServerApp server(config.value());
    UnixSignals unixSignals;
    QObject::connect(&unixSignals, &UnixSignals::terminationRequested, &server,
                     &ServerApp::shutdown);
    QObject::connect(&server, &ServerApp::stopped, &app, &QCoreApplication::quit);
    if (!server.start()) {
        err << "hms-server: " << server.errorString() << Qt::endl;
        return 1;
    }
    return app.exec();
}
