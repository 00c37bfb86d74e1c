#pragma once

#include <QWidget>

class QLineEdit;
class QListView;

namespace hms::client {

class ApiClient;
class PatientSearchModel;

/// "Which patient?": a search field (debounced, name, MRN or phone) over a list of the
/// matches (PatientSearchModel, paged). Used wherever a form acts for one patient.
class PatientPicker : public QWidget
{
    Q_OBJECT

public:
    PatientPicker(ApiClient &api, const QString &objectNamePrefix, QWidget *parent = nullptr);

    /// The id of the selected patient; empty when none is selected.
    QString patientId() const;
    /// The selected patient's name (plain text); empty when none is selected.
    QString patientName() const;

    QLineEdit *searchField() const { return m_search; }

    QListView *list() const { return m_list; }

    PatientSearchModel *model() const { return m_model; }

Q_SIGNALS:
    /// The selection changed (also to "none").
    void patientChanged();

private:
    PatientSearchModel *m_model = nullptr;
    QLineEdit *m_search = nullptr;
    QListView *m_list = nullptr;
};

} // namespace hms::client
