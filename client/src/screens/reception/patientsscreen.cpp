#include "screens/reception/patientsscreen.h"

#include "api/apiclient.h"
#include "models/patientsearchmodel.h"
#include "outbox/outbox.h"
#include "screens/common/widgets.h"
#include "shared/patients/patientrules.h"
#include "shared/protocol/apipaths.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace hms::client {

namespace {

constexpr int DebounceMs = 250;
namespace K = hms::patientkeys;

QString addressText(const QJsonObject &address)
{
    QStringList parts;
    for (const char *key :
         {"line1", "line2", "city", "district", "state", "postalCode", "country"}) {
        const QString part = address.value(QLatin1String(key)).toString();
        if (!part.isEmpty())
            parts.append(part);
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace

PatientsScreen::PatientsScreen(const ClientContext &context, bool canCheckIn, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
    , m_model(new PatientSearchModel(context.api, this))
    , m_debounce(new QTimer(this))
{
    setAccessibleName(tr("Patients"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(headingLabel(tr("Patients"), this));

    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("searchEdit"));
    m_search->setAccessibleName(tr("Search patients"));
    m_search->setPlaceholderText(tr("Name, MRN or phone number"));
    m_search->setClearButtonEnabled(true);
    layout->addWidget(m_search);
    m_status = plainLabel(QStringLiteral("searchStatus"), this);
    layout->addWidget(m_status);

    auto *row = new QHBoxLayout;
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("patientTable"));
    m_table->setAccessibleName(tr("Matching patients"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(int(PatientSearchModel::Column::Mrn), 160);
    m_table->setColumnWidth(int(PatientSearchModel::Column::FullName), 220);
    row->addWidget(m_table, 3);

    auto *side = new QVBoxLayout;
    auto *cardBox = new QGroupBox(tr("Patient card"), this);
    cardBox->setObjectName(QStringLiteral("patientCard"));
    m_cardForm = new QFormLayout(cardBox);
    m_cardHint = plainLabel(QStringLiteral("cardHint"), cardBox, tr("Select a patient."));
    m_cardForm->addRow(m_cardHint);
    side->addWidget(cardBox);

    auto *checkInBox = new QGroupBox(tr("Check in"), this);
    checkInBox->setObjectName(QStringLiteral("checkInBox"));
    auto *checkInLayout = new QVBoxLayout(checkInBox);
    m_department = new QComboBox(checkInBox);
    m_department->setObjectName(QStringLiteral("departmentCombo"));
    m_department->setAccessibleName(tr("Department"));
    m_checkIn = new QPushButton(tr("Check &in"), checkInBox);
    m_checkIn->setObjectName(QStringLiteral("checkInButton"));
    m_checkIn->setAccessibleName(tr("Check in"));
    m_checkIn->setEnabled(false);
    m_token = plainLabel(QStringLiteral("tokenLabel"), checkInBox);
    m_token->setAccessibleName(tr("Token number"));
    m_token->setAlignment(Qt::AlignCenter);
    QFont big = m_token->font();
    big.setPointSizeF(big.pointSizeF() * 4);
    big.setBold(true);
    m_token->setFont(big);
    m_checkInStatus = plainLabel(QStringLiteral("checkInStatus"), checkInBox);
    m_checkInStatus->setWordWrap(true);
    checkInLayout->addWidget(m_department);
    checkInLayout->addWidget(m_checkIn);
    checkInLayout->addWidget(m_token);
    checkInLayout->addWidget(m_checkInStatus);
    checkInBox->setVisible(canCheckIn);
    side->addWidget(checkInBox);
    side->addStretch();
    row->addLayout(side, 2);
    layout->addLayout(row, 1);

    setTabOrder(m_search, m_table);
    setTabOrder(m_table, m_department);
    setTabOrder(m_department, m_checkIn);

    m_debounce->setSingleShot(true);
    m_debounce->setInterval(DebounceMs);
    connect(m_search, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, [this]() {
        const QString text = m_search->text().trimmed();
        m_model->setQuery(text);
        if (!text.isEmpty() && text.size() < PatientSearchModel::MinimumQueryLength)
            m_status->setText(
                tr("Type at least %n character(s).", "", PatientSearchModel::MinimumQueryLength));
        else
            m_status->setText(text.isEmpty() ? QString() : tr("Searching…"));
    });
    connect(m_search, &QLineEdit::returnPressed, this, [this]() {
        m_debounce->stop();
        m_model->setQuery(m_search->text());
        m_table->setFocus();
        if (m_model->rowCount() > 0)
            m_table->selectRow(0);
    });
    connect(m_model, &PatientSearchModel::pageLoaded, this, [this](const QString &error) {
        QString status;
        if (!error.isEmpty())
            status = error;
        else if (m_model->rowCount() == 0)
            status = tr("No patient matches.");
        else
            status = tr("%n patient(s) shown.", "", m_model->rowCount());
        if (error.isEmpty() && m_model->wholeWordsOnly())
            status += QLatin1Char(' ')
                + tr("Two letters match whole words only; type a third to match part of a "
                     "name.");
        m_status->setText(status);
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this]() {
        showCard({});
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &PatientsScreen::onSelectionChanged);
    connect(m_checkIn, &QPushButton::clicked, this, &PatientsScreen::checkIn);
    if (canCheckIn)
        loadDepartments(m_context.api, m_department, this, [this](const QString &error) {
            if (!error.isEmpty())
                m_checkInStatus->setText(error);
            m_checkIn->setEnabled(!m_patient.isEmpty() && m_department->count() > 0);
        });
}

void PatientsScreen::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void PatientsScreen::onSelectionChanged()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        showCard({});
        return;
    }
    showCard(m_model->patientAt(current.row()));
}

void PatientsScreen::showCard(const QJsonObject &patient)
{
    m_patient = patient;
    while (m_cardForm->rowCount() > 1)
        m_cardForm->removeRow(1);
    m_cardHint->setVisible(patient.isEmpty());
    m_checkIn->setEnabled(!patient.isEmpty() && m_department->count() > 0);
    m_token->clear();
    m_checkInStatus->clear();
    if (patient.isEmpty())
        return;
    const auto add = [this](const QString &label, const QString &name, const QString &value) {
        QWidget *card = m_cardForm->parentWidget();
        QLabel *field = plainLabel(name, card, value);
        field->setWordWrap(true);
        field->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_cardForm->addRow(plainLabel(name + QStringLiteral("Label"), card, label), field);
    };
    const auto value = [&patient](const char *key) {
        return patient.value(QLatin1String(key)).toString();
    };
    add(tr("Name"), QStringLiteral("cardName"), value(K::FullName));
    add(tr("MRN"), QStringLiteral("cardMrn"), value(K::Mrn));
    add(tr("Date of birth"), QStringLiteral("cardBirthDate"),
        patient.value(QLatin1String(K::BirthDateEstimated)).toBool()
            ? tr("%1 (estimated)").arg(value(K::BirthDate))
            : value(K::BirthDate));
    add(tr("Sex"), QStringLiteral("cardSex"), value(K::Sex));
    add(tr("Phone"), QStringLiteral("cardPhone"), value(K::Phone));
    add(tr("National id"), QStringLiteral("cardNationalId"), value(K::NationalId));
    add(tr("Address"), QStringLiteral("cardAddress"),
        addressText(patient.value(QLatin1String(K::Address)).toObject()));
    QStringList allergies;
    for (const QJsonValue &allergy : patient.value(QLatin1String(K::Allergies)).toArray())
        allergies.append(allergy.toString());
    add(tr("Allergies"), QStringLiteral("cardAllergies"),
        allergies.isEmpty() ? tr("none recorded") : allergies.join(QStringLiteral(", ")));
    const QJsonObject contact = patient.value(QLatin1String(K::EmergencyContact)).toObject();
    if (!contact.isEmpty())
        add(tr("Emergency contact"), QStringLiteral("cardEmergencyContact"),
            tr("%1 (%2), %3")
                .arg(contact.value(QLatin1String("name")).toString(),
                     contact.value(QLatin1String("relation")).toString(),
                     contact.value(QLatin1String("phone")).toString()));
}

void PatientsScreen::checkIn()
{
    if (m_patient.isEmpty() || m_department->currentIndex() < 0)
        return;
    const QJsonObject body{
        {QStringLiteral("patientId"), m_patient.value(QLatin1String(K::Id)).toString()},
        {QStringLiteral("departmentId"), m_department->currentData().toString()}};
    const QString key = Outbox::newIdempotencyKey();
    const QString summary =
        tr("Check in %1 (%2) to %3")
            .arg(m_patient.value(QLatin1String(K::FullName)).toString(),
                 m_patient.value(QLatin1String(K::Mrn)).toString(), m_department->currentText());
    m_checkIn->setEnabled(false);
    m_token->clear();
    m_checkInStatus->setText(tr("Checking in…"));
    m_context.api.request(
        "POST", QLatin1String(hms::api::Visits), {}, body, {{"Idempotency-Key", key.toLatin1()}},
        this, [this, body, key, summary](const Result<QJsonObject> &answer) {
            m_checkIn->setEnabled(!m_patient.isEmpty());
            if (answer) {
                m_token->setText(
                    QString::number(answer.value().value(QLatin1String("token")).toInt()));
                m_checkInStatus->setText(tr("Checked in to %1.").arg(m_department->currentText()));
                return;
            }
            if (ApiClient::isUnreachable(answer.problem())) {
                const Result<qint64> kept =
                    m_context.outbox.enqueue(QLatin1String(Outbox::CheckIn),
                                             QLatin1String(hms::api::Visits), body, key, summary);
                m_token->setText(tr("…"));
                m_checkInStatus->setText(
                    kept ? tr("The server cannot be reached. The check-in is kept and will be "
                              "sent when it is back; the token number comes then.")
                         : kept.problem().detail);
                return;
            }
            m_checkInStatus->setText(problemText(answer.problem()));
        });
}

} // namespace hms::client
