#include "audit/auditroutes.h"

#include "audit/auditlog.h"
#include "common/domainerror.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "http/queryreader.h"
#include "http/router.h"
#include "shared/protocol/apipaths.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <pqxx/result>
#include <pqxx/transaction>

namespace hms::server {

namespace {

constexpr int DefaultLimit = 50;
constexpr int MaxLimit = 200;

struct AuditQuery
{
    std::optional<std::string> actor, entity, entityId, patient, action, outcome, from, to;
    std::optional<std::string> cursor;
    int limit = DefaultLimit;
};

// Every parameter is checked against its own rule; unknown ones are refused (I3).
AuditQuery parseQuery(const QUrlQuery &query)
{
    QueryReader reader(query);
    auto id = [&](const char *name) -> std::optional<std::string> {
        const std::optional<qint64> value = reader.id(QLatin1String(name));
        return value ? std::optional(std::to_string(*value)) : std::nullopt;
    };
    auto text = [&](const char *name) -> std::optional<std::string> {
        const std::optional<QString> value = reader.text(QLatin1String(name), 1, 100);
        return value ? std::optional(value->toStdString()) : std::nullopt;
    };
    auto instant = [&](const char *name) -> std::optional<std::string> {
        const std::optional<QString> value = reader.value(QLatin1String(name));
        if (!value)
            return std::nullopt;
        const QDateTime time = QDateTime::fromString(*value, Qt::ISODateWithMs);
        if (!time.isValid() || !value->endsWith(QLatin1Char('Z'))) {
            reader.addError(QLatin1String(name),
                            QStringLiteral("must be an ISO 8601 UTC time ending in Z"));
            return std::nullopt;
        }
        return time.toUTC().toString(Qt::ISODateWithMs).toStdString();
    };

    AuditQuery parsed;
    parsed.actor = id("actor");
    parsed.patient = id("patient");
    parsed.cursor = id("cursor");
    parsed.entity = text("entity");
    parsed.entityId = text("entityId");
    parsed.action = text("action");
    if (const auto outcome = reader.oneOf(
            QStringLiteral("outcome"),
            {QStringLiteral("success"), QStringLiteral("denied"), QStringLiteral("failure")}))
        parsed.outcome = outcome->toStdString();
    parsed.from = instant("from");
    parsed.to = instant("to");
    parsed.limit = reader.limit(DefaultLimit, MaxLimit);
    reader.finish();
    return parsed;
}

QJsonValue nullable(const pqxx::field &field)
{
    return field.is_null() ? QJsonValue() : QJsonValue(QString::fromUtf8(field.c_str()));
}

HttpResponse listAudit(RequestContext &context)
{
    const AuditQuery query = parseQuery(context.request.query);
    const Principal &caller = context.caller();
    pqxx::work tx(context.db.connection());
    enterTenant(tx, caller.hospitalId);
    // Fixed SQL; absent filters are NULL parameters that match everything.
    const pqxx::result rows = tx.exec_params(
        "SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
        "actor_user_id::text, "
        "actor_role, action, entity, entity_id, patient_id::text, category, outcome, request_id, "
        "client_address, "
        "details::text FROM audit_log WHERE hospital_id = $1 AND seq IS NOT NULL "
        "AND ($2::bigint IS NULL OR actor_user_id = $2::bigint) "
        "AND ($3::text IS NULL OR entity = $3) AND ($4::text IS NULL OR entity_id = $4) "
        "AND ($5::bigint IS NULL OR patient_id = $5::bigint) AND ($6::text IS NULL OR action = $6) "
        "AND ($7::text IS NULL OR outcome = $7) AND ($8::timestamptz IS NULL OR at >= "
        "$8::timestamptz) "
        "AND ($9::timestamptz IS NULL OR at < $9::timestamptz) AND ($10::bigint IS NULL OR seq < "
        "$10::bigint) "
        "ORDER BY seq DESC LIMIT $11",
        caller.hospitalId, query.actor, query.entity, query.entityId, query.patient, query.action,
        query.outcome, query.from, query.to, query.cursor, query.limit + 1);

    QJsonArray items;
    qint64 lastSeq = 0;
    for (qsizetype i = 0; i < qsizetype(rows.size()) && i < query.limit; ++i) {
        const pqxx::row row = rows[pqxx::result::size_type(i)];
        lastSeq = row[0].as<qint64>();
        items.append(QJsonObject{
            {QStringLiteral("seq"), QString::number(lastSeq)},
            {QStringLiteral("at"), QString::fromLatin1(row[1].c_str())},
            {QStringLiteral("actorUserId"), nullable(row[2])},
            {QStringLiteral("actorRole"), nullable(row[3])},
            {QStringLiteral("action"), nullable(row[4])},
            {QStringLiteral("entity"), nullable(row[5])},
            {QStringLiteral("entityId"), nullable(row[6])},
            {QStringLiteral("patientId"), nullable(row[7])},
            {QStringLiteral("category"), nullable(row[8])},
            {QStringLiteral("outcome"), nullable(row[9])},
            {QStringLiteral("requestId"), nullable(row[10])},
            {QStringLiteral("clientAddress"), nullable(row[11])},
            {QStringLiteral("details"), QJsonDocument::fromJson(row[12].c_str()).object()}});
    }
    QJsonObject body{{QStringLiteral("items"), items}};
    if (qsizetype(rows.size()) > query.limit)
        body.insert(QStringLiteral("nextCursor"), QString::number(lastSeq));

    // Reading the audit trail is itself audited (SECURITY.md L5).
    AuditEntry audit;
    audit.hospitalId = caller.hospitalId;
    audit.actorUserId = caller.userId;
    audit.actorRole = roleName(caller.role);
    audit.action = QStringLiteral("audit.read");
    audit.category = QStringLiteral("audit");
    audit.requestId = QString::fromLatin1(context.requestId);
    audit.clientAddress = context.clientAddress();
    audit.details = {{QStringLiteral("query"), context.request.query.toString(QUrl::FullyEncoded)},
                     {QStringLiteral("rows"), items.size()}};
    AuditLog::append(tx, audit);
    tx.commit();
    return HttpResponse::json(200, body);
}

} // namespace

void registerAuditRoutes(Router &router)
{
    router.add(
        {"GET", QLatin1String(api::Audit), RouteAccess::require(Permission::AuditRead), listAudit});
    // These handlers read their query parameters (QueryReader); every other one refuses them.
    router.acceptQuery("GET", QLatin1String(api::Audit));
}

} // namespace hms::server
