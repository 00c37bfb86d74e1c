#pragma once

#include "db/dbsession.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hms::server {

/// A fixed set of threads, each with its own database session, running jobs from a
/// bounded queue. Request handlers run here so that the event loop never waits for
/// PostgreSQL (PERFORMANCE.md). Qt-free on purpose, so it can run under TSan.
class DbWorkerPool
{
public:
    using Job = std::function<void(DbSession &)>;

    /// Starts \a threads threads. At most \a maxQueued jobs wait; more are refused.
    /// \a setupSql runs on every new connection (see DbSession).
    DbWorkerPool(std::string connectionString,
                 int threads,
                 int maxQueued,
                 std::string setupSql = {});
    ~DbWorkerPool(); ///< finishes queued jobs, then joins

    DbWorkerPool(const DbWorkerPool &) = delete;
    DbWorkerPool &operator=(const DbWorkerPool &) = delete;

    /// Queues \a job. False when the queue is full or the pool is stopping: answer 503.
    bool trySubmit(Job job);

    /// Stops taking jobs, runs the ones already queued and joins the threads. Idempotent.
    void shutdown();

    int threadCount() const { return static_cast<int>(m_threads.size()); }

    int queuedJobs() const;

private:
    void run();

    std::string m_connectionString;
    std::string m_setupSql;
    int m_maxQueued;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Job> m_queue;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

} // namespace hms::server
