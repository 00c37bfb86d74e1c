#include "ipd/ipdservice.h"

#include "audit/auditlog.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "documents/pgdocumentstore.h"
#include "ipd/jsonwriter.h"
#include "live/eventlog.h"
#include "medications/medicationrepository.h"
#include "opd/opdrepository.h"
#include "shared/auth/permissions.h"
#include "shared/clinical/clinicalrules.h"
#include "workflows/definitions/productworkflows.h"

#include <QHash>
#include <QJsonArray>

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/transaction>

#include <algorithm>
#include <cstring>

namespace hms::server {

namespace {

QString bedName(const BedRow &bed)
{
    return bed.wardCode + QLatin1Char('/') + bed.room + QLatin1Char('/') + bed.code;
}

AuditEntry ipdAudit(const Principal &actor,
                    const ClientInfo &client,
                    const QString &category,
                    const QString &action,
                    const QString &entity,
                    qint64 entityId)
{
    return AuditEntry::forActor(actor, client, category, action, entity, idText(entityId));
}

AuditEntry bedAudit(const Principal &actor,
                    const ClientInfo &client,
                    const QString &action,
                    const BedRow &bed,
                    const QString &from)
{
    AuditEntry entry = ipdAudit(actor, client, QStringLiteral("operations"), action,
                                QStringLiteral("bed"), bed.id);
    entry.details = {{key("wardId"), idText(bed.wardId)},
                     {key("from"), from},
                     {key("status"), bed.status},
                     {key("version"), bed.version}};
    return entry;
}

AuditEntry admissionAudit(const Principal &actor,
                          const ClientInfo &client,
                          const QString &action,
                          const AdmissionRow &admission)
{
    AuditEntry entry = ipdAudit(actor, client, QStringLiteral("clinical"), action,
                                QStringLiteral("admission"), admission.id);
    entry.patientId = admission.patientId;
    entry.details = {{key("bedId"), idText(admission.bedId)},
                     {key("wardId"), idText(admission.wardId)},
                     {key("status"), admission.status}};
    return entry;
}

/// The one event of a bed change, in the change's transaction (ids and states only).
void appendBedEvent(pqxx::transaction_base &tx,
                    const BedRow &bed,
                    const QString &type,
                    std::optional<qint64> admissionId = std::nullopt)
{
    QJsonObject data{{key("bedId"), idText(bed.id)},
                     {key("wardId"), idText(bed.wardId)},
                     {key("status"), bed.status},
                     {key("version"), bed.version}};
    if (admissionId)
        data.insert(key("admissionId"), idText(*admissionId));
    EventLog::append(tx, bed.hospitalId, IpdService::topicOf(bed.wardId), type, data);
}

/// 409 naming the bed (ward/room/code) and carrying its id and status.
[[noreturn]] void bedNotAvailable(const BedRow &bed)
{
    Problem problem = Problem::fromType(problems::Conflict,
                                        QStringLiteral("Bed %1 (id %2) is %3, not free")
                                            .arg(bedName(bed), idText(bed.id), bed.status));
    problem.extensions.insert(key("bedId"), idText(bed.id));
    problem.extensions.insert(key("ward"), bed.wardCode);
    problem.extensions.insert(key("room"), bed.room);
    problem.extensions.insert(key("bed"), bed.code);
    problem.extensions.insert(key("bedStatus"), bed.status);
    problem.errors.append(
        {key("bedId"), QStringLiteral("bed %1 is %2").arg(bedName(bed), bed.status)});
    throw DomainError(problem);
}

[[noreturn]] void invalidTransition(const BedRow &bed, const QString &to, const QString &hint = {})
{
    QString detail = QStringLiteral("Bed %1 (id %2) cannot go from %3 to %4")
                         .arg(bedName(bed), idText(bed.id), bed.status, to);
    if (!hint.isEmpty())
        detail += QStringLiteral("; ") + hint;
    Problem problem = Problem::fromType(problems::InvalidTransition, detail);
    problem.extensions.insert(key("bedId"), idText(bed.id));
    problem.extensions.insert(key("currentStatus"), bed.status);
    problem.extensions.insert(key("requestedStatus"), to);
    throw DomainError(problem);
}

[[noreturn]] void alreadyAdmitted(std::optional<qint64> admissionId = std::nullopt)
{
    Problem problem =
        Problem::fromType(problems::Conflict, QStringLiteral("The patient is already admitted"));
    problem.errors.append({key("patientId"), QStringLiteral("patient already admitted")});
    if (admissionId)
        problem.extensions.insert(key("admissionId"), idText(*admissionId));
    throw DomainError(problem);
}

[[noreturn]] void invalidField(const QString &field, const QString &message)
{
    Problem problem =
        Problem::fromType(problems::ValidationFailed, QStringLiteral("1 invalid field(s)"));
    problem.errors.append({field, message});
    throw DomainError(problem);
}

BedRow requireBed(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id, bool forUpdate)
{
    std::optional<BedRow> bed = IpdRepository::findBed(tx, hospitalId, id, forUpdate);
    if (!bed)
        throw DomainError(problems::NotFound, QStringLiteral("No such bed"));
    return *bed;
}

AdmissionRow requireAdmission(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id, bool lock)
{
    std::optional<AdmissionRow> admission = IpdRepository::findAdmission(tx, hospitalId, id, lock);
    if (!admission)
        throw DomainError(problems::NotFound);
    return *admission;
}

void requirePatient(pqxx::transaction_base &tx, qint64 hospitalId, qint64 patientId)
{
    if (!OpdRepository::patientExists(tx, hospitalId, patientId))
        throw DomainError(problems::NotFound, QStringLiteral("No such patient"));
}

std::optional<qint64>
activeAdmissionOf(pqxx::transaction_base &tx, qint64 hospitalId, qint64 patientId)
{
    const pqxx::result result =
        tx.exec_params("SELECT id FROM admissions WHERE hospital_id = $1 AND patient_id = $2 "
                       "AND status = 'active'",
                       hospitalId, patientId);
    if (result.empty())
        return std::nullopt;
    return result[0][0].as<qint64>();
}

/// True when \a bed may take \a patientId now: free, or reserved for that patient.
bool mayOccupy(const BedRow &bed, qint64 patientId)
{
    return bed.status == QLatin1String("free")
        || (bed.status == QLatin1String("reserved") && bed.reservedFor == patientId);
}

/// Which one-active-admission index a unique violation hit.
bool hitPatientIndex(const pqxx::unique_violation &error)
{
    return std::strstr(error.what(), "admissions_one_active_per_patient") != nullptr;
}

/// Records a refused action in its own committed piece of \a tx and answers 403.
[[noreturn]] void auditDeniedAndThrow(pqxx::work &tx,
                                      const Principal &actor,
                                      const ClientInfo &client,
                                      const QString &action,
                                      const QString &entity,
                                      qint64 entityId,
                                      const QString &detail)
{
    AuditEntry entry = ipdAudit(actor, client, QStringLiteral("access"),
                                QStringLiteral("access.denied"), entity, entityId);
    entry.outcome = QStringLiteral("denied");
    entry.details = {{key("action"), action}};
    AuditLog::append(tx, entry);
    tx.commit();
    throw DomainError(problems::Forbidden, detail);
}

} // namespace

const QStringList IpdService::WardKinds{QStringLiteral("general"),   QStringLiteral("icu"),
                                        QStringLiteral("maternity"), QStringLiteral("paediatric"),
                                        QStringLiteral("isolation"), QStringLiteral("surgical"),
                                        QStringLiteral("emergency")};

const QStringList IpdService::BedFeatures{
    QStringLiteral("oxygen"),  QStringLiteral("monitor"),       QStringLiteral("ventilator"),
    QStringLiteral("suction"), QStringLiteral("infusion_pump"), QStringLiteral("bariatric"),
    QStringLiteral("cot")};

const QStringList IpdService::BedStatuses{QStringLiteral("free"), QStringLiteral("reserved"),
                                          QStringLiteral("occupied"), QStringLiteral("cleaning"),
                                          QStringLiteral("maintenance")};

const QStringList IpdService::AdmissionStatuses{QStringLiteral("active"),
                                                QStringLiteral("discharged")};

const QStringList IpdService::DischargeOutcomes{
    QStringLiteral("recovered"), QStringLiteral("improved"), QStringLiteral("referred"),
    QStringLiteral("against_advice"), QStringLiteral("deceased")};

bool IpdService::isAllowedTransition(const QString &from, const QString &to)
{
    static const QHash<QString, QStringList> allowed{
        {QStringLiteral("free"),
         {QStringLiteral("reserved"), QStringLiteral("occupied"), QStringLiteral("maintenance")}},
        {QStringLiteral("reserved"),
         {QStringLiteral("free"), QStringLiteral("occupied"), QStringLiteral("reserved")}},
        {QStringLiteral("occupied"), {QStringLiteral("cleaning")}},
        {QStringLiteral("cleaning"), {QStringLiteral("free"), QStringLiteral("maintenance")}},
        {QStringLiteral("maintenance"), {QStringLiteral("free")}},
    };
    return allowed.value(from).contains(to);
}

bool IpdService::isManualTransition(const QString &from, const QString &to)
{
    return isAllowedTransition(from, to)
        && (to == QLatin1String("maintenance")
            || (to == QLatin1String("free")
                && (from == QLatin1String("cleaning") || from == QLatin1String("maintenance"))));
}

QString IpdService::topicOf(qint64 wardId)
{
    return QStringLiteral("beds:") + QString::number(wardId);
}

QJsonObject IpdService::toJson(const WardRow &ward)
{
    return {{key("id"), idText(ward.id)},
            {key("code"), ward.code},
            {key("name"), ward.name},
            {key("kind"), ward.kind},
            {key("active"), ward.active}};
}

QJsonObject IpdService::toJson(const AdmissionRow &admission)
{
    return {{key("id"), idText(admission.id)},
            {key("patientId"), idText(admission.patientId)},
            {key("bedId"), idText(admission.bedId)},
            {key("wardId"), idText(admission.wardId)},
            {key("attendingDoctorId"), idOrNull(admission.attendingDoctorId)},
            {key("visitId"), idOrNull(admission.visitId)},
            {key("reason"), admission.reason},
            {key("expectedStayDays"),
             admission.expectedStayDays ? QJsonValue(*admission.expectedStayDays) : QJsonValue()},
            {key("status"), admission.status},
            {key("admittedAt"), admission.admittedAt},
            {key("admittedBy"), idText(admission.admittedBy)},
            {key("dischargedAt"), textOrNull(admission.dischargedAt)},
            {key("dischargeDocumentId"), idOrNull(admission.dischargeDocumentId)},
            {key("version"), admission.version}};
}

QByteArray IpdService::bedJson(const BedRow &bed)
{
    JsonWriter out;
    out.beginObject();
    out.key("id");
    out.id(bed.id);
    out.key("wardId");
    out.id(bed.wardId);
    out.key("roomId");
    out.id(bed.roomId);
    out.key("room");
    out.string(bed.room);
    out.key("code");
    out.string(bed.code);
    out.key("status");
    out.string(bed.status);
    out.key("features");
    out.stringArray(bed.features);
    out.key("dailyRate");
    out.number(bed.dailyRate);
    out.key("reservedUntil");
    if (bed.reservedUntil.isEmpty())
        out.null();
    else
        out.string(bed.reservedUntil);
    out.key("version");
    out.number(bed.version);
    out.endObject();
    return out.take();
}

WardRow IpdService::createWard(DbSession &db,
                               const Principal &actor,
                               const ClientInfo &client,
                               const QString &code,
                               const QString &name,
                               const QString &kind)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const std::optional<WardRow> created =
        IpdRepository::insertWard(tx, actor.hospitalId, code, name, kind, actor.userId);
    if (!created) {
        Problem problem = Problem::fromType(problems::Conflict,
                                            QStringLiteral("A ward with this code already exists"));
        problem.errors.append({key("code"), QStringLiteral("is already taken")});
        throw DomainError(problem);
    }
    EventLog::append(tx, actor.hospitalId, topicOf(created->id), QStringLiteral("ward.created"),
                     {{key("wardId"), idText(created->id)}});
    AuditEntry audit = ipdAudit(actor, client, QStringLiteral("admin"),
                                QStringLiteral("ward.create"), QStringLiteral("ward"), created->id);
    audit.details = {{key("code"), created->code}, {key("kind"), created->kind}};
    AuditLog::append(tx, audit);
    tx.commit();
    return *created;
}

std::vector<WardRow> IpdService::wards(DbSession &db, const Principal &actor)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    std::vector<WardRow> rows = IpdRepository::wards(tx, actor.hospitalId);
    tx.commit();
    return rows;
}

BedRow IpdService::createBed(DbSession &db,
                             const Principal &actor,
                             const ClientInfo &client,
                             qint64 wardId,
                             const QString &room,
                             const QString &code,
                             const QStringList &features,
                             qint64 dailyRate)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (!IpdRepository::findWard(tx, actor.hospitalId, wardId))
        throw DomainError(problems::NotFound, QStringLiteral("No such ward"));
    const qint64 roomId = IpdRepository::roomFor(tx, actor.hospitalId, wardId, room);
    const std::optional<BedRow> bed = IpdRepository::insertBed(
        tx, actor.hospitalId, wardId, roomId, code, features, dailyRate, actor.userId);
    if (!bed) {
        Problem problem = Problem::fromType(
            problems::Conflict, QStringLiteral("This room already has a bed with this code"));
        problem.errors.append({key("code"), QStringLiteral("is already taken in this room")});
        throw DomainError(problem);
    }
    appendBedEvent(tx, *bed, QStringLiteral("bed.created"));
    AuditEntry audit = bedAudit(actor, client, QStringLiteral("bed.create"), *bed, QString());
    audit.category = QStringLiteral("admin");
    audit.details.insert(key("code"), bed->code);
    audit.details.insert(key("room"), bed->room);
    audit.details.insert(key("dailyRate"), bed->dailyRate);
    AuditLog::append(tx, audit);
    tx.commit();
    return *bed;
}

std::optional<AdmissionRow> IpdService::admit(DbSession &db,
                                              const Principal &actor,
                                              const ClientInfo &client,
                                              const NewAdmission &admission,
                                              const TransactionHooks &hooks)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (hooks.begin && !hooks.begin(tx))
        return std::nullopt;
    requirePatient(tx, actor.hospitalId, admission.patientId);
    if (admission.attendingDoctorId
        && !OpdRepository::isDoctor(tx, actor.hospitalId, *admission.attendingDoctorId))
        invalidField(key("attendingDoctorId"), QStringLiteral("is not a doctor of this hospital"));
    if (admission.visitId
        && !IpdRepository::visitOfPatient(tx, actor.hospitalId, *admission.visitId,
                                          admission.patientId))
        invalidField(key("visitId"), QStringLiteral("is not a visit of this patient"));
    // The bed row lock: concurrent admissions to one bed queue here, and the loser sees the
    // winner's "occupied".
    const BedRow bed = requireBed(tx, actor.hospitalId, admission.bedId, true);
    if (const std::optional<qint64> current =
            activeAdmissionOf(tx, actor.hospitalId, admission.patientId))
        alreadyAdmitted(current);
    if (!mayOccupy(bed, admission.patientId))
        bedNotAvailable(bed);
    AdmissionRow created;
    try {
        created = IpdRepository::insertAdmission(tx, actor.hospitalId, admission, actor.userId);
    } catch (const pqxx::unique_violation &error) {
        // A concurrent admission of the same patient (elsewhere) committed first.
        if (hitPatientIndex(error))
            alreadyAdmitted();
        bedNotAvailable(bed);
    }
    const BedRow occupied = IpdRepository::setBedStatus(tx, actor.hospitalId, bed.id,
                                                        QStringLiteral("occupied"), actor.userId);
    appendBedEvent(tx, occupied, QStringLiteral("bed.occupied"), created.id);
    AuditEntry audit = admissionAudit(actor, client, QStringLiteral("admission.create"), created);
    audit.details.insert(key("bedFrom"), bed.status);
    AuditLog::append(tx, audit);
    // The admitPatient workflow (nurses told, account opened, bed days charged) exists iff
    // this admission commits.
    wf::admitpatient::start(tx, actor.hospitalId, created.id, created.patientId, bed.id, bed.wardId,
                            actor.userId, admission.depositMinor);
    if (hooks.beforeCommit)
        hooks.beforeCommit(tx, created);
    tx.commit();
    return created;
}

BedRow IpdService::reserve(DbSession &db,
                           const Principal &actor,
                           const ClientInfo &client,
                           qint64 bedId,
                           qint64 patientId,
                           int minutes)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const BedRow bed = requireBed(tx, actor.hospitalId, bedId, true);
    requirePatient(tx, actor.hospitalId, patientId);
    if (const std::optional<qint64> current = activeAdmissionOf(tx, actor.hospitalId, patientId))
        alreadyAdmitted(current);
    if (bed.status != QLatin1String("free"))
        bedNotAvailable(bed);
    const BedRow reserved = IpdRepository::setBedStatus(
        tx, actor.hospitalId, bedId, QStringLiteral("reserved"), actor.userId, patientId, minutes);
    appendBedEvent(tx, reserved, QStringLiteral("bed.reserved"));
    AuditEntry audit = bedAudit(actor, client, QStringLiteral("bed.reserve"), reserved, bed.status);
    audit.patientId = patientId;
    audit.details.insert(key("minutes"), minutes);
    AuditLog::append(tx, audit);
    tx.commit();
    return reserved;
}

BedRow IpdService::cancelReservation(DbSession &db,
                                     const Principal &actor,
                                     const ClientInfo &client,
                                     qint64 bedId)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const BedRow bed = requireBed(tx, actor.hospitalId, bedId, true);
    if (bed.status != QLatin1String("reserved"))
        invalidTransition(bed, QStringLiteral("free"),
                          QStringLiteral("only a reserved bed has a reservation to cancel"));
    const BedRow freed = IpdRepository::setBedStatus(tx, actor.hospitalId, bedId,
                                                     QStringLiteral("free"), actor.userId);
    appendBedEvent(tx, freed, QStringLiteral("bed.reservation_cancelled"));
    AuditEntry audit =
        bedAudit(actor, client, QStringLiteral("bed.reservation.cancel"), freed, bed.status);
    audit.patientId = bed.reservedFor;
    AuditLog::append(tx, audit);
    tx.commit();
    return freed;
}

BedRow IpdService::setStatus(DbSession &db,
                             const Principal &actor,
                             const ClientInfo &client,
                             qint64 bedId,
                             int expectedVersion,
                             const QString &to)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const BedRow bed = requireBed(tx, actor.hospitalId, bedId, true);
    if (bed.version != expectedVersion)
        throw DomainError(problems::PreconditionFailed,
                          QStringLiteral("The bed changed since you read it; reload and retry"));
    if (!isManualTransition(bed.status, to)) {
        const bool workflow = isAllowedTransition(bed.status, to);
        invalidTransition(bed, to,
                          workflow ? QStringLiteral("that change happens through an admission, "
                                                    "transfer, discharge or reservation")
                                   : QString());
    }
    const BedRow updated =
        IpdRepository::setBedStatus(tx, actor.hospitalId, bedId, to, actor.userId);
    appendBedEvent(tx, updated, QStringLiteral("bed.") + to);
    // Housekeeping done: the discharge's workflow stops waiting (no escalation).
    if (bed.status == QLatin1String("cleaning") && to == QLatin1String("free"))
        wf::dischargepatient::signalBedCleaned(tx, actor.hospitalId, bedId, actor.userId);
    AuditLog::append(tx,
                     bedAudit(actor, client, QStringLiteral("bed.status"), updated, bed.status));
    tx.commit();
    return updated;
}

AdmissionRow IpdService::transfer(DbSession &db,
                                  const Principal &actor,
                                  const ClientInfo &client,
                                  qint64 admissionId,
                                  qint64 toBedId)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const AdmissionRow admission = requireAdmission(tx, actor.hospitalId, admissionId, true);
    if (admission.status != QLatin1String("active")) {
        Problem problem = Problem::fromType(problems::InvalidTransition,
                                            QStringLiteral("The admission is already discharged"));
        problem.extensions.insert(key("admissionStatus"), admission.status);
        throw DomainError(problem);
    }
    if (admission.bedId == toBedId)
        invalidField(key("bedId"), QStringLiteral("is the patient's current bed"));
    // Both bed rows, locked in id order (two crossing transfers never deadlock).
    const qint64 first = std::min(admission.bedId, toBedId);
    const qint64 second = std::max(admission.bedId, toBedId);
    std::optional<BedRow> firstBed = IpdRepository::findBed(tx, actor.hospitalId, first, true);
    std::optional<BedRow> secondBed = IpdRepository::findBed(tx, actor.hospitalId, second, true);
    const std::optional<BedRow> &fromBed = first == admission.bedId ? firstBed : secondBed;
    const std::optional<BedRow> &toBed = first == admission.bedId ? secondBed : firstBed;
    if (!toBed)
        throw DomainError(problems::NotFound, QStringLiteral("No such bed"));
    if (!fromBed)
        throw DomainError(problems::NotFound);
    if (!mayOccupy(*toBed, admission.patientId))
        bedNotAvailable(*toBed);
    AdmissionRow moved;
    try {
        moved =
            IpdRepository::moveAdmission(tx, actor.hospitalId, admission, toBedId, actor.userId);
    } catch (const pqxx::unique_violation &) {
        bedNotAvailable(*toBed);
    }
    const BedRow vacated = IpdRepository::setBedStatus(tx, actor.hospitalId, fromBed->id,
                                                       QStringLiteral("cleaning"), actor.userId);
    const BedRow occupied = IpdRepository::setBedStatus(tx, actor.hospitalId, toBed->id,
                                                        QStringLiteral("occupied"), actor.userId);
    appendBedEvent(tx, vacated, QStringLiteral("bed.cleaning"), admission.id);
    appendBedEvent(tx, occupied, QStringLiteral("bed.occupied"), admission.id);
    AuditEntry audit = admissionAudit(actor, client, QStringLiteral("admission.transfer"), moved);
    audit.details.insert(key("fromBedId"), idText(fromBed->id));
    AuditLog::append(tx, audit);
    tx.commit();
    return moved;
}

AdmissionRow IpdService::discharge(DbSession &db,
                                   const Principal &actor,
                                   const ClientInfo &client,
                                   qint64 admissionId,
                                   const DischargeInput &input)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (!roleHas(actor.role, Permission::ClinicalWrite))
        auditDeniedAndThrow(tx, actor, client, QStringLiteral("admission.discharge"),
                            QStringLiteral("admission"), admissionId,
                            QStringLiteral("A discharge summary needs clinical.write"));
    const AdmissionRow admission = requireAdmission(tx, actor.hospitalId, admissionId, true);
    if (admission.status != QLatin1String("active")) {
        Problem problem = Problem::fromType(problems::InvalidTransition,
                                            QStringLiteral("The admission is already discharged"));
        problem.extensions.insert(key("admissionStatus"), admission.status);
        throw DomainError(problem);
    }
    const BedRow bed = requireBed(tx, actor.hospitalId, admission.bedId, true);
    QJsonObject body{{key("admissionId"), idText(admission.id)},
                     {key("bedId"), idText(bed.id)},
                     {key("wardId"), idText(bed.wardId)},
                     {key("admittedAt"), admission.admittedAt},
                     {key("summary"), input.summary}};
    if (!input.followUp.isEmpty())
        body.insert(key("followUp"), input.followUp);
    if (!input.outcome.isEmpty())
        body.insert(key("outcome"), input.outcome);
    PgDocumentUnitOfWork unit(tx, actor.hospitalId);
    const DocumentVersion document = m_store.append(
        unit,
        NewDocument{admission.patientId, QString::fromLatin1(clinicalkinds::DischargeSummary), body,
                    actor.userId});
    const AdmissionRow discharged = IpdRepository::discharge(
        tx, actor.hospitalId, admission.id, document.documentId.toLongLong(), actor.userId);
    // The stay's prescriptions end with it (status completed, who and when), so pharmacy
    // and the due list never see a discharged patient's drugs as current.
    const std::vector<qint64> completed = MedicationRepository::completeForAdmission(
        tx, actor.hospitalId, admission.id, actor.userId, QStringLiteral("discharged"));
    const BedRow vacated = IpdRepository::setBedStatus(tx, actor.hospitalId, bed.id,
                                                       QStringLiteral("cleaning"), actor.userId);
    appendBedEvent(tx, vacated, QStringLiteral("bed.cleaning"), admission.id);
    AuditEntry audit =
        admissionAudit(actor, client, QStringLiteral("admission.discharge"), discharged);
    audit.details.insert(key("documentId"), document.documentId);
    if (!completed.empty()) {
        QJsonArray ids;
        for (const qint64 id : completed)
            ids.append(idText(id));
        audit.details.insert(key("prescriptionsCompleted"), ids);
    }
    AuditLog::append(tx, audit);
    // The dischargePatient workflow (account closed, housekeeping told, escalation).
    wf::dischargepatient::start(tx, actor.hospitalId, admission.id, admission.patientId, bed.id,
                                bed.wardId, actor.userId);
    tx.commit();
    return discharged;
}

AdmissionRow
IpdService::admission(DbSession &db, const Principal &actor, const ClientInfo &client, qint64 id)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);

    const std::optional<AdmissionRow> admission =
        IpdRepository::findAdmission(tx, actor.hospitalId, id);
    if (!admission) {
        AuditEntry miss =
            ipdAudit(actor, client, QStringLiteral("clinical"), QStringLiteral("admission.read"),
                     QStringLiteral("admission"), id);
        miss.outcome = QStringLiteral("failure");
        miss.details = {{key("reason"), QStringLiteral("not-found")}};
        AuditLog::append(tx, miss);
        tx.commit();
        throw DomainError(problems::NotFound);
    }
    AuditLog::append(tx,
                     admissionAudit(actor, client, QStringLiteral("admission.read"), *admission));
    tx.commit();
    return *admission;
}

std::vector<AdmissionRow> IpdService::admissions(DbSession &db,
                                                 const Principal &actor,
                                                 const ClientInfo &client,
                                                 std::optional<qint64> wardId,
                                                 const QString &status,
                                                 int limit)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);

    if (wardId && !IpdRepository::findWard(tx, actor.hospitalId, *wardId))
        throw DomainError(problems::NotFound, QStringLiteral("No such ward"));
    std::vector<AdmissionRow> rows =
        IpdRepository::admissions(tx, actor.hospitalId, wardId, status, limit);
    QJsonArray ids;
    QJsonArray patients;
    for (const AdmissionRow &row : rows) {
        ids.append(idText(row.id));
        patients.append(idText(row.patientId));
    }
    AuditEntry audit = AuditEntry::forActor(actor, client, QStringLiteral("clinical"),
                                            QStringLiteral("admission.list"),
                                            QStringLiteral("admission"), QString());
    audit.details = {{key("admissionIds"), ids}, {key("patientIds"), patients}};
    if (wardId)
        audit.details.insert(key("wardId"), idText(*wardId));
    AuditLog::append(tx, audit);
    tx.commit();
    return rows;
}

int IpdService::expireReservations(DbSession &db, int batch)
{
    std::vector<qint64> hospitals;
    {
        pqxx::read_transaction tx(db.connection());
        for (const pqxx::row &row : tx.exec("SELECT id FROM hospitals ORDER BY id"))
            hospitals.push_back(row[0].as<qint64>());
    }
    int freed = 0;
    for (const qint64 hospitalId : hospitals) {
        pqxx::work tx(db.connection());
        enterTenant(tx, hospitalId);
        const pqxx::result expired = tx.exec_params(
            "SELECT id, reserved_for FROM beds WHERE hospital_id = $1 AND status = 'reserved' "
            "AND reserved_until <= now() ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
            hospitalId, batch);
        for (const pqxx::row &row : expired) {
            const qint64 bedId = row[0].as<qint64>();
            const qint64 patientId = row[1].as<qint64>();
            const BedRow bed = IpdRepository::setBedStatus(tx, hospitalId, bedId,
                                                           QStringLiteral("free"), std::nullopt);
            appendBedEvent(tx, bed, QStringLiteral("bed.reservation_expired"));
            AuditEntry audit;
            audit.hospitalId = hospitalId;
            audit.actorRole = QStringLiteral("system");
            audit.category = QStringLiteral("operations");
            audit.action = QStringLiteral("bed.reservation.expire");
            audit.entity = QStringLiteral("bed");
            audit.entityId = idText(bedId);
            audit.patientId = patientId;
            audit.details = {{key("wardId"), idText(bed.wardId)},
                             {key("from"), QStringLiteral("reserved")},
                             {key("status"), bed.status},
                             {key("version"), bed.version}};
            AuditLog::append(tx, audit);
            ++freed;
        }
        tx.commit();
    }
    return freed;
}

CensusRow IpdService::census(DbSession &db, const Principal &actor, const QString &date)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const QString day = date.isEmpty() ? OpdRepository::today(tx, actor.hospitalId) : date;
    CensusRow census = IpdRepository::census(tx, actor.hospitalId, day);
    tx.commit();
    return census;
}

} // namespace hms::server
