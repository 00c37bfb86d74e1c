#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <pqxx/types>

#include <optional>

namespace hms::server::wf {

/// The operator view of workflow runs, shared by hms-admin (schema owner: every hospital,
/// or one with hospitalId) and the admin REST routes (hms_app bound to the caller's
/// hospital: row-level security limits it). Inputs, outputs and errors hold ids only.
namespace admin {

struct Filter
{
    std::optional<qint64> hospitalId;
    QString status;
    QString type;
    QString queue;
    int limit = 100;
};

/// Runs, newest first: {id, hospitalId, queue, type, version, status, attempt, maxAttempts,
/// runAt, createdAt, updatedAt, finishedAt, lastError, leaseOwner}.
QJsonArray list(pqxx::transaction_base &tx, const Filter &filter);

/// One run with input, result and its step journal; nullopt when unknown (or not visible).
std::optional<QJsonObject>
show(pqxx::transaction_base &tx, qint64 runId, std::optional<qint64> hospitalId);

enum class Change { Done, NotFound, WrongState };

/// dead | failed | cancelled -> ready now, attempts reset (the journal is kept: completed
/// steps are not repeated).
Change retry(pqxx::transaction_base &tx, qint64 runId, std::optional<qint64> hospitalId);

/// ready | waiting | running -> cancelled; the epoch moves on, so a worker still running it
/// cannot commit another step.
Change cancel(pqxx::transaction_base &tx, qint64 runId, std::optional<qint64> hospitalId);

/// Per queue and (type, version): counts by status, the oldest claimable run's age,
/// and "ready but unclaimable" runs whose (type, version) no live worker registers.
QJsonArray queues(pqxx::transaction_base &tx, std::optional<qint64> hospitalId);

/// Live and recently seen workers.
QJsonArray workers(pqxx::transaction_base &tx, std::optional<qint64> hospitalId);

/// The hospital of a run (for audit rows); nullopt when unknown.
std::optional<qint64> hospitalOf(pqxx::transaction_base &tx, qint64 runId);

} // namespace admin
} // namespace hms::server::wf
