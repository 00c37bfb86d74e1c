#include "db/dbworkerpool.h"

namespace hms::server {

DbWorkerPool::DbWorkerPool(std::string connectionString,
                           int threads,
                           int maxQueued,
                           std::string setupSql)
    : m_connectionString(std::move(connectionString))
    , m_setupSql(std::move(setupSql))
    , m_maxQueued(maxQueued)
{
    m_threads.reserve(static_cast<size_t>(threads));
    for (int i = 0; i < threads; ++i)
        m_threads.emplace_back([this] {
            run();
        });
}

DbWorkerPool::~DbWorkerPool()
{
    shutdown();
}

bool DbWorkerPool::trySubmit(Job job)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || static_cast<int>(m_queue.size()) >= m_maxQueued)
            return false;
        m_queue.push_back(std::move(job));
    }
    m_wake.notify_one();
    return true;
}

void DbWorkerPool::shutdown()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (std::thread &thread : m_threads) {
        if (thread.joinable())
            thread.join();
    }
}

int DbWorkerPool::queuedJobs() const
{
    std::lock_guard lock(m_mutex);
    return static_cast<int>(m_queue.size());
}

void DbWorkerPool::run()
{
    DbSession session(m_connectionString, m_setupSql);
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] {
                return m_stopping || !m_queue.empty();
            });
            if (m_queue.empty())
                return; // stopping and drained
            job = std::move(m_queue.front());
            m_queue.pop_front();
        }
        job(session); // jobs catch their own exceptions; see HttpServer::runRoute
    }
}

} // namespace hms::server
