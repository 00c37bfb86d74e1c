#include "epollsubscribers.h"

#include <QDateTime>
#include <QtEndian>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include <netdb.h>
#include <unistd.h>

namespace hms::bench {

namespace {

constexpr int MaxEvents = 256;
constexpr int ReadChunk = 64 * 1024;

qint64 nowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The number after `"seq":` of an event message; 0 when it is not one.
qint64 eventSeq(const QByteArray &text)
{
    const qsizetype s = text.indexOf("\"seq\":");
    if (s < 0 || !text.contains("\"topic\""))
        return 0;
    qint64 seq = 0;
    for (qsizetype at = s + 6; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at)
        seq = seq * 10 + (text[at] - '0');
    return seq;
}

/// The event's `at` in ms since the epoch, 0 when absent.
qint64 eventAtMs(const QByteArray &text)
{
    const qsizetype a = text.lastIndexOf("\"at\":\"");
    if (a < 0)
        return 0;
    const QDateTime at =
        QDateTime::fromString(QString::fromLatin1(text.mid(a + 6, 24)), Qt::ISODateWithMs);
    return at.isValid() ? at.toMSecsSinceEpoch() : 0;
}

} // namespace

QByteArray clientFrame(int opcode, const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    frame.append(char(0x80 | payload.size()));
    const QByteArray mask("\x5a\x17\xc3\x28", 4);
    frame.append(mask);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    return frame;
}

struct EpollSubscribers::Connection
{
    int fd = -1;
    size_t index = 0;
    QByteArray in; ///< bytes read and not parsed yet
    QByteArray out; ///< bytes the socket did not take yet
    bool connected = false;
    bool upgraded = false;
    bool subscribed = false;
};

EpollSubscribers::EpollSubscribers(QString host,
                                   quint16 port,
                                   QByteArray upgrade,
                                   QByteArray subscribeFrame,
                                   int count)
    : m_host(std::move(host))
    , m_port(port)
    , m_upgrade(std::move(upgrade))
    , m_subscribeFrame(std::move(subscribeFrame))
    , m_count(count)
{
    m_results.seqsBySubscriber.resize(size_t(count));
}

EpollSubscribers::~EpollSubscribers()
{
    m_stop = true;
    if (m_thread.joinable())
        m_thread.join();
    for (const auto &connection : m_connections) {
        if (connection->fd >= 0)
            ::close(connection->fd);
    }
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool EpollSubscribers::start()
{
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    if (const int rc = getaddrinfo(m_host.toUtf8().constData(), nullptr, &hints, &found); rc != 0) {
        std::fprintf(stderr, "cannot resolve %s: %s\n", qPrintable(m_host), gai_strerror(rc));
        return false;
    }
    sockaddr_in address{};
    std::memcpy(&address, found->ai_addr, sizeof address);
    freeaddrinfo(found);
    address.sin_port = htons(m_port);

    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0) {
        std::perror("epoll_create1");
        return false;
    }
    for (int i = 0; i < m_count; ++i) {
        auto connection = std::make_unique<Connection>();
        connection->index = size_t(i);
        connection->fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (connection->fd < 0) {
            std::perror("socket");
            return false;
        }
        const int on = 1;
        setsockopt(connection->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        if (::connect(connection->fd, reinterpret_cast<const sockaddr *>(&address), sizeof address)
                != 0
            && errno != EINPROGRESS) {
            std::perror("connect");
            return false;
        }
        epoll_event event{};
        event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
        event.data.ptr = connection.get();
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, connection->fd, &event) != 0) {
            std::perror("epoll_ctl");
            return false;
        }
        m_connections.push_back(std::move(connection));
    }
    m_thread = std::thread([this] {
        run();
    });
    return true;
}

void EpollSubscribers::beginMeasuring()
{
    const std::lock_guard lock(m_mutex);
    m_results.receipts.clear();
    for (auto &seqs : m_results.seqsBySubscriber)
        seqs.clear();
    m_measuring = true;
}

EpollSubscribers::Results EpollSubscribers::endMeasuring()
{
    const std::lock_guard lock(m_mutex);
    m_measuring = false;
    Results taken;
    taken.receipts = std::move(m_results.receipts);
    taken.seqsBySubscriber = m_results.seqsBySubscriber;
    taken.atBySeq = m_results.atBySeq;
    m_results.receipts.clear();
    return taken;
}

void EpollSubscribers::run()
{
    epoll_event events[MaxEvents];
    while (!m_stop) {
        const int ready = epoll_wait(m_epoll, events, MaxEvents, 100);
        if (ready < 0 && errno != EINTR) {
            std::perror("epoll_wait");
            return;
        }
        for (int i = 0; i < ready; ++i) {
            auto &connection = *static_cast<Connection *>(events[i].data.ptr);
            if (connection.fd < 0)
                continue;
            if (events[i].events & EPOLLOUT)
                onWritable(connection);
            if (connection.fd >= 0
                && (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
                onReadable(connection);
        }
    }
}

void EpollSubscribers::onWritable(Connection &connection)
{
    if (!connection.connected) {
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(connection.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            std::fprintf(stderr, "subscriber %zu: connect: %s\n", connection.index,
                         std::strerror(error));
            drop(connection);
            return;
        }
        connection.connected = true;
        connection.out += m_upgrade;
    }
    while (!connection.out.isEmpty()) {
        const ssize_t written = ::send(connection.fd, connection.out.constData(),
                                       size_t(connection.out.size()), MSG_NOSIGNAL);
        if (written < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return; // EPOLLOUT stays on until the rest is out
            drop(connection);
            return;
        }
        connection.out.remove(0, written);
    }
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.ptr = &connection;
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, connection.fd, &event);
}

void EpollSubscribers::sendFrame(Connection &connection, QByteArray frame)
{
    const bool idle = connection.out.isEmpty();
    connection.out += frame;
    if (!idle)
        return; // EPOLLOUT is already on
    onWritable(connection);
    if (connection.fd >= 0 && !connection.out.isEmpty()) {
        epoll_event event{};
        event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
        event.data.ptr = &connection;
        epoll_ctl(m_epoll, EPOLL_CTL_MOD, connection.fd, &event);
    }
}

void EpollSubscribers::onReadable(Connection &connection)
{
    char chunk[ReadChunk];
    for (;;) {
        const ssize_t got = ::read(connection.fd, chunk, sizeof chunk);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            drop(connection);
            return;
        }
        if (got < 0)
            break;
        const qint64 receivedUs = nowUs();
        connection.in.append(chunk, got);
        if (!connection.upgraded) {
            const qsizetype end = connection.in.indexOf("\r\n\r\n");
            if (end < 0)
                continue;
            if (!connection.in.startsWith("HTTP/1.1 101")) {
                std::fprintf(stderr, "subscriber %zu: upgrade refused: %s\n", connection.index,
                             connection.in.left(connection.in.indexOf('\r')).constData());
                drop(connection);
                return;
            }
            connection.upgraded = true;
            connection.in.remove(0, end + 4);
        }
        qsizetype at = 0;
        const QByteArray &buffer = connection.in;
        while (buffer.size() - at >= 2) {
            const int opcode = quint8(buffer[at]) & 0x0f;
            quint64 length = quint8(buffer[at + 1]) & 0x7f;
            qsizetype header = 2;
            if (length == 126) {
                if (buffer.size() - at < 4)
                    break;
                length = qFromBigEndian<quint16>(buffer.constData() + at + 2);
                header = 4;
            } else if (length == 127) {
                if (buffer.size() - at < 10)
                    break;
                length = qFromBigEndian<quint64>(buffer.constData() + at + 2);
                header = 10;
            }
            if (quint64(buffer.size() - at - header) < length)
                break;
            const char *payload = buffer.constData() + at + header;
            at += header + qsizetype(length);
            if (opcode == 0x1) {
                onText(connection, payload, size_t(length), receivedUs);
            } else if (opcode == 0x9) {
                sendFrame(connection, clientFrame(0xA, QByteArray(payload, qsizetype(length))));
            } else if (opcode == 0x8) {
                drop(connection);
                return;
            }
            if (connection.fd < 0)
                return;
        }
        connection.in.remove(0, at);
        // A short read drained the socket: epoll (level-triggered) reports the next frame, so
        // the read that would only answer EAGAIN is saved (one per event per subscriber).
        if (got < ReadChunk)
            return;
    }
}

void EpollSubscribers::onText(Connection &connection,
                              const char *text,
                              size_t size,
                              qint64 receivedUs)
{
    const QByteArray message = QByteArray::fromRawData(text, qsizetype(size));
    if (!connection.subscribed) {
        if (message.contains("\"authenticated\"")) {
            sendFrame(connection, m_subscribeFrame);
        } else if (message.contains("\"subscribed\"")) {
            connection.subscribed = true;
            ++m_subscribed;
        }
        return;
    }
    const qint64 seq = eventSeq(message);
    if (seq <= 0)
        return;
    const std::lock_guard lock(m_mutex);
    m_results.seqsBySubscriber[connection.index].push_back(seq);
    if (!m_results.atBySeq.contains(seq))
        m_results.atBySeq.insert(seq, eventAtMs(message));
    if (m_measuring)
        m_results.receipts.emplace_back(seq, receivedUs);
}

void EpollSubscribers::drop(Connection &connection)
{
    if (connection.fd < 0)
        return;
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, connection.fd, nullptr);
    ::close(connection.fd);
    connection.fd = -1;
    ++m_disconnects;
}

} // namespace hms::bench
