#pragma once

#include "http/httpresponse.h"

#include <QByteArray>
#include <QString>

#include <pqxx/types>

#include <functional>
#include <optional>

namespace hms::server {

struct RequestContext;

/// `Idempotency-Key` support for POST routes (API.md "Writes", SECURITY.md C1).
///
/// A key is scoped by hospital, user, method and route template; the request is
/// fingerprinted as SHA-256 over "METHOD path\n" + the canonical JSON body (keys sorted,
/// compact), so the same key on another body or another concrete path is refused with 422.
/// Only 2xx answers are stored and replayed (byte for byte, with their ETag/Location and
/// `Idempotent-Replayed: true`). A 4xx/5xx answer changed nothing, so it is not stored and
/// the key stays usable: a request rejected by validation, a duplicate warning or a
/// conflict simply runs again on retry. Rows are kept at least RetentionDays.
///
/// Two ways to use it:
///  - preferred, the claim and the stored answer share the business transaction (a crash
///    can never leave a committed write without its answer): construct an IdempotencyStore in
///    the route, let the service call claim() right after enterTenant() and save() just
///    before its commit; a concurrent request with the same key gets 409 at once;
///  - withIdempotency(): wraps any handler with its own short transactions (claim, then
///    store or release), for routes whose service cannot take part.
class IdempotencyStore
{
public:
    static constexpr int MaxKeyLength = 255;
    static constexpr int RetentionDays = 7;
    static constexpr char ReplayedHeader[] = "Idempotent-Replayed";

    /// Reads the header of \a context's request. Throws DomainError 400 when the key is
    /// empty, longer than 255 or not printable ASCII. Without the header, isEnabled() is
    /// false and claim()/save() do nothing.
    IdempotencyStore(const RequestContext &context, const QString &routeTemplate);

    bool isEnabled() const { return !m_key.isEmpty(); }

    /// In the caller's transaction, after enterTenant(): takes the key. True when this
    /// request owns it and should proceed; false when a stored answer will be replayed
    /// (replay()). Throws DomainError 409 while another request with this key is in
    /// flight, 422 when the key was used for a different request.
    bool claim(pqxx::transaction_base &tx);

    /// In the same transaction, just before the commit: stores \a response (2xx only).
    void save(pqxx::transaction_base &tx, const HttpResponse &response);

    /// The stored answer to send when claim() returned false.
    const std::optional<HttpResponse> &replay() const { return m_replay; }

    /// Deletes rows older than RetentionDays of the transaction's hospital (row-level
    /// security scopes it). Returns how many went.
    static qint64 prune(pqxx::transaction_base &tx);

private:
    qint64 m_hospitalId = 0;
    qint64 m_userId = 0;
    QByteArray m_method;
    QString m_route;
    QString m_key;
    QByteArray m_fingerprint;
    std::optional<HttpResponse> m_replay;
};

/// Runs \a handler under the request's Idempotency-Key (if any) with separate short
/// transactions: the key is recorded as "in flight" and committed first, the handler runs,
/// then a 2xx answer is stored, and anything else (or an exception) releases the key. A
/// crash between the handler's commit and the store leaves the key "in flight" (409) until
/// it is pruned, so prefer the transactional IdempotencyStore for writes that matter.
HttpResponse withIdempotency(RequestContext &context,
                             const QString &routeTemplate,
                             const std::function<HttpResponse()> &handler);

} // namespace hms::server
