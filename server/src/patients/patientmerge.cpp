#include "patients/patientmerge.h"

#include "audit/auditlog.h"
#include "auth/authservice.h"
#include "common/domainerror.h"
#include "db/dbsession.h"
#include "db/tenant.h"

#include <pqxx/except>
#include <pqxx/transaction>

#include <algorithm>

namespace hms::server {

namespace {

AuditEntry mergeAudit(const Principal &actor,
                      const ClientInfo &client,
                      const QString &action,
                      qint64 patientId)
{
    AuditEntry entry = AuditEntry::forActor(actor, client, QStringLiteral("demographic"), action,
                                            QStringLiteral("patient"), QString::number(patientId));
    entry.patientId = patientId;
    return entry;
}

struct Locked
{
    qint64 id = 0;
    int version = 0;
};

/// Both active records, locked in id order (two merges of the same pair never deadlock).
std::optional<Locked> lockActive(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id)
{
    const pqxx::result result =
        tx.exec_params("SELECT id, version FROM patients WHERE hospital_id = $1 AND id = $2 AND "
                       "merged_into IS NULL FOR UPDATE",
                       hospitalId, id);
    if (result.empty())
        return std::nullopt;
    return Locked{result[0][0].as<qint64>(), result[0][1].as<int>()};
}

} // namespace

MergeResult PatientMergeService::merge(DbSession &db,
                                       const Principal &actor,
                                       const ClientInfo &client,
                                       qint64 mergedId,
                                       int mergedVersion,
                                       qint64 survivorId,
                                       int survivorVersion,
                                       const QString &reason)
{
    if (mergedId == survivorId) {
        Problem problem =
            Problem::fromType(problems::ValidationFailed, QStringLiteral("1 invalid field(s)"));
        problem.errors.append(
            {QStringLiteral("intoPatientId"), QStringLiteral("must be another patient")});
        throw DomainError(problem);
    }
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    std::optional<Locked> merged;
    std::optional<Locked> survivor;
    if (mergedId < survivorId) {
        merged = lockActive(tx, actor.hospitalId, mergedId);
        survivor = lockActive(tx, actor.hospitalId, survivorId);
    } else {
        survivor = lockActive(tx, actor.hospitalId, survivorId);
        merged = lockActive(tx, actor.hospitalId, mergedId);
    }
    if (!merged || !survivor)
        throw DomainError(problems::NotFound);
    if (merged->version != mergedVersion || survivor->version != survivorVersion)
        throw DomainError(problems::PreconditionFailed,
                          QStringLiteral("A record changed since you read it; reload and retry"));

    MergeResult result;
    result.mergedId = mergedId;
    result.survivorId = survivorId;
    tx.exec_params("UPDATE patients SET merged_into = $3, merged_at = now(), merged_by = $4, "
                   "merge_reason = $5, version = version + 1, updated_at = now(), "
                   "updated_by = $4 WHERE hospital_id = $1 AND id = $2",
                   actor.hospitalId, mergedId, survivorId, actor.userId, reason.toStdString());
    // Records merged into the merged one now point at the survivor: one hop resolves.
    tx.exec_params("UPDATE patients SET merged_into = $3 WHERE hospital_id = $1 AND "
                   "merged_into = $2",
                   actor.hospitalId, mergedId, survivorId);
    result.mergedVersion = merged->version + 1;
    // The survivor changes too (it now carries the other's history): its ETag moves on.
    result.survivorVersion =
        tx.exec_params1("UPDATE patients SET version = version + 1, updated_at = now(), "
                        "updated_by = $3 WHERE hospital_id = $1 AND id = $2 RETURNING version",
                        actor.hospitalId, survivorId, actor.userId)[0]
            .as<int>();
    try {
        result.movedVisits = int(tx.exec_params("UPDATE visits SET patient_id = $3 WHERE "
                                                "hospital_id = $1 AND patient_id = $2",
                                                actor.hospitalId, mergedId, survivorId)
                                     .affected_rows());
    } catch (const pqxx::unique_violation &) {
        Problem problem =
            Problem::fromType(problems::Conflict,
                              QStringLiteral("Both patients are in the queue of the same "
                                             "department; finish or cancel one visit first"));
        throw DomainError(problem);
    }
    result.movedAppointments = int(tx.exec_params("UPDATE appointments SET patient_id = $3 WHERE "
                                                  "hospital_id = $1 AND patient_id = $2",
                                                  actor.hospitalId, mergedId, survivorId)
                                       .affected_rows());
    AuditEntry audit = mergeAudit(actor, client, QStringLiteral("patient.merge"), mergedId);
    audit.details = {{QStringLiteral("intoPatientId"), QString::number(survivorId)},
                     {QStringLiteral("movedVisits"), result.movedVisits},
                     {QStringLiteral("movedAppointments"), result.movedAppointments}};
    AuditLog::append(tx, audit);
    tx.commit();
    return result;
}

} // namespace hms::server
