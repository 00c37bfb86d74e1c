#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <pqxx/types>

#include <optional>

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
};

/// The hash-chained, append-only audit log (ARCHITECTURE.md "Audit"). Each row's hash is
/// SHA-256(prev_hash || canonical(row)); the chain is per hospital and its head row is
/// locked while appending, so concurrent writers never fork it.
class AuditLog
{
public:
    /// Appends \a entry inside \a tx (the caller's business transaction, already bound to
    /// the entry's hospital): both commit or neither does.
    static void append(pqxx::transaction_base &tx, const AuditEntry &entry);

    struct Verification
    {
        bool ok = true;
        qint64 rows = 0;
        qint64 firstBrokenSeq = 0; ///< when !ok
        QString reason; ///< when !ok
    };

    /// Walks hospital \a hospitalId's chain in seq order and recomputes every hash.
    static Verification verify(pqxx::transaction_base &tx, qint64 hospitalId);
};

} // namespace hms::server
