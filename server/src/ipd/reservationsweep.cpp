#include "ipd/reservationsweep.h"

#include "db/dbsession.h"
#include "db/dbworkerpool.h"
#include "ipd/ipdservice.h"

#include <QLoggingCategory>

namespace hms::server {

static Q_LOGGING_CATEGORY(lcSweep, "hms.server.sweep", QtInfoMsg);

ReservationSweep::ReservationSweep(DbWorkerPool &pool, int intervalMs, QObject *parent)
    : QObject(parent)
    , m_pool(pool)
{
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &ReservationSweep::tick);
}

void ReservationSweep::start()
{
    m_timer.start();
}

void ReservationSweep::tick()
{
    if (m_busy->exchange(true))
        return; // the previous sweep is still running
    const bool queued = m_pool.trySubmit([busy = m_busy, completed = m_completed](DbSession &db) {
        try {
            const int freed = IpdService::expireReservations(db);
            if (freed > 0)
                qCInfo(lcSweep) << "freed" << freed << "beds whose reservation expired";
            completed->fetch_add(1);
        } catch (const std::exception &) {
            // No e.what(): PostgreSQL messages may quote data (SECURITY.md L2).
            db.reset();
            qCWarning(lcSweep) << "reservation sweep failed; retrying at the next tick";
        }
        busy->store(false);
    });
    if (!queued)
        m_busy->store(false); // pool full or stopping: try again next tick
}

} // namespace hms::server
