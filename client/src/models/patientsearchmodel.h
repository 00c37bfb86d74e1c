#pragma once

#include "models/keysetlistmodel.h"

namespace hms::client {

/// Patients matching a search text (GET /api/v1/patients?q=), one page at a time: the view
/// asks for more through canFetchMore()/fetchMore() over the server's keyset cursor, so
/// 100,000 matches scroll without loading them all. Answers to an older text are dropped.
/// Lives on the UI thread; \a api is borrowed.
class PatientSearchModel : public KeysetListModel
{
    Q_OBJECT

public:
    enum class Column { Mrn, FullName, BirthDate, Sex, Phone, Count };
    Q_ENUM(Column)

    enum Roles { IdRole = Qt::UserRole + 1, RawValueRole, PatientRole };

    static constexpr int PageSize = 50;
    static constexpr int MinimumQueryLength = 2;
    /// Below this many letters and digits the server matches whole name words only, not
    /// their start or middle (0026_name_query_length.sql).
    static constexpr int PartOfNameLength = 3;

    explicit PatientSearchModel(ApiClient &api, QObject *parent = nullptr);

    /// Starts a new search (empty or too short: no rows). Safe to call on every keystroke;
    /// the caller debounces.
    void setQuery(const QString &text);

    QString query() const { return m_query; }

    /// True when the query is too short to match part of a name word.
    bool wholeWordsOnly() const;

    /// The patient JSON of \a row (as the server sent it).
    QJsonObject patientAt(int row) const { return rowAt(row); }

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

protected:
    QString pageError(const Problem &problem) const override;

private:
    QString m_query;
};

} // namespace hms::client
