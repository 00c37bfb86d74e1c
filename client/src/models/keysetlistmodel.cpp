#include "models/keysetlistmodel.h"

#include "api/apiclient.h"
#include "screens/common/widgets.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace hms::client {

KeysetListModel::KeysetListModel(ApiClient &api, const char *path, int pageSize, QObject *parent)
    : QAbstractTableModel(parent)
    , m_api(api)
    , m_path(path)
    , m_pageSize(pageSize)
{}

void KeysetListModel::restart(const QUrlQuery &query, bool load)
{
    ++m_generation;
    beginResetModel();
    m_query = query;
    m_rows.clear();
    m_cachedRow = -1;
    m_cached = {};
    m_nextCursor.clear();
    m_hasMore = false;
    m_loading = false;
    endResetModel();
    if (load)
        requestPage();
}

QString KeysetListModel::pageError(const Problem &problem) const
{
    return problemText(problem);
}

void KeysetListModel::requestPage()
{
    m_loading = true;
    QUrlQuery query = m_query;
    query.addQueryItem(QStringLiteral("limit"), QString::number(m_pageSize));
    if (!m_nextCursor.isEmpty())
        query.addQueryItem(QStringLiteral("cursor"), m_nextCursor);
    const int generation = m_generation;
    m_api.get(
        QLatin1String(m_path), query, this, [this, generation](const Result<QJsonObject> &answer) {
            if (generation != m_generation)
                return; // an answer to older query parameters
            m_loading = false;
            if (!answer) {
                m_hasMore = false;
                Q_EMIT pageLoaded(pageError(answer.problem()));
                return;
            }
            const QJsonArray items = answer.value().value(QLatin1String("items")).toArray();
            m_nextCursor = answer.value().value(QLatin1String("nextCursor")).toString();
            // An empty page ends the list even if it names a cursor.
            m_hasMore = !m_nextCursor.isEmpty() && !items.isEmpty();
            if (!items.isEmpty()) {
                const int first = int(m_rows.size());
                beginInsertRows({}, first, first + int(items.size()) - 1);
                for (const QJsonValue &item : items)
                    m_rows.append(QJsonDocument(item.toObject()).toJson(QJsonDocument::Compact));
                endInsertRows();
            }
            Q_EMIT pageLoaded(QString());
        });
}

QJsonObject KeysetListModel::rowAt(int row) const
{
    if (row != m_cachedRow) {
        m_cached = QJsonDocument::fromJson(m_rows.at(row)).object();
        m_cachedRow = row;
    }
    return m_cached;
}

int KeysetListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

bool KeysetListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_hasMore && !m_loading;
}

void KeysetListModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        requestPage();
}

} // namespace hms::client
