#include "opd/opdroutes.h"

#include "auth/authservice.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "http/jsonrequest.h"
#include "http/queryreader.h"
#include "http/router.h"
#include "idempotency/idempotencystore.h"
#include "opd/opdservice.h"
#include "shared/protocol/apipaths.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace hms::server {

namespace {

ClientInfo clientOf(const RequestContext &context)
{
    return {context.clientAddress(), QString::fromLatin1(context.requestId)};
}

HttpResponse visitResponse(int status, const VisitRow &visit)
{
    HttpResponse response = HttpResponse::json(status, OpdService::toJson(visit));
    response.setHeader("ETag", etagFor(visit.version));
    return response;
}

qint64 departmentIdOf(const RequestContext &context)
{
    return pathId(context.pathParam(QStringLiteral("id")));
}

HttpResponse departmentResponse(int status, const DepartmentRow &department)
{
    HttpResponse response = HttpResponse::json(status, OpdService::toJson(department));
    response.setHeader("ETag", etagFor(department.version));
    return response;
}

/// Routes that take no fields accept an empty body or an empty JSON object.
void requireNoFields(const RequestContext &context)
{
    if (context.request.body.isEmpty())
        return;
    FieldReader reader(jsonBody(context.request));
    requireValid(reader);
}

/// No query parameters at all (SECURITY.md I3: unknown ones are refused).
void requireNoQuery(const RequestContext &context)
{
    QueryReader(context.request.query).finish();
}

} // namespace

void registerOpdRoutes(Router &router, OpdService &service)
{
    const RouteAccess read = RouteAccess::require(Permission::PatientRead);
    const RouteAccess manageDepartments = RouteAccess::require(Permission::DepartmentManage);

    router.add({"GET", QLatin1String(api::Departments), read, [&service](RequestContext &context) {
                    requireNoQuery(context);
                    QJsonArray items;
                    for (const DepartmentRow &department :
                         service.departments(context.db, context.caller()))
                        items.append(OpdService::toJson(department));
                    return HttpResponse::json(200, {{QStringLiteral("items"), items}});
                }});

    router.add(
        {"POST", QLatin1String(api::Departments), manageDepartments,
         [&service](RequestContext &context) {
             FieldReader reader(jsonBody(context.request));
             const std::optional<QString> code = reader.requiredString(QStringLiteral("code"), 32);
             const std::optional<QString> name = reader.requiredString(QStringLiteral("name"));
             static const QRegularExpression codeFormat(
                 QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"));
             if (code && !codeFormat.match(*code).hasMatch())
                 reader.addError(QStringLiteral("code"),
                                 QStringLiteral("must be 1 to 32 letters, digits, - or _, "
                                                "starting with a letter or digit"));
             if (name && name->trimmed() != *name)
                 reader.addError(QStringLiteral("name"),
                                 QStringLiteral("must not start or end with spaces"));
             requireValid(reader);
             const DepartmentRow created = service.createDepartment(
                 context.db, context.caller(), clientOf(context), *code, *name);
             HttpResponse response = HttpResponse::json(201, OpdService::toJson(created));
             response.setHeader(
                 "Location", QByteArray(api::Departments) + '/' + QByteArray::number(created.id));
             return response;
         }});

    router.add({"GET", QLatin1String(api::Department), read, [&service](RequestContext &context) {
                    requireNoQuery(context);
                    return departmentResponse(
                        200,
                        service.department(context.db, context.caller(), departmentIdOf(context)));
                }});

    router.add(
        {"PATCH", QLatin1String(api::Department), manageDepartments,
         [&service](RequestContext &context) {
             FieldReader reader(jsonBody(context.request));
             OpdService::DepartmentChanges changes;
             changes.name = reader.optionalString(QStringLiteral("name"), 200);
             changes.active = reader.optionalBool(QStringLiteral("active"));
             if (changes.name
                 && (changes.name->trimmed() != *changes.name || changes.name->isEmpty()))
                 reader.addError(QStringLiteral("name"),
                                 QStringLiteral("must not be empty nor start or end with spaces"));
             if (!changes.name && !changes.active && !reader.hasErrors()) {
                 reader.addError(QStringLiteral("name"), QStringLiteral("send name and/or active"));
                 reader.addError(QStringLiteral("active"),
                                 QStringLiteral("send name and/or active"));
             }
             requireValid(reader);
             const int version = requireIfMatchVersion(context.request);
             return departmentResponse(
                 200,
                 service.updateDepartment(context.db, context.caller(), clientOf(context),
                                          departmentIdOf(context), version, changes));
         }});

    router.add({"DELETE", QLatin1String(api::DepartmentDoctor), manageDepartments,
                [&service](RequestContext &context) {
                    requireNoFields(context);
                    requireNoQuery(context);
                    service.removeDoctor(context.db, context.caller(), clientOf(context),
                                         departmentIdOf(context),
                                         pathId(context.pathParam(QStringLiteral("userId"))));
                    return HttpResponse::noContent();
                }});

    router.add(
        {"GET", QLatin1String(api::DepartmentDoctors), read, [&service](RequestContext &context) {
             requireNoQuery(context);
             QJsonArray items;
             for (const OpdRepository::DoctorRow &doctor :
                  service.doctors(context.db, context.caller(), departmentIdOf(context)))
                 items.append(QJsonObject{{QStringLiteral("userId"), idText(doctor.userId)},
                                          {QStringLiteral("displayName"), doctor.displayName},
                                          {QStringLiteral("enabled"), doctor.enabled}});
             return HttpResponse::json(200, {{QStringLiteral("items"), items}});
         }});

    router.add({"POST", QLatin1String(api::DepartmentDoctors), manageDepartments,
                [&service](RequestContext &context) {
                    FieldReader reader(jsonBody(context.request));
                    const std::optional<qint64> userId =
                        reader.requiredId(QStringLiteral("userId"));
                    requireValid(reader);
                    const qint64 departmentId = departmentIdOf(context);
                    const bool added = service.assignDoctor(
                        context.db, context.caller(), clientOf(context), departmentId, *userId);
                    return HttpResponse::json(
                        added ? 201 : 200,
                        {{QStringLiteral("departmentId"), QString::number(departmentId)},
                         {QStringLiteral("userId"), QString::number(*userId)}});
                }});

    router.add(
        {"POST", QLatin1String(api::Visits), RouteAccess::require(Permission::QueueManage),
         [&service](RequestContext &context) {
             IdempotencyStore idempotency(context, QLatin1String(api::Visits));
             FieldReader reader(jsonBody(context.request));
             OpdService::CheckInRequest checkIn;
             checkIn.appointmentId = reader.optionalId(QStringLiteral("appointmentId"));
             // A walk-in names patient and department; a check-in from an
             // appointment may leave them out.
             const bool walkIn = !checkIn.appointmentId;
             checkIn.patientId = walkIn ? reader.requiredId(QStringLiteral("patientId"))
                                        : reader.optionalId(QStringLiteral("patientId"));
             checkIn.departmentId = walkIn ? reader.requiredId(QStringLiteral("departmentId"))
                                           : reader.optionalId(QStringLiteral("departmentId"));
             requireValid(reader);
             HttpResponse created;
             OpdService::TransactionHooks hooks;
             hooks.begin = [&idempotency](pqxx::transaction_base &tx) {
                 return idempotency.claim(tx);
             };
             hooks.beforeCommit = [&idempotency, &created](pqxx::transaction_base &tx,
                                                           const VisitRow &visit) {
                 created = visitResponse(201, visit);
                 idempotency.save(tx, created);
             };
             if (!service.checkIn(context.db, context.caller(), clientOf(context), checkIn, hooks))
                 return *idempotency.replay();
             return created;
         }});

    router.add({"GET", QLatin1String(api::Visit), read, [&service](RequestContext &context) {
                    requireNoQuery(context);
                    return visitResponse(
                        200,
                        service.visit(context.db, context.caller(), clientOf(context),
                                      pathId(context.pathParam(QStringLiteral("id")))));
                }});

    router.add({"POST", QLatin1String(api::DepartmentCallNext),
                RouteAccess::require(Permission::QueueCall), [&service](RequestContext &context) {
                    requireNoFields(context);
                    return visitResponse(200,
                                         service.callNext(context.db, context.caller(),
                                                          clientOf(context),
                                                          departmentIdOf(context)));
                }});

    router.add({"POST", QLatin1String(api::VisitTransition), RouteAccess::authenticated(),
                [&service](RequestContext &context) {
                    FieldReader reader(jsonBody(context.request));
                    const std::optional<QString> to =
                        reader.requiredEnum(QStringLiteral("to"), OpdService::TransitionTargets);
                    requireValid(reader);
                    const qint64 id = pathId(context.pathParam(QStringLiteral("id")));
                    const int version = requireIfMatchVersion(context.request);
                    return visitResponse(200,
                                         service.transition(context.db, context.caller(),
                                                            clientOf(context), id, version, *to));
                }});

    router.add(
        {"GET", QLatin1String(api::DepartmentQueue), read, [&service](RequestContext &context) {
             requireNoQuery(context);
             const qint64 departmentId = departmentIdOf(context);
             const OpdService::Queue queue =
                 service.queue(context.db, context.caller(), clientOf(context), departmentId);
             QJsonArray items;
             for (const QueueItem &item : queue.items)
                 items.append(
                     QJsonObject{{QStringLiteral("visitId"), QString::number(item.visitId)},
                                 {QStringLiteral("token"), item.token},
                                 {QStringLiteral("state"), item.state},
                                 {QStringLiteral("patientId"), QString::number(item.patientId)},
                                 {QStringLiteral("mrn"), item.mrn},
                                 {QStringLiteral("fullName"), item.fullName},
                                 {QStringLiteral("waitingMinutes"), item.waitingMinutes}});
             return HttpResponse::json(
                 200,
                 {{QStringLiteral("departmentId"), QString::number(departmentId)},
                  {QStringLiteral("date"), queue.date},
                  {QStringLiteral("items"), items}});
         }});
}

} // namespace hms::server
