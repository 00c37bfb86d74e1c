#include "workflows/wfadmin.h"

#include "db/sql.h"
#include "workflows/workflow.h"

#include <pqxx/result>
#include <pqxx/transaction_base>

namespace hms::server::wf::admin {

namespace {

// Completes "to_char(<timestamptz column>" to its ISO 8601 UTC text.
constexpr char AsUtcText[] = " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

QJsonValue textOrNull(const pqxx::field &field)
{
    return field.is_null() ? QJsonValue()
                           : QJsonValue(QString::fromStdString(field.as<std::string>()));
}

const sql::Query RunColumns =
    sql::Query("run_id, hospital_id, queue, workflow_type, workflow_version, status, "
               "attempt, max_attempts, to_char(run_at")
    + AsUtcText + ", to_char(created_at" + AsUtcText + ", to_char(updated_at" + AsUtcText
    + ", to_char(finished_at" + AsUtcText + ", last_error, lease_owner, input, result";

QJsonObject runJson(const pqxx::row &row, bool withPayloads)
{
    QJsonObject run{{QStringLiteral("id"), QString::number(row[0].as<qint64>())},
                    {QStringLiteral("hospitalId"), QString::number(row[1].as<qint64>())},
                    {QStringLiteral("queue"), textOrNull(row[2])},
                    {QStringLiteral("type"), textOrNull(row[3])},
                    {QStringLiteral("version"), row[4].as<int>()},
                    {QStringLiteral("status"), textOrNull(row[5])},
                    {QStringLiteral("attempt"), row[6].as<int>()},
                    {QStringLiteral("maxAttempts"), row[7].as<int>()},
                    {QStringLiteral("runAt"), textOrNull(row[8])},
                    {QStringLiteral("createdAt"), textOrNull(row[9])},
                    {QStringLiteral("updatedAt"), textOrNull(row[10])},
                    {QStringLiteral("finishedAt"), textOrNull(row[11])},
                    {QStringLiteral("lastError"), textOrNull(row[12])},
                    {QStringLiteral("leaseOwner"), textOrNull(row[13])}};
    if (withPayloads) {
        run.insert(QStringLiteral("input"), jsonFromText(row[14].as<std::string>()));
        run.insert(QStringLiteral("result"),
                   row[15].is_null() ? QJsonValue()
                                     : QJsonValue(jsonFromText(row[15].as<std::string>())));
    }
    return run;
}

std::optional<std::string> textParam(const QString &text)
{
    return text.isEmpty() ? std::nullopt : std::optional<std::string>(text.toStdString());
}

} // namespace

QJsonArray list(pqxx::transaction_base &tx, const Filter &filter)
{
    QJsonArray runs;
    for (const pqxx::row &row :
         tx.exec_params(sql::Query("SELECT ") + RunColumns
                            + " FROM wf.run WHERE ($1::bigint IS NULL OR hospital_id = $1) "
                              "AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR "
                              "workflow_type = $3) "
                              "AND ($4::text IS NULL OR queue = $4) ORDER BY run_id DESC LIMIT $5",
                        filter.hospitalId, textParam(filter.status), textParam(filter.type),
                        textParam(filter.queue), filter.limit))
        runs.append(runJson(row, false));
    return runs;
}

std::optional<QJsonObject>
show(pqxx::transaction_base &tx, qint64 runId, std::optional<qint64> hospitalId)
{
    const pqxx::result run = tx.exec_params(sql::Query("SELECT ") + RunColumns
                                                + " FROM wf.run WHERE run_id = $1 "
                                                  "AND ($2::bigint IS NULL OR hospital_id = $2)",
                                            runId, hospitalId);
    if (run.empty())
        return std::nullopt;
    QJsonObject detail = runJson(run[0], true);
    QJsonArray steps;
    for (const pqxx::row &row :
         tx.exec_params(sql::Query("SELECT seq, name, kind, output, attempt, to_char(finished_at")
                            + AsUtcText + " FROM wf.step WHERE run_id = $1 ORDER BY seq",
                        runId))
        steps.append(QJsonObject{
            {QStringLiteral("seq"), row[0].as<int>()},
            {QStringLiteral("name"), textOrNull(row[1])},
            {QStringLiteral("kind"), textOrNull(row[2])},
            {QStringLiteral("output"),
             row[3].is_null() ? QJsonValue() : QJsonValue(jsonFromText(row[3].as<std::string>()))},
            {QStringLiteral("attempt"), row[4].as<int>()},
            {QStringLiteral("finishedAt"), textOrNull(row[5])}});
    detail.insert(QStringLiteral("steps"), steps);
    QJsonArray sent;
    for (const pqxx::row &row :
         tx.exec_params(sql::Query("SELECT id, name, consumed_seq, to_char(sent_at") + AsUtcText
                            + " FROM wf.signal WHERE run_id = $1 ORDER BY id",
                        runId))
        sent.append(QJsonObject{{QStringLiteral("id"), QString::number(row[0].as<qint64>())},
                                {QStringLiteral("name"), textOrNull(row[1])},
                                {QStringLiteral("consumedSeq"),
                                 row[2].is_null() ? QJsonValue() : QJsonValue(row[2].as<int>())},
                                {QStringLiteral("sentAt"), textOrNull(row[3])}});
    detail.insert(QStringLiteral("signals"), sent);
    return detail;
}

namespace {

Change change(pqxx::transaction_base &tx,
              qint64 runId,
              std::optional<qint64> hospitalId,
              const char *fromStates,
              sql::Fragment set)
{
    const pqxx::result current =
        tx.exec_params("SELECT status FROM wf.run WHERE run_id = $1 "
                       "AND ($2::bigint IS NULL OR hospital_id = $2) FOR UPDATE",
                       runId, hospitalId);
    if (current.empty())
        return Change::NotFound;
    const pqxx::result updated = tx.exec_params(sql::Query("UPDATE wf.run SET ") + set
                                                    + ", updated_at = now() WHERE run_id = $1 "
                                                      "AND status = ANY ($2::text[])",
                                                runId, std::string(fromStates));
    return updated.affected_rows() == 1 ? Change::Done : Change::WrongState;
}

} // namespace

Change retry(pqxx::transaction_base &tx, qint64 runId, std::optional<qint64> hospitalId)
{
    return change(tx, runId, hospitalId, "{dead,failed,cancelled}",
                  "status = 'ready', attempt = 0, run_at = now(), finished_at = NULL, "
                  "lease_owner = NULL, lease_expires_at = NULL");
}

Change cancel(pqxx::transaction_base &tx, qint64 runId, std::optional<qint64> hospitalId)
{
    return change(tx, runId, hospitalId, "{ready,waiting,running}",
                  "status = 'cancelled', finished_at = now(), lease_epoch = lease_epoch + 1, "
                  "lease_owner = NULL, lease_expires_at = NULL, last_error = 'cancelled by an "
                  "administrator'");
}

QJsonArray queues(pqxx::transaction_base &tx, std::optional<qint64> hospitalId)
{
    QJsonArray rows;
    for (const pqxx::row &row : tx.exec_params(
             "SELECT r.queue, r.workflow_type, r.workflow_version, "
             "count(*) FILTER (WHERE status = 'ready'), count(*) FILTER (WHERE status = "
             "'running'), "
             "count(*) FILTER (WHERE status = 'waiting'), count(*) FILTER (WHERE status = 'dead'), "
             "count(*) FILTER (WHERE status = 'failed'), "
             "coalesce(extract(epoch FROM now() - min(run_at) FILTER (WHERE status = 'ready' "
             "AND run_at <= now())), 0)::bigint, "
             "NOT EXISTS (SELECT 1 FROM wf.worker w WHERE w.queue = r.queue "
             "AND w.heartbeat_at > now() - interval '2 minutes' "
             "AND (r.workflow_type || '@' || r.workflow_version) = ANY (w.versions)) "
             "FROM wf.run r WHERE ($1::bigint IS NULL OR r.hospital_id = $1) "
             "AND r.status IN ('ready', 'running', 'waiting', 'dead', 'failed') "
             "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
             hospitalId))
        rows.append(QJsonObject{{QStringLiteral("queue"), textOrNull(row[0])},
                                {QStringLiteral("type"), textOrNull(row[1])},
                                {QStringLiteral("version"), row[2].as<int>()},
                                {QStringLiteral("ready"), row[3].as<qint64>()},
                                {QStringLiteral("running"), row[4].as<qint64>()},
                                {QStringLiteral("waiting"), row[5].as<qint64>()},
                                {QStringLiteral("dead"), row[6].as<qint64>()},
                                {QStringLiteral("failed"), row[7].as<qint64>()},
                                {QStringLiteral("oldestReadyAgeSeconds"), row[8].as<qint64>()},
                                {QStringLiteral("unclaimable"), row[9].as<bool>()}});
    return rows;
}

QJsonArray workers(pqxx::transaction_base &tx, std::optional<qint64> hospitalId)
{
    QJsonArray rows;
    for (const pqxx::row &row : tx.exec_params(
             sql::Query("SELECT worker_id, queue, host, pid, array_to_string(versions, ','), "
                        "concurrency, to_char(started_at")
                 + AsUtcText + ", to_char(heartbeat_at" + AsUtcText
                 + ", lease_lost, heartbeat_at > now() - interval '2 minutes' FROM wf.worker "
                   "WHERE ($1::bigint IS NULL OR hospital_id = $1) ORDER BY worker_id, queue",
             hospitalId))
        rows.append(QJsonObject{{QStringLiteral("workerId"), textOrNull(row[0])},
                                {QStringLiteral("queue"), textOrNull(row[1])},
                                {QStringLiteral("host"), textOrNull(row[2])},
                                {QStringLiteral("pid"), row[3].as<int>()},
                                {QStringLiteral("versions"), textOrNull(row[4])},
                                {QStringLiteral("concurrency"), row[5].as<int>()},
                                {QStringLiteral("startedAt"), textOrNull(row[6])},
                                {QStringLiteral("heartbeatAt"), textOrNull(row[7])},
                                {QStringLiteral("leaseLost"), row[8].as<qint64>()},
                                {QStringLiteral("alive"), row[9].as<bool>()}});
    return rows;
}

std::optional<qint64> hospitalOf(pqxx::transaction_base &tx, qint64 runId)
{
    const pqxx::result row =
        tx.exec_params("SELECT hospital_id FROM wf.run WHERE run_id = $1", runId);
    if (row.empty())
        return std::nullopt;
    return row[0][0].as<qint64>();
}

} // namespace hms::server::wf::admin
