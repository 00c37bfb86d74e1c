#pragma once

#include "app/clientcontext.h"

#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTimer;

namespace hms::client {

class PatientSearchModel;

/// Reception's patient search: results as you type (debounced), the selected patient's
/// card, and check-in to a department queue with the token number shown big. A check-in
/// made while the server is unreachable goes to the offline outbox.
class PatientsScreen : public QWidget
{
    Q_OBJECT

public:
    /// \a canCheckIn: the role has queue.manage.
    PatientsScreen(const ClientContext &context, bool canCheckIn, QWidget *parent = nullptr);

    /// Puts the cursor in the search field.
    void focusSearch();

    PatientSearchModel *model() const { return m_model; }

    QLineEdit *searchField() const { return m_search; }

    QTableView *table() const { return m_table; }

private:
    void onSelectionChanged();
    void showCard(const QJsonObject &patient);
    void checkIn();

    ClientContext m_context;
    PatientSearchModel *m_model = nullptr;
    QTimer *m_debounce = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_status = nullptr;
    QTableView *m_table = nullptr;
    QWidget *m_card = nullptr;
    QFormLayout *m_cardForm = nullptr;
    QLabel *m_cardHint = nullptr;
    QComboBox *m_department = nullptr;
    QPushButton *m_checkIn = nullptr;
    QLabel *m_token = nullptr;
    QLabel *m_checkInStatus = nullptr;
    QJsonObject m_patient;
};

} // namespace hms::client
