#include "patients/patientroutes.h"

#include "auth/authservice.h"
#include "common/domainerror.h"
#include "http/jsonrequest.h"
#include "http/queryreader.h"
#include "http/router.h"
#include "idempotency/idempotencystore.h"
#include "patients/patientmerge.h"
#include "patients/patientservice.h"
#include "shared/patients/patientrules.h"
#include "shared/protocol/apipaths.h"
#include "shared/validation/fieldreader.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace hms::server {

namespace {

ClientInfo clientOf(const RequestContext &context)
{
    return {context.clientAddress(), QString::fromLatin1(context.requestId)};
}

QByteArray locationOf(qint64 id)
{
    return QByteArray(api::Patients) + '/' + QByteArray::number(id);
}

HttpResponse patientResponse(int status, const PatientRow &patient)
{
    HttpResponse response = HttpResponse::json(status, PatientService::toJson(patient));
    response.setHeader("ETag", etagFor(patient.version));
    return response;
}

PatientInput validInput(const RequestContext &context, bool forUpdate)
{
    Result<PatientInput> input = patientFromJson(jsonBody(context.request), forUpdate);
    if (!input)
        throw DomainError(input.problem());
    return std::move(input).value();
}

/// A registration: the patient fields plus the optional `checkIn: {"departmentId"}` (queue
/// the new patient in that OPD department and notify its doctors; done by the
/// registerPatient workflow). Field errors of both are reported together.
PatientInput validRegistration(const RequestContext &context,
                               std::optional<qint64> &checkInDepartmentId)
{
    QJsonObject body = jsonBody(context.request);
    const QString checkInKey = QStringLiteral("checkIn");
    FieldReader reader(QJsonObject{{checkInKey, body.value(checkInKey)}});
    if (body.contains(checkInKey)) {
        if (const std::optional<QJsonObject> checkIn = reader.optionalObject(checkInKey)) {
            FieldReader nested(*checkIn, reader.path(checkInKey));
            checkInDepartmentId = nested.requiredId(QStringLiteral("departmentId"));
            nested.rejectUnknownKeys();
            reader.addErrors(nested);
        }
        body.remove(checkInKey);
    }
    Result<PatientInput> input = patientFromJson(body, false);
    if (!input || reader.hasErrors()) {
        Problem problem = input ? reader.problem() : input.problem();
        if (!input)
            problem.errors.append(reader.errors());
        throw DomainError(problem);
    }
    return std::move(input).value();
}

/// The opaque cursor: base64url of "<rank>:<id>", or "<rank>:<id>:<key>" when a name search
/// ordered hits of that rank by a key (0029). The key is last: it may hold a colon.
QString encodeCursor(const SearchCursor &cursor)
{
    QByteArray raw = QByteArray::fromStdString(cursor.rank) + ':' + QByteArray::number(cursor.id);
    if (cursor.key)
        raw += ':' + QByteArray::fromStdString(*cursor.key);
    return QString::fromLatin1(
        raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

// A key is a folded name or one of its words: UTF-8 text PostgreSQL accepts, at most 5 bytes
// for each character typed (the longest unaccent rule: "\u33AE" folds to "rad/s"). A cursor
// is base64 (4 characters for 3 bytes) of the rank (at most 16 bytes), the id (at most 20),
// two colons and the key.
constexpr qsizetype CursorKeyMaxBytes = 5 * patientlimits::FullNameMax;
constexpr qsizetype CursorMaxChars = (16 + 20 + 2 + CursorKeyMaxBytes + 2) / 3 * 4;

bool validCursorKey(const QByteArray &key)
{
    return !key.isEmpty() && key.size() <= CursorKeyMaxBytes && !key.contains('\0')
        && key.isValidUtf8();
}

std::optional<SearchCursor> decodeCursor(const QString &text)
{
    if (text.size() > CursorMaxChars)
        return std::nullopt;
    const QByteArray::FromBase64Result decoded = QByteArray::fromBase64Encoding(
        text.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    const QByteArray &raw = decoded.decoded;
    const qsizetype colon = raw.indexOf(':');
    if (colon <= 0)
        return std::nullopt;
    const qsizetype keyColon = raw.indexOf(':', colon + 1);
    const QByteArray rank = raw.left(colon);
    bool rankOk = false;
    bool idOk = false;
    const double value = rank.toDouble(&rankOk);
    const qint64 id =
        raw.mid(colon + 1, keyColon < 0 ? -1 : keyColon - colon - 1).toLongLong(&idOk);
    if (!rankOk || !std::isfinite(value) || !idOk || id <= 0)
        return std::nullopt;
    SearchCursor cursor{rank.toStdString(), id, std::nullopt};
    if (keyColon >= 0) {
        const QByteArray key = raw.mid(keyColon + 1);
        if (!validCursorKey(key))
            return std::nullopt;
        cursor.key = key.toStdString();
    }
    return cursor;
}

struct SearchQuery
{
    QString text;
    std::optional<SearchCursor> cursor;
    int limit = PatientService::DefaultPageSize;
};

// Only q, limit and cursor; anything else is refused (SECURITY.md I3).
SearchQuery parseSearch(const QUrlQuery &query)
{
    SearchQuery parsed;
    QueryReader reader(query);
    // q: an MRN, a phone number or part of a name
    parsed.text = reader.text(QStringLiteral("q"), 2, 200, true).value_or(QString());
    parsed.limit = reader.limit(PatientService::DefaultPageSize, PatientService::MaxPageSize);
    if (const std::optional<QString> cursor = reader.value(QStringLiteral("cursor"))) {
        parsed.cursor = decodeCursor(*cursor);
        if (!parsed.cursor)
            reader.addError(QStringLiteral("cursor"),
                            QStringLiteral("is not a cursor from a previous page"));
    }
    reader.finish();
    return parsed;
}

} // namespace

void registerPatientRoutes(Router &router, PatientService &service)
{
    const RouteAccess read = RouteAccess::require(Permission::PatientRead);
    const RouteAccess write = RouteAccess::require(Permission::PatientWrite);

    router.add({"POST", QLatin1String(api::Patients), write, [&service](RequestContext &context) {
                    IdempotencyStore idempotency(context, QLatin1String(api::Patients));
                    std::optional<qint64> checkInDepartmentId;
                    const PatientInput input = validRegistration(context, checkInDepartmentId);
                    HttpResponse created;
                    PatientService::TransactionHooks hooks;
                    hooks.begin = [&idempotency](pqxx::transaction_base &tx) {
                        return idempotency.claim(tx);
                    };
                    hooks.beforeCommit = [&idempotency, &created](pqxx::transaction_base &tx,
                                                                  const PatientRow &patient) {
                        created = patientResponse(201, patient);
                        created.setHeader("Location", locationOf(patient.id));
                        idempotency.save(tx, created);
                    };
                    if (!service.registerPatient(context.db, context.caller(), clientOf(context),
                                                 input, hooks, checkInDepartmentId))
                        return *idempotency.replay();
                    return created;
                }});

    router.add({"GET", QLatin1String(api::Patients), read,
                [&service](RequestContext &context) {
                    const SearchQuery query = parseSearch(context.request.query);
                    const PatientService::SearchPage page =
                        service.search(context.db, context.caller(), clientOf(context), query.text,
                                       query.cursor, query.limit);
                    QJsonArray items;
                    for (const PatientRow &patient : page.items)
                        items.append(PatientService::toJson(patient));
                    QJsonObject body{{QStringLiteral("items"), items}};
                    if (page.next)
                        body.insert(QStringLiteral("nextCursor"), encodeCursor(*page.next));
                    return HttpResponse::json(200, body);
                },
                false, nullptr, false,
                [](const HttpRequest &request) {
                    // Name searches queue on their own pool (HttpServerOptions::searchPool).
                    return PatientService::isNameSearch(
                        request.query.queryItemValue(QStringLiteral("q"), QUrl::FullyDecoded));
                }});

    router.add({"GET", QLatin1String(api::Patient), read, [&service](RequestContext &context) {
                    const qint64 id = pathId(context.pathParam(QStringLiteral("id")));
                    // A merged record answers with its survivor; Content-Location names it.
                    const PatientRow patient =
                        service.get(context.db, context.caller(), clientOf(context), id);
                    HttpResponse response = patientResponse(200, patient);
                    if (patient.id != id)
                        response.setHeader("Content-Location", locationOf(patient.id));
                    return response;
                }});

    router.add(
        {"POST", QLatin1String(api::PatientMerge), RouteAccess::require(Permission::PatientMerge),
         [](RequestContext &context) {
             FieldReader reader(jsonBody(context.request));
             const std::optional<qint64> into = reader.requiredId(QStringLiteral("intoPatientId"));
             const std::optional<qint64> intoVersion =
                 reader.requiredInteger(QStringLiteral("intoPatientVersion"), 1, 2'000'000'000);
             const std::optional<QString> reason =
                 reader.requiredString(QStringLiteral("reason"), 500);
             if (reason && reason->trimmed().isEmpty())
                 reader.addError(QStringLiteral("reason"), QStringLiteral("must not be blank"));
             requireValid(reader);
             const qint64 id = pathId(context.pathParam(QStringLiteral("id")));
             const int version = requireIfMatchVersion(context.request);
             const MergeResult merged =
                 PatientMergeService::merge(context.db, context.caller(), clientOf(context), id,
                                            version, *into, int(*intoVersion), *reason);
             HttpResponse response = HttpResponse::json(
                 200,
                 {{QStringLiteral("id"), QString::number(merged.mergedId)},
                  {QStringLiteral("mergedInto"), QString::number(merged.survivorId)},
                  {QStringLiteral("version"), merged.mergedVersion},
                  {QStringLiteral("survivorVersion"), merged.survivorVersion},
                  {QStringLiteral("movedVisits"), merged.movedVisits},
                  {QStringLiteral("movedAppointments"), merged.movedAppointments}});
             response.setHeader("Content-Location", locationOf(merged.survivorId));
             return response;
         }});

    router.add({"PATCH", QLatin1String(api::Patient), write, [&service](RequestContext &context) {
                    const qint64 id = pathId(context.pathParam(QStringLiteral("id")));
                    const PatientInput changes = validInput(context, true);
                    const int version = requireIfMatchVersion(context.request);
                    return patientResponse(200,
                                           service.update(context.db, context.caller(),
                                                          clientOf(context), id, version, changes));
                }});
    // These handlers read their query parameters (QueryReader); every other one refuses them.
    router.acceptQuery("GET", QLatin1String(api::Patients));
}

} // namespace hms::server
