#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>
#include <QUrlQuery>

namespace hms::client {

class ApiClient;

/// Audit log rows (GET /api/v1/audit) for a set of filters, newest first, one page at a time
/// through fetchMore() over the server's cursor. \a api is borrowed.
class AuditModel : public QAbstractTableModel
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

    QJsonObject entryAt(int row) const { return m_rows.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

Q_SIGNALS:
    /// A page arrived; \a error is for people (empty on success).
    void pageLoaded(const QString &error);

private:
    void requestPage();

    ApiClient &m_api;
    QUrlQuery m_filters;
    QString m_nextCursor;
    QList<QJsonObject> m_rows;
    bool m_loading = false;
    bool m_hasMore = false;
    int m_generation = 0;
};

} // namespace hms::client
