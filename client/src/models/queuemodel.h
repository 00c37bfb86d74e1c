#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QString>

namespace hms::client {

/// One visit on a department's queue board.
struct QueueRow
{
    QString visitId;
    int token = 0;
    QString state; ///< waiting | called | in_consultation | completed | no_show | cancelled
    QString patientId;
    QString mrn;
    QString fullName;
    int waitingMinutes = 0;

    bool operator==(const QueueRow &other) const = default;
};

/// Today's queue of one department, in token order: a REST snapshot merged in row by row
/// (inserts, changes and removals, never a reset for one visit) and live state changes
/// applied to the one row they concern.
class QueueModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Column { Token, FullName, Mrn, State, Waiting, Count };
    Q_ENUM(Column)

    enum Roles { RawValueRole = Qt::UserRole + 1, VisitIdRole };

    explicit QueueModel(QObject *parent = nullptr);

    /// Merges \a rows (the server's snapshot, token order) into the model.
    void mergeSnapshot(const QList<QueueRow> &rows);
    /// Applies a live state change; false when the visit is not on the board (reload then).
    bool applyState(const QString &visitId, const QString &state);
    void clear();

    const QList<QueueRow> &rows() const { return m_rows; }

    /// The row of \a visitId, -1 when absent.
    int rowOf(const QString &visitId) const;

    static QString stateTitle(const QString &state);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<QueueRow> m_rows;
};

} // namespace hms::client
