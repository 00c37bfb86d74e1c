#include "documents/documentservice.h"

#include "audit/auditlog.h"
#include "auth/authservice.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "documents/pgdocumentstore.h"
#include "patients/patientrepository.h"
#include "shared/clinical/clinicalrules.h"
#include "shared/clinical/medicationrules.h"

#include <QJsonArray>

#include <pqxx/transaction>

namespace hms::server {

namespace {

namespace K = documentkeys;

/// The body fields a document is filed under (DocumentService::newDocument).
constexpr char AdmissionIdKey[] = "admissionId";
constexpr char TakenAtKey[] = "takenAt";

/// The instant of an RFC 3339 field (nullopt when absent or not one).
std::optional<QDateTime> instantOf(const QJsonObject &body, const char *field)
{
    const QJsonValue value = body.value(QLatin1String(field));
    if (!value.isString())
        return std::nullopt;
    return medication::parseInstant(value.toString());
}

/// 422 when \a body would file the document elsewhere than its current version does.
void requireSameFiling(const DocumentVersion &current, const QJsonObject &body)
{
    Problem problem = Problem::fromType(problems::ValidationFailed);
    if (body.value(QLatin1String(AdmissionIdKey))
        != current.body.value(QLatin1String(AdmissionIdKey)))
        problem.errors.append(
            {key(AdmissionIdKey), QStringLiteral("cannot change in a new version")});
    if (instantOf(body, TakenAtKey) != instantOf(current.body, TakenAtKey))
        problem.errors.append(
            {key(TakenAtKey), QStringLiteral("cannot change in a new version; chart a new entry")});
    if (!problem.errors.isEmpty())
        throw DomainError(problem);
}

AuditEntry clinicalAudit(const Principal &actor,
                         const ClientInfo &client,
                         const QString &action,
                         std::optional<qint64> patientId,
                         const QString &documentId)
{
    AuditEntry entry = AuditEntry::forActor(actor, client, QStringLiteral("clinical"), action,
                                            QStringLiteral("clinical_document"), documentId);
    entry.patientId = patientId;
    return entry;
}

/// Audits a miss (absent or another hospital's patient or document, or a document of
/// another patient), commits that alone and answers 404 without detail (SECURITY.md T2).
[[noreturn]] void auditMissAndThrow(pqxx::work &tx,
                                    const Principal &actor,
                                    const ClientInfo &client,
                                    const QString &action,
                                    std::optional<qint64> knownPatientId,
                                    const QString &documentId)
{
    AuditEntry entry = clinicalAudit(actor, client, action, knownPatientId, documentId);
    entry.outcome = QStringLiteral("failure");
    entry.details = {{QStringLiteral("reason"), QStringLiteral("not-found")}};
    AuditLog::append(tx, entry);
    tx.commit();
    throw DomainError(problems::NotFound);
}

/// The patient of the path, or an audited 404.
void requirePatient(pqxx::work &tx,
                    const Principal &actor,
                    const ClientInfo &client,
                    const QString &action,
                    qint64 patientId,
                    const QString &documentId)
{
    if (!PatientRepository::findById(tx, actor.hospitalId, patientId))
        auditMissAndThrow(tx, actor, client, action, std::nullopt, documentId);
}

/// A consultation's visitId must name a visit of the same patient in this hospital; an
/// unknown visit, another patient's or another hospital's is the same audited 404.
void requireVisitOfPatient(pqxx::work &tx,
                           const Principal &actor,
                           const ClientInfo &client,
                           const QString &action,
                           qint64 patientId,
                           const QString &documentId,
                           const QString &kind,
                           const QJsonObject &body)
{
    if (kind != QLatin1String("consultation"))
        return;
    const QJsonValue visitId = body.value(QStringLiteral("visitId"));
    if (!visitId.isString())
        return; // absent or null: a consultation outside an OPD visit
    const bool ofPatient =
        tx.exec_params1("SELECT EXISTS (SELECT 1 FROM visits WHERE hospital_id = $1 AND id = $2 "
                        "AND patient_id = $3)",
                        actor.hospitalId, visitId.toString().toLongLong(), patientId)[0]
            .as<bool>();
    if (!ofPatient)
        auditMissAndThrow(tx, actor, client, action, patientId, documentId);
}

/// The latest version of a document of this patient, or an audited 404.
DocumentVersion requireDocument(DocumentStore &store,
                                PgDocumentUnitOfWork &unit,
                                pqxx::work &tx,
                                const Principal &actor,
                                const ClientInfo &client,
                                const QString &action,
                                qint64 patientId,
                                const QString &documentId)
{
    requirePatient(tx, actor, client, action, patientId, documentId);
    std::optional<DocumentVersion> latest = store.latest(unit, documentId);
    // A document of a record merged into this patient is read under the survivor.
    const auto mergedIntoPatient = [&] {
        return tx
            .exec_params1("SELECT EXISTS (SELECT 1 FROM patients WHERE hospital_id = $1 AND "
                          "id = $2 AND merged_into = $3)",
                          actor.hospitalId, latest->patientId, patientId)[0]
            .as<bool>();
    };
    if (!latest || (latest->patientId != patientId && !mergedIntoPatient()))
        auditMissAndThrow(tx, actor, client, action, patientId, documentId);
    return std::move(*latest);
}

[[noreturn]] void stale()
{
    throw DomainError(problems::PreconditionFailed,
                      QStringLiteral("The document has a newer version; reload and retry"));
}

} // namespace

QJsonObject DocumentService::toJson(const DocumentVersion &version)
{
    QJsonObject json{{key(K::Id), version.documentId},
                     {key(K::PatientId), QString::number(version.patientId)},
                     {key(K::Kind), version.kind},
                     {key(K::Version), version.version},
                     {key(K::Body), version.body},
                     {key(K::AuthorId), QString::number(version.authorId)},
                     {key(K::AuthoredAt), version.authoredAt},
                     {key(K::CreatedAt), version.createdAt}};
    if (!version.supersedesReason.isEmpty())
        json.insert(key(K::Reason), version.supersedesReason);
    return json;
}

std::optional<DocumentVersion> DocumentService::create(DbSession &db,
                                                       const Principal &actor,
                                                       const ClientInfo &client,
                                                       qint64 patientId,
                                                       const QString &kind,
                                                       const QJsonObject &body,
                                                       const TransactionHooks &hooks)
{
    const QString action = QStringLiteral("document.create");
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (hooks.begin && !hooks.begin(tx))
        return std::nullopt;
    requirePatient(tx, actor, client, action, patientId, QString());
    requireVisitOfPatient(tx, actor, client, action, patientId, QString(), kind, body);
    PgDocumentUnitOfWork unit(tx, actor.hospitalId);
    const DocumentVersion created =
        m_store.append(unit, newDocument(patientId, kind, body, actor.userId));
    AuditEntry audit = clinicalAudit(actor, client, action, patientId, created.documentId);
    audit.details = {{QStringLiteral("kind"), kind}, {QStringLiteral("version"), 1}};
    AuditLog::append(tx, audit);
    if (hooks.beforeCommit)
        hooks.beforeCommit(tx, created);
    tx.commit();
    return created;
}

NewDocument DocumentService::newDocument(qint64 patientId,
                                         const QString &kind,
                                         const QJsonObject &body,
                                         qint64 authorId)
{
    NewDocument document(patientId, kind, body, authorId);
    const QString admission = body.value(QLatin1String(AdmissionIdKey)).toString();
    if (!admission.isEmpty())
        document.admissionId = admission.toLongLong();
    if (kind == QLatin1String(clinicalkinds::Vitals)) {
        if (const std::optional<QDateTime> takenAt = instantOf(body, TakenAtKey))
            document.occurredAt = takenAt->toString(Qt::ISODateWithMs);
    }
    return document;
}

DocumentPage DocumentService::list(DbSession &db,
                                   const Principal &actor,
                                   const ClientInfo &client,
                                   qint64 patientId,
                                   const QString &kind,
                                   int limit,
                                   const QString &cursor)
{
    const QString action = QStringLiteral("document.list");
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    requirePatient(tx, actor, client, action, patientId, QString());
    PgDocumentUnitOfWork unit(tx, actor.hospitalId);
    DocumentPage page;
    try {
        page = m_store.listByPatient(unit, patientId, kind, limit, cursor);
    } catch (const InvalidDocumentCursor &) {
        Problem problem = Problem::fromType(problems::ValidationFailed);
        problem.errors.append(
            {QStringLiteral("cursor"), QStringLiteral("is not a cursor from a previous page")});
        throw DomainError(problem);
    }
    // SECURITY.md L1: a list records the document ids it returned.
    QJsonArray ids;
    for (const DocumentVersion &version : page.items)
        ids.append(version.documentId);
    AuditEntry audit = clinicalAudit(actor, client, action, patientId, QString());
    audit.details = {{QStringLiteral("documentIds"), ids},
                     {QStringLiteral("page"),
                      cursor.isEmpty() ? QStringLiteral("first") : QStringLiteral("next")}};
    if (!kind.isEmpty())
        audit.details.insert(QStringLiteral("kind"), kind);
    AuditLog::append(tx, audit);
    tx.commit();
    return page;
}

DocumentVersion DocumentService::get(DbSession &db,
                                     const Principal &actor,
                                     const ClientInfo &client,
                                     qint64 patientId,
                                     const QString &documentId)
{
    const QString action = QStringLiteral("document.read");
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    PgDocumentUnitOfWork unit(tx, actor.hospitalId);
    DocumentVersion latest =
        requireDocument(m_store, unit, tx, actor, client, action, patientId, documentId);
    AuditEntry audit = clinicalAudit(actor, client, action, patientId, documentId);
    audit.details = {{QStringLiteral("version"), latest.version}};
    AuditLog::append(tx, audit);
    tx.commit();
    return latest;
}

std::vector<DocumentVersion> DocumentService::history(DbSession &db,
                                                      const Principal &actor,
                                                      const ClientInfo &client,
                                                      qint64 patientId,
                                                      const QString &documentId)
{
    const QString action = QStringLiteral("document.history");
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    PgDocumentUnitOfWork unit(tx, actor.hospitalId);
    requireDocument(m_store, unit, tx, actor, client, action, patientId, documentId);
    std::vector<DocumentVersion> versions = m_store.history(unit, documentId);
    AuditEntry audit = clinicalAudit(actor, client, action, patientId, documentId);
    audit.details = {{QStringLiteral("versions"), qint64(versions.size())}};
    AuditLog::append(tx, audit);
    tx.commit();
    return versions;
}

DocumentVersion DocumentService::addVersion(DbSession &db,
                                            const Principal &actor,
                                            const ClientInfo &client,
                                            qint64 patientId,
                                            const QString &documentId,
                                            int expectedVersion,
                                            const QJsonObject &body,
                                            const QString &reason)
{
    const QString action = QStringLiteral("document.version");
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    PgDocumentUnitOfWork unit(tx, actor.hospitalId);
    const DocumentVersion current =
        requireDocument(m_store, unit, tx, actor, client, action, patientId, documentId);
    const Result<QJsonObject> valid = validateClinicalBody(current.kind, body);
    if (!valid)
        throw DomainError(valid.problem());
    requireSameFiling(current, body);
    if (current.version != expectedVersion)
        stale();
    requireVisitOfPatient(tx, actor, client, action, patientId, documentId, current.kind, body);
    std::optional<DocumentVersion> added;
    try {
        added = m_store.addVersion(unit, documentId, expectedVersion, body, actor.userId, reason);
    } catch (const DocumentConflict &) {
        stale();
    }
    if (!added)
        auditMissAndThrow(tx, actor, client, action, patientId, documentId);
    AuditEntry audit = clinicalAudit(actor, client, action, patientId, documentId);
    audit.details = {{QStringLiteral("kind"), current.kind},
                     {QStringLiteral("version"), added->version}};
    AuditLog::append(tx, audit);
    tx.commit();
    return std::move(*added);
}

} // namespace hms::server
