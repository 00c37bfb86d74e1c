#include "workflows/wfapi.h"

#include "db/postcommitnotify.h"
#include "db/prepared.h"
#include "workflows/workflow.h"

#include <pqxx/result>
#include <pqxx/transaction_base>

#include <stdexcept>

namespace hms::server::wf {

StartResult start(pqxx::transaction_base &tx,
                  qint64 hospitalId,
                  const QString &type,
                  int version,
                  const QString &idempotencyKey,
                  const QJsonObject &input,
                  const StartOptions &options)
{
    const pqxx::result inserted =
        execPrepared(tx, "hms_wf_start",
                     "INSERT INTO wf.run (hospital_id, queue, workflow_type, workflow_version, "
                     "idempotency_key, input, priority, max_attempts, run_at) "
                     "SELECT $1, h.code, $2, $3, $4, $5::jsonb, $6, $7, "
                     "now() + make_interval(secs => $8 / 1000.0) FROM hospitals h WHERE h.id = $1 "
                     "ON CONFLICT (hospital_id, workflow_type, idempotency_key) DO NOTHING "
                     "RETURNING run_id, queue",
                     hospitalId, type.toStdString(), version, idempotencyKey.toStdString(),
                     jsonText(input), options.priority, options.maxAttempts, options.delayMs);
    if (!inserted.empty()) {
        // A hint only, sent after the commit (db/postcommitnotify.h): a worker that misses it
        // finds the run at its next poll.
        notifyAfterCommit(NotifyChannel, inserted[0][1].as<std::string>());
        return {inserted[0][0].as<qint64>(), true};
    }
    const std::optional<qint64> existing = findRun(tx, hospitalId, type, idempotencyKey);
    if (!existing)
        throw std::runtime_error("wf::start: unknown hospital");
    return {*existing, false};
}

std::optional<qint64>
findRun(pqxx::transaction_base &tx, qint64 hospitalId, const QString &type, const QString &key)
{
    const pqxx::result row = tx.exec_params("SELECT run_id FROM wf.run WHERE hospital_id = $1 "
                                            "AND workflow_type = $2 AND idempotency_key = $3",
                                            hospitalId, type.toStdString(), key.toStdString());
    if (row.empty())
        return std::nullopt;
    return row[0][0].as<qint64>();
}

SignalResult signal(pqxx::transaction_base &tx,
                    qint64 hospitalId,
                    qint64 runId,
                    const QString &name,
                    const QJsonObject &payload)
{
    // Lock the run first (see WorkflowContext::waitSignal): signals of one run are stored
    // in commit order, and a waiting run always sees its wake-up.
    const pqxx::result run = tx.exec_params("SELECT status, wait_signal, queue FROM wf.run "
                                            "WHERE run_id = $1 AND hospital_id = $2 FOR UPDATE",
                                            runId, hospitalId);
    if (run.empty())
        return SignalResult::NotFound;
    const std::string status = run[0][0].as<std::string>();
    if (status == "completed" || status == "failed" || status == "dead" || status == "cancelled")
        return SignalResult::Finished;
    tx.exec_params0("INSERT INTO wf.signal (run_id, hospital_id, name, payload) "
                    "VALUES ($1, $2, $3, $4::jsonb)",
                    runId, hospitalId, name.toStdString(), jsonText(payload));
    if (status == "waiting" && !run[0][1].is_null()
        && run[0][1].as<std::string>() == name.toStdString()) {
        tx.exec_params0("UPDATE wf.run SET run_at = now(), updated_at = now() WHERE run_id = $1",
                        runId);
        notifyAfterCommit(NotifyChannel, run[0][2].as<std::string>());
    }
    return SignalResult::Sent;
}

} // namespace hms::server::wf
