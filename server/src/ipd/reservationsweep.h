#pragma once

#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

namespace hms::server {

class DbWorkerPool;

/// Runs IpdService::expireReservations() every \a intervalMs on a database pool thread, so
/// beds whose reservation ran out go back to free with their event and audit row even when
/// nobody touches them. At most one sweep of this instance runs at a time; other instances
/// sweeping at once skip each other's locked beds (FOR UPDATE SKIP LOCKED). A failed sweep
/// (database down) is logged without detail and retried at the next tick. Lives on the
/// event-loop thread; \a pool must outlive it or be shut down first.
class ReservationSweep : public QObject
{
    Q_OBJECT

public:
    ReservationSweep(DbWorkerPool &pool, int intervalMs, QObject *parent = nullptr);

    void start();

    /// Sweeps run to completion so far (tests and diagnostics).
    int completedSweeps() const { return m_completed->load(); }

private:
    void tick();

    DbWorkerPool &m_pool;
    QTimer m_timer;
    // Shared with the pool job, which may finish after a tick was refused.
    std::shared_ptr<std::atomic<bool>> m_busy = std::make_shared<std::atomic<bool>>(false);
    std::shared_ptr<std::atomic<int>> m_completed = std::make_shared<std::atomic<int>>(0);
};

} // namespace hms::server
