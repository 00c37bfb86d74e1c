#pragma once

#include <QtGlobal>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace hms::server {

/// LISTENs on EventLog::NotifyChannel on a connection of its own, in a thread of its own,
/// and reports "hospital id, seq" hints. After the connection breaks it reconnects and
/// reports a catch-up (hospital 0, seq 0), so events committed meanwhile are fetched anyway.
/// Qt-free; \a onHint runs on the listener thread and must only post elsewhere.
class EventListener
{
public:
    using Hint = std::function<void(qint64 hospitalId, qint64 seq)>;

    EventListener(std::string connectionString, Hint onHint);
    ~EventListener(); ///< stops and joins

    EventListener(const EventListener &) = delete;
    EventListener &operator=(const EventListener &) = delete;

    void start();
    void stop();

private:
    void run();

    std::string m_connectionString;
    Hint m_onHint;
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

} // namespace hms::server
