#include "screens/reception/admissionscreen.h"

#include "api/apiclient.h"
#include "models/bedmodel.h"
#include "screens/common/patientpicker.h"
#include "screens/common/widgets.h"
#include "screens/nurse/bedboardscreen.h"
#include "shared/protocol/apipaths.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QUuid>
#include <QVBoxLayout>

namespace hms::client {

AdmissionScreen::AdmissionScreen(const ClientContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
{
    setAccessibleName(tr("Admission desk"));
    auto *layout = new QHBoxLayout(this);
    m_board = new BedBoardScreen(context, this);
    m_board->setObjectName(QStringLiteral("admissionBoard"));
    layout->addWidget(m_board, 3);

    auto *desk = new QGroupBox(tr("Admit a patient"), this);
    desk->setObjectName(QStringLiteral("admissionDesk"));
    auto *form = new QVBoxLayout(desk);
    m_patient = new PatientPicker(context.api, QStringLiteral("admit"), desk);
    form->addWidget(m_patient, 1);
    m_selection = plainLabel(QStringLiteral("admitSelection"), desk);
    m_selection->setWordWrap(true);
    form->addWidget(m_selection);

    auto *fields = new QFormLayout;
    m_department = new QComboBox(desk);
    m_department->setObjectName(QStringLiteral("admitDepartment"));
    m_department->setAccessibleName(tr("Department of the attending doctor"));
    m_doctor = new QComboBox(desk);
    m_doctor->setObjectName(QStringLiteral("admitDoctor"));
    m_doctor->setAccessibleName(tr("Attending doctor"));
    m_doctor->addItem(tr("No attending doctor yet"), QString());
    m_reason = new QLineEdit(desk);
    m_reason->setObjectName(QStringLiteral("admitReason"));
    m_reason->setAccessibleName(tr("Reason for admission"));
    m_reason->setMaxLength(2000);
    const auto addRow = [fields, desk](const QString &name, const QString &text, QWidget *field) {
        QLabel *caption = plainLabel(name, desk, text);
        caption->setBuddy(field);
        fields->addRow(caption, field);
    };
    addRow(QStringLiteral("admitDepartmentLabel"), tr("&Department:"), m_department);
    addRow(QStringLiteral("admitDoctorLabel"), tr("A&ttending doctor:"), m_doctor);
    addRow(QStringLiteral("admitReasonLabel"), tr("&Reason:"), m_reason);
    form->addLayout(fields);
    m_admit = new QPushButton(tr("&Admit to the selected bed"), desk);
    m_admit->setObjectName(QStringLiteral("admitButton"));
    m_admit->setEnabled(false);
    form->addWidget(m_admit);
    m_status = plainLabel(QStringLiteral("admitStatus"), desk);
    m_status->setWordWrap(true);
    form->addWidget(m_status);
    layout->addWidget(desk, 1);

    setTabOrder(m_patient->searchField(), m_patient->list());
    setTabOrder(m_patient->list(), m_department);
    setTabOrder(m_department, m_doctor);
    setTabOrder(m_doctor, m_reason);
    setTabOrder(m_reason, m_admit);

    connect(m_patient, &PatientPicker::patientChanged, this, &AdmissionScreen::updateSelection);
    connect(m_board, &BedBoardScreen::selectionChanged, this, &AdmissionScreen::updateSelection);
    connect(m_reason, &QLineEdit::textChanged, this, &AdmissionScreen::updateSelection);
    connect(m_reason, &QLineEdit::returnPressed, this, &AdmissionScreen::admit);
    connect(m_admit, &QPushButton::clicked, this, &AdmissionScreen::admit);
    connect(m_department, &QComboBox::currentIndexChanged, this, [this]() {
        loadDoctors(m_context.api, m_department->currentData().toString(), m_doctor,
                    tr("No attending doctor yet"), this);
    });
    loadDepartments(m_context.api, m_department, this);
    updateSelection();
}

QString AdmissionScreen::statusText() const
{
    return m_status->text();
}

void AdmissionScreen::updateSelection()
{
    const QString bedId = m_board->selectedBedId();
    const int row = m_board->model()->rowOf(bedId);
    const QModelIndex bed = row >= 0 ? m_board->model()->index(row) : QModelIndex();
    const bool bedFree =
        bed.isValid() && BedModel::isFree(bed.data(BedModel::StatusRole).toString());
    const QString patient = m_patient->patientName();
    QString text;
    if (patient.isEmpty())
        text = tr("Find and select the patient.");
    else if (!bed.isValid())
        text = tr("%1: select a free bed on the board.").arg(patient);
    else if (!bedFree)
        text = tr("%1: bed %2 is not free; select a free bed.")
                   .arg(patient, bed.data(BedModel::CodeRole).toString());
    else
        text = tr("Admit %1 to bed %2.").arg(patient, bed.data(BedModel::CodeRole).toString());
    m_selection->setText(text);
    m_admit->setEnabled(!m_busy && bedFree && !patient.isEmpty()
                        && !m_reason->text().trimmed().isEmpty());
}

void AdmissionScreen::admit()
{
    if (!m_admit->isEnabled())
        return;
    const QString patientName = m_patient->patientName();
    QJsonObject body{{QStringLiteral("patientId"), m_patient->patientId()},
                     {QStringLiteral("bedId"), m_board->selectedBedId()},
                     {QStringLiteral("reason"), m_reason->text().trimmed()}};
    const QString doctorId = m_doctor->currentData().toString();
    if (!doctorId.isEmpty())
        body.insert(QStringLiteral("attendingDoctorId"), doctorId);
    m_busy = true;
    updateSelection();
    m_status->setText(tr("Admitting…"));
    m_context.api.request(
        "POST", QLatin1String(hms::api::Admissions), {}, body,
        {{"Idempotency-Key", QUuid::createUuid().toByteArray(QUuid::WithoutBraces)}}, this,
        [this, patientName](const Result<QJsonObject> &answer) {
            m_busy = false;
            if (!answer) {
                const Problem &problem = answer.problem();
                m_status->setText(problem.status == 409
                                      ? tr("Not admitted: %1").arg(problemText(problem))
                                      : problemText(problem));
                // The board missed a change (the 409 says so): read the ward again.
                if (problem.status == 409)
                    m_board->reload();
                updateSelection();
                return;
            }
            m_status->setText(tr("%1 is admitted.").arg(patientName));
            m_reason->clear();
            updateSelection();
        });
}

} // namespace hms::client
