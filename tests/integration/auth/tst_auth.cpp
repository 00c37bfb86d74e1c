// Sign-in, tokens and sessions through a real in-process server and PostgreSQL
// (SECURITY.md A3, A4, A6, A7, A8, I1, I2). Every test gets a restarted server (same database
// and key file): the per-address limit (20 failures a minute from 127.0.0.1) lives in its memory.
#include "app/serverapp.h"
#include "auth/jwt.h"
#include "shared/protocol/apipaths.h"
#include "support/serverfixture.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace hms;
using namespace hms::server;
using namespace hms::test;

namespace {

const QString Password = QStringLiteral("Ward-7 night kettle");
const QString WrongPassword = QStringLiteral("Ward-7 night kettlf");

constexpr auto Base64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

QByteArray b64(const QByteArray &bytes)
{
    return bytes.toBase64(Base64Url);
}

QByteArray unb64(const QByteArray &text)
{
    return QByteArray::fromBase64(text, Base64Url);
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject loginBody(const QString &hospital, const QString &username, const QString &password)
{
    return {{QStringLiteral("hospital"), hospital},
            {QStringLiteral("username"), username},
            {QStringLiteral("password"), password}};
}

/// The headers a client could compare, without the per-request id.
QList<QPair<QByteArray, QByteArray>> stableHeaders(const RawResponse &response)
{
    QList<QPair<QByteArray, QByteArray>> headers = response.headers;
    headers.removeIf([](const QPair<QByteArray, QByteArray> &header) {
        return header.first == "x-request-id";
    });
    return headers;
}

/// One request sent from the local address \a from (any 127.0.0.0/8 address is loopback).
RawResponse requestFrom(const QHostAddress &from, quint16 port, const QByteArray &bytes)
{
    RawHttpClient client;
    if (!client.socket().bind(from))
        return {};
    if (!client.connectTo(port))
        return {};
    client.send(bytes);
    const std::optional<RawResponse> response = client.readResponse(15'000);
    return response ? *response : RawResponse();
}

double median(QList<qint64> values)
{
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? double(values[n / 2]) : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

QString permissionsText(const QJsonObject &user)
{
    QStringList names;
    for (const QJsonValue &value : user.value(QStringLiteral("permissions")).toArray())
        names.append(value.toString());
    return names.join(QLatin1Char(','));
}

QString expectedPermissions(Role role)
{
    QStringList names;
    for (const Permission permission : permissionsOf(role))
        names.append(permissionName(permission));
    return names.join(QLatin1Char(','));
}

bool isProblem401(const RawResponse &response)
{
    return response.status == 401
        && response.header("content-type") == "application/problem+json; charset=utf-8"
        && response.json().value(QStringLiteral("status")).toInt() == 401;
}

} // namespace

class TestAuth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void loginReturnsTokensAndUser();
    void failedLoginsLookTheSame();
    void lockedAnswerIsTheSameForUnknownUsers();
    void lockoutDoublesAndAdminUnlockIsAudited();
    void sprayFromOneAddressIsCutOffAfter20();

    void forgedAccessTokensAre401_data();
    void forgedAccessTokensAre401();

    void roleChangeActsOnTheNextRequest();
    void disabledUserIsRefusedAtOnce();

    void refreshRotates();
    void retryWithinGraceGetsTheSameSuccessor();
    void reuseAfterGraceRevokesTheFamily();
    void reuseOfATwoGenerationsOldTokenRevokesTheFamily();
    void concurrentRefreshesGetTheSameSuccessor();
    void retryOnAnotherInstanceGetsTheSameSuccessor();
    void logoutEndsAccessAndRefresh();
    void refreshTokensAreStoredAsHashesOnly();

    void badInputWritesNothing_data();
    void badInputWritesNothing();

private:
    /// A user of alpha with Password, made for one test.
    qint64 newUser(const QString &username, Role role = Role::Nurse);
    RawResponse tryLogin(const QString &hospital, const QString &username, const QString &password);
    RawResponse refresh(const QByteArray &refreshToken);
    RawResponse me(const QByteArray &accessToken);
    qint64 auditCount(const QString &action, qint64 userId);
    qint64 writtenRows();

    std::unique_ptr<ServerFixture> m_fixture;
    qint64 m_alpha = 0;
    qint64 m_beta = 0;
    qint64 m_forgeUser = 0; ///< forge.target, whose session the forged tokens aim at
    qint64 m_otherUser = 0;
    QJsonObject m_forgeTokens;
};

void TestAuth::initTestCase()
{
    QLoggingCategory::setFilterRules(QStringLiteral("hms.server.access.info=false"));
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("auth"));
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    // Four pool threads, so two requests really run at the same time.
    QVERIFY2(m_fixture->start([](ServerConfig &config) {
        config.dbPoolSize = 4;
    }),
             qPrintable(m_fixture->errorString()));
    m_alpha = m_fixture->createHospital(QStringLiteral("alpha"), QStringLiteral("Alpha General"));
    m_beta = m_fixture->createHospital(QStringLiteral("beta"), QStringLiteral("Beta Clinic"));
    QVERIFY(m_alpha > 0 && m_beta > 0);
    m_forgeUser = newUser(QStringLiteral("forge.target"));
    m_otherUser = newUser(QStringLiteral("forge.other"));
    QVERIFY(m_forgeUser > 0 && m_otherUser > 0);
    QVERIFY(newUser(QStringLiteral("walt")) > 0);
}

void TestAuth::cleanupTestCase()
{
    m_fixture.reset();
}

qint64 TestAuth::newUser(const QString &username, Role role)
{
    return m_fixture->createUser(QStringLiteral("alpha"), username, role, Password);
}

// A new server for every test: the per-address login limit starts empty.
void TestAuth::init()
{
    QVERIFY2(m_fixture->restart(), qPrintable(m_fixture->errorString()));
}

RawResponse
TestAuth::tryLogin(const QString &hospital, const QString &username, const QString &password)
{
    return m_fixture->request("POST", api::AuthLogin, {}, loginBody(hospital, username, password));
}

RawResponse TestAuth::refresh(const QByteArray &refreshToken)
{
    return m_fixture->request("POST", api::AuthRefresh, {}, refreshBody(refreshToken));
}

RawResponse TestAuth::me(const QByteArray &accessToken)
{
    return m_fixture->request("GET", api::AuthMe, accessToken);
}

qint64 TestAuth::auditCount(const QString &action, qint64 userId)
{
    return m_fixture->count("SELECT count(*) FROM audit_log WHERE action = '" + action.toStdString()
                            + "' AND entity = 'user' AND entity_id = '" + std::to_string(userId)
                            + "'");
}

qint64 TestAuth::writtenRows()
{
    return m_fixture->count("SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM sessions)"
                            " + (SELECT count(*) FROM refresh_tokens)"
                            " + (SELECT count(*) FROM audit_log)"
                            " + (SELECT count(*) FROM refresh_tokens WHERE rotated_at IS NOT NULL)"
                            " + (SELECT sum(seq) FROM audit_heads)");
}

void TestAuth::loginReturnsTokensAndUser()
{
    const qint64 id = newUser(QStringLiteral("anna"));
    QVERIFY(id > 0);
    const qint64 sessionsBefore = m_fixture->count("SELECT count(*) FROM sessions");

    const RawResponse response =
        tryLogin(QStringLiteral("alpha"), QStringLiteral("anna"), Password);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-type"), QByteArray("application/json; charset=utf-8"));
    const QJsonObject body = response.json();

    const QString access = body.value(QStringLiteral("accessToken")).toString();
    QCOMPARE(access.count(QLatin1Char('.')), 2);
    const QRegularExpression refreshShape(
        QStringLiteral("^hms1\\.%1\\.[A-Za-z0-9_-]{43}$").arg(m_alpha));
    QVERIFY2(refreshShape.match(body.value(QStringLiteral("refreshToken")).toString()).hasMatch(),
             qPrintable(body.value(QStringLiteral("refreshToken")).toString()));
    QVERIFY(body.value(QStringLiteral("expiresIn")).isDouble());
    const int expiresIn = body.value(QStringLiteral("expiresIn")).toInt();
    QVERIFY2(expiresIn > 0 && expiresIn <= 15 * 60, qPrintable(QString::number(expiresIn)));
    QCOMPARE(body.value(QStringLiteral("tokenType")).toString(), QStringLiteral("Bearer"));

    const QJsonObject user = body.value(QStringLiteral("user")).toObject();
    QCOMPARE(user.value(QStringLiteral("id")).toString(), QString::number(id));
    QCOMPARE(user.value(QStringLiteral("username")).toString(), QStringLiteral("anna"));
    QCOMPARE(user.value(QStringLiteral("displayName")).toString(), QStringLiteral("anna"));
    QCOMPARE(user.value(QStringLiteral("role")).toString(), QStringLiteral("nurse"));
    QCOMPARE(user.value(QStringLiteral("hospital")).toString(), QStringLiteral("alpha"));
    QCOMPARE(permissionsText(user), expectedPermissions(Role::Nurse));

    // The payload carries the claims of RFC 9068 and no secrets.
    const QJsonObject claims =
        QJsonDocument::fromJson(unb64(access.split(QLatin1Char('.')).value(1).toLatin1())).object();
    QCOMPARE(claims.value(QStringLiteral("sub")).toString(), QString::number(id));
    QCOMPARE(claims.value(QStringLiteral("hosp")).toString(), QString::number(m_alpha));
    QCOMPARE(claims.value(QStringLiteral("role")).toString(), QStringLiteral("nurse"));
    QVERIFY(!claims.value(QStringLiteral("sid")).toString().isEmpty());

    QCOMPARE(m_fixture->count("SELECT count(*) FROM sessions"), sessionsBefore + 1);
    QCOMPARE(auditCount(QStringLiteral("auth.login"), id), 1);

    const RawResponse who = me(access.toLatin1());
    QCOMPARE(who.status, 200);
    QCOMPARE(who.json(), user);
}

void TestAuth::failedLoginsLookTheSame()
{
    QVERIFY(newUser(QStringLiteral("bert")) > 0);
    const qint64 carl = newUser(QStringLiteral("carl"));
    QVERIFY(carl > 0);
    QCOMPARE(
        runAdmin(m_fixture->superuserUrl(),
                 {QStringLiteral("user"), QStringLiteral("disable"), QStringLiteral("--hospital"),
                  QStringLiteral("alpha"), QStringLiteral("--username"), QStringLiteral("carl")})
            .exitCode,
        0);

    // Warm-up: the first dummy verify makes the dummy hash.
    QCOMPARE(tryLogin(QStringLiteral("alpha"), QStringLiteral("warm.up"), WrongPassword).status,
             401);

    // 4 wrong passwords (the 5th would lock) and 4 unknown users, interleaved.
    QList<qint64> wrongMs;
    QList<qint64> unknownMs;
    QList<RawResponse> answers;
    for (int i = 0; i < 4; ++i) {
        QElapsedTimer clock;
        clock.start();
        answers.append(tryLogin(QStringLiteral("alpha"), QStringLiteral("bert"), WrongPassword));
        wrongMs.append(clock.nsecsElapsed() / 1000);
        clock.restart();
        answers.append(
            tryLogin(QStringLiteral("alpha"), QStringLiteral("nobody%1").arg(i), WrongPassword));
        unknownMs.append(clock.nsecsElapsed() / 1000);
    }
    answers.append(tryLogin(QStringLiteral("nowhere"), QStringLiteral("bert"), Password));
    answers.append(tryLogin(QStringLiteral("alpha"), QStringLiteral("carl"), Password)); // disabled

    const RawResponse &first = answers.first();
    QCOMPARE(first.status, 401);
    QCOMPARE(first.header("content-type"), QByteArray("application/problem+json; charset=utf-8"));
    QVERIFY(!first.body.isEmpty());
    for (qsizetype i = 1; i < answers.size(); ++i) {
        QCOMPARE(answers[i].status, first.status);
        QCOMPARE(answers[i].body, first.body);
        QCOMPARE(stableHeaders(answers[i]), stableHeaders(first));
    }

    // A dummy Argon2 run for unknown users: an answer without one takes ~1 ms instead of ~50.
    const double wrong = median(wrongMs);
    const double unknown = median(unknownMs);
    qInfo("median login latency: wrong password %.1f ms, unknown user %.1f ms", wrong / 1000,
          unknown / 1000);
    QVERIFY2(unknown > wrong * 0.5 && unknown < wrong * 2.0, "unknown-user timing differs");
}

void TestAuth::lockedAnswerIsTheSameForUnknownUsers()
{
    QVERIFY(newUser(QStringLiteral("dora")) > 0);
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(tryLogin(QStringLiteral("alpha"), QStringLiteral("dora"), WrongPassword).status,
                 401);
        QCOMPARE(tryLogin(QStringLiteral("alpha"), QStringLiteral("ghost"), WrongPassword).status,
                 401);
    }
    const RawResponse known = tryLogin(QStringLiteral("alpha"), QStringLiteral("dora"), Password);
    const RawResponse unknown =
        tryLogin(QStringLiteral("alpha"), QStringLiteral("ghost"), Password);
    QCOMPARE(known.status, 429);
    QCOMPARE(unknown.status, 429);
    QCOMPARE(unknown.body, known.body);
    const int knownRetry = known.header("retry-after").toInt();
    const int unknownRetry = unknown.header("retry-after").toInt();
    QVERIFY2(knownRetry > 0 && qAbs(knownRetry - unknownRetry) <= 1,
             qPrintable(QStringLiteral("%1 vs %2").arg(knownRetry).arg(unknownRetry)));
}

void TestAuth::lockoutDoublesAndAdminUnlockIsAudited()
{
    const qint64 id = newUser(QStringLiteral("lab.alpha"), Role::Lab);
    QVERIFY(id > 0);
    const QString name = QStringLiteral("lab.alpha");
    auto failFiveTimes = [&] {
        for (int i = 0; i < 5; ++i) {
            const RawResponse response = tryLogin(QStringLiteral("alpha"), name, WrongPassword);
            if (response.status != 401)
                return false;
        }
        return true;
    };
    const std::string backdateLock = "UPDATE users SET locked_until = now() - interval '1 second' "
                                     "WHERE id = "
        + std::to_string(id);

    // 1. Five failures lock the account; the right password is refused too.
    QVERIFY(failFiveTimes());
    RawResponse locked = tryLogin(QStringLiteral("alpha"), name, Password);
    QCOMPARE(locked.status, 429);
    int retryAfter = locked.header("retry-after").toInt();
    QVERIFY2(retryAfter > 15 * 60 - 10 && retryAfter <= 15 * 60 + 1,
             qPrintable(QString::number(retryAfter)));
    QCOMPARE(auditCount(QStringLiteral("auth.lockout"), id), 1);

    // 2. The window passes (simulated) and five more failures lock for twice as long.
    m_fixture->database().exec(backdateLock);
    QVERIFY(failFiveTimes());
    locked = tryLogin(QStringLiteral("alpha"), name, Password);
    QCOMPARE(locked.status, 429);
    retryAfter = locked.header("retry-after").toInt();
    QVERIFY2(retryAfter > 30 * 60 - 10 && retryAfter <= 30 * 60 + 1,
             qPrintable(QString::number(retryAfter)));
    QCOMPARE(auditCount(QStringLiteral("auth.lockout"), id), 2);

    // 3. After the window the right password works and resets the counters.
    m_fixture->database().exec(backdateLock);
    QVERIFY(!m_fixture->login(QStringLiteral("alpha"), name, Password).isEmpty());
    QCOMPARE(m_fixture->count("SELECT failed_logins + lockouts FROM users WHERE id = "
                              + std::to_string(id)),
             0);

    // 4. Locked again (15 minutes, not 60: the success reset the doubling), then unlocked.
    QVERIFY(failFiveTimes());
    locked = tryLogin(QStringLiteral("alpha"), name, Password);
    QCOMPARE(locked.status, 429);
    QVERIFY(locked.header("retry-after").toInt() <= 15 * 60 + 1);
    const AdminRun unlock =
        runAdmin(m_fixture->superuserUrl(),
                 {QStringLiteral("user"), QStringLiteral("unlock"), QStringLiteral("--hospital"),
                  QStringLiteral("alpha"), QStringLiteral("--username"), name});
    QVERIFY2(unlock.exitCode == 0, unlock.err.constData());
    QCOMPARE(tryLogin(QStringLiteral("alpha"), name, Password).status, 200);

    QCOMPARE(auditCount(QStringLiteral("auth.lockout"), id), 3);
    QCOMPARE(auditCount(QStringLiteral("user.unlock"), id), 1);
    // The refused attempts while locked are audited as denied.
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND "
                              "outcome = 'denied' AND entity_id = '"
                              + std::to_string(id) + "'"),
             3);
}

void TestAuth::sprayFromOneAddressIsCutOffAfter20()
{
    QVERIFY(newUser(QStringLiteral("emil")) > 0);
    QVERIFY(newUser(QStringLiteral("fritz")) > 0);
    // One wrong attempt each on 25 user names (two of them real) from one address.
    QList<int> statuses;
    RawResponse cutOff;
    for (int i = 0; i < 25; ++i) {
        QString name = QStringLiteral("sprayed%1").arg(i);
        if (i == 3)
            name = QStringLiteral("emil");
        if (i == 12)
            name = QStringLiteral("fritz");
        const RawResponse response = tryLogin(QStringLiteral("alpha"), name, WrongPassword);
        statuses.append(response.status);
        if (i == 20)
            cutOff = response;
    }
    QCOMPARE(statuses.mid(0, 20), QList<int>(20, 401));
    QCOMPARE(statuses.mid(20), QList<int>(5, 429));
    const int retryAfter = cutOff.header("retry-after").toInt();
    QVERIFY2(retryAfter >= 1 && retryAfter <= 61, qPrintable(QString::number(retryAfter)));

    // The limit is per address: another desk still signs in.
    const RawResponse other = requestFrom(
        QHostAddress(QStringLiteral("127.0.0.2")), m_fixture->port(),
        ServerFixture::httpRequest(
            "POST", api::AuthLogin, {},
            compact(loginBody(QStringLiteral("alpha"), QStringLiteral("emil"), Password))));
    QCOMPARE(other.status, 200);
}

// --- A6: forged access tokens ------------------------------------------------------------

void TestAuth::forgedAccessTokensAre401_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("status");
    // Controls: the forging helpers make accepted tokens when nothing is wrong.
    QTest::newRow("control-key-ring") << QStringLiteral("ring-valid") << 200;
    QTest::newRow("control-hand-signed") << QStringLiteral("hand-valid") << 200;

    for (const char *kind : {"alg-none-empty-signature",
                             "alg-NONE-kept-signature",
                             "alg-None-kept-signature",
                             "alg-HS512-kept-signature",
                             "role-changed-to-admin",
                             "subject-changed",
                             "expired",
                             "not-yet-valid",
                             "other-install-key",
                             "other-key-same-kid",
                             "wrong-issuer",
                             "wrong-audience",
                             "stripped-signature",
                             "two-segments",
                             "garbage",
                             "11-kib-token",
                             "injected-jku",
                             "typ-jwt",
                             "unknown-kid",
                             "kid-with-path",
                             "missing-sid",
                             "duplicate-role-claim",
                             "sid-not-a-uuid",
                             "sid-of-another-user",
                             "foreign-hospital",
                             "empty-bearer"})
        QTest::newRow(kind) << QString::fromLatin1(kind) << 401;
}

void TestAuth::forgedAccessTokensAre401()
{
    QFETCH(QString, kind);
    QFETCH(int, status);

    // One session for all rows.
    if (m_forgeTokens.isEmpty()) {
        m_forgeTokens =
            m_fixture->login(QStringLiteral("alpha"), QStringLiteral("forge.target"), Password);
        QVERIFY(!m_forgeTokens.isEmpty());
    }
    const QByteArray real = accessTokenOf(m_forgeTokens);
    const QList<QByteArray> parts = real.split('.');
    QCOMPARE(parts.size(), 3);
    const QJsonObject header = QJsonDocument::fromJson(unb64(parts[0])).object();
    const QJsonObject payload = QJsonDocument::fromJson(unb64(parts[1])).object();
    const QString kid = header.value(QStringLiteral("kid")).toString();

    Result<JwtKeyRing> ring = JwtKeyRing::loadOrCreate(m_fixture->jwtKeyFile());
    QVERIFY(ring);
    QFile keyFile(m_fixture->jwtKeyFile());
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    const QByteArray firstLine = keyFile.readLine().trimmed();
    QCOMPARE(firstLine.left(firstLine.indexOf(':')), kid.toLatin1());
    const QByteArray secret = unb64(firstLine.mid(firstLine.indexOf(':') + 1));
    QCOMPARE(secret.size(), 32);

    // header and payload as given, HMAC-SHA-256 with our key.
    auto handSigned = [&](const QByteArray &headerJson, const QByteArray &payloadJson) {
        const QByteArray input = b64(headerJson) + '.' + b64(payloadJson);
        const QByteArray signature =
            QMessageAuthenticationCode::hash(input, secret, QCryptographicHash::Sha256);
        return QByteArray(input + '.' + b64(signature));
    };
    auto withHeader = [&](QJsonObject changed) {
        return QByteArray(b64(compact(changed)) + '.' + parts[1] + '.' + parts[2]);
    };
    auto withPayload = [&](QJsonObject changed) {
        return QByteArray(parts[0] + '.' + b64(compact(changed)) + '.' + parts[2]);
    };
    auto signedClaims = [&](const JwtKeyRing &keys, const QString &subject, const QString &hospital,
                            const QString &sessionId, qint64 now) {
        return keys.signAccessToken(
            keys.newAccessClaims(subject, hospital, QStringLiteral("nurse"), sessionId, now));
    };
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QString subject = payload.value(QStringLiteral("sub")).toString();
    const QString hospital = payload.value(QStringLiteral("hosp")).toString();
    const QString sessionId = payload.value(QStringLiteral("sid")).toString();
    QTemporaryDir otherDir;

    QByteArray token;
    if (kind == QLatin1String("ring-valid")) {
        token = signedClaims(ring.value(), subject, hospital, sessionId, now);
    } else if (kind == QLatin1String("hand-valid")) {
        token = handSigned(unb64(parts[0]), unb64(parts[1]));
    } else if (kind == QLatin1String("alg-none-empty-signature")) {
        QJsonObject h = header;
        h.insert(QStringLiteral("alg"), QStringLiteral("none"));
        token = b64(compact(h)) + '.' + parts[1] + '.';
    } else if (kind.startsWith(QLatin1String("alg-"))) {
        QJsonObject h = header;
        h.insert(QStringLiteral("alg"), kind.section(QLatin1Char('-'), 1, 1));
        token = withHeader(h);
    } else if (kind == QLatin1String("role-changed-to-admin")) {
        QJsonObject p = payload;
        p.insert(QStringLiteral("role"), QStringLiteral("admin"));
        token = withPayload(p);
    } else if (kind == QLatin1String("subject-changed")) {
        QJsonObject p = payload;
        p.insert(QStringLiteral("sub"), QString::number(m_otherUser));
        token = withPayload(p);
    } else if (kind == QLatin1String("expired")) {
        token = signedClaims(ring.value(), subject, hospital, sessionId, now - 3600);
    } else if (kind == QLatin1String("not-yet-valid")) {
        token = signedClaims(ring.value(), subject, hospital, sessionId, now + 3600);
    } else if (kind == QLatin1String("other-install-key")) {
        Result<JwtKeyRing> other =
            JwtKeyRing::loadOrCreate(otherDir.filePath(QStringLiteral("other.key")));
        QVERIFY(other);
        QVERIFY(other.value().signingKeyId() != kid);
        token = signedClaims(other.value(), subject, hospital, sessionId, now);
    } else if (kind == QLatin1String("other-key-same-kid")) {
        QByteArray otherSecret(32, '\0');
        for (char &c : otherSecret)
            c = char(QRandomGenerator::global()->bounded(256));
        const QString path = otherDir.filePath(QStringLiteral("same-kid.key"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        file.write(kid.toLatin1() + ':' + b64(otherSecret) + '\n');
        file.close();
        Result<JwtKeyRing> other = JwtKeyRing::loadOrCreate(path);
        QVERIFY2(other, qPrintable(other ? QString() : other.problem().detail));
        QCOMPARE(other.value().signingKeyId(), kid);
        token = signedClaims(other.value(), subject, hospital, sessionId, now);
    } else if (kind == QLatin1String("wrong-issuer") || kind == QLatin1String("wrong-audience")) {
        JwtKeyRing keys = ring.value();
        JwtSettings settings = keys.settings();
        if (kind == QLatin1String("wrong-issuer"))
            settings.issuer = QStringLiteral("evil");
        else
            settings.audience = QStringLiteral("other-api");
        keys.setSettings(settings);
        token = signedClaims(keys, subject, hospital, sessionId, now);
    } else if (kind == QLatin1String("stripped-signature")) {
        token = parts[0] + '.' + parts[1] + '.';
    } else if (kind == QLatin1String("two-segments")) {
        token = parts[0] + '.' + parts[1];
    } else if (kind == QLatin1String("garbage")) {
        token = "not-a-token";
    } else if (kind == QLatin1String("11-kib-token")) {
        QJsonObject p = payload;
        p.insert(QStringLiteral("pad"),
                 QString(8 * 1024, QLatin1Char('a'))); // under the 16 KiB header limit
        token = handSigned(unb64(parts[0]), compact(p));
    } else if (kind == QLatin1String("injected-jku")) {
        QJsonObject h = header;
        h.insert(QStringLiteral("jku"), QStringLiteral("https://evil.example/keys"));
        token = handSigned(compact(h), unb64(parts[1]));
    } else if (kind == QLatin1String("typ-jwt")) {
        QJsonObject h = header;
        h.insert(QStringLiteral("typ"), QStringLiteral("JWT"));
        token = handSigned(compact(h), unb64(parts[1]));
    } else if (kind == QLatin1String("unknown-kid") || kind == QLatin1String("kid-with-path")) {
        QJsonObject h = header;
        h.insert(QStringLiteral("kid"),
                 kind == QLatin1String("unknown-kid")
                     ? QStringLiteral("00000000")
                     : QStringLiteral("../../etc/passwd' OR '1'='1"));
        token = handSigned(compact(h), unb64(parts[1]));
    } else if (kind == QLatin1String("missing-sid")) {
        QJsonObject p = payload;
        p.remove(QStringLiteral("sid"));
        token = handSigned(unb64(parts[0]), compact(p));
    } else if (kind == QLatin1String("duplicate-role-claim")) {
        // {"role":"admin", ...original members (role "nurse" among them)}
        QByteArray json = unb64(parts[1]);
        json.insert(1, "\"role\":\"admin\",");
        token = handSigned(unb64(parts[0]), json);
    } else if (kind == QLatin1String("sid-not-a-uuid")) {
        token = signedClaims(ring.value(), subject, hospital, QStringLiteral("not-a-uuid"), now);
    } else if (kind == QLatin1String("sid-of-another-user")) {
        token = signedClaims(ring.value(), QString::number(m_otherUser), hospital, sessionId, now);
    } else if (kind == QLatin1String("foreign-hospital")) {
        token = signedClaims(ring.value(), subject, QString::number(m_beta), sessionId, now);
    } else if (kind == QLatin1String("empty-bearer")) {
        token = " ";
    } else {
        QFAIL("unknown row");
    }

    const RawResponse response = me(token);
    QCOMPARE(response.status, status);
    if (status == 401) {
        QVERIFY2(isProblem401(response), response.body.constData());
        QVERIFY(!response.body.contains(parts[2])); // never echoes the token
    } else {
        QCOMPARE(response.json().value(QStringLiteral("username")).toString(),
                 QStringLiteral("forge.target"));
    }
}

// --- A7: role changes and disabling act on the next request --------------------------------

void TestAuth::roleChangeActsOnTheNextRequest()
{
    const qint64 id = newUser(QStringLiteral("nina"), Role::Nurse);
    QVERIFY(id > 0);
    const QJsonObject tokens =
        m_fixture->login(QStringLiteral("alpha"), QStringLiteral("nina"), Password);
    QVERIFY(!tokens.isEmpty());
    RawResponse who = me(accessTokenOf(tokens));
    QCOMPARE(who.status, 200);
    QCOMPARE(who.json().value(QStringLiteral("role")).toString(), QStringLiteral("nurse"));

    const AdminRun change =
        runAdmin(m_fixture->superuserUrl(),
                 {QStringLiteral("user"), QStringLiteral("set-role"), QStringLiteral("--hospital"),
                  QStringLiteral("alpha"), QStringLiteral("--username"), QStringLiteral("nina"),
                  QStringLiteral("--role"), QStringLiteral("lab")});
    QVERIFY2(change.exitCode == 0, change.err.constData());

    // The same access token (its role claim still says nurse) is judged by today's role.
    who = me(accessTokenOf(tokens));
    QCOMPARE(who.status, 200);
    QCOMPARE(who.json().value(QStringLiteral("role")).toString(), QStringLiteral("lab"));
    QCOMPARE(permissionsText(who.json()), expectedPermissions(Role::Lab));
    QCOMPARE(auditCount(QStringLiteral("user.role.change"), id), 1);

    // A refresh issues tokens for the new role too.
    const RawResponse refreshed = refresh(refreshTokenOf(tokens));
    QCOMPARE(refreshed.status, 200);
    QCOMPARE(refreshed.json()
                 .value(QStringLiteral("user"))
                 .toObject()
                 .value(QStringLiteral("role"))
                 .toString(),
             QStringLiteral("lab"));
}

void TestAuth::disabledUserIsRefusedAtOnce()
{
    const qint64 id = newUser(QStringLiteral("otto"));
    QVERIFY(id > 0);
    const QJsonObject tokens =
        m_fixture->login(QStringLiteral("alpha"), QStringLiteral("otto"), Password);
    QVERIFY(!tokens.isEmpty());
    QCOMPARE(me(accessTokenOf(tokens)).status, 200);

    const QStringList who{QStringLiteral("--hospital"), QStringLiteral("alpha"),
                          QStringLiteral("--username"), QStringLiteral("otto")};
    const AdminRun disable =
        runAdmin(m_fixture->superuserUrl(),
                 QStringList{QStringLiteral("user"), QStringLiteral("disable")} + who);
    QVERIFY2(disable.exitCode == 0, disable.err.constData());
    QVERIFY(isProblem401(me(accessTokenOf(tokens))));
    QVERIFY(isProblem401(refresh(refreshTokenOf(tokens))));
    QCOMPARE(tryLogin(QStringLiteral("alpha"), QStringLiteral("otto"), Password).status, 401);
    QCOMPARE(auditCount(QStringLiteral("user.disable"), id), 1);

    // Enabling lets them sign in again, but the old session stays ended.
    const AdminRun enable =
        runAdmin(m_fixture->superuserUrl(),
                 QStringList{QStringLiteral("user"), QStringLiteral("enable")} + who);
    QVERIFY2(enable.exitCode == 0, enable.err.constData());
    QCOMPARE(tryLogin(QStringLiteral("alpha"), QStringLiteral("otto"), Password).status, 200);
    QCOMPARE(me(accessTokenOf(tokens)).status, 401);
}

// --- A8: refresh tokens ---------------------------------------------------------------------

void TestAuth::refreshRotates()
{
    QVERIFY(newUser(QStringLiteral("paula")) > 0);
    const QJsonObject first =
        m_fixture->login(QStringLiteral("alpha"), QStringLiteral("paula"), Password);
    QVERIFY(!first.isEmpty());
    const RawResponse response = refresh(refreshTokenOf(first));
    QCOMPARE(response.status, 200);
    const QJsonObject second = response.json();
    QVERIFY(!refreshTokenOf(second).isEmpty());
    QVERIFY(refreshTokenOf(second) != refreshTokenOf(first));
    QVERIFY(accessTokenOf(second) != accessTokenOf(first));
    QCOMPARE(second.value(QStringLiteral("user")), first.value(QStringLiteral("user")));
    QCOMPARE(me(accessTokenOf(second)).status, 200);

    // R1 points at R2 and is marked rotated.
    const std::string r1 = refreshTokenOf(first).toStdString();
    const std::string r2 = refreshTokenOf(second).toStdString();
    QCOMPARE(m_fixture->count("SELECT count(*) FROM refresh_tokens a JOIN refresh_tokens b ON "
                              "b.id = a.successor_id WHERE a.rotated_at IS NOT NULL AND "
                              "a.token_hash = sha256('"
                              + r1 + "'::bytea) AND b.token_hash = sha256('" + r2
                              + "'::bytea) AND b.rotated_at IS NULL"),
             1);
}

void TestAuth::retryWithinGraceGetsTheSameSuccessor()
{
    const qint64 id = newUser(QStringLiteral("quinn"));
    QVERIFY(id > 0);
    const QJsonObject first =
        m_fixture->login(QStringLiteral("alpha"), QStringLiteral("quinn"), Password);
    QVERIFY(!first.isEmpty());
    const RawResponse answer = refresh(refreshTokenOf(first));
    QCOMPARE(answer.status, 200);
    // The answer was "lost": the client retries with R1 within the grace window.
    const RawResponse retry = refresh(refreshTokenOf(first));
    QCOMPARE(retry.status, 200);
    QCOMPARE(refreshTokenOf(retry.json()), refreshTokenOf(answer.json()));
    QCOMPARE(auditCount(QStringLiteral("auth.refresh_token_reuse"), id), 0);
    // No family revocation: R2 still works.
    QCOMPARE(refresh(refreshTokenOf(answer.json())).status, 200);
}

void TestAuth::reuseAfterGraceRevokesTheFamily()
{
    const qint64 id = newUser(QStringLiteral("rita"));
    QVERIFY(id > 0);
    const QJsonObject first =
        m_fixture->login(QStringLiteral("alpha"), QStringLiteral("rita"), Password);
    QVERIFY(!first.isEmpty());
    const RawResponse rotated = refresh(refreshTokenOf(first));
    QCOMPARE(rotated.status, 200);
    const QJsonObject second = rotated.json();

    // The 30 s grace window cannot be shortened through ServerConfig; move R1's rotation
    // time back instead (a simulated clock).
    m_fixture->database().exec("UPDATE refresh_tokens SET rotated_at = rotated_at - interval "
                               "'31 seconds' WHERE token_hash = sha256('"
                               + refreshTokenOf(first).toStdString() + "'::bytea)");

    QVERIFY(isProblem401(refresh(refreshTokenOf(first))));
    QCOMPARE(auditCount(QStringLiteral("auth.refresh_token_reuse"), id), 1);
    // The whole family is gone: R2 and the access token of the session.
    QVERIFY(isProblem401(refresh(refreshTokenOf(second))));
    QVERIFY(isProblem401(me(accessTokenOf(second))));
    QVERIFY(isProblem401(me(accessTokenOf(first))));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM sessions WHERE user_id = " + std::to_string(id)
                              + " AND revoked_at IS NOT NULL AND revoke_reason = "
                                "'refresh token reuse'"),
             1);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM refresh_tokens t JOIN sessions s ON s.id = "
                              "t.session_id WHERE s.user_id = "
                              + std::to_string(id) + " AND t.revoked_at IS NULL"),
             0);
}

void TestAuth::reuseOfATwoGenerationsOldTokenRevokesTheFamily()
{
    // SECURITY.md: "reuse grace <= 30 s for the immediate predecessor only". R1 -> R2 -> R3,
    // then R1 again: R1 is not R3's predecessor, so this is reuse even inside 30 s.
    const qint64 id = newUser(QStringLiteral("sven"));
    QVERIFY(id > 0);
    const QJsonObject first =
        m_fixture->login(QStringLiteral("alpha"), QStringLiteral("sven"), Password);
    QVERIFY(!first.isEmpty());
    const RawResponse second = refresh(refreshTokenOf(first));
    QCOMPARE(second.status, 200);
    const RawResponse third = refresh(refreshTokenOf(second.json()));
    QCOMPARE(third.status, 200);

    const RawResponse reuse = refresh(refreshTokenOf(first));
    qInfo("reuse of R1 answered %d; same refresh token as R2: %s", reuse.status,
          refreshTokenOf(reuse.json()) == refreshTokenOf(second.json()) ? "yes" : "no");
    QCOMPARE(reuse.status, 401);
    QVERIFY(isProblem401(refresh(refreshTokenOf(third.json()))));
    QCOMPARE(auditCount(QStringLiteral("auth.refresh_token_reuse"), id), 1);
}

void TestAuth::concurrentRefreshesGetTheSameSuccessor()
{
    const qint64 id = newUser(QStringLiteral("tara"));
    QVERIFY(id > 0);
    const QJsonObject first =
        m_fixture->login(QStringLiteral("alpha"), QStringLiteral("tara"), Password);
    QVERIFY(!first.isEmpty());
    const QByteArray bytes = ServerFixture::httpRequest("POST", api::AuthRefresh, {},
                                                        refreshBody(refreshTokenOf(first)));
    RawHttpClient a;
    RawHttpClient b;
    QVERIFY(a.connectTo(m_fixture->port()));
    QVERIFY(b.connectTo(m_fixture->port()));
    a.send(bytes); // both are on the wire before either answer is read
    b.send(bytes);
    const std::optional<RawResponse> answerA = a.readResponse(15'000);
    const std::optional<RawResponse> answerB = b.readResponse(15'000);
    QVERIFY(answerA && answerB);
    QCOMPARE(answerA->status, 200);
    QCOMPARE(answerB->status, 200);
    QVERIFY(!refreshTokenOf(answerA->json()).isEmpty());
    QCOMPARE(refreshTokenOf(answerA->json()), refreshTokenOf(answerB->json()));
    QCOMPARE(auditCount(QStringLiteral("auth.refresh_token_reuse"), id), 0);
    // One successor in the table, and it works.
    QCOMPARE(m_fixture->count("SELECT count(*) FROM refresh_tokens t JOIN sessions s ON s.id = "
                              "t.session_id WHERE s.user_id = "
                              + std::to_string(id)),
             2);
    QCOMPARE(refresh(refreshTokenOf(answerA->json())).status, 200);
}

void TestAuth::retryOnAnotherInstanceGetsTheSameSuccessor()
{
    // Two hms-server instances behind a balancer: the refresh answer from A is lost and the
    // retry lands on B. B has never seen the rotation in memory; the sealed successor in
    // the database (key from the shared JWT key file) gives the same R2, without an alarm.
    const qint64 id = newUser(QStringLiteral("wilma"));
    QVERIFY(id > 0);
    const QJsonObject first =
        m_fixture->login(QStringLiteral("alpha"), QStringLiteral("wilma"), Password);
    QVERIFY(!first.isEmpty());
    const RawResponse onA = refresh(refreshTokenOf(first));
    QCOMPARE(onA.status, 200);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM refresh_tokens WHERE successor_sealed IS NOT "
                              "NULL AND position(convert_to('"
                              + refreshTokenOf(onA.json()).toStdString()
                              + "', 'UTF8') in successor_sealed) > 0"),
             0); // sealed, not stored in the clear

    ServerConfig config;
    config.listenAddress = QHostAddress::LocalHost;
    config.listenPort = 0;
    config.databaseUrl = QString::fromStdString(m_fixture->superuserUrl());
    config.migrateOnStart = false;
    config.jwtKeyFile = m_fixture->jwtKeyFile();
    ServerApp instanceB(config);
    QVERIFY2(instanceB.start(), qPrintable(instanceB.errorString()));
    const std::optional<RawResponse> onB =
        RawHttpClient::roundTrip(instanceB.port(),
                                 ServerFixture::httpRequest("POST", api::AuthRefresh, {},
                                                            refreshBody(refreshTokenOf(first))),
                                 15'000);
    QVERIFY(onB);
    QCOMPARE(onB->status, 200);
    QCOMPARE(refreshTokenOf(onB->json()), refreshTokenOf(onA.json()));
    QCOMPARE(me(accessTokenOf(onB->json())).status, 200);
    QCOMPARE(auditCount(QStringLiteral("auth.refresh_token_reuse"), id), 0);

    // Once R2 is used, R1's sealed copy is gone and R1 is plain reuse again.
    const RawResponse third = refresh(refreshTokenOf(onA.json()));
    QCOMPARE(third.status, 200);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM refresh_tokens WHERE token_hash = sha256('"
                              + refreshTokenOf(first).toStdString()
                              + "'::bytea) AND successor_sealed IS NULL"),
             1);
    QVERIFY(isProblem401(refresh(refreshTokenOf(first))));
    QCOMPARE(auditCount(QStringLiteral("auth.refresh_token_reuse"), id), 1);
}

void TestAuth::logoutEndsAccessAndRefresh()
{
    const qint64 id = newUser(QStringLiteral("uwe"));
    QVERIFY(id > 0);
    const QJsonObject tokens =
        m_fixture->login(QStringLiteral("alpha"), QStringLiteral("uwe"), Password);
    QVERIFY(!tokens.isEmpty());
    QCOMPARE(me(accessTokenOf(tokens)).status, 200);
    const RawResponse logout = m_fixture->request("POST", api::AuthLogout, accessTokenOf(tokens));
    QCOMPARE(logout.status, 204);
    QVERIFY(isProblem401(refresh(refreshTokenOf(tokens))));
    QVERIFY(isProblem401(me(accessTokenOf(tokens)))); // the access token has not expired
    QCOMPARE(auditCount(QStringLiteral("auth.logout"), id), 1);
    // A second logout with the dead token is refused, not audited again.
    QCOMPARE(m_fixture->request("POST", api::AuthLogout, accessTokenOf(tokens)).status, 401);
    QCOMPARE(auditCount(QStringLiteral("auth.logout"), id), 1);
}

void TestAuth::refreshTokensAreStoredAsHashesOnly()
{
    QVERIFY(newUser(QStringLiteral("vera")) > 0);
    const QJsonObject first =
        m_fixture->login(QStringLiteral("alpha"), QStringLiteral("vera"), Password);
    QVERIFY(!first.isEmpty());
    const RawResponse second = refresh(refreshTokenOf(first));
    QCOMPARE(second.status, 200);

    static const QRegularExpression shape(QStringLiteral("^hms1\\.\\d+\\.([A-Za-z0-9_-]{43})$"));
    for (const QByteArray &token : {refreshTokenOf(first), refreshTokenOf(second.json())}) {
        const QRegularExpressionMatch match = shape.match(QString::fromLatin1(token));
        QVERIFY2(match.hasMatch(), token.constData());
        // 43 base64url characters are 32 random bytes (256 bits).
        QCOMPARE(unb64(match.captured(1).toLatin1()).size(), 32);
        const std::string whole = token.toStdString();
        const std::string random = match.captured(1).toStdString();
        QCOMPARE(m_fixture->count("SELECT count(*) FROM refresh_tokens WHERE token_hash = "
                                  "sha256('"
                                  + whole + "'::bytea)"),
                 1);
        for (const char *table : {"refresh_tokens", "sessions", "audit_log", "users"}) {
            QCOMPARE(m_fixture->count(std::string("SELECT count(*) FROM ") + table
                                      + " r WHERE strpos(r::text, '" + random
                                      + "') > 0 OR strpos(r::text, encode(convert_to('" + random
                                      + "', 'UTF8'), 'hex')) > 0"),
                     0);
        }
    }
    QCOMPARE(m_fixture->count("SELECT count(*) FROM refresh_tokens WHERE octet_length(token_hash) "
                              "<> 32"),
             0);
    // The only columns: no text column could hold a token (successor_sealed is secretbox
    // ciphertext under a key from the JWT key file; successor_seal_kid names that key).
    QCOMPARE(QString::fromStdString(m_fixture->database().scalar(
                 "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position)"
                 " FROM information_schema.columns WHERE table_name = 'refresh_tokens'")),
             QStringLiteral("id:bigint,hospital_id:bigint,session_id:uuid,token_hash:bytea,"
                            "created_at:timestamp with time zone,expires_at:timestamp with time "
                            "zone,rotated_at:timestamp with time zone,successor_id:bigint,"
                            "revoked_at:timestamp with time zone,successor_sealed:bytea,"
                            "successor_seal_kid:text"));
}

// --- I1/I2 on the public auth routes ------------------------------------------------------------

void TestAuth::badInputWritesNothing_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body"); // @P@ = the right password, @R@ = a live refresh token
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("field"); // of errors[] on 422

    const QByteArray login = api::AuthLogin;
    const QByteArray refresh = api::AuthRefresh;
    const QByteArray json = "application/json";
    const QByteArray good = R"({"hospital":"alpha","username":"walt","password":"@P@"})";

    QTest::newRow("login-malformed-json")
        << login << QByteArray(R"({"hospital":"alpha","username":"walt","password":"@P@")") << json
        << 400 << QString();
    QTest::newRow("login-trailing-garbage")
        << login << QByteArray(good + "x") << json << 400 << QString();
    QTest::newRow("login-top-level-array")
        << login << QByteArray("[" + good + "]") << json << 400 << QString();
    QTest::newRow("login-duplicate-key")
        << login
        << QByteArray(
               R"({"hospital":"alpha","username":"nobody","username":"walt","password":"@P@"})")
        << json << 400 << QString();
    QTest::newRow("login-missing-password")
        << login << QByteArray(R"({"hospital":"alpha","username":"walt"})") << json << 422
        << QStringLiteral("password");
    QTest::newRow("login-unknown-field")
        << login
        << QByteArray(R"({"hospital":"alpha","username":"walt","password":"@P@","remember":true})")
        << json << 422 << QStringLiteral("remember");
    QTest::newRow("login-wrong-type")
        << login << QByteArray(R"({"hospital":"alpha","username":["walt"],"password":"@P@"})")
        << json << 422 << QStringLiteral("username");
    QTest::newRow("login-text-plain")
        << login << good << QByteArray("text/plain") << 415 << QString();
    QTest::newRow("login-form-urlencoded")
        << login << QByteArray("hospital=alpha&username=walt&password=@P@")
        << QByteArray("application/x-www-form-urlencoded") << 415 << QString();
    QTest::newRow("login-json-latin1")
        << login << good << QByteArray("application/json; charset=latin1") << 415 << QString();

    QTest::newRow("refresh-malformed-json")
        << refresh << QByteArray(R"({"refreshToken":"@R@")") << json << 400 << QString();
    QTest::newRow("refresh-duplicate-key")
        << refresh << QByteArray(R"({"refreshToken":"x","refreshToken":"@R@"})") << json << 400
        << QString();
    QTest::newRow("refresh-missing-token")
        << refresh << QByteArray("{}") << json << 422 << QStringLiteral("refreshToken");
    QTest::newRow("refresh-unknown-field")
        << refresh << QByteArray(R"({"refreshToken":"@R@","deviceId":"d1"})") << json << 422
        << QStringLiteral("deviceId");
    QTest::newRow("refresh-wrong-type") << refresh << QByteArray(R"({"refreshToken":12345})")
                                        << json << 422 << QStringLiteral("refreshToken");
    QTest::newRow("refresh-text-plain") << refresh << QByteArray(R"({"refreshToken":"@R@"})")
                                        << QByteArray("text/plain") << 415 << QString();
}

void TestAuth::badInputWritesNothing()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(int, status);
    QFETCH(QString, field);

    // A live refresh token, so a body that slipped through would rotate it.
    const QJsonObject tokens =
        m_fixture->login(QStringLiteral("alpha"), QStringLiteral("walt"), Password);
    QVERIFY(!tokens.isEmpty());
    body.replace("@P@", Password.toUtf8());
    body.replace("@R@", refreshTokenOf(tokens));

    const qint64 before = writtenRows();
    const RawResponse response = m_fixture->request("POST", path, {}, body, contentType);
    QCOMPARE(response.status, status);
    QCOMPARE(response.header("content-type"),
             QByteArray("application/problem+json; charset=utf-8"));
    QCOMPARE(response.json().value(QStringLiteral("status")).toInt(), status);
    if (!field.isEmpty()) {
        QStringList fields;
        for (const QJsonValue &error : response.json().value(QStringLiteral("errors")).toArray())
            fields.append(error.toObject().value(QStringLiteral("field")).toString());
        QVERIFY2(fields.contains(field), qPrintable(fields.join(QLatin1Char(','))));
    }
    QVERIFY(!response.body.contains(Password.toUtf8()));
    QCOMPARE(writtenRows(), before);
}

QTEST_GUILESS_MAIN(TestAuth)
#include "tst_auth.moc"
