#include "documents/documentroutes.h"

#include "auth/authservice.h"
#include "common/domainerror.h"
#include "documents/documentservice.h"
#include "http/jsonrequest.h"
#include "http/queryreader.h"
#include "http/router.h"
#include "idempotency/idempotencystore.h"
#include "shared/clinical/clinicalrules.h"
#include "shared/protocol/apipaths.h"

#include <QJsonArray>

namespace hms::server {

namespace {

ClientInfo clientOf(const RequestContext &context)
{
    return {context.clientAddress(), QString::fromLatin1(context.requestId)};
}

HttpResponse documentResponse(int status, const DocumentVersion &version)
{
    HttpResponse response = HttpResponse::json(status, DocumentService::toJson(version));
    response.setHeader("ETag", etagFor(version.version));
    return response;
}

QByteArray locationOf(const DocumentVersion &version)
{
    return QByteArray(api::Patients) + '/' + QByteArray::number(version.patientId) + "/documents/"
        + version.documentId.toLatin1();
}

qint64 patientIdOf(const RequestContext &context)
{
    return pathId(context.pathParam(QStringLiteral("id")));
}

/// Our document ids are numeric; anything else is the same 404 as an unknown one.
QString documentIdOf(const RequestContext &context)
{
    return QString::number(pathId(context.pathParam(QStringLiteral("docId"))));
}

struct NewDocumentInput
{
    QString kind;
    QJsonObject body;
};

NewDocumentInput validNewDocument(const RequestContext &context)
{
    FieldReader reader(jsonBody(context.request));
    const std::optional<QString> kind = reader.requiredEnum(QString::fromLatin1(documentkeys::Kind),
                                                            writableClinicalDocumentKinds());
    const std::optional<QJsonObject> body =
        reader.requiredObject(QString::fromLatin1(documentkeys::Body));
    reader.rejectUnknownKeys();
    if (kind && body) {
        const Result<QJsonObject> valid = validateClinicalBody(*kind, *body);
        if (!valid) {
            FieldReader nested{QJsonObject{}, QString{}};
            for (const FieldError &error : valid.problem().errors)
                nested.addError(error.field, error.message);
            reader.addErrors(nested);
        }
    }
    requireValid(reader);
    return {*kind, *body};
}

struct NewVersionInput
{
    QJsonObject body;
    QString reason;
};

/// The shape only; the body is checked against the document's kind by the service.
NewVersionInput validNewVersion(const RequestContext &context)
{
    FieldReader reader(jsonBody(context.request));
    const std::optional<QJsonObject> body =
        reader.requiredObject(QString::fromLatin1(documentkeys::Body));
    const std::optional<QString> reason =
        reader.requiredString(QString::fromLatin1(documentkeys::Reason), clinicallimits::ReasonMax);
    requireValid(reader);
    return {*body, *reason};
}

struct ListQuery
{
    QString kind;
    QString cursor;
    int limit = DocumentService::DefaultPageSize;
};

// Only kind, limit and cursor; anything else is refused (SECURITY.md I3).
ListQuery parseList(const QUrlQuery &query)
{
    ListQuery parsed;
    QueryReader reader(query);
    parsed.kind = reader.oneOf(QStringLiteral("kind"), clinicalDocumentKinds()).value_or(QString());
    parsed.limit = reader.limit(DocumentService::DefaultPageSize, DocumentService::MaxPageSize);
    parsed.cursor = readDocumentCursor(reader);
    reader.finish();
    return parsed;
}

} // namespace

QString readDocumentCursor(QueryReader &reader)
{
    const std::optional<QString> cursor = reader.value(QStringLiteral("cursor"));
    if (!cursor)
        return {};
    // The store decodes it (422 when it is not one of its own).
    if (cursor->isEmpty())
        reader.addError(QStringLiteral("cursor"),
                        QStringLiteral("is not a cursor from a previous page"));
    return *cursor;
}

QJsonObject documentPageJson(const DocumentPage &page)
{
    QJsonArray items;
    for (const DocumentVersion &version : page.items)
        items.append(DocumentService::toJson(version));
    QJsonObject body{{QStringLiteral("items"), items}};
    if (!page.nextCursor.isEmpty())
        body.insert(QStringLiteral("nextCursor"), page.nextCursor);
    return body;
}

void registerDocumentRoutes(Router &router, DocumentService &service)
{
    const RouteAccess read = RouteAccess::require(Permission::ClinicalRead);
    const RouteAccess write = RouteAccess::require(Permission::ClinicalWrite);

    router.add(
        {"POST", QLatin1String(api::PatientDocuments), write, [&service](RequestContext &context) {
             IdempotencyStore idempotency(context, QLatin1String(api::PatientDocuments));
             const qint64 patientId = patientIdOf(context);
             const NewDocumentInput input = validNewDocument(context);
             HttpResponse created;
             DocumentService::TransactionHooks hooks;
             hooks.begin = [&idempotency](pqxx::transaction_base &tx) {
                 return idempotency.claim(tx);
             };
             hooks.beforeCommit = [&idempotency, &created](pqxx::transaction_base &tx,
                                                           const DocumentVersion &version) {
                 created = documentResponse(201, version);
                 created.setHeader("Location", locationOf(version));
                 idempotency.save(tx, created);
             };
             if (!service.create(context.db, context.caller(), clientOf(context), patientId,
                                 input.kind, input.body, hooks))
                 return *idempotency.replay();
             return created;
         }});

    router.add(
        {"GET", QLatin1String(api::PatientDocuments), read, [&service](RequestContext &context) {
             const qint64 patientId = patientIdOf(context);
             const ListQuery query = parseList(context.request.query);
             return HttpResponse::json(
                 200,
                 documentPageJson(service.list(context.db, context.caller(), clientOf(context),
                                               patientId, query.kind, query.limit, query.cursor)));
         }});

    router.add(
        {"GET", QLatin1String(api::PatientDocument), read, [&service](RequestContext &context) {
             const qint64 patientId = patientIdOf(context);
             const QString documentId = documentIdOf(context);
             return documentResponse(200,
                                     service.get(context.db, context.caller(), clientOf(context),
                                                 patientId, documentId));
         }});

    router.add({"GET", QLatin1String(api::PatientDocumentVersions), read,
                [&service](RequestContext &context) {
                    const qint64 patientId = patientIdOf(context);
                    const QString documentId = documentIdOf(context);
                    const std::vector<DocumentVersion> versions = service.history(
                        context.db, context.caller(), clientOf(context), patientId, documentId);
                    QJsonArray items;
                    for (const DocumentVersion &version : versions)
                        items.append(DocumentService::toJson(version));
                    HttpResponse response =
                        HttpResponse::json(200, QJsonObject{{QStringLiteral("items"), items}});
                    if (!versions.empty())
                        response.setHeader("ETag", etagFor(versions.back().version));
                    return response;
                }});

    router.add({"POST", QLatin1String(api::PatientDocumentVersions), write,
                [&service](RequestContext &context) {
                    const qint64 patientId = patientIdOf(context);
                    const QString documentId = documentIdOf(context);
                    const NewVersionInput input = validNewVersion(context);
                    const int expected = requireIfMatchVersion(context.request);
                    const DocumentVersion added = service.addVersion(
                        context.db, context.caller(), clientOf(context), patientId, documentId,
                        expected, input.body, input.reason);
                    HttpResponse response = documentResponse(201, added);
                    response.setHeader("Location", locationOf(added));
                    return response;
                }});
    // These handlers read their query parameters (QueryReader); every other one refuses them.
    router.acceptQuery("GET", QLatin1String(api::PatientDocuments));
}

} // namespace hms::server
