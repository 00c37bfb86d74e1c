#pragma once

#include "app/clientcontext.h"

#include <QWidget>

class QComboBox;
class QDateTimeEdit;
class QCheckBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace hms::client {

class AuditModel;

/// The audit log viewer: who did what and when, filtered by action, entity, user, patient,
/// outcome and time range; pages load as the list scrolls.
class AuditScreen : public QWidget
{
    Q_OBJECT

public:
    explicit AuditScreen(const ClientContext &context, QWidget *parent = nullptr);

    AuditModel *model() const { return m_model; }

    /// Runs the query the filter fields describe.
    void applyFilters();

private:
    void showDetails();

    ClientContext m_context;
    AuditModel *m_model = nullptr;
    QLineEdit *m_action = nullptr;
    QLineEdit *m_entity = nullptr;
    QLineEdit *m_actor = nullptr;
    QLineEdit *m_patient = nullptr;
    QComboBox *m_outcome = nullptr;
    QCheckBox *m_useFrom = nullptr;
    QDateTimeEdit *m_from = nullptr;
    QCheckBox *m_useTo = nullptr;
    QDateTimeEdit *m_to = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_details = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace hms::client
