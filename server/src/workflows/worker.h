#pragma once

#include "workflows/workflow.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace hms::server::wf {

/// How a worker process runs (WORKER.md defaults; tests shorten the times).
struct WorkerOptions
{
    std::string databaseUrl;
    QStringList queues; ///< hospital codes; empty with allQueues = every hospital
    bool allQueues = false;
    int concurrency = 4; ///< executor threads, one database connection each
    int leaseMs = 30'000;
    int heartbeatMs = 10'000;
    int reapMs = 5'000;
    int pollMs = 1'000; ///< claim poll when idle; NOTIFY wakes earlier
    /// At most this many runs per claim statement, and never more than one per executor less
    /// the runs already waiting in this process: the claimer starts one, the others go to
    /// idle executors at once and to busy ones as they finish a run. Under a backlog that is
    /// one claim statement per several runs (the claim's index scan over the queue's head is
    /// the costliest statement of a short run), and a run waits here at most about one run's
    /// time. Like runs in flight, the waiting ones are leased and heartbeated from the claim
    /// on, and a crash counts an attempt for each (at most `concurrency` runs); a stopping
    /// worker gives back the ones not started, uncounted.
    int claimBatch = 8;
    int backoffInitialMs = 1'000;
    int backoffCapMs = 300'000;
    int dbDownExitMs = 30'000; ///< exit non-zero when the database stays unreachable this long
};

/// The executor pool of one hms-worker process: claims runs of its queues round-robin
/// (one hospital's backlog cannot starve another's), runs them through their workflow
/// function, heartbeats the leases it holds, reaps expired leases of any worker, and
/// listens for the NOTIFY hint. Threads: `concurrency` executors, one maintenance thread,
/// one listener; each owns its connection (SET ROLE hms_app).
class Worker
{
public:
    Worker(WorkerOptions options, const Registry &registry);
    ~Worker();

    /// Connects, resolves the queues and registers the worker. False with \a error when the
    /// database is unreachable or a queue names no hospital.
    bool start(QString &error);

    /// Stop claiming; in-flight runs finish their current step and are released.
    void requestStop();

    /// True once every thread has ended (after requestStop() or a fatal database outage).
    bool finished() const { return m_threadsDone.load(); }

    /// Joins the threads and unregisters. 0 after a requested stop, 1 after the database
    /// stayed unreachable.
    int wait();

    QString workerId() const { return m_workerId; }

private:
    struct InFlight
    {
        qint64 epoch = 0;
        std::shared_ptr<std::atomic<bool>> lost;
    };

    void executorLoop(int index);
    void maintenanceLoop();
    void listenerLoop();
    bool resolveQueues(pqxx::connection_base &connection, QString &error);
    void registerQueues(pqxx::connection_base &connection);
    std::vector<ClaimedRun> claim(DbSession &session, const std::string &queue, int limit);
    /// The oldest run claimed by a colleague and not started yet, if any.
    std::optional<ClaimedRun> takeClaimed();
    /// Gives back the runs claimed and not started (a stopping worker).
    void releaseClaimed(DbSession &session);
    void execute(DbSession &session, const ClaimedRun &run);
    void finishRun(DbSession &session,
                   const ClaimedRun &run,
                   WorkflowContext *context,
                   const char *status,
                   const QJsonObject *result,
                   const QString &error);
    void retryRun(DbSession &session, const ClaimedRun &run, const QString &error);
    void databaseFailed();
    void databaseOk();
    /// An executor waits for a wake-up (a NOTIFY hint, or a colleague that found work) or
    /// the poll interval.
    void sleepFor(int ms);
    void wakeOneExecutor();
    std::string setupSql() const;

    WorkerOptions m_options;
    const Registry &m_registry;
    QString m_workerId;
    std::string m_typesArray; ///< '{type@1,...}'

    std::mutex m_mutex; ///< guards the fields below, m_wake and m_workHint
    std::condition_variable m_wake; ///< the maintenance thread: stop
    std::condition_variable m_workHint; ///< idle executors: m_wakeUps or stop
    std::vector<std::string> m_queues;
    std::map<qint64, InFlight> m_inFlight; ///< every run leased: started or handed on
    std::deque<ClaimedRun> m_claimed; ///< claimed by one executor for the next free one
    int m_wakeUps = 0; ///< wake-ups not yet taken by an executor

    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_fatal{false};
    std::atomic<bool> m_threadsDone{false};
    std::atomic<qint64> m_dbDownSinceMs{0};
    std::atomic<int> m_running{0};
    std::atomic<qint64> m_leaseLostPending{0}; ///< found at a fence, reported by the heartbeat
    std::vector<std::thread> m_threads;
    bool m_joined = false;
};

/// hms-worker's main(): options, configuration, signals. Shared with the test worker, which
/// registers test workflows into \a registry. Returns the exit code.
int runWorkerMain(int argc, char *argv[], Registry &registry, const char *applicationName);

} // namespace hms::server::wf
