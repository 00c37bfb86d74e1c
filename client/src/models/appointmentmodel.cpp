#include "models/appointmentmodel.h"

#include "models/doctornames.h"
#include "models/slotmodel.h"

#include <QDateTime>

namespace hms::client {

AppointmentModel::AppointmentModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void AppointmentModel::setDoctorNames(const DoctorNames *names)
{
    m_names = names;
    if (m_names)
        connect(m_names, &DoctorNames::changed, this, [this]() {
            if (!m_rows.isEmpty())
                Q_EMIT dataChanged(index(0, int(Column::Doctor)),
                                   index(int(m_rows.size()) - 1, int(Column::Doctor)),
                                   {Qt::DisplayRole});
        });
}

void AppointmentModel::setAppointments(const QList<QJsonObject> &appointments)
{
    beginResetModel();
    m_rows = appointments;
    endResetModel();
}

int AppointmentModel::rowOf(const QString &appointmentId) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).value(QLatin1String("id")).toString() == appointmentId)
            return row;
    }
    return -1;
}

QString AppointmentModel::stateTitle(const QString &state)
{
    if (state == QLatin1String("booked"))
        return tr("Booked");
    if (state == QLatin1String("checked_in"))
        return tr("Checked in");
    if (state == QLatin1String("cancelled"))
        return tr("Cancelled");
    return state;
}

int AppointmentModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AppointmentModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(Column::Count);
}

QVariant AppointmentModel::data(const QModelIndex &index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const QJsonObject &row = m_rows.at(index.row());
    if (role == IdRole)
        return row.value(QLatin1String("id")).toString();
    if (role == AppointmentRole)
        return row;
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(index.column())) {
    case Column::When: {
        const QDateTime start =
            QDateTime::fromString(row.value(QLatin1String("start")).toString(), Qt::ISODateWithMs);
        return start.isValid() ? start.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                               : row.value(QLatin1String("start")).toString();
    }
    case Column::Doctor: {
        const QString doctorId = row.value(QLatin1String("doctorId")).toString();
        return m_names ? m_names->nameOf(doctorId) : DoctorNames::fallbackName(doctorId);
    }
    case Column::State:
        return stateTitle(row.value(QLatin1String("state")).toString());
    case Column::Reason:
        return row.value(QLatin1String("reason")).toString();
    case Column::Count:
        break;
    }
    return {};
}

QVariant AppointmentModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Column::When:
        return tr("When");
    case Column::Doctor:
        return tr("Doctor");
    case Column::State:
        return tr("State");
    case Column::Reason:
        return tr("Reason");
    case Column::Count:
        break;
    }
    return {};
}

} // namespace hms::client
