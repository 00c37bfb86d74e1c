#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <pqxx/connection_base>
#include <pqxx/result>
#include <pqxx/transaction>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hms::server {
class DbSession;
}

namespace hms::server::wf {

/// A run that the worker claimed: what the claim query returned.
struct ClaimedRun
{
    qint64 runId = 0;
    qint64 hospitalId = 0;
    qint64 epoch = 0; ///< lease epoch (fencing token)
    QString type;
    int version = 0;
    QJsonObject input;
    int attempt = 0;
    int maxAttempts = 0;
    qint64 dbNowUs = 0; ///< database clock at claim, microseconds since the epoch
    QJsonArray journal; ///< [[seq, name, output], ...] as of the claim
};

/// The run must stop now without failing: it waits for a timer or a signal (the wait is
/// already committed), or the worker is stopping and released it.
struct Suspended
{};

/// A DB step failed in a transaction it shared with the DB steps before it, so all of them
/// rolled back: the worker runs the workflow again with one step per transaction
/// (WorkflowContext::restartUnchained), so the steps before it commit on their own and the
/// failure is the failing step's alone. Internal to the engine, not a std::exception: a
/// workflow's own catch (const std::exception &) clauses do not see it (never catch (...)
/// around steps).
struct ChainBroken
{};

/// Another worker owns the run now (lease expired, epoch moved on): nothing was committed.
class LeaseLost : public std::runtime_error
{
public:
    LeaseLost()
        : std::runtime_error("lease lost")
    {}
};

/// The journal does not match the code (a step was renamed, removed or reordered): the run
/// is failed visibly instead of continuing on a different path.
class NonDeterminism : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// An error that retrying cannot fix (validation, permission, missing record): the run
/// fails at once. The message is stored on the run: ids only, never PHI.
class NonRetryable : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// What a workflow function sees: its run, its input, and the durable operations. Every
/// operation has a name and a sequence number; completed ones are journaled in wf.step and
/// replayed from there when the run resumes (after a crash, a timer or a signal), so a
/// workflow function must reach the same operations in the same order for the same input
/// and journaled outputs (no clocks, randomness or reads outside steps).
class WorkflowContext
{
public:
    struct Settings
    {
        std::function<bool()> stopRequested; ///< the worker is shutting down
        std::function<bool()> leaseLost; ///< the heartbeat found the lease gone
    };

    WorkflowContext(DbSession &session, const ClaimedRun &run, Settings settings);

    qint64 runId() const { return m_run.runId; }

    qint64 hospitalId() const { return m_run.hospitalId; }

    int attempt() const { return m_run.attempt; }

    const QJsonObject &input() const { return m_run.input; }

    /// A database step: \a body runs in one transaction bound to the run's hospital (row-level
    /// security), together with the lease check and the journal row; so its writes commit
    /// exactly once per run. Returns \a body's output (ids only), or the journaled output on
    /// replay. The body must be short: its writes stay locked until the transaction commits.
    ///
    /// The transaction stays open for the run's next DB steps (up to MaxChainedSteps steps
    /// and MaxChainTime since it began) and commits when another kind of operation starts,
    /// flush() is called, or the run ends: all their journal rows and the lease check in one
    /// statement just before the commit, with the run's completion when the run ends there.
    /// So a run of consecutive DB steps costs one commit (one WAL flush), not one per step.
    /// A crash before that rolls those steps back whole, and they run again: still once. A
    /// step that fails while sharing the transaction rolls the others back too and throws
    /// ChainBroken; the worker then runs the workflow again one step per transaction. A lost
    /// lease surfaces at the commit (LeaseLost from the next operation, false from finish()).
    QJsonObject step(const QString &name, const std::function<QJsonObject(pqxx::work &)> &body);

    /// Commits the open DB steps' transaction now, when there is one (throws LeaseLost and
    /// rolls it back when the lease is gone).
    void flush();

    /// After ChainBroken: the workflow function is called again from its start (journaled
    /// operations replay, the steps of the broken transaction run again), each DB step in its
    /// own transaction from now on.
    void restartUnchained();

    static constexpr int MaxChainedSteps = 8;
    static constexpr std::chrono::milliseconds MaxChainTime{50};

    /// Ends the run (completed, failed) in the open DB steps' transaction when there is one,
    /// else in a new one: sets \a status, \a result and \a error (ids only) unless
    /// the lease was lost (false then). Throws on database errors.
    bool finish(const char *status, const QJsonObject *result, const QString &error);

    /// A side effect outside the database (SMS, HTTP): at least once, with the stable
    /// idempotency key "<run id>:<seq>" for the callee to deduplicate. Never re-run once
    /// journaled.
    QJsonObject external(const QString &name,
                         const std::function<QJsonObject(const QString &idempotencyKey)> &call);

    /// A durable timer on the database clock: the run releases its lease and is claimed
    /// again after \a duration; a worker crash or downtime only delays it.
    void sleep(const QString &name, std::chrono::milliseconds duration);

    /// Consumes the oldest unconsumed signal \a signalName sent to this run (also ones sent
    /// before the wait), exactly once; its payload, or nullopt after \a timeout.
    std::optional<QJsonObject> waitSignal(const QString &signalName,
                                          std::chrono::milliseconds timeout);

    /// A journaled patch marker: true for runs that reach this point with the code that
    /// has patch \a id, false for older runs replaying a journal from before it.
    bool patched(const QString &id);

    /// The sequence number the next operation gets (tests, idempotency keys).
    int nextSeq() const { return m_seq + 1; }

private:
    struct Journaled
    {
        QString name;
        QJsonObject output;
    };

    const Journaled *replay(int seq, const QString &name);
    /// Commits the open step, then throws LeaseLost or releases the run (Suspended) when the
    /// run must not go on.
    void checkContinue();
    /// SELECT ... FOR UPDATE of the run; throws LeaseLost unless it is still ours.
    void fence(pqxx::transaction_base &tx) const;

    /// A journal row: an operation's sequence number, name and output.
    struct JournalRow
    {
        int seq = 0;
        QString name;
        QJsonObject output;
    };

    /// [[seq, name, output], ...]: the rows as one jsonb parameter of the journal statements.
    static std::string journalRows(const std::vector<JournalRow> &rows);

    /// Inserts the journal row, in a transaction that already holds the run (fence()).
    void journal(pqxx::transaction_base &tx,
                 int seq,
                 const QString &name,
                 const char *kind,
                 const QJsonObject &output) const;
    /// Inserts \a rows (of kind \a kind) in the same statement as the lease check (locks the
    /// run row, inserts nothing and throws LeaseLost unless it is still ours), commits \a tx
    /// and remembers the rows for a replay after ChainBroken.
    void commitJournaled(pqxx::work &tx, const std::vector<JournalRow> &rows, const char *kind);
    /// Sets the run waiting and releases the lease: waiting until \a wakeAtUs (database clock,
    /// microseconds since the epoch), or until the run's wait_deadline when there is none.
    void suspend(pqxx::transaction_base &tx, std::optional<qint64> wakeAtUs) const;

    /// Whether the next DB step may join the open transaction.
    bool mayChain() const;
    /// Operations committed during this execution, for a replay after ChainBroken.
    void remember(int seq, const QString &name, const QJsonObject &output);

    DbSession &m_session;
    std::unique_ptr<pqxx::work> m_open; ///< the DB steps' transaction, not committed yet
    std::vector<JournalRow> m_pending; ///< their journal rows, inserted at its commit
    std::chrono::steady_clock::time_point m_openedAt; ///< when m_open began
    bool m_chain = true; ///< DB steps may share a transaction (false after ChainBroken)
    ClaimedRun m_run;
    Settings m_settings;
    std::map<int, Journaled> m_journal;
    int m_seq = 0;
};

using WorkflowFunction = std::function<QJsonObject(WorkflowContext &)>;

/// (type, version) -> function. A worker claims only the pairs it registers; versions are
/// explicit integers, never derived from the build.
class Registry
{
public:
    void add(const QString &type, int version, WorkflowFunction function);
    const WorkflowFunction *find(const QString &type, int version) const;
    /// "type@version" of every registered pair (what the claim query matches).
    QStringList keys() const;

    bool isEmpty() const { return m_functions.empty(); }

private:
    std::map<std::pair<QString, int>, WorkflowFunction> m_functions;
};

/// Gives a claimed run back untouched, in its own transaction: ready again at once, and this
/// claim does not count as an attempt (a stopping worker). Nothing when the lease is gone.
void releaseRun(pqxx::connection_base &connection, const ClaimedRun &run);

/// JSON <-> jsonb text.
QJsonObject jsonFromText(const std::string &text);
std::string jsonText(const QJsonObject &object);

} // namespace hms::server::wf
