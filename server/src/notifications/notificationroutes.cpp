#include "notifications/notificationroutes.h"

#include "audit/auditlog.h"
#include "auth/authservice.h"
#include "common/domainerror.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "http/jsonrequest.h"
#include "http/queryreader.h"
#include "http/router.h"
#include "notifications/notificationrepository.h"
#include "shared/protocol/apipaths.h"

#include <QJsonArray>

#include <pqxx/result>
#include <pqxx/transaction>

namespace hms::server {

void registerNotificationRoutes(Router &router)
{
    const RouteAccess anyone = RouteAccess::authenticated();

    router.add({"GET", QLatin1String(api::Notifications), anyone, [](RequestContext &context) {
                    QueryReader reader(context.request.query);
                    const std::optional<QString> unread =
                        reader.oneOf(QStringLiteral("unread"),
                                     {QStringLiteral("true"), QStringLiteral("false")});
                    const int limit = reader.limit(50, 200);
                    reader.finish();
                    const Principal &caller = context.caller();
                    pqxx::read_transaction tx(context.db.connection());
                    enterTenant(tx, caller.hospitalId);
                    QJsonArray items;
                    for (const NotificationRow &row : NotificationRepository::listForUser(
                             tx, caller.hospitalId, caller.userId,
                             unread.value_or(QString()) == QLatin1String("true"), limit))
                        items.append(NotificationRepository::toJson(row));
                    return HttpResponse::json(200, QJsonObject{{QStringLiteral("items"), items}});
                }});

    router.add({"POST", QLatin1String(api::NotificationRead), anyone, [](RequestContext &context) {
                    const qint64 id = pathId(context.pathParam(QStringLiteral("id")));
                    const Principal &caller = context.caller();
                    pqxx::work tx(context.db.connection());
                    enterTenant(tx, caller.hospitalId);
                    const std::optional<NotificationRow> row =
                        NotificationRepository::markRead(tx, caller.hospitalId, caller.userId, id);
                    if (!row)
                        throw DomainError(problems::NotFound);
                    AuditLog::append(
                        tx,
                        AuditEntry::forActor(
                            caller,
                            {context.clientAddress(), QString::fromLatin1(context.requestId)},
                            QStringLiteral("notification"), QStringLiteral("notification.read"),
                            QStringLiteral("notification"), QString::number(id)));
                    tx.commit();
                    return HttpResponse::json(200, NotificationRepository::toJson(*row));
                }});
    // These handlers read their query parameters (QueryReader); every other one refuses them.
    router.acceptQuery("GET", QLatin1String(api::Notifications));
}

} // namespace hms::server
