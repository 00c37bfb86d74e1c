#pragma once

#include <QJsonObject>
#include <QString>

#include <pqxx/types>

#include <optional>

namespace hms::server::wf {

/// Channel of the wake-up hint: NOTIFY wf_ready, payload = queue. Only a hint, queued by
/// start() and signal() and sent after the commit by whoever owns the transaction
/// (db/postcommitnotify.h: the server after each request, hms-admin after each command);
/// workers poll for correctness.
inline constexpr char NotifyChannel[] = "wf_ready";

struct StartOptions
{
    int priority = 0; ///< lower runs first
    int maxAttempts = 10;
    qint64 delayMs = 0; ///< run_at = now() + delay (database clock)
};

struct StartResult
{
    qint64 runId = 0;
    bool created = false; ///< false: a run with this idempotency key already existed
};

/// Starts a workflow run inside \a tx, the transaction of the domain write that causes it
/// (already bound to \a hospitalId): the run exists iff that transaction commits. A second
/// start with the same (hospital, type, idempotency key) returns the existing run.
/// \a input carries ids only, never PHI. The queue is the hospital's code.
StartResult start(pqxx::transaction_base &tx,
                  qint64 hospitalId,
                  const QString &type,
                  int version,
                  const QString &idempotencyKey,
                  const QJsonObject &input,
                  const StartOptions &options = {});

enum class SignalResult { Sent, NotFound, Finished };

/// Sends signal \a name to run \a runId inside \a tx (bound to \a hospitalId), in the same
/// transaction as the domain write it reports. Delivered exactly once, in send order, also
/// when the run is not waiting yet. NotFound for an unknown run or another hospital's;
/// Finished when the run already ended (nothing stored).
SignalResult signal(pqxx::transaction_base &tx,
                    qint64 hospitalId,
                    qint64 runId,
                    const QString &name,
                    const QJsonObject &payload = {});

/// The run started for (type, idempotency key), if any.
std::optional<qint64>
findRun(pqxx::transaction_base &tx, qint64 hospitalId, const QString &type, const QString &key);

} // namespace hms::server::wf
