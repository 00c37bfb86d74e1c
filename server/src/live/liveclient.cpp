#include "live/liveclient.h"

#include <QTcpSocket>
#include <QWebSocket>
#include <QtEndian>

#include <algorithm>

namespace hms::server {

namespace {

constexpr int PingIntervalMs = 20'000;
constexpr int MaxMissedPongs = 2;
constexpr quint64 MaxIncomingMessageBytes = 64 * 1024;
constexpr int CloseGraceMs = 10'000;

// RFC 6455 5.2: FIN + text opcode; a server's frames are not masked.
constexpr char FinalTextFrame = char(0x81);

} // namespace

LiveEvent LiveEvent::framed(qint64 hospitalId, qint64 seq, QString topic, const QByteArray &json)
{
    LiveEvent event;
    event.hospitalId = hospitalId;
    event.seq = seq;
    event.topic = std::move(topic);
    if (const qsizetype colon = event.topic.indexOf(QLatin1Char(':')); colon > 0)
        event.family = event.topic.left(colon);
    const auto length = quint64(json.size());
    QByteArray &frame = event.frame;
    frame.reserve(json.size() + 10);
    frame.append(FinalTextFrame);
    if (length < 126) {
        frame.append(char(length));
    } else if (length <= 0xFFFF) {
        frame.append(char(126));
        char bytes[2];
        qToBigEndian(quint16(length), bytes);
        frame.append(bytes, 2);
    } else {
        frame.append(char(127));
        char bytes[8];
        qToBigEndian(length, bytes);
        frame.append(bytes, 8);
    }
    frame.append(json);
    return event;
}

QByteArray LiveEvent::json() const
{
    if (frame.size() < 2)
        return {};
    const int lengthByte = quint8(frame.at(1));
    const qsizetype header = lengthByte < 126 ? 2 : lengthByte == 126 ? 4 : 10;
    return frame.mid(header);
}

LiveClient::LiveClient(QWebSocket *socket, QTcpSocket *transport, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_transport(transport)
{
    m_socket->setParent(this);
    m_socket->setMaxAllowedIncomingMessageSize(MaxIncomingMessageBytes); // larger: close 1009
    // Events are small writes a few ms apart to a peer that rarely answers: with Nagle's
    // algorithm on, an event waits for the ACK of the one before it, which the peer delays
    // (up to 40 ms on Linux). Send each frame at once.
    if (m_transport)
        m_transport->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        Q_EMIT gone(this);
    });
    connect(m_socket, &QWebSocket::pong, this, [this] {
        m_missedPongs = 0;
    });
    connect(&m_pingTimer, &QTimer::timeout, this, &LiveClient::onPingTimer);
    m_pingTimer.start(PingIntervalMs);
}

bool LiveClient::wants(const LiveEvent &event) const
{
    return topics.contains(event.topic)
        || (!event.family.isEmpty() && topics.contains(event.family));
}

void LiveClient::sendAll(const QList<LiveEvent> &events)
{
    // The queue bound is checked once per batch: a batch (at most one fetch) may go over it.
    if (m_closing || tooSlow())
        return;
    bool written = false;
    for (const LiveEvent &event : events)
        written = queue(event) || written;
    if (written)
        m_transport->flush();
}

void LiveClient::replay(const QList<LiveEvent> &page)
{
    if (m_closing || tooSlow())
        return;
    bool written = false;
    for (const LiveEvent &event : page) {
        lastSeq = event.seq;
        written = (wants(event) && queueEvent(event)) || written;
    }
    if (written)
        m_transport->flush();
}

bool LiveClient::queue(const LiveEvent &event)
{
    if (!principal || event.hospitalId != principal->hospitalId || event.seq <= lastSeq)
        return false;
    if (replaying) {
        held.append(event);
        return false;
    }
    lastSeq = event.seq;
    return wants(event) && queueEvent(event);
}

bool LiveClient::queueEvent(const LiveEvent &event)
{
    if (!m_transport) {
        m_socket->sendTextMessage(QString::fromUtf8(event.json()));
        return false;
    }
    // Whole frames only, on the event-loop thread like QWebSocket's own writes, so they
    // never interleave with its pings, replies or close frame. The caller flushes at once,
    // which sends the frames in this call instead of waking the loop once more per socket.
    m_transport->write(event.frame);
    return true;
}

bool LiveClient::tooSlow()
{
    if (m_socket->bytesToWrite() <= MaxQueuedBytes)
        return false;
    closeWith(1013, QStringLiteral("too slow; reconnect with since"));
    return true;
}

void LiveClient::sendJson(const QByteArray &json)
{
    sendText(QString::fromUtf8(json));
}

void LiveClient::sendText(const QString &text)
{
    if (m_closing || tooSlow())
        return;
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
