#pragma once

#include "app/clientcontext.h"

#include <QList>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace hms::client {

class FieldErrors;
class VitalsModel;
class WardFeed;
struct LiveEvent;

/// Bedside charting: pick the ward, then an inpatient from its occupied beds (GET
/// /api/v1/bed-board); enter temperature, pulse, blood pressure, SpO2, respiration rate and
/// pain score. The shared clinical rules (validateClinicalBody) check the values before
/// anything is sent, and errors show next to their fields, the server's 422 too. Below, the
/// admission's vitals chart (GET /api/v1/admissions/{id}/vitals), newest first, kept current
/// by vitals.recorded events on beds:<ward>; and a nursing note for the same stay.
class VitalsScreen : public QWidget
{
    Q_OBJECT

public:
    explicit VitalsScreen(const ClientContext &context, QWidget *parent = nullptr);
    ~VitalsScreen() override;

    QComboBox *wardCombo() const { return m_ward; }

    /// The ward's inpatients: item text "bed  name (MRN)", data the admission id.
    QListWidget *patientList() const { return m_patients; }

    /// Selects the inpatient of \a admissionId; false when the list does not hold it.
    bool selectAdmission(const QString &admissionId);

    QString admissionId() const { return m_admissionId; }

    /// The input of a measurement by its JSON key ("temperatureC", "pulse", "systolic",
    /// "diastolic", "spo2", "respiration", "painScore"); nullptr for another key.
    QLineEdit *field(const QString &key) const;
    /// The inline error under that field (empty when none).
    QString fieldError(const QString &key) const;

    QPushButton *recordButton() const { return m_record; }

    QPlainTextEdit *noteField() const { return m_note; }

    QPushButton *noteButton() const { return m_addNote; }

    VitalsModel *chart() const { return m_chart; }

    /// The outcome of the last action, for people.
    QString statusText() const;

    /// How many POSTs this screen has sent (vitals and notes), for tests.
    int requestsSent() const { return m_requestsSent; }

    /// Checks the form with the shared rules and, when it passes, records the vitals.
    void recordVitals();
    void addNote();

private:
    struct Measurement
    {
        QString key;
        bool decimal;
        QLineEdit *edit;
    };

    void reloadPatients();
    void reloadChart();
    void onEvent(const LiveEvent &event);
    void onPatientChanged();
    void updateButtons();
    void setBusy(bool busy);

    ClientContext m_context;
    WardFeed *m_feed = nullptr;
    VitalsModel *m_chart = nullptr;
    std::unique_ptr<FieldErrors> m_errors;
    std::unique_ptr<FieldErrors> m_noteErrors;
    QComboBox *m_ward = nullptr;
    QListWidget *m_patients = nullptr;
    QLabel *m_patientTitle = nullptr;
    QList<Measurement> m_measurements;
    QPushButton *m_record = nullptr;
    QTableView *m_chartView = nullptr;
    QPlainTextEdit *m_note = nullptr;
    QPushButton *m_addNote = nullptr;
    QLabel *m_status = nullptr;
    QString m_admissionId;
    bool m_busy = false;
    int m_patientsGeneration = 0;
    int m_chartGeneration = 0;
    int m_requestsSent = 0;
};

} // namespace hms::client
