#include "audit/auditlog.h"
#include "live/eventlog.h"
#include "opd/opdrepository.h"
#include "opd/opdservice.h"
#include "patients/patientrepository.h"
#include "users/userrepository.h"
#include "workflows/definitions/productworkflows.h"
#include "workflows/definitions/workflowsteps.h"
#include "workflows/workflow.h"

#include <QJsonArray>

#include <pqxx/transaction>

#include <algorithm>

namespace hms::server::wf {

namespace {

using steps::idOf;
using steps::k;

/// The enabled doctors of the department, by id.
std::vector<qint64>
departmentDoctorIds(pqxx::transaction_base &tx, qint64 hospitalId, qint64 departmentId)
{
    std::vector<qint64> ids;
    for (const OpdRepository::DoctorRow &doctor :
         OpdRepository::departmentDoctors(tx, hospitalId, departmentId))
        if (doctor.enabled)
            ids.push_back(doctor.userId);
    std::sort(ids.begin(), ids.end());
    return ids;
}

QJsonObject registerPatient(WorkflowContext &ctx)
{
    const QJsonObject &in = ctx.input();
    const std::optional<qint64> patientId = idOf(in, "patientId");
    if (!patientId)
        throw NonRetryable("registerPatient: input without patientId");
    const std::optional<qint64> actor = idOf(in, "actorUserId");
    const std::optional<qint64> departmentId = idOf(in, "departmentId");

    const QJsonObject notified = ctx.step(QStringLiteral("notifyDoctors"), [&](pqxx::work &tx) {
        if (!departmentId)
            return QJsonObject{{k("notificationIds"), QJsonArray()}};
        return QJsonObject{
            {k("notificationIds"),
             steps::notifyUsers(tx, ctx, departmentDoctorIds(tx, ctx.hospitalId(), *departmentId),
                                QStringLiteral("patient.registered"), *patientId,
                                QStringLiteral("department"), *departmentId)}};
    });

    const QJsonObject visit = ctx.step(QStringLiteral("checkIn"), [&](pqxx::work &tx) {
        if (!departmentId)
            return QJsonObject{{k("skipped"), k("no-check-in")}};
        const std::optional<DepartmentRow> department =
            OpdRepository::findDepartment(tx, ctx.hospitalId(), *departmentId);
        if (!department || !department->active)
            return QJsonObject{{k("skipped"), k("department-inactive")}};
        if (OpdRepository::hasOpenVisit(tx, ctx.hospitalId(), *departmentId, *patientId))
            return QJsonObject{{k("skipped"), k("already-queued")}};
        const QString date = OpdRepository::today(tx, ctx.hospitalId());
        const int token = OpdRepository::nextToken(tx, ctx.hospitalId(), *departmentId, date);
        const VisitRow row = OpdRepository::insertVisit(tx, ctx.hospitalId(), *departmentId,
                                                        *patientId, date, token, actor.value_or(0));
        EventLog::append(tx, ctx.hospitalId(), OpdService::topicOf(*departmentId),
                         QStringLiteral("visit.checked_in"),
                         {{k("visitId"), QString::number(row.id)},
                          {k("token"), row.token},
                          {k("state"), row.state},
                          {k("patientId"), QString::number(row.patientId)}});
        AuditEntry audit = steps::workflowAudit(ctx, actor, QStringLiteral("demographic"),
                                                QStringLiteral("visit.check_in"),
                                                QStringLiteral("visit"), row.id, *patientId);
        audit.details.insert(k("departmentId"), QString::number(*departmentId));
        audit.details.insert(k("token"), row.token);
        AuditLog::append(tx, audit);
        return QJsonObject{{k("visitId"), QString::number(row.id)}, {k("token"), row.token}};
    });

    const qint64 reminderAfterMs = qint64(
        in.value(k("reminderAfterMs")).toDouble(double(registerpatient::DefaultReminderAfterMs)));
    ctx.sleep(QStringLiteral("demographicsGrace"), std::chrono::milliseconds(reminderAfterMs));

    const QJsonObject reminded = ctx.step(QStringLiteral("remindReception"), [&](pqxx::work &tx) {
        const std::optional<QStringList> fields =
            PatientRepository::missingDemographics(tx, ctx.hospitalId(), *patientId);
        if (!fields)
            return QJsonObject{{k("skipped"), k("patient-gone")}};
        const QJsonArray missing = QJsonArray::fromStringList(*fields);
        if (missing.isEmpty())
            return QJsonObject{{k("missing"), missing}, {k("notificationIds"), QJsonArray()}};
        return QJsonObject{
            {k("missing"), missing},
            {k("notificationIds"),
             steps::notifyUsers(tx, ctx, UserRepository::enabledIdsWithRole(tx, Role::Reception),
                                QStringLiteral("patient.demographics_missing"), *patientId,
                                QStringLiteral("patient"), *patientId)}};
    });

    return {{k("doctorsNotified"), notified.value(k("notificationIds")).toArray().size()},
            {k("visitId"), visit.value(k("visitId"))},
            {k("receptionNotified"), reminded.value(k("notificationIds")).toArray().size()}};
}

} // namespace

void registerProductWorkflows(Registry &registry)
{
    registry.add(QLatin1String(registerpatient::Type), registerpatient::Version, registerPatient);
    registry.add(QLatin1String(admitpatient::Type), admitpatient::Version, admitPatient);
    registry.add(QLatin1String(dischargepatient::Type), dischargepatient::Version,
                 dischargePatient);
}

} // namespace hms::server::wf
