#pragma once

#include "app/clientcontext.h"

#include <QList>
#include <QWidget>

class QComboBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QToolButton;

namespace hms::client {

struct LiveEvent;
class BedModel;
class PatientSearchModel;

/// The ward bed board: a grid of beds coloured by status, live from beds:<wardId> events.
/// With admission.manage it is also the admission desk: pick a patient and a free bed, give
/// a reason, admit.
class BedBoardScreen : public QWidget
{
    Q_OBJECT

public:
    BedBoardScreen(const ClientContext &context, bool canAdmit, QWidget *parent = nullptr);
    ~BedBoardScreen() override;

    BedModel *model() const { return m_model; }

    /// The grid button of \a bedId (nullptr when absent).
    QToolButton *bedButton(const QString &bedId) const;

    QString wardId() const;

private:
    void onWardChanged();
    void reload();
    void rebuildGrid();
    void recolor(int row);
    void onEvent(const LiveEvent &event);
    void selectBed(int row);
    void admit();

    ClientContext m_context;
    bool m_canAdmit = false;
    BedModel *m_model = nullptr;
    QComboBox *m_ward = nullptr;
    QWidget *m_gridHost = nullptr;
    QGridLayout *m_grid = nullptr;
    QList<QToolButton *> m_buttons; ///< one per model row
    QLabel *m_bedDetails = nullptr;
    QLabel *m_status = nullptr;
    QString m_topic;
    QString m_selectedBed;
    int m_generation = 0;

    // Admission desk
    PatientSearchModel *m_patients = nullptr;
    QLineEdit *m_patientSearch = nullptr;
    QListView *m_patientList = nullptr;
    QLineEdit *m_reason = nullptr;
    QPushButton *m_admit = nullptr;
    QLabel *m_admitStatus = nullptr;
};

} // namespace hms::client
