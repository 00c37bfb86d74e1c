#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QString>
#include <QUrl>

#include <functional>

class QTimer;
class QWebSocket;

namespace hms::client {

/// One live event as the server sends it on /api/v1/live.
struct LiveEvent
{
    qint64 seq = 0;
    QString topic; ///< e.g. "queue:12", "beds:3"
    QString type; ///< e.g. "visit.checked_in"
    QJsonObject data;
};

/// The WebSocket to /api/v1/live (wss when the server URL is https; TLS errors are never
/// ignored). Authenticates with the first message, subscribes to the topics the screens
/// asked for and resumes with `since` = the last seq seen after every reconnect, so nothing
/// is missed; reconnects with exponential backoff and jitter; sends a renewed access token
/// on the open socket. When the server answers "resync" (too far behind), resyncRequired()
/// tells the models to reload their snapshots. Lives on the UI thread.
class LiveConnection : public QObject
{
    Q_OBJECT

public:
    enum class State { Stopped, Connecting, Online, Reconnecting };
    Q_ENUM(State)

    /// \a tokenProvider gives the current access token at every (re)connect.
    explicit LiveConnection(std::function<QByteArray()> tokenProvider, QObject *parent = nullptr);
    ~LiveConnection() override;

    /// Connects to the live endpoint of \a serverUrl (http(s)://host:port), keeping the
    /// topics subscribed so far.
    void start(const QUrl &serverUrl);
    /// Closes the socket and forgets topics and seq (sign-out).
    void stop();

    /// Follows \a topic from now on (and across reconnects). Safe to call while offline.
    /// Counted: each subscribe() is matched by one unsubscribe() of the same caller.
    void subscribe(const QString &topic);
    void unsubscribe(const QString &topic);

    /// Sends a renewed access token on the open socket (the server would close it when the
    /// old one expires).
    void renewToken(const QByteArray &token);

    State state() const { return m_state; }

    qint64 lastSeq() const { return m_lastSeq; }

    QSet<QString> topics() const { return m_topics; }

    /// The topics the server has confirmed on the current socket.
    QSet<QString> confirmedTopics() const { return m_confirmed; }

Q_SIGNALS:
    void stateChanged(hms::client::LiveConnection::State state);
    /// One event of a subscribed topic, in seq order.
    void eventReceived(const hms::client::LiveEvent &event);
    /// Events may have been missed: reload every snapshot.
    void resyncRequired();
    /// \a topics are followed now (after the replay of what was missed).
    void subscribed(const QStringList &topics);

private:
    void open();
    void onConnected();
    void onDisconnected();
    void onMessage(const QString &text);
    void sendSubscribe(const QStringList &topics, bool withSince);
    void scheduleReconnect();
    void setState(State state);
    void sendJson(const QJsonObject &object);

    std::function<QByteArray()> m_tokenProvider;
    QWebSocket *m_socket = nullptr;
    QTimer *m_reconnectTimer = nullptr;
    QUrl m_url;
    QSet<QString> m_topics;
    QHash<QString, int> m_topicUsers; ///< topic -> how many subscribe() calls hold it
    QSet<QString> m_confirmed;
    qint64 m_lastSeq = -1; ///< -1: nothing seen yet (subscribe without since)
    bool m_authenticated = false;
    bool m_wasOnline = false;
    int m_attempt = 0;
    State m_state = State::Stopped;
};

} // namespace hms::client
