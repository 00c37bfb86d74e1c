#include "models/duedosemodel.h"

#include <QColor>

#include <algorithm>

namespace hms::client {

namespace {

QString text(const QJsonObject &dose, const char *name)
{
    return dose.value(QLatin1String(name)).toString();
}

QDateTime dueTime(const QJsonObject &dose)
{
    return QDateTime::fromString(text(dose, "dueAt"), Qt::ISODateWithMs);
}

} // namespace

DueDoseModel::DueDoseModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void DueDoseModel::setDoses(const QList<QJsonObject> &doses)
{
    beginResetModel();
    m_doses.clear();
    for (const QJsonObject &dose : doses) {
        if (dose.value(QLatin1String("administration")).isObject())
            continue; // recorded (given, held or refused): not due any more
        m_doses.append(dose);
    }
    std::stable_sort(m_doses.begin(), m_doses.end(),
                     [](const QJsonObject &a, const QJsonObject &b) {
                         const QDateTime da = dueTime(a);
                         const QDateTime db = dueTime(b);
                         if (da != db)
                             return da < db;
                         return std::pair(text(a, "room"), text(a, "bed"))
                             < std::pair(text(b, "room"), text(b, "bed"));
                     });
    m_overdue.clear();
    for (const QJsonObject &dose : std::as_const(m_doses))
        m_overdue.append(dose.value(QLatin1String("overdue")).toBool());
    endResetModel();
    updateOverdue();
}

int DueDoseModel::rowOf(const QString &prescriptionId, const QString &dueAt) const
{
    for (int row = 0; row < m_doses.size(); ++row) {
        const QJsonObject &dose = m_doses.at(row);
        if (text(dose, "prescriptionId") == prescriptionId && text(dose, "dueAt") == dueAt)
            return row;
    }
    return -1;
}

bool DueDoseModel::removeDose(const QString &prescriptionId, const QString &dueAt)
{
    const int row = rowOf(prescriptionId, dueAt);
    if (row < 0)
        return false;
    beginRemoveRows({}, row, row);
    m_doses.removeAt(row);
    m_overdue.removeAt(row);
    endRemoveRows();
    return true;
}

void DueDoseModel::updateOverdue(const QDateTime &now)
{
    for (int row = 0; row < m_doses.size(); ++row) {
        if (m_overdue.at(row))
            continue;
        const QDateTime due = dueTime(m_doses.at(row));
        if (due.isValid() && due.addSecs(qint64(OverdueAfterMinutes) * 60) < now) {
            m_overdue[row] = true;
            Q_EMIT dataChanged(index(row, 0), index(row, int(Column::Count) - 1));
        }
    }
}

bool DueDoseModel::isOverdue(int row) const
{
    return m_overdue.value(row);
}

QColor DueDoseModel::overdueColor()
{
    return QColor(0xf8, 0xd0, 0xd0);
}

int DueDoseModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_doses.size());
}

int DueDoseModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(Column::Count);
}

QVariant DueDoseModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_doses.size())
        return {};
    const QJsonObject &dose = m_doses.at(index.row());
    switch (role) {
    case PrescriptionIdRole:
        return text(dose, "prescriptionId");
    case DueAtRole:
        return text(dose, "dueAt");
    case OverdueRole:
        return isOverdue(index.row());
    case PatientNameRole:
        return text(dose, "fullName");
    case Qt::BackgroundRole:
        return isOverdue(index.row()) ? QVariant(overdueColor()) : QVariant();
    case Qt::ToolTipRole:
        return isOverdue(index.row()) ? tr("Overdue") : QVariant();
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (Column(index.column())) {
    case Column::Bed:
        return tr("%1 / %2").arg(text(dose, "room"), text(dose, "bed"));
    case Column::Patient:
        return tr("%1 (%2)").arg(text(dose, "fullName"), text(dose, "mrn"));
    case Column::Drug:
        return text(dose, "drug");
    case Column::Dose:
        return text(dose, "dose");
    case Column::Route:
        return text(dose, "route");
    case Column::DueAt: {
        const QDateTime due = dueTime(dose);
        const QString clock =
            due.isValid() ? due.toLocalTime().toString(QStringLiteral("HH:mm")) : QString();
        return isOverdue(index.row()) ? tr("%1 (overdue)").arg(clock) : clock;
    }
    case Column::Count:
        break;
    }
    return {};
}

QVariant DueDoseModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Column::Bed:
        return tr("Room / bed");
    case Column::Patient:
        return tr("Patient");
    case Column::Drug:
        return tr("Drug");
    case Column::Dose:
        return tr("Dose");
    case Column::Route:
        return tr("Route");
    case Column::DueAt:
        return tr("Due");
    case Column::Count:
        break;
    }
    return {};
}

} // namespace hms::client
