#pragma once

#include "live/liveclient.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QWebSocketServer>

#include <memory>
#include <string>

class QTcpSocket;

namespace hms::server {

class AuthService;
class DbWorkerPool;
class EventListener;

/// The WebSocket side of /api/v1/live (API.md "Live"): authenticates subscribers, checks
/// each topic against the shared permission matrix, replays missed events from the events
/// table on resume (`since`), then pushes new events as PostgreSQL NOTIFY hints arrive, in
/// seq order, never another hospital's. Serializes each event once for all subscribers.
///
/// Lives on the event-loop thread; database work goes through \a pool (borrowed, like
/// \a auth). \a listenConnectionString is used by the LISTEN thread only.
class LiveHub : public QObject
{
    Q_OBJECT

public:
    LiveHub(DbWorkerPool &pool,
            AuthService &auth,
            std::string listenConnectionString,
            QObject *parent = nullptr);
    ~LiveHub() override;

    /// Takes a TCP socket whose upgrade request is still unread (HttpConnection peeked it);
    /// \a authorization is the request's Authorization header, possibly empty.
    void acceptUpgrade(QTcpSocket *socket, const QByteArray &authorization);

    /// Starts LISTENing for new events.
    void start();

    int clientCount() const { return int(m_clients.size()); }

private:
    void onNewConnection();
    void onTextMessage(LiveClient *client, const QString &text);
    void handleMessage(LiveClient *client, const QString &text);
    void authenticate(LiveClient *client, const QByteArray &token);
    void subscribe(LiveClient *client, const QStringList &topics, std::optional<qint64> since);
    void replayPage(LiveClient *client, qint64 head);
    void replayWhenDrained(LiveClient *client, qint64 head, int waitedMs);
    void finishReplay(LiveClient *client);
    void onHint(qint64 hospitalId, qint64 seq);
    void fetch(qint64 hospitalId);
    void onFetched(qint64 hospitalId, const QList<LiveEvent> &events, bool more);
    void remove(LiveClient *client);
    void sendError(LiveClient *client, const QString &message);
    bool submit(const std::function<void(class DbSession &)> &job);
    void recheckSessions();
    void applySessionCheck(qint64 hospitalId, const QHash<QString, QString> &roleBySession);

    DbWorkerPool &m_pool;
    AuthService &m_auth;
    QWebSocketServer m_server;
    std::unique_ptr<EventListener> m_listener;
    QSet<LiveClient *> m_clients;

    /// A socket handed to the WebSocket server, until its handshake completes.
    struct PendingUpgrade
    {
        QByteArray authorization; ///< the upgrade's Authorization header, possibly empty
        QPointer<QTcpSocket> transport;
    };

    QHash<QString, PendingUpgrade> m_pendingUpgrades; ///< by peer address:port
    QHash<qint64, qint64> m_fetched; ///< per hospital: the last seq pushed to subscribers
    QSet<qint64> m_fetching;
    QSet<qint64> m_dirty;
    QTimer m_sessionCheck; ///< logout, disable and role changes reach open sockets (A7, W2)
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace hms::server
