#pragma once

#include "app/clientcontext.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace hms::client {

class BedBoardScreen;
class PatientPicker;

/// The admission desk: pick a patient, pick a free bed on the live bed board, optionally the
/// attending doctor, give the reason, admit (POST /api/v1/admissions). A bed taken meanwhile
/// by someone else comes back as the server's 409, which names the bed.
class AdmissionScreen : public QWidget
{
    Q_OBJECT

public:
    explicit AdmissionScreen(const ClientContext &context, QWidget *parent = nullptr);

    BedBoardScreen *board() const { return m_board; }

    PatientPicker *patientPicker() const { return m_patient; }

    QLineEdit *reasonField() const { return m_reason; }

    QComboBox *doctorCombo() const { return m_doctor; }

    QPushButton *admitButton() const { return m_admit; }

    /// The outcome of the last admission, for people.
    QString statusText() const;

    /// Admits with what the form holds (the Admit button).
    void admit();

private:
    void updateSelection();

    ClientContext m_context;
    BedBoardScreen *m_board = nullptr;
    PatientPicker *m_patient = nullptr;
    QLabel *m_selection = nullptr;
    QComboBox *m_department = nullptr;
    QComboBox *m_doctor = nullptr;
    QLineEdit *m_reason = nullptr;
    QPushButton *m_admit = nullptr;
    QLabel *m_status = nullptr;
    bool m_busy = false;
};

} // namespace hms::client
