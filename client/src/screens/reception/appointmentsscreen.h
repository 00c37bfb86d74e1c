#pragma once

#include "app/clientcontext.h"
#include "shared/core/result.h"

#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QTableView;

namespace hms::client {

struct LiveEvent;
class AppointmentModel;
class DoctorNames;
class PatientPicker;
class SlotModel;

/// Appointment booking: department -> doctor -> date -> free slots; book one for the patient
/// picked with the patient search; that patient's appointments can be cancelled, moved to the
/// selected free slot, or checked in. Live: queue:<department> events (appointment.*) reload
/// the free slots and the list; nothing polls.
class AppointmentsScreen : public QWidget
{
    Q_OBJECT

public:
    explicit AppointmentsScreen(const ClientContext &context, QWidget *parent = nullptr);
    ~AppointmentsScreen() override;

    SlotModel *slotModel() const { return m_slots; }

    AppointmentModel *appointmentModel() const { return m_appointments; }

    PatientPicker *patientPicker() const { return m_patient; }

    QComboBox *departmentCombo() const { return m_department; }

    QComboBox *doctorCombo() const { return m_doctor; }

    QDateEdit *dateEdit() const { return m_date; }

    QListView *slotList() const { return m_slotList; }

    QTableView *appointmentTable() const { return m_table; }

    QLineEdit *cancelReasonField() const { return m_cancelReason; }

    /// The outcome of the last action, for people.
    QString statusText() const;
    /// The token of the last check-in ("" before one).
    QString tokenText() const;

    void book();
    void cancelSelected();
    void rescheduleSelected();
    void checkInSelected();

private:
    void onDepartmentChanged();
    void reloadSlots();
    void reloadAppointments();
    void onEvent(const LiveEvent &event);
    void updateActions();
    QJsonObject selectedAppointment() const;
    void showAnswer(const Result<QJsonObject> &answer, const QString &success);

    ClientContext m_context;
    SlotModel *m_slots = nullptr;
    AppointmentModel *m_appointments = nullptr;
    DoctorNames *m_doctorNames = nullptr;
    QComboBox *m_department = nullptr;
    QComboBox *m_doctor = nullptr;
    QDateEdit *m_date = nullptr;
    QListView *m_slotList = nullptr;
    PatientPicker *m_patient = nullptr;
    QLineEdit *m_reason = nullptr;
    QPushButton *m_book = nullptr;
    QTableView *m_table = nullptr;
    QLineEdit *m_cancelReason = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_reschedule = nullptr;
    QPushButton *m_checkIn = nullptr;
    QLabel *m_token = nullptr;
    QLabel *m_status = nullptr;
    QString m_topic;
    int m_slotGeneration = 0;
    int m_appointmentGeneration = 0;
};

} // namespace hms::client
