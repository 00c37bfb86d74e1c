#include "auth/jwt.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

#include <cstring>

#include <sodium.h>

using namespace hms;
using namespace hms::server;

class TestJwt : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void validTokenVerifies();
    void forgedOrInvalidTokenIsUnauthenticated_data();
    void forgedOrInvalidTokenIsUnauthenticated();
    void leewayIsAtMostSixtySeconds();
    void issuerAndAudienceAreConfigurable();
    void keyFileIsCreatedWithMode0600();
    void badKeyFileIsRefused_data();
    void badKeyFileIsRefused();
    void rotationKeepsOldTokensValid();

private:
    QString keyPath(const QString &name) const { return m_dir.filePath(name); }

    void writeKeyFile(const QString &path, const QByteArray &content, int mode) const;
    QJsonObject validClaims() const;
    /// A compact JWS over exactly these header and payload bytes, HMAC-SHA-256 with \a key.
    static QByteArray
    craft(const QByteArray &header, const QByteArray &payload, const QByteArray &key);
    QByteArray header(const QByteArray &alg = "HS256", const QByteArray &extra = {}) const;
    QByteArray craftClaims(const QJsonObject &claims) const;

    QTemporaryDir m_dir;
    std::optional<JwtKeyRing> m_ring;
    QByteArray m_kid;
    QByteArray m_secret;
    const qint64 m_now = 1700000000;
};

namespace {

constexpr auto Base64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

QByteArray b64(const QByteArray &bytes)
{
    return bytes.toBase64(Base64Url);
}

QByteArray hmac(const QByteArray &key, const QByteArray &message)
{
    crypto_auth_hmacsha256_state state;
    QByteArray mac(crypto_auth_hmacsha256_BYTES, Qt::Uninitialized);
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char *>(key.constData()),
                                std::size_t(key.size()));
    crypto_auth_hmacsha256_update(&state,
                                  reinterpret_cast<const unsigned char *>(message.constData()),
                                  std::size_t(message.size()));
    crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char *>(mac.data()));
    return mac;
}

QList<QByteArray> segments(const QByteArray &token)
{
    return token.split('.');
}

/// Signs header.payload again after a segment was changed, so only the change is wrong.
QByteArray
resign(const QByteArray &headerSegment, const QByteArray &payloadSegment, const QByteArray &key)
{
    const QByteArray input = headerSegment + '.' + payloadSegment;
    return input + '.' + b64(hmac(key, input));
}

} // namespace

void TestJwt::initTestCase()
{
    QVERIFY(m_dir.isValid());
    Result<JwtKeyRing> ring = JwtKeyRing::loadOrCreate(keyPath(QStringLiteral("jwt.key")));
    QVERIFY2(ring, qPrintable(ring ? QString() : ring.problem().detail));
    m_ring.emplace(std::move(ring).value());
    QFile file(keyPath(QStringLiteral("jwt.key")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> parts = file.readAll().trimmed().split(':');
    QCOMPARE(parts.size(), 2);
    m_kid = parts.at(0);
    m_secret = QByteArray::fromBase64(parts.at(1), QByteArray::Base64UrlEncoding);
    QCOMPARE(m_secret.size(), 32);
}

void TestJwt::writeKeyFile(const QString &path, const QByteArray &content, int mode) const
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(content), content.size());
    file.close();
    QCOMPARE(::chmod(QFile::encodeName(path).constData(), mode_t(mode)), 0);
}

QJsonObject TestJwt::validClaims() const
{
    return QJsonObject{
        {QStringLiteral("iss"), QStringLiteral("hms")},
        {QStringLiteral("aud"), QStringLiteral("hms-api")},
        {QStringLiteral("sub"), QStringLiteral("17")},
        {QStringLiteral("hosp"), QStringLiteral("3")},
        {QStringLiteral("role"), QStringLiteral("nurse")},
        {QStringLiteral("sid"), QStringLiteral("sess-1")},
        {QStringLiteral("jti"), QStringLiteral("tok-1")},
        {QStringLiteral("iat"), m_now - 10},
        {QStringLiteral("nbf"), m_now - 10},
        {QStringLiteral("exp"), m_now + 890},
    };
}

QByteArray
TestJwt::craft(const QByteArray &header, const QByteArray &payload, const QByteArray &key)
{
    return resign(b64(header), b64(payload), key);
}

QByteArray TestJwt::header(const QByteArray &alg, const QByteArray &extra) const
{
    return "{\"alg\":\"" + alg + "\",\"typ\":\"at+jwt\",\"kid\":\"" + m_kid + '"' + extra + '}';
}

QByteArray TestJwt::craftClaims(const QJsonObject &claims) const
{
    return craft(header(), QJsonDocument(claims).toJson(QJsonDocument::Compact), m_secret);
}

void TestJwt::validTokenVerifies()
{
    AccessClaims claims =
        m_ring->newAccessClaims(QStringLiteral("17"), QStringLiteral("3"), QStringLiteral("nurse"),
                                QStringLiteral("sess-1"), m_now);
    QCOMPARE(claims.expiresAt - claims.issuedAt, qint64(15 * 60));
    QVERIFY(!claims.tokenId.isEmpty());
    const QByteArray token = m_ring->signAccessToken(claims);
    QVERIFY(token.size() < JwtKeyRing::MaxTokenBytes);
    QCOMPARE(QByteArray::fromBase64(segments(token).at(0), QByteArray::Base64UrlEncoding),
             header());

    const Result<AccessClaims> verified = m_ring->verifyAccessToken(token, m_now + 5);
    QVERIFY2(verified, qPrintable(verified ? QString() : verified.problem().detail));
    QCOMPARE(verified.value().subject, claims.subject);
    QCOMPARE(verified.value().hospital, claims.hospital);
    QCOMPARE(verified.value().role, claims.role);
    QCOMPARE(verified.value().sessionId, claims.sessionId);
    QCOMPARE(verified.value().tokenId, claims.tokenId);
    QCOMPARE(verified.value().issuedAt, claims.issuedAt);
    QCOMPARE(verified.value().notBefore, claims.notBefore);
    QCOMPARE(verified.value().expiresAt, claims.expiresAt);

    // The test's own crafting agrees with the implementation, so the forged rows below
    // fail for their one defect and not for a crafting mistake.
    QVERIFY(m_ring->verifyAccessToken(craftClaims(validClaims()), m_now));
    QVERIFY(m_ring->newAccessClaims({}, {}, {}, {}, m_now).tokenId != claims.tokenId);
}

void TestJwt::forgedOrInvalidTokenIsUnauthenticated_data()
{
    QTest::addColumn<QByteArray>("token");

    const QByteArray payload = QJsonDocument(validClaims()).toJson(QJsonDocument::Compact);
    const QByteArray valid = craft(header(), payload, m_secret);
    const QList<QByteArray> parts = segments(valid);

    // alg none / changed: signed with our key where a signature is kept, so only alg is wrong.
    QTest::newRow("alg-none-empty-signature")
        << QByteArray(b64(header("none")) + '.' + b64(payload) + '.');
    QTest::newRow("alg-None-empty-signature")
        << QByteArray(b64(header("None")) + '.' + b64(payload) + '.');
    QTest::newRow("alg-NONE-empty-signature")
        << QByteArray(b64(header("NONE")) + '.' + b64(payload) + '.');
    QTest::newRow("alg-none-kept-signature")
        << QByteArray(b64(header("none")) + '.' + b64(payload) + '.' + parts.at(2));
    QTest::newRow("alg-None-signed") << craft(header("None"), payload, m_secret);
    QTest::newRow("alg-NONE-signed") << craft(header("NONE"), payload, m_secret);
    QTest::newRow("alg-none-no-kid")
        << QByteArray(b64("{\"alg\":\"none\"}") + '.' + b64(payload) + '.');
    QTest::newRow("alg-HS512") << craft(header("HS512"), payload, m_secret);
    QTest::newRow("alg-RS256") << craft(header("RS256"), payload, m_secret);
    QTest::newRow("alg-EdDSA") << craft(header("EdDSA"), payload, m_secret);
    QTest::newRow("alg-hs256-lowercase") << craft(header("hs256"), payload, m_secret);
    QTest::newRow("alg-missing") << craft("{\"typ\":\"at+jwt\",\"kid\":\"" + m_kid + "\"}", payload,
                                          m_secret);

    // Signatures.
    QTest::newRow("signature-stripped") << QByteArray(parts.at(0) + '.' + parts.at(1) + '.');
    QTest::newRow("signature-flipped") << QByteArray(parts.at(0) + '.' + parts.at(1) + '.'
                                                     + b64(hmac(m_secret, "something else")));
    QTest::newRow("signature-truncated")
        << QByteArray(parts.at(0) + '.' + parts.at(1) + '.' + parts.at(2).left(40));
    QTest::newRow("signed-with-secret") << craft(header(), payload, "secret");
    QTest::newRow("signed-with-empty-key") << craft(header(), payload, QByteArray());
    QTest::newRow("signed-by-another-install-same-kid")
        << craft(header(), payload, QByteArray(32, '\x42'));
    {
        Result<JwtKeyRing> other = JwtKeyRing::loadOrCreate(keyPath(QStringLiteral("other.key")));
        QVERIFY(other);
        AccessClaims claims =
            other.value().newAccessClaims(QStringLiteral("17"), QStringLiteral("3"),
                                          QStringLiteral("admin"), QStringLiteral("sess-9"), m_now);
        QTest::newRow("signed-by-another-install") << other.value().signAccessToken(claims);
    }
    QTest::newRow("payload-changed-after-signing")
        << QByteArray(parts.at(0) + '.' + b64(QByteArray(payload).replace("\"nurse\"", "\"admin\""))
                      + '.' + parts.at(2));

    // kid.
    const QByteArray headerTail = "\",\"typ\":\"at+jwt\",\"kid\":";
    QTest::newRow("kid-unknown") << craft("{\"alg\":\"HS256" + headerTail + "\"deadbeef\"}",
                                          payload, m_secret);
    QTest::newRow("kid-path-traversal")
        << craft("{\"alg\":\"HS256" + headerTail + "\"../../../../dev/null\"}", payload, m_secret);
    QTest::newRow("kid-sql-injection")
        << craft("{\"alg\":\"HS256" + headerTail + "\"' OR 1=1 --\"}", payload, m_secret);
    QTest::newRow("kid-number") << craft("{\"alg\":\"HS256" + headerTail + "12345678}", payload,
                                         m_secret);
    QTest::newRow("kid-missing") << craft("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", payload,
                                          m_secret);

    // Header members we never issue.
    QTest::newRow("header-jku") << craft(header("HS256", ",\"jku\":\"https://evil.example/keys\""),
                                         payload, m_secret);
    QTest::newRow("header-x5u") << craft(header("HS256", ",\"x5u\":\"https://evil.example/cert\""),
                                         payload, m_secret);
    QTest::newRow("header-jwk") << craft(
        header("HS256", ",\"jwk\":{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}"), payload, m_secret);
    QTest::newRow("header-crit") << craft(header("HS256", ",\"crit\":[\"exp\"]"), payload,
                                          m_secret);
    QTest::newRow("header-duplicate-alg") << craft(
        "{\"alg\":\"none\",\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"" + m_kid + "\"}",
        payload, m_secret);
    QTest::newRow("typ-JWT") << craft(
        "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" + m_kid + "\"}", payload, m_secret);
    QTest::newRow("typ-missing") << craft("{\"alg\":\"HS256\",\"kid\":\"" + m_kid + "\"}", payload,
                                          m_secret);
    QTest::newRow("header-not-json") << craft("not json", payload, m_secret);

    // Time, beyond the 60 s leeway.
    auto with = [this](const QString &name, const QJsonValue &value) {
        QJsonObject claims = validClaims();
        if (value.isUndefined()) {
            claims.remove(name);
        } else {
            claims.insert(name, value);
        }
        return craftClaims(claims);
    };
    QTest::newRow("exp-past") << with(QStringLiteral("exp"), m_now - 61);
    QTest::newRow("exp-now-plus-leeway") << with(QStringLiteral("exp"), m_now - 60);
    QTest::newRow("nbf-future") << with(QStringLiteral("nbf"), m_now + 61);
    QTest::newRow("iat-future") << with(QStringLiteral("iat"), m_now + 61);
    QTest::newRow("exp-missing") << with(QStringLiteral("exp"), QJsonValue::Undefined);
    QTest::newRow("exp-string") << with(QStringLiteral("exp"), QStringLiteral("9999999999"));
    QTest::newRow("exp-fraction") << with(QStringLiteral("exp"), double(m_now) + 900.5);

    // Issuer, audience, required claims.
    QTest::newRow("iss-wrong") << with(QStringLiteral("iss"), QStringLiteral("evil"));
    QTest::newRow("iss-missing") << with(QStringLiteral("iss"), QJsonValue::Undefined);
    QTest::newRow("aud-wrong") << with(QStringLiteral("aud"), QStringLiteral("hms-admin"));
    QTest::newRow("aud-array") << with(QStringLiteral("aud"),
                                       QJsonArray{QStringLiteral("hms-api")});
    QTest::newRow("sub-missing") << with(QStringLiteral("sub"), QJsonValue::Undefined);
    QTest::newRow("hosp-missing") << with(QStringLiteral("hosp"), QJsonValue::Undefined);
    QTest::newRow("role-missing") << with(QStringLiteral("role"), QJsonValue::Undefined);
    QTest::newRow("sid-missing") << with(QStringLiteral("sid"), QJsonValue::Undefined);
    QTest::newRow("jti-missing") << with(QStringLiteral("jti"), QJsonValue::Undefined);
    QTest::newRow("sub-number") << with(QStringLiteral("sub"), 17);
    QTest::newRow("role-empty") << with(QStringLiteral("role"), QString());
    QTest::newRow("hosp-null") << with(QStringLiteral("hosp"), QJsonValue::Null);

    // Payload shape.
    QTest::newRow("duplicate-role-in-payload") << craft(
        header(),
        QByteArray(payload).replace("\"role\":\"nurse\"", "\"role\":\"nurse\",\"role\":\"admin\""),
        m_secret);
    QTest::newRow("duplicate-role-escaped-in-payload")
        << craft(header(),
                 QByteArray(payload).replace("\"role\":\"nurse\"",
                                             "\"role\":\"nurse\",\"r\\u006fle\":\"admin\""),
                 m_secret);
    QTest::newRow("payload-not-json") << craft(header(), "this is not json", m_secret);
    QTest::newRow("payload-json-array") << craft(header(), "[" + payload + "]", m_secret);
    QTest::newRow("payload-trailing-garbage") << craft(header(), payload + "x", m_secret);

    // Size and encoding.
    QTest::newRow("16-KiB-token") << with(QStringLiteral("pad"),
                                          QString(16LL * 1024, QLatin1Char('x')));
    QTest::newRow("4-KiB-plus-one-token")
        << with(QStringLiteral("pad"), QString(4096, QLatin1Char('x')));
    QTest::newRow("padding-in-signature") << QByteArray(valid + "=");
    {
        // Pad the first segment whose length is not a multiple of 4, and sign that text.
        QByteArray h = parts.at(0);
        QByteArray p = parts.at(1);
        QByteArray &target = h.size() % 4 != 0 ? h : p;
        QVERIFY(target.size() % 4 != 0);
        target.append(QByteArray(4 - target.size() % 4, '='));
        QTest::newRow("padding-in-header-or-payload") << resign(h, p, m_secret);
    }
    QTest::newRow("whitespace-in-payload")
        << resign(parts.at(0), parts.at(1).left(10) + ' ' + parts.at(1).mid(10), m_secret);
    QTest::newRow("newline-in-payload")
        << resign(parts.at(0), parts.at(1).left(10) + '\n' + parts.at(1).mid(10), m_secret);
    QTest::newRow("standard-base64-alphabet") << resign(
        parts.at(0), QByteArray(parts.at(1)).replace('-', '+').replace('_', '/') + "+/", m_secret);
    {
        // 43 characters carry 258 bits for 256: set an unused trailing bit. A lenient decoder
        // yields the same 32 bytes; a strict one refuses.
        static const char alphabet[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        QByteArray signature = parts.at(2);
        const qsizetype index = std::strchr(alphabet, signature.back()) - alphabet;
        signature.back() = alphabet[index | 1];
        QTest::newRow("signature-non-canonical-base64")
            << QByteArray(parts.at(0) + '.' + parts.at(1) + '.' + signature);
    }
    QTest::newRow("invalid-character") << QByteArray(valid).insert(5, '*');
    QTest::newRow("two-segments") << QByteArray(parts.at(0) + '.' + parts.at(1));
    QTest::newRow("four-segments") << QByteArray(valid + '.' + parts.at(2));
    QTest::newRow("one-segment") << parts.at(0);
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("dots-only") << QByteArray("..");
    QTest::newRow("bearer-prefix-left-in") << QByteArray("Bearer " + valid);
}

void TestJwt::forgedOrInvalidTokenIsUnauthenticated()
{
    QFETCH(QByteArray, token);
    const Result<AccessClaims> result = m_ring->verifyAccessToken(token, m_now);
    QVERIFY2(!result, "forged token accepted");
    const Problem &problem = result.problem();
    QCOMPARE(problem.status, 401);
    QCOMPARE(problem.type, QLatin1String(problems::Unauthenticated.slug));
    QVERIFY(!problem.detail.isEmpty());
    // The detail may be logged: it names the reason, never the token or a segment of it.
    for (const QByteArray &segment : token.split('.')) {
        if (segment.size() >= 8) {
            QVERIFY2(!problem.detail.contains(QString::fromLatin1(segment)),
                     qPrintable(problem.detail));
        }
    }
}

void TestJwt::leewayIsAtMostSixtySeconds()
{
    QJsonObject claims = validClaims();
    claims.insert(QStringLiteral("exp"), m_now - 59);
    claims.insert(QStringLiteral("nbf"), m_now + 59);
    claims.insert(QStringLiteral("iat"), m_now + 59);
    const QByteArray token = craftClaims(claims);
    QVERIFY(m_ring->verifyAccessToken(token, m_now));

    JwtKeyRing lenient = *m_ring;
    JwtSettings settings = lenient.settings();
    settings.leewaySecs = 3600;
    lenient.setSettings(settings);
    QCOMPARE(lenient.settings().leewaySecs, qint64(60));
    QVERIFY(!lenient.verifyAccessToken(token, m_now + 2));
}

void TestJwt::issuerAndAudienceAreConfigurable()
{
    JwtKeyRing other = *m_ring;
    JwtSettings settings;
    settings.issuer = QStringLiteral("hms-north");
    settings.audience = QStringLiteral("hms-north-api");
    other.setSettings(settings);

    const AccessClaims claims =
        other.newAccessClaims(QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("doctor"),
                              QStringLiteral("s"), m_now);
    const QByteArray token = other.signAccessToken(claims);
    QVERIFY(other.verifyAccessToken(token, m_now));
    QVERIFY(!m_ring->verifyAccessToken(token, m_now));
    QVERIFY(!other.verifyAccessToken(m_ring->signAccessToken(claims), m_now));
}

void TestJwt::keyFileIsCreatedWithMode0600()
{
    const QString path = keyPath(QStringLiteral("created.key"));
    QVERIFY(!QFile::exists(path));
    const Result<JwtKeyRing> created = JwtKeyRing::loadOrCreate(path);
    QVERIFY(created);

    struct stat info = {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
    QCOMPARE(int(info.st_mode & 07777), 0600);

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString content = QString::fromLatin1(file.readAll());
    static const QRegularExpression line(QStringLiteral("^[0-9a-f]{8}:[A-Za-z0-9_-]{43}\n$"));
    QVERIFY2(line.match(content).hasMatch(), "unexpected key file format");
    QCOMPARE(created.value().signingKeyId(), content.left(8));

    const Result<JwtKeyRing> loaded = JwtKeyRing::loadOrCreate(path);
    QVERIFY(loaded);
    QCOMPARE(loaded.value().keyIds(), created.value().keyIds());
}

void TestJwt::badKeyFileIsRefused_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("reason");

    const QByteArray key32 = b64(QByteArray(32, '\x07'));
    const QByteArray good = "a1b2c3d4:" + key32 + '\n';
    QTest::newRow("mode-0644") << good << 0644 << QStringLiteral("group or others");
    QTest::newRow("mode-0640") << good << 0640 << QStringLiteral("group or others");
    QTest::newRow("mode-0604") << good << 0604 << QStringLiteral("group or others");
    QTest::newRow("mode-0620") << good << 0620 << QStringLiteral("group or others");
    QTest::newRow("key-31-bytes") << QByteArray("a1b2c3d4:" + b64(QByteArray(31, '\x07')) + '\n')
                                  << 0600 << QStringLiteral("shorter than 32");
    QTest::newRow("short-second-key")
        << QByteArray(good + "e5f6a7b8:" + b64(QByteArray(16, '\x07')) + '\n') << 0600
        << QStringLiteral("shorter than 32");
    QTest::newRow("key-padded") << QByteArray("a1b2c3d4:" + key32 + "=\n") << 0600
                                << QStringLiteral("base64url");
    QTest::newRow("key-standard-base64")
        << QByteArray("a1b2c3d4:" + QByteArray(32, '\xfb').toBase64() + '\n') << 0600
        << QStringLiteral("base64url");
    QTest::newRow("no-colon") << QByteArray(key32 + '\n') << 0600 << QStringLiteral("kid:");
    QTest::newRow("kid-with-slash")
        << QByteArray("../x:" + key32 + '\n') << 0600 << QStringLiteral("kid:");
    QTest::newRow("duplicate-kid")
        << QByteArray(good + good) << 0600 << QStringLiteral("repeats a kid");
    QTest::newRow("empty-file") << QByteArray() << 0600 << QStringLiteral("no key");
    QTest::newRow("comments-only")
        << QByteArray("# no keys yet\n\n") << 0600 << QStringLiteral("no key");
}

void TestJwt::badKeyFileIsRefused()
{
    QFETCH(QByteArray, content);
    QFETCH(int, mode);
    QFETCH(QString, reason);

    const QString path =
        keyPath(QStringLiteral("bad-%1.key").arg(QString::fromLatin1(QTest::currentDataTag())));
    writeKeyFile(path, content, mode);
    const Result<JwtKeyRing> ring = JwtKeyRing::loadOrCreate(path);
    QVERIFY(!ring);
    QCOMPARE(ring.problem().status, 500);
    QVERIFY2(ring.problem().detail.contains(reason), qPrintable(ring.problem().detail));
    QVERIFY(!ring.problem().detail.contains(QString::fromLatin1(b64(QByteArray(32, '\x07')))));
}

void TestJwt::rotationKeepsOldTokensValid()
{
    const QString path = keyPath(QStringLiteral("rotating.key"));
    const QByteArray oldLine = "0ld0ld00:" + b64(QByteArray(32, '\x01')) + '\n';
    writeKeyFile(path, oldLine, 0600);
    const Result<JwtKeyRing> before = JwtKeyRing::loadOrCreate(path);
    QVERIFY(before);
    const AccessClaims claims =
        before.value().newAccessClaims(QStringLiteral("5"), QStringLiteral("1"),
                                       QStringLiteral("lab"), QStringLiteral("s5"), m_now);
    const QByteArray oldToken = before.value().signAccessToken(claims);

    // Rotate: a new first line signs from now on; the old line keeps verifying.
    writeKeyFile(path, "n3wn3w00:" + b64(QByteArray(48, '\x02')) + '\n' + oldLine, 0600);
    const Result<JwtKeyRing> after = JwtKeyRing::loadOrCreate(path);
    QVERIFY(after);
    QCOMPARE(after.value().signingKeyId(), QStringLiteral("n3wn3w00"));
    QCOMPARE(after.value().keyIds(),
             (QList<QString>{QStringLiteral("n3wn3w00"), QStringLiteral("0ld0ld00")}));
    QVERIFY(after.value().verifyAccessToken(oldToken, m_now + 60));
    const QByteArray newToken = after.value().signAccessToken(claims);
    QVERIFY(after.value().verifyAccessToken(newToken, m_now + 60));
    QVERIFY(!before.value().verifyAccessToken(newToken, m_now + 60)); // unknown to the old ring

    // Old key retired after a token lifetime: its tokens stop verifying.
    writeKeyFile(path, "n3wn3w00:" + b64(QByteArray(48, '\x02')) + '\n', 0600);
    const Result<JwtKeyRing> retired = JwtKeyRing::loadOrCreate(path);
    QVERIFY(retired);
    QVERIFY(!retired.value().verifyAccessToken(oldToken, m_now + 60));
}

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"
