#pragma once

#include "http/httplimits.h"
#include "http/httprequest.h"
#include "http/httpresponse.h"
#include "http/router.h"

#include <QHostAddress>
#include <QObject>
#include <QSet>
#include <QSslConfiguration>
#include <QStringList>

#include <atomic>
#include <functional>

class QTcpServer;
class QTcpSocket;

namespace hms::server {

class DbWorkerPool;
class HttpConnection;

struct HttpServerOptions
{
    HttpLimits limits;
    QStringList corsOrigins; ///< exact origins allowed to call from a browser; none by default
    std::optional<QSslConfiguration> tls;
    /// Authenticates and authorizes a non-public route on the pool thread: fills
    /// context.principal and returns nothing, or returns the refusal (401/403/429).
    /// Without it every non-public route answers 401.
    std::function<std::optional<HttpResponse>(RequestContext &, const Route &)> authorize;
    /// The one path that upgrades to WebSocket, and who takes such a socket (its request
    /// still unread, so QWebSocketServer can read the handshake itself). Empty: none.
    QString upgradePath;
    std::function<void(QTcpSocket *socket, const HttpRequest &head)> upgrade;
    /// Called on the pool thread after a handler ran, with the function that sends its reply;
    /// it may hold the reply and call that function later from any thread (hms-server does
    /// until the request's audit rows are sealed). It must call it exactly once. Without it
    /// every reply goes out at once.
    std::function<void(std::function<void()> send)> beforeReply;
    /// Where routes marked Route::cachedRead run (borrowed; null: the main pool). A burst of
    /// cheap reads on a few threads costs less CPU (fewer thread and backend switches) than
    /// on the many threads writes need to share WAL flushes.
    DbWorkerPool *cachedReadPool = nullptr;
    /// Where the requests a route's Route::costlySearch picks run (borrowed; null: the main
    /// pool). A burst of them then queues on its few threads instead of taking every thread
    /// (and every database backend) from registrations, phone searches and the rest.
    DbWorkerPool *searchPool = nullptr;
};

/// The REST front door: accepts connections (plain or TLS), routes each request, runs its
/// handler on the database pool and sends the answer back on the event-loop thread.
/// Adds the security headers and writes the access log (route templates, never paths).
///
/// Threads: lives on the event-loop thread. Handlers run on \a pool's threads.
/// \a router and \a pool are borrowed and must outlive the server.
class HttpServer : public QObject
{
    Q_OBJECT

public:
    HttpServer(const Router &router,
               DbWorkerPool &pool,
               HttpServerOptions options,
               QObject *parent = nullptr);
    ~HttpServer() override;

    bool listen(const QHostAddress &address, quint16 port);
    QString errorString() const;
    quint16 serverPort() const;

    /// Graceful stop: no new connections; in-flight requests are answered; then stopped().
    void shutdown(int graceMs = 10'000);

    int connectionCount() const { return int(m_connections.size()); }

    // Used by HttpConnection.
    void dispatch(HttpConnection *connection, qint64 slot, HttpRequest request);
    void decorate(HttpResponse &response, const QByteArray &origin) const;
    void logProtocolError(int status) const;
    /// True when \a head may be handed to the WebSocket side: GET on upgradePath with
    /// Upgrade: websocket from an allowed origin (same host or the CORS allowlist; W1).
    bool acceptsUpgrade(const HttpRequest &head) const;
    void upgrade(QTcpSocket *socket, const HttpRequest &head);

Q_SIGNALS:
    void stopped();

private:
    void onNewConnection();
    void finishShutdownIfIdle();
    HttpResponse runRoute(const Route &route, RequestContext &context) const;
    /// The pool \a request of \a route runs on: cached reads, costly searches or the main one.
    DbWorkerPool &poolFor(const Route &route, const HttpRequest &request) const;
    std::optional<HttpResponse> rejectBeforeRouting(const HttpRequest &request,
                                                    const Router::Match &match) const;
    HttpResponse preflight(const HttpRequest &request, const Router::Match &match) const;
    bool originAllowed(const QByteArray &origin) const;

    const Router &m_router;
    DbWorkerPool &m_pool;
    HttpServerOptions m_options;
    QTcpServer *m_listener = nullptr;
    QSet<HttpConnection *> m_connections;
    bool m_shuttingDown = false;
    std::atomic<int> m_inFlight{0};
};

} // namespace hms::server
