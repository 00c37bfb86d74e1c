#include "audit/auditroutes.h"

#include "audit/auditlog.h"
#include "common/domainerror.h"
#include "db/dbsession.h"
#include "db/tenant.h"
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
    AuditQuery parsed;
    Problem problem = Problem::fromType(problems::ValidationFailed);
    auto fail = [&](const QString &field, const QString &message) {
        problem.errors.append({field, message});
    };
    auto digits = [&](const QString &field, const QString &value) -> std::optional<std::string> {
        bool ok = false;
        const qint64 number = value.toLongLong(&ok);
        if (!ok || number <= 0 || value.size() > 18) {
            fail(field, QStringLiteral("must be an id (a string of digits)"));
            return std::nullopt;
        }
        return std::to_string(number);
    };
    auto instant = [&](const QString &field, const QString &value) -> std::optional<std::string> {
        const QDateTime time = QDateTime::fromString(value, Qt::ISODateWithMs);
        if (!time.isValid() || !value.endsWith(QLatin1Char('Z'))) {
            fail(field, QStringLiteral("must be an ISO 8601 UTC time ending in Z"));
            return std::nullopt;
        }
        return time.toUTC().toString(Qt::ISODateWithMs).toStdString();
    };
    auto text = [&](const QString &field, const QString &value) -> std::optional<std::string> {
        if (value.isEmpty() || value.size() > 100) {
            fail(field, QStringLiteral("must be 1 to 100 characters"));
            return std::nullopt;
        }
        return value.toStdString();
    };

    for (const auto &[key, rawValue] : query.queryItems(QUrl::FullyDecoded)) {
        const QString &value = rawValue;
        if (key == QLatin1String("actor"))
            parsed.actor = digits(key, value);
        else if (key == QLatin1String("patient"))
            parsed.patient = digits(key, value);
        else if (key == QLatin1String("cursor"))
            parsed.cursor = digits(key, value);
        else if (key == QLatin1String("entity"))
            parsed.entity = text(key, value);
        else if (key == QLatin1String("entityId"))
            parsed.entityId = text(key, value);
        else if (key == QLatin1String("action"))
            parsed.action = text(key, value);
        else if (key == QLatin1String("outcome")) {
            if (value != QLatin1String("success") && value != QLatin1String("denied")
                && value != QLatin1String("failure"))
                fail(key, QStringLiteral("must be one of: success, denied, failure"));
            else
                parsed.outcome = value.toStdString();
        } else if (key == QLatin1String("from"))
            parsed.from = instant(key, value);
        else if (key == QLatin1String("to"))
            parsed.to = instant(key, value);
        else if (key == QLatin1String("limit")) {
            bool ok = false;
            parsed.limit = value.toInt(&ok);
            if (!ok || parsed.limit < 1 || parsed.limit > MaxLimit)
                fail(key, QStringLiteral("must be between 1 and %1").arg(MaxLimit));
        } else {
            fail(key, QStringLiteral("unknown query parameter"));
        }
    }
    if (!problem.errors.isEmpty())
        throw DomainError(problem);
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
        "details::text FROM audit_log WHERE hospital_id = $1 "
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
}

} // namespace hms::server
