#include "http/httpserver.h"

#include "common/domainerror.h"
#include "db/dberrors.h"
#include "db/dbworkerpool.h"
#include "db/postcommitnotify.h"
#include "http/httpconnection.h"
#include "http/queryreader.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>
#include <QSslServer>
#include <QTcpServer>
#include <QThread>
#include <QTimer>

#include <pqxx/except>

#include <memory>

namespace hms::server {

static Q_LOGGING_CATEGORY(lcHttp, "hms.server.http", QtInfoMsg);
static Q_LOGGING_CATEGORY(lcAccess, "hms.server.access", QtInfoMsg);

namespace {

QByteArray newRequestId()
{
    const quint64 value = QRandomGenerator::global()->generate64();
    return QByteArray::number(value, 16).rightJustified(16, '0');
}

bool bodyMethod(const QByteArray &method)
{
    return method == "POST" || method == "PUT" || method == "PATCH";
}

// application/json, optionally with charset=utf-8; anything else is refused unread (I2).
bool isJsonContentType(const QByteArray &value)
{
    const QList<QByteArray> parts = value.split(';');
    if (parts.first().trimmed().toLower() != "application/json")
        return false;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QByteArray parameter = parts[i].trimmed().toLower().replace(' ', "");
        if (!parameter.isEmpty() && parameter != "charset=utf-8"
            && parameter != "charset=\"utf-8\"")
            return false;
    }
    return true;
}

bool acceptsJson(const QByteArray &accept)
{
    if (accept.isEmpty())
        return true;
    for (const QByteArray &part : accept.split(',')) {
        const QByteArray type = part.split(';').first().trimmed().toLower();
        if (type == "*/*" || type == "application/*" || type == "application/json"
            || type == "application/problem+json")
            return true;
    }
    return false;
}

} // namespace

HttpServer::HttpServer(const Router &router,
                       DbWorkerPool &pool,
                       HttpServerOptions options,
                       QObject *parent)
    : QObject(parent)
    , m_router(router)
    , m_pool(pool)
    , m_options(std::move(options))
{
    if (m_options.tls) {
        auto *tlsServer = new QSslServer(this);
        tlsServer->setSslConfiguration(*m_options.tls);
        m_listener = tlsServer;
    } else {
        m_listener = new QTcpServer(this);
    }
    m_listener->setListenBacklogSize(1024);
    connect(m_listener, &QTcpServer::pendingConnectionAvailable, this,
            &HttpServer::onNewConnection);
}

HttpServer::~HttpServer()
{
    // Handlers still running on the pool post back to this object: wait for them.
    while (m_inFlight.load() > 0)
        QThread::msleep(5);
}

bool HttpServer::listen(const QHostAddress &address, quint16 port)
{
    return m_listener->listen(address, port);
}

QString HttpServer::errorString() const
{
    return m_listener->errorString();
}

quint16 HttpServer::serverPort() const
{
    return m_listener->serverPort();
}

void HttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_listener->nextPendingConnection()) {
        if (m_shuttingDown || m_connections.size() >= m_options.limits.maxConnections) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        auto *connection = new HttpConnection(socket, m_options.limits, this);
        m_connections.insert(connection);
        connect(connection, &HttpConnection::closed, this, [this, connection] {
            m_connections.remove(connection);
            finishShutdownIfIdle();
        });
    }
}

void HttpServer::shutdown(int graceMs)
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    m_listener->close();
    qCInfo(lcHttp) << "shutting down;" << m_connections.size() << "connections open";
    const QList<HttpConnection *> open(m_connections.begin(), m_connections.end());
    for (HttpConnection *connection : open)
        connection->beginShutdown();
    QTimer::singleShot(graceMs, this, [this] {
        const QList<HttpConnection *> left(m_connections.begin(), m_connections.end());
        for (HttpConnection *connection : left)
            connection->socket()->abort();
        m_connections.clear();
        finishShutdownIfIdle();
    });
    finishShutdownIfIdle();
}

void HttpServer::finishShutdownIfIdle()
{
    if (m_shuttingDown && m_connections.isEmpty()) {
        m_shuttingDown = false; // emit once
        m_connections.clear();
        QTimer::singleShot(0, this, [this] {
            Q_EMIT stopped();
        });
    }
}

void HttpServer::dispatch(HttpConnection *connection, qint64 slot, HttpRequest request)
{
    QElapsedTimer clock;
    clock.start();
    const QByteArray requestId = newRequestId();
    const QByteArray origin = request.header("origin");
    const QByteArray method = request.method;
    const bool headRequest = method == "HEAD";
    const Router::Match match = m_router.match(method, request.segments);
    const QString routeTemplate = match.route ? match.route->pathTemplate : QStringLiteral("-");

    QPointer<HttpConnection> guard(connection);
    auto finish = [this, guard, slot, requestId, origin, method, headRequest, routeTemplate,
                   clock](HttpResponse response) {
        response.setHeader("X-Request-Id", requestId);
        decorate(response, origin);
        // One line per request: ids and templates only, never paths, bodies or tokens (L2).
        qCInfo(lcAccess).noquote()
            << "rid=" + QString::fromLatin1(requestId) << method << routeTemplate << response.status
            << QString::number(double(clock.nsecsElapsed()) / 1e6, 'f', 2) + QStringLiteral("ms");
        if (guard)
            guard->deliver(slot, response, headRequest);
    };

    if (std::optional<HttpResponse> early = rejectBeforeRouting(request, match)) {
        finish(*early);
        return;
    }

    const Route *route = match.route;
    auto shared = std::make_shared<HttpRequest>(std::move(request));
    ++m_inFlight;
    DbWorkerPool &pool = poolFor(*route, *shared);
    const bool queued = pool.trySubmit(
        [this, route, shared, params = match.pathParams, requestId, finish](DbSession &db) {
            RequestContext context{*shared, params, requestId, db, std::nullopt, std::nullopt};
            HttpResponse response = runRoute(*route, context);
            // Wake-up hints the request's transaction queued (db/postcommitnotify.h).
            if (hasQueuedNotifications() && db.isConnected())
                sendQueuedNotifications(db.connection());
            auto send = [this, finish, response = std::move(response)] {
                QMetaObject::invokeMethod(
                    this,
                    [finish, response]() mutable {
                        finish(std::move(response));
                    },
                    Qt::QueuedConnection);
                --m_inFlight; // last: the destructor waits for this
            };
            if (m_options.beforeReply)
                m_options.beforeReply(std::move(send));
            else
                send();
        });
    if (!queued) {
        --m_inFlight;
        HttpResponse busy = HttpResponse::problem(
            problems::ServiceUnavailable, QStringLiteral("The server is busy; retry shortly"));
        busy.setHeader("Retry-After", "1");
        finish(busy);
    }
}

DbWorkerPool &HttpServer::poolFor(const Route &route, const HttpRequest &request) const
{
    if (route.cachedRead && m_options.cachedReadPool)
        return *m_options.cachedReadPool;
    if (route.costlySearch && m_options.searchPool && route.costlySearch(request))
        return *m_options.searchPool;
    return m_pool;
}

bool HttpServer::acceptsUpgrade(const HttpRequest &head) const
{
    if (!m_options.upgrade || head.method != "GET" || head.path() != m_options.upgradePath
        || !head.header("upgrade").toLower().contains("websocket"))
        return false;
    const QByteArray origin = head.header("origin");
    const QByteArray host = head.header("host");
    return origin.isNull() || origin == "http://" + host || origin == "https://" + host
        || originAllowed(origin);
}

void HttpServer::upgrade(QTcpSocket *socket, const HttpRequest &head)
{
    qCInfo(lcAccess).noquote() << "rid=- GET" << m_options.upgradePath << 101;
    m_options.upgrade(socket, head);
}

std::optional<HttpResponse> HttpServer::rejectBeforeRouting(const HttpRequest &request,
                                                            const Router::Match &match) const
{
    if (!m_options.upgradePath.isEmpty() && request.path() == m_options.upgradePath) {
        // Reaching here means the upgrade was not taken: a foreign origin, or no upgrade.
        if (request.hasHeader("upgrade"))
            return HttpResponse::problem(
                problems::Forbidden,
                QStringLiteral("WebSocket connections from this origin are refused"));
        return HttpResponse::problem(
            problems::UpgradeRequired,
            QStringLiteral("Connect with a WebSocket (Upgrade: websocket)"));
    }
    if (request.method == "OPTIONS" && request.hasHeader("origin")
        && request.hasHeader("access-control-request-method"))
        return preflight(request, match);
    if (!match.route) {
        if (!match.allowedMethods.isEmpty()) {
            HttpResponse response = HttpResponse::problem(problems::MethodNotAllowed);
            response.setHeader("Allow", match.allowedMethods.join(", "));
            return response;
        }
        return HttpResponse::problem(problems::NotFound);
    }
    if (!acceptsJson(request.header("accept")))
        return HttpResponse::problem(problems::NotAcceptable,
                                     QStringLiteral("This API answers application/json only"));
    if (bodyMethod(request.method) && !request.body.isEmpty()
        && !isJsonContentType(request.header("content-type")))
        return HttpResponse::problem(problems::UnsupportedMediaType,
                                     QStringLiteral("Send the body as application/json (UTF-8)"));
    return std::nullopt;
}

HttpResponse HttpServer::preflight(const HttpRequest &request, const Router::Match &match) const
{
    const QByteArray origin = request.header("origin");
    if (!originAllowed(origin))
        return HttpResponse::problem(problems::Forbidden,
                                     QStringLiteral("This origin may not call the API"));
    QList<QByteArray> methods = match.allowedMethods;
    if (match.route)
        methods.append(match.route->method);
    if (methods.isEmpty())
        return HttpResponse::problem(problems::NotFound);
    HttpResponse response = HttpResponse::noContent();
    response.setHeader("Access-Control-Allow-Methods", methods.join(", "));
    response.setHeader("Access-Control-Allow-Headers",
                       "Authorization, Content-Type, If-Match, Idempotency-Key, X-CSRF-Token");
    response.setHeader("Access-Control-Max-Age", "600");
    return response;
}

bool HttpServer::originAllowed(const QByteArray &origin) const
{
    return !origin.isEmpty() && m_options.corsOrigins.contains(QString::fromLatin1(origin));
}

void HttpServer::decorate(HttpResponse &response, const QByteArray &origin) const
{
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    response.setHeader("Referrer-Policy", "no-referrer");
    response.setHeader("X-Frame-Options", "DENY");
    if (m_options.tls)
        response.setHeader("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
    if (originAllowed(origin)) {
        response.setHeader("Access-Control-Allow-Origin", origin);
        response.setHeader("Access-Control-Allow-Credentials", "true");
        response.setHeader("Access-Control-Expose-Headers", "ETag, Retry-After, X-Request-Id");
        response.setHeader("Vary", "Origin");
    }
}

void HttpServer::logProtocolError(int status) const
{
    qCInfo(lcAccess).noquote() << "rid=- - - " << status << "(protocol error)";
}

HttpResponse HttpServer::runRoute(const Route &route, RequestContext &context) const
{
    for (int attempt = 0;; ++attempt) {
        try {
            if (!route.access.isPublic()) {
                if (!m_options.authorize)
                    return HttpResponse::problem(problems::Unauthenticated);
                if (std::optional<HttpResponse> refusal = m_options.authorize(context, route))
                    return *refusal;
            }
            if (!route.readsQuery && !context.request.query.isEmpty())
                QueryReader(context.request.query).finish(); // 422 naming each parameter
            return route.handler(context);
        } catch (const DomainError &error) {
            HttpResponse response = HttpResponse::problem(error.problem());
            if (error.retryAfterSeconds() > 0)
                response.setHeader("Retry-After", QByteArray::number(error.retryAfterSeconds()));
            return response;
        } catch (...) {
            const DbFailure failure = classifyDbFailure(std::current_exception());
            if (failure.resetConnection)
                context.db.reset();
            if (attempt < failure.maxRetries)
                continue;
            if (failure.kind == DbFailure::Kind::Internal)
                qCWarning(lcHttp).noquote()
                    << "rid=" + QString::fromLatin1(context.requestId) << route.method
                    << route.pathTemplate << "failed:" << failure.logText;
            HttpResponse response = HttpResponse::problem(failure.problem());
            if (response.status == 503)
                response.setHeader("Retry-After", "2");
            return response;
        }
    }
}

} // namespace hms::server
