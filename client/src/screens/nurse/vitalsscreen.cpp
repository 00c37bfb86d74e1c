#include "screens/nurse/vitalsscreen.h"

#include "api/apiclient.h"
#include "live/liveconnection.h"
#include "models/vitalsmodel.h"
#include "screens/common/fielderrors.h"
#include "screens/common/widgets.h"
#include "screens/nurse/wardfeed.h"
#include "shared/clinical/clinicalrules.h"
#include "shared/protocol/apipaths.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QUuid>
#include <QVBoxLayout>

namespace hms::client {

namespace {

QByteArray newIdempotencyKey()
{
    return QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
}

/// \a text as a number in this computer's locale or with a decimal point; nullopt otherwise.
std::optional<double> parseNumber(const QString &text, bool decimal)
{
    bool ok = false;
    if (decimal) {
        double value = QLocale().toDouble(text, &ok);
        if (!ok)
            value = QLocale::c().toDouble(text, &ok);
        return ok ? std::optional<double>(value) : std::nullopt;
    }
    const int value = text.toInt(&ok);
    return ok ? std::optional<double>(value) : std::nullopt;
}

} // namespace

VitalsScreen::VitalsScreen(const ClientContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
    , m_chart(new VitalsModel(this))
{
    setAccessibleName(tr("Vitals"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(headingLabel(tr("Vitals"), this));

    auto *top = new QHBoxLayout;
    m_ward = addWardPicker(top, this);
    top->addStretch();
    layout->addLayout(top);

    auto *row = new QHBoxLayout;
    auto *left = new QVBoxLayout;
    m_patients = new QListWidget(this);
    m_patients->setObjectName(QStringLiteral("patientList"));
    m_patients->setAccessibleName(tr("Inpatients"));
    QLabel *patientsLabel = plainLabel(QStringLiteral("patientsLabel"), this, tr("&Inpatients:"));
    patientsLabel->setBuddy(m_patients);
    left->addWidget(patientsLabel);
    left->addWidget(m_patients, 1);
    row->addLayout(left, 1);

    auto *right = new QVBoxLayout;
    m_patientTitle = plainLabel(QStringLiteral("patientTitle"), this, tr("Select an inpatient."));
    styleHeading(m_patientTitle);
    right->addWidget(m_patientTitle);

    auto *general = fieldErrorLabel(QStringLiteral("vitalsGeneralError"), this);
    m_errors = std::make_unique<FieldErrors>(general);
    auto *grid = new QGridLayout;

    struct Spec
    {
        const char *key;
        QString title;
        QString unit;
        bool decimal;
    };

    const QList<Spec> specs = {
        {"temperatureC", tr("&Temperature"), tr("°C (25–45)"), true},
        {"pulse", tr("&Pulse"), tr("/min (20–250)"), false},
        {"systolic", tr("BP s&ystolic"), tr("mmHg (50–260)"), false},
        {"diastolic", tr("BP &diastolic"), tr("mmHg (20–160, below systolic)"), false},
        {"spo2", tr("Sp&O₂"), tr("% (50–100)"), false},
        {"respiration", tr("R&espiration"), tr("/min (4–60)"), false},
        {"painScore", tr("P&ain score"), tr("0–10"), false},
    };
    int gridRow = 0;
    for (const Spec &spec : specs) {
        const QString key = QLatin1String(spec.key);
        auto *edit = new QLineEdit(this);
        edit->setObjectName(key + QStringLiteral("Edit"));
        edit->setAccessibleName(QString(spec.title).remove(QLatin1Char('&')));
        edit->setMaximumWidth(120);
        QLabel *caption = plainLabel(key + QStringLiteral("Label"), this, spec.title);
        caption->setBuddy(edit);
        QLabel *error = fieldErrorLabel(key + QStringLiteral("Error"), this);
        grid->addWidget(caption, gridRow, 0);
        grid->addWidget(edit, gridRow, 1);
        grid->addWidget(plainLabel(key + QStringLiteral("Unit"), this, spec.unit), gridRow, 2);
        grid->addWidget(error, gridRow + 1, 1, 1, 2);
        gridRow += 2;
        m_measurements.append({key, spec.decimal, edit});
        m_errors->add(key, edit, error);
        connect(edit, &QLineEdit::returnPressed, this, &VitalsScreen::recordVitals);
    }
    grid->setColumnStretch(2, 1);
    right->addLayout(grid);
    right->addWidget(general);
    m_record = new QPushButton(tr("&Record vitals"), this);
    m_record->setObjectName(QStringLiteral("recordVitalsButton"));
    m_record->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_record->setToolTip(
        tr("Record vitals (%1)").arg(m_record->shortcut().toString(QKeySequence::NativeText)));
    connect(m_record, &QPushButton::clicked, this, &VitalsScreen::recordVitals);
    right->addWidget(m_record, 0, Qt::AlignLeft);

    m_chartView = new QTableView(this);
    m_chartView->setObjectName(QStringLiteral("vitalsChart"));
    m_chartView->setAccessibleName(tr("Vitals chart"));
    m_chartView->setModel(m_chart);
    m_chartView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_chartView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_chartView->verticalHeader()->hide();
    m_chartView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_chartView->horizontalHeader()->setStretchLastSection(true);
    right->addWidget(plainLabel(QStringLiteral("chartLabel"), this, tr("Chart, newest first:")));
    right->addWidget(m_chartView, 1);

    auto *noteGeneral = fieldErrorLabel(QStringLiteral("noteGeneralError"), this);
    m_noteErrors = std::make_unique<FieldErrors>(noteGeneral);
    m_note = new QPlainTextEdit(this);
    m_note->setObjectName(QStringLiteral("noteEdit"));
    m_note->setAccessibleName(tr("Nursing note"));
    m_note->setTabChangesFocus(true);
    m_note->setMaximumHeight(80);
    QLabel *noteLabel = plainLabel(QStringLiteral("noteLabel"), this, tr("Nursing &note:"));
    noteLabel->setBuddy(m_note);
    QLabel *noteError = fieldErrorLabel(QStringLiteral("textError"), this);
    m_noteErrors->add(QStringLiteral("text"), m_note, noteError);
    m_addNote = new QPushButton(tr("Add &note"), this);
    m_addNote->setObjectName(QStringLiteral("addNoteButton"));
    connect(m_addNote, &QPushButton::clicked, this, &VitalsScreen::addNote);
    connect(m_note, &QPlainTextEdit::textChanged, this, &VitalsScreen::updateButtons);
    right->addWidget(noteLabel);
    right->addWidget(m_note);
    right->addWidget(noteError);
    right->addWidget(noteGeneral);
    right->addWidget(m_addNote, 0, Qt::AlignLeft);
    row->addLayout(right, 3);
    layout->addLayout(row, 1);

    m_status = plainLabel(QStringLiteral("vitalsStatus"), this);
    layout->addWidget(m_status);

    // Keyboard-first: ward, inpatient, the measurements top to bottom, record, chart, note.
    setTabOrder(m_ward, m_patients);
    QWidget *previous = m_patients;
    for (const Measurement &measurement : std::as_const(m_measurements)) {
        setTabOrder(previous, measurement.edit);
        previous = measurement.edit;
    }
    for (QWidget *next : {static_cast<QWidget *>(m_record), static_cast<QWidget *>(m_chartView),
                          static_cast<QWidget *>(m_note), static_cast<QWidget *>(m_addNote)}) {
        setTabOrder(previous, next);
        previous = next;
    }

    connect(m_patients, &QListWidget::currentItemChanged, this, &VitalsScreen::onPatientChanged);
    m_feed = new WardFeed(m_context, m_ward, this);
    connect(m_feed, &WardFeed::failed, m_status, &QLabel::setText);
    connect(m_feed, &WardFeed::wardChanged, this, [this]() {
        m_patients->clear();
    });
    connect(m_feed, &WardFeed::reloadNeeded, this, [this]() {
        reloadPatients();
        reloadChart();
    });
    connect(m_feed, &WardFeed::eventReceived, this, &VitalsScreen::onEvent);
    updateButtons();
}

VitalsScreen::~VitalsScreen() = default;

QLineEdit *VitalsScreen::field(const QString &key) const
{
    for (const Measurement &measurement : m_measurements) {
        if (measurement.key == key)
            return measurement.edit;
    }
    return nullptr;
}

QString VitalsScreen::fieldError(const QString &key) const
{
    return key == QLatin1String("text") ? m_noteErrors->errorOf(key) : m_errors->errorOf(key);
}

QString VitalsScreen::statusText() const
{
    return m_status->text();
}

bool VitalsScreen::selectAdmission(const QString &admissionId)
{
    for (int row = 0; row < m_patients->count(); ++row) {
        if (m_patients->item(row)->data(Qt::UserRole).toString() == admissionId) {
            m_patients->setCurrentRow(row);
            return true;
        }
    }
    return false;
}

void VitalsScreen::reloadPatients()
{
    const QString wardId = m_feed->wardId();
    if (wardId.isEmpty())
        return;
    const int generation = ++m_patientsGeneration;
    m_context.api.get(
        QLatin1String(hms::api::BedBoard), this,
        [this, generation, wardId](const Result<QJsonObject> &answer) {
            if (generation != m_patientsGeneration)
                return;
            if (!answer) {
                m_status->setText(problemText(answer.problem()));
                return;
            }
            const QString keep = m_admissionId;
            const QSignalBlocker blocker(m_patients);
            m_patients->clear();
            for (const QJsonValue &value : answer.value().value(QLatin1String("beds")).toArray()) {
                const QJsonObject bed = value.toObject();
                const QJsonObject occupant = bed.value(QLatin1String("occupant")).toObject();
                if (bed.value(QLatin1String("wardId")).toString() != wardId || occupant.isEmpty())
                    continue;
                auto *item = new QListWidgetItem(
                    tr("%1   %2 (%3)")
                        .arg(bed.value(QLatin1String("code")).toString(),
                             occupant.value(QLatin1String("fullName")).toString(),
                             occupant.value(QLatin1String("mrn")).toString()),
                    m_patients);
                item->setData(Qt::UserRole,
                              occupant.value(QLatin1String("admissionId")).toString());
            }
            if (m_patients->count() == 0)
                m_status->setText(tr("No inpatient on this ward."));
            if (!keep.isEmpty() && !selectAdmission(keep)) {
                // Discharged or transferred meanwhile: the form no longer has a patient.
                m_status->setText(tr("That patient is no longer on this ward."));
                onPatientChanged();
            }
        });
}

void VitalsScreen::onPatientChanged()
{
    QListWidgetItem *item = m_patients->currentItem();
    const QString admissionId = item ? item->data(Qt::UserRole).toString() : QString();
    m_patientTitle->setText(item ? item->text() : tr("Select an inpatient."));
    if (admissionId == m_admissionId)
        return;
    m_admissionId = admissionId;
    m_errors->clear();
    m_noteErrors->clear();
    m_chart->setDocuments({});
    updateButtons();
    reloadChart();
}

void VitalsScreen::reloadChart()
{
    if (m_admissionId.isEmpty())
        return;
    const int generation = ++m_chartGeneration;
    m_context.api.get(ApiClient::pathWithId(hms::api::AdmissionVitals, m_admissionId), this,
                      [this, generation](const Result<QJsonObject> &answer) {
                          if (generation != m_chartGeneration)
                              return;
                          if (!answer) {
                              m_status->setText(problemText(answer.problem()));
                              return;
                          }
                          QList<QJsonObject> documents;
                          for (const QJsonValue &value :
                               answer.value().value(QLatin1String("items")).toArray())
                              documents.append(value.toObject());
                          m_chart->setDocuments(documents);
                      });
}

void VitalsScreen::onEvent(const LiveEvent &event)
{
    if (event.type == QLatin1String("vitals.recorded")) {
        if (event.data.value(QLatin1String("admissionId")).toString() == m_admissionId)
            reloadChart();
        return;
    }
    // Medication and note events do not change who lies where; bed and admission events may.
    if (event.type.startsWith(QLatin1String("medication."))
        || event.type.startsWith(QLatin1String("prescription."))
        || event.type.startsWith(QLatin1String("nursing_note.")))
        return;
    reloadPatients();
}

void VitalsScreen::updateButtons()
{
    m_record->setEnabled(!m_busy && !m_admissionId.isEmpty());
    m_addNote->setEnabled(!m_busy && !m_admissionId.isEmpty()
                          && !m_note->toPlainText().trimmed().isEmpty());
}

void VitalsScreen::setBusy(bool busy)
{
    m_busy = busy;
    updateButtons();
}

void VitalsScreen::recordVitals()
{
    if (m_busy || m_admissionId.isEmpty())
        return;
    m_errors->clear();
    QJsonObject body;
    QList<hms::FieldError> errors;
    for (const Measurement &measurement : std::as_const(m_measurements)) {
        const QString text = measurement.edit->text().trimmed();
        if (text.isEmpty())
            continue;
        if (const std::optional<double> value = parseNumber(text, measurement.decimal))
            body.insert(measurement.key, *value);
        else
            errors.append(
                {measurement.key,
                 measurement.decimal ? tr("must be a number") : tr("must be a whole number")});
    }
    if (errors.isEmpty()) {
        // The rules the server applies (shared/clinical), before anything is sent.
        const Result<QJsonObject> checked =
            hms::validateClinicalBody(QLatin1String(hms::clinicalkinds::Vitals), body, QString());
        if (!checked)
            errors = checked.problem().errors;
    }
    if (!errors.isEmpty()) {
        m_errors->show(errors);
        m_status->setText(tr("Not recorded: check the values marked in red."));
        return;
    }
    setBusy(true);
    m_status->setText(tr("Recording…"));
    ++m_requestsSent;
    const QString admissionId = m_admissionId;
    m_context.api.request("POST", ApiClient::pathWithId(hms::api::AdmissionVitals, admissionId), {},
                          body, {{"Idempotency-Key", newIdempotencyKey()}}, this,
                          [this, admissionId](const Result<QJsonObject> &answer) {
                              setBusy(false);
                              if (!answer) {
                                  if (admissionId == m_admissionId)
                                      m_errors->show(answer.problem().errors);
                                  m_status->setText(
                                      tr("Not recorded: %1").arg(problemText(answer.problem())));
                                  return;
                              }
                              m_status->setText(tr("Vitals recorded."));
                              if (admissionId != m_admissionId)
                                  return;
                              for (const Measurement &measurement : std::as_const(m_measurements))
                                  measurement.edit->clear();
                              if (!m_measurements.isEmpty())
                                  m_measurements.first().edit->setFocus(Qt::OtherFocusReason);
                              reloadChart(); // the live event does the same for every other screen
                          });
}

void VitalsScreen::addNote()
{
    const QString text = m_note->toPlainText().trimmed();
    if (m_busy || m_admissionId.isEmpty() || text.isEmpty())
        return;
    m_noteErrors->clear();
    const QJsonObject body{{QStringLiteral("text"), text}};
    if (const Result<QJsonObject> checked = hms::validateClinicalBody(
            QLatin1String(hms::clinicalkinds::NursingNote), body, QString());
        !checked) {
        m_noteErrors->show(checked.problem().errors);
        return;
    }
    setBusy(true);
    ++m_requestsSent;
    const QString admissionId = m_admissionId;
    m_context.api.request(
        "POST", ApiClient::pathWithId(hms::api::AdmissionNursingNotes, admissionId), {}, body,
        {{"Idempotency-Key", newIdempotencyKey()}}, this,
        [this, admissionId](const Result<QJsonObject> &answer) {
            setBusy(false);
            if (!answer) {
                if (admissionId == m_admissionId)
                    m_noteErrors->show(answer.problem().errors);
                m_status->setText(tr("Note not saved: %1").arg(problemText(answer.problem())));
                return;
            }
            m_status->setText(tr("Nursing note saved."));
            if (admissionId == m_admissionId)
                m_note->clear();
        });
}

} // namespace hms::client
