// TLS on the REST port (HMS_TLS_CERT/HMS_TLS_KEY), with a development CA made by
// resources/gen-dev-cert.sh: a client that trusts the CA gets answers and HSTS; plain HTTP
// to the TLS port gets nothing; old protocol versions are refused (SECURITY.md X1).
#include "app/serverapp.h"
#include "support/rawhttpclient.h"

#include <QProcess>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace hms::server;
using namespace hms::test;

class TestTls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void trustedClientGetsAnswersWithHsts();
    void plainHttpToTlsPortGetsNoAnswer();
    void tls11IsRefused();
    void worldReadableKeyIsRefused();

private:
    ServerConfig config() const;
    std::optional<RawResponse> tlsGet(QSsl::SslProtocol protocol, bool *encrypted = nullptr);

    QTemporaryDir m_dir;
    QSslCertificate m_ca;
    std::unique_ptr<ServerApp> m_app;
};

ServerConfig TestTls::config() const
{
    ServerConfig config;
    config.listenPort = 0;
    config.databaseUrl = QStringLiteral("postgresql://nobody@127.0.0.1:1/none");
    config.migrateOnStart = false;
    config.tlsCertificatePath = m_dir.filePath(QStringLiteral("server.crt"));
    config.tlsKeyPath = m_dir.filePath(QStringLiteral("server.key"));
    config.jwtKeyFile = m_dir.filePath(QStringLiteral("jwt.key"));
    config.argon2Iterations = 2;
    config.argon2MemoryKib = 19456;
    return config;
}

void TestTls::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const int rc = QProcess::execute(
        QStringLiteral("bash"),
        {QStringLiteral(HMS_SOURCE_DIR "/resources/gen-dev-cert.sh"), m_dir.path()});
    QCOMPARE(rc, 0);
    const QList<QSslCertificate> ca =
        QSslCertificate::fromPath(m_dir.filePath(QStringLiteral("ca.crt")));
    QCOMPARE(ca.size(), 1);
    m_ca = ca.first();
    m_app = std::make_unique<ServerApp>(config());
    QVERIFY2(m_app->start(), qPrintable(m_app->errorString()));
}

std::optional<RawResponse> TestTls::tlsGet(QSsl::SslProtocol protocol, bool *encrypted)
{
    QSslSocket socket;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates({m_ca});
    configuration.setProtocol(protocol);
    socket.setSslConfiguration(configuration);
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_app->port());
    waitUntil(
        [&] {
            return socket.isEncrypted() || socket.state() == QAbstractSocket::UnconnectedState;
        },
        5000);
    if (encrypted)
        *encrypted = socket.isEncrypted();
    if (!socket.isEncrypted())
        return std::nullopt;
    socket.write(RawHttpClient::get("/api/v1/nothing"));
    QByteArray data;
    waitUntil([&] {
        data += socket.readAll();
        return data.contains("\r\n\r\n") && data.contains("}");
    });
    RawResponse response;
    response.status = data.mid(9, 3).toInt();
    for (const QByteArray &line : data.left(data.indexOf("\r\n\r\n")).split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            response.headers.append(
                {line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }
    return response;
}

void TestTls::trustedClientGetsAnswersWithHsts()
{
    bool encrypted = false;
    const auto response = tlsGet(QSsl::TlsV1_2OrLater, &encrypted);
    QVERIFY(encrypted);
    QVERIFY(response);
    QCOMPARE(response->status, 404);
    QVERIFY(response->header("strict-transport-security").startsWith("max-age=63072000"));
}

void TestTls::plainHttpToTlsPortGetsNoAnswer()
{
    RawHttpClient client;
    QVERIFY(client.connectTo(m_app->port()));
    client.send(RawHttpClient::get("/api/v1/health"));
    const auto response = client.readResponse(2000);
    QVERIFY(!response); // no plaintext fallback
}

void TestTls::tls11IsRefused()
{
    bool encrypted = true;
    // Deprecated in Qt precisely because it is unsafe: that is what is being refused here.
    QT_WARNING_PUSH
    QT_WARNING_DISABLE_DEPRECATED
    tlsGet(QSsl::TlsV1_1, &encrypted);
    QT_WARNING_POP
    QVERIFY(!encrypted);
}

void TestTls::worldReadableKeyIsRefused()
{
    QFile::setPermissions(m_dir.filePath(QStringLiteral("server.key")),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner
                              | QFileDevice::ReadOther);
    ServerApp app(config());
    QVERIFY(!app.start());
    QVERIFY(app.errorString().contains(QStringLiteral("readable by others")));
    QFile::setPermissions(m_dir.filePath(QStringLiteral("server.key")),
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
