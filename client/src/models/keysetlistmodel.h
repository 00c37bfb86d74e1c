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
/// columns and data() over rowAt(). Lives on the UI thread; \a api is borrowed.
class KeysetListModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    /// The JSON of \a row, as the server sent it.
    QJsonObject rowAt(int row) const;

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

private:
    void requestPage();

    ApiClient &m_api;
    const char *m_path;
    int m_pageSize;
    QUrlQuery m_query;
    QString m_nextCursor;
    /// Each row as compact JSON text: a QJsonObject per row costs several times its text
    /// (100,000 patients listed took 156 MiB that way, PERFORMANCE.md allows 150 for all).
    QList<QByteArray> m_rows;
    /// The row read last: a view asks for every column and role of a row in turn.
    mutable int m_cachedRow = -1;
    mutable QJsonObject m_cached;
    bool m_loading = false;
    bool m_hasMore = false;
    int m_generation = 0;
};

} // namespace hms::client
