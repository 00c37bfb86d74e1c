#include "models/patientsearchmodel.h"

#include "api/apiclient.h"
#include "shared/patients/patientrules.h"
#include "shared/protocol/apipaths.h"

#include <QJsonArray>
#include <QUrlQuery>

namespace hms::client {

namespace {

QString field(const QJsonObject &patient, const char *key)
{
    return patient.value(QLatin1String(key)).toString();
}

} // namespace

PatientSearchModel::PatientSearchModel(ApiClient &api, QObject *parent)
    : QAbstractTableModel(parent)
    , m_api(api)
{}

void PatientSearchModel::setQuery(const QString &text)
{
    const QString query = text.trimmed();
    if (query == m_query && (m_loading || !m_rows.isEmpty()))
        return;
    ++m_generation;
    beginResetModel();
    m_query = query;
    m_rows.clear();
    m_nextCursor.clear();
    m_hasMore = false;
    m_loading = false;
    endResetModel();
    if (m_query.size() >= MinimumQueryLength)
        requestPage();
}

void PatientSearchModel::requestPage()
{
    m_loading = true;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("q"), m_query);
    query.addQueryItem(QStringLiteral("limit"), QString::number(PageSize));
    if (!m_nextCursor.isEmpty())
        query.addQueryItem(QStringLiteral("cursor"), m_nextCursor);
    const int generation = m_generation;
    m_api.get(QLatin1String(hms::api::Patients), query, this,
              [this, generation](const Result<QJsonObject> &answer) {
                  if (generation != m_generation)
                      return; // an answer to an older search text
                  m_loading = false;
                  if (!answer) {
                      m_hasMore = false;
                      const Problem &problem = answer.problem();
                      Q_EMIT pageLoaded(problem.title.isEmpty() ? tr("The search failed.")
                                                                : problem.title);
                      return;
                  }
                  const QJsonArray items = answer.value().value(QLatin1String("items")).toArray();
                  m_nextCursor = answer.value().value(QLatin1String("nextCursor")).toString();
                  m_hasMore = !m_nextCursor.isEmpty();
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

int PatientSearchModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int PatientSearchModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(Column::Count);
}

QVariant PatientSearchModel::data(const QModelIndex &index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const QJsonObject &patient = m_rows.at(index.row());
    if (role == IdRole)
        return field(patient, hms::patientkeys::Id);
    if (role == PatientRole)
        return patient;
    // No tooltips: Qt would render one that looks like HTML as rich text (SECURITY I4).
    if (role != Qt::DisplayRole && role != RawValueRole)
        return {};
    switch (Column(index.column())) {
    case Column::Mrn:
        return field(patient, hms::patientkeys::Mrn);
    case Column::FullName:
        return field(patient, hms::patientkeys::FullName);
    case Column::BirthDate: {
        const QString date = field(patient, hms::patientkeys::BirthDate);
        if (role == Qt::DisplayRole
            && patient.value(QLatin1String(hms::patientkeys::BirthDateEstimated)).toBool())
            return tr("%1 (estimated)").arg(date);
        return date;
    }
    case Column::Sex:
        return field(patient, hms::patientkeys::Sex);
    case Column::Phone:
        return field(patient, hms::patientkeys::Phone);
    case Column::Count:
        break;
    }
    return {};
}

QVariant PatientSearchModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Column::Mrn:
        return tr("MRN");
    case Column::FullName:
        return tr("Name");
    case Column::BirthDate:
        return tr("Date of birth");
    case Column::Sex:
        return tr("Sex");
    case Column::Phone:
        return tr("Phone");
    case Column::Count:
        break;
    }
    return {};
}

bool PatientSearchModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_hasMore && !m_loading;
}

void PatientSearchModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        requestPage();
}

} // namespace hms::client
