#include "medications/medicationservice.h"

#include "audit/auditlog.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "ipd/ipdrepository.h"
#include "ipd/ipdservice.h"
#include "live/eventlog.h"
#include "shared/clinical/medicationrules.h"

#include <QJsonArray>
#include <QSet>

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/subtransaction>
#include <pqxx/transaction>

namespace hms::server {

namespace {

AuditEntry medicationAudit(const Principal &actor,
                           const ClientInfo &client,
                           const QString &action,
                           const QString &entity,
                           std::optional<qint64> entityId,
                           std::optional<qint64> patientId)
{
    AuditEntry entry = AuditEntry::forActor(actor, client, QStringLiteral("clinical"), action,
                                            entity, entityId ? idText(*entityId) : QString());
    entry.patientId = patientId;
    return entry;
}

/// Audits a miss (absent or another hospital's), commits that alone and answers 404.
[[noreturn]] void auditMissAndThrow(pqxx::work &tx,
                                    const Principal &actor,
                                    const ClientInfo &client,
                                    const QString &action,
                                    const QString &entity,
                                    qint64 entityId)
{
    AuditEntry entry = medicationAudit(actor, client, action, entity, entityId, std::nullopt);
    entry.outcome = QStringLiteral("failure");
    entry.details = {{key("reason"), QStringLiteral("not-found")}};
    AuditLog::append(tx, entry);
    tx.commit();
    throw DomainError(problems::NotFound);
}

/// Prescribing and stopping are a doctor's decision (nurses hold clinical.write to chart).
void requirePrescriber(pqxx::work &tx,
                       const Principal &actor,
                       const ClientInfo &client,
                       const QString &action,
                       const QString &entity,
                       qint64 entityId)
{
    if (actor.role == Role::Doctor)
        return;
    AuditEntry entry = medicationAudit(actor, client, QStringLiteral("access.denied"), entity,
                                       entityId, std::nullopt);
    entry.category = QStringLiteral("access");
    entry.outcome = QStringLiteral("denied");
    entry.details = {{key("action"), action}};
    AuditLog::append(tx, entry);
    tx.commit();
    throw DomainError(problems::Forbidden, QStringLiteral("Only a doctor may prescribe or stop"));
}

[[noreturn]] void conflict(const QString &detail, const QString &field = {})
{
    Problem problem = Problem::fromType(problems::Conflict, detail);
    if (!field.isEmpty())
        problem.errors.append({field, detail});
    throw DomainError(problem);
}

[[noreturn]] void invalidField(const QString &field, const QString &message)
{
    Problem problem =
        Problem::fromType(problems::ValidationFailed, QStringLiteral("1 invalid field(s)"));
    problem.errors.append({field, message});
    throw DomainError(problem);
}

/// One event of a medication change on the ward of \a admission (ids and states only).
void appendWardEvent(pqxx::transaction_base &tx,
                     qint64 hospitalId,
                     const AdmissionRow &admission,
                     const QString &type,
                     QJsonObject data)
{
    data.insert(key("admissionId"), idText(admission.id));
    data.insert(key("bedId"), idText(admission.bedId));
    data.insert(key("wardId"), idText(admission.wardId));
    EventLog::append(tx, hospitalId, IpdService::topicOf(admission.wardId), type, data);
}

/// \a from and \a to as UTC ISO text (database clock): empty ones are now plus
/// \a defaultFromHours / \a defaultToHours; 422 when to is before from or the window is wider
/// than MedicationService::MaxWindowHours.
void resolveWindow(pqxx::transaction_base &tx,
                   QString &from,
                   QString &to,
                   int defaultFromHours,
                   int defaultToHours)
{
    const pqxx::row window = tx.exec_params1(
        "SELECT to_char(f AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
        "to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), t >= f, "
        "t - f <= make_interval(hours => $3) FROM (SELECT COALESCE($1::timestamptz, now() + "
        "make_interval(hours => $4)) AS f, COALESCE($2::timestamptz, now() + "
        "make_interval(hours => $5)) AS t) w",
        from.isEmpty() ? std::optional<std::string>() : from.toStdString(),
        to.isEmpty() ? std::optional<std::string>() : to.toStdString(),
        MedicationService::MaxWindowHours, defaultFromHours, defaultToHours);
    if (!window[2].as<bool>())
        invalidField(key("to"), QStringLiteral("must not be before from"));
    if (!window[3].as<bool>())
        invalidField(key("to"),
                     QStringLiteral("the window is at most %1 hours")
                         .arg(MedicationService::MaxWindowHours));
    from = QString::fromStdString(window[0].as<std::string>());
    to = QString::fromStdString(window[1].as<std::string>());
}

/// The distinct patients a list showed, in order of first appearance (SECURITY.md L1).
class PatientsShown
{
public:
    void add(qint64 patientId)
    {
        if (!m_seen.contains(patientId)) {
            m_seen.insert(patientId);
            m_ids.append(idText(patientId));
        }
    }

    QJsonArray ids() const { return m_ids; }

private:
    QSet<qint64> m_seen;
    QJsonArray m_ids;
};

const QString AlreadyRecorded =
    QStringLiteral("This dose is already recorded; correct that record instead");

/// 422 unless \a dueAt is a scheduled slot of \a rx not too far ahead; 409 when it has a record.
void requireScheduledSlot(pqxx::transaction_base &tx,
                          qint64 hospitalId,
                          const PrescriptionRow &rx,
                          const QString &dueAt)
{
    if (dueAt.isEmpty())
        invalidField(key("dueAt"), QStringLiteral("is required for a scheduled prescription"));
    if (!MedicationRepository::isSlot(tx, hospitalId, rx.id, dueAt))
        invalidField(key("dueAt"), QStringLiteral("is not a scheduled slot of this prescription"));
    if (MedicationRepository::isAfterNowPlus(tx, dueAt, MedicationService::MaxEarlyMinutes))
        invalidField(key("dueAt"),
                     QStringLiteral("is more than %1 minutes ahead")
                         .arg(MedicationService::MaxEarlyMinutes));
    if (MedicationRepository::currentRecord(tx, hospitalId, rx.id, dueAt))
        conflict(AlreadyRecorded, key("dueAt"));
}

/// A STAT dose's slot is the prescription's start: \a dueAt absent or exactly that, and not
/// too far ahead (422). A second record of it fails on the unique index (409).
AdHocSlot statSlot(pqxx::transaction_base &tx,
                   qint64 hospitalId,
                   const PrescriptionRow &rx,
                   const QString &dueAt)
{
    if (!dueAt.isEmpty() && !MedicationRepository::isStart(tx, hospitalId, rx.id, dueAt))
        invalidField(key("dueAt"), QStringLiteral("must be absent or the start of the STAT order"));
    if (MedicationRepository::isAfterNowPlus(tx, rx.startAt, MedicationService::MaxEarlyMinutes))
        invalidField(key("dueAt"),
                     QStringLiteral("is more than %1 minutes ahead")
                         .arg(MedicationService::MaxEarlyMinutes));
    return AdHocSlot::PrescriptionStart;
}

/// A PRN dose's slot is now: \a dueAt must be absent (422), now inside the period (409).
AdHocSlot asNeededSlot(pqxx::transaction_base &tx,
                       qint64 hospitalId,
                       const PrescriptionRow &rx,
                       const QString &dueAt)
{
    if (!dueAt.isEmpty())
        invalidField(key("dueAt"),
                     QStringLiteral("must be absent: a PRN dose is timed when it is recorded"));
    if (!MedicationRepository::isInPeriodNow(tx, hospitalId, rx.id,
                                             MedicationService::MaxEarlyMinutes))
        conflict(QStringLiteral("The prescription has not started or has ended"));
    return AdHocSlot::Now;
}

} // namespace

QJsonObject MedicationService::toJson(const PrescriptionRow &p)
{
    return {{key("id"), idText(p.id)},
            {key("patientId"), idText(p.patientId)},
            {key("admissionId"), idOrNull(p.admissionId)},
            {key("drug"), p.drug},
            {key("dose"), p.dose},
            {key("route"), p.route},
            {key("frequency"), p.frequency},
            {key("scheduled"), medication::isScheduled(p.frequency)},
            {key("startAt"), p.startAt},
            {key("endAt"), textOrNull(p.endAt)},
            {key("instructions"), textOrNull(p.instructions)},
            {key("status"), p.status},
            {key("prescribedAt"), p.prescribedAt},
            {key("prescribedBy"), idText(p.prescribedBy)},
            {key("stoppedAt"), textOrNull(p.stoppedAt)},
            {key("stoppedBy"), idOrNull(p.stoppedBy)},
            {key("stopReason"), textOrNull(p.stopReason)},
            {key("version"), p.version}};
}

QJsonObject MedicationService::toJson(const AdministrationRow &a)
{
    return {{key("id"), idText(a.id)},
            {key("prescriptionId"), idText(a.prescriptionId)},
            {key("dueAt"), textOrNull(a.dueAt)},
            {key("outcome"), a.outcome},
            {key("dose"), textOrNull(a.dose)},
            {key("reason"), textOrNull(a.reason)},
            {key("administeredAt"), a.administeredAt},
            {key("nurseId"), idText(a.nurseId)},
            {key("correctsId"), idOrNull(a.correctsId)}};
}

namespace {

/// The ward context of a row, the first fields of every ward list item.
QJsonObject wardJson(const WardPrescription &o)
{
    return {{key("admissionId"), idText(o.admissionId)},
            {key("bedId"), idText(o.bedId)},
            {key("room"), o.room},
            {key("bed"), o.bed},
            {key("patientId"), idText(o.patientId)},
            {key("mrn"), o.mrn},
            {key("fullName"), o.fullName},
            {key("prescriptionId"), idText(o.prescriptionId)},
            {key("drug"), o.drug},
            {key("dose"), o.dose},
            {key("route"), o.route},
            {key("frequency"), o.frequency}};
}

} // namespace

QJsonObject MedicationService::toJson(const DueDose &d)
{
    QJsonObject json = wardJson(d.order);
    json.insert(key("dueAt"), d.dueAt);
    json.insert(key("overdue"), d.overdue);
    json.insert(key("administration"),
                d.administration ? QJsonValue(toJson(*d.administration)) : QJsonValue());
    return json;
}

QJsonObject MedicationService::toJson(const AsNeededOrder &o)
{
    QJsonObject json = wardJson(o.order);
    json.insert(key("instructions"), textOrNull(o.instructions));
    json.insert(key("startAt"), o.startAt);
    json.insert(key("endAt"), textOrNull(o.endAt));
    json.insert(key("lastGivenAt"), textOrNull(o.lastGivenAt));
    json.insert(key("givenLast24h"), o.givenLast24h);
    return json;
}

QJsonObject MedicationService::toJson(const WardAdministration &r)
{
    QJsonObject json = wardJson(r.order);
    json.insert(key("administration"), toJson(r.record));
    json.insert(key("correctedById"), idOrNull(r.correctedById));
    return json;
}

PrescriptionRow MedicationService::prescribe(DbSession &db,
                                             const Principal &actor,
                                             const ClientInfo &client,
                                             qint64 admissionId,
                                             NewPrescription prescription)
{
    const QString action = QStringLiteral("prescription.create");
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    requirePrescriber(tx, actor, client, action, QStringLiteral("admission"), admissionId);
    // The admission row lock orders this against a discharge of the same stay.
    const std::optional<AdmissionRow> admission =
        IpdRepository::findAdmission(tx, actor.hospitalId, admissionId, true);
    if (!admission)
        auditMissAndThrow(tx, actor, client, action, QStringLiteral("admission"), admissionId);
    if (admission->status != QLatin1String("active"))
        conflict(QStringLiteral("The admission is not active"), key("admissionId"));
    prescription.patientId = admission->patientId;
    prescription.admissionId = admission->id;
    PrescriptionRow created;
    try {
        pqxx::subtransaction insert(tx, "prescription");
        created = MedicationRepository::insertPrescription(insert, actor.hospitalId, prescription,
                                                           actor.userId);
        insert.commit();
    } catch (const pqxx::check_violation &) {
        invalidField(prescription.endAt.isEmpty() ? key("durationDays") : key("endAt"),
                     QStringLiteral("must end after the start"));
    }
    appendWardEvent(tx, actor.hospitalId, *admission, QStringLiteral("prescription.created"),
                    {{key("prescriptionId"), idText(created.id)}});
    AuditEntry audit = medicationAudit(actor, client, action, QStringLiteral("prescription"),
                                       created.id, created.patientId);
    audit.details = {{key("admissionId"), idText(admission->id)},
                     {key("route"), created.route},
                     {key("frequency"), created.frequency}};
    AuditLog::append(tx, audit);
    tx.commit();
    return created;
}

std::vector<PrescriptionRow> MedicationService::prescriptions(DbSession &db,
                                                              const Principal &actor,
                                                              const ClientInfo &client,
                                                              qint64 admissionId)
{
    const QString action = QStringLiteral("prescription.list");
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const std::optional<AdmissionRow> admission =
        IpdRepository::findAdmission(tx, actor.hospitalId, admissionId);
    if (!admission)
        auditMissAndThrow(tx, actor, client, action, QStringLiteral("admission"), admissionId);
    std::vector<PrescriptionRow> rows =
        MedicationRepository::prescriptionsOfAdmission(tx, actor.hospitalId, admissionId);
    QJsonArray ids;
    for (const PrescriptionRow &row : rows)
        ids.append(idText(row.id));
    AuditEntry audit = medicationAudit(actor, client, action, QStringLiteral("admission"),
                                       admissionId, admission->patientId);
    audit.details = {{key("prescriptionIds"), ids}};
    AuditLog::append(tx, audit);
    tx.commit();
    return rows;
}

PrescriptionRow MedicationService::stop(DbSession &db,
                                        const Principal &actor,
                                        const ClientInfo &client,
                                        qint64 prescriptionId,
                                        const QString &reason)
{
    const QString action = QStringLiteral("prescription.stop");
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    requirePrescriber(tx, actor, client, action, QStringLiteral("prescription"), prescriptionId);
    const std::optional<PrescriptionRow> current =
        MedicationRepository::findPrescription(tx, actor.hospitalId, prescriptionId, true);
    if (!current)
        auditMissAndThrow(tx, actor, client, action, QStringLiteral("prescription"),
                          prescriptionId);
    if (current->status != QLatin1String("active"))
        conflict(QStringLiteral("The prescription is already %1").arg(current->status));
    const PrescriptionRow stopped = MedicationRepository::endPrescription(
        tx, actor.hospitalId, prescriptionId, QStringLiteral("stopped"), actor.userId, reason);
    if (current->admissionId) {
        if (const std::optional<AdmissionRow> admission =
                IpdRepository::findAdmission(tx, actor.hospitalId, *current->admissionId))
            appendWardEvent(tx, actor.hospitalId, *admission,
                            QStringLiteral("prescription.stopped"),
                            {{key("prescriptionId"), idText(stopped.id)}});
    }
    AuditEntry audit = medicationAudit(actor, client, action, QStringLiteral("prescription"),
                                       stopped.id, stopped.patientId);
    audit.details = {{key("admissionId"), idOrNull(stopped.admissionId)}};
    AuditLog::append(tx, audit);
    tx.commit();
    return stopped;
}

AdministrationRow MedicationService::administer(DbSession &db,
                                                const Principal &actor,
                                                const ClientInfo &client,
                                                NewAdministration input)
{
    const QString action = QStringLiteral("medication.administer");
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    // The prescription row lock: two nurses recording one slot queue here, and the second
    // sees the first's record.
    const std::optional<PrescriptionRow> prescription =
        MedicationRepository::findPrescription(tx, actor.hospitalId, input.prescriptionId, true);
    if (!prescription || !prescription->admissionId)
        auditMissAndThrow(tx, actor, client, action, QStringLiteral("prescription"),
                          input.prescriptionId);
    const bool scheduled = medication::isScheduled(prescription->frequency);
    if (input.correctsId) {
        // A correction of an earlier record of this prescription: same slot, any status.
        const std::optional<AdministrationRow> corrected =
            MedicationRepository::findAdministration(tx, actor.hospitalId, *input.correctsId);
        if (!corrected || corrected->prescriptionId != prescription->id)
            auditMissAndThrow(tx, actor, client, action,
                              QStringLiteral("medication_administration"), *input.correctsId);
        if (!input.dueAt.isEmpty() && input.dueAt != corrected->dueAt)
            invalidField(key("dueAt"), QStringLiteral("must be the corrected record's slot"));
        if (MedicationRepository::isCorrected(tx, actor.hospitalId, corrected->id))
            conflict(QStringLiteral("That record has already been corrected"), key("correctsId"));
        input.dueAt = corrected->dueAt;
    } else {
        if (prescription->status != QLatin1String("active"))
            conflict(QStringLiteral("The prescription is %1").arg(prescription->status));
        if (scheduled)
            requireScheduledSlot(tx, actor.hospitalId, *prescription, input.dueAt);
        else if (prescription->frequency == QLatin1String("STAT"))
            input.adHocSlot = statSlot(tx, actor.hospitalId, *prescription, input.dueAt);
        else
            input.adHocSlot = asNeededSlot(tx, actor.hospitalId, *prescription, input.dueAt);
    }
    if (input.outcome == QLatin1String("given") && input.dose.isEmpty())
        input.dose = prescription->dose;
    AdministrationRow recorded;
    try {
        recorded =
            MedicationRepository::insertAdministration(tx, actor.hospitalId, input, actor.userId);
    } catch (const pqxx::unique_violation &) {
        // Two nurses racing for one slot (or a second STAT dose): the unique index decides.
        conflict(AlreadyRecorded, key("dueAt"));
    }
    const std::optional<AdmissionRow> admission =
        IpdRepository::findAdmission(tx, actor.hospitalId, *prescription->admissionId);
    if (admission)
        appendWardEvent(tx, actor.hospitalId, *admission, QStringLiteral("medication.administered"),
                        {{key("administrationId"), idText(recorded.id)},
                         {key("prescriptionId"), idText(prescription->id)}});
    AuditEntry audit =
        medicationAudit(actor, client, action, QStringLiteral("medication_administration"),
                        recorded.id, prescription->patientId);
    audit.details = {{key("prescriptionId"), idText(prescription->id)},
                     {key("outcome"), recorded.outcome},
                     {key("dueAt"), textOrNull(recorded.dueAt)},
                     {key("correctsId"), idOrNull(recorded.correctsId)}};
    AuditLog::append(tx, audit);
    tx.commit();
    return recorded;
}

WardMedications MedicationService::due(DbSession &db,
                                       const Principal &actor,
                                       const ClientInfo &client,
                                       qint64 wardId,
                                       QString from,
                                       QString to)
{
    const QString action = QStringLiteral("medication.due");
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (!IpdRepository::findWard(tx, actor.hospitalId, wardId))
        auditMissAndThrow(tx, actor, client, action, QStringLiteral("ward"), wardId);
    resolveWindow(tx, from, to, -2, 1);
    WardMedications ward;
    ward.due = MedicationRepository::dueOnWard(tx, actor.hospitalId, wardId, from, to);
    ward.asNeeded = MedicationRepository::asNeededOnWard(tx, actor.hospitalId, wardId, from, to);
    // SECURITY.md L1: a list records the patients it showed.
    PatientsShown patients;
    for (const DueDose &dose : ward.due)
        patients.add(dose.order.patientId);
    for (const AsNeededOrder &order : ward.asNeeded)
        patients.add(order.order.patientId);
    AuditEntry audit =
        medicationAudit(actor, client, action, QStringLiteral("ward"), wardId, std::nullopt);
    audit.details = {{key("patientIds"), patients.ids()}, {key("from"), from}, {key("to"), to}};
    AuditLog::append(tx, audit);
    tx.commit();
    return ward;
}

std::vector<WardAdministration> MedicationService::administrations(DbSession &db,
                                                                   const Principal &actor,
                                                                   const ClientInfo &client,
                                                                   qint64 wardId,
                                                                   QString from,
                                                                   QString to)
{
    const QString action = QStringLiteral("medication.round");
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (!IpdRepository::findWard(tx, actor.hospitalId, wardId))
        auditMissAndThrow(tx, actor, client, action, QStringLiteral("ward"), wardId);
    resolveWindow(tx, from, to, -12, 0);
    std::vector<WardAdministration> records =
        MedicationRepository::administrationsOnWard(tx, actor.hospitalId, wardId, from, to);
    // SECURITY.md L1: the patients and records shown.
    PatientsShown patients;
    QJsonArray ids;
    for (const WardAdministration &record : records) {
        ids.append(idText(record.record.id));
        patients.add(record.order.patientId);
    }
    AuditEntry audit =
        medicationAudit(actor, client, action, QStringLiteral("ward"), wardId, std::nullopt);
    audit.details = {{key("patientIds"), patients.ids()},
                     {key("administrationIds"), ids},
                     {key("from"), from},
                     {key("to"), to}};
    AuditLog::append(tx, audit);
    tx.commit();
    return records;
}

} // namespace hms::server
