#include "models/auditmodel.h"

#include "api/apiclient.h"
#include "screens/common/widgets.h"
#include "shared/protocol/apipaths.h"

#include <QJsonArray>

namespace hms::client {

namespace {

const char *const Keys[] = {"at",     "actorUserId", "actorRole", "action",
                            "entity", "entityId",    "patientId", "outcome"};

} // namespace

AuditModel::AuditModel(ApiClient &api, QObject *parent)
    : QAbstractTableModel(parent)
    , m_api(api)
{}

void AuditModel::setFilters(const QUrlQuery &filters)
{
    ++m_generation;
    beginResetModel();
    m_filters = filters;
    m_rows.clear();
    m_nextCursor.clear();
    m_hasMore = false;
    m_loading = false;
    endResetModel();
    requestPage();
}

void AuditModel::requestPage()
{
    m_loading = true;
    QUrlQuery query = m_filters;
    query.addQueryItem(QStringLiteral("limit"), QString::number(PageSize));
    if (!m_nextCursor.isEmpty())
        query.addQueryItem(QStringLiteral("cursor"), m_nextCursor);
    const int generation = m_generation;
    m_api.get(QLatin1String(hms::api::Audit), query, this,
              [this, generation](const Result<QJsonObject> &answer) {
                  if (generation != m_generation)
                      return;
                  m_loading = false;
                  if (!answer) {
                      m_hasMore = false;
                      QStringList lines{problemText(answer.problem())};
                      for (const hms::FieldError &error : answer.problem().errors)
                          lines.append(tr("%1: %2").arg(error.field, error.message));
                      Q_EMIT pageLoaded(lines.join(QLatin1Char('\n')));
                      return;
                  }
                  const QJsonArray items = answer.value().value(QLatin1String("items")).toArray();
                  m_nextCursor = answer.value().value(QLatin1String("nextCursor")).toString();
                  m_hasMore = !m_nextCursor.isEmpty() && !items.isEmpty();
                  if (!items.isEmpty()) {
                      const int first = int(m_rows.size());
                      beginInsertRows({}, first, first + int(items.size()) - 1);
                      for (const QJsonValue &item : items)
                          m_rows.append(item.toObject());
                      endInsertRows();
                  }
                  Q_EMIT pageLoaded(QString());
              });
}

int AuditModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AuditModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(Column::Count);
}

QVariant AuditModel::data(const QModelIndex &index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    if (role != Qt::DisplayRole && role != RawValueRole)
        return {};
    const QJsonValue value = m_rows.at(index.row()).value(QLatin1String(Keys[index.column()]));
    if (role == Qt::DisplayRole && Column(index.column()) == Column::At) {
        const QDateTime at = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
        return at.isValid() ? at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                            : value.toString();
    }
    return value.isNull() ? QString() : value.toVariant().toString();
}

QVariant AuditModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Column::At:
        return tr("When");
    case Column::Actor:
        return tr("User id");
    case Column::Role:
        return tr("Role");
    case Column::Action:
        return tr("Action");
    case Column::Entity:
        return tr("Entity");
    case Column::EntityId:
        return tr("Entity id");
    case Column::Patient:
        return tr("Patient id");
    case Column::Outcome:
        return tr("Outcome");
    case Column::Count:
        break;
    }
    return {};
}

bool AuditModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_hasMore && !m_loading;
}

void AuditModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        requestPage();
}

} // namespace hms::client
