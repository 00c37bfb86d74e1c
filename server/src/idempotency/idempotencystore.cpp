#include "idempotency/idempotencystore.h"

#include "common/domainerror.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "http/router.h"
#include "shared/validation/jsonbody.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRandomGenerator>

#include <pqxx/result>
#include <pqxx/transaction>

namespace hms::server {

static Q_LOGGING_CATEGORY(lcIdempotency, "hms.server.idempotency", QtInfoMsg);

namespace {

constexpr quint32 PruneOneIn = 256;

bool isPrintableAscii(const QByteArray &value)
{
    for (const char c : value) {
        if (c < 0x20 || c > 0x7e)
            return false;
    }
    return true;
}

QByteArray fingerprintOf(const HttpRequest &request)
{
    // Canonical body: parsed and written back compact with sorted keys, so whitespace and
    // key order do not make two equal requests differ. A body that does not parse (the
    // route will refuse it) is hashed as it came.
    QByteArray canonical = request.body;
    const Result<QJsonObject> parsed = parseJsonObject(request.body);
    if (parsed)
        canonical = QJsonDocument(parsed.value()).toJson(QJsonDocument::Compact);
    QCryptographicHash sha(QCryptographicHash::Sha256);
    sha.addData(request.method);
    sha.addData(QByteArrayView(" "));
    sha.addData(request.path().toUtf8());
    sha.addData(QByteArrayView("\n"));
    sha.addData(canonical);
    return sha.result();
}

std::string headersJson(const HttpResponse &response)
{
    QJsonObject headers;
    if (!response.contentType.isEmpty())
        headers.insert(QStringLiteral("Content-Type"), QString::fromLatin1(response.contentType));
    for (const auto &[name, value] : response.headers)
        headers.insert(QString::fromLatin1(name), QString::fromLatin1(value));
    return QJsonDocument(headers).toJson(QJsonDocument::Compact).toStdString();
}

HttpResponse storedResponse(const pqxx::row &row)
{
    HttpResponse response;
    response.status = row["status"].as<int>();
    response.body = QByteArray(row["response_body"].c_str(), int(row["response_body"].size()));
    const QJsonObject headers =
        QJsonDocument::fromJson(QByteArray(row["response_headers"].c_str())).object();
    for (auto it = headers.constBegin(); it != headers.constEnd(); ++it) {
        if (it.key() == QLatin1String("Content-Type"))
            response.contentType = it.value().toString().toLatin1();
        else
            response.setHeader(it.key().toLatin1(), it.value().toString().toLatin1());
    }
    response.setHeader(IdempotencyStore::ReplayedHeader, "true");
    return response;
}

[[noreturn]] void throwInFlight()
{
    throw std::move(DomainError(problems::IdempotencyInProgress,
                                QStringLiteral("A request with this Idempotency-Key is in "
                                               "progress; retry shortly"))
                        .withRetryAfter(1));
}

[[noreturn]] void throwReused()
{
    Problem problem = Problem::fromType(
        problems::IdempotencyKeyReused,
        QStringLiteral("This Idempotency-Key was already used for a different request"));
    problem.errors.append({QStringLiteral("Idempotency-Key"),
                           QStringLiteral("was used with another request body or path")});
    throw DomainError(problem);
}

} // namespace

IdempotencyStore::IdempotencyStore(const RequestContext &context, const QString &routeTemplate)
{
    const QByteArray header = context.request.header("idempotency-key");
    if (header.isNull())
        return;
    const QByteArray key = header.trimmed();
    if (key.isEmpty() || key.size() > MaxKeyLength || !isPrintableAscii(key)) {
        Problem problem = Problem::fromType(
            problems::MalformedRequest,
            QStringLiteral("Idempotency-Key must be 1 to 255 printable ASCII characters"));
        problem.errors.append({QStringLiteral("Idempotency-Key"), QStringLiteral("is invalid")});
        throw DomainError(problem);
    }
    m_hospitalId = context.caller().hospitalId;
    m_userId = context.caller().userId;
    m_method = context.request.method;
    m_route = routeTemplate;
    m_key = QString::fromLatin1(key);
    m_fingerprint = fingerprintOf(context.request);
}

bool IdempotencyStore::claim(pqxx::transaction_base &tx)
{
    if (!isEnabled())
        return true;
    if (QRandomGenerator::global()->bounded(PruneOneIn) == 0)
        prune(tx);
    // Same-key requests of this variant hold this lock until their commit, so a duplicate
    // in flight is seen at once (409) instead of waiting on the key row.
    const std::string lockName = std::to_string(m_hospitalId) + '\x1f' + std::to_string(m_userId)
        + '\x1f' + m_method.toStdString() + '\x1f' + m_route.toStdString() + '\x1f'
        + m_key.toStdString();
    if (!tx.exec_params1("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 7013))",
                         lockName)[0]
             .as<bool>())
        throwInFlight();

    const std::string method = m_method.toStdString();
    const std::string route = m_route.toStdString();
    const std::string key = m_key.toStdString();
    const std::string hash = m_fingerprint.toHex().toStdString();
    const pqxx::result existing = tx.exec_params(
        "SELECT request_hash = decode($6, 'hex') AS same, status, response_body, "
        "response_headers::text AS response_headers FROM idempotency_keys "
        "WHERE hospital_id = $1 AND user_id = $2 AND method = $3 AND route = $4 AND key = $5",
        m_hospitalId, m_userId, method, route, key, hash);
    if (!existing.empty()) {
        const pqxx::row row = existing[0];
        if (!row["same"].as<bool>())
            throwReused();
        if (row["status"].is_null())
            throwInFlight(); // taken by withIdempotency() in another transaction
        m_replay = storedResponse(row);
        return false;
    }
    tx.exec_params0("INSERT INTO idempotency_keys (hospital_id, user_id, method, route, key, "
                    "request_hash) VALUES ($1, $2, $3, $4, $5, decode($6, 'hex'))",
                    m_hospitalId, m_userId, method, route, key, hash);
    return true;
}

void IdempotencyStore::save(pqxx::transaction_base &tx, const HttpResponse &response)
{
    if (!isEnabled() || response.status < 200 || response.status > 299)
        return;
    tx.exec_params0("UPDATE idempotency_keys SET status = $6, response_body = $7, "
                    "response_headers = $8::jsonb, completed_at = now() "
                    "WHERE hospital_id = $1 AND user_id = $2 AND method = $3 AND route = $4 "
                    "AND key = $5",
                    m_hospitalId, m_userId, m_method.toStdString(), m_route.toStdString(),
                    m_key.toStdString(), response.status, response.body.toStdString(),
                    headersJson(response));
}

qint64 IdempotencyStore::prune(pqxx::transaction_base &tx)
{
    return qint64(tx.exec_params("DELETE FROM idempotency_keys WHERE created_at < now() - "
                                 "make_interval(days => $1)",
                                 RetentionDays)
                      .affected_rows());
}

HttpResponse withIdempotency(RequestContext &context,
                             const QString &routeTemplate,
                             const std::function<HttpResponse()> &handler)
{
    IdempotencyStore store(context, routeTemplate);
    if (!store.isEnabled())
        return handler();
    const qint64 hospitalId = context.caller().hospitalId;
    const qint64 userId = context.caller().userId;
    const std::string method = context.request.method.toStdString();
    const std::string route = routeTemplate.toStdString();
    const std::string key =
        QString::fromLatin1(context.request.header("idempotency-key").trimmed()).toStdString();
    {
        pqxx::work tx(context.db.connection());
        enterTenant(tx, hospitalId);
        // claim() inserts the in-flight row; committing it now makes it visible to others.
        if (!store.claim(tx))
            return *store.replay();
        tx.commit();
    }
    const auto release = [&] {
        pqxx::work tx(context.db.connection());
        enterTenant(tx, hospitalId);
        tx.exec_params0("DELETE FROM idempotency_keys WHERE hospital_id = $1 AND user_id = $2 "
                        "AND method = $3 AND route = $4 AND key = $5 AND status IS NULL",
                        hospitalId, userId, method, route, key);
        tx.commit();
    };
    HttpResponse response;
    try {
        response = handler();
    } catch (...) {
        try {
            release();
        } catch (const std::exception &) {
            qCWarning(lcIdempotency) << "could not release an idempotency key of user" << userId
                                     << "after a failure; it stays in flight until pruned";
        }
        throw;
    }
    if (response.status >= 200 && response.status <= 299) {
        pqxx::work tx(context.db.connection());
        enterTenant(tx, hospitalId);
        store.save(tx, response);
        tx.commit();
    } else {
        release();
    }
    return response;
}

} // namespace hms::server
