#include "workflows/wfroutes.h"

#include "audit/auditlog.h"
#include "common/domainerror.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "http/jsonrequest.h"
#include "http/queryreader.h"
#include "http/router.h"
#include "shared/protocol/apipaths.h"
#include "workflows/wfadmin.h"

#include <pqxx/result>
#include <pqxx/transaction>

namespace hms::server {

namespace {

const QStringList Statuses = {QStringLiteral("ready"),    QStringLiteral("running"),
                              QStringLiteral("waiting"),  QStringLiteral("completed"),
                              QStringLiteral("failed"),   QStringLiteral("dead"),
                              QStringLiteral("cancelled")};

AuditEntry workflowAudit(const RequestContext &context, const QString &action, qint64 runId)
{
    return AuditEntry::forActor(
        context.caller(), {context.clientAddress(), QString::fromLatin1(context.requestId)},
        QStringLiteral("admin"), action, QStringLiteral("workflow_run"), QString::number(runId));
}

HttpResponse changeRun(RequestContext &context, bool retry)
{
    const qint64 id = pathId(context.pathParam(QStringLiteral("id")));
    const Principal &caller = context.caller();
    pqxx::work tx(context.db.connection());
    enterTenant(tx, caller.hospitalId);
    const wf::admin::Change result = retry ? wf::admin::retry(tx, id, caller.hospitalId)
                                           : wf::admin::cancel(tx, id, caller.hospitalId);
    if (result == wf::admin::Change::NotFound)
        throw DomainError(problems::NotFound);
    if (result == wf::admin::Change::WrongState)
        throw DomainError(problems::Conflict,
                          retry
                              ? QStringLiteral("Only dead, failed or cancelled runs can be retried")
                              : QStringLiteral("The run has already finished"));
    AuditLog::append(
        tx,
        workflowAudit(context,
                      retry ? QStringLiteral("workflow.retry") : QStringLiteral("workflow.cancel"),
                      id));
    const std::optional<QJsonObject> detail = wf::admin::show(tx, id, caller.hospitalId);
    tx.commit();
    return HttpResponse::json(200, detail.value_or(QJsonObject()));
}

} // namespace

void registerWorkflowAdminRoutes(Router &router)
{
    const RouteAccess manage = RouteAccess::require(Permission::WorkflowManage);

    router.add({"GET", QLatin1String(api::AdminWorkflows), manage, [](RequestContext &context) {
                    QueryReader reader(context.request.query);
                    wf::admin::Filter filter;
                    filter.status =
                        reader.oneOf(QStringLiteral("status"), Statuses).value_or(QString());
                    filter.type = reader.text(QStringLiteral("type"), 1, 64).value_or(QString());
                    filter.queue = reader.text(QStringLiteral("queue"), 1, 32).value_or(QString());
                    filter.limit = reader.limit(100, 500);
                    reader.finish();
                    const Principal &caller = context.caller();
                    filter.hospitalId = caller.hospitalId;
                    pqxx::work tx(context.db.connection());
                    enterTenant(tx, caller.hospitalId);
                    const QJsonArray items = wf::admin::list(tx, filter);
                    const QJsonArray queues = wf::admin::queues(tx, caller.hospitalId);
                    tx.commit();
                    return HttpResponse::json(200,
                                              QJsonObject{{QStringLiteral("items"), items},
                                                          {QStringLiteral("queues"), queues}});
                }});

    router.add(
        {"GET", QLatin1String(api::AdminWorkflow), manage, [](RequestContext &context) {
             const qint64 id = pathId(context.pathParam(QStringLiteral("id")));
             const Principal &caller = context.caller();
             pqxx::work tx(context.db.connection());
             enterTenant(tx, caller.hospitalId);
             const std::optional<QJsonObject> detail = wf::admin::show(tx, id, caller.hospitalId);
             if (!detail)
                 throw DomainError(problems::NotFound);
             AuditLog::append(tx, workflowAudit(context, QStringLiteral("workflow.read"), id));
             tx.commit();
             return HttpResponse::json(200, *detail);
         }});

    router.add(
        {"POST", QLatin1String(api::AdminWorkflowRetry), manage, [](RequestContext &context) {
             return changeRun(context, true);
         }});
    router.add(
        {"POST", QLatin1String(api::AdminWorkflowCancel), manage, [](RequestContext &context) {
             return changeRun(context, false);
         }});
    // These handlers read their query parameters (QueryReader); every other one refuses them.
    router.acceptQuery("GET", QLatin1String(api::AdminWorkflows));
}

} // namespace hms::server
