#pragma once

#include "audit/auditlog.h"
#include "shared/core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <pqxx/types>

#include <optional>
#include <vector>

namespace hms::server {

/// The Ed25519 keys (libsodium crypto_sign) that sign and verify audit checkpoints.
///
/// The key file holds lines `kid:base64url(key)` (unpadded), `#` comments and blank lines. A
/// key of 64 bytes is a secret key in libsodium's layout (seed || public key; the public key
/// is derived from it and must match); a key of 32 bytes is a public key only, so a copy of
/// the file for verifiers off the host can hold no secret (`hms-admin audit public-key`). The
/// first line signs; every line verifies. Rotate by adding a new first line and keeping the
/// old one, which still verifies the checkpoints it signed.
///
/// The file lives on the host, owned by the operator who runs `hms-admin audit checkpoint`,
/// mode 0600: the database and its roles never see a secret key, so whoever can write to the
/// database can insert checkpoint rows but cannot make a valid signature (SECURITY.md L3).
/// A file with a secret key that group or others may access is refused, as are malformed
/// lines and repeated kids. Move-only; secret keys are wiped when it is destroyed.
class AuditSigningKeys
{
public:
    /// Where the key file is when neither --key-file nor HMS_AUDIT_KEY_FILE says otherwise.
    static constexpr char DefaultPath[] = "/var/lib/hms/audit-signing.key";

    /// HMS_AUDIT_KEY_FILE when set and not empty, else DefaultPath.
    static QString defaultPath();

    /// Loads the key file at \a path or, when it does not exist, creates it with mode 0600
    /// and one fresh key pair with a random 8-hex-digit kid. The Problem carries a one-line
    /// reason that names the file but no key material.
    static Result<AuditSigningKeys> loadOrCreate(const QString &path);

    /// Loads the key file at \a path; never creates it.
    static Result<AuditSigningKeys> load(const QString &path);

    AuditSigningKeys(AuditSigningKeys &&other) noexcept = default;
    AuditSigningKeys &operator=(AuditSigningKeys &&other) noexcept; ///< wipes the keys it held
    AuditSigningKeys(const AuditSigningKeys &) = delete;
    AuditSigningKeys &operator=(const AuditSigningKeys &) = delete;
    ~AuditSigningKeys();

    /// True when the first line holds a secret key.
    bool canSign() const;

    /// The kid of the first line.
    QString signingKeyId() const;

    /// The 64-byte detached Ed25519 signature of \a message by the first key. Only when
    /// canSign().
    QByteArray sign(QByteArrayView message) const;

    enum class Check { Valid, UnknownKey, BadSignature };

    /// Checks \a signature over \a message with the public key named \a keyId.
    Check verify(const QString &keyId, QByteArrayView message, QByteArrayView signature) const;

    /// The public half of the file: one `kid:base64url(public key)` line per key.
    QByteArray publicKeyFile() const;

private:
    struct Key
    {
        QString id;
        QByteArray publicKey; ///< crypto_sign_PUBLICKEYBYTES
        QByteArray secretKey; ///< crypto_sign_SECRETKEYBYTES, or empty for a public-only line
    };

    AuditSigningKeys() = default;
    static Result<AuditSigningKeys> read(const QString &path, bool create);
    const Key *findKey(const QString &keyId) const;

    std::vector<Key> m_keys; ///< never empty once loaded; the first signs
};

/// One signed statement "hospital H's audit chain had row seq with this hash".
struct AuditCheckpoint
{
    qint64 hospitalId = 0;
    qint64 seq = 0;
    QByteArray hash; ///< 32 bytes, the hash of row seq
    QString signedAt; ///< UTC, `YYYY-MM-DDTHH:MM:SSZ`; informational, not signed
    QString keyId;
    QByteArray signature; ///< 64 bytes
};

/// Signed checkpoints of the audit hash chain (table audit_checkpoints, migration 0004).
///
/// The signed message is exactly 69 bytes:
///
///     "hms-audit-checkpoint" 0x00          21 bytes, a domain separator
///     hospital_id                           8 bytes, big-endian two's complement
///     seq                                   8 bytes, big-endian two's complement
///     hash                                 32 bytes, SHA-256 chain hash of row seq
///
/// Checkpoints are made by `hms-admin audit checkpoint` (cron or a systemd timer: every 1,000
/// rows or 10 minutes, SECURITY.md "Audit and TLS"), never by hms-server, whose database role
/// can insert rows here but has no key to sign them with.
class AuditCheckpoints
{
public:
    static constexpr qsizetype MessageBytes = 69;

    /// The bytes a checkpoint's signature covers (layout above). \a hash must be 32 bytes.
    static QByteArray signedMessage(qint64 hospitalId, qint64 seq, const QByteArray &hash);

    /// Signs the chain head of \a hospitalId as seen by \a tx (bound to that hospital) with
    /// the first key of \a keys and inserts the checkpoint. nullopt when the chain is empty
    /// or its head already has a checkpoint. The head is not verified here: verify the chain
    /// in the same REPEATABLE READ transaction first, or a tampered chain gets signed. Throws
    /// std::runtime_error when the head does not match its row or \a keys cannot sign.
    static std::optional<AuditCheckpoint>
    sign(pqxx::transaction_base &tx, qint64 hospitalId, const AuditSigningKeys &keys);

    /// Every checkpoint of \a hospitalId, in seq order.
    static QList<AuditCheckpoint> all(pqxx::transaction_base &tx, qint64 hospitalId);

    /// The checkpoint with the highest seq, if any.
    static std::optional<AuditCheckpoint> newest(pqxx::transaction_base &tx, qint64 hospitalId);

    /// Why \a checkpoint's signature does not hold under \a keys, or nullopt when it does.
    static std::optional<QString> checkSignature(const AuditCheckpoint &checkpoint,
                                                 const AuditSigningKeys &keys);

    /// The whole chain (AuditLog::verify), plus: every checkpoint in \a checkpoints carries a
    /// valid signature, the row at each checkpoint's seq has exactly the signed hash, and the
    /// chain reaches the newest checkpoint. \a keys may be null only when \a checkpoints is
    /// empty. A forged checkpoint is reported at its seq.
    static AuditLog::Verification verifyAll(pqxx::transaction_base &tx,
                                            qint64 hospitalId,
                                            const QList<AuditCheckpoint> &checkpoints,
                                            const AuditSigningKeys *keys);

    /// Incremental: checks \a newest's signature and that its row still has the signed
    /// hash, then walks only the rows after it (and the head). Rows before it were covered by
    /// the verification made when it was signed; run verifyAll() now and then as well.
    static AuditLog::Verification verifySince(pqxx::transaction_base &tx,
                                              qint64 hospitalId,
                                              const AuditCheckpoint &newest,
                                              const AuditSigningKeys &keys);
};

} // namespace hms::server
