#include "models/slotmodel.h"

#include "models/doctornames.h"

#include <QDateTime>

namespace hms::client {

SlotModel::SlotModel(QObject *parent)
    : QAbstractListModel(parent)
{}

void SlotModel::setSlots(const QList<QJsonObject> &slots)
{
    beginResetModel();
    m_slots = slots;
    endResetModel();
}

int SlotModel::rowOf(const QString &doctorId, const QString &start) const
{
    for (int row = 0; row < m_slots.size(); ++row) {
        const QJsonObject &slot = m_slots.at(row);
        if (slot.value(QLatin1String("doctorId")).toString() == doctorId
            && slot.value(QLatin1String("start")).toString() == start)
            return row;
    }
    return -1;
}

int SlotModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_slots.size());
}

QVariant SlotModel::data(const QModelIndex &index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const QJsonObject &slot = m_slots.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return tr("%1–%2  %3")
            .arg(clockTime(slot.value(QLatin1String("start")).toString()),
                 clockTime(slot.value(QLatin1String("end")).toString()),
                 doctorName(slot.value(QLatin1String("doctorId")).toString()));
    case DoctorIdRole:
        return slot.value(QLatin1String("doctorId")).toString();
    case StartRole:
        return slot.value(QLatin1String("start")).toString();
    case EndRole:
        return slot.value(QLatin1String("end")).toString();
    default:
        return {};
    }
}

QString SlotModel::clockTime(const QString &timestamp)
{
    const QDateTime time = QDateTime::fromString(timestamp, Qt::ISODateWithMs);
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("HH:mm")) : timestamp;
}

void SlotModel::setDoctorNames(const DoctorNames *names)
{
    m_names = names;
    if (m_names)
        connect(m_names, &DoctorNames::changed, this, [this]() {
            if (!m_slots.isEmpty())
                Q_EMIT dataChanged(index(0), index(int(m_slots.size()) - 1), {Qt::DisplayRole});
        });
}

QString SlotModel::doctorName(const QString &doctorId) const
{
    return m_names ? m_names->nameOf(doctorId) : DoctorNames::fallbackName(doctorId);
}

} // namespace hms::client
