#pragma once

#include "shared/core/result.h"

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrlQuery>

namespace hms::client {

class ApiClient;

/// The paging half of a table over a keyset-paginated list (GET <path>?limit=&cursor=, answer
/// {items, nextCursor}): rows arrive a page at a time as the view asks through
/// canFetchMore()/fetchMore(), so long lists scroll without loading them all. restart()
/// starts over with new query parameters and drops answers to the older ones. Subclasses add
/// columns and data(). Lives on the UI thread; \a api is borrowed.
class KeysetListModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    /// The JSON of \a row, as the server sent it.
    QJsonObject rowAt(int row) const { return m_rows.at(row); }

    /// True while a page is on its way.
    bool isLoading() const { return m_loading; }

    int rowCount(const QModelIndex &parent = {}) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

Q_SIGNALS:
    /// A page arrived (or failed: \a error is the message for people, empty on success).
    void pageLoaded(const QString &error);

protected:
    KeysetListModel(ApiClient &api, const char *path, int pageSize, QObject *parent);

    /// Empties the list and, when \a load, asks for the first page with \a query.
    void restart(const QUrlQuery &query, bool load);

    /// The message for people when a page fails.
    virtual QString pageError(const Problem &problem) const;

    const QList<QJsonObject> &rows() const { return m_rows; }

private:
    void requestPage();

    ApiClient &m_api;
    const char *m_path;
    int m_pageSize;
    QUrlQuery m_query;
    QString m_nextCursor;
    QList<QJsonObject> m_rows;
    bool m_loading = false;
    bool m_hasMore = false;
    int m_generation = 0;
};

} // namespace hms::client
