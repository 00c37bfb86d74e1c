#include "billing/accountroutes.h"

#include "audit/auditlog.h"
#include "billing/accountservice.h"
#include "http/jsonrequest.h"
#include "http/queryreader.h"
#include "http/router.h"
#include "shared/protocol/apipaths.h"

namespace hms::server {

void registerAccountRoutes(Router &router)
{
    router.add({"GET", QLatin1String(api::AdmissionAccount),
                RouteAccess::require(Permission::BillingRead), [](RequestContext &context) {
                    QueryReader(context.request.query).finish();
                    const qint64 admissionId = pathId(context.pathParam(QStringLiteral("id")));
                    const AccountStatement statement = AccountService::statement(
                        context.db, context.caller(),
                        {context.clientAddress(), QString::fromLatin1(context.requestId)},
                        admissionId);
                    return HttpResponse::json(200, AccountService::toJson(statement));
                }});
}

} // namespace hms::server
