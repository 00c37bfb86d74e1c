#pragma once

#include "app/clientcontext.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;
class QTimer;

namespace hms::client {

class AsNeededModel;
class DueDoseModel;
class FieldErrors;
class WardFeed;
struct LiveEvent;

/// The ward's medication round: the doses due (GET /api/v1/wards/{id}/medications/due over
/// the last WindowPastHours and the next WindowAheadHours) that nobody recorded yet, overdue
/// ones coloured; record the selected dose as given, held or refused (POST
/// /api/v1/prescriptions/{id}/administrations; held and refused need a reason) and it leaves
/// the list. Doses recorded elsewhere leave it too (medication.administered on beds:<ward>).
/// Below them the ward's as-needed (PRN) orders (the answer's asNeeded list) with when each
/// was last given and how often over 24 h; a PRN dose is recorded as given with its
/// indication through the same endpoint (no dueAt: the server times it when it records it).
/// Keyboard-first: Ctrl+G given, Ctrl+H held, Ctrl+R refused, Ctrl+P PRN dose given, F5 reads
/// the list again.
class DueMedicationsScreen : public QWidget
{
    Q_OBJECT

public:
    static constexpr int WindowPastHours = 12; ///< a shift's missed doses stay visible
    static constexpr int WindowAheadHours = 2; ///< the server takes doses up to 2 h early

    explicit DueMedicationsScreen(const ClientContext &context, QWidget *parent = nullptr);
    ~DueMedicationsScreen() override;

    QComboBox *wardCombo() const { return m_ward; }

    DueDoseModel *model() const { return m_model; }

    QTableView *table() const { return m_table; }

    QLineEdit *reasonField() const { return m_reason; }

    QPushButton *givenButton() const { return m_given; }

    QPushButton *heldButton() const { return m_held; }

    QPushButton *refusedButton() const { return m_refused; }

    AsNeededModel *asNeededModel() const { return m_prnModel; }

    QTableView *asNeededTable() const { return m_prnTable; }

    QLineEdit *indicationField() const { return m_indication; }

    QPushButton *prnGivenButton() const { return m_prnGiven; }

    /// The inline error under the indication, and the PRN section's general error.
    QString indicationError() const;
    QString prnError() const;

    /// The inline error under the reason (empty when none).
    QString reasonError() const;
    QString statusText() const;

    /// Records the selected dose with \a outcome (given | held | refused).
    void recordSelected(const QString &outcome);
    /// Records a dose of the selected PRN order as given, with the indication.
    void recordAsNeeded();
    /// Reads the ward's due doses again.
    void reload();

private:
    void onEvent(const LiveEvent &event);
    void updateButtons();

    ClientContext m_context;
    DueDoseModel *m_model = nullptr;
    WardFeed *m_feed = nullptr;
    std::unique_ptr<FieldErrors> m_errors;
    QComboBox *m_ward = nullptr;
    QLabel *m_window = nullptr;
    QTableView *m_table = nullptr;
    QLineEdit *m_reason = nullptr;
    QPushButton *m_given = nullptr;
    QPushButton *m_held = nullptr;
    QPushButton *m_refused = nullptr;
    QPushButton *m_refresh = nullptr;
    QLabel *m_status = nullptr;
    QTimer *m_overdueTimer = nullptr;
    AsNeededModel *m_prnModel = nullptr;
    std::unique_ptr<FieldErrors> m_prnErrors;
    QTableView *m_prnTable = nullptr;
    QLineEdit *m_indication = nullptr;
    QPushButton *m_prnGiven = nullptr;
    int m_generation = 0;
    bool m_busy = false;
};

} // namespace hms::client
