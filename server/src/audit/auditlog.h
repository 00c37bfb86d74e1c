#pragma once

#include "auth/principal.h"

#include <QByteArray>
#include <QJsonObject>
#include <QMap>
#include <QString>

#include <pqxx/types>

#include <optional>
#include <vector>

namespace hms::server {

/// One audited event: who did what to which record, and how it ended. Ids and codes only;
/// never names, phone numbers or clinical text (the log is read by auditors and admins).
struct AuditEntry
{
    qint64 hospitalId = 0;
    std::optional<qint64> actorUserId; ///< empty for anonymous (failed login) or system
    QString actorRole;
    QString action; ///< "auth.login", "user.create", "patient.read", ...
    QString entity; ///< "user", "patient", ...
    QString entityId;
    std::optional<qint64> patientId;
    QString category; ///< "auth", "admin", "demographic", "clinical", ...
    QString outcome = QStringLiteral("success"); ///< success | denied | failure
    QString requestId;
    QString clientAddress;
    QJsonObject details;

    /// An entry for \a actor's action from \a client: hospital, user, role, request id and
    /// address filled in; the caller adds patientId, outcome or details where they apply.
    static AuditEntry forActor(const Principal &actor,
                               const ClientInfo &client,
                               const QString &category,
                               const QString &action,
                               const QString &entity,
                               const QString &entityId);
};

/// The hash-chained, append-only audit log (ARCHITECTURE.md "Audit"). Each row's hash is
/// SHA-256(prev_hash || canonical(row)); the chain is per hospital.
///
/// Rows are appended pending (no seq or hash yet) in the caller's transaction and sealed into
/// the chain after commit by seal(), which locks the chain head, so concurrent writers never
/// fork it and never wait for each other's commits (0018_audit_sealing.sql says why).
class AuditLog
{
public:
    /// Appends \a entry inside \a tx (the caller's business transaction, already bound to
    /// the entry's hospital): both commit or neither does. The row is pending until sealed;
    /// the hospital is remembered for takeAppended() on this thread.
    static void append(pqxx::transaction_base &tx, const AuditEntry &entry);

    /// The hospitals this thread appended audit rows for since the last call (committed or
    /// not), so the caller can have them sealed before it answers.
    static std::vector<qint64> takeAppended();

    /// Seals every row of \a hospitalId that was pending when it started, in id order, in
    /// transactions of its own on \a connection (a batch per commit). Returns the rows sealed.
    /// Throws what libpqxx throws.
    static qint64 seal(pqxx::connection_base &connection, qint64 hospitalId);
    /// seal() for each of \a hospitals (e.g. takeAppended() after a commit).
    static qint64 seal(pqxx::connection_base &connection, const std::vector<qint64> &hospitals);

    /// The canonical encoding of one row, as hashed: SHA-256(prev_hash || canonicalRow(...)) is
    /// the row's hash (prev_hash of row 1 is 32 zero bytes). Fields in this order, each either
    /// the byte 0x00 (NULL/empty) or 0x01, a 4-byte big-endian length and the UTF-8 bytes:
    /// hospital_id, seq (decimal), at (\a at: UTC, `YYYY-MM-DDTHH:MM:SS.uuuuuuZ`),
    /// actor_user_id (decimal), actor_role, action, entity, entity_id, patient_id (decimal),
    /// category, outcome, request_id, client_address, details (\a detailsText: the jsonb as
    /// PostgreSQL prints it, `details::text`). Empty strings encode like NULL.
    static QByteArray canonicalRow(const AuditEntry &entry,
                                   qint64 seq,
                                   const QString &at,
                                   const QByteArray &detailsText);

    /// SHA-256(\a previousHash || \a canonical): a row's hash.
    static QByteArray chainHash(const QByteArray &previousHash, const QByteArray &canonical);

    /// The audit_log columns a row is hashed from, for a SELECT whose first column is the
    /// caller's (seq, id, ...): at as hashed, actor, role, action, entity, entity id,
    /// patient, category, outcome, request id, client address, details::text.
    static constexpr char EntryColumns[] =
        R"(to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), actor_user_id, )"
        "actor_role, action, entity, entity_id, patient_id, category, outcome, request_id, "
        "client_address, details::text";

    /// The entry of a row selected as (first column, EntryColumns...).
    static AuditEntry entryFromRow(qint64 hospitalId, const pqxx::row &row);
    /// canonicalRow() of a row selected as (first column, EntryColumns...) at \a seq.
    static QByteArray canonicalRowOf(qint64 hospitalId, qint64 seq, const pqxx::row &row);

    /// Where a walk starts and what it must meet on the way.
    struct VerifyOptions
    {
        /// Start after this row (0: from row 1). The row must exist with hash startAfterHash;
        /// its own content is not recomputed (a verified, signed checkpoint).
        qint64 startAfterSeq = 0;
        QByteArray startAfterHash;
        /// seq -> hash the row at seq must have (signed checkpoints, already checked). A row
        /// with another hash, or a chain ending before one of these seqs, is broken.
        QMap<qint64, QByteArray> anchors;
    };

    struct Verification
    {
        bool ok = true;
        qint64 rows = 0; ///< rows recomputed by this walk
        qint64 lastSeq = 0; ///< the last row reached (the chain's length when ok)
        qint64 firstBrokenSeq = 0; ///< when !ok
        qint64 pendingRows = 0; ///< appended, not sealed yet (not part of the walk)
        QString reason; ///< when !ok
    };

    /// Walks hospital \a hospitalId's chain in seq order and recomputes every hash; then checks
    /// audit_heads points at the last row. Run it in a REPEATABLE READ transaction on a live
    /// system, or a row appended between two statements looks like a broken head.
    static Verification
    verify(pqxx::transaction_base &tx, qint64 hospitalId, const VerifyOptions &options);
    static Verification verify(pqxx::transaction_base &tx, qint64 hospitalId);
};

} // namespace hms::server
