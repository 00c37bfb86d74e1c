#pragma once

#include "auth/principal.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <optional>

class QTcpSocket;
class QWebSocket;

namespace hms::server {

/// One event as sent to subscribers: serialized and framed once, the same bytes written to
/// every socket (QWebSocket::sendTextMessage would convert and frame it per subscriber).
struct LiveEvent
{
    qint64 hospitalId = 0;
    qint64 seq = 0;
    QString topic;
    QString family; ///< the topic's part before ':' ("beds" of "beds:7"); empty without one
    QByteArray frame; ///< a final unmasked text frame of {"seq","topic","type","data","at"}

    static LiveEvent framed(qint64 hospitalId, qint64 seq, QString topic, const QByteArray &json);
    /// The frame's payload, the JSON text.
    QByteArray json() const;
};

/// One WebSocket subscriber: its principal, topics and the last seq it was sent.
/// Owned by LiveHub; owns its socket. Lives on the event-loop thread.
class LiveClient : public QObject
{
    Q_OBJECT

public:
    /// Close codes (RFC 6455 private range for ours).
    static constexpr int CloseUnauthenticated = 4401;
    static constexpr int CloseForbidden = 4403;

    /// \a transport is the TCP (or TLS) socket \a socket runs on: events are written to it
    /// as ready-made frames. Null: events go through \a socket (one conversion each).
    LiveClient(QWebSocket *socket, QTcpSocket *transport, QObject *parent = nullptr);

    QWebSocket *socket() const { return m_socket; }

    std::optional<Principal> principal;
    qint64 tokenExpiresAt = 0;
    QSet<QString> topics;
    qint64 lastSeq = 0; ///< every event up to here was sent (or was not for it)
    bool replaying = false;
    QList<LiveEvent> held; ///< live events that arrived during a replay
    bool authPending = false; ///< a token is being checked: messages wait for the answer
    QStringList waitingMessages;

    /// True when \a event's topic falls under one of the subscriptions: "beds" takes "beds"
    /// and "beds:<ward>", "beds:7" takes only "beds:7". Runs for every client and event of a
    /// fan-out: the event carries its family, so nothing is allocated here.
    bool wants(const LiveEvent &event) const;

    /// Sends each of \a events (in seq order) that is newer than lastSeq and subscribed, with
    /// one flush for all: events fetched together reach each socket in one write. Closes 1013
    /// when the socket has more than MaxQueuedBytes waiting (a slow consumer resumes with since).
    void sendAll(const QList<LiveEvent> &events);
    /// A page of replayed events (this hospital's, in seq order, newer than lastSeq): the
    /// subscribed ones are sent with one flush and lastSeq moves to the page's last event.
    void replay(const QList<LiveEvent> &page);
    void sendJson(const QByteArray &json);
    void sendText(const QString &text);
    void closeWith(int code, const QString &reason);

    /// True once closeWith() ran: messages still buffered from the peer are ignored.
    bool closing() const { return m_closing; }

    /// Takes one token from the client's message bucket (W3); false when it floods.
    bool takeMessageToken();

    /// Not authenticated and not waiting for a token check: what the per-address cap counts.
    bool idleUnauthenticated() const { return !principal && !authPending && !m_closing; }

    static constexpr qint64 MaxQueuedBytes = 1024 * 1024;
    /// A desk sends a handful of messages (auth, subscribe, renewals); a burst of 30 and 10
    /// per second sustained leave room for that and stop a flooder within a fraction of a second.
    static constexpr double MessageBurst = 30;
    static constexpr double MessagesPerSecond = 10;

Q_SIGNALS:
    void gone(hms::server::LiveClient *client);

private:
    void onPingTimer();
    /// One event of sendAll() without the flush; true when a frame went to the transport unflushed.
    bool queue(const LiveEvent &event);
    /// Writes one subscribed event's frame without the flush; the same answer as queue().
    /// The caller checked tooSlow() for the batch it belongs to.
    bool queueEvent(const LiveEvent &event);

    bool tooSlow();

    QWebSocket *m_socket;
    QPointer<QTcpSocket> m_transport;
    QTimer m_pingTimer;
    int m_missedPongs = 0;
    bool m_closing = false;
    double m_messageTokens = MessageBurst;
    QElapsedTimer m_sinceRefill;
};

} // namespace hms::server
