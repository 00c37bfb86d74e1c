#pragma once

#include <QJsonObject>
#include <QString>

#include <pqxx/types>

#include <optional>
#include <vector>

namespace hms::server {

struct NotificationRow
{
    qint64 id = 0;
    qint64 userId = 0;
    QString kind;
    std::optional<qint64> patientId;
    QString entity;
    std::optional<qint64> entityId;
    std::optional<qint64> runId;
    QString createdAt;
    QString readAt;
};

/// Staff notifications (table notifications, migration 0008). Ids and a kind only.
class NotificationRepository
{
public:
    /// Inserts a notification for \a userId and appends the live event "notification.created"
    /// on topic "user:<id>" in the same transaction (bound to \a hospitalId).
    static NotificationRow create(pqxx::transaction_base &tx,
                                  qint64 hospitalId,
                                  qint64 userId,
                                  const QString &kind,
                                  std::optional<qint64> patientId,
                                  const QString &entity,
                                  std::optional<qint64> entityId,
                                  std::optional<qint64> runId);

    /// The user's notifications, newest first.
    static std::vector<NotificationRow> listForUser(pqxx::transaction_base &tx,
                                                    qint64 hospitalId,
                                                    qint64 userId,
                                                    bool unreadOnly,
                                                    int limit);

    /// Marks one of the user's notifications read; nullopt when it is not theirs.
    static std::optional<NotificationRow>
    markRead(pqxx::transaction_base &tx, qint64 hospitalId, qint64 userId, qint64 id);

    static QJsonObject toJson(const NotificationRow &row);
    static QString topicOf(qint64 userId);
};

} // namespace hms::server
