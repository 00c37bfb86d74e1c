#include "medications/medicationroutes.h"

#include "auth/authservice.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "http/jsonrequest.h"
#include "http/queryreader.h"
#include "http/router.h"
#include "idempotency/idempotencystore.h"
#include "medications/medicationservice.h"
#include "shared/clinical/medicationrules.h"
#include "shared/protocol/apipaths.h"

#include <QJsonArray>

#include <utility>

namespace hms::server {

namespace {

ClientInfo clientOf(const RequestContext &context)
{
    return {context.clientAddress(), QString::fromLatin1(context.requestId)};
}

qint64 idOf(const RequestContext &context)
{
    return pathId(context.pathParam(QStringLiteral("id")));
}

/// An optional RFC 3339 instant field, as UTC ISO text (empty when absent).
QString readInstant(FieldReader &reader, const QString &field)
{
    const std::optional<QString> value = reader.optionalString(field, 40);
    if (!value)
        return {};
    const std::optional<QDateTime> instant = medication::parseInstant(*value);
    if (!instant) {
        reader.addError(field, QStringLiteral("must be a date-time with an offset (RFC 3339)"));
        return {};
    }
    return instant->toString(Qt::ISODateWithMs);
}

/// The same for a query parameter.
QString queryInstant(QueryReader &query, const QString &name)
{
    const std::optional<QString> value = query.value(name);
    if (!value)
        return {};
    const std::optional<QDateTime> instant = medication::parseInstant(*value);
    if (!instant) {
        query.addError(name, QStringLiteral("must be a date-time with an offset (RFC 3339)"));
        return {};
    }
    return instant->toString(Qt::ISODateWithMs);
}

/// The from/to query parameters of a ward list (nothing else accepted), as UTC ISO text.
std::pair<QString, QString> windowOf(const RequestContext &context)
{
    QueryReader query(context.request.query);
    QString from = queryInstant(query, key("from"));
    QString to = queryInstant(query, key("to"));
    query.finish();
    return {from, to};
}

HttpResponse prescriptionResponse(int status, const PrescriptionRow &row)
{
    HttpResponse response = HttpResponse::json(status, MedicationService::toJson(row));
    response.setHeader("ETag", etagFor(row.version));
    return response;
}

} // namespace

void registerMedicationRoutes(Router &router, MedicationService &service)
{
    const RouteAccess clinicalWrite = RouteAccess::require(Permission::ClinicalWrite);
    const RouteAccess administer = RouteAccess::require(Permission::MedicationAdminister);

    router.add(
        {"POST", QLatin1String(api::AdmissionPrescriptions), clinicalWrite,
         [&service](RequestContext &context) {
             FieldReader reader(jsonBody(context.request));
             NewPrescription p;
             const std::optional<QString> drug =
                 reader.requiredString(key("drug"), medication::DrugMax);
             const std::optional<QString> dose =
                 reader.requiredString(key("dose"), medication::DoseMax);
             const std::optional<QString> route =
                 reader.requiredEnum(key("route"), medication::routes());
             const std::optional<QString> frequency =
                 reader.requiredEnum(key("frequency"), medication::frequencyCodes());
             p.startAt = readInstant(reader, key("startAt"));
             p.endAt = readInstant(reader, key("endAt"));
             const std::optional<qint64> days = reader.optionalInteger(key("durationDays"), 1, 365);
             const std::optional<QString> instructions =
                 reader.optionalString(key("instructions"), medication::InstructionsMax);
             if (days && !p.endAt.isEmpty())
                 reader.addError(key("durationDays"), QStringLiteral("give endAt or durationDays"));
             for (const auto &[field, value] :
                  {std::pair{key("drug"), drug}, {key("dose"), dose}}) {
                 if (value && value->trimmed().isEmpty())
                     reader.addError(field, QStringLiteral("must not be blank"));
             }
             requireValid(reader);
             p.drug = *drug;
             p.dose = *dose;
             p.route = *route;
             p.frequency = *frequency;
             if (days)
                 p.durationDays = int(*days);
             p.instructions = instructions.value_or(QString());
             const qint64 id = idOf(context);
             return withIdempotency(context, QLatin1String(api::AdmissionPrescriptions), [&] {
                 return prescriptionResponse(
                     201,
                     service.prescribe(context.db, context.caller(), clientOf(context), id, p));
             });
         }});

    router.add({"GET", QLatin1String(api::AdmissionPrescriptions),
                RouteAccess::require(Permission::PrescriptionRead),
                [&service](RequestContext &context) {
                    QueryReader(context.request.query).finish();
                    QJsonArray items;
                    for (const PrescriptionRow &row : service.prescriptions(
                             context.db, context.caller(), clientOf(context), idOf(context)))
                        items.append(MedicationService::toJson(row));
                    return HttpResponse::json(200, {{key("items"), items}});
                }});

    router.add({"POST", QLatin1String(api::PrescriptionStop), clinicalWrite,
                [&service](RequestContext &context) {
                    FieldReader reader(jsonBody(context.request));
                    const std::optional<QString> reason =
                        reader.requiredString(key("reason"), medication::ReasonMax);
                    if (reason && reason->trimmed().isEmpty())
                        reader.addError(key("reason"), QStringLiteral("must not be blank"));
                    requireValid(reader);
                    const qint64 id = idOf(context);
                    return withIdempotency(context, QLatin1String(api::PrescriptionStop), [&] {
                        return prescriptionResponse(200,
                                                    service.stop(context.db, context.caller(),
                                                                 clientOf(context), id, *reason));
                    });
                }});

    router.add(
        {"POST", QLatin1String(api::PrescriptionAdministrations), administer,
         [&service](RequestContext &context) {
             FieldReader reader(jsonBody(context.request));
             NewAdministration a;
             a.dueAt = readInstant(reader, key("dueAt"));
             const std::optional<QString> outcome =
                 reader.requiredEnum(key("outcome"), medication::outcomes());
             const std::optional<QString> dose =
                 reader.optionalString(key("dose"), medication::DoseMax);
             const std::optional<QString> reason =
                 reader.optionalString(key("reason"), medication::ReasonMax);
             a.correctsId = reader.optionalId(key("correctsId"));
             if (outcome && *outcome != QLatin1String("given")) {
                 if (!reason || reason->trimmed().isEmpty())
                     reader.addError(key("reason"),
                                     QStringLiteral("is required when a dose is held or refused"));
                 if (dose)
                     reader.addError(key("dose"), QStringLiteral("only for a given dose"));
             }
             requireValid(reader);
             a.prescriptionId = idOf(context);
             a.outcome = *outcome;
             a.dose = dose.value_or(QString());
             a.reason = reason.value_or(QString());
             return withIdempotency(context, QLatin1String(api::PrescriptionAdministrations), [&] {
                 const AdministrationRow row =
                     service.administer(context.db, context.caller(), clientOf(context), a);
                 return HttpResponse::json(201, MedicationService::toJson(row));
             });
         }});

    router.add(
        {"GET", QLatin1String(api::WardMedicationsDue), administer,
         [&service](RequestContext &context) {
             const auto [from, to] = windowOf(context);
             const WardMedications ward = service.due(context.db, context.caller(),
                                                      clientOf(context), idOf(context), from, to);
             QJsonArray items;
             for (const DueDose &dose : ward.due)
                 items.append(MedicationService::toJson(dose));
             QJsonArray asNeeded;
             for (const AsNeededOrder &order : ward.asNeeded)
                 asNeeded.append(MedicationService::toJson(order));
             return HttpResponse::json(200, {{key("items"), items}, {key("asNeeded"), asNeeded}});
         }});
    router.acceptQuery("GET", QLatin1String(api::WardMedicationsDue));

    router.add({"GET", QLatin1String(api::WardMedicationAdministrations), administer,
                [&service](RequestContext &context) {
                    const auto [from, to] = windowOf(context);
                    QJsonArray items;
                    for (const WardAdministration &record :
                         service.administrations(context.db, context.caller(), clientOf(context),
                                                 idOf(context), from, to))
                        items.append(MedicationService::toJson(record));
                    return HttpResponse::json(200, {{key("items"), items}});
                }});
    router.acceptQuery("GET", QLatin1String(api::WardMedicationAdministrations));
}

} // namespace hms::server
