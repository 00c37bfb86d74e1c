#include "models/queuemodel.h"

#include <QBrush>
#include <QColor>
#include <QSet>

namespace hms::client {

QueueModel::QueueModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void QueueModel::mergeSnapshot(const QList<QueueRow> &rows)
{
    QSet<QString> wanted;
    for (const QueueRow &row : rows)
        wanted.insert(row.visitId);
    // Removals (from the bottom so the indexes stay valid).
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        if (!wanted.contains(m_rows.at(row).visitId)) {
            beginRemoveRows({}, row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        }
    }
    // Changes in place; new visits inserted where their token puts them.
    for (const QueueRow &incoming : rows) {
        const int existing = rowOf(incoming.visitId);
        if (existing >= 0) {
            if (!(m_rows.at(existing) == incoming)) {
                m_rows[existing] = incoming;
                Q_EMIT dataChanged(index(existing, 0), index(existing, int(Column::Count) - 1));
            }
            continue;
        }
        int position = 0;
        while (position < m_rows.size() && m_rows.at(position).token < incoming.token)
            ++position;
        beginInsertRows({}, position, position);
        m_rows.insert(position, incoming);
        endInsertRows();
    }
}

bool QueueModel::applyState(const QString &visitId, const QString &state)
{
    const int row = rowOf(visitId);
    if (row < 0)
        return false;
    if (m_rows.at(row).state != state) {
        m_rows[row].state = state;
        Q_EMIT dataChanged(index(row, 0), index(row, int(Column::Count) - 1));
    }
    return true;
}

void QueueModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int QueueModel::rowOf(const QString &visitId) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).visitId == visitId)
            return row;
    }
    return -1;
}

QString QueueModel::stateTitle(const QString &state)
{
    if (state == QLatin1String("waiting"))
        return tr("Waiting");
    if (state == QLatin1String("called"))
        return tr("Called");
    if (state == QLatin1String("in_consultation"))
        return tr("In consultation");
    if (state == QLatin1String("completed"))
        return tr("Done");
    if (state == QLatin1String("no_show"))
        return tr("No show");
    if (state == QLatin1String("cancelled"))
        return tr("Cancelled");
    return state;
}

int QueueModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int QueueModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(Column::Count);
}

QVariant QueueModel::data(const QModelIndex &index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const QueueRow &row = m_rows.at(index.row());
    if (role == VisitIdRole)
        return row.visitId;
    if (role == Qt::BackgroundRole) {
        if (row.state == QLatin1String("called") || row.state == QLatin1String("in_consultation"))
            return QBrush(QColor(0xd6, 0xea, 0xff));
        if (row.state != QLatin1String("waiting"))
            return QBrush(QColor(0xee, 0xee, 0xee));
        return {};
    }
    if (role != Qt::DisplayRole && role != RawValueRole)
        return {};
    switch (Column(index.column())) {
    case Column::Token:
        return row.token;
    case Column::FullName:
        return row.fullName;
    case Column::Mrn:
        return row.mrn;
    case Column::State:
        return role == RawValueRole ? QVariant(row.state) : QVariant(stateTitle(row.state));
    case Column::Waiting:
        return role == RawValueRole ? QVariant(row.waitingMinutes)
                                    : QVariant(tr("%n min", "", row.waitingMinutes));
    case Column::Count:
        break;
    }
    return {};
}

QVariant QueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Column::Token:
        return tr("Token");
    case Column::FullName:
        return tr("Name");
    case Column::Mrn:
        return tr("MRN");
    case Column::State:
        return tr("State");
    case Column::Waiting:
        return tr("Waited");
    case Column::Count:
        break;
    }
    return {};
}

} // namespace hms::client
