#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QJsonObject>
#include <QList>

namespace hms::client {

/// The doses due on one ward (GET /api/v1/wards/{id}/medications/due) that nobody has
/// recorded yet, by due time then bed. A dose recorded here or by another client leaves the
/// list (removeDose, or a reload on the medication.administered event of beds:<ward>).
/// Overdue doses (the server's flag, or more than OverdueAfterMinutes past due by this
/// computer's clock since the list was read) are coloured.
class DueDoseModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Column { Bed, Patient, Drug, Dose, Route, DueAt, Count };
    Q_ENUM(Column)

    enum Roles {
        PrescriptionIdRole = Qt::UserRole + 1,
        DueAtRole, ///< the slot as the server sent it (UTC ISO text)
        OverdueRole,
        PatientNameRole
    };

    /// Minutes past its slot an unrecorded dose counts as overdue (the server's rule,
    /// MedicationRepository::OverdueAfterMinutes; the server's flag wins when it says so).
    static constexpr int OverdueAfterMinutes = 30;

    explicit DueDoseModel(QObject *parent = nullptr);

    /// Replaces the list with the unrecorded doses among \a doses (the API's items).
    void setDoses(const QList<QJsonObject> &doses);
    /// Removes the dose of \a prescriptionId due at \a dueAt; false when it is not listed.
    bool removeDose(const QString &prescriptionId, const QString &dueAt);
    /// The row of that dose; -1 when it is not listed.
    int rowOf(const QString &prescriptionId, const QString &dueAt) const;

    QJsonObject doseAt(int row) const { return m_doses.value(row); }

    /// Re-evaluates which doses are overdue at \a now (dataChanged for those that became so).
    void updateOverdue(const QDateTime &now = QDateTime::currentDateTimeUtc());

    /// The background of an overdue row.
    static QColor overdueColor();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    bool isOverdue(int row) const;

    QList<QJsonObject> m_doses;
    QList<bool> m_overdue; ///< per row
};

} // namespace hms::client
