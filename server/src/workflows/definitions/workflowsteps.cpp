#include "workflows/definitions/workflowsteps.h"

#include "billing/accountrepository.h"
#include "ipd/ipdservice.h"
#include "live/eventlog.h"
#include "notifications/notificationrepository.h"
#include "wardstaff/wardstaffrepository.h"
#include "workflows/workflow.h"

#include <pqxx/result>

namespace hms::server::wf::steps {

std::optional<qint64> idOf(const QJsonObject &object, const char *name)
{
    bool ok = false;
    const qint64 id = object.value(k(name)).toString().toLongLong(&ok);
    return ok && id > 0 ? std::optional<qint64>(id) : std::nullopt;
}

qint64 msOf(const QJsonObject &input, const char *name, qint64 fallback)
{
    const double value = input.value(k(name)).toDouble(-1);
    return value > 0 ? qint64(value) : fallback;
}

AuditEntry workflowAudit(const WorkflowContext &ctx,
                         std::optional<qint64> actorUserId,
                         const QString &category,
                         const QString &action,
                         const QString &entity,
                         qint64 entityId,
                         std::optional<qint64> patientId)
{
    AuditEntry entry;
    entry.hospitalId = ctx.hospitalId();
    entry.actorUserId = actorUserId;
    entry.actorRole = QStringLiteral("workflow");
    entry.category = category;
    entry.action = action;
    entry.entity = entity;
    entry.entityId = QString::number(entityId);
    entry.patientId = patientId;
    entry.details = {{k("runId"), QString::number(ctx.runId())}};
    return entry;
}

QJsonArray notifyUsers(pqxx::work &tx,
                       const WorkflowContext &ctx,
                       const std::vector<qint64> &userIds,
                       const QString &kind,
                       std::optional<qint64> patientId,
                       const QString &entity,
                       qint64 entityId)
{
    QJsonArray ids;
    for (const qint64 userId : userIds) {
        const NotificationRow created = NotificationRepository::create(
            tx, ctx.hospitalId(), userId, kind, patientId, entity, entityId, ctx.runId());
        ids.append(QString::number(created.id));
    }
    return ids;
}

QJsonArray notifyWardStaff(pqxx::work &tx,
                           const WorkflowContext &ctx,
                           qint64 wardId,
                           const QString &duty,
                           const QString &kind,
                           std::optional<qint64> patientId,
                           const QString &entity,
                           qint64 entityId)
{
    return notifyUsers(tx, ctx,
                       WardStaffRepository::dutyUserIds(tx, ctx.hospitalId(), wardId, duty), kind,
                       patientId, entity, entityId);
}

void accountChanged(pqxx::work &tx,
                    const WorkflowContext &ctx,
                    qint64 admissionId,
                    qint64 accountId,
                    const QString &type)
{
    const std::optional<qint64> wardId =
        AccountRepository::wardOfAdmission(tx, ctx.hospitalId(), admissionId);
    if (!wardId)
        return;
    EventLog::append(tx, ctx.hospitalId(), IpdService::topicOf(*wardId), type,
                     {{k("accountId"), QString::number(accountId)},
                      {k("admissionId"), QString::number(admissionId)}});
}

} // namespace hms::server::wf::steps
