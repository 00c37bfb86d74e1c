// SECURITY.md L2 (auth part): passwords, access tokens and refresh tokens never reach the
// server's log, whatever the request does: wrong and right passwords, malformed bodies,
// forged tokens, refresh, logout. The access log names route templates, not paths.
#include "support/serverfixture.h"

#include <QTest>

using namespace hms;
using namespace hms::test;

class TestLogSecrets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void secretsNeverReachTheLog();
};

void TestLogSecrets::secretsNeverReachTheLog()
{
    TestDatabase db(QStringLiteral("logsecrets"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    QTemporaryDir keys;
    QProcessEnvironment env;
    env.insert(QStringLiteral("HMS_DATABASE_URL"), db.qurl());
    env.insert(QStringLiteral("HMS_JWT_KEY_FILE"), keys.filePath(QStringLiteral("jwt.key")));
    env.insert(QStringLiteral("HMS_ARGON2_ITERATIONS"), QStringLiteral("2"));
    env.insert(QStringLiteral("HMS_ARGON2_MEMORY_KIB"), QStringLiteral("19456"));
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("hms.*.debug=true"));
    ServerProcess server;
    QVERIFY(server.start({}, env));
    QCOMPARE(
        runAdmin(db.url(),
                 {QStringLiteral("hospital"), QStringLiteral("add"), QStringLiteral("--code"),
                  QStringLiteral("canary"), QStringLiteral("--name"), QStringLiteral("Canary")})
            .exitCode,
        0);
    const QByteArray password = "Zq-canary-secret-4471!";
    QCOMPARE(runAdmin(db.url(),
                      {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("--hospital"),
                       QStringLiteral("canary"), QStringLiteral("--username"),
                       QStringLiteral("wren"), QStringLiteral("--role"), QStringLiteral("nurse"),
                       QStringLiteral("--password-stdin")},
                      password + '\n')
                 .exitCode,
             0);

    auto post = [&](const QByteArray &path, const QByteArray &body, const QByteArray &token = {}) {
        return RawHttpClient::roundTrip(
                   server.port(), ServerFixture::httpRequest("POST", path, token, body), 10000)
            .value_or(RawResponse());
    };
    const QByteArray wrongPassword = "Zq-canary-wrong-9913!";
    const QByteArray prefix = "{\"hospital\":\"canary\",\"username\":\"wren\",\"password\":\"";
    const QByteArray wrongBody = prefix + wrongPassword + "\"}";
    const QByteArray duplicateBody = prefix + password + "\",\"password\":\"dup\"}";
    const QByteArray rightBody = prefix + password + "\"}";
    QCOMPARE(post("/api/v1/auth/login", wrongBody).status, 401);
    QCOMPARE(post("/api/v1/auth/login", duplicateBody).status, 400);
    const RawResponse login = post("/api/v1/auth/login", rightBody);
    QCOMPARE(login.status, 200);
    const QByteArray access = accessTokenOf(login.json());
    const QByteArray refresh = refreshTokenOf(login.json());
    QCOMPARE(post("/api/v1/auth/refresh", refreshBody(refresh)).status, 200);
    QCOMPARE(post("/api/v1/auth/refresh", refreshBody(refresh + "x")).status, 401);
    const QByteArray forged = access.left(access.lastIndexOf('.')) + ".AAAA";
    QCOMPARE(RawHttpClient::roundTrip(server.port(),
                                      ServerFixture::httpRequest("GET", "/api/v1/auth/me", forged))
                 ->status,
             401);
    QCOMPARE(
        RawHttpClient::roundTrip(
            server.port(), ServerFixture::httpRequest("GET", "/api/v1/admin/users/12345", access))
            ->status,
        403);
    QCOMPARE(post("/api/v1/auth/logout", {}, access).status, 204);

    QCOMPARE(server.terminate(), 0);
    const QByteArray log = server.log();
    QVERIFY(log.contains("POST /api/v1/auth/login 200"));
    QVERIFY(log.contains("GET /api/v1/admin/users/{id} 403")); // the template, not the path
    for (const QByteArray &secret :
         {password, wrongPassword, access, refresh, forged, access.split('.').value(1),
          refresh.split('.').value(2), QByteArray("/api/v1/admin/users/12345")}) {
        QVERIFY2(!log.contains(secret), secret.left(24).constData());
    }
}

QTEST_GUILESS_MAIN(TestLogSecrets)
#include "tst_logsecrets.moc"
