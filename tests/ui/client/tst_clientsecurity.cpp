// SECURITY.md X2 for hms-client: no ignoreSslErrors anywhere in the client sources; a server
// whose certificate comes from a CA outside the trusted set, is for another host name, or has
// expired is refused at sign-in with a clear certificate message and not one byte of the
// request (password included) reaches it; a certificate of the hospital CA the client is
// configured to trust (--ca-file / ApiClient::trustCaCertificates) connects. The certificates
// are made per run (make-tls-certs.sh, openssl CLI).

#include "api/apiclient.h"
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
#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using hms::client::MainWindow;
using hms::server::ServerApp;
using hms::server::ServerConfig;

namespace {

const QString Password = QStringLiteral("Ward-7 night kettle");

/// A TLS endpoint with a given certificate that records every byte of plaintext it receives
/// and answers each request with a 401 problem+json (no database, no hms-server): it tells
/// whether the client let a request through the handshake.
class TlsPeer : public QObject
{
public:
    TlsPeer(const QString &certificatePath, const QString &keyPath)
    {
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificateChain(QSslCertificate::fromPath(certificatePath));
        QFile keyFile(keyPath);
        if (keyFile.open(QIODevice::ReadOnly))
            configuration.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Ec));
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone); // clients show no certificate
        m_server.setSslConfiguration(configuration);
        connect(&m_server, &QTcpServer::pendingConnectionAvailable, this, [this]() {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                serve(socket);
        });
        m_listening = m_server.listen(QHostAddress::LocalHost);
    }

    bool isListening() const { return m_listening; }

    QString url() const
    {
        return QStringLiteral("https://127.0.0.1:%1").arg(m_server.serverPort());
    }

    QByteArray received() const { return m_received; }

private:
    void serve(QTcpSocket *socket)
    {
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket]() {
            m_received += socket->readAll();
            if (!m_received.contains("\r\n\r\n"))
                return;
            const QByteArray body =
                "{\"type\":\"about:blank\",\"title\":\"Wrong username or password\","
                "\"status\":401}";
            socket->write("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/problem+json\r\n"
                          "Connection: close\r\nContent-Length: "
                          + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            socket->disconnectFromHost();
        });
    }

    QSslServer m_server;
    QByteArray m_received;
    bool m_listening = false;
};

} // namespace

class TestClientSecurity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sourcesNeverIgnoreSslErrors();
    void untrustedCertificateRefusesSignIn();
    void badCertificatesSendNothing_data();
    void badCertificatesSendNothing();
    void certificateOfTheConfiguredCaConnects();
    void cleanupTestCase();

private:
    /// Signs in against \a peer; the login page's error text once there is one.
    QString signInError(TlsPeer &peer);

    QTemporaryDir m_certs;
};

void TestClientSecurity::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY(m_certs.isValid());
    QCOMPARE(QProcess::execute(QStringLiteral("bash"),
                               {QStringLiteral(HMS_SOURCE_DIR "/tests/ui/client/make-tls-certs.sh"),
                                m_certs.path()}),
             0);
    // The hospital CA, as hms-client --ca-file would take it.
    QString error;
    QVERIFY2(hms::client::ApiClient::trustCaCertificates(m_certs.filePath(QStringLiteral("ca.crt")),
                                                         &error),
             qPrintable(error));
    QVERIFY(!hms::client::ApiClient::trustCaCertificates(
        m_certs.filePath(QStringLiteral("server.key")), &error));
}

QString TestClientSecurity::signInError(TlsPeer &peer)
{
    MainWindow window(peer.url());
    window.show();
    window.signInWith(peer.url(), QStringLiteral("alpha"), QStringLiteral("nurse"), Password);
    auto *error = window.loginView()->findChild<QLabel *>(QStringLiteral("errorLabel"));
    if (!error
        || !QTest::qWaitFor(
            [error]() {
                return error->isVisible() && !error->text().isEmpty();
            },
            10000))
        return {};
    if (window.isSignedIn() || !window.session().accessToken().isEmpty())
        return QStringLiteral("signed in?");
    return error->text();
}

void TestClientSecurity::badCertificatesSendNothing_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("message");
    QTest::newRow("wrong host name")
        << QStringLiteral("wronghost.crt")
        << QStringLiteral("certificate is not for 127.0.0.1: the host name does not match");
    QTest::newRow("expired") << QStringLiteral("expired.crt")
                             << QStringLiteral("certificate has expired");
    QTest::newRow("unknown CA") << QStringLiteral("stranger.crt")
                                << QStringLiteral("certificate is not trusted");
}

void TestClientSecurity::badCertificatesSendNothing()
{
    QFETCH(QString, certificate);
    QFETCH(QString, message);
    TlsPeer peer(m_certs.filePath(certificate), m_certs.filePath(QStringLiteral("server.key")));
    QVERIFY(peer.isListening());
    const QString error = signInError(peer);
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("Nothing was sent")), qPrintable(error));
    // Not one byte of plaintext (request line, username, password) reached the server.
    QTest::qWait(100);
    QVERIFY2(peer.received().isEmpty(), peer.received().left(200).constData());
}

void TestClientSecurity::certificateOfTheConfiguredCaConnects()
{
    TlsPeer peer(m_certs.filePath(QStringLiteral("good.crt")),
                 m_certs.filePath(QStringLiteral("server.key")));
    QVERIFY(peer.isListening());
    const QString error = signInError(peer);
    // The request went through the handshake and the server's own answer is shown.
    QVERIFY2(peer.received().startsWith("POST /api/v1/auth/login HTTP/1.1"),
             peer.received().left(200).constData());
    QVERIFY2(peer.received().contains(Password.toUtf8()), "the login body did not arrive");
    QVERIFY2(!error.contains(QLatin1String("certificate")), qPrintable(error));
    QVERIFY2(!error.isEmpty(), "no answer shown");
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
    window.signInWith(url, QStringLiteral("alpha"), QStringLiteral("nurse"), Password);
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
