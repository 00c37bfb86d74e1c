#include "app/mainwindow.h"
#include "shared/core/buildinfo.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("hms-client"));
    QApplication::setOrganizationName(QStringLiteral("HMS"));
    QApplication::setApplicationVersion(QLatin1String(hms::Version));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("HMS desktop client"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption serverOption(QStringLiteral("server"),
                                          QStringLiteral("Server URL (default $HMS_SERVER_URL or "
                                                         "http://127.0.0.1:8080)."),
                                          QStringLiteral("url"));
    parser.addOption(serverOption);
    parser.process(app);

    QString server = parser.value(serverOption);
    if (server.isEmpty())
        server = qEnvironmentVariable("HMS_SERVER_URL", QStringLiteral("http://127.0.0.1:8080"));

    hms::client::MainWindow window(server);
    window.show();
    return app.exec();
}
