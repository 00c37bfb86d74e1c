#pragma once

#include "auth/principal.h"
#include "db/sql.h"
#include "http/httprequest.h"
#include "http/httpresponse.h"
#include "shared/auth/permissions.h"

#include <QByteArrayList>
#include <QHash>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace hms::server {

class DbSession;

/// Who may call a route: anyone (health, login) or holders of one permission.
class RouteAccess
{
public:
    static RouteAccess publicRoute() { return RouteAccess(true, std::nullopt); }

    /// Any signed-in user, whatever the role (logout, who-am-I).
    static RouteAccess authenticated() { return RouteAccess(false, std::nullopt); }

    static RouteAccess require(Permission permission) { return RouteAccess(false, permission); }

    bool isPublic() const { return m_public; }

    std::optional<Permission> permission() const { return m_permission; }

private:
    RouteAccess(bool isPublic, std::optional<Permission> permission)
        : m_public(isPublic)
        , m_permission(permission)
    {}

    bool m_public;
    std::optional<Permission> m_permission;
};

/// A read a route makes on every request, sent in the same statement as the caller's session
/// check (one round trip instead of two on the hottest reads: the cached bed list and board).
/// `call` is a set-returning function of exactly one row taking $1 = the caller's hospital and
/// $5 = flag(role named by the token); its columns land in RequestContext::companion. It runs
/// before the permission check, for any holder of a valid token of that hospital, so it must
/// return nothing a caller may not see; the token's role can be stale, so handlers compare
/// the flag with what the session's current role gives.
struct SessionCompanion
{
    sql::Fragment call;
    std::function<bool(Role)> flag;

    /// The joined statement's prepared name: the same for every companion with this call.
    std::string statementName() const { return "hms_session+" + std::string(call.view()); }
};

/// The companion's row as text (a null column is a null QByteArray).
struct CompanionRow
{
    bool flag = false;
    QByteArrayList columns;
};

/// Everything a handler gets. Lives on a database pool thread for one request.
struct RequestContext
{
    const HttpRequest &request;
    QHash<QString, QString> pathParams;
    QByteArray requestId;
    DbSession &db;
    std::optional<Principal> principal; ///< set before the handler runs on non-public routes
    std::optional<CompanionRow> companion; ///< the route's SessionCompanion row, when it has one

    QString pathParam(const QString &name) const { return pathParams.value(name); }

    QString clientAddress() const { return request.peerAddress.toString(); }

    /// The principal of a non-public route (the server guarantees it is set).
    const Principal &caller() const { return *principal; }
};

using RouteHandler = std::function<HttpResponse(RequestContext &)>;

/// One entry of the route table: declared once, introspectable by tests (SECURITY.md T1).
struct Route
{
    QByteArray method;
    QString pathTemplate; ///< "/api/v1/patients/{id}"
    RouteAccess access;
    RouteHandler handler;
    /// The handler reads query parameters itself (with QueryReader, which refuses unknown
    /// ones). Set through Router::acceptQuery(); every other route refuses any query
    /// parameter with 422 before its handler runs (SECURITY.md I3).
    bool readsQuery = false;
    /// Read in the session check's round trip (see SessionCompanion); null for most routes.
    std::shared_ptr<const SessionCompanion> companion = nullptr;
    /// Answered from a cache after one round trip and never waits on a commit: runs on the
    /// small cached-read pool (HttpServerOptions::cachedReadPool) when there is one.
    bool cachedRead = false;
    /// True for the requests of this route that are searches costing tens of milliseconds of
    /// database time each (a name typed at a desk): they run on the bounded search pool
    /// (HttpServerOptions::searchPool) when there is one. Null: none. Runs on the event loop,
    /// so it only looks at the request.
    std::function<bool(const HttpRequest &)> costlySearch = nullptr;
};

/// The route table and path matching. Built at start-up, then read-only (so shared
/// between threads without locks).
class Router
{
public:
    /// Adds a route; throws std::logic_error on a duplicate or a malformed template.
    void add(Route route);

    /// Declares that the \a method \a pathTemplate route reads query parameters (see
    /// Route::readsQuery); throws std::logic_error when there is no such route.
    void acceptQuery(const QByteArray &method, const QString &pathTemplate);

    struct Match
    {
        const Route *route = nullptr;
        QHash<QString, QString> pathParams;
        QList<QByteArray> allowedMethods; ///< when the path exists but not for this method
    };

    /// Finds the route for \a method on \a segments. HEAD falls back to GET.
    Match match(const QByteArray &method, const QList<QString> &segments) const;

    const QList<Route> &routes() const { return m_routes; }

private:
    QList<Route> m_routes;
    QList<QList<QString>> m_templates; ///< split templates, parallel to m_routes
};

} // namespace hms::server
