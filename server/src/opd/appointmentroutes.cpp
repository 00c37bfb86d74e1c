#include "opd/appointmentroutes.h"

#include "auth/authservice.h"
#include "common/domainerror.h"
#include "http/jsonrequest.h"
#include "http/queryreader.h"
#include "http/router.h"
#include "idempotency/idempotencystore.h"
#include "opd/appointmentservice.h"
#include "shared/protocol/apipaths.h"

#include <QDate>
#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>

namespace hms::server {

namespace {

constexpr int ReasonMaxLength = 500;

ClientInfo clientOf(const RequestContext &context)
{
    return {context.clientAddress(), QString::fromLatin1(context.requestId)};
}

qint64 idOf(const RequestContext &context)
{
    return pathId(context.pathParam(QStringLiteral("id")));
}

HttpResponse appointmentResponse(int status, const AppointmentRow &appointment)
{
    HttpResponse response = HttpResponse::json(status, AppointmentService::toJson(appointment));
    response.setHeader("ETag", etagFor(appointment.version));
    return response;
}

/// A wall-clock time of day, HH:MM (00:00 to 23:59).
std::optional<QString> timeOfDay(FieldReader &reader, const QString &key)
{
    const std::optional<QString> value = reader.requiredString(key, 5);
    static const QRegularExpression format(QStringLiteral("^([01][0-9]|2[0-3]):[0-5][0-9]$"));
    if (value && !format.match(*value).hasMatch()) {
        reader.addError(key, QStringLiteral("must be a time of day (HH:MM)"));
        return std::nullopt;
    }
    return value;
}

/// An instant with its UTC offset (RFC 3339: 2026-11-25T09:30:00+05:30 or ...Z), returned
/// as UTC ISO 8601 text for PostgreSQL.
std::optional<QString> instant(FieldReader &reader, const QString &key)
{
    const std::optional<QString> value = reader.requiredString(key, 40);
    if (!value)
        return std::nullopt;
    static const QRegularExpression format(
        QStringLiteral("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?"
                       "(Z|[+-][0-9]{2}:[0-9]{2})$"));
    const QDateTime parsed = QDateTime::fromString(*value, Qt::ISODateWithMs);
    if (!format.match(*value).hasMatch() || !parsed.isValid()) {
        reader.addError(key,
                        QStringLiteral("must be a date and time with a UTC offset "
                                       "(2026-01-31T09:30:00+05:30)"));
        return std::nullopt;
    }
    return parsed.toUTC().toString(Qt::ISODateWithMs);
}

/// Optional free text of at most ReasonMaxLength characters, not blank.
std::optional<QString> reasonText(FieldReader &reader, const QString &key, bool required)
{
    const std::optional<QString> value = required ? reader.requiredString(key, ReasonMaxLength)
                                                  : reader.optionalString(key, ReasonMaxLength);
    if (value && value->trimmed().isEmpty()) {
        reader.addError(key, QStringLiteral("must not be blank"));
        return std::nullopt;
    }
    return value;
}

/// A YYYY-MM-DD query parameter.
std::optional<QString> dateParam(QueryReader &query, const QString &name, bool required)
{
    const std::optional<QString> value = query.text(name, 10, 10, required);
    if (value && !QDate::fromString(*value, Qt::ISODate).isValid()) {
        query.addError(name, QStringLiteral("must be a date (YYYY-MM-DD)"));
        return std::nullopt;
    }
    return value;
}

QJsonArray appointmentItems(const std::vector<AppointmentRow> &rows)
{
    QJsonArray items;
    for (const AppointmentRow &row : rows)
        items.append(AppointmentService::toJson(row));
    return items;
}

} // namespace

void registerAppointmentRoutes(Router &router, AppointmentService &service)
{
    const RouteAccess read = RouteAccess::require(Permission::PatientRead);
    const RouteAccess manageDepartments = RouteAccess::require(Permission::DepartmentManage);
    const RouteAccess manageAppointments = RouteAccess::require(Permission::AppointmentManage);

    router.add(
        {"POST", QLatin1String(api::DepartmentSchedules), manageDepartments,
         [&service](RequestContext &context) {
             FieldReader reader(jsonBody(context.request));
             const std::optional<qint64> doctorId = reader.requiredId(QStringLiteral("doctorId"));
             const std::optional<qint64> weekday =
                 reader.requiredInteger(QStringLiteral("weekday"), 1, 7);
             const std::optional<QString> start = timeOfDay(reader, QStringLiteral("start"));
             const std::optional<QString> end = timeOfDay(reader, QStringLiteral("end"));
             const std::optional<qint64> slotMinutes =
                 reader.requiredInteger(QStringLiteral("slotMinutes"), 5, 240);
             if (start && end && *end <= *start)
                 reader.addError(QStringLiteral("end"), QStringLiteral("must be after start"));
             requireValid(reader);
             const ScheduleRow created = service.createSchedule(
                 context.db, context.caller(), clientOf(context), idOf(context), *doctorId,
                 int(*weekday), *start, *end, int(*slotMinutes));
             return HttpResponse::json(201, AppointmentService::toJson(created));
         }});

    router.add(
        {"GET", QLatin1String(api::DepartmentSchedules), read, [&service](RequestContext &context) {
             QueryReader(context.request.query).finish();
             QJsonArray items;
             for (const ScheduleRow &row :
                  service.schedules(context.db, context.caller(), idOf(context)))
                 items.append(AppointmentService::toJson(row));
             return HttpResponse::json(200, {{QStringLiteral("items"), items}});
         }});

    router.add({"POST", QLatin1String(api::DoctorOffDays), manageDepartments,
                [&service](RequestContext &context) {
                    FieldReader reader(jsonBody(context.request));
                    const std::optional<QDate> date = reader.requiredDate(QStringLiteral("date"));
                    const std::optional<QString> reason =
                        reasonText(reader, QStringLiteral("reason"), false);
                    requireValid(reader);
                    const QString day = date->toString(Qt::ISODate);
                    const qint64 doctorId = idOf(context);
                    const bool added = service.addOffDay(context.db, context.caller(),
                                                         clientOf(context), doctorId, day, reason);
                    return HttpResponse::json(
                        added ? 201 : 200,
                        {{QStringLiteral("doctorId"), QString::number(doctorId)},
                         {QStringLiteral("date"), day}});
                }});

    router.add(
        {"GET", QLatin1String(api::DoctorOffDays), read, [&service](RequestContext &context) {
             QueryReader query(context.request.query);
             // Default: from yesterday (local dates vary by time zone).
             const QString fromDate =
                 dateParam(query, QStringLiteral("from"), false)
                     .value_or(QDate::currentDate().addDays(-1).toString(Qt::ISODate));
             query.finish();
             const qint64 doctorId = idOf(context);
             QJsonArray items;
             for (const QString &day :
                  service.offDays(context.db, context.caller(), doctorId, fromDate))
                 items.append(day);
             return HttpResponse::json(200,
                                       {{QStringLiteral("doctorId"), QString::number(doctorId)},
                                        {QStringLiteral("items"), items}});
         }});

    router.add({"DELETE", QLatin1String(api::DoctorOffDay), manageDepartments,
                [&service](RequestContext &context) {
                    QueryReader(context.request.query).finish();
                    const QDate date =
                        QDate::fromString(context.pathParam(QStringLiteral("date")), Qt::ISODate);
                    if (!date.isValid())
                        throw DomainError(problems::NotFound);
                    service.removeOffDay(context.db, context.caller(), clientOf(context),
                                         idOf(context), date.toString(Qt::ISODate));
                    return HttpResponse::noContent();
                }});

    router.add({"DELETE", QLatin1String(api::DepartmentSchedule), manageDepartments,
                [&service](RequestContext &context) {
                    QueryReader(context.request.query).finish();
                    service.deleteSchedule(context.db, context.caller(), clientOf(context),
                                           idOf(context),
                                           pathId(context.pathParam(QStringLiteral("scheduleId"))));
                    return HttpResponse::noContent();
                }});

    router.add(
        {"GET", QLatin1String(api::DepartmentSlots), read, [&service](RequestContext &context) {
             QueryReader query(context.request.query);
             const std::optional<QString> date = dateParam(query, QStringLiteral("date"), true);
             const std::optional<qint64> doctorId = query.id(QStringLiteral("doctorId"));
             query.finish();
             const qint64 departmentId = idOf(context);
             QJsonArray items;
             for (const SlotRow &slot :
                  service.freeSlots(context.db, context.caller(), departmentId, doctorId, *date))
                 items.append(AppointmentService::toJson(slot));
             return HttpResponse::json(
                 200,
                 {{QStringLiteral("departmentId"), QString::number(departmentId)},
                  {QStringLiteral("date"), *date},
                  {QStringLiteral("items"), items}});
         }});

    router.add({"POST", QLatin1String(api::Appointments), manageAppointments,
                [&service](RequestContext &context) {
                    IdempotencyStore idempotency(context, QLatin1String(api::Appointments));
                    FieldReader reader(jsonBody(context.request));
                    const std::optional<qint64> patientId =
                        reader.requiredId(QStringLiteral("patientId"));
                    const std::optional<qint64> departmentId =
                        reader.requiredId(QStringLiteral("departmentId"));
                    const std::optional<qint64> doctorId =
                        reader.requiredId(QStringLiteral("doctorId"));
                    const std::optional<QString> start = instant(reader, QStringLiteral("start"));
                    const std::optional<QString> reason =
                        reasonText(reader, QStringLiteral("reason"), false);
                    requireValid(reader);
                    HttpResponse created;
                    AppointmentService::TransactionHooks hooks;
                    hooks.begin = [&idempotency](pqxx::transaction_base &tx) {
                        return idempotency.claim(tx);
                    };
                    hooks.beforeCommit = [&idempotency, &created](pqxx::transaction_base &tx,
                                                                  const AppointmentRow &booked) {
                        created = appointmentResponse(201, booked);
                        created.setHeader("Location",
                                          QByteArray(api::Appointments) + '/'
                                              + QByteArray::number(booked.id));
                        idempotency.save(tx, created);
                    };
                    if (!service.book(context.db, context.caller(), clientOf(context), *patientId,
                                      *departmentId, *doctorId, *start, reason, hooks))
                        return *idempotency.replay();
                    return created;
                }});

    router.add(
        {"GET", QLatin1String(api::Appointments), manageAppointments,
         [&service](RequestContext &context) {
             QueryReader query(context.request.query);
             const std::optional<qint64> doctorId = query.id(QStringLiteral("doctorId"));
             const std::optional<QString> date = dateParam(query, QStringLiteral("date"), false);
             const std::optional<qint64> patientId = query.id(QStringLiteral("patientId"));
             const int limit = query.limit(100, 500);
             if (patientId && (doctorId || date))
                 query.addError(QStringLiteral("patientId"),
                                QStringLiteral("cannot be combined with doctorId or date"));
             else if (!patientId && !(doctorId && date))
                 query.addError(QStringLiteral("doctorId"),
                                QStringLiteral("doctorId and date, or patientId, are required"));
             query.finish();
             const std::vector<AppointmentRow> rows = patientId
                 ? service.forPatient(context.db, context.caller(), clientOf(context), *patientId,
                                      limit)
                 : service.forDoctorDay(context.db, context.caller(), clientOf(context), *doctorId,
                                        *date);
             return HttpResponse::json(200, {{QStringLiteral("items"), appointmentItems(rows)}});
         }});

    router.add({"GET", QLatin1String(api::Appointment), manageAppointments,
                [&service](RequestContext &context) {
                    QueryReader(context.request.query).finish();
                    return appointmentResponse(200,
                                               service.appointment(context.db, context.caller(),
                                                                   clientOf(context),
                                                                   idOf(context)));
                }});

    router.add({"POST", QLatin1String(api::AppointmentCancel), manageAppointments,
                [&service](RequestContext &context) {
                    FieldReader reader(jsonBody(context.request));
                    const std::optional<QString> reason =
                        reasonText(reader, QStringLiteral("reason"), true);
                    requireValid(reader);
                    const qint64 id = idOf(context);
                    const int version = requireIfMatchVersion(context.request);
                    return appointmentResponse(200,
                                               service.cancel(context.db, context.caller(),
                                                              clientOf(context), id, version,
                                                              *reason));
                }});

    router.add({"POST", QLatin1String(api::AppointmentReschedule), manageAppointments,
                [&service](RequestContext &context) {
                    FieldReader reader(jsonBody(context.request));
                    const std::optional<QString> start = instant(reader, QStringLiteral("start"));
                    requireValid(reader);
                    const qint64 id = idOf(context);
                    const int version = requireIfMatchVersion(context.request);
                    return appointmentResponse(200,
                                               service.reschedule(context.db, context.caller(),
                                                                  clientOf(context), id, version,
                                                                  *start));
                }});
    // These handlers read their query parameters (QueryReader); every other one refuses them.
    router.acceptQuery("GET", QLatin1String(api::DepartmentSlots));
    router.acceptQuery("GET", QLatin1String(api::Appointments));
    router.acceptQuery("GET", QLatin1String(api::DoctorOffDays));
}

} // namespace hms::server
