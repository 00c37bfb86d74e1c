// SECURITY.md X2 for hms-client: no ignoreSslErrors anywhere in the client sources, and a
// server whose certificate comes from a CA outside the trusted set is refused at sign-in with
// a clear certificate message (the request never leaves the TLS handshake).

#include "app/mainwindow.h"
#include "app/serverapp.h"
#include "auth/session.h"
#include "config/serverconfig.h"
#include "screens/login/loginview.h"

#include <QDirIterator>
#include <QFile>
#include <QLabel>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using hms::client::MainWindow;
using hms::server::ServerApp;
using hms::server::ServerConfig;

class TestClientSecurity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sourcesNeverIgnoreSslErrors();
    void untrustedCertificateRefusesSignIn();
    void cleanupTestCase();
};

void TestClientSecurity::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
}

void TestClientSecurity::sourcesNeverIgnoreSslErrors()
{
    int files = 0;
    QStringList offenders;
    QDirIterator it(QStringLiteral(HMS_SOURCE_DIR "/client"),
                    {QStringLiteral("*.cpp"), QStringLiteral("*.h"), QStringLiteral("*.ui"),
                     QStringLiteral("*.txt")},
                    QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
        ++files;
        if (file.readAll().contains("ignoreSslErrors"))
            offenders.append(path);
    }
    QVERIFY2(files > 30, "the client sources were not found");
    QVERIFY2(offenders.isEmpty(), qPrintable(offenders.join(QLatin1Char(' '))));
}

void TestClientSecurity::untrustedCertificateRefusesSignIn()
{
    // A server with a certificate of a freshly made CA that nobody trusts.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QCOMPARE(QProcess::execute(
                 QStringLiteral("bash"),
                 {QStringLiteral(HMS_SOURCE_DIR "/resources/gen-dev-cert.sh"), dir.path()}),
             0);
    ServerConfig config;
    config.listenPort = 0;
    config.databaseUrl = QStringLiteral("postgresql://nobody@127.0.0.1:1/none");
    config.migrateOnStart = false;
    config.tlsCertificatePath = dir.filePath(QStringLiteral("server.crt"));
    config.tlsKeyPath = dir.filePath(QStringLiteral("server.key"));
    config.jwtKeyFile = dir.filePath(QStringLiteral("jwt.key"));
    config.argon2Iterations = 2;
    config.argon2MemoryKib = 19456;
    ServerApp server(config);
    QVERIFY2(server.start(), qPrintable(server.errorString()));

    const QString url = QStringLiteral("https://127.0.0.1:%1").arg(server.port());
    MainWindow window(url);
    window.show();
    window.signInWith(url, QStringLiteral("alpha"), QStringLiteral("nurse"),
                      QStringLiteral("Ward-7 night kettle"));
    auto *error = window.loginView()->findChild<QLabel *>(QStringLiteral("errorLabel"));
    QVERIFY(error);
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible() && !error->text().isEmpty(), 10000);
    QVERIFY2(error->text().contains(QLatin1String("certificate is not trusted")),
             qPrintable(error->text()));
    QVERIFY2(error->text().contains(QLatin1String("Nothing was sent")), qPrintable(error->text()));
    QVERIFY(!window.isSignedIn());
    QVERIFY(window.session().accessToken().isEmpty());
}

void TestClientSecurity::cleanupTestCase()
{
    QSettings().clear();
}

QTEST_MAIN(TestClientSecurity)
#include "tst_clientsecurity.moc"
