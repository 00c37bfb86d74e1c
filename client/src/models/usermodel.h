#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

namespace hms::client {

/// Staff accounts of the hospital (GET /api/v1/admin/users), one row per user.
class UserModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Column { Username, DisplayName, Role, State, Count };
    Q_ENUM(Column)

    enum Roles { RawValueRole = Qt::UserRole + 1, IdRole };

    explicit UserModel(QObject *parent = nullptr);

    /// Replaces every row (a fresh list from the server).
    void setUsers(const QList<QJsonObject> &users);
    /// Updates the row of \a user's id, or appends it.
    void upsert(const QJsonObject &user);

    QJsonObject userAt(int row) const { return m_users.at(row); }

    int rowOfUsername(const QString &username) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<QJsonObject> m_users;
};

} // namespace hms::client
