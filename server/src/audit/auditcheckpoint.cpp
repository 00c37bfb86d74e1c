#include "audit/auditcheckpoint.h"

#include "common/keyfile.h"
#include "shared/protocol/problems.h"

#include <QFile>
#include <QMap>
#include <QtEndian>

#include <pqxx/result>
#include <pqxx/transaction_base>
#include <sys/stat.h>

#include <algorithm>
#include <stdexcept>

#include <sodium.h>
#include <unistd.h>

namespace hms::server {

namespace {

constexpr qsizetype HashBytes = 32;
constexpr char Domain[] = "hms-audit-checkpoint"; // followed by its terminating 0x00 byte

// Fixed SQL only (no concatenation). The signing time is text for people; it is not signed.
constexpr char SelectCheckpoints[] =
    R"(SELECT seq, encode(hash, 'hex'), to_char(signed_at AT TIME ZONE 'UTC', )"
    R"('YYYY-MM-DD"T"HH24:MI:SS"Z"'), key_id, encode(signature, 'hex') )"
    R"(FROM audit_checkpoints WHERE hospital_id = $1 ORDER BY seq)";
constexpr char SelectNewestCheckpoint[] =
    R"(SELECT seq, encode(hash, 'hex'), to_char(signed_at AT TIME ZONE 'UTC', )"
    R"('YYYY-MM-DD"T"HH24:MI:SS"Z"'), key_id, encode(signature, 'hex') )"
    R"(FROM audit_checkpoints WHERE hospital_id = $1 ORDER BY seq DESC LIMIT 1)";
constexpr char InsertCheckpoint[] =
    R"(INSERT INTO audit_checkpoints (hospital_id, seq, hash, key_id, signature) )"
    R"(VALUES ($1, $2, decode($3, 'hex'), $4, decode($5, 'hex')) )"
    R"(ON CONFLICT (hospital_id, seq) DO NOTHING )"
    R"(RETURNING to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))";

const unsigned char *bytesOf(QByteArrayView bytes)
{
    return reinterpret_cast<const unsigned char *>(bytes.data());
}

unsigned char *bytesOf(QByteArray &bytes)
{
    return reinterpret_cast<unsigned char *>(bytes.data());
}

AuditCheckpoint checkpointFrom(qint64 hospitalId, const pqxx::row &row)
{
    AuditCheckpoint checkpoint;
    checkpoint.hospitalId = hospitalId;
    checkpoint.seq = row[0].as<qint64>();
    checkpoint.hash = QByteArray::fromHex(row[1].c_str());
    checkpoint.signedAt = QString::fromLatin1(row[2].c_str());
    checkpoint.keyId = QString::fromUtf8(row[3].c_str());
    checkpoint.signature = QByteArray::fromHex(row[4].c_str());
    return checkpoint;
}

AuditLog::Verification forged(const AuditCheckpoint &checkpoint, const QString &why)
{
    AuditLog::Verification verification;
    verification.ok = false;
    verification.firstBrokenSeq = checkpoint.seq;
    verification.reason = QStringLiteral("the checkpoint at %1 %2").arg(checkpoint.seq).arg(why);
    return verification;
}

} // namespace

// --- AuditSigningKeys ---------------------------------------------------------------------------

QString AuditSigningKeys::defaultPath()
{
    const QString fromEnvironment = qEnvironmentVariable("HMS_AUDIT_KEY_FILE");
    return fromEnvironment.isEmpty() ? QString::fromLatin1(DefaultPath) : fromEnvironment;
}

Result<AuditSigningKeys> AuditSigningKeys::loadOrCreate(const QString &path)
{
    return read(path, true);
}

Result<AuditSigningKeys> AuditSigningKeys::load(const QString &path)
{
    return read(path, false);
}

AuditSigningKeys::~AuditSigningKeys()
{
    for (Key &key : m_keys)
        wipeBytes(key.secretKey);
}

AuditSigningKeys &AuditSigningKeys::operator=(AuditSigningKeys &&other) noexcept
{
    if (this != &other) {
        for (Key &key : m_keys)
            wipeBytes(key.secretKey);
        m_keys = std::move(other.m_keys);
        other.m_keys.clear();
    }
    return *this;
}

Result<AuditSigningKeys> AuditSigningKeys::read(const QString &path, bool create)
{
    const QString what = QStringLiteral("audit signing key file");
    std::function<QByteArray()> newLine;
    if (create) {
        newLine = [] {
            QByteArray publicKey(crypto_sign_PUBLICKEYBYTES, Qt::Uninitialized);
            QByteArray secretKey(crypto_sign_SECRETKEYBYTES, Qt::Uninitialized);
            crypto_sign_keypair(bytesOf(publicKey), bytesOf(secretKey));
            const QByteArray line = newKeyId() + ':' + encodeBase64Url(secretKey) + '\n';
            wipeBytes(secretKey);
            return line;
        };
    }
    Result<KeyFileContents> file = readKeyFile(path, what, newLine);
    if (!file)
        return file.problem();
    KeyFileContents contents = std::move(file).value();
    auto refuse = [&](const QString &reason) {
        return refuseKeyFile(contents, what, path, reason);
    };

    AuditSigningKeys keys;
    for (KeyFileEntry &entry : contents.entries) {
        Key key;
        key.id = entry.id;
        if (entry.key.size() == crypto_sign_SECRETKEYBYTES) {
            key.secretKey = std::move(entry.key);
            // The public half is derived; the stored one must agree with the seed.
            QByteArray seed(crypto_sign_SEEDBYTES, Qt::Uninitialized);
            QByteArray derivedSecret(crypto_sign_SECRETKEYBYTES, Qt::Uninitialized);
            key.publicKey = QByteArray(crypto_sign_PUBLICKEYBYTES, Qt::Uninitialized);
            crypto_sign_ed25519_sk_to_seed(bytesOf(seed), bytesOf(key.secretKey));
            crypto_sign_seed_keypair(bytesOf(key.publicKey), bytesOf(derivedSecret), bytesOf(seed));
            const bool consistent =
                sodium_memcmp(derivedSecret.constData(), key.secretKey.constData(),
                              crypto_sign_SECRETKEYBYTES)
                == 0;
            wipeBytes(seed);
            wipeBytes(derivedSecret);
            if (!consistent) {
                wipeBytes(key.secretKey);
                return refuse(QStringLiteral("key %1: the secret key is damaged (its public half "
                                             "does not match its seed)")
                                  .arg(entry.id));
            }
        } else if (entry.key.size() == crypto_sign_PUBLICKEYBYTES) {
            key.publicKey = std::move(entry.key);
        } else {
            return refuse(QStringLiteral("key %1 is neither a %2-byte Ed25519 secret key nor a "
                                         "%3-byte public key")
                              .arg(entry.id)
                              .arg(crypto_sign_SECRETKEYBYTES)
                              .arg(crypto_sign_PUBLICKEYBYTES));
        }
        keys.m_keys.push_back(std::move(key));
    }
    const bool holdsSecret =
        std::any_of(keys.m_keys.cbegin(), keys.m_keys.cend(), [](const Key &key) {
            return !key.secretKey.isEmpty();
        });
    if (holdsSecret && contents.othersMayAccess) {
        return keyFileProblem(what, path,
                              QStringLiteral("group or others may access it (mode %1); "
                                             "run chmod 600 on it")
                                  .arg(contents.mode, 4, 8, QLatin1Char('0')));
    }
    return Result<AuditSigningKeys>(std::move(keys));
}

bool AuditSigningKeys::canSign() const
{
    return !m_keys.empty() && !m_keys.front().secretKey.isEmpty();
}

QString AuditSigningKeys::signingKeyId() const
{
    return m_keys.empty() ? QString() : m_keys.front().id;
}

QByteArray AuditSigningKeys::sign(QByteArrayView message) const
{
    if (!canSign())
        throw std::runtime_error("the first audit signing key is not a secret key");
    QByteArray signature(crypto_sign_BYTES, Qt::Uninitialized);
    crypto_sign_detached(bytesOf(signature), nullptr, bytesOf(message),
                         static_cast<unsigned long long>(message.size()),
                         bytesOf(m_keys.front().secretKey));
    return signature;
}

AuditSigningKeys::Check AuditSigningKeys::verify(const QString &keyId,
                                                 QByteArrayView message,
                                                 QByteArrayView signature) const
{
    const Key *key = findKey(keyId);
    if (key == nullptr)
        return Check::UnknownKey;
    if (signature.size() != crypto_sign_BYTES)
        return Check::BadSignature;
    return crypto_sign_verify_detached(bytesOf(signature), bytesOf(message),
                                       static_cast<unsigned long long>(message.size()),
                                       bytesOf(key->publicKey))
            == 0
        ? Check::Valid
        : Check::BadSignature;
}

QByteArray AuditSigningKeys::publicKeyFile() const
{
    QByteArray file;
    for (const Key &key : m_keys)
        file += key.id.toLatin1() + ':' + encodeBase64Url(key.publicKey) + '\n';
    return file;
}

const AuditSigningKeys::Key *AuditSigningKeys::findKey(const QString &keyId) const
{
    const auto it = std::find_if(m_keys.cbegin(), m_keys.cend(), [&keyId](const Key &key) {
        return key.id == keyId;
    });
    return it == m_keys.cend() ? nullptr : &*it;
}

// --- AuditCheckpoints ---------------------------------------------------------------------------

QByteArray AuditCheckpoints::signedMessage(qint64 hospitalId, qint64 seq, const QByteArray &hash)
{
    if (hash.size() != HashBytes)
        throw std::invalid_argument("an audit chain hash has 32 bytes");
    QByteArray message(Domain, sizeof Domain); // with the terminating 0x00
    char number[8];
    qToBigEndian(hospitalId, number);
    message.append(number, 8);
    qToBigEndian(seq, number);
    message.append(number, 8);
    message.append(hash);
    Q_ASSERT(message.size() == MessageBytes);
    return message;
}

std::optional<AuditCheckpoint>
AuditCheckpoints::sign(pqxx::transaction_base &tx, qint64 hospitalId, const AuditSigningKeys &keys)
{
    if (!keys.canSign())
        throw std::runtime_error("the first audit signing key is not a secret key");
    const std::string hospital = std::to_string(hospitalId);
    const pqxx::result head = tx.exec_params(
        "SELECT h.seq, encode(h.hash, 'hex'), encode(l.hash, 'hex') FROM audit_heads h "
        "LEFT JOIN audit_log l ON l.hospital_id = h.hospital_id AND l.seq = h.seq "
        "WHERE h.hospital_id = $1",
        hospital);
    if (head.empty() || head[0][0].as<qint64>() == 0)
        return std::nullopt;
    if (head[0][2].is_null() || std::string_view(head[0][1].c_str()) != head[0][2].c_str())
        throw std::runtime_error("the audit head does not match its row");

    AuditCheckpoint checkpoint;
    checkpoint.hospitalId = hospitalId;
    checkpoint.seq = head[0][0].as<qint64>();
    checkpoint.hash = QByteArray::fromHex(head[0][1].c_str());
    checkpoint.keyId = keys.signingKeyId();
    checkpoint.signature = keys.sign(signedMessage(hospitalId, checkpoint.seq, checkpoint.hash));
    const pqxx::result inserted = tx.exec_params(
        InsertCheckpoint, hospital, checkpoint.seq, checkpoint.hash.toHex().toStdString(),
        checkpoint.keyId.toStdString(), checkpoint.signature.toHex().toStdString());
    if (inserted.empty())
        return std::nullopt; // this head is signed already
    checkpoint.signedAt = QString::fromLatin1(inserted[0][0].c_str());
    return checkpoint;
}

QList<AuditCheckpoint> AuditCheckpoints::all(pqxx::transaction_base &tx, qint64 hospitalId)
{
    QList<AuditCheckpoint> checkpoints;
    for (const pqxx::row &row : tx.exec_params(SelectCheckpoints, std::to_string(hospitalId)))
        checkpoints.append(checkpointFrom(hospitalId, row));
    return checkpoints;
}

std::optional<AuditCheckpoint> AuditCheckpoints::newest(pqxx::transaction_base &tx,
                                                        qint64 hospitalId)
{
    const pqxx::result rows = tx.exec_params(SelectNewestCheckpoint, std::to_string(hospitalId));
    if (rows.empty())
        return std::nullopt;
    return checkpointFrom(hospitalId, rows[0]);
}

std::optional<QString> AuditCheckpoints::checkSignature(const AuditCheckpoint &checkpoint,
                                                        const AuditSigningKeys &keys)
{
    if (checkpoint.hash.size() != HashBytes)
        return QStringLiteral("has a malformed hash");
    switch (keys.verify(checkpoint.keyId,
                        signedMessage(checkpoint.hospitalId, checkpoint.seq, checkpoint.hash),
                        checkpoint.signature)) {
    case AuditSigningKeys::Check::Valid:
        return std::nullopt;
    case AuditSigningKeys::Check::UnknownKey:
        return QStringLiteral("is signed by key %1, which is not in the key file")
            .arg(checkpoint.keyId);
    case AuditSigningKeys::Check::BadSignature:
        return QStringLiteral("has a signature that does not verify with key %1")
            .arg(checkpoint.keyId);
    }
    return QStringLiteral("has an unknown signature state");
}

AuditLog::Verification AuditCheckpoints::verifyAll(pqxx::transaction_base &tx,
                                                   qint64 hospitalId,
                                                   const QList<AuditCheckpoint> &checkpoints,
                                                   const AuditSigningKeys *keys)
{
    AuditLog::VerifyOptions options;
    for (const AuditCheckpoint &checkpoint : checkpoints) {
        if (keys == nullptr)
            throw std::invalid_argument("checkpoints need keys to be verified");
        if (const std::optional<QString> why = checkSignature(checkpoint, *keys))
            return forged(checkpoint, *why);
        options.anchors.insert(checkpoint.seq, checkpoint.hash);
    }
    return AuditLog::verify(tx, hospitalId, options);
}

AuditLog::Verification AuditCheckpoints::verifySince(pqxx::transaction_base &tx,
                                                     qint64 hospitalId,
                                                     const AuditCheckpoint &newest,
                                                     const AuditSigningKeys &keys)
{
    if (const std::optional<QString> why = checkSignature(newest, keys))
        return forged(newest, *why);
    AuditLog::VerifyOptions options;
    options.startAfterSeq = newest.seq;
    options.startAfterHash = newest.hash;
    options.anchors.insert(newest.seq, newest.hash);
    return AuditLog::verify(tx, hospitalId, options);
}

} // namespace hms::server
