#include "ipd/ipdroutes.h"

#include "auth/authservice.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "http/jsonrequest.h"
#include "http/queryreader.h"
#include "http/router.h"
#include "idempotency/idempotencystore.h"
#include "ipd/bedboard.h"
#include "ipd/ipdservice.h"
#include "shared/protocol/apipaths.h"

#include <QDate>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

namespace hms::server {

namespace {

constexpr qint64 MaxDailyRate = 1'000'000'000'000; // minor units
constexpr qint64 MaxDeposit = 1'000'000'000'000; // minor units
constexpr int DefaultReservationMinutes = 120;
constexpr int DischargeFollowUpMax = 2000;

ClientInfo clientOf(const RequestContext &context)
{
    return {context.clientAddress(), QString::fromLatin1(context.requestId)};
}

qint64 idOf(const RequestContext &context)
{
    return pathId(context.pathParam(QStringLiteral("id")));
}

HttpResponse bedResponse(int status, const BedRow &bed)
{
    HttpResponse response = HttpResponse::jsonBytes(status, IpdService::bedJson(bed));
    response.setHeader("ETag", etagFor(bed.version));
    return response;
}

HttpResponse admissionResponse(int status, const AdmissionRow &admission)
{
    HttpResponse response = HttpResponse::json(status, IpdService::toJson(admission));
    response.setHeader("ETag", etagFor(admission.version));
    return response;
}

/// Codes of wards, rooms and beds: short, stable, shown on boards.
void checkCode(FieldReader &reader, const QString &field, const std::optional<QString> &value)
{
    static const QRegularExpression format(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"));
    if (value && !format.match(*value).hasMatch())
        reader.addError(field,
                        QStringLiteral("must be 1 to 32 letters, digits, - or _, "
                                       "starting with a letter or digit"));
}

void checkTrimmed(FieldReader &reader, const QString &field, const std::optional<QString> &value)
{
    if (value && value->trimmed() != *value)
        reader.addError(field, QStringLiteral("must not start or end with spaces"));
}

/// "features": an array of distinct known feature names.
QStringList readFeatures(FieldReader &reader)
{
    QStringList features;
    const std::optional<QJsonArray> array =
        reader.optionalArray(QStringLiteral("features"), int(IpdService::BedFeatures.size()));
    if (!array)
        return features;
    QSet<QString> seen;
    for (qsizetype i = 0; i < array->size(); ++i) {
        const QString field = QStringLiteral("features[%1]").arg(i);
        const QJsonValue value = array->at(i);
        if (!value.isString() || !IpdService::BedFeatures.contains(value.toString())) {
            reader.addError(field,
                            QStringLiteral("must be one of: ")
                                + IpdService::BedFeatures.join(QStringLiteral(", ")));
            continue;
        }
        if (seen.contains(value.toString())) {
            reader.addError(field, QStringLiteral("is listed twice"));
            continue;
        }
        seen.insert(value.toString());
        features.append(value.toString());
    }
    return features;
}

void requireNoFields(const RequestContext &context)
{
    if (context.request.body.isEmpty())
        return;
    FieldReader reader(jsonBody(context.request));
    requireValid(reader);
}

} // namespace

void registerIpdRoutes(Router &router, IpdService &service, BedBoard &board)
{
    const RouteAccess read = RouteAccess::require(Permission::BedRead);
    const RouteAccess manageWards = RouteAccess::require(Permission::WardManage);
    const RouteAccess admit = RouteAccess::require(Permission::AdmissionManage);
    // Admissions carry the reason for the stay (clinical content); desks find occupants
    // through the bed board.
    const RouteAccess clinicalRead = RouteAccess::require(Permission::ClinicalRead);

    router.add({"GET", QLatin1String(api::Wards), read, [&service](RequestContext &context) {
                    QueryReader(context.request.query).finish();
                    QJsonArray items;
                    for (const WardRow &ward : service.wards(context.db, context.caller()))
                        items.append(IpdService::toJson(ward));
                    return HttpResponse::json(200, {{key("items"), items}});
                }});

    router.add(
        {"POST", QLatin1String(api::Wards), manageWards, [&service](RequestContext &context) {
             FieldReader reader(jsonBody(context.request));
             const std::optional<QString> code = reader.requiredString(key("code"), 32);
             const std::optional<QString> name = reader.requiredString(key("name"));
             const std::optional<QString> kind =
                 reader.requiredEnum(key("kind"), IpdService::WardKinds);
             checkCode(reader, key("code"), code);
             checkTrimmed(reader, key("name"), name);
             requireValid(reader);
             return withIdempotency(context, QLatin1String(api::Wards), [&] {
                 const WardRow ward = service.createWard(context.db, context.caller(),
                                                         clientOf(context), *code, *name, *kind);
                 HttpResponse response = HttpResponse::json(201, IpdService::toJson(ward));
                 response.setHeader("Location",
                                    QByteArray(api::Wards) + '/' + QByteArray::number(ward.id));
                 return response;
             });
         }});

    router.add({"GET", QLatin1String(api::Beds), read,
                [&board](RequestContext &context) {
                    QueryReader query(context.request.query);
                    const std::optional<qint64> wardId = query.id(key("wardId"));
                    query.finish();
                    return HttpResponse::jsonBytes(
                        200, board.beds(context.db, context.caller(), wardId, context.companion));
                },
                false, BedBoard::bedsCompanion(), true});

    router.add({"POST", QLatin1String(api::Beds), manageWards, [&service](RequestContext &context) {
                    FieldReader reader(jsonBody(context.request));
                    const std::optional<qint64> wardId = reader.requiredId(key("wardId"));
                    const std::optional<QString> room = reader.requiredString(key("room"), 32);
                    const std::optional<QString> code = reader.requiredString(key("code"), 32);
                    const QStringList features = readFeatures(reader);
                    const std::optional<qint64> dailyRate =
                        reader.optionalInteger(key("dailyRate"), 0, MaxDailyRate);
                    checkCode(reader, key("room"), room);
                    checkCode(reader, key("code"), code);
                    requireValid(reader);
                    return withIdempotency(context, QLatin1String(api::Beds), [&] {
                        const BedRow bed = service.createBed(
                            context.db, context.caller(), clientOf(context), *wardId, *room, *code,
                            features, dailyRate.value_or(0));
                        HttpResponse response = bedResponse(201, bed);
                        response.setHeader(
                            "Location", QByteArray(api::Beds) + '/' + QByteArray::number(bed.id));
                        return response;
                    });
                }});

    router.add({"POST", QLatin1String(api::BedStatus), RouteAccess::require(Permission::BedManage),
                [&service](RequestContext &context) {
                    FieldReader reader(jsonBody(context.request));
                    const std::optional<QString> status =
                        reader.requiredEnum(key("status"), IpdService::BedStatuses);
                    requireValid(reader);
                    const qint64 id = idOf(context);
                    const int version = requireIfMatchVersion(context.request);
                    return withIdempotency(context, QLatin1String(api::BedStatus), [&] {
                        return bedResponse(200,
                                           service.setStatus(context.db, context.caller(),
                                                             clientOf(context), id, version,
                                                             *status));
                    });
                }});

    router.add(
        {"POST", QLatin1String(api::BedReservation), admit, [&service](RequestContext &context) {
             FieldReader reader(jsonBody(context.request));
             const std::optional<qint64> patientId = reader.requiredId(key("patientId"));
             const std::optional<qint64> minutes = reader.optionalInteger(
                 key("expiresInMinutes"), 1, IpdService::MaxReservationMinutes);
             requireValid(reader);
             const qint64 id = idOf(context);
             return withIdempotency(context, QLatin1String(api::BedReservation), [&] {
                 return bedResponse(
                     200,
                     service.reserve(context.db, context.caller(), clientOf(context), id,
                                     *patientId, int(minutes.value_or(DefaultReservationMinutes))));
             });
         }});

    router.add(
        {"DELETE", QLatin1String(api::BedReservation), admit, [&service](RequestContext &context) {
             requireNoFields(context);
             QueryReader(context.request.query).finish();
             return bedResponse(200,
                                service.cancelReservation(context.db, context.caller(),
                                                          clientOf(context), idOf(context)));
         }});

    router.add(
        {"POST", QLatin1String(api::Admissions), admit, [&service](RequestContext &context) {
             IdempotencyStore idempotency(context, QLatin1String(api::Admissions));
             FieldReader reader(jsonBody(context.request));
             NewAdmission admission;
             const std::optional<qint64> patientId = reader.requiredId(key("patientId"));
             const std::optional<qint64> bedId = reader.requiredId(key("bedId"));
             admission.attendingDoctorId = reader.optionalId(key("attendingDoctorId"));
             const std::optional<QString> reason = reader.requiredString(key("reason"), 2000);
             const std::optional<qint64> stay =
                 reader.optionalInteger(key("expectedStayDays"), 1, 365);
             admission.visitId = reader.optionalId(key("visitId"));
             // Paid at admission, integer minor units: the inpatient account's first credit.
             admission.depositMinor =
                 reader.optionalInteger(key("deposit"), 0, MaxDeposit).value_or(0);
             requireValid(reader);
             admission.patientId = *patientId;
             admission.bedId = *bedId;
             admission.reason = *reason;
             if (stay)
                 admission.expectedStayDays = int(*stay);
             HttpResponse created;
             IpdService::TransactionHooks hooks;
             hooks.begin = [&idempotency](pqxx::transaction_base &tx) {
                 return idempotency.claim(tx);
             };
             hooks.beforeCommit = [&idempotency, &created](pqxx::transaction_base &tx,
                                                           const AdmissionRow &row) {
                 created = admissionResponse(201, row);
                 created.setHeader("Location",
                                   QByteArray(api::Admissions) + '/' + QByteArray::number(row.id));
                 idempotency.save(tx, created);
             };
             if (!service.admit(context.db, context.caller(), clientOf(context), admission, hooks))
                 return *idempotency.replay();
             return created;
         }});

    router.add(
        {"GET", QLatin1String(api::Admissions), clinicalRead, [&service](RequestContext &context) {
             QueryReader query(context.request.query);
             const std::optional<qint64> wardId = query.id(key("wardId"));
             const std::optional<QString> status =
                 query.oneOf(key("status"), IpdService::AdmissionStatuses);
             const int limit = query.limit(50, 200);
             query.finish();
             QJsonArray items;
             for (const AdmissionRow &row :
                  service.admissions(context.db, context.caller(), clientOf(context), wardId,
                                     status.value_or(QString()), limit))
                 items.append(IpdService::toJson(row));
             return HttpResponse::json(200, {{key("items"), items}});
         }});

    router.add(
        {"GET", QLatin1String(api::Admission), clinicalRead, [&service](RequestContext &context) {
             QueryReader(context.request.query).finish();
             return admissionResponse(
                 200,
                 service.admission(context.db, context.caller(), clientOf(context), idOf(context)));
         }});

    router.add(
        {"POST", QLatin1String(api::AdmissionTransfer), admit, [&service](RequestContext &context) {
             FieldReader reader(jsonBody(context.request));
             const std::optional<qint64> bedId = reader.requiredId(key("bedId"));
             requireValid(reader);
             const qint64 id = idOf(context);
             return withIdempotency(context, QLatin1String(api::AdmissionTransfer), [&] {
                 return admissionResponse(
                     200,
                     service.transfer(context.db, context.caller(), clientOf(context), id, *bedId));
             });
         }});

    router.add({"POST", QLatin1String(api::AdmissionDischarge), admit,
                [&service](RequestContext &context) {
                    FieldReader reader(jsonBody(context.request));
                    const std::optional<QString> summary =
                        reader.requiredString(key("summary"), FieldReader::FreeTextMaxLength);
                    const std::optional<QString> followUp =
                        reader.optionalString(key("followUp"), DischargeFollowUpMax);
                    const std::optional<QString> outcome =
                        reader.optionalEnum(key("outcome"), IpdService::DischargeOutcomes);
                    requireValid(reader);
                    const qint64 id = idOf(context);
                    const DischargeInput input{*summary, followUp.value_or(QString()),
                                               outcome.value_or(QString())};
                    return withIdempotency(context, QLatin1String(api::AdmissionDischarge), [&] {
                        return admissionResponse(200,
                                                 service.discharge(context.db, context.caller(),
                                                                   clientOf(context), id, input));
                    });
                }});

    router.add({"GET", QLatin1String(api::BedBoard), read,
                [&board](RequestContext &context) {
                    QueryReader(context.request.query).finish();
                    return HttpResponse::jsonBytes(200,
                                                   board.board(context.db, context.caller(),
                                                               clientOf(context),
                                                               context.companion));
                },
                false, BedBoard::boardCompanion()});

    router.add({"GET", QLatin1String(api::Census), read, [&service](RequestContext &context) {
                    QueryReader query(context.request.query);
                    const std::optional<QString> date = query.text(key("date"), 10, 10);
                    static const QRegularExpression dateFormat(
                        QStringLiteral("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"));
                    if (date
                        && (!dateFormat.match(*date).hasMatch()
                            || !QDate::fromString(*date, Qt::ISODate).isValid()))
                        query.addError(key("date"), QStringLiteral("must be a date YYYY-MM-DD"));
                    query.finish();
                    const CensusRow census =
                        service.census(context.db, context.caller(), date.value_or(QString()));
                    return HttpResponse::json(
                        200,
                        {{key("date"), census.date},
                         {key("admissions"), census.admissions},
                         {key("discharges"), census.discharges},
                         {key("transfers"), census.transfers},
                         {key("inpatientsAtEndOfDay"), census.inpatientsAtEndOfDay}});
                }});
    // These handlers read their query parameters (QueryReader); every other one refuses them.
    router.acceptQuery("GET", QLatin1String(api::Beds));
    router.acceptQuery("GET", QLatin1String(api::Admissions));
    router.acceptQuery("GET", QLatin1String(api::Census));
}

} // namespace hms::server
