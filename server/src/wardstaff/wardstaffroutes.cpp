#include "wardstaff/wardstaffroutes.h"

#include "audit/auditlog.h"
#include "http/jsonrequest.h"
#include "http/queryreader.h"
#include "http/router.h"
#include "shared/protocol/apipaths.h"
#include "wardstaff/wardstaffservice.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

namespace hms::server {

namespace {

/// A required array of distinct ids (JSON strings of digits, API.md).
std::vector<qint64> readIds(FieldReader &reader, const QString &name)
{
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,18}$"));
    std::vector<qint64> ids;
    const std::optional<QJsonArray> array =
        reader.requiredArray(name, WardStaffService::MaxPerDuty);
    if (!array)
        return ids;
    QSet<qint64> seen;
    for (qsizetype i = 0; i < array->size(); ++i) {
        const QString field = QStringLiteral("%1[%2]").arg(name).arg(i);
        const QString text = array->at(i).toString();
        const qint64 id = text.toLongLong();
        if (!array->at(i).isString() || !digits.match(text).hasMatch() || id <= 0) {
            reader.addError(field, QStringLiteral("must be an id (a string of digits)"));
            continue;
        }
        if (seen.contains(id)) {
            reader.addError(field, QStringLiteral("is listed twice"));
            continue;
        }
        seen.insert(id);
        ids.push_back(id);
    }
    return ids;
}

} // namespace

void registerWardStaffRoutes(Router &router)
{
    const RouteAccess manage = RouteAccess::require(Permission::WardManage);

    router.add({"GET", QLatin1String(api::WardStaff), manage, [](RequestContext &context) {
                    QueryReader(context.request.query).finish();
                    const qint64 wardId = pathId(context.pathParam(QStringLiteral("id")));
                    return HttpResponse::json(
                        200,
                        WardStaffService::toJson(
                            wardId, WardStaffService::staff(context.db, context.caller(), wardId)));
                }});

    router.add({"PUT", QLatin1String(api::WardStaff), manage, [](RequestContext &context) {
                    const qint64 wardId = pathId(context.pathParam(QStringLiteral("id")));
                    FieldReader reader(jsonBody(context.request));
                    const std::vector<qint64> nurses = readIds(reader, QStringLiteral("nurses"));
                    const std::vector<qint64> supervisors =
                        readIds(reader, QStringLiteral("supervisors"));
                    requireValid(reader);
                    return HttpResponse::json(
                        200,
                        WardStaffService::toJson(
                            wardId,
                            WardStaffService::replace(
                                context.db, context.caller(),
                                {context.clientAddress(), QString::fromLatin1(context.requestId)},
                                wardId, nurses, supervisors)));
                }});
}

} // namespace hms::server
