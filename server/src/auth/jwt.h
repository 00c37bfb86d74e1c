#pragma once

#include "shared/core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

namespace hms::server {

/// The claims of an access token (SECURITY.md "Tokens and sessions", RFC 9068).
struct AccessClaims
{
    QString subject; ///< `sub`: user id
    QString hospital; ///< `hosp`: hospital id
    QString role; ///< `role`
    QString sessionId; ///< `sid`: checked against the session table on every request
    QString tokenId; ///< `jti`
    qint64 issuedAt = 0; ///< `iat`, seconds since the epoch
    qint64 notBefore = 0; ///< `nbf`
    qint64 expiresAt = 0; ///< `exp`
};

/// What every token of this install carries and how verification treats time.
struct JwtSettings
{
    QString issuer = QStringLiteral("hms"); ///< `iss`, issued and required
    QString audience = QStringLiteral("hms-api"); ///< `aud` (a string), issued and required
    qint64 lifetimeSecs = 15LL * 60; ///< of tokens made by newAccessClaims()
    qint64 leewaySecs = 60; ///< clock skew allowed; capped at 60
};

/// The HS256 keys of this install, and signing and verifying access tokens with them.
///
/// The key file holds lines `kid:base64url(key)`: the first line signs, every line verifies.
/// Rotate by adding a new first line and keeping the old one for at least one token lifetime.
/// A token is accepted only in the exact shape we issue (RFC 8725): header members `alg`
/// "HS256", `typ` "at+jwt" and `kid` of one of our keys, nothing else; the header's `alg`
/// never chooses anything. Immutable after loading, so safe to share between threads.
class JwtKeyRing
{
public:
    /// Largest token accepted, in bytes.
    static constexpr qsizetype MaxTokenBytes = 4096;
    /// Shortest key accepted, in bytes (RFC 8725 §3.5, SECURITY.md X4).
    static constexpr qsizetype MinKeyBytes = 32;

    /// Loads the key file at \a path or, when it does not exist, creates it with mode 0600
    /// and one random 32-byte key with a random 8-hex-digit kid. Refuses a file that group
    /// or others may access, a malformed line, a duplicate kid or a key shorter than
    /// MinKeyBytes. The Problem (500) carries a one-line reason that names no key material.
    static Result<JwtKeyRing> loadOrCreate(const QString &path);

    const JwtSettings &settings() const { return m_settings; }

    /// Leeway above 60 s is lowered to 60 s.
    void setSettings(const JwtSettings &settings);

    /// The kid of the signing key (the file's first line).
    QString signingKeyId() const;
    QList<QString> keyIds() const;

    /// Claims for a new token: a random `jti`, `iat` = `nbf` = \a nowSecs and
    /// `exp` = \a nowSecs + lifetime.
    AccessClaims newAccessClaims(const QString &subject,
                                 const QString &hospital,
                                 const QString &role,
                                 const QString &sessionId,
                                 qint64 nowSecs) const;

    /// The compact JWS of \a claims with the configured `iss` and `aud`, signed by the
    /// signing key.
    QByteArray signAccessToken(const AccessClaims &claims) const;

    /// Checks, in order: size, three strict base64url segments (no padding, whitespace or
    /// other characters), the header shape, the signature (constant time), then the claims:
    /// `exp`, `nbf` and `iat` against \a nowSecs with the leeway, `iss` and `aud`, and
    /// `sub`, `hosp`, `role`, `sid`, `jti` as non-empty strings. Duplicate keys in header or
    /// payload are refused. Any failure is a 401 problems::Unauthenticated whose detail
    /// names the reason but never contains the token.
    Result<AccessClaims> verifyAccessToken(QByteArrayView token, qint64 nowSecs) const;

    /// Encrypts a short secret so that any instance sharing this key file can open it
    /// (XSalsa20-Poly1305 under a key derived from the signing key); \a keyId receives the
    /// kid to open it with. The result is nonce + ciphertext.
    QByteArray seal(QByteArrayView secret, QString *keyId) const;

    /// The secret seal() made with key \a keyId, or nullopt when that key is gone or the
    /// bytes were altered.
    std::optional<QByteArray> open(const QString &keyId, QByteArrayView sealed) const;

private:
    struct Key
    {
        QString id;
        QByteArray secret;
    };

    JwtKeyRing() = default;
    const Key *findKey(const QString &keyId) const;

    QList<Key> m_keys; ///< never empty; the first signs
    JwtSettings m_settings;
};

} // namespace hms::server
