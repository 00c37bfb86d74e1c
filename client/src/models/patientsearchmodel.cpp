#include "models/patientsearchmodel.h"

#include "shared/patients/patientrules.h"
#include "shared/protocol/apipaths.h"

#include <QUrlQuery>

#include <algorithm>

namespace hms::client {

namespace {

QString field(const QJsonObject &patient, const char *key)
{
    return patient.value(QLatin1String(key)).toString();
}

} // namespace

PatientSearchModel::PatientSearchModel(ApiClient &api, QObject *parent)
    : KeysetListModel(api, hms::api::Patients, PageSize, parent)
{}

void PatientSearchModel::setQuery(const QString &text)
{
    const QString query = text.trimmed();
    if (query == m_query && (isLoading() || rowCount() > 0))
        return;
    m_query = query;
    QUrlQuery parameters;
    parameters.addQueryItem(QStringLiteral("q"), m_query);
    restart(parameters, m_query.size() >= MinimumQueryLength);
}

bool PatientSearchModel::wholeWordsOnly() const
{
    const auto letters = std::count_if(m_query.cbegin(), m_query.cend(), [](QChar c) {
        return c.isLetterOrNumber();
    });
    return !m_query.isEmpty() && letters < PartOfNameLength;
}

QString PatientSearchModel::pageError(const Problem &problem) const
{
    return problem.title.isEmpty() ? tr("The search failed.") : problem.title;
}

int PatientSearchModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(Column::Count);
}

QVariant PatientSearchModel::data(const QModelIndex &index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const QJsonObject patient = rowAt(index.row());
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

} // namespace hms::client
