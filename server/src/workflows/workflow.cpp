#include "workflows/workflow.h"

#include "db/dbsession.h"
#include "db/prepared.h"
#include "db/tenant.h"
#include "workflows/statements.h"

#include <QJsonDocument>

#include <pqxx/result>
#include <pqxx/transaction>

namespace hms::server::wf {

namespace {

QString text(const char *latin1)
{
    return QString::fromLatin1(latin1);
}

} // namespace

void releaseRun(pqxx::connection_base &connection, const ClaimedRun &run)
{
    pqxx::work tx(connection);
    enterTenant(tx, run.hospitalId);
    execPrepared(tx, statements::ReleaseName, statements::ReleaseSql, run.runId, run.epoch);
    tx.commit();
}

QJsonObject jsonFromText(const std::string &text)
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
}

std::string jsonText(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact).toStdString();
}

WorkflowContext::WorkflowContext(DbSession &session, const ClaimedRun &run, Settings settings)
    : m_session(session)
    , m_run(run)
    , m_settings(std::move(settings))
{
    for (const QJsonValue &entry : m_run.journal) {
        const QJsonArray row = entry.toArray();
        m_journal[row.at(0).toInt()] = Journaled{row.at(1).toString(), row.at(2).toObject()};
    }
}

const WorkflowContext::Journaled *WorkflowContext::replay(int seq, const QString &name)
{
    const auto found = m_journal.find(seq);
    if (found == m_journal.end())
        return nullptr;
    if (found->second.name != name) {
        // Step names are code, not data: safe to store.
        throw NonDeterminism(QStringLiteral("non-determinism at step %1: journal has \"%2\", "
                                            "code has \"%3\"")
                                 .arg(seq)
                                 .arg(found->second.name, name)
                                 .toStdString());
    }
    return &found->second;
}

std::string WorkflowContext::journalRows(const std::vector<JournalRow> &rows)
{
    QJsonArray array;
    for (const JournalRow &row : rows)
        array.append(QJsonArray{row.seq, row.name, row.output});
    return QJsonDocument(array).toJson(QJsonDocument::Compact).toStdString();
}

void WorkflowContext::remember(int seq, const QString &name, const QJsonObject &output)
{
    m_journal[seq] = Journaled{name, output};
}

void WorkflowContext::flush()
{
    // Moved out first: if the journal rows or the commit throw, the transaction is gone
    // before the caller drops the connection.
    if (std::unique_ptr<pqxx::work> open = std::move(m_open)) {
        commitJournaled(*open, std::exchange(m_pending, {}), "db");
    }
}

void WorkflowContext::restartUnchained()
{
    m_open.reset();
    m_pending.clear();
    m_seq = 0;
    m_chain = false;
}

bool WorkflowContext::mayChain() const
{
    return m_open && m_chain && int(m_pending.size()) < MaxChainedSteps
        && std::chrono::steady_clock::now() - m_openedAt < MaxChainTime
        && !(m_settings.leaseLost && m_settings.leaseLost())
        && !(m_settings.stopRequested && m_settings.stopRequested());
}

bool WorkflowContext::finish(const char *status, const QJsonObject *result, const QString &error)
{
    const std::optional<std::string> resultText =
        result ? std::optional<std::string>(jsonText(*result)) : std::nullopt;
    const std::optional<std::string> errorText =
        error.isEmpty() ? std::optional<std::string>() : error.toStdString();
    if (std::unique_ptr<pqxx::work> tx = std::move(m_open)) {
        const std::vector<JournalRow> pending = std::exchange(m_pending, {});
        const pqxx::result ended = execPrepared(
            *tx, statements::JournalStepsAndFinishName, statements::JournalStepsAndFinishSql,
            m_run.runId, m_run.hospitalId, journalRows(pending), m_run.attempt, m_run.epoch, status,
            resultText, errorText);
        if (ended.affected_rows() != pending.size())
            return false; // the lease is gone: the steps roll back with the transaction
        tx->commit();
        return true;
    }
    pqxx::work tx(m_session.connection());
    enterTenant(tx, m_run.hospitalId);
    const pqxx::result updated =
        execPrepared(tx, statements::FinishName, statements::FinishSql, m_run.runId, m_run.epoch,
                     status, resultText, errorText);
    tx.commit();
    return updated.affected_rows() == 1;
}

void WorkflowContext::checkContinue()
{
    flush();
    if (m_settings.leaseLost && m_settings.leaseLost())
        throw LeaseLost();
    if (m_settings.stopRequested && m_settings.stopRequested()) {
        // Shutting down: give the run back untouched (this claim does not count as an attempt).
        releaseRun(m_session.connection(), m_run);
        throw Suspended();
    }
}

void WorkflowContext::fence(pqxx::transaction_base &tx) const
{
    const pqxx::result row = tx.exec_params(
        "SELECT lease_epoch, status FROM wf.run WHERE run_id = $1 FOR UPDATE", m_run.runId);
    if (row.empty() || row[0][0].as<qint64>() != m_run.epoch
        || row[0][1].as<std::string>() != "running")
        throw LeaseLost();
}

void WorkflowContext::journal(pqxx::transaction_base &tx,
                              int seq,
                              const QString &name,
                              const char *kind,
                              const QJsonObject &output) const
{
    tx.exec_params0("INSERT INTO wf.step (run_id, seq, hospital_id, name, kind, output, "
                    "attempt) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)",
                    m_run.runId, seq, m_run.hospitalId, name.toStdString(), kind, jsonText(output),
                    m_run.attempt);
}

void WorkflowContext::commitJournaled(pqxx::work &tx,
                                      const std::vector<JournalRow> &rows,
                                      const char *kind)
{
    const pqxx::result inserted =
        execPrepared(tx, statements::JournalStepsName, statements::JournalStepsSql, m_run.runId,
                     m_run.hospitalId, journalRows(rows), m_run.attempt, m_run.epoch, kind);
    if (inserted.affected_rows() != rows.size())
        throw LeaseLost();
    tx.commit();
    for (const JournalRow &row : rows)
        remember(row.seq, row.name, row.output);
}

void WorkflowContext::suspend(pqxx::transaction_base &tx, std::optional<qint64> wakeAtUs) const
{
    // A wait is progress: the attempt count starts again for the next claim.
    tx.exec_params0("UPDATE wf.run SET status = 'waiting', run_at = CASE WHEN $2::bigint IS NULL "
                    "THEN wait_deadline ELSE to_timestamp($2::bigint / 1e6) END, attempt = 0, "
                    "lease_owner = NULL, lease_expires_at = NULL, updated_at = now() "
                    "WHERE run_id = $1",
                    m_run.runId, wakeAtUs);
}

QJsonObject WorkflowContext::step(const QString &name,
                                  const std::function<QJsonObject(pqxx::work &)> &body)
{
    const int seq = ++m_seq;
    if (const Journaled *done = replay(seq, name))
        return done->output;
    const bool chained = mayChain();
    if (!chained) {
        checkContinue();
        m_open = std::make_unique<pqxx::work>(m_session.connection());
        m_openedAt = std::chrono::steady_clock::now();
        enterTenant(*m_open, m_run.hospitalId);
    }
    QJsonObject output;
    try {
        output = body(*m_open);
    } catch (const pqxx::broken_connection &) {
        m_open.reset();
        m_pending.clear();
        throw;
    } catch (...) {
        // Rolls back this step, and the steps before it that shared its transaction.
        m_open.reset();
        m_pending.clear();
        if (chained)
            throw ChainBroken();
        throw;
    }
    // The lease check last, in the journal rows' INSERT just before the commit (flush(), or
    // finish() in one statement with the run's end): the run row stays locked only until the
    // commit, and a zombie that ran its body after losing the lease rolls back there.
    m_pending.push_back(JournalRow{seq, name, output});
    return output;
}

QJsonObject
WorkflowContext::external(const QString &name,
                          const std::function<QJsonObject(const QString &idempotencyKey)> &call)
{
    const int seq = ++m_seq;
    if (const Journaled *done = replay(seq, name))
        return done->output;
    checkContinue();
    const QString key = QStringLiteral("%1:%2").arg(m_run.runId).arg(seq);
    const QJsonObject output = call(key);
    pqxx::work tx(m_session.connection());
    enterTenant(tx, m_run.hospitalId);
    commitJournaled(tx, {JournalRow{seq, name, output}}, "external");
    return output;
}

void WorkflowContext::sleep(const QString &name, std::chrono::milliseconds duration)
{
    const int seq = ++m_seq;
    if (const Journaled *done = replay(seq, name)) {
        const qint64 wakeAtUs = qint64(done->output.value(text("wakeAtUs")).toDouble());
        if (wakeAtUs <= m_run.dbNowUs)
            return;
        // Claimed early (an admin retry): wait for the rest of it.
        flush();
        pqxx::work tx(m_session.connection());
        enterTenant(tx, m_run.hospitalId);
        fence(tx);
        suspend(tx, wakeAtUs);
        tx.commit();
        throw Suspended();
    }
    checkContinue();
    pqxx::work tx(m_session.connection());
    enterTenant(tx, m_run.hospitalId);
    fence(tx);
    // The deadline comes from the database clock, never the worker's.
    const qint64 wakeAtUs =
        tx.exec_params1("SELECT (extract(epoch FROM now() + make_interval(secs => $1 / 1000.0)) "
                        "* 1e6)::bigint",
                        qint64(duration.count()))[0]
            .as<qint64>();
    journal(tx, seq, name, "sleep", QJsonObject{{text("wakeAtUs"), double(wakeAtUs)}});
    suspend(tx, wakeAtUs);
    tx.commit();
    throw Suspended();
}

std::optional<QJsonObject> WorkflowContext::waitSignal(const QString &signalName,
                                                       std::chrono::milliseconds timeout)
{
    const int seq = ++m_seq;
    const QString name = QStringLiteral("signal:") + signalName;
    if (const Journaled *done = replay(seq, name)) {
        if (done->output.value(text("timedOut")).toBool())
            return std::nullopt;
        return done->output.value(text("payload")).toObject();
    }
    checkContinue();
    pqxx::work tx(m_session.connection());
    enterTenant(tx, m_run.hospitalId);
    // Locks the run first: wf::signal() locks it too, so a signal either commits before this
    // SELECT sees the table or finds the run already waiting (no lost wake-up).
    fence(tx);
    const std::string signal = signalName.toStdString();
    const pqxx::result pending =
        tx.exec_params("SELECT id, payload FROM wf.signal WHERE run_id = $1 AND name = $2 "
                       "AND consumed_seq IS NULL ORDER BY id LIMIT 1 FOR UPDATE",
                       m_run.runId, signal);
    if (!pending.empty()) {
        const QJsonObject payload = jsonFromText(pending[0][1].as<std::string>());
        tx.exec_params0("UPDATE wf.signal SET consumed_seq = $2 WHERE id = $1",
                        pending[0][0].as<qint64>(), seq);
        const QJsonObject consumed{{text("signalId"), QString::number(pending[0][0].as<qint64>())},
                                   {text("payload"), payload}};
        journal(tx, seq, name, "signal", consumed);
        tx.exec_params0("UPDATE wf.run SET wait_signal = NULL, wait_deadline = NULL "
                        "WHERE run_id = $1 AND wait_signal IS NOT NULL",
                        m_run.runId);
        tx.commit();
        remember(seq, name, consumed);
        return payload;
    }
    const pqxx::row wait =
        tx.exec_params1("SELECT wait_signal IS NOT DISTINCT FROM $2 AND wait_deadline IS NOT NULL, "
                        "wait_deadline <= now() FROM wf.run WHERE run_id = $1",
                        m_run.runId, signal);
    const bool sameWait = wait[0].as<bool>();
    if (sameWait && wait[1].as<bool>()) {
        const QJsonObject timedOut{{text("timedOut"), true}};
        journal(tx, seq, name, "signal", timedOut);
        tx.exec_params0("UPDATE wf.run SET wait_signal = NULL, wait_deadline = NULL "
                        "WHERE run_id = $1",
                        m_run.runId);
        tx.commit();
        remember(seq, name, timedOut);
        return std::nullopt;
    }
    if (!sameWait) {
        tx.exec_params0("UPDATE wf.run SET wait_signal = $2, "
                        "wait_deadline = now() + make_interval(secs => $3 / 1000.0) "
                        "WHERE run_id = $1",
                        m_run.runId, signal, qint64(timeout.count()));
    }
    suspend(tx, std::nullopt); // until the wait's deadline
    tx.commit();
    throw Suspended();
}

bool WorkflowContext::patched(const QString &id)
{
    const QString name = QStringLiteral("patch:") + id;
    const auto found = m_journal.find(m_seq + 1);
    if (found != m_journal.end())
        return found->second.name == name ? (++m_seq, true) : false;
    if (!m_journal.empty() && m_journal.rbegin()->first > m_seq) {
        // Replaying past this point without the marker: an older run, keep its old path.
        return false;
    }
    const int seq = ++m_seq;
    checkContinue();
    pqxx::work tx(m_session.connection());
    enterTenant(tx, m_run.hospitalId);
    commitJournaled(tx, {JournalRow{seq, name, {}}}, "patch");
    return true;
}

void Registry::add(const QString &type, int version, WorkflowFunction function)
{
    m_functions[{type, version}] = std::move(function);
}

const WorkflowFunction *Registry::find(const QString &type, int version) const
{
    const auto found = m_functions.find({type, version});
    return found == m_functions.end() ? nullptr : &found->second;
}

QStringList Registry::keys() const
{
    QStringList keys;
    for (const auto &[key, function] : m_functions)
        keys.append(key.first + QLatin1Char('@') + QString::number(key.second));
    return keys;
}

} // namespace hms::server::wf
