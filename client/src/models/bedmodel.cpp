#include "models/bedmodel.h"

#include <QJsonArray>

namespace hms::client {

BedModel::BedModel(QObject *parent)
    : QAbstractListModel(parent)
{}

void BedModel::setBeds(const QList<QJsonObject> &beds)
{
    beginResetModel();
    m_beds = beds;
    endResetModel();
}

bool BedModel::applyStatus(const QString &bedId, const QString &status)
{
    const int row = rowOf(bedId);
    if (row < 0)
        return false;
    if (m_beds.at(row).value(QLatin1String("status")).toString() != status) {
        m_beds[row].insert(QStringLiteral("status"), status);
        Q_EMIT dataChanged(index(row), index(row));
    }
    return true;
}

int BedModel::rowOf(const QString &bedId) const
{
    for (int row = 0; row < m_beds.size(); ++row) {
        if (m_beds.at(row).value(QLatin1String("id")).toString() == bedId)
            return row;
    }
    return -1;
}

bool BedModel::isFree(const QString &status)
{
    return status == QLatin1String("free") || status == QLatin1String("available")
        || status == QLatin1String("vacant");
}

QColor BedModel::colorFor(const QString &status)
{
    if (isFree(status))
        return QColor(0x8f, 0xd1, 0x8f); // green
    if (status == QLatin1String("occupied"))
        return QColor(0xe8, 0x8a, 0x8a); // red
    if (status == QLatin1String("reserved"))
        return QColor(0xf2, 0xd0, 0x6b); // amber
    if (status == QLatin1String("cleaning"))
        return QColor(0x8c, 0xc3, 0xf0); // blue
    return QColor(0xc8, 0xc8, 0xc8); // maintenance, blocked, unknown: grey
}

QString BedModel::statusTitle(const QString &status)
{
    if (isFree(status))
        return tr("Free");
    if (status == QLatin1String("occupied"))
        return tr("Occupied");
    if (status == QLatin1String("reserved"))
        return tr("Reserved");
    if (status == QLatin1String("cleaning"))
        return tr("Cleaning");
    if (status == QLatin1String("maintenance"))
        return tr("Maintenance");
    return status;
}

int BedModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_beds.size());
}

QVariant BedModel::data(const QModelIndex &index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const QJsonObject &bed = m_beds.at(index.row());
    const QString status = bed.value(QLatin1String("status")).toString();
    switch (role) {
    case Qt::DisplayRole:
        return tr("%1\n%2").arg(bed.value(QLatin1String("code")).toString(), statusTitle(status));
    case IdRole:
        return bed.value(QLatin1String("id")).toString();
    case CodeRole:
        return bed.value(QLatin1String("code")).toString();
    case RoomRole:
        return bed.value(QLatin1String("room")).toVariant().toString();
    case StatusRole:
        return status;
    case StatusColorRole:
    case Qt::BackgroundRole:
        return colorFor(status);
    case FeaturesRole: {
        QStringList features;
        for (const QJsonValue &feature : bed.value(QLatin1String("features")).toArray())
            features.append(feature.toString());
        return features.join(QStringLiteral(", "));
    }
    default:
        return {};
    }
}

} // namespace hms::client
