#include "workflows/worker.h"

#include "app/logging.h"
#include "app/unixsignals.h"
#include "audit/auditsealer.h"
#include "config/serverconfig.h"
#include "db/dbsession.h"
#include "db/migrator.h"
#include "db/pgvalues.h"
#include "db/prepared.h"
#include "db/tenant.h"
#include "shared/core/buildinfo.h"
#include "workflows/statements.h"
#include "workflows/wfapi.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QHostInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTextStream>
#include <QThread>
#include <QTimer>

#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/notification>
#include <pqxx/result>
#include <pqxx/transaction>

#include <unistd.h>

namespace hms::server::wf {

static Q_LOGGING_CATEGORY(lcWorker, "hms.worker", QtInfoMsg);

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

/// '{a,b}' for a text[] parameter; the elements are hospital codes and type@version keys
/// (no quotes, commas or braces by their formats) or numbers.
/// What is stored as last_error: the failing operation and the kind of error, never row data
/// (libpq messages can quote values, e.g. a unique violation's key).
QString describeError(const std::exception &error)
{
    if (const auto *sql = dynamic_cast<const pqxx::sql_error *>(&error))
        return QStringLiteral("database error SQLSTATE %1")
            .arg(QString::fromStdString(sql->sqlstate()));
    return QString::fromUtf8(error.what()).left(500);
}

class WakeReceiver final : public pqxx::notification_receiver
{
public:
    WakeReceiver(pqxx::connection_base &connection, std::function<void()> wake)
        : pqxx::notification_receiver(connection, NotifyChannel)
        , m_wake(std::move(wake))
    {}

    void operator()(const std::string &, int) override { m_wake(); }

private:
    std::function<void()> m_wake;
};

} // namespace

Worker::Worker(WorkerOptions options, const Registry &registry)
    : m_options(std::move(options))
    , m_registry(registry)
{
    m_workerId =
        QStringLiteral("%1:%2:%3")
            .arg(QHostInfo::localHostName())
            .arg(::getpid())
            .arg(QRandomGenerator::system()->generate() & 0xffffff, 6, 16, QLatin1Char('0'));
    m_typesArray = arrayParam(m_registry.keys());
}

Worker::~Worker()
{
    requestStop();
    wait();
}

std::string Worker::setupSql() const
{
    return SetRoleApplication;
}

bool Worker::start(QString &error)
{
    try {
        DbSession session(withSessionDefaults(m_options.databaseUrl, "hms-worker"), setupSql());
        if (!resolveQueues(session.connection(), error))
            return false;
        registerQueues(session.connection());
    } catch (const pqxx::broken_connection &) {
        error = QStringLiteral("Cannot connect to PostgreSQL; check HMS_DATABASE_URL and that the "
                               "database is running");
        return false;
    } catch (const std::exception &e) {
        error = QStringLiteral("Cannot register the worker: %1").arg(describeError(e));
        return false;
    }
    qCInfo(lcWorker).noquote() << "worker" << m_workerId << "serving"
                               << (m_options.allQueues ? QStringLiteral("all queues")
                                                       : m_options.queues.join(QLatin1Char(',')))
                               << "with" << m_options.concurrency << "executors; workflows"
                               << m_registry.keys().join(QLatin1Char(','));
    m_running = m_options.concurrency + 2;
    for (int i = 0; i < m_options.concurrency; ++i)
        m_threads.emplace_back([this, i] {
            executorLoop(i);
        });
    m_threads.emplace_back([this] {
        maintenanceLoop();
    });
    m_threads.emplace_back([this] {
        listenerLoop();
    });
    return true;
}

bool Worker::resolveQueues(pqxx::connection_base &connection, QString &error)
{
    pqxx::read_transaction tx(connection);
    std::vector<std::string> queues;
    if (m_options.allQueues) {
        for (const pqxx::row &row : tx.exec("SELECT code FROM hospitals ORDER BY id"))
            queues.push_back(row[0].as<std::string>());
    } else {
        for (const QString &queue : m_options.queues) {
            if (tx.exec_params("SELECT 1 FROM hospitals WHERE code = $1", queue.toStdString())
                    .empty()) {
                error = QStringLiteral("No hospital with code %1 (queue names are hospital codes)")
                            .arg(queue);
                return false;
            }
            queues.push_back(queue.toStdString());
        }
    }
    std::lock_guard lock(m_mutex);
    m_queues = std::move(queues);
    return true;
}

void Worker::registerQueues(pqxx::connection_base &connection)
{
    std::vector<std::string> queues;
    {
        std::lock_guard lock(m_mutex);
        queues = m_queues;
    }
    pqxx::work tx(connection);
    for (const std::string &queue : queues)
        tx.exec_params("SELECT wf.register_worker($1, $2, $3, $4, $5::text[], $6)",
                       m_workerId.toStdString(), QHostInfo::localHostName().toStdString(),
                       int(::getpid()), queue, m_typesArray, m_options.concurrency);
    tx.commit();
}

void Worker::requestStop()
{
    m_stop = true;
    std::lock_guard lock(m_mutex);
    m_wake.notify_all();
    m_workHint.notify_all();
}

void Worker::wakeOneExecutor()
{
    std::lock_guard lock(m_mutex);
    // At most one pending wake-up per executor: more would only cause empty claims.
    if (m_wakeUps < m_options.concurrency)
        ++m_wakeUps;
    m_workHint.notify_one();
}

int Worker::wait()
{
    if (m_joined)
        return m_fatal ? 1 : 0;
    for (std::thread &thread : m_threads)
        thread.join();
    m_joined = true;
    if (!m_fatal) {
        try {
            DbSession session(withSessionDefaults(m_options.databaseUrl, "hms-worker"), setupSql());
            pqxx::work tx(session.connection());
            tx.exec_params("SELECT wf.unregister_worker($1)", m_workerId.toStdString());
            tx.commit();
        } catch (const std::exception &) {
            qCWarning(lcWorker) << "could not unregister; the worker rows age out";
        }
    }
    return m_fatal ? 1 : 0;
}

void Worker::databaseFailed()
{
    qint64 expected = 0;
    m_dbDownSinceMs.compare_exchange_strong(expected, nowMs());
}

void Worker::databaseOk()
{
    m_dbDownSinceMs = 0;
}

void Worker::sleepFor(int ms)
{
    std::unique_lock lock(m_mutex);
    if (m_workHint.wait_for(lock, std::chrono::milliseconds(ms),
                            [this] {
                                return m_wakeUps > 0 || !m_claimed.empty() || m_stop;
                            })
        && m_claimed.empty() && m_wakeUps > 0)
        --m_wakeUps;
}

std::vector<ClaimedRun> Worker::claim(DbSession &session, const std::string &queue, int limit)
{
    std::vector<ClaimedRun> runs;
    pqxx::nontransaction tx(session.connection());
    // The claim commits without waiting for its WAL flush (synchronous_commit off for this
    // statement's own transaction): nothing outside the database acts on a claim, and every
    // step commits synchronously, which flushes the claim's WAL before its own. A database
    // crash can lose only a suffix of the WAL: at worst the claim, and the run is ready again
    // (the attempt the crash interrupted is not counted). One flush wait fewer per run.
    for (const pqxx::row &row :
         execPrepared(tx, statements::ClaimName, statements::ClaimSql, queue, m_typesArray,
                      m_workerId.toStdString(), limit, m_options.leaseMs)) {
        ClaimedRun run;
        run.runId = row[0].as<qint64>();
        run.hospitalId = row[1].as<qint64>();
        run.epoch = row[2].as<qint64>();
        run.type = QString::fromStdString(row[3].as<std::string>());
        run.version = row[4].as<int>();
        run.input = jsonFromText(row[5].as<std::string>());
        run.attempt = row[6].as<int>();
        run.maxAttempts = row[7].as<int>();
        run.dbNowUs = row[8].as<qint64>();
        run.journal =
            QJsonDocument::fromJson(QByteArray::fromStdString(row[9].as<std::string>())).array();
        runs.push_back(std::move(run));
    }
    // Leased from now on: the heartbeat extends every claimed run's lease, started or not.
    std::lock_guard lock(m_mutex);
    for (const ClaimedRun &run : runs) {
        InFlight &flight = m_inFlight[run.runId];
        if (flight.lost) // an older lease of this run, lost meanwhile: its executor stops
            *flight.lost = true;
        flight = InFlight{run.epoch, std::make_shared<std::atomic<bool>>(false)};
    }
    return runs;
}

std::optional<ClaimedRun> Worker::takeClaimed()
{
    std::lock_guard lock(m_mutex);
    if (m_claimed.empty())
        return std::nullopt;
    ClaimedRun run = std::move(m_claimed.front());
    m_claimed.pop_front();
    return run;
}

void Worker::releaseClaimed(DbSession &session)
{
    while (const std::optional<ClaimedRun> run = takeClaimed()) {
        try {
            releaseRun(session.connection(), *run);
        } catch (const std::exception &) {
            // The lease runs out and any worker's reaper hands the run on.
            session.reset();
        }
        std::lock_guard lock(m_mutex);
        const auto found = m_inFlight.find(run->runId);
        if (found != m_inFlight.end() && found->second.epoch == run->epoch)
            m_inFlight.erase(found);
    }
}

void Worker::executorLoop(int index)
{
    DbSession session(withSessionDefaults(m_options.databaseUrl, "hms-worker"), setupSql());
    std::size_t next = std::size_t(index);
    while (!m_stop) {
        // A run a colleague claimed for the next free executor comes first.
        if (const std::optional<ClaimedRun> handed = takeClaimed()) {
            execute(session, *handed);
            continue;
        }
        std::vector<std::string> queues;
        {
            std::lock_guard lock(m_mutex);
            queues = m_queues;
        }
        bool worked = false;
        bool failed = false;
        // Round-robin over the queues: after serving one, start with the next.
        for (std::size_t i = 0; i < queues.size() && !m_stop; ++i) {
            const std::size_t q = (next + i) % queues.size();
            // Up to one run per executor, less those already waiting here (WorkerOptions).
            int limit = 1;
            {
                std::lock_guard lock(m_mutex);
                limit =
                    qBound(1, m_options.concurrency - int(m_claimed.size()), m_options.claimBatch);
            }
            std::vector<ClaimedRun> runs;
            try {
                runs = claim(session, queues[q], limit);
                databaseOk();
            } catch (const std::exception &e) {
                session.reset();
                databaseFailed();
                qCWarning(lcWorker).noquote() << "claim failed:" << describeError(e);
                failed = true;
                break;
            }
            if (runs.empty())
                continue;
            if (int(runs.size()) == limit)
                wakeOneExecutor(); // there may be more: let an idle executor look
            if (runs.size() > 1) {
                // Start the first here; each other one goes to the next idle executor.
                std::lock_guard lock(m_mutex);
                for (std::size_t r = 1; r < runs.size(); ++r) {
                    m_claimed.push_back(std::move(runs[r]));
                    m_workHint.notify_one();
                }
            }
            execute(session, runs.front());
            next = q + 1;
            worked = true;
            break;
        }
        if (!worked)
            sleepFor(failed ? qMin(1000, m_options.pollMs * 2) : m_options.pollMs);
    }
    releaseClaimed(session);
    if (--m_running == 0)
        m_threadsDone = true;
}

void Worker::execute(DbSession &session, const ClaimedRun &run)
{
    std::shared_ptr<std::atomic<bool>> lost;
    {
        // Registered at its claim (claim()); the heartbeat may have found it lost since.
        std::lock_guard lock(m_mutex);
        const auto found = m_inFlight.find(run.runId);
        if (found == m_inFlight.end() || found->second.epoch != run.epoch)
            return;
        lost = found->second.lost;
    }
    const auto done = qScopeGuard([&] {
        std::lock_guard lock(m_mutex);
        const auto found = m_inFlight.find(run.runId);
        if (found != m_inFlight.end() && found->second.epoch == run.epoch)
            m_inFlight.erase(found);
    });
    if (lost->load())
        return; // lost while handed on: counted by the heartbeat, nothing ran
    const WorkflowFunction *function = m_registry.find(run.type, run.version);
    try {
        if (!function) // cannot happen: the claim matched registered pairs only
            throw NonRetryable("workflow type not registered");
        WorkflowContext context(session, run,
                                {[this] {
                                     return m_stop.load();
                                 },
                                 [lost] {
                                     return lost->load();
                                 }});
        QJsonObject result;
        try {
            result = (*function)(context);
        } catch (const ChainBroken &) {
            // A step failed after DB steps that shared its transaction, and took them back
            // with it: run again one step per transaction, so they commit and the failure (or
            // a transient one's success) is the failing step's alone. Same claim, same attempt.
            context.restartUnchained();
            result = (*function)(context);
        }
        finishRun(session, run, &context, "completed", &result, QString());
        qCDebug(lcWorker) << "run" << run.runId << "completed";
    } catch (const Suspended &) {
        // Waiting for a timer or signal, or released at shutdown: already committed.
    } catch (const LeaseLost &) {
        ++m_leaseLostPending;
        qCWarning(lcWorker) << "run" << run.runId << "lease lost; its step rolled back";
    } catch (const NonDeterminism &e) {
        qCWarning(lcWorker).noquote() << "run" << run.runId << e.what();
        finishRun(session, run, nullptr, "failed", nullptr, QString::fromUtf8(e.what()));
    } catch (const NonRetryable &e) {
        finishRun(session, run, nullptr, "failed", nullptr, QString::fromUtf8(e.what()).left(500));
    } catch (const pqxx::broken_connection &) {
        // The lease runs out and any worker's reaper hands the run on.
        session.reset();
        databaseFailed();
    } catch (const pqxx::in_doubt_error &) {
        session.reset();
        databaseFailed();
    } catch (const std::exception &e) {
        const QString error = describeError(e);
        qCInfo(lcWorker).noquote()
            << "run" << run.runId << "attempt" << run.attempt << "failed:" << error;
        retryRun(session, run, error);
    }
}

void Worker::finishRun(DbSession &session,
                       const ClaimedRun &run,
                       WorkflowContext *context,
                       const char *status,
                       const QJsonObject *result,
                       const QString &error)
{
    try {
        // With the run's context: in its last step's transaction when that is still open.
        std::optional<WorkflowContext> fresh;
        if (!context)
            context = &fresh.emplace(session, run, WorkflowContext::Settings{});
        if (!context->finish(status, result, error)) {
            // Found at the fence of the run's end (with its last step's journal row): counted
            // like a step's lost lease.
            ++m_leaseLostPending;
            qCWarning(lcWorker) << "run" << run.runId << "lease lost before it finished";
        }
    } catch (const std::exception &) {
        session.reset();
        databaseFailed();
    }
}

void Worker::retryRun(DbSession &session, const ClaimedRun &run, const QString &error)
{
    try {
        pqxx::work tx(session.connection());
        enterTenant(tx, run.hospitalId);
        // Full jitter: a random delay up to min(cap, initial * 2^(attempt - 1)).
        tx.exec_params0(
            "UPDATE wf.run SET "
            "status = CASE WHEN attempt >= max_attempts THEN 'dead' ELSE 'ready' END, "
            "finished_at = CASE WHEN attempt >= max_attempts THEN now() END, "
            "run_at = now() + make_interval(secs => random() * least($4::float8, "
            "$3::float8 * power(2, greatest(attempt - 1, 0))) / 1000.0), "
            "last_error = $5, lease_owner = NULL, lease_expires_at = NULL, updated_at = now() "
            "WHERE run_id = $1 AND lease_epoch = $2 AND status = 'running'",
            run.runId, run.epoch, m_options.backoffInitialMs, m_options.backoffCapMs,
            error.toStdString());
        tx.commit();
    } catch (const std::exception &) {
        session.reset();
        databaseFailed();
    }
}

void Worker::maintenanceLoop()
{
    DbSession session(withSessionDefaults(m_options.databaseUrl, "hms-worker"), setupSql());
    qint64 nextHeartbeat = 0;
    qint64 nextReap = 0;
    qint64 nextRefresh = nowMs() + 30'000;
    while (!m_stop) {
        const qint64 now = nowMs();
        try {
            if (now >= nextHeartbeat) {
                std::vector<qint64> runs;
                std::vector<qint64> epochs;
                std::map<qint64, InFlight> held;
                {
                    std::lock_guard lock(m_mutex);
                    held = m_inFlight;
                }
                for (const auto &[runId, flight] : held) {
                    runs.push_back(runId);
                    epochs.push_back(flight.epoch);
                }
                const qint64 lostAtFence = m_leaseLostPending.exchange(0);
                pqxx::work tx(session.connection());
                for (const pqxx::row &row : tx.exec_params(
                         "SELECT * FROM wf.heartbeat($1, $2::bigint[], $3::bigint[], $4, $5)",
                         m_workerId.toStdString(), arrayParam(runs), arrayParam(epochs),
                         m_options.leaseMs, lostAtFence)) {
                    const auto found = held.find(row[0].as<qint64>());
                    if (found != held.end())
                        *found->second.lost = true;
                    qCWarning(lcWorker) << "lease lost on run" << row[0].as<qint64>();
                }
                tx.commit();
                nextHeartbeat = now + m_options.heartbeatMs;
            }
            if (now >= nextReap) {
                pqxx::work tx(session.connection());
                const int reaped =
                    tx.exec_params1("SELECT wf.reap($1, $2)", m_options.backoffInitialMs,
                                    m_options.backoffCapMs)[0]
                        .as<int>();
                tx.commit();
                if (reaped > 0)
                    qCInfo(lcWorker) << "reaped" << reaped << "runs with expired leases";
                nextReap = now + m_options.reapMs;
            }
            if (now >= nextRefresh) {
                if (m_options.allQueues) {
                    QString error;
                    resolveQueues(session.connection(), error);
                }
                registerQueues(session.connection());
                nextRefresh = now + 30'000;
            }
            databaseOk();
        } catch (const std::exception &e) {
            session.reset();
            databaseFailed();
            qCWarning(lcWorker).noquote() << "maintenance failed:" << describeError(e);
            nextHeartbeat = now + 500;
            nextReap = now + 500;
        }
        const qint64 since = m_dbDownSinceMs.load();
        if (since != 0 && nowMs() - since > m_options.dbDownExitMs) {
            qCCritical(lcWorker) << "database unreachable for" << (nowMs() - since)
                                 << "ms; exiting so the service manager restarts the worker";
            m_fatal = true;
            requestStop();
            break;
        }
        std::unique_lock lock(m_mutex);
        m_wake.wait_for(lock, std::chrono::milliseconds(qMin(100, m_options.heartbeatMs)), [this] {
            return m_stop.load();
        });
    }
    if (--m_running == 0)
        m_threadsDone = true;
}

void Worker::listenerLoop()
{
    while (!m_stop) {
        try {
            pqxx::connection connection(withSessionDefaults(m_options.databaseUrl, "hms-worker"));
            // One executor per hint; one that finds work wakes the next (executorLoop), so a
            // burst fans out without every idle executor claiming for a single new run.
            WakeReceiver receiver(connection, [this] {
                wakeOneExecutor();
            });
            while (!m_stop)
                connection.await_notification(0, 200'000);
        } catch (const std::exception &) {
            // Only a hint: polling keeps working; try again shortly.
            for (int i = 0; i < 10 && !m_stop; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    if (--m_running == 0)
        m_threadsDone = true;
}

namespace {

bool positive(const QString &text, int &value)
{
    bool ok = false;
    const int parsed = text.toInt(&ok);
    if (!ok || parsed <= 0)
        return false;
    value = parsed;
    return true;
}

} // namespace

int runWorkerMain(int argc, char *argv[], Registry &registry, const char *applicationName)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QLatin1String(applicationName));
    QCoreApplication::setApplicationVersion(QLatin1String(hms::Version));
    installLogFormat();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("HMS durable workflow worker: runs the workflows of the hospitals' "
                       "queues (queue = hospital code).\n\nTimes may also come from "
                       "HMS_WORKER_LEASE_MS, HMS_WORKER_HEARTBEAT_MS, HMS_WORKER_REAP_MS, "
                       "HMS_WORKER_POLL_MS, HMS_WORKER_CLAIM_BATCH, HMS_WORKER_BACKOFF_MS, "
                       "HMS_WORKER_DB_DOWN_EXIT_MS "
                       "and the concurrency from HMS_WORKER_CONCURRENCY.\n\n")
        + ServerConfig::settingsHelp());
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configOption(QStringLiteral("config"),
                                          QStringLiteral("Read settings from this INI file."),
                                          QStringLiteral("file"));
    const QCommandLineOption queuesOption(QStringLiteral("queues"),
                                          QStringLiteral("Serve these queues (hospital codes)."),
                                          QStringLiteral("a,b"));
    const QCommandLineOption allOption(QStringLiteral("all"),
                                       QStringLiteral("Serve every hospital's queue."));
    const QCommandLineOption concurrencyOption(QStringLiteral("concurrency"),
                                               QStringLiteral("Executor threads (default 4)."),
                                               QStringLiteral("n"));
    const QCommandLineOption leaseOption(QStringLiteral("lease-ms"),
                                         QStringLiteral("Lease length (default 30000)."),
                                         QStringLiteral("ms"));
    const QCommandLineOption heartbeatOption(QStringLiteral("heartbeat-ms"),
                                             QStringLiteral("Heartbeat interval (default 10000)."),
                                             QStringLiteral("ms"));
    const QCommandLineOption reapOption(QStringLiteral("reap-ms"),
                                        QStringLiteral("Reaper interval (default 5000)."),
                                        QStringLiteral("ms"));
    const QCommandLineOption pollOption(QStringLiteral("poll-ms"),
                                        QStringLiteral("Idle claim poll (default 1000)."),
                                        QStringLiteral("ms"));
    const QCommandLineOption batchOption(
        QStringLiteral("claim-batch"),
        QStringLiteral("Most runs claimed per claim statement, handed to idle executors "
                       "(default 8)."),
        QStringLiteral("n"));
    const QCommandLineOption backoffOption(
        QStringLiteral("backoff-ms"),
        QStringLiteral("First retry backoff bound (default 1000; x2 per attempt, cap 5 min)."),
        QStringLiteral("ms"));
    parser.addOptions({configOption, queuesOption, allOption, concurrencyOption, leaseOption,
                       heartbeatOption, reapOption, pollOption, batchOption, backoffOption});
    parser.process(app);

    QTextStream err(stderr);
    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    ServerConfig::Overrides overrides;
    overrides.configFile = parser.value(configOption);
    const Result<ServerConfig> config = ServerConfig::load(overrides, environment);
    if (!config) {
        err << applicationName << ": " << config.problem().detail << Qt::endl;
        return 2;
    }

    WorkerOptions options;
    options.databaseUrl = config.value().databaseUrl.toStdString();

    const struct
    {
        const QCommandLineOption &option;
        const char *env;
        int *target;
    } numbers[] = {
        {concurrencyOption, "HMS_WORKER_CONCURRENCY", &options.concurrency},
        {leaseOption, "HMS_WORKER_LEASE_MS", &options.leaseMs},
        {heartbeatOption, "HMS_WORKER_HEARTBEAT_MS", &options.heartbeatMs},
        {reapOption, "HMS_WORKER_REAP_MS", &options.reapMs},
        {pollOption, "HMS_WORKER_POLL_MS", &options.pollMs},
        {batchOption, "HMS_WORKER_CLAIM_BATCH", &options.claimBatch},
        {backoffOption, "HMS_WORKER_BACKOFF_MS", &options.backoffInitialMs},
    };

    for (const auto &number : numbers) {
        const QString text = parser.isSet(number.option)
            ? parser.value(number.option)
            : environment.value(QLatin1String(number.env));
        if (!text.isEmpty() && !positive(text, *number.target)) {
            err << applicationName << ": " << number.option.names().first()
                << " takes a positive integer" << Qt::endl;
            return 2;
        }
    }
    const QString downExit = environment.value(QStringLiteral("HMS_WORKER_DB_DOWN_EXIT_MS"));
    if (!downExit.isEmpty() && !positive(downExit, options.dbDownExitMs)) {
        err << applicationName << ": HMS_WORKER_DB_DOWN_EXIT_MS takes a positive integer"
            << Qt::endl;
        return 2;
    }
    if (options.heartbeatMs >= options.leaseMs) {
        err << applicationName << ": the heartbeat interval must be shorter than the lease"
            << Qt::endl;
        return 2;
    }
    options.allQueues = parser.isSet(allOption);
    if (parser.isSet(queuesOption)) {
        for (const QString &queue :
             parser.value(queuesOption).split(QLatin1Char(','), Qt::SkipEmptyParts))
            options.queues.append(queue.trimmed());
    }
    if (options.allQueues == !options.queues.isEmpty()) {
        err << applicationName << ": pass --queues a,b or --all" << Qt::endl;
        return 2;
    }

    // SIGTERM during start-up (systemd stopping a worker that is still connecting) is a
    // clean stop too: handled from here on.
    bool terminated = false;
    UnixSignals unixSignals;
    Worker *running = nullptr;
    QObject::connect(&unixSignals, &UnixSignals::terminationRequested, &app, [&] {
        terminated = true;
        if (running) {
            qCInfo(lcWorker) << "stopping: finishing in-flight steps";
            running->requestStop();
        }
    });

    // The schema must be this build's (hms-server migrates); wait a little for it at start.
    const std::string url = withSessionDefaults(options.databaseUrl, "hms-worker");
    for (int tries = 0;; ++tries) {
        try {
            pqxx::connection connection(url);
            Migrator(Migrator::embedded()).verify(connection);
            break;
        } catch (const MigrationError &error) {
            if (tries >= 30) {
                err << applicationName << ": " << error.what() << Qt::endl;
                return 1;
            }
        } catch (const std::exception &) {
            err << applicationName
                << ": cannot connect to PostgreSQL; check HMS_DATABASE_URL and that the "
                   "database is running"
                << Qt::endl;
            return 1;
        }
        QCoreApplication::processEvents();
        if (terminated)
            return 0;
        QThread::sleep(1);
    }

    Worker worker(options, registry);
    QString error;
    if (!worker.start(error)) {
        err << applicationName << ": " << error << Qt::endl;
        return 1;
    }
    running = &worker;
    // Steps append audit rows pending; seal them into the chain within a second even when no
    // hms-server runs (0018_audit_sealing.sql). Stopped before the worker's last wait.
    AuditSealer sealer(url, SetRoleApplication, AuditSealer::DefaultSweepMs);
    sealer.start();
    QCoreApplication::processEvents();
    if (terminated)
        worker.requestStop();
    QTimer check;
    QObject::connect(&check, &QTimer::timeout, &app, [&] {
        if (worker.finished())
            app.quit();
    });
    check.start(50);
    app.exec();
    const int code = worker.wait();
    sealer.stop();
    qCInfo(lcWorker) << "stopped";
    return code;
}

} // namespace hms::server::wf
