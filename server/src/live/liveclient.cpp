#include "live/liveclient.h"

#include <QWebSocket>

#include <algorithm>

namespace hms::server {

namespace {

constexpr int PingIntervalMs = 20'000;
constexpr int MaxMissedPongs = 2;
constexpr quint64 MaxIncomingMessageBytes = 64 * 1024;
constexpr int CloseGraceMs = 10'000;

} // namespace

LiveClient::LiveClient(QWebSocket *socket, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
{
    m_socket->setParent(this);
    m_socket->setMaxAllowedIncomingMessageSize(MaxIncomingMessageBytes); // larger: close 1009
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        Q_EMIT gone(this);
    });
    connect(m_socket, &QWebSocket::pong, this, [this] {
        m_missedPongs = 0;
    });
    connect(&m_pingTimer, &QTimer::timeout, this, &LiveClient::onPingTimer);
    m_pingTimer.start(PingIntervalMs);
}

bool LiveClient::wants(const QString &topic) const
{
    if (topics.contains(topic))
        return true;
    const qsizetype colon = topic.indexOf(QLatin1Char(':'));
    return colon > 0 && topics.contains(topic.left(colon));
}

void LiveClient::send(const LiveEvent &event)
{
    if (!principal || event.hospitalId != principal->hospitalId || event.seq <= lastSeq)
        return;
    if (replaying) {
        held.append(event);
        return;
    }
    lastSeq = event.seq;
    if (wants(event.topic))
        sendText(event.text);
}

void LiveClient::sendJson(const QByteArray &json)
{
    sendText(QString::fromUtf8(json));
}

void LiveClient::sendText(const QString &text)
{
    if (m_closing)
        return;
    if (m_socket->bytesToWrite() > MaxQueuedBytes) {
        closeWith(1013, QStringLiteral("too slow; reconnect with since"));
        return;
    }
    m_socket->sendTextMessage(text);
}

void LiveClient::closeWith(int code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
    // A peer that never answers the close handshake (it stopped reading) would keep its
    // queued bytes here forever: drop the connection after a grace period.
    QTimer::singleShot(CloseGraceMs, this, [this] {
        m_socket->abort();
    });
}

bool LiveClient::takeMessageToken()
{
    if (!m_sinceRefill.isValid())
        m_sinceRefill.start();
    m_messageTokens =
        std::min(MessageBurst,
                 m_messageTokens + double(m_sinceRefill.restart()) * MessagesPerSecond / 1000.0);
    if (m_messageTokens < 1)
        return false;
    m_messageTokens -= 1;
    return true;
}

void LiveClient::onPingTimer()
{
    if (++m_missedPongs > MaxMissedPongs) {
        m_socket->abort(); // dead peer
        return;
    }
    m_socket->ping();
}

} // namespace hms::server
