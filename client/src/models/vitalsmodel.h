#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

namespace hms::client {

/// The vitals chart of one admission (GET /api/v1/admissions/{id}/vitals): one row per
/// charted set of measurements, newest first by the time they were taken. The screen reloads
/// it when a vitals.recorded event on beds:<ward> names the admission.
class VitalsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Column {
        TakenAt,
        Temperature,
        Pulse,
        BloodPressure,
        SpO2,
        Respiration,
        Pain,
        Count
    };
    Q_ENUM(Column)

    enum Roles { DocumentIdRole = Qt::UserRole + 1, TakenAtRole };

    explicit VitalsModel(QObject *parent = nullptr);

    /// Replaces the chart with \a documents (the API's clinical documents of kind vitals).
    void setDocuments(const QList<QJsonObject> &documents);

    /// The measurements of \a row (the document body: temperatureC, pulse, ...).
    QJsonObject measurementsAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<QJsonObject> m_documents;
};

} // namespace hms::client
