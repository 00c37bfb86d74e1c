#include "workflows/definitions/workflowsteps.h"

#include "notifications/notificationrepository.h"
#include "wardstaff/wardstaffservice.h"
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

QJsonArray notifyQuery(pqxx::work &tx,
                       const WorkflowContext &ctx,
                       const std::string &sql,
                       qint64 selector,
                       const std::optional<QString> &extra,
                       const QString &kind,
                       std::optional<qint64> patientId,
                       const QString &entity,
                       qint64 entityId)
{
    const pqxx::result users = extra
        ? tx.exec_params(sql, ctx.hospitalId(), selector, extra->toStdString())
        : tx.exec_params(sql, ctx.hospitalId(), selector);
    QJsonArray ids;
    for (const pqxx::row &row : users) {
        const NotificationRow created =
            NotificationRepository::create(tx, ctx.hospitalId(), row[0].as<qint64>(), kind,
                                           patientId, entity, entityId, ctx.runId());
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
    return notifyQuery(tx, ctx, WardStaffService::DutyUsersSql, wardId, duty, kind, patientId,
                       entity, entityId);
}

} // namespace hms::server::wf::steps
