#include "audit/auditlog.h"

#include "db/pgvalues.h"
#include "db/prepared.h"
#include "db/sql.h"
#include "db/tenant.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QStringList>
#include <QtEndian>

#include <pqxx/result>
#include <pqxx/transaction>
#include <pqxx/transaction_base>

#include <algorithm>
#include <utility>

namespace hms::server {

namespace {

constexpr int HashBytes = 32;
constexpr int VerifyBatchRows = 5000;

// The audit time as text, exactly as it is hashed: UTC, microseconds, 'Z' (of now() for a new
// row, of the stored `at` when verifying).

void addField(QByteArray &out, const std::optional<QByteArray> &value)
{
    if (!value) {
        out.append('\0');
        return;
    }
    out.append('\1');
    char length[4];
    qToBigEndian(quint32(value->size()), length);
    out.append(length, 4);
    out.append(*value);
}

// Empty and absent are the same for the audit log: both are stored as NULL.
std::optional<QByteArray> text(const QString &value)
{
    if (value.isEmpty())
        return std::nullopt;
    return value.toUtf8();
}

std::optional<QByteArray> number(const std::optional<qint64> &value)
{
    if (!value)
        return std::nullopt;
    return QByteArray::number(*value);
}

std::optional<std::string> optionalText(const QString &value)
{
    if (value.isEmpty())
        return std::nullopt;
    return value.toStdString();
}

std::optional<std::string> optionalNumber(const std::optional<qint64> &value)
{
    if (!value)
        return std::nullopt;
    return std::to_string(*value);
}

constexpr int SealBatchRows = 1000;

thread_local std::vector<qint64> t_appendedHospitals;

} // namespace

// details as PostgreSQL prints jsonb (its own normal form), so writer and verifier agree.
QByteArray AuditLog::canonicalRow(const AuditEntry &entry,
                                  qint64 seq,
                                  const QString &at,
                                  const QByteArray &detailsText)
{
    QByteArray out;
    addField(out, QByteArray::number(entry.hospitalId));
    addField(out, QByteArray::number(seq));
    addField(out, at.toUtf8());
    addField(out, number(entry.actorUserId));
    addField(out, text(entry.actorRole));
    addField(out, text(entry.action));
    addField(out, text(entry.entity));
    addField(out, text(entry.entityId));
    addField(out, number(entry.patientId));
    addField(out, text(entry.category));
    addField(out, text(entry.outcome));
    addField(out, text(entry.requestId));
    addField(out, text(entry.clientAddress));
    addField(out, detailsText);
    return out;
}

QByteArray AuditLog::chainHash(const QByteArray &previousHash, const QByteArray &canonical)
{
    QCryptographicHash sha(QCryptographicHash::Sha256);
    sha.addData(previousHash);
    sha.addData(canonical);
    return sha.result();
}

AuditEntry AuditLog::entryFromRow(qint64 hospitalId, const pqxx::row &row)
{
    AuditEntry entry;
    entry.hospitalId = hospitalId;
    entry.actorUserId = optionalId(row[2]);
    entry.actorRole = fieldText(row[3]);
    entry.action = fieldText(row[4]);
    entry.entity = fieldText(row[5]);
    entry.entityId = fieldText(row[6]);
    entry.patientId = optionalId(row[7]);
    entry.category = fieldText(row[8]);
    entry.outcome = fieldText(row[9]);
    entry.requestId = fieldText(row[10]);
    entry.clientAddress = fieldText(row[11]);
    return entry;
}

QByteArray AuditLog::canonicalRowOf(qint64 hospitalId, qint64 seq, const pqxx::row &row)
{
    return canonicalRow(entryFromRow(hospitalId, row), seq, QString::fromLatin1(row[1].c_str()),
                        QByteArray(row[12].c_str()));
}

AuditEntry AuditEntry::forActor(const Principal &actor,
                                const ClientInfo &client,
                                const QString &category,
                                const QString &action,
                                const QString &entity,
                                const QString &entityId)
{
    AuditEntry entry;
    entry.hospitalId = actor.hospitalId;
    entry.actorUserId = actor.userId;
    entry.actorRole = roleName(actor.role);
    entry.action = action;
    entry.entity = entity;
    entry.entityId = entityId;
    entry.category = category;
    entry.requestId = client.requestId;
    entry.clientAddress = client.address;
    return entry;
}

void AuditLog::append(pqxx::transaction_base &tx, const AuditEntry &entry)
{
    // Every audited request sends this: prepared once per connection (db/prepared.h).
    execPrepared(
        tx, "hms_audit_append",
        "INSERT INTO audit_log (hospital_id, at, actor_user_id, actor_role, action, entity, "
        "entity_id, patient_id, category, outcome, request_id, client_address, details) "
        "VALUES ($1, now(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb)",
        entry.hospitalId, optionalNumber(entry.actorUserId), optionalText(entry.actorRole),
        entry.action.toStdString(), optionalText(entry.entity), optionalText(entry.entityId),
        optionalNumber(entry.patientId), entry.category.toStdString(), entry.outcome.toStdString(),
        optionalText(entry.requestId), optionalText(entry.clientAddress),
        QJsonDocument(entry.details).toJson(QJsonDocument::Compact).toStdString());
    if (std::find(t_appendedHospitals.begin(), t_appendedHospitals.end(), entry.hospitalId)
        == t_appendedHospitals.end())
        t_appendedHospitals.push_back(entry.hospitalId);
}

std::vector<qint64> AuditLog::takeAppended()
{
    return std::exchange(t_appendedHospitals, {});
}

qint64 AuditLog::seal(pqxx::connection_base &connection, qint64 hospitalId)
{
    qint64 sealed = 0;
    for (;;) {
        pqxx::work tx(connection);
        enterTenant(tx, hospitalId);
        // Nothing pending (the common case for a sweep): no head lock, no WAL, no flush.
        // The seal commits without waiting for its WAL flush (synchronous_commit off for this
        // transaction only): the rows it seals are already durable, their commit was
        // synchronous, and a seal lost in a PostgreSQL crash leaves them pending, to be sealed
        // again by the next sweep (hms-server sweeps at start and every second). Anything that
        // commits durably after reading the seal (a signed checkpoint) comes later in the WAL,
        // so its flush carries the seal too. Replies wait for the seal: this takes one WAL
        // flush off every audited request's latency.
        // Its statements run once per sealing round of every audited request: prepared.
        if (!execPrepared(tx, "hms_audit_pending",
                          "SELECT EXISTS (SELECT 1 FROM audit_log WHERE hospital_id = $1 "
                          "AND seq IS NULL), set_config('synchronous_commit', 'off', true)",
                          hospitalId)[0][0]
                 .as<bool>())
            return sealed;
        // Locking the head serialises sealers (other threads, other hms-server processes,
        // hms-admin): one chain, no forks (SECURITY.md L4). A hospital's first seal creates
        // the head (concurrent first sealers: one inserts, the others wait on its lock).
        const auto lockHead = [&tx, hospitalId] {
            return execPrepared(tx, "hms_audit_head_lock",
                                "SELECT seq, encode(hash, 'hex') FROM audit_heads "
                                "WHERE hospital_id = $1 FOR UPDATE",
                                hospitalId);
        };
        pqxx::result headRows = lockHead();
        if (headRows.empty()) {
            execPrepared(tx, "hms_audit_head",
                         "INSERT INTO audit_heads (hospital_id, seq, hash) "
                         "VALUES ($1, 0, decode(repeat('00', 32), 'hex')) "
                         "ON CONFLICT (hospital_id) DO NOTHING",
                         hospitalId);
            headRows = lockHead();
        }
        const pqxx::row head = headRows[0];
        const pqxx::result rows =
            execPrepared(tx, "hms_audit_unsealed",
                         sql::Query("SELECT id, ") + EntryColumns
                             + " FROM audit_log WHERE hospital_id = $1 AND seq IS NULL "
                               "ORDER BY id LIMIT $2",
                         hospitalId, SealBatchRows);
        qint64 seq = head[0].as<qint64>();
        QByteArray previousHash = QByteArray::fromHex(head[1].c_str());
        std::vector<qint64> ids;
        QStringList hashes;
        ids.reserve(rows.size());
        for (const pqxx::row &row : rows) {
            ++seq;
            previousHash = chainHash(previousHash, canonicalRowOf(hospitalId, seq, row));
            ids.push_back(row[0].as<qint64>());
            hashes.append(QString::fromLatin1(previousHash.toHex()));
        }
        execPrepared(tx, "hms_audit_seal", "SELECT hms_audit_seal($1, $2::bigint[], $3::text[])",
                     hospitalId, arrayParam(ids), arrayParam(hashes));
        tx.commit();
        sealed += qint64(rows.size());
        if (rows.size() < SealBatchRows)
            return sealed;
    }
}

qint64 AuditLog::seal(pqxx::connection_base &connection, const std::vector<qint64> &hospitals)
{
    qint64 sealed = 0;
    for (const qint64 hospital : hospitals)
        sealed += seal(connection, hospital);
    return sealed;
}

AuditLog::Verification
AuditLog::verify(pqxx::transaction_base &tx, qint64 hospitalId, const VerifyOptions &options)
{
    Verification verification;
    const std::string hospital = std::to_string(hospitalId);
    QByteArray previousHash(HashBytes, '\0');
    qint64 expectedSeq = 1;
    auto broken = [&](qint64 seq, const QString &reason) {
        verification.ok = false;
        verification.firstBrokenSeq = seq;
        verification.reason = reason;
        return verification;
    };
    // Rows deleted from the end (and the head rewound to match) fall short of a checkpoint.
    auto endsBeforeAnchor = [&]() -> std::optional<qint64> {
        if (!options.anchors.isEmpty() && options.anchors.lastKey() > verification.lastSeq)
            return options.anchors.lastKey();
        return std::nullopt;
    };
    auto chainEndsBefore = [&](qint64 anchorSeq) {
        return broken(verification.lastSeq + 1,
                      QStringLiteral("the chain ends at row %1 but a signed checkpoint is at %2")
                          .arg(verification.lastSeq)
                          .arg(anchorSeq));
    };

    if (options.startAfterSeq > 0) {
        const pqxx::result start = tx.exec_params(
            "SELECT encode(hash, 'hex') FROM audit_log WHERE hospital_id = $1 AND seq = $2",
            hospital, options.startAfterSeq);
        if (start.empty()) {
            verification.lastSeq = tx.exec_params1("SELECT coalesce(max(seq), 0) FROM audit_log "
                                                   "WHERE hospital_id = $1",
                                                   hospital)[0]
                                       .as<qint64>();
            return chainEndsBefore(options.startAfterSeq);
        }
        if (QByteArray::fromHex(start[0][0].c_str()) != options.startAfterHash)
            return broken(options.startAfterSeq,
                          QStringLiteral("row %1 does not match the signed checkpoint at %1")
                              .arg(options.startAfterSeq));
        previousHash = options.startAfterHash;
        expectedSeq = options.startAfterSeq + 1;
        verification.lastSeq = options.startAfterSeq;
    }

    for (;;) {
        const pqxx::result rows =
            tx.exec_params(sql::Query("SELECT seq, ") + EntryColumns
                               + ", encode(prev_hash, 'hex'), encode(hash, 'hex') FROM audit_log "
                                 "WHERE hospital_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3",
                           hospital, expectedSeq, VerifyBatchRows);
        for (const pqxx::row &row : rows) {
            const qint64 seq = row[0].as<qint64>();
            if (seq != expectedSeq)
                return broken(expectedSeq, QStringLiteral("row %1 is missing").arg(expectedSeq));
            const QByteArray storedPrevious = QByteArray::fromHex(row[13].c_str());
            const QByteArray storedHash = QByteArray::fromHex(row[14].c_str());
            if (storedPrevious != previousHash)
                return broken(seq, QStringLiteral("prev_hash does not match row %1").arg(seq - 1));
            if (chainHash(previousHash, canonicalRowOf(hospitalId, seq, row)) != storedHash)
                return broken(seq, QStringLiteral("row content does not match its hash"));
            // A chain recomputed after an edit is consistent in itself, but no longer has the
            // hash a checkpoint signed.
            const auto anchor = options.anchors.constFind(seq);
            if (anchor != options.anchors.cend() && *anchor != storedHash)
                return broken(
                    seq,
                    QStringLiteral("row %1 does not match the signed checkpoint at %1").arg(seq));
            previousHash = storedHash;
            verification.lastSeq = seq;
            ++expectedSeq;
            ++verification.rows;
        }
        if (rows.size() < VerifyBatchRows)
            break;
    }
    if (const std::optional<qint64> anchorSeq = endsBeforeAnchor())
        return chainEndsBefore(*anchorSeq);
    verification.pendingRows = tx.exec_params1("SELECT count(*) FROM audit_log "
                                               "WHERE hospital_id = $1 AND seq IS NULL",
                                               hospital)[0]
                                   .as<qint64>();

    // Rows deleted from the end leave the head pointing past the chain.
    const pqxx::result head = tx.exec_params(
        "SELECT seq, encode(hash, 'hex') FROM audit_heads WHERE hospital_id = $1", hospital);
    if (head.empty()) {
        if (verification.lastSeq > 0)
            return broken(verification.lastSeq + 1,
                          QStringLiteral("the chain ends at row %1 but it has no head")
                              .arg(verification.lastSeq));
        return verification;
    }
    const qint64 headSeq = head[0][0].as<qint64>();
    if (headSeq != verification.lastSeq || QByteArray::fromHex(head[0][1].c_str()) != previousHash)
        return broken(verification.lastSeq + 1,
                      QStringLiteral("the chain ends at row %1 but its head says %2")
                          .arg(verification.lastSeq)
                          .arg(headSeq));
    return verification;
}

AuditLog::Verification AuditLog::verify(pqxx::transaction_base &tx, qint64 hospitalId)
{
    return verify(tx, hospitalId, VerifyOptions());
}

} // namespace hms::server
