#pragma once

#include "app/clientcontext.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QTableView;

namespace hms::client {

struct LiveEvent;
class QueueModel;

/// The live queue board of one department: today's visits in token order, updated from
/// queue:<departmentId> events (no polling), and "Call next" for roles with queue.call.
class QueueScreen : public QWidget
{
    Q_OBJECT

public:
    QueueScreen(const ClientContext &context, bool canCall, QWidget *parent = nullptr);
    ~QueueScreen() override;

    /// Calls the next waiting patient of the shown department (F9).
    void callNext();

    /// Shows the department with \a departmentId (when it is in the list).
    void showDepartment(const QString &departmentId);

    QueueModel *model() const { return m_model; }

    QString departmentId() const;

private:
    void onDepartmentChanged();
    void reload();
    void onEvent(const LiveEvent &event);
    QString topic() const;

    ClientContext m_context;
    bool m_canCall = false;
    QueueModel *m_model = nullptr;
    QComboBox *m_department = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_callNext = nullptr;
    QLabel *m_calling = nullptr;
    QLabel *m_status = nullptr;
    QString m_topic; ///< the followed topic, empty when none
    QString m_pendingDepartment; ///< asked for before the list arrived
    int m_generation = 0;
};

} // namespace hms::client
