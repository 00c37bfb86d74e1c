#include "models/usermodel.h"

#include "app/navigation.h"
#include "shared/auth/permissions.h"

namespace hms::client {

UserModel::UserModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void UserModel::setUsers(const QList<QJsonObject> &users)
{
    beginResetModel();
    m_users = users;
    endResetModel();
}

void UserModel::upsert(const QJsonObject &user)
{
    const QString id = user.value(QLatin1String("id")).toString();
    for (int row = 0; row < m_users.size(); ++row) {
        if (m_users.at(row).value(QLatin1String("id")).toString() == id) {
            m_users[row] = user;
            Q_EMIT dataChanged(index(row, 0), index(row, int(Column::Count) - 1));
            return;
        }
    }
    const int row = int(m_users.size());
    beginInsertRows({}, row, row);
    m_users.append(user);
    endInsertRows();
}

int UserModel::rowOfUsername(const QString &username) const
{
    for (int row = 0; row < m_users.size(); ++row) {
        if (m_users.at(row).value(QLatin1String("username")).toString() == username)
            return row;
    }
    return -1;
}

int UserModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_users.size());
}

int UserModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(Column::Count);
}

QVariant UserModel::data(const QModelIndex &index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const QJsonObject &user = m_users.at(index.row());
    if (role == IdRole)
        return user.value(QLatin1String("id")).toString();
    if (role != Qt::DisplayRole && role != RawValueRole)
        return {};
    switch (Column(index.column())) {
    case Column::Username:
        return user.value(QLatin1String("username")).toString();
    case Column::DisplayName:
        return user.value(QLatin1String("displayName")).toString();
    case Column::Role: {
        const QString name = user.value(QLatin1String("role")).toString();
        const std::optional<hms::Role> parsed = hms::roleFromName(name);
        return role == RawValueRole || !parsed ? name : roleTitle(*parsed);
    }
    case Column::State: {
        const QString state = user.value(QLatin1String("state")).toString();
        if (role == RawValueRole)
            return state;
        if (state == QLatin1String("active"))
            return tr("Active");
        if (state == QLatin1String("disabled"))
            return tr("Disabled");
        if (state == QLatin1String("locked"))
            return tr("Locked");
        return state;
    }
    case Column::Count:
        break;
    }
    return {};
}

QVariant UserModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Column::Username:
        return tr("Username");
    case Column::DisplayName:
        return tr("Name");
    case Column::Role:
        return tr("Role");
    case Column::State:
        return tr("State");
    case Column::Count:
        break;
    }
    return {};
}

} // namespace hms::client
