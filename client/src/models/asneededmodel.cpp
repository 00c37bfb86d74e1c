#include "models/asneededmodel.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <tuple>

namespace hms::client {

namespace {

QString text(const QJsonObject &order, const char *name)
{
    return order.value(QLatin1String(name)).toString();
}

} // namespace

AsNeededModel::AsNeededModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void AsNeededModel::setOrders(const QList<QJsonObject> &orders)
{
    beginResetModel();
    m_orders = orders;
    std::stable_sort(m_orders.begin(), m_orders.end(),
                     [](const QJsonObject &a, const QJsonObject &b) {
                         return std::tuple(text(a, "room"), text(a, "bed"), text(a, "drug"))
                             < std::tuple(text(b, "room"), text(b, "bed"), text(b, "drug"));
                     });
    endResetModel();
}

int AsNeededModel::rowOf(const QString &prescriptionId) const
{
    for (int row = 0; row < m_orders.size(); ++row) {
        if (text(m_orders.at(row), "prescriptionId") == prescriptionId)
            return row;
    }
    return -1;
}

int AsNeededModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_orders.size());
}

int AsNeededModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(Column::Count);
}

QVariant AsNeededModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_orders.size())
        return {};
    const QJsonObject &order = m_orders.at(index.row());
    switch (role) {
    case PrescriptionIdRole:
        return text(order, "prescriptionId");
    case PatientNameRole:
        return text(order, "fullName");
    case DrugRole:
        return text(order, "drug");
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (Column(index.column())) {
    case Column::Bed:
        return tr("%1 / %2").arg(text(order, "room"), text(order, "bed"));
    case Column::Patient:
        return tr("%1 (%2)").arg(text(order, "fullName"), text(order, "mrn"));
    case Column::Drug:
        return text(order, "drug");
    case Column::Dose:
        return text(order, "dose");
    case Column::Route:
        return text(order, "route");
    case Column::Instructions:
        return text(order, "instructions");
    case Column::LastGiven: {
        const QDateTime last = QDateTime::fromString(text(order, "lastGivenAt"), Qt::ISODateWithMs);
        return last.isValid() ? QLocale().toString(last.toLocalTime(), QLocale::ShortFormat)
                              : tr("not given yet");
    }
    case Column::Given24h:
        return tr("%n dose(s)", "", order.value(QLatin1String("givenLast24h")).toInt());
    case Column::Count:
        break;
    }
    return {};
}

QVariant AsNeededModel::headerData(int section, Qt::Orientation orientation, int role) const
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
    case Column::Instructions:
        return tr("Indication / instructions");
    case Column::LastGiven:
        return tr("Last given");
    case Column::Given24h:
        return tr("Last 24 h");
    case Column::Count:
        break;
    }
    return {};
}

} // namespace hms::client
