#pragma once

#include <QAbstractListModel>
#include <QColor>
#include <QJsonObject>
#include <QList>

namespace hms::client {

/// The beds of one ward (GET /api/v1/beds?wardId=), kept live by beds:<wardId> events: a
/// status change updates the one bed it names (dataChanged), never the whole ward.
class BedModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Roles {
        IdRole = Qt::UserRole + 1,
        CodeRole,
        RoomRole,
        StatusRole,
        StatusColorRole,
        FeaturesRole
    };

    explicit BedModel(QObject *parent = nullptr);

    void setBeds(const QList<QJsonObject> &beds);
    /// Applies a live status change; false when the bed is not in this ward's list.
    bool applyStatus(const QString &bedId, const QString &status);
    int rowOf(const QString &bedId) const;

    QJsonObject bedAt(int row) const { return m_beds.at(row); }

    /// The colour of a bed status on the board.
    static QColor colorFor(const QString &status);
    /// The status for people ("Free", "Occupied" ...).
    static QString statusTitle(const QString &status);
    static bool isFree(const QString &status);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    QList<QJsonObject> m_beds;
};

} // namespace hms::client
