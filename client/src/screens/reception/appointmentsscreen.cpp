#include "screens/reception/appointmentsscreen.h"

#include "api/apiclient.h"
#include "live/liveconnection.h"
#include "models/appointmentmodel.h"
#include "models/doctornames.h"
#include "models/slotmodel.h"
#include "screens/common/patientpicker.h"
#include "screens/common/widgets.h"
#include "shared/protocol/apipaths.h"

#include <QComboBox>
#include <QDateEdit>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QTableView>
#include <QUrlQuery>
#include <QUuid>
#include <QVBoxLayout>

namespace hms::client {

namespace {

QByteArray ifMatch(const QJsonObject &row)
{
    return '"' + QByteArray::number(row.value(QLatin1String("version")).toInt()) + '"';
}

QList<QJsonObject> itemsOf(const QJsonObject &answer)
{
    QList<QJsonObject> items;
    for (const QJsonValue &value : answer.value(QLatin1String("items")).toArray())
        items.append(value.toObject());
    return items;
}

} // namespace

AppointmentsScreen::AppointmentsScreen(const ClientContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
    , m_slots(new SlotModel(this))
    , m_appointments(new AppointmentModel(this))
    , m_doctorNames(new DoctorNames(context.api, this))
{
    setAccessibleName(tr("Appointments"));
    m_slots->setDoctorNames(m_doctorNames);
    m_appointments->setDoctorNames(m_doctorNames);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(headingLabel(tr("Appointments"), this));

    auto *top = new QHBoxLayout;
    m_department = new QComboBox(this);
    m_department->setObjectName(QStringLiteral("appointmentDepartment"));
    m_department->setAccessibleName(tr("Department"));
    m_department->setMinimumWidth(200);
    m_doctor = new QComboBox(this);
    m_doctor->setObjectName(QStringLiteral("appointmentDoctor"));
    m_doctor->setAccessibleName(tr("Doctor"));
    m_doctor->setMinimumWidth(140);
    m_date = new QDateEdit(QDate::currentDate(), this);
    m_date->setObjectName(QStringLiteral("appointmentDate"));
    m_date->setAccessibleName(tr("Date"));
    m_date->setCalendarPopup(true);
    m_date->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    m_date->setMinimumDate(QDate::currentDate().addDays(-1));
    top->addWidget(
        plainLabel(QStringLiteral("appointmentDepartmentLabel"), this, tr("Department:")));
    top->addWidget(m_department);
    top->addWidget(plainLabel(QStringLiteral("appointmentDoctorLabel"), this, tr("Doctor:")));
    top->addWidget(m_doctor);
    top->addWidget(plainLabel(QStringLiteral("appointmentDateLabel"), this, tr("Date:")));
    top->addWidget(m_date);
    top->addStretch();
    layout->addLayout(top);

    auto *middle = new QHBoxLayout;
    auto *slotBox = new QGroupBox(tr("Free slots"), this);
    auto *slotLayout = new QVBoxLayout(slotBox);
    m_slotList = new QListView(slotBox);
    m_slotList->setObjectName(QStringLiteral("slotList"));
    m_slotList->setAccessibleName(tr("Free slots"));
    m_slotList->setModel(m_slots);
    m_slotList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    slotLayout->addWidget(m_slotList);
    middle->addWidget(slotBox, 1);

    auto *bookBox = new QGroupBox(tr("Book for a patient"), this);
    auto *bookLayout = new QVBoxLayout(bookBox);
    m_patient = new PatientPicker(context.api, QStringLiteral("appointment"), bookBox);
    bookLayout->addWidget(m_patient, 1);
    auto *reasonRow = new QFormLayout;
    m_reason = new QLineEdit(bookBox);
    m_reason->setObjectName(QStringLiteral("appointmentReason"));
    m_reason->setAccessibleName(tr("Reason for the visit"));
    m_reason->setMaxLength(500);
    QLabel *reasonLabel =
        plainLabel(QStringLiteral("appointmentReasonLabel"), bookBox, tr("&Reason (optional):"));
    reasonLabel->setBuddy(m_reason);
    reasonRow->addRow(reasonLabel, m_reason);
    bookLayout->addLayout(reasonRow);
    m_book = new QPushButton(tr("&Book the selected slot"), bookBox);
    m_book->setObjectName(QStringLiteral("bookButton"));
    bookLayout->addWidget(m_book);
    middle->addWidget(bookBox, 1);
    layout->addLayout(middle, 2);

    auto *listBox = new QGroupBox(tr("Appointments of the selected patient"), this);
    auto *listLayout = new QVBoxLayout(listBox);
    m_table = new QTableView(listBox);
    m_table->setObjectName(QStringLiteral("appointmentTable"));
    m_table->setAccessibleName(tr("Appointments of the selected patient"));
    m_table->setModel(m_appointments);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(int(AppointmentModel::Column::When), 150);
    listLayout->addWidget(m_table, 1);
    auto *actions = new QHBoxLayout;
    m_checkIn = new QPushButton(tr("Check &in"), listBox);
    m_checkIn->setObjectName(QStringLiteral("appointmentCheckIn"));
    m_reschedule = new QPushButton(tr("&Move to the selected slot"), listBox);
    m_reschedule->setObjectName(QStringLiteral("rescheduleButton"));
    m_cancelReason = new QLineEdit(listBox);
    m_cancelReason->setObjectName(QStringLiteral("cancelReason"));
    m_cancelReason->setAccessibleName(tr("Reason for cancelling"));
    m_cancelReason->setPlaceholderText(tr("Reason for cancelling"));
    m_cancelReason->setMaxLength(500);
    m_cancel = new QPushButton(tr("Ca&ncel appointment"), listBox);
    m_cancel->setObjectName(QStringLiteral("cancelAppointmentButton"));
    for (QWidget *widget :
         std::initializer_list<QWidget *>{m_checkIn, m_reschedule, m_cancelReason, m_cancel})
        actions->addWidget(widget);
    listLayout->addLayout(actions);
    m_token = plainLabel(QStringLiteral("appointmentToken"), listBox);
    m_token->setAccessibleName(tr("Token number"));
    QFont big = m_token->font();
    big.setPointSizeF(big.pointSizeF() * 2);
    big.setBold(true);
    m_token->setFont(big);
    listLayout->addWidget(m_token);
    layout->addWidget(listBox, 2);
    m_status = plainLabel(QStringLiteral("appointmentStatus"), this);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    setTabOrder(m_department, m_doctor);
    setTabOrder(m_doctor, m_date);
    setTabOrder(m_date, m_slotList);
    setTabOrder(m_slotList, m_patient->searchField());
    setTabOrder(m_patient->searchField(), m_patient->list());
    setTabOrder(m_patient->list(), m_reason);
    setTabOrder(m_reason, m_book);
    setTabOrder(m_book, m_table);

    connect(m_department, &QComboBox::currentIndexChanged, this,
            &AppointmentsScreen::onDepartmentChanged);
    connect(m_doctor, &QComboBox::currentIndexChanged, this, &AppointmentsScreen::reloadSlots);
    connect(m_date, &QDateEdit::dateChanged, this, &AppointmentsScreen::reloadSlots);
    connect(m_patient, &PatientPicker::patientChanged, this,
            &AppointmentsScreen::reloadAppointments);
    connect(m_slotList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &AppointmentsScreen::updateActions);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &AppointmentsScreen::updateActions);
    connect(m_slots, &QAbstractItemModel::modelReset, this, &AppointmentsScreen::updateActions);
    connect(m_appointments, &QAbstractItemModel::modelReset, this,
            &AppointmentsScreen::updateActions);
    connect(m_cancelReason, &QLineEdit::textChanged, this, &AppointmentsScreen::updateActions);
    connect(m_book, &QPushButton::clicked, this, &AppointmentsScreen::book);
    connect(m_cancel, &QPushButton::clicked, this, &AppointmentsScreen::cancelSelected);
    connect(m_reschedule, &QPushButton::clicked, this, &AppointmentsScreen::rescheduleSelected);
    connect(m_checkIn, &QPushButton::clicked, this, &AppointmentsScreen::checkInSelected);
    connect(&m_context.live, &LiveConnection::eventReceived, this, &AppointmentsScreen::onEvent);
    connect(&m_context.live, &LiveConnection::resyncRequired, this, [this]() {
        reloadSlots();
        reloadAppointments();
    });
    connect(&m_context.live, &LiveConnection::subscribed, this, [this](const QStringList &topics) {
        if (!m_topic.isEmpty() && topics.contains(m_topic))
            reloadSlots(); // the snapshot after the subscription: no event falls in between
    });
    loadDepartments(m_context.api, m_department, this, [this](const QString &error) {
        if (!error.isEmpty())
            m_status->setText(error);
        else if (m_department->count() == 0)
            m_status->setText(tr("No department is set up yet."));
    });
    updateActions();
}

AppointmentsScreen::~AppointmentsScreen()
{
    if (!m_topic.isEmpty())
        m_context.live.unsubscribe(m_topic);
}

QString AppointmentsScreen::statusText() const
{
    return m_status->text();
}

QString AppointmentsScreen::tokenText() const
{
    return m_token->text();
}

void AppointmentsScreen::onDepartmentChanged()
{
    const QString departmentId = m_department->currentData().toString();
    const QString wanted =
        departmentId.isEmpty() ? QString() : QStringLiteral("queue:%1").arg(departmentId);
    if (wanted != m_topic) {
        if (!m_topic.isEmpty())
            m_context.live.unsubscribe(m_topic);
        m_topic = wanted;
        if (!m_topic.isEmpty())
            m_context.live.subscribe(m_topic);
    }
    const QSignalBlocker blocker(m_doctor);
    loadDoctors(m_context.api, departmentId, m_doctor, tr("Any doctor"), this);
    m_doctorNames->loadDepartment(departmentId);
    reloadSlots();
}

void AppointmentsScreen::reloadSlots()
{
    const QString departmentId = m_department->currentData().toString();
    const int generation = ++m_slotGeneration;
    if (departmentId.isEmpty()) {
        m_slots->setSlots({});
        return;
    }
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("date"), m_date->date().toString(Qt::ISODate));
    const QString doctorId = m_doctor->currentData().toString();
    if (!doctorId.isEmpty())
        query.addQueryItem(QStringLiteral("doctorId"), doctorId);
    m_context.api.get(ApiClient::pathWithId(hms::api::DepartmentSlots, departmentId), query, this,
                      [this, generation](const Result<QJsonObject> &answer) {
                          if (generation != m_slotGeneration)
                              return;
                          if (!answer) {
                              m_status->setText(problemText(answer.problem()));
                              return;
                          }
                          // Keep the selection on the same slot when it is still free.
                          const QModelIndex current = m_slotList->currentIndex();
                          const QString doctor = current.data(SlotModel::DoctorIdRole).toString();
                          const QString start = current.data(SlotModel::StartRole).toString();
                          m_slots->setSlots(itemsOf(answer.value()));
                          const int row = m_slots->rowOf(doctor, start);
                          if (row >= 0)
                              m_slotList->setCurrentIndex(m_slots->index(row));
                      });
}

void AppointmentsScreen::reloadAppointments()
{
    const QString patientId = m_patient->patientId();
    const int generation = ++m_appointmentGeneration;
    if (patientId.isEmpty()) {
        m_appointments->setAppointments({});
        return;
    }
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("patientId"), patientId);
    m_context.api.get(
        QLatin1String(hms::api::Appointments), query, this,
        [this, generation](const Result<QJsonObject> &answer) {
            if (generation != m_appointmentGeneration)
                return;
            if (!answer) {
                m_status->setText(problemText(answer.problem()));
                return;
            }
            const QString selected = selectedAppointment().value(QLatin1String("id")).toString();
            const QList<QJsonObject> rows = itemsOf(answer.value());
            // Appointments of other departments name their doctors too.
            for (const QJsonObject &row : rows)
                m_doctorNames->loadDepartment(row.value(QLatin1String("departmentId")).toString());
            m_appointments->setAppointments(rows);
            const int row = m_appointments->rowOf(selected);
            if (row >= 0)
                m_table->setCurrentIndex(m_appointments->index(row, 0));
        });
}

void AppointmentsScreen::onEvent(const LiveEvent &event)
{
    if (event.topic != m_topic || !event.type.startsWith(QLatin1String("appointment.")))
        return;
    reloadSlots();
    const QString patientId = event.data.value(QLatin1String("patientId")).toString();
    if (!patientId.isEmpty() && patientId == m_patient->patientId())
        reloadAppointments();
}

QJsonObject AppointmentsScreen::selectedAppointment() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? m_appointments->appointmentAt(current.row()) : QJsonObject();
}

void AppointmentsScreen::updateActions()
{
    const bool slotSelected = m_slotList->currentIndex().isValid();
    const QJsonObject appointment = selectedAppointment();
    const bool booked =
        appointment.value(QLatin1String("state")).toString() == QLatin1String("booked");
    m_book->setEnabled(slotSelected && !m_patient->patientId().isEmpty());
    m_checkIn->setEnabled(booked);
    m_reschedule->setEnabled(booked && slotSelected);
    m_cancel->setEnabled(booked && !m_cancelReason->text().trimmed().isEmpty());
}

void AppointmentsScreen::showAnswer(const Result<QJsonObject> &answer, const QString &success)
{
    if (answer) {
        m_status->setText(success);
    } else {
        const Problem &problem = answer.problem();
        m_status->setText(problem.status == 409 ? tr("Not done: %1").arg(problemText(problem))
                                                : problemText(problem));
    }
    // Whatever happened, show the server's view now (a 409 means this screen was behind).
    reloadSlots();
    reloadAppointments();
}

void AppointmentsScreen::book()
{
    const QModelIndex slot = m_slotList->currentIndex();
    const QString patientId = m_patient->patientId();
    if (!slot.isValid() || patientId.isEmpty()) {
        m_status->setText(tr("Select a free slot and the patient first."));
        return;
    }
    QJsonObject body{{QStringLiteral("patientId"), patientId},
                     {QStringLiteral("departmentId"), m_department->currentData().toString()},
                     {QStringLiteral("doctorId"), slot.data(SlotModel::DoctorIdRole).toString()},
                     {QStringLiteral("start"), slot.data(SlotModel::StartRole).toString()}};
    if (!m_reason->text().trimmed().isEmpty())
        body.insert(QStringLiteral("reason"), m_reason->text().trimmed());
    const QString when = slot.data(Qt::DisplayRole).toString();
    const QString patient = m_patient->patientName();
    m_book->setEnabled(false);
    m_context.api.request(
        "POST", QLatin1String(hms::api::Appointments), {}, body,
        {{"Idempotency-Key", QUuid::createUuid().toByteArray(QUuid::WithoutBraces)}}, this,
        [this, when, patient](const Result<QJsonObject> &answer) {
            if (answer)
                m_reason->clear();
            showAnswer(answer, tr("Booked %1 for %2.").arg(when, patient));
        });
}

void AppointmentsScreen::cancelSelected()
{
    const QJsonObject appointment = selectedAppointment();
    const QString reason = m_cancelReason->text().trimmed();
    if (appointment.isEmpty() || reason.isEmpty()) {
        m_status->setText(tr("Select a booked appointment and give the reason for cancelling."));
        return;
    }
    m_cancel->setEnabled(false);
    m_context.api.request(
        "POST",
        ApiClient::pathWithId(hms::api::AppointmentCancel,
                              appointment.value(QLatin1String("id")).toString()),
        {}, QJsonObject{{QStringLiteral("reason"), reason}}, {{"If-Match", ifMatch(appointment)}},
        this, [this](const Result<QJsonObject> &answer) {
            if (answer)
                m_cancelReason->clear();
            showAnswer(answer, tr("The appointment is cancelled; its slot is free again."));
        });
}

void AppointmentsScreen::rescheduleSelected()
{
    const QJsonObject appointment = selectedAppointment();
    const QModelIndex slot = m_slotList->currentIndex();
    if (appointment.isEmpty() || !slot.isValid()) {
        m_status->setText(tr("Select the appointment and the free slot to move it to."));
        return;
    }
    if (slot.data(SlotModel::DoctorIdRole).toString()
        != appointment.value(QLatin1String("doctorId")).toString()) {
        m_status->setText(
            tr("An appointment moves to a slot of its own doctor (%1); cancel and book to change "
               "the doctor.")
                .arg(m_doctorNames->nameOf(
                    appointment.value(QLatin1String("doctorId")).toString())));
        return;
    }
    const QString when = slot.data(Qt::DisplayRole).toString();
    m_reschedule->setEnabled(false);
    m_context.api.request(
        "POST",
        ApiClient::pathWithId(hms::api::AppointmentReschedule,
                              appointment.value(QLatin1String("id")).toString()),
        {}, QJsonObject{{QStringLiteral("start"), slot.data(SlotModel::StartRole).toString()}},
        {{"If-Match", ifMatch(appointment)}}, this,
        [this, when](const Result<QJsonObject> &answer) {
            showAnswer(answer, tr("The appointment is moved to %1.").arg(when));
        });
}

void AppointmentsScreen::checkInSelected()
{
    const QJsonObject appointment = selectedAppointment();
    if (appointment.isEmpty())
        return;
    m_checkIn->setEnabled(false);
    m_context.api.request(
        "POST", QLatin1String(hms::api::Visits), {},
        QJsonObject{{QStringLiteral("appointmentId"), appointment.value(QLatin1String("id"))}},
        {{"Idempotency-Key", QUuid::createUuid().toByteArray(QUuid::WithoutBraces)}}, this,
        [this](const Result<QJsonObject> &answer) {
            if (answer)
                m_token->setText(
                    tr("Token %1").arg(answer.value().value(QLatin1String("token")).toInt()));
            showAnswer(answer, tr("Checked in."));
        });
}

} // namespace hms::client
