#include "nursing/nursingservice.h"

#include "audit/auditlog.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "documents/documentservice.h"
#include "documents/pgdocumentstore.h"
#include "ipd/ipdrepository.h"
#include "ipd/ipdservice.h"
#include "live/eventlog.h"
#include "shared/clinical/clinicalrules.h"

#include <QJsonArray>

#include <pqxx/result>
#include <pqxx/transaction>

namespace hms::server {

namespace {

AuditEntry nursingAudit(const Principal &actor,
                        const ClientInfo &client,
                        const QString &action,
                        const QString &documentId,
                        std::optional<qint64> patientId)
{
    AuditEntry entry = AuditEntry::forActor(actor, client, QStringLiteral("clinical"), action,
                                            QStringLiteral("clinical_document"), documentId);
    entry.patientId = patientId;
    return entry;
}

/// The admission of the path, or an audited 404 (absent or another hospital's).
AdmissionRow requireAdmission(pqxx::work &tx,
                              const Principal &actor,
                              const ClientInfo &client,
                              const QString &action,
                              qint64 admissionId,
                              bool lock)
{
    std::optional<AdmissionRow> admission =
        IpdRepository::findAdmission(tx, actor.hospitalId, admissionId, lock);
    if (admission)
        return std::move(*admission);
    AuditEntry entry = nursingAudit(actor, client, action, QString(), std::nullopt);
    entry.outcome = QStringLiteral("failure");
    entry.details = {{key("reason"), QStringLiteral("not-found")},
                     {key("admissionId"), idText(admissionId)}};
    AuditLog::append(tx, entry);
    tx.commit();
    throw DomainError(problems::NotFound);
}

} // namespace

DocumentVersion NursingService::record(DbSession &db,
                                       const Principal &actor,
                                       const ClientInfo &client,
                                       qint64 admissionId,
                                       const QString &kind,
                                       QJsonObject body)
{
    const QString action = QStringLiteral("document.create");
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    // The admission row lock: charting never races a discharge of the same stay.
    const AdmissionRow admission = requireAdmission(tx, actor, client, action, admissionId, true);
    if (admission.status != QLatin1String("active")) {
        Problem problem = Problem::fromType(
            problems::Conflict, QStringLiteral("The admission has ended; chart on an active stay"));
        problem.extensions.insert(key("admissionStatus"), admission.status);
        throw DomainError(problem);
    }
    const bool vitals = kind == QLatin1String(clinicalkinds::Vitals);
    body.insert(key("admissionId"), idText(admission.id));
    if (vitals && !body.contains(QLatin1String("takenAt")))
        body.insert(key("takenAt"),
                    QString::fromStdString(tx.exec1("SELECT to_char(now() AT TIME ZONE 'UTC', "
                                                    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')")[0]
                                               .as<std::string>()));
    if (vitals
        && tx.exec_params1("SELECT $1::timestamptz > now() + interval '5 minutes'",
                           body.value(QLatin1String("takenAt")).toString().toStdString())[0]
               .as<bool>()) {
        Problem problem = Problem::fromType(problems::ValidationFailed);
        problem.errors.append({key("takenAt"), QStringLiteral("must not be in the future")});
        throw DomainError(problem);
    }
    PgDocumentUnitOfWork unit(tx, actor.hospitalId);
    const DocumentVersion created = m_store.append(
        unit, DocumentService::newDocument(admission.patientId, kind, body, actor.userId));
    EventLog::append(tx, actor.hospitalId, IpdService::topicOf(admission.wardId),
                     vitals ? QStringLiteral("vitals.recorded")
                            : QStringLiteral("nursing_note.recorded"),
                     {{key("documentId"), created.documentId},
                      {key("admissionId"), idText(admission.id)},
                      {key("bedId"), idText(admission.bedId)},
                      {key("wardId"), idText(admission.wardId)}});
    AuditEntry audit = nursingAudit(actor, client, action, created.documentId, admission.patientId);
    audit.details = {{key("kind"), kind},
                     {key("version"), 1},
                     {key("admissionId"), idText(admission.id)}};
    AuditLog::append(tx, audit);
    tx.commit();
    return created;
}

DocumentPage NursingService::chart(DbSession &db,
                                   const Principal &actor,
                                   const ClientInfo &client,
                                   qint64 admissionId,
                                   const QString &kind,
                                   int limit,
                                   const QString &cursor)
{
    const QString action = QStringLiteral("document.list");
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const AdmissionRow admission = requireAdmission(tx, actor, client, action, admissionId, false);
    PgDocumentUnitOfWork unit(tx, actor.hospitalId);
    DocumentPage page;
    try {
        page =
            m_store.listByAdmission(unit, admission.patientId, kind, admission.id, limit, cursor);
    } catch (const InvalidDocumentCursor &) {
        Problem problem = Problem::fromType(problems::ValidationFailed);
        problem.errors.append(
            {key("cursor"), QStringLiteral("is not a cursor from a previous page")});
        throw DomainError(problem);
    }
    QJsonArray ids;
    for (const DocumentVersion &version : page.items)
        ids.append(version.documentId);
    AuditEntry audit = nursingAudit(actor, client, action, QString(), admission.patientId);
    audit.details = {
        {key("documentIds"), ids},
        {key("kind"), kind},
        {key("admissionId"), idText(admission.id)},
        {key("page"), cursor.isEmpty() ? QStringLiteral("first") : QStringLiteral("next")}};
    AuditLog::append(tx, audit);
    tx.commit();
    return page;
}

} // namespace hms::server
