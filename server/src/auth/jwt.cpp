#include "auth/jwt.h"

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
constexpr qsizetype MaxKeyFileBytes = 64LL * 1024;
constexpr qsizetype MaxKeyIdLength = 64;
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

Problem keyFileProblem(const QString &path, const QString &reason)
{
    return Problem::fromType(problems::InternalError,
                             QStringLiteral("JWT key file %1: %2").arg(path, reason));
}

bool isBase64UrlChar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
        || c == '_';
}

/// Strict base64url without padding: only the 64 URL-safe characters, and the canonical
/// encoding of what it decodes to (unused trailing bits zero).
std::optional<QByteArray> decodeBase64Url(QByteArrayView text)
{
    if (text.isEmpty() || text.size() % 4 == 1)
        return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), isBase64UrlChar))
        return std::nullopt;
    const QByteArray encoded = text.toByteArray();
    auto result = QByteArray::fromBase64Encoding(
        encoded, Base64UrlOptions | QByteArray::AbortOnBase64DecodingErrors);
    if (!result || result.decoded.toBase64(Base64UrlOptions) != encoded)
        return std::nullopt;
    return std::move(result.decoded);
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

QByteArray randomBytes(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    randombytes_buf(bytes.data(), std::size_t(size));
    return bytes;
}

bool isValidKeyId(QByteArrayView keyId)
{
    return !keyId.isEmpty() && keyId.size() <= MaxKeyIdLength
        && std::all_of(keyId.begin(), keyId.end(), isBase64UrlChar);
}

/// Creates the key file with mode 0600 and one fresh key. False when it exists already
/// (another process may have won the race) or cannot be written; \a error says which.
bool createKeyFile(const QString &path, QString &error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly,
                   QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        error = file.errorString();
        return false;
    }
    QByteArray secret = randomBytes(JwtKeyRing::MinKeyBytes);
    QByteArray line = randomBytes(4).toHex() + ':' + secret.toBase64(Base64UrlOptions) + '\n';
    const bool written =
        file.write(line) == line.size() && file.flush() && ::fsync(file.handle()) == 0;
    sodium_memzero(secret.data(), std::size_t(secret.size()));
    sodium_memzero(line.data(), std::size_t(line.size()));
    if (!written) {
        error = file.errorString();
        file.close();
        file.remove();
        return false;
    }
    return true;
}

} // namespace

Result<JwtKeyRing> JwtKeyRing::loadOrCreate(const QString &path)
{
    if (sodium_init() < 0)
        return keyFileProblem(path, QStringLiteral("libsodium could not be initialised"));

    const QByteArray nativePath = QFile::encodeName(path);
    struct stat info = {};
    if (::stat(nativePath.constData(), &info) != 0) {
        QString error;
        if (!createKeyFile(path, error) && ::stat(nativePath.constData(), &info) != 0)
            return keyFileProblem(path, QStringLiteral("cannot create it: %1").arg(error));
        if (::stat(nativePath.constData(), &info) != 0)
            return keyFileProblem(path, QStringLiteral("vanished after it was created"));
    }
    if (!S_ISREG(info.st_mode))
        return keyFileProblem(path, QStringLiteral("not a regular file"));
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return keyFileProblem(path,
                              QStringLiteral("group or others may access it (mode %1); "
                                             "run chmod 600 on it")
                                  .arg(info.st_mode & 07777, 4, 8, QLatin1Char('0')));
    }

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return keyFileProblem(path, QStringLiteral("cannot read it: %1").arg(file.errorString()));
    QByteArray content = file.read(MaxKeyFileBytes + 1);
    file.close();
    if (content.size() > MaxKeyFileBytes)
        return keyFileProblem(path, QStringLiteral("larger than 64 KiB"));

    JwtKeyRing ring;
    std::optional<Problem> problem;
    int lineNumber = 0;
    for (qsizetype start = 0; start < content.size();) {
        qsizetype end = content.indexOf('\n', start);
        if (end < 0)
            end = content.size();
        const QByteArrayView rawLine = QByteArrayView(content).sliced(start, end - start);
        start = end + 1;
        ++lineNumber;
        const QByteArrayView line = rawLine.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype colon = line.indexOf(':');
        const QByteArrayView keyId = colon < 0 ? QByteArrayView() : line.first(colon);
        if (!isValidKeyId(keyId)) {
            problem = keyFileProblem(
                path,
                QStringLiteral("line %1 is not kid:base64url-key (kid of A-Z a-z 0-9 - _, "
                               "at most 64)")
                    .arg(lineNumber));
            break;
        }
        std::optional<QByteArray> secret = decodeBase64Url(line.sliced(colon + 1));
        if (!secret) {
            problem = keyFileProblem(
                path, QStringLiteral("line %1: the key is not unpadded base64url").arg(lineNumber));
            break;
        }
        if (secret->size() < MinKeyBytes) {
            sodium_memzero(secret->data(), std::size_t(secret->size()));
            problem = keyFileProblem(path,
                                     QStringLiteral("line %1: the key is shorter than %2 bytes")
                                         .arg(lineNumber)
                                         .arg(MinKeyBytes));
            break;
        }
        const QString id = QString::fromLatin1(keyId);
        if (ring.findKey(id) != nullptr) {
            problem = keyFileProblem(path, QStringLiteral("line %1 repeats a kid").arg(lineNumber));
            break;
        }
        ring.m_keys.append({id, std::move(*secret)});
    }
    sodium_memzero(content.data(), std::size_t(content.size()));
    if (problem)
        return *problem;
    if (ring.m_keys.isEmpty())
        return keyFileProblem(path, QStringLiteral("holds no key"));
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
    claims.tokenId = QString::fromLatin1(randomBytes(16).toBase64(Base64UrlOptions));
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

} // namespace hms::server
