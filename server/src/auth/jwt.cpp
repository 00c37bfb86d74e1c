#include "auth/jwt.h"

#include "common/keyfile.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include <sodium.h>
#include <unistd.h>

namespace hms::server {

namespace {

constexpr qint64 MaxLeewaySecs = 60;
constexpr qsizetype SignatureBytes = crypto_auth_hmacsha256_BYTES;
constexpr double MaxSafeInteger = 9007199254740991.0; // 2^53 - 1

constexpr char HeaderAlg[] = "HS256";
constexpr char HeaderTyp[] = "at+jwt";

namespace claim {
constexpr QLatin1StringView Issuer("iss");
constexpr QLatin1StringView Audience("aud");
constexpr QLatin1StringView Subject("sub");
constexpr QLatin1StringView Hospital("hosp");
constexpr QLatin1StringView Role("role");
constexpr QLatin1StringView SessionId("sid");
constexpr QLatin1StringView TokenId("jti");
constexpr QLatin1StringView IssuedAt("iat");
constexpr QLatin1StringView NotBefore("nbf");
constexpr QLatin1StringView Expires("exp");
} // namespace claim

constexpr auto Base64UrlOptions = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

Problem unauthenticated(const char *reason)
{
    return Problem::fromType(problems::Unauthenticated, QString::fromLatin1(reason));
}

/// Members of the top-level object of valid JSON \a json, counted in the text. QJsonDocument
/// keeps only the last of duplicate keys, so fewer parsed members than this means duplicates.
qsizetype topLevelMemberCount(QByteArrayView json)
{
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    bool hasMember = false;
    qsizetype commas = 0;
    for (const char c : json) {
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                inString = false;
            }
            continue;
        }
        switch (c) {
        case '"':
            inString = true;
            hasMember = hasMember || depth == 1;
            break;
        case '{':
        case '[':
            ++depth;
            break;
        case '}':
        case ']':
            --depth;
            break;
        case ',':
            if (depth == 1)
                ++commas;
            break;
        default:
            break;
        }
    }
    return hasMember ? commas + 1 : 0;
}

/// A JSON object without duplicate keys, or nullopt.
std::optional<QJsonObject> parseObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    QJsonObject object = document.object();
    if (topLevelMemberCount(json) != object.size())
        return std::nullopt;
    return object;
}

std::optional<qint64> integerClaim(const QJsonObject &claims, QLatin1StringView name)
{
    const QJsonValue value = claims.value(name);
    if (!value.isDouble())
        return std::nullopt;
    const double number = value.toDouble();
    if (std::trunc(number) != number || std::fabs(number) > MaxSafeInteger)
        return std::nullopt;
    return qint64(number);
}

bool isString(const QJsonValue &value, QAnyStringView expected)
{
    return value.isString() && QAnyStringView::equal(value.toString(), expected);
}

std::optional<QString> stringClaim(const QJsonObject &claims, QLatin1StringView name)
{
    const QJsonValue value = claims.value(name);
    if (!value.isString() || value.toString().isEmpty())
        return std::nullopt;
    return value.toString();
}

QByteArray hmacSha256(const QByteArray &key, QByteArrayView message)
{
    crypto_auth_hmacsha256_state state;
    QByteArray mac(SignatureBytes, Qt::Uninitialized);
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char *>(key.constData()),
                                std::size_t(key.size()));
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char *>(message.data()),
                                  std::size_t(message.size()));
    crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char *>(mac.data()));
    sodium_memzero(&state, sizeof state);
    return mac;
}

} // namespace

Result<JwtKeyRing> JwtKeyRing::loadOrCreate(const QString &path)
{
    Result<KeyFileContents> file =
        readSecretKeyFile(path, QStringLiteral("JWT key file"), MinKeyBytes, MinKeyBytes);
    if (!file)
        return file.problem();
    JwtKeyRing ring;
    for (KeyFileEntry &entry : std::move(file).value().entries)
        ring.m_keys.append({entry.id, std::move(entry.key)});
    return ring;
}

void JwtKeyRing::setSettings(const JwtSettings &settings)
{
    m_settings = settings;
    m_settings.leewaySecs = std::clamp<qint64>(settings.leewaySecs, 0, MaxLeewaySecs);
}

QString JwtKeyRing::signingKeyId() const
{
    return m_keys.constFirst().id;
}

QList<QString> JwtKeyRing::keyIds() const
{
    QList<QString> ids;
    for (const Key &key : m_keys)
        ids.append(key.id);
    return ids;
}

const JwtKeyRing::Key *JwtKeyRing::findKey(const QString &keyId) const
{
    const auto it = std::find_if(m_keys.cbegin(), m_keys.cend(), [&keyId](const Key &key) {
        return key.id == keyId;
    });
    return it == m_keys.cend() ? nullptr : &*it;
}

AccessClaims JwtKeyRing::newAccessClaims(const QString &subject,
                                         const QString &hospital,
                                         const QString &role,
                                         const QString &sessionId,
                                         qint64 nowSecs) const
{
    AccessClaims claims;
    claims.subject = subject;
    claims.hospital = hospital;
    claims.role = role;
    claims.sessionId = sessionId;
    claims.tokenId = QString::fromLatin1(encodeBase64Url(randomKeyBytes(16)));
    claims.issuedAt = nowSecs;
    claims.notBefore = nowSecs;
    claims.expiresAt = nowSecs + m_settings.lifetimeSecs;
    return claims;
}

QByteArray JwtKeyRing::signAccessToken(const AccessClaims &claims) const
{
    const Key &key = m_keys.constFirst();
    // Written by hand so the member order is fixed; the kid is base64url characters only.
    const QByteArray header = QByteArrayLiteral("{\"alg\":\"") + HeaderAlg
        + QByteArrayLiteral("\",\"typ\":\"") + HeaderTyp + QByteArrayLiteral("\",\"kid\":\"")
        + key.id.toLatin1() + QByteArrayLiteral("\"}");
    const QJsonObject payload{
        {claim::Issuer, m_settings.issuer},   {claim::Audience, m_settings.audience},
        {claim::Subject, claims.subject},     {claim::Hospital, claims.hospital},
        {claim::Role, claims.role},           {claim::SessionId, claims.sessionId},
        {claim::TokenId, claims.tokenId},     {claim::IssuedAt, claims.issuedAt},
        {claim::NotBefore, claims.notBefore}, {claim::Expires, claims.expiresAt},
    };
    const QByteArray signingInput = header.toBase64(Base64UrlOptions) + '.'
        + QJsonDocument(payload).toJson(QJsonDocument::Compact).toBase64(Base64UrlOptions);
    const QByteArray signature = hmacSha256(key.secret, signingInput);
    return signingInput + '.' + signature.toBase64(Base64UrlOptions);
}

Result<AccessClaims> JwtKeyRing::verifyAccessToken(QByteArrayView token, qint64 nowSecs) const
{
    if (token.size() > MaxTokenBytes)
        return unauthenticated("access token too large");
    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0)
        return unauthenticated("access token is not three dot-separated segments");
    const std::optional<QByteArray> headerJson = decodeBase64Url(token.first(firstDot));
    const std::optional<QByteArray> payloadJson =
        decodeBase64Url(token.sliced(firstDot + 1, secondDot - firstDot - 1));
    const std::optional<QByteArray> signature = decodeBase64Url(token.sliced(secondDot + 1));
    if (!headerJson || !payloadJson || !signature)
        return unauthenticated("access token segment is not unpadded base64url");

    // The header must be exactly what we issue; its alg selects nothing.
    const std::optional<QJsonObject> header = parseObject(*headerJson);
    if (!header)
        return unauthenticated("access token header is not a JSON object without duplicates");
    if (header->size() != 3
        || !isString(header->value(QLatin1StringView("alg")), QLatin1StringView(HeaderAlg))
        || !isString(header->value(QLatin1StringView("typ")), QLatin1StringView(HeaderTyp))) {
        return unauthenticated("access token header is not {alg: HS256, typ: at+jwt, kid}");
    }
    const QJsonValue keyId = header->value(QLatin1StringView("kid"));
    const Key *key = keyId.isString() ? findKey(keyId.toString()) : nullptr;
    if (key == nullptr)
        return unauthenticated("access token kid is not one of our keys");

    const QByteArray expected = hmacSha256(key->secret, token.first(secondDot));
    if (signature->size() != SignatureBytes
        || sodium_memcmp(signature->constData(), expected.constData(), SignatureBytes) != 0) {
        return unauthenticated("access token signature invalid");
    }

    const std::optional<QJsonObject> payload = parseObject(*payloadJson);
    if (!payload)
        return unauthenticated("access token payload is not a JSON object without duplicates");
    const std::optional<qint64> expiresAt = integerClaim(*payload, claim::Expires);
    const std::optional<qint64> notBefore = integerClaim(*payload, claim::NotBefore);
    const std::optional<qint64> issuedAt = integerClaim(*payload, claim::IssuedAt);
    if (!expiresAt || !notBefore || !issuedAt)
        return unauthenticated("access token exp, nbf or iat missing or not an integer");
    const qint64 leeway = m_settings.leewaySecs;
    if (nowSecs >= *expiresAt + leeway)
        return unauthenticated("access token expired");
    if (*notBefore > nowSecs + leeway)
        return unauthenticated("access token not yet valid (nbf)");
    if (*issuedAt > nowSecs + leeway)
        return unauthenticated("access token issued in the future (iat)");
    if (!isString(payload->value(claim::Issuer), m_settings.issuer))
        return unauthenticated("access token issuer (iss) is not ours");
    if (!isString(payload->value(claim::Audience), m_settings.audience))
        return unauthenticated("access token audience (aud) is not ours");

    AccessClaims claims;
    const std::optional<QString> subject = stringClaim(*payload, claim::Subject);
    const std::optional<QString> hospital = stringClaim(*payload, claim::Hospital);
    const std::optional<QString> role = stringClaim(*payload, claim::Role);
    const std::optional<QString> sessionId = stringClaim(*payload, claim::SessionId);
    const std::optional<QString> tokenId = stringClaim(*payload, claim::TokenId);
    if (!subject || !hospital || !role || !sessionId || !tokenId)
        return unauthenticated("access token sub, hosp, role, sid or jti missing or not a string");
    claims.subject = *subject;
    claims.hospital = *hospital;
    claims.role = *role;
    claims.sessionId = *sessionId;
    claims.tokenId = *tokenId;
    claims.issuedAt = *issuedAt;
    claims.notBefore = *notBefore;
    claims.expiresAt = *expiresAt;
    return claims;
}

namespace {

// A separate key per purpose: the sealing key never signs and the signing key never seals.
std::array<unsigned char, crypto_secretbox_KEYBYTES> sealingKeyOf(const QByteArray &secret)
{
    static constexpr char Label[] = "hms refresh successor seal v1";
    std::array<unsigned char, crypto_secretbox_KEYBYTES> key{};
    static_assert(crypto_secretbox_KEYBYTES == crypto_auth_hmacsha256_BYTES);
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char *>(secret.constData()),
                                std::size_t(secret.size()));
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char *>(Label),
                                  sizeof Label - 1);
    crypto_auth_hmacsha256_final(&state, key.data());
    sodium_memzero(&state, sizeof state);
    return key;
}

} // namespace

QByteArray JwtKeyRing::seal(QByteArrayView secret, QString *keyId) const
{
    const Key &signing = m_keys.constFirst();
    auto key = sealingKeyOf(signing.secret);
    QByteArray out(qsizetype(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
                       + secret.size(),
                   Qt::Uninitialized);
    auto *bytes = reinterpret_cast<unsigned char *>(out.data());
    randombytes_buf(bytes, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(bytes + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char *>(secret.data()),
                          std::size_t(secret.size()), bytes, key.data());
    sodium_memzero(key.data(), key.size());
    if (keyId)
        *keyId = signing.id;
    return out;
}

std::optional<QByteArray> JwtKeyRing::open(const QString &keyId, QByteArrayView sealed) const
{
    const Key *found = findKey(keyId);
    constexpr qsizetype Overhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
    if (!found || sealed.size() < Overhead)
        return std::nullopt;
    auto key = sealingKeyOf(found->secret);
    QByteArray secret(sealed.size() - Overhead, Qt::Uninitialized);
    const auto *bytes = reinterpret_cast<const unsigned char *>(sealed.data());
    const int status = crypto_secretbox_open_easy(
        reinterpret_cast<unsigned char *>(secret.data()), bytes + crypto_secretbox_NONCEBYTES,
        std::size_t(sealed.size() - crypto_secretbox_NONCEBYTES), bytes, key.data());
    sodium_memzero(key.data(), key.size());
    if (status != 0)
        return std::nullopt;
    return secret;
}

} // namespace hms::server
