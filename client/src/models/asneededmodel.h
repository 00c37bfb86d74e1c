#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

namespace hms::client {

/// The ward's active as-needed (PRN) orders: the `asNeeded` list of GET
/// /api/v1/wards/{id}/medications/due, by room and bed, each with when it was last given and
/// how many doses were given over the last 24 hours (the server's figures), so that the nurse
/// sees the frequency before giving another dose.
class AsNeededModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Column { Bed, Patient, Drug, Dose, Route, Instructions, LastGiven, Given24h, Count };
    Q_ENUM(Column)

    enum Roles { PrescriptionIdRole = Qt::UserRole + 1, PatientNameRole, DrugRole };

    explicit AsNeededModel(QObject *parent = nullptr);

    /// Replaces the list with \a orders (the API's asNeeded items).
    void setOrders(const QList<QJsonObject> &orders);
    /// The row of the order of \a prescriptionId; -1 when it is not listed.
    int rowOf(const QString &prescriptionId) const;

    QJsonObject orderAt(int row) const { return m_orders.value(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<QJsonObject> m_orders;
};

} // namespace hms::client
