#include "opd/appointmentservice.h"

#include "audit/auditlog.h"
#include "auth/authservice.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "live/eventlog.h"
#include "opd/opdrepository.h"
#include "opd/opdservice.h"

#include <QJsonArray>

#include <pqxx/except>
#include <pqxx/transaction>

namespace hms::server {

namespace {

AuditEntry appointmentAudit(const Principal &actor,
                            const ClientInfo &client,
                            const QString &action,
                            const AppointmentRow &appointment)
{
    AuditEntry entry = AuditEntry::forActor(actor, client, QStringLiteral("opd"), action,
                                            QStringLiteral("appointment"), idText(appointment.id));
    entry.patientId = appointment.patientId;
    entry.details = {{key("departmentId"), idText(appointment.departmentId)},
                     {key("doctorId"), idText(appointment.doctorId)},
                     {key("startsAt"), appointment.startsAt},
                     {key("state"), appointment.state}};
    return entry;
}

/// The event every appointment change appends in its own transaction (ids, times, state).
void appendAppointmentEvent(pqxx::transaction_base &tx,
                            const AppointmentRow &appointment,
                            const QString &type,
                            const QJsonObject &extra = {})
{
    QJsonObject data{{key("appointmentId"), idText(appointment.id)},
                     {key("doctorId"), idText(appointment.doctorId)},
                     {key("patientId"), idText(appointment.patientId)},
                     {key("startsAt"), appointment.startsAt},
                     {key("endsAt"), appointment.endsAt},
                     {key("state"), appointment.state}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        data.insert(it.key(), it.value());
    EventLog::append(tx, appointment.hospitalId, OpdService::topicOf(appointment.departmentId),
                     type, data);
}

DepartmentRow requireDepartment(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id)
{
    std::optional<DepartmentRow> department = OpdRepository::findDepartment(tx, hospitalId, id);
    if (!department)
        throw DomainError(problems::NotFound);
    return *department;
}

DomainError invalidField(const QString &field, const QString &message)
{
    Problem problem =
        Problem::fromType(problems::ValidationFailed, QStringLiteral("1 invalid field(s)"));
    problem.errors.append({field, message});
    return DomainError(problem);
}

DomainError slotTaken(qint64 doctorId, const SlotRow &slot)
{
    Problem problem =
        Problem::fromType(problems::Conflict,
                          QStringLiteral("The slot %1 to %2 of doctor %3 is already booked")
                              .arg(slot.startsAt, slot.endsAt, idText(doctorId)));
    problem.extensions.insert(key("slot"),
                              QJsonObject{{key("doctorId"), idText(doctorId)},
                                          {key("start"), slot.startsAt},
                                          {key("end"), slot.endsAt}});
    problem.errors.append({key("start"), QStringLiteral("is already booked")});
    return DomainError(problem);
}

/// The doctor's future slot in the department starting at \a startsAt, or 422 (start).
SlotRow requireSlot(pqxx::transaction_base &tx,
                    qint64 hospitalId,
                    qint64 departmentId,
                    qint64 doctorId,
                    const QString &startsAt)
{
    const std::optional<SlotRow> slot =
        AppointmentRepository::slotAt(tx, hospitalId, departmentId, doctorId, startsAt);
    if (!slot)
        throw invalidField(key("start"), QStringLiteral("is not a slot of the doctor's schedule"));
    if (!AppointmentRepository::isFuture(tx, slot->startsAt))
        throw invalidField(key("start"), QStringLiteral("is in the past"));
    return *slot;
}

[[noreturn]] void throwStale()
{
    throw DomainError(
        problems::PreconditionFailed,
        QStringLiteral("The appointment changed since you read it; reload and retry"));
}

void requireBooked(const AppointmentRow &appointment, const QString &action)
{
    if (appointment.state == QLatin1String("booked"))
        return;
    Problem problem = Problem::fromType(
        problems::InvalidTransition,
        QStringLiteral("A %1 appointment cannot be %2").arg(appointment.state, action));
    problem.extensions.insert(key("state"), appointment.state);
    throw DomainError(problem);
}

void auditList(pqxx::transaction_base &tx,
               const Principal &actor,
               const ClientInfo &client,
               const QString &entity,
               qint64 entityId,
               const std::vector<AppointmentRow> &rows,
               const QJsonObject &details)
{
    QJsonArray ids;
    for (const AppointmentRow &row : rows)
        ids.append(idText(row.patientId));
    AuditEntry audit =
        AuditEntry::forActor(actor, client, QStringLiteral("demographic"),
                             QStringLiteral("appointment.list"), entity, idText(entityId));
    audit.details = details;
    audit.details.insert(key("patientIds"), ids);
    AuditLog::append(tx, audit);
}

} // namespace

void AppointmentService::lockDoctor(pqxx::transaction_base &tx, qint64 hospitalId, qint64 doctorId)
{
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtextextended('hms.appointments:' || $1::text "
                   "|| ':' || $2::text, 0))",
                   hospitalId, doctorId);
}

QJsonObject AppointmentService::toJson(const ScheduleRow &schedule)
{
    return {{key("id"), idText(schedule.id)},
            {key("departmentId"), idText(schedule.departmentId)},
            {key("doctorId"), idText(schedule.doctorId)},
            {key("weekday"), schedule.weekday},
            {key("start"), schedule.startTime},
            {key("end"), schedule.endTime},
            {key("slotMinutes"), schedule.slotMinutes}};
}

QJsonObject AppointmentService::toJson(const SlotRow &slot)
{
    return {{key("doctorId"), idText(slot.doctorId)},
            {key("start"), slot.startsAt},
            {key("end"), slot.endsAt}};
}

QJsonObject AppointmentService::toJson(const AppointmentRow &appointment)
{
    return {{key("id"), idText(appointment.id)},
            {key("departmentId"), idText(appointment.departmentId)},
            {key("doctorId"), idText(appointment.doctorId)},
            {key("patientId"), idText(appointment.patientId)},
            {key("start"), appointment.startsAt},
            {key("end"), appointment.endsAt},
            {key("date"), appointment.localDate},
            {key("reason"), textOrNull(appointment.reason)},
            {key("state"), appointment.state},
            {key("cancelReason"), textOrNull(appointment.cancelReason)},
            {key("visitId"),
             appointment.visitId ? QJsonValue(idText(*appointment.visitId)) : QJsonValue()},
            {key("createdAt"), appointment.createdAt},
            {key("version"), appointment.version}};
}

ScheduleRow AppointmentService::createSchedule(DbSession &db,
                                               const Principal &actor,
                                               const ClientInfo &client,
                                               qint64 departmentId,
                                               qint64 doctorId,
                                               int weekday,
                                               const QString &startTime,
                                               const QString &endTime,
                                               int slotMinutes)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    requireDepartment(tx, actor.hospitalId, departmentId);
    if (!OpdRepository::isAssigned(tx, actor.hospitalId, departmentId, doctorId))
        throw invalidField(key("doctorId"), QStringLiteral("is not a doctor of this department"));
    // A doctor is in one place at a time: no two rules of one weekday overlap, whatever
    // their department.
    lockDoctor(tx, actor.hospitalId, doctorId);
    if (AppointmentRepository::scheduleOverlaps(tx, actor.hospitalId, doctorId, weekday, startTime,
                                                endTime)) {
        Problem problem = Problem::fromType(
            problems::Conflict,
            QStringLiteral("The doctor already has a schedule rule overlapping these hours"));
        problem.errors.append({key("start"), QStringLiteral("overlaps an existing rule")});
        throw DomainError(problem);
    }
    const ScheduleRow created =
        AppointmentRepository::insertSchedule(tx, actor.hospitalId, departmentId, doctorId, weekday,
                                              startTime, endTime, slotMinutes, actor.userId);
    AuditEntry audit = AuditEntry::forActor(actor, client, QStringLiteral("admin"),
                                            QStringLiteral("schedule.create"),
                                            QStringLiteral("schedule"), idText(created.id));
    audit.details = toJson(created);
    AuditLog::append(tx, audit);
    tx.commit();
    return created;
}

std::vector<ScheduleRow>
AppointmentService::schedules(DbSession &db, const Principal &actor, qint64 departmentId)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    requireDepartment(tx, actor.hospitalId, departmentId);
    std::vector<ScheduleRow> rows =
        AppointmentRepository::schedules(tx, actor.hospitalId, departmentId);
    tx.commit();
    return rows;
}

bool AppointmentService::addOffDay(DbSession &db,
                                   const Principal &actor,
                                   const ClientInfo &client,
                                   qint64 doctorId,
                                   const QString &date,
                                   const std::optional<QString> &reason)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (!OpdRepository::isDoctor(tx, actor.hospitalId, doctorId))
        throw DomainError(problems::NotFound);
    if (!AppointmentRepository::insertOffDay(tx, actor.hospitalId, doctorId, date, reason,
                                             actor.userId))
        return false;
    // The reason stays in the table (it may name people); the audit row has the date only.
    AuditEntry audit = AuditEntry::forActor(actor, client, QStringLiteral("admin"),
                                            QStringLiteral("schedule.off_day"),
                                            QStringLiteral("user"), idText(doctorId));
    audit.details = {{key("date"), date}};
    AuditLog::append(tx, audit);
    tx.commit();
    return true;
}

void AppointmentService::removeOffDay(DbSession &db,
                                      const Principal &actor,
                                      const ClientInfo &client,
                                      qint64 doctorId,
                                      const QString &date)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (!OpdRepository::isDoctor(tx, actor.hospitalId, doctorId)
        || !AppointmentRepository::deleteOffDay(tx, actor.hospitalId, doctorId, date))
        throw DomainError(problems::NotFound);
    AuditEntry audit = AuditEntry::forActor(actor, client, QStringLiteral("admin"),
                                            QStringLiteral("schedule.off_day.remove"),
                                            QStringLiteral("user"), idText(doctorId));
    audit.details = {{key("date"), date}};
    AuditLog::append(tx, audit);
    tx.commit();
}

QStringList AppointmentService::offDays(DbSession &db,
                                        const Principal &actor,
                                        qint64 doctorId,
                                        const QString &fromDate)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (!OpdRepository::isDoctor(tx, actor.hospitalId, doctorId))
        throw DomainError(problems::NotFound);
    QStringList days = AppointmentRepository::offDays(tx, actor.hospitalId, doctorId, fromDate);
    tx.commit();
    return days;
}

void AppointmentService::deleteSchedule(DbSession &db,
                                        const Principal &actor,
                                        const ClientInfo &client,
                                        qint64 departmentId,
                                        qint64 scheduleId)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (!AppointmentRepository::deleteSchedule(tx, actor.hospitalId, departmentId, scheduleId))
        throw DomainError(problems::NotFound);
    AuditEntry audit = AuditEntry::forActor(actor, client, QStringLiteral("admin"),
                                            QStringLiteral("schedule.delete"),
                                            QStringLiteral("department"), idText(departmentId));
    audit.details = {{key("scheduleId"), idText(scheduleId)}};
    AuditLog::append(tx, audit);
    tx.commit();
}

std::vector<SlotRow> AppointmentService::freeSlots(DbSession &db,
                                                   const Principal &actor,
                                                   qint64 departmentId,
                                                   std::optional<qint64> doctorId,
                                                   const QString &date)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    requireDepartment(tx, actor.hospitalId, departmentId);
    std::vector<SlotRow> rows =
        AppointmentRepository::freeSlots(tx, actor.hospitalId, departmentId, doctorId, date);
    tx.commit();
    return rows;
}

std::optional<AppointmentRow> AppointmentService::book(DbSession &db,
                                                       const Principal &actor,
                                                       const ClientInfo &client,
                                                       qint64 patientId,
                                                       qint64 departmentId,
                                                       qint64 doctorId,
                                                       const QString &startsAt,
                                                       const std::optional<QString> &reason,
                                                       const TransactionHooks &hooks)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (hooks.begin && !hooks.begin(tx))
        return std::nullopt;
    const std::optional<DepartmentRow> department =
        OpdRepository::findDepartment(tx, actor.hospitalId, departmentId);
    if (!department || !department->active)
        throw DomainError(problems::NotFound, QStringLiteral("No such department"));
    if (!OpdRepository::patientExists(tx, actor.hospitalId, patientId))
        throw DomainError(problems::NotFound, QStringLiteral("No such patient"));
    if (!OpdRepository::isAssigned(tx, actor.hospitalId, departmentId, doctorId))
        throw DomainError(problems::NotFound, QStringLiteral("No such doctor in this department"));
    const SlotRow slot = requireSlot(tx, actor.hospitalId, departmentId, doctorId, startsAt);
    lockDoctor(tx, actor.hospitalId, doctorId);
    AppointmentRow booked;
    try {
        booked = AppointmentRepository::insertAppointment(
            tx, actor.hospitalId, departmentId, doctorId, patientId, slot, reason, actor.userId);
    } catch (const pqxx::sql_error &error) {
        if (AppointmentRepository::isOverlap(error))
            throw slotTaken(doctorId, slot);
        throw;
    }
    appendAppointmentEvent(tx, booked, QStringLiteral("appointment.booked"));
    AuditLog::append(tx,
                     appointmentAudit(actor, client, QStringLiteral("appointment.book"), booked));
    if (hooks.beforeCommit)
        hooks.beforeCommit(tx, booked);
    tx.commit();
    return booked;
}

AppointmentRow AppointmentService::appointment(DbSession &db,
                                               const Principal &actor,
                                               const ClientInfo &client,
                                               qint64 id)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const std::optional<AppointmentRow> found =
        AppointmentRepository::findAppointment(tx, actor.hospitalId, id);
    if (!found)
        throw DomainError(problems::NotFound);
    AuditEntry audit = appointmentAudit(actor, client, QStringLiteral("appointment.read"), *found);
    audit.category = QStringLiteral("demographic");
    AuditLog::append(tx, audit);
    tx.commit();
    return *found;
}

std::vector<AppointmentRow> AppointmentService::forDoctorDay(DbSession &db,
                                                             const Principal &actor,
                                                             const ClientInfo &client,
                                                             qint64 doctorId,
                                                             const QString &date)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    std::vector<AppointmentRow> rows =
        AppointmentRepository::forDoctorDay(tx, actor.hospitalId, doctorId, date);
    auditList(tx, actor, client, QStringLiteral("user"), doctorId, rows, {{key("date"), date}});
    tx.commit();
    return rows;
}

std::vector<AppointmentRow> AppointmentService::forPatient(DbSession &db,
                                                           const Principal &actor,
                                                           const ClientInfo &client,
                                                           qint64 patientId,
                                                           int limit)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const bool exists =
        tx.exec_params1("SELECT EXISTS (SELECT 1 FROM patients WHERE hospital_id = $1 AND id = $2)",
                        actor.hospitalId, patientId)[0]
            .as<bool>();
    if (!exists)
        throw DomainError(problems::NotFound);
    std::vector<AppointmentRow> rows =
        AppointmentRepository::forPatient(tx, actor.hospitalId, patientId, limit);
    auditList(tx, actor, client, QStringLiteral("patient"), patientId, rows, {});
    tx.commit();
    return rows;
}

AppointmentRow AppointmentService::cancel(DbSession &db,
                                          const Principal &actor,
                                          const ClientInfo &client,
                                          qint64 id,
                                          int expectedVersion,
                                          const QString &reason)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const std::optional<AppointmentRow> current =
        AppointmentRepository::findAppointment(tx, actor.hospitalId, id, true);
    if (!current)
        throw DomainError(problems::NotFound);
    if (current->version != expectedVersion)
        throwStale();
    requireBooked(*current, QStringLiteral("cancelled"));
    const std::optional<AppointmentRow> cancelled = AppointmentRepository::cancel(
        tx, actor.hospitalId, id, expectedVersion, reason, actor.userId);
    if (!cancelled)
        throwStale();
    appendAppointmentEvent(tx, *cancelled, QStringLiteral("appointment.cancelled"));
    // The reason stays on the row (free text may name people), not in the audit log.
    AuditLog::append(
        tx, appointmentAudit(actor, client, QStringLiteral("appointment.cancel"), *cancelled));
    tx.commit();
    return *cancelled;
}

AppointmentRow AppointmentService::reschedule(DbSession &db,
                                              const Principal &actor,
                                              const ClientInfo &client,
                                              qint64 id,
                                              int expectedVersion,
                                              const QString &startsAt)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const std::optional<AppointmentRow> current =
        AppointmentRepository::findAppointment(tx, actor.hospitalId, id, true);
    if (!current)
        throw DomainError(problems::NotFound);
    if (current->version != expectedVersion)
        throwStale();
    requireBooked(*current, QStringLiteral("rescheduled"));
    const SlotRow slot =
        requireSlot(tx, actor.hospitalId, current->departmentId, current->doctorId, startsAt);
    if (slot.startsAt == current->startsAt)
        throw invalidField(key("start"), QStringLiteral("is the appointment's current slot"));
    lockDoctor(tx, actor.hospitalId, current->doctorId);
    std::optional<AppointmentRow> moved;
    try {
        moved = AppointmentRepository::moveTo(tx, actor.hospitalId, id, expectedVersion, slot,
                                              actor.userId);
    } catch (const pqxx::sql_error &error) {
        if (AppointmentRepository::isOverlap(error))
            throw slotTaken(current->doctorId, slot);
        throw;
    }
    if (!moved)
        throwStale();
    appendAppointmentEvent(tx, *moved, QStringLiteral("appointment.rescheduled"),
                           {{key("previousStartsAt"), current->startsAt}});
    AuditEntry audit =
        appointmentAudit(actor, client, QStringLiteral("appointment.reschedule"), *moved);
    audit.details.insert(key("previousStartsAt"), current->startsAt);
    AuditLog::append(tx, audit);
    tx.commit();
    return *moved;
}

} // namespace hms::server
