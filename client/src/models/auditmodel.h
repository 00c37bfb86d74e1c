#pragma once

#include "models/keysetlistmodel.h"

namespace hms::client {

/// Audit log rows (GET /api/v1/audit) for a set of filters, newest first, one page at a time
/// through fetchMore() over the server's cursor. \a api is borrowed.
class AuditModel : public KeysetListModel
{
    Q_OBJECT

public:
    enum class Column { At, Actor, Role, Action, Entity, EntityId, Patient, Outcome, Count };
    Q_ENUM(Column)

    enum Roles { RawValueRole = Qt::UserRole + 1 };

    static constexpr int PageSize = 100;

    explicit AuditModel(ApiClient &api, QObject *parent = nullptr);

    /// Starts over with \a filters (server query parameters: action, entity, actor, ...).
    void setFilters(const QUrlQuery &filters);

    QJsonObject entryAt(int row) const { return rowAt(row); }

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    /// The problem and each field error on its own line.
    QString pageError(const Problem &problem) const override;
};

} // namespace hms::client
