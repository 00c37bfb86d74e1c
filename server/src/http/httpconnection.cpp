#include "http/httpconnection.h"

#include "http/httpserver.h"

#include <QSslSocket>
#include <QTcpSocket>

#include <sys/socket.h>

namespace hms::server {

namespace {

constexpr qint64 SocketReadBufferBytes = 64 * 1024;
constexpr int LingerMs = 2000;
constexpr qint64 LingerDrainBytes = 4 * 1024 * 1024;

QByteArray frame(const HttpResponse &response, bool close, bool headRequest)
{
    QByteArray out;
    out.reserve(256 + response.body.size());
    out += "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status)
        + "\r\n";
    if (!response.contentType.isEmpty())
        out += "Content-Type: " + response.contentType + "\r\n";
    for (const auto &[name, value] : response.headers)
        out += name + ": " + value + "\r\n";
    const bool bodyless = response.status == 204 || response.status == 304;
    if (!bodyless)
        out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    if (close)
        out += "Connection: close\r\n";
    out += "\r\n";
    if (!headRequest && !bodyless)
        out += response.body;
    return out;
}

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, const HttpLimits &limits, HttpServer *server)
    : QObject(server)
    , m_socket(socket)
    , m_limits(limits)
    , m_parser(limits)
    , m_server(server)
{
    m_socket->setParent(this);
    // Qt stops reading from the kernel when this fills, so a fast sender is slowed by TCP
    // instead of filling our memory.
    m_socket->setReadBufferSize(SocketReadBufferBytes);
    // A reply is written whole: its last partial segment should not wait for the ACK of the
    // ones before it (Nagle), as it would on a LAN for any reply longer than one segment.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &HttpConnection::onTimeout);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_lingering && m_socket->bytesToWrite() == 0)
            lingerAndClose();
    });
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        m_timer.stop();
        Q_EMIT closed();
        deleteLater();
    });
    startTimer(TimerPurpose::Idle);
    // Bytes may already wait (TLS handshake done, or data sent with the connect).
    QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::onReadyRead()
{
    if (m_lingering) {
        m_socket->read(m_socket->bytesAvailable()); // discard what the client still sends
        return;
    }
    processInput();
}

void HttpConnection::processInput()
{
    while (!m_stopReading && m_state != State::Closing) {
        if (m_state == State::Head) {
            if (pendingCount() >= m_limits.maxPipelinedRequests)
                return; // resumed by writeReady() once answers go out
            const qint64 available = m_socket->bytesAvailable();
            if (available == 0)
                return;
            if (m_timerPurpose != TimerPurpose::Header)
                startTimer(TimerPurpose::Header); // not restarted per byte: slowloris
            const QByteArray head =
                m_socket->peek(qMin<qint64>(available, m_parser.maxHeadBytes() + 1));
            HttpRequestParser::HeadResult result = m_parser.parseHead(head);
            if (result.outcome == HttpRequestParser::Outcome::NeedMore)
                return;
            if (result.outcome == HttpRequestParser::Outcome::Error) {
                failRequest(result.errorStatus, result.errorDetail);
                return;
            }
            if (m_server && m_pending.empty() && m_server->acceptsUpgrade(result.request)) {
                handOver(result.request);
                return;
            }
            m_socket->read(result.headLength);
            m_current = std::move(result.request);
            m_current.peerAddress = m_socket->peerAddress();
            m_bodyRemaining = result.contentLength;
            m_state = State::Body;
            if (m_bodyRemaining > 0) {
                startTimer(TimerPurpose::Body);
                if (m_current.expectContinue && m_pending.empty()
                    && m_socket->bytesAvailable() == 0)
                    m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            }
        }
        if (m_state == State::Body) {
            if (m_bodyRemaining > 0) {
                const QByteArray chunk = m_socket->read(m_bodyRemaining);
                m_current.body += chunk;
                m_bodyRemaining -= chunk.size();
                if (m_bodyRemaining > 0)
                    return;
            }
            m_state = State::Head;
            m_timer.stop();
            m_timerPurpose = TimerPurpose::None;
            const qint64 slot = m_nextSlot++;
            m_pending.emplace(slot, Pending{});
            if (!m_current.keepAlive)
                m_stopReading = true;
            if (m_server)
                m_server->dispatch(this, slot, std::move(m_current));
            m_current = HttpRequest();
        }
    }
}

void HttpConnection::handOver(const HttpRequest &head)
{
    // The upgrade request stays unread in the socket: the WebSocket side reads the handshake
    // itself. From here this object lets go of the socket and goes away quietly.
    m_state = State::Closing;
    m_stopReading = true;
    m_timer.stop();
    disconnect(m_socket, nullptr, this, nullptr);
    m_socket->setReadBufferSize(0);
    m_socket->setParent(nullptr);
    QTcpSocket *socket = m_socket;
    m_socket = nullptr;
    if (m_server)
        m_server->upgrade(socket, head);
    Q_EMIT closed();
    deleteLater();
}

void HttpConnection::failRequest(int status, const QString &detail)
{
    // The framing is broken, so nothing after this request can be trusted: answer, then close.
    m_stopReading = true;
    m_timer.stop();
    m_timerPurpose = TimerPurpose::None;
    const qint64 slot = m_nextSlot++;
    m_pending.emplace(slot, Pending{});
    HttpResponse response = HttpResponse::problem(problemTypeForStatus(status), detail);
    if (m_server)
        m_server->decorate(response, QByteArray());
    Pending &pending = m_pending[slot];
    pending.ready = true;
    pending.close = true;
    pending.bytes = frame(response, true, false);
    if (m_server)
        m_server->logProtocolError(status);
    writeReady();
}

void HttpConnection::deliver(qint64 slot, const HttpResponse &response, bool headRequest)
{
    auto it = m_pending.find(slot);
    if (it == m_pending.end())
        return;
    // The last request we will read closes the connection after its answer.
    const bool close = m_stopReading && slot == m_nextSlot - 1;
    it->second.ready = true;
    it->second.close = close;
    it->second.bytes = frame(response, close, headRequest);
    writeReady();
}

void HttpConnection::writeReady()
{
    while (!m_pending.empty() && m_pending.begin()->second.ready) {
        Pending pending = std::move(m_pending.begin()->second);
        m_pending.erase(m_pending.begin());
        m_socket->write(pending.bytes);
        if (pending.close) {
            m_pending.clear();
            closeAfterWrites();
            return;
        }
    }
    if (m_pending.empty() && m_state == State::Head) {
        if (m_stopReading) {
            closeAfterWrites();
            return;
        }
        startTimer(m_socket->bytesAvailable() > 0 ? TimerPurpose::Header : TimerPurpose::Idle);
    }
    if (m_state == State::Head && !m_stopReading && m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

void HttpConnection::beginShutdown()
{
    m_stopReading = true;
    if (m_pending.empty())
        closeAfterWrites();
}

void HttpConnection::closeAfterWrites()
{
    if (m_state == State::Closing)
        return;
    m_state = State::Closing;
    m_timer.stop();
    m_lingering = true;
    if (m_socket->bytesToWrite() == 0)
        lingerAndClose();
    // else: bytesWritten() calls lingerAndClose() once the answer is out.
}

void HttpConnection::lingerAndClose()
{
    // Half-close and drain briefly before closing, so a client still sending a body we
    // refused reads our answer instead of a connection reset (Apache's "lingering close").
    if (qobject_cast<QSslSocket *>(m_socket) == nullptr && m_socket->socketDescriptor() >= 0
        && m_socket->bytesAvailable() < LingerDrainBytes) {
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
        m_socket->read(m_socket->bytesAvailable());
        QTimer::singleShot(LingerMs, this, [this] {
            m_socket->abort();
        });
        return; // onReadyRead() discards the rest; the client's FIN ends it sooner
    }
    m_socket->disconnectFromHost();
}

void HttpConnection::startTimer(TimerPurpose purpose)
{
    m_timerPurpose = purpose;
    switch (purpose) {
    case TimerPurpose::Idle:
        m_timer.start(m_limits.keepAliveTimeoutMs);
        break;
    case TimerPurpose::Header:
        m_timer.start(m_limits.headerTimeoutMs);
        break;
    case TimerPurpose::Body:
        m_timer.start(m_limits.bodyTimeoutMs);
        break;
    case TimerPurpose::None:
        m_timer.stop();
        break;
    }
}

void HttpConnection::onTimeout()
{
    if (m_timerPurpose == TimerPurpose::Idle) {
        m_stopReading = true;
        closeAfterWrites();
        return;
    }
    failRequest(408, QStringLiteral("The request was not received in time"));
}

} // namespace hms::server
