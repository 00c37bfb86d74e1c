#pragma once

#include <QAbstractListModel>
#include <QJsonObject>
#include <QList>

namespace hms::client {

class DoctorNames;

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
    /// Names the doctors from \a names (repainting when more arrive); without it, or while
    /// a name is unknown, a doctor is "Doctor #<id>".
    void setDoctorNames(const DoctorNames *names);

private:
    QString doctorName(const QString &doctorId) const;

    QList<QJsonObject> m_slots;
    const DoctorNames *m_names = nullptr;
};

} // namespace hms::client
