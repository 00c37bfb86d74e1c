#include "opd/opdservice.h"

#include "audit/auditlog.h"
#include "auth/authservice.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "live/eventlog.h"
#include "opd/appointmentrepository.h"

#include <QJsonArray>

#include <pqxx/except>
#include <pqxx/transaction>

namespace hms::server {

namespace {

AuditEntry opdAudit(const Principal &actor,
                    const ClientInfo &client,
                    const QString &action,
                    const QString &entity,
                    qint64 entityId)
{
    return AuditEntry::forActor(actor, client, QStringLiteral("opd"), action, entity,
                                idText(entityId));
}

AuditEntry visitAudit(const Principal &actor,
                      const ClientInfo &client,
                      const QString &action,
                      const VisitRow &visit)
{
    AuditEntry entry = opdAudit(actor, client, action, QStringLiteral("visit"), visit.id);
    entry.patientId = visit.patientId;
    entry.details = {{key("departmentId"), idText(visit.departmentId)},
                     {key("token"), visit.token},
                     {key("state"), visit.state},
                     {key("visitDate"), visit.visitDate}};
    return entry;
}

/// The event every queue change appends in its own transaction (ids and states only).
void appendQueueEvent(pqxx::transaction_base &tx, const VisitRow &visit, const QString &type)
{
    EventLog::append(tx, visit.hospitalId, OpdService::topicOf(visit.departmentId), type,
                     {{key("visitId"), idText(visit.id)},
                      {key("token"), visit.token},
                      {key("state"), visit.state},
                      {key("patientId"), idText(visit.patientId)}});
}

DepartmentRow requireDepartment(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id)
{
    std::optional<DepartmentRow> department = OpdRepository::findDepartment(tx, hospitalId, id);
    if (!department)
        throw DomainError(problems::NotFound);
    return *department;
}

/// Records a refused action in its own committed piece of \a tx and answers 403.
[[noreturn]] void auditDeniedAndThrow(pqxx::work &tx,
                                      const Principal &actor,
                                      const ClientInfo &client,
                                      const QString &entity,
                                      qint64 entityId,
                                      const QString &reason,
                                      const QString &detail)
{
    AuditEntry entry = opdAudit(actor, client, QStringLiteral("access.denied"), entity, entityId);
    entry.category = QStringLiteral("access");
    entry.outcome = QStringLiteral("denied");
    entry.details = {{key("reason"), reason}};
    AuditLog::append(tx, entry);
    tx.commit();
    throw DomainError(problems::Forbidden, detail);
}

QString eventTypeFor(const QString &to)
{
    if (to == QLatin1String("waiting"))
        return QStringLiteral("visit.recalled");
    return QStringLiteral("visit.") + to;
}

} // namespace

const QStringList OpdService::States{
    QStringLiteral("waiting"),   QStringLiteral("called"),  QStringLiteral("in_consultation"),
    QStringLiteral("completed"), QStringLiteral("no_show"), QStringLiteral("cancelled")};

const QStringList OpdService::TransitionTargets{
    QStringLiteral("in_consultation"), QStringLiteral("completed"), QStringLiteral("no_show"),
    QStringLiteral("cancelled"), QStringLiteral("waiting")};

bool OpdService::isAllowedTransition(const QString &from, const QString &to)
{
    static const QHash<QString, QStringList> allowed{
        {QStringLiteral("waiting"),
         {QStringLiteral("called"), QStringLiteral("no_show"), QStringLiteral("cancelled")}},
        {QStringLiteral("called"),
         {QStringLiteral("in_consultation"), QStringLiteral("waiting"), QStringLiteral("no_show"),
          QStringLiteral("cancelled")}},
        {QStringLiteral("in_consultation"), {QStringLiteral("completed")}},
    };
    return allowed.value(from).contains(to);
}

bool OpdService::mayTransitionTo(Role role, const QString &to)
{
    if (to == QLatin1String("in_consultation") || to == QLatin1String("completed"))
        return roleHas(role, Permission::QueueCall);
    return roleHas(role, Permission::QueueCall) || roleHas(role, Permission::QueueManage);
}

QString OpdService::topicOf(qint64 departmentId)
{
    return QStringLiteral("queue:") + QString::number(departmentId);
}

QJsonObject OpdService::toJson(const DepartmentRow &department)
{
    return {{key("id"), idText(department.id)},
            {key("code"), department.code},
            {key("name"), department.name},
            {key("active"), department.active},
            {key("version"), department.version}};
}

QJsonObject OpdService::toJson(const VisitRow &visit)
{
    return {{key("id"), idText(visit.id)},
            {key("departmentId"), idText(visit.departmentId)},
            {key("patientId"), idText(visit.patientId)},
            {key("visitDate"), visit.visitDate},
            {key("token"), visit.token},
            {key("state"), visit.state},
            {key("createdAt"), visit.createdAt},
            {key("calledAt"), textOrNull(visit.calledAt)},
            {key("calledBy"), visit.calledBy ? QJsonValue(idText(*visit.calledBy)) : QJsonValue()},
            {key("startedAt"), textOrNull(visit.startedAt)},
            {key("completedAt"), textOrNull(visit.completedAt)},
            {key("appointmentId"),
             visit.appointmentId ? QJsonValue(idText(*visit.appointmentId)) : QJsonValue()},
            {key("version"), visit.version}};
}

DepartmentRow OpdService::createDepartment(DbSession &db,
                                           const Principal &actor,
                                           const ClientInfo &client,
                                           const QString &code,
                                           const QString &name)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const std::optional<DepartmentRow> created =
        OpdRepository::insertDepartment(tx, actor.hospitalId, code, name, actor.userId);
    if (!created) {
        Problem problem = Problem::fromType(
            problems::Conflict, QStringLiteral("A department with this code already exists"));
        problem.errors.append({key("code"), QStringLiteral("is already taken")});
        throw DomainError(problem);
    }
    AuditEntry audit = opdAudit(actor, client, QStringLiteral("department.create"),
                                QStringLiteral("department"), created->id);
    audit.category = QStringLiteral("admin");
    audit.details = {{key("code"), created->code}};
    AuditLog::append(tx, audit);
    tx.commit();
    return *created;
}

std::vector<DepartmentRow> OpdService::departments(DbSession &db, const Principal &actor)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    std::vector<DepartmentRow> rows = OpdRepository::departments(tx, actor.hospitalId);
    tx.commit();
    return rows;
}

DepartmentRow OpdService::department(DbSession &db, const Principal &actor, qint64 departmentId)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const DepartmentRow row = requireDepartment(tx, actor.hospitalId, departmentId);
    tx.commit();
    return row;
}

DepartmentRow OpdService::updateDepartment(DbSession &db,
                                           const Principal &actor,
                                           const ClientInfo &client,
                                           qint64 departmentId,
                                           int expectedVersion,
                                           const DepartmentChanges &changes)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const DepartmentRow current = requireDepartment(tx, actor.hospitalId, departmentId);
    const std::optional<DepartmentRow> updated = OpdRepository::updateDepartment(
        tx, actor.hospitalId, departmentId, expectedVersion, changes.name.value_or(current.name),
        changes.active.value_or(current.active), actor.userId);
    if (!updated)
        throw DomainError(problems::PreconditionFailed,
                          QStringLiteral("The department changed since you read it; reload and "
                                         "retry"));
    EventLog::append(tx, actor.hospitalId, topicOf(departmentId),
                     QStringLiteral("department.updated"),
                     {{key("departmentId"), idText(departmentId)},
                      {key("active"), updated->active},
                      {key("version"), updated->version}});
    AuditEntry audit = opdAudit(actor, client, QStringLiteral("department.update"),
                                QStringLiteral("department"), departmentId);
    audit.category = QStringLiteral("admin");
    QJsonArray fields;
    if (changes.active)
        fields.append(key("active"));
    if (changes.name)
        fields.append(key("name"));
    audit.details = {{key("fields"), fields}, {key("active"), updated->active}};
    AuditLog::append(tx, audit);
    tx.commit();
    return *updated;
}

std::vector<OpdRepository::DoctorRow>
OpdService::doctors(DbSession &db, const Principal &actor, qint64 departmentId)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    requireDepartment(tx, actor.hospitalId, departmentId);
    std::vector<OpdRepository::DoctorRow> rows =
        OpdRepository::departmentDoctors(tx, actor.hospitalId, departmentId);
    tx.commit();
    return rows;
}

void OpdService::removeDoctor(DbSession &db,
                              const Principal &actor,
                              const ClientInfo &client,
                              qint64 departmentId,
                              qint64 userId)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    requireDepartment(tx, actor.hospitalId, departmentId);
    if (!OpdRepository::removeDoctor(tx, actor.hospitalId, departmentId, userId))
        throw DomainError(problems::NotFound);
    AuditEntry audit = opdAudit(actor, client, QStringLiteral("department.doctor.remove"),
                                QStringLiteral("department"), departmentId);
    audit.category = QStringLiteral("admin");
    audit.details = {{key("userId"), idText(userId)}};
    AuditLog::append(tx, audit);
    tx.commit();
}

bool OpdService::assignDoctor(DbSession &db,
                              const Principal &actor,
                              const ClientInfo &client,
                              qint64 departmentId,
                              qint64 userId)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    requireDepartment(tx, actor.hospitalId, departmentId);
    if (!OpdRepository::isDoctor(tx, actor.hospitalId, userId)) {
        Problem problem =
            Problem::fromType(problems::ValidationFailed, QStringLiteral("1 invalid field(s)"));
        problem.errors.append({key("userId"), QStringLiteral("is not a doctor of this hospital")});
        throw DomainError(problem);
    }
    if (!OpdRepository::addDoctor(tx, actor.hospitalId, departmentId, userId))
        return false;
    AuditEntry audit = opdAudit(actor, client, QStringLiteral("department.doctor.add"),
                                QStringLiteral("department"), departmentId);
    audit.category = QStringLiteral("admin");
    audit.details = {{key("userId"), idText(userId)}};
    AuditLog::append(tx, audit);
    tx.commit();
    return true;
}

std::optional<VisitRow> OpdService::checkIn(DbSession &db,
                                            const Principal &actor,
                                            const ClientInfo &client,
                                            const CheckInRequest &request,
                                            const TransactionHooks &hooks)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (hooks.begin && !hooks.begin(tx))
        return std::nullopt;
    std::optional<AppointmentRow> appointment;
    if (request.appointmentId) {
        // Locked: a concurrent check-in of the same appointment waits, then sees checked_in.
        appointment = AppointmentRepository::findAppointment(tx, actor.hospitalId,
                                                             *request.appointmentId, true);
        if (!appointment)
            throw DomainError(problems::NotFound, QStringLiteral("No such appointment"));
        Problem mismatch =
            Problem::fromType(problems::ValidationFailed, QStringLiteral("Invalid fields"));
        if (request.patientId && *request.patientId != appointment->patientId)
            mismatch.errors.append({key("patientId"), QStringLiteral("is not the appointment's")});
        if (request.departmentId && *request.departmentId != appointment->departmentId)
            mismatch.errors.append(
                {key("departmentId"), QStringLiteral("is not the appointment's")});
        if (!mismatch.errors.isEmpty())
            throw DomainError(mismatch);
        if (appointment->state != QLatin1String("booked")) {
            Problem problem = Problem::fromType(
                problems::InvalidTransition,
                QStringLiteral("A %1 appointment cannot be checked in").arg(appointment->state));
            problem.extensions.insert(key("state"), appointment->state);
            throw DomainError(problem);
        }
        if (appointment->localDate != OpdRepository::today(tx, actor.hospitalId)) {
            Problem problem = Problem::fromType(
                problems::InvalidTransition,
                QStringLiteral("The appointment is on %1, not today").arg(appointment->localDate));
            problem.extensions.insert(key("state"), appointment->state);
            throw DomainError(problem);
        }
    }
    const qint64 departmentId =
        appointment ? appointment->departmentId : request.departmentId.value_or(0);
    const qint64 patientId = appointment ? appointment->patientId : request.patientId.value_or(0);
    const std::optional<DepartmentRow> department =
        OpdRepository::findDepartment(tx, actor.hospitalId, departmentId);
    if (!department || !department->active)
        throw DomainError(problems::NotFound, QStringLiteral("No such department"));
    if (!OpdRepository::patientExists(tx, actor.hospitalId, patientId))
        throw DomainError(problems::NotFound, QStringLiteral("No such patient"));
    const auto alreadyQueued = [] {
        Problem problem =
            Problem::fromType(problems::Conflict,
                              QStringLiteral("The patient is already in this department's queue"));
        problem.errors.append({key("patientId"), QStringLiteral("already has an open visit")});
        return DomainError(problem);
    };
    if (OpdRepository::hasOpenVisit(tx, actor.hospitalId, departmentId, patientId))
        throw alreadyQueued();

    const QString date = OpdRepository::today(tx, actor.hospitalId);
    const int token = OpdRepository::nextToken(tx, actor.hospitalId, departmentId, date);
    VisitRow visit;
    try {
        visit = OpdRepository::insertVisit(tx, actor.hospitalId, departmentId, patientId, date,
                                           token, actor.userId);
    } catch (const pqxx::unique_violation &) {
        // A concurrent check-in of the same patient committed first; the rollback gives
        // the token back.
        throw alreadyQueued();
    }
    appendQueueEvent(tx, visit, QStringLiteral("visit.checked_in"));
    AuditEntry visitEntry = visitAudit(actor, client, QStringLiteral("visit.check_in"), visit);
    if (appointment) {
        const AppointmentRow checkedIn = AppointmentRepository::markCheckedIn(
            tx, actor.hospitalId, appointment->id, visit.id, actor.userId);
        visit.appointmentId = checkedIn.id;
        visitEntry.details.insert(key("appointmentId"), idText(checkedIn.id));
        EventLog::append(tx, checkedIn.hospitalId, topicOf(checkedIn.departmentId),
                         QStringLiteral("appointment.checked_in"),
                         {{key("appointmentId"), idText(checkedIn.id)},
                          {key("doctorId"), idText(checkedIn.doctorId)},
                          {key("patientId"), idText(checkedIn.patientId)},
                          {key("startsAt"), checkedIn.startsAt},
                          {key("endsAt"), checkedIn.endsAt},
                          {key("state"), checkedIn.state},
                          {key("visitId"), idText(visit.id)}});
    }
    AuditLog::append(tx, visitEntry);
    if (hooks.beforeCommit)
        hooks.beforeCommit(tx, visit);
    tx.commit();
    return visit;
}

VisitRow
OpdService::visit(DbSession &db, const Principal &actor, const ClientInfo &client, qint64 id)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const std::optional<VisitRow> found = OpdRepository::findVisit(tx, actor.hospitalId, id);
    if (!found)
        throw DomainError(problems::NotFound);
    AuditEntry audit = visitAudit(actor, client, QStringLiteral("visit.read"), *found);
    audit.category = QStringLiteral("demographic");
    AuditLog::append(tx, audit);
    tx.commit();
    return *found;
}

VisitRow OpdService::callNext(DbSession &db,
                              const Principal &actor,
                              const ClientInfo &client,
                              qint64 departmentId)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    requireDepartment(tx, actor.hospitalId, departmentId);
    if (!OpdRepository::isAssigned(tx, actor.hospitalId, departmentId, actor.userId))
        auditDeniedAndThrow(tx, actor, client, QStringLiteral("department"), departmentId,
                            QStringLiteral("not-assigned"),
                            QStringLiteral("You are not a doctor of this department"));
    const QString date = OpdRepository::today(tx, actor.hospitalId);
    const std::optional<VisitRow> called =
        OpdRepository::callNext(tx, actor.hospitalId, departmentId, date, actor.userId);
    if (!called)
        throw DomainError(problems::QueueEmpty, QStringLiteral("Nobody is waiting"));
    appendQueueEvent(tx, *called, QStringLiteral("visit.called"));
    AuditLog::append(tx, visitAudit(actor, client, QStringLiteral("visit.call"), *called));
    tx.commit();
    return *called;
}

VisitRow OpdService::transition(DbSession &db,
                                const Principal &actor,
                                const ClientInfo &client,
                                qint64 visitId,
                                int expectedVersion,
                                const QString &to)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (!mayTransitionTo(actor.role, to))
        auditDeniedAndThrow(tx, actor, client, QStringLiteral("visit"), visitId,
                            QStringLiteral("transition-") + to,
                            QStringLiteral("Your role may not move a visit to %1").arg(to));
    // Locks the row: a concurrent transition with the same If-Match waits, then gets 412.
    const std::optional<VisitRow> current =
        OpdRepository::findVisit(tx, actor.hospitalId, visitId, true);
    if (!current)
        throw DomainError(problems::NotFound);
    if (current->version != expectedVersion)
        throw DomainError(problems::PreconditionFailed,
                          QStringLiteral("The visit changed since you read it; reload and retry"));
    if (!isAllowedTransition(current->state, to)) {
        Problem problem = Problem::fromType(
            problems::InvalidTransition,
            QStringLiteral("A visit cannot go from %1 to %2").arg(current->state, to));
        problem.extensions.insert(key("state"), current->state);
        throw DomainError(problem);
    }
    const std::optional<VisitRow> updated =
        OpdRepository::setState(tx, actor.hospitalId, visitId, expectedVersion, to, actor.userId);
    if (!updated)
        throw DomainError(problems::PreconditionFailed,
                          QStringLiteral("The visit changed since you read it; reload and retry"));
    appendQueueEvent(tx, *updated, eventTypeFor(to));
    AuditEntry audit = visitAudit(actor, client, QStringLiteral("visit.transition"), *updated);
    audit.details.insert(key("from"), current->state);
    AuditLog::append(tx, audit);
    tx.commit();
    return *updated;
}

OpdService::Queue OpdService::queue(DbSession &db,
                                    const Principal &actor,
                                    const ClientInfo &client,
                                    qint64 departmentId)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    requireDepartment(tx, actor.hospitalId, departmentId);
    Queue queue;
    queue.date = OpdRepository::today(tx, actor.hospitalId);
    queue.items = OpdRepository::queue(tx, actor.hospitalId, departmentId, queue.date);
    // SECURITY.md L1: the board shows names and MRNs, so the ids shown are audited.
    QJsonArray ids;
    for (const QueueItem &item : queue.items)
        ids.append(idText(item.patientId));
    AuditEntry audit = opdAudit(actor, client, QStringLiteral("queue.read"),
                                QStringLiteral("department"), departmentId);
    audit.category = QStringLiteral("demographic");
    audit.details = {{key("patientIds"), ids}, {key("date"), queue.date}};
    AuditLog::append(tx, audit);
    tx.commit();
    return queue;
}

} // namespace hms::server
