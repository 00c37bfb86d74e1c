#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

namespace hms::client {

class DoctorNames;

/// One patient's appointments (GET /api/v1/appointments?patientId=), latest first, every state.
class AppointmentModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Column { When, Doctor, State, Reason, Count };
    Q_ENUM(Column)

    enum Roles { IdRole = Qt::UserRole + 1, AppointmentRole };

    explicit AppointmentModel(QObject *parent = nullptr);

    void setAppointments(const QList<QJsonObject> &appointments);

    QJsonObject appointmentAt(int row) const { return m_rows.at(row); }

    int rowOf(const QString &appointmentId) const;

    /// The state for people ("Booked", "Checked in", "Cancelled").
    static QString stateTitle(const QString &state);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    /// Names the doctors from \a names (repainting when more arrive); see SlotModel.
    void setDoctorNames(const DoctorNames *names);

private:
    QList<QJsonObject> m_rows;
    const DoctorNames *m_names = nullptr;
};

} // namespace hms::client
