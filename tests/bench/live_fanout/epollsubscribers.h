// The subscribers of the live fan-out benchmark: N WebSocket clients on plain non-blocking
// sockets, driven by one epoll thread of their own.
//
// Why not QTcpSocket on the Qt event loop: the load process shares this 2-core machine with
// the server it measures. With a QTcpSocket per subscriber, every wake of the loop scanned all
// 1,000 sockets and every frame went through readAll() and its allocations; the load process
// used about as much CPU as the server, and a receipt waited behind the REST requests the same
// loop was sending. Here a receipt is timed as soon as read() returns it.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace hms::bench {

class EpollSubscribers
{
public:
    /// What the subscribers saw between beginMeasuring() and endMeasuring().
    struct Results
    {
        std::vector<std::pair<qint64, qint64>> receipts; ///< (event seq, received µs since epoch)
        std::vector<std::vector<qint64>> seqsBySubscriber; ///< every seq each one received
        QHash<qint64, qint64> atBySeq; ///< event seq -> its `at`, ms since the epoch
    };

    /// \a upgrade is the whole HTTP upgrade request; \a subscribeFrame is sent once the server
    /// says "authenticated", and a subscriber counts as up when it answers "subscribed".
    EpollSubscribers(QString host,
                     quint16 port,
                     QByteArray upgrade,
                     QByteArray subscribeFrame,
                     int count);
    ~EpollSubscribers();
    EpollSubscribers(const EpollSubscribers &) = delete;
    EpollSubscribers &operator=(const EpollSubscribers &) = delete;

    /// Resolves the host and starts the thread; false (with a message on stderr) on failure.
    bool start();

    int subscribed() const { return m_subscribed.load(); }

    int disconnects() const { return m_disconnects.load(); }

    void beginMeasuring();
    Results endMeasuring();

private:
    struct Connection;

    void run();
    void onReadable(Connection &connection);
    void onWritable(Connection &connection);
    void onText(Connection &connection, const char *text, size_t size, qint64 receivedUs);
    void sendFrame(Connection &connection, QByteArray frame);
    void drop(Connection &connection);

    QString m_host;
    quint16 m_port;
    QByteArray m_upgrade;
    QByteArray m_subscribeFrame;
    int m_count;
    int m_epoll = -1;
    std::vector<std::unique_ptr<Connection>> m_connections;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_subscribed{0};
    std::atomic<int> m_disconnects{0};

    std::mutex m_mutex; // guards everything below (the epoll thread writes, the caller takes)
    bool m_measuring = false;
    Results m_results;
};

/// A client frame (RFC 6455 5.3: masked); payloads here are short (< 126 bytes).
QByteArray clientFrame(int opcode, const QByteArray &payload);

} // namespace hms::bench
