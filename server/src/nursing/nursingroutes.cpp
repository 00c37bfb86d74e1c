#include "nursing/nursingroutes.h"

#include "auth/authservice.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "documents/documentroutes.h"
#include "documents/documentservice.h"
#include "http/jsonrequest.h"
#include "http/queryreader.h"
#include "http/router.h"
#include "idempotency/idempotencystore.h"
#include "nursing/nursingservice.h"
#include "shared/clinical/clinicalrules.h"
#include "shared/clinical/medicationrules.h"
#include "shared/protocol/apipaths.h"

#include <QJsonArray>

namespace hms::server {

namespace {

constexpr int NoteMaxLength = 10000;

ClientInfo clientOf(const RequestContext &context)
{
    return {context.clientAddress(), QString::fromLatin1(context.requestId)};
}

/// The body of a vitals or nursing-note POST, validated by the shared rules (field names
/// without prefix); the admission comes from the path, never from the body.
QJsonObject validBody(const RequestContext &context, const QString &kind)
{
    QJsonObject body = jsonBody(context.request);
    if (body.contains(QLatin1String("admissionId"))) {
        Problem problem = Problem::fromType(problems::ValidationFailed);
        problem.errors.append({key("admissionId"), QStringLiteral("unknown field")});
        throw DomainError(problem);
    }
    const Result<QJsonObject> valid = validateClinicalBody(kind, body, QString());
    if (!valid)
        throw DomainError(valid.problem());
    if (kind == QLatin1String(clinicalkinds::NursingNote)) {
        const QString text = body.value(QLatin1String("text")).toString();
        if (text.size() > NoteMaxLength || text.trimmed().isEmpty()) {
            Problem problem = Problem::fromType(problems::ValidationFailed);
            problem.errors.append(
                {key("text"),
                 QStringLiteral("must be 1 to %1 characters, not blank").arg(NoteMaxLength)});
            throw DomainError(problem);
        }
    }
    // takenAt is kept as UTC text, so the chart sorts by it.
    if (const QJsonValue takenAt = body.value(QLatin1String("takenAt")); takenAt.isString())
        body.insert(key("takenAt"),
                    medication::parseInstant(takenAt.toString())->toString(Qt::ISODateWithMs));
    return body;
}

void addDocumentRoutes(Router &router, NursingService &service, const char *path, const char *kind)
{
    router.add({"POST", QLatin1String(path), RouteAccess::require(Permission::ClinicalWrite),
                [&service, path, kind](RequestContext &context) {
                    const QJsonObject body = validBody(context, QLatin1String(kind));
                    const qint64 id = pathId(context.pathParam(QStringLiteral("id")));
                    return withIdempotency(context, QLatin1String(path), [&] {
                        return HttpResponse::json(
                            201,
                            DocumentService::toJson(service.record(context.db, context.caller(),
                                                                   clientOf(context), id,
                                                                   QLatin1String(kind), body)));
                    });
                }});
    router.add({"GET", QLatin1String(path), RouteAccess::require(Permission::ClinicalRead),
                [&service, kind](RequestContext &context) {
                    QueryReader query(context.request.query);
                    const int limit =
                        query.limit(NursingService::DefaultPageSize, NursingService::MaxPageSize);
                    const QString cursor = readDocumentCursor(query);
                    query.finish();
                    return HttpResponse::json(200,
                                              documentPageJson(service.chart(
                                                  context.db, context.caller(), clientOf(context),
                                                  pathId(context.pathParam(QStringLiteral("id"))),
                                                  QLatin1String(kind), limit, cursor)));
                }});
    router.acceptQuery("GET", QLatin1String(path));
}

} // namespace

void registerNursingRoutes(Router &router, NursingService &service)
{
    addDocumentRoutes(router, service, api::AdmissionVitals, clinicalkinds::Vitals);
    addDocumentRoutes(router, service, api::AdmissionNursingNotes, clinicalkinds::NursingNote);
}

} // namespace hms::server
