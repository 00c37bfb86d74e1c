#include "notifications/notificationrepository.h"

#include "common/jsonfields.h"
#include "db/pgvalues.h"
#include "db/sql.h"
#include "live/eventlog.h"

#include <pqxx/result>
#include <pqxx/transaction_base>

namespace hms::server {

namespace {

constexpr char Columns[] =
    "id, user_id, kind, patient_id, entity, entity_id, run_id, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
    "to_char(read_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

NotificationRow fromRow(const pqxx::row &row)
{
    NotificationRow n;
    n.id = row[0].as<qint64>();
    n.userId = row[1].as<qint64>();
    n.kind = QString::fromStdString(row[2].as<std::string>());
    n.patientId = optionalId(row[3]);
    n.entity = fieldText(row[4]);
    n.entityId = optionalId(row[5]);
    n.runId = optionalId(row[6]);
    n.createdAt = fieldText(row[7]);
    n.readAt = fieldText(row[8]);
    return n;
}

} // namespace

QString NotificationRepository::topicOf(qint64 userId)
{
    return QStringLiteral("user:%1").arg(userId);
}

NotificationRow NotificationRepository::create(pqxx::transaction_base &tx,
                                               qint64 hospitalId,
                                               qint64 userId,
                                               const QString &kind,
                                               std::optional<qint64> patientId,
                                               const QString &entity,
                                               std::optional<qint64> entityId,
                                               std::optional<qint64> runId)
{
    const NotificationRow row = fromRow(tx.exec_params1(
        sql::Query("INSERT INTO notifications (hospital_id, user_id, kind, patient_id, entity, "
                   "entity_id, run_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ")
            + Columns,
        hospitalId, userId, kind.toStdString(), patientId,
        entity.isEmpty() ? std::optional<std::string>() : entity.toStdString(), entityId, runId));
    EventLog::append(tx, hospitalId, topicOf(userId), QStringLiteral("notification.created"),
                     toJson(row));
    return row;
}

std::vector<NotificationRow> NotificationRepository::listForUser(pqxx::transaction_base &tx,
                                                                 qint64 hospitalId,
                                                                 qint64 userId,
                                                                 bool unreadOnly,
                                                                 int limit)
{
    std::vector<NotificationRow> rows;
    for (const pqxx::row &row :
         tx.exec_params(sql::Query("SELECT ") + Columns
                            + " FROM notifications WHERE hospital_id = $1 AND user_id = $2 "
                              "AND ($3 = false OR read_at IS NULL) ORDER BY id DESC LIMIT $4",
                        hospitalId, userId, unreadOnly, limit))
        rows.push_back(fromRow(row));
    return rows;
}

std::optional<NotificationRow> NotificationRepository::markRead(pqxx::transaction_base &tx,
                                                                qint64 hospitalId,
                                                                qint64 userId,
                                                                qint64 id)
{
    const pqxx::result row =
        tx.exec_params(sql::Query("UPDATE notifications SET read_at = coalesce(read_at, now()) "
                                  "WHERE hospital_id = $1 AND user_id = $2 AND id = $3 RETURNING ")
                           + Columns,
                       hospitalId, userId, id);
    if (row.empty())
        return std::nullopt;
    return fromRow(row[0]);
}

QJsonObject NotificationRepository::toJson(const NotificationRow &row)
{
    return {
        {QStringLiteral("id"), QString::number(row.id)},
        {QStringLiteral("userId"), QString::number(row.userId)},
        {QStringLiteral("kind"), row.kind},
        {QStringLiteral("patientId"), idOrNull(row.patientId)},
        {QStringLiteral("entity"), row.entity.isEmpty() ? QJsonValue() : QJsonValue(row.entity)},
        {QStringLiteral("entityId"), idOrNull(row.entityId)},
        {QStringLiteral("runId"), idOrNull(row.runId)},
        {QStringLiteral("createdAt"), row.createdAt},
        {QStringLiteral("readAt"), row.readAt.isEmpty() ? QJsonValue() : QJsonValue(row.readAt)}};
}

} // namespace hms::server
