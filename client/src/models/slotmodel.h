#pragma once

#include <QAbstractListModel>
#include <QJsonObject>
#include <QList>

namespace hms::client {

/// The free slots of a department on one date (GET /api/v1/departments/{id}/slots), by start
/// then doctor. The screen reloads it when a queue:<department> event says a booking changed.
class SlotModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Roles { DoctorIdRole = Qt::UserRole + 1, StartRole, EndRole };

    explicit SlotModel(QObject *parent = nullptr);

    void setSlots(const QList<QJsonObject> &slots);
    /// The row of the slot of \a doctorId starting at \a start; -1 when it is not free.
    int rowOf(const QString &doctorId, const QString &start) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    /// "09:30" of a server timestamp, in this computer's time zone.
    static QString clockTime(const QString &timestamp);
    /// How a doctor is named on screen (the API gives receptionists their ids only).
    static QString doctorTitle(const QString &doctorId);

private:
    QList<QJsonObject> m_slots;
};

} // namespace hms::client
