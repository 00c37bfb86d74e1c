#include "screens/reception/registerscreen.h"

#include "ui_registerscreen.h"

#include "api/apiclient.h"
#include "outbox/outbox.h"
#include "screens/common/widgets.h"
#include "screens/reception/duplicatedialog.h"
#include "shared/patients/patientrules.h"
#include "shared/protocol/apipaths.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>

#include <tuple>

namespace hms::client {

namespace {

namespace K = hms::patientkeys;

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

} // namespace

RegisterScreen::~RegisterScreen() = default;

RegisterScreen::RegisterScreen(const ClientContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
    , m_ui(std::make_unique<Ui::RegisterScreen>())
{
    // The layout, captions, tab order and buddies come from registerscreen.ui (Qt Designer).
    m_ui->setupUi(this);
    styleHeading(m_ui->screenTitle);
    m_fullName = m_ui->fullNameEdit;
    m_birthDate = m_ui->birthDateEdit;
    m_ageOnly = m_ui->ageOnlyCheck;
    m_age = m_ui->estimatedAgeYearsEdit;
    m_sex = m_ui->sexEdit;
    m_phone = m_ui->phoneEdit;
    m_nationalId = m_ui->nationalIdEdit;
    m_addressLine = m_ui->addressLine1Edit;
    m_city = m_ui->addressCityEdit;
    m_contactName = m_ui->contactNameEdit;
    m_contactRelation = m_ui->contactRelationEdit;
    m_contactPhone = m_ui->contactPhoneEdit;
    m_allergies = m_ui->allergiesEdit;
    m_submit = m_ui->registerButton;
    m_status = m_ui->registerStatus;
    m_generalError = m_ui->generalError;
    m_outbox = m_ui->outboxList;
    m_discard = m_ui->discardButton;
    m_outboxTitle = m_ui->outboxTitle;

    // Field key (as in the JSON and the server's errors[].field) -> input and error label.
    const QList<std::tuple<QString, QWidget *, QLabel *>> fields = {
        {key(K::FullName), m_fullName, m_ui->fullNameError},
        {key(K::BirthDate), m_birthDate, m_ui->birthDateError},
        {key(K::EstimatedAgeYears), m_age, m_ui->estimatedAgeYearsError},
        {key(K::Sex), m_sex, m_ui->sexError},
        {key(K::Phone), m_phone, m_ui->phoneError},
        {key(K::NationalId), m_nationalId, m_ui->nationalIdError},
        {QStringLiteral("address.line1"), m_addressLine, m_ui->addressLine1Error},
        {QStringLiteral("address.city"), m_city, m_ui->addressCityError},
        {QStringLiteral("emergencyContact.name"), m_contactName, m_ui->contactNameError},
        {QStringLiteral("emergencyContact.relation"), m_contactRelation,
         m_ui->contactRelationError},
        {QStringLiteral("emergencyContact.phone"), m_contactPhone, m_ui->contactPhoneError},
        {key(K::Allergies), m_allergies, m_ui->allergiesError},
    };
    for (const auto &[field, input, error] : fields) {
        styleFieldError(error);
        m_fieldWidgets.insert(field, input);
        m_errorLabels.insert(field, error);
    }
    styleFieldError(m_generalError);

    // Limits from the shared rules, so the form and the server never disagree.
    m_fullName->setMaxLength(hms::patientlimits::FullNameMax);
    m_nationalId->setMaxLength(hms::patientlimits::NationalIdMax);
    m_age->setRange(0, hms::patientlimits::EstimatedAgeMax);
    m_sex->addItem(tr("Female"), QStringLiteral("F"));
    m_sex->addItem(tr("Male"), QStringLiteral("M"));
    m_sex->addItem(tr("Other"), QStringLiteral("X"));
    m_sex->addItem(tr("Unknown"), QStringLiteral("U"));
    connect(m_ageOnly, &QCheckBox::toggled, this, [this](bool ageOnly) {
        m_age->setEnabled(ageOnly);
        m_birthDate->setEnabled(!ageOnly);
    });
    connect(m_outbox, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        m_discard->setEnabled(item && item->data(Qt::UserRole + 1).toBool());
    });
    connect(m_discard, &QPushButton::clicked, this, [this]() {
        if (QListWidgetItem *item = m_outbox->currentItem())
            m_context.outbox.discard(item->data(Qt::UserRole).toLongLong());
    });

    connect(m_submit, &QPushButton::clicked, this, &RegisterScreen::submit);
    for (QLineEdit *edit : findChildren<QLineEdit *>())
        connect(edit, &QLineEdit::returnPressed, this, &RegisterScreen::submit);
    connect(&m_context.outbox, &Outbox::changed, this, &RegisterScreen::refreshOutbox);
    connect(&m_context.outbox, &Outbox::delivered, this,
            [this](const OutboxItem &item, const QJsonObject &answer) {
                if (item.kind == QLatin1String(Outbox::Registration))
                    m_status->setText(tr("A registration kept offline was sent: MRN %1.")
                                          .arg(answer.value(QLatin1String(K::Mrn)).toString()));
            });
    refreshOutbox();
}

void RegisterScreen::focusFirstField()
{
    m_fullName->setFocus(Qt::ShortcutFocusReason);
}

QJsonObject RegisterScreen::formJson() const
{
    QJsonObject json;
    json.insert(key(K::FullName), m_fullName->text());
    if (m_ageOnly->isChecked())
        json.insert(key(K::EstimatedAgeYears), m_age->value());
    else
        json.insert(key(K::BirthDate), m_birthDate->text().trimmed());
    json.insert(key(K::Sex), m_sex->currentData().toString());
    json.insert(key(K::Phone), m_phone->text().trimmed());
    if (!m_nationalId->text().trimmed().isEmpty())
        json.insert(key(K::NationalId), m_nationalId->text().trimmed());
    QJsonObject address;
    if (!m_addressLine->text().trimmed().isEmpty())
        address.insert(QStringLiteral("line1"), m_addressLine->text().trimmed());
    if (!m_city->text().trimmed().isEmpty())
        address.insert(QStringLiteral("city"), m_city->text().trimmed());
    if (!address.isEmpty())
        json.insert(key(K::Address), address);
    QJsonObject contact;
    if (!m_contactName->text().trimmed().isEmpty())
        contact.insert(QStringLiteral("name"), m_contactName->text().trimmed());
    if (!m_contactRelation->text().trimmed().isEmpty())
        contact.insert(QStringLiteral("relation"), m_contactRelation->text().trimmed());
    if (!m_contactPhone->text().trimmed().isEmpty())
        contact.insert(QStringLiteral("phone"), m_contactPhone->text().trimmed());
    if (!contact.isEmpty())
        json.insert(key(K::EmergencyContact), contact);
    QJsonArray allergies;
    for (const QString &allergy : m_allergies->text().split(QLatin1Char(','))) {
        const QString clean = allergy.simplified();
        if (!clean.isEmpty() && !allergies.contains(clean))
            allergies.append(clean);
    }
    if (!allergies.isEmpty())
        json.insert(key(K::Allergies), allergies);
    return json;
}

void RegisterScreen::submit()
{
    if (!m_submit->isEnabled())
        return;
    clearErrors();
    m_status->clear();
    const QJsonObject body = formJson();
    // The same rules as the server (shared/patients): most mistakes never leave the desk.
    const Result<hms::PatientInput> checked = hms::patientFromJson(body, false);
    if (!checked) {
        showErrors(checked.problem().errors);
        return;
    }
    send(body);
}

void RegisterScreen::send(const QJsonObject &body)
{
    const QString key = Outbox::newIdempotencyKey();
    m_submit->setEnabled(false);
    m_status->setText(tr("Registering…"));
    m_context.api.request("POST", QLatin1String(hms::api::Patients), {}, body,
                          {{"Idempotency-Key", key.toLatin1()}}, this,
                          [this, body, key](const Result<QJsonObject> &answer) {
                              onAnswer(body, key, answer);
                          });
}

void RegisterScreen::onAnswer(const QJsonObject &body,
                              const QString &key,
                              const Result<QJsonObject> &answer)
{
    m_submit->setEnabled(true);
    if (answer) {
        const QJsonObject patient = answer.value();
        m_status->setText(tr("Registered %1 with MRN %2.")
                              .arg(patient.value(QLatin1String(K::FullName)).toString(),
                                   patient.value(QLatin1String(K::Mrn)).toString()));
        clearForm();
        Q_EMIT registered(patient);
        return;
    }
    const Problem &problem = answer.problem();
    if (ApiClient::isUnreachable(problem)) {
        const Result<qint64> kept = m_context.outbox.enqueue(
            QLatin1String(Outbox::Registration), QLatin1String(hms::api::Patients), body, key,
            tr("Register %1").arg(body.value(QLatin1String(K::FullName)).toString()));
        if (kept) {
            m_status->setText(tr("The server cannot be reached. The registration is kept and "
                                 "will be sent when the server is back (see below)."));
            clearForm();
        } else {
            m_status->setText(kept.problem().detail);
        }
        return;
    }
    m_status->clear();
    if (problem.type == QLatin1String(hms::problems::PossibleDuplicate.slug)
        || problem.type == QLatin1String(hms::problems::AlreadyRegistered.slug)) {
        showErrors(problem.errors);
        const bool canOverride =
            problem.type == QLatin1String(hms::problems::PossibleDuplicate.slug);
        auto *dialog = new DuplicateDialog(
            problem.extensions.value(QLatin1String("candidates")).toArray(), canOverride, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &DuplicateDialog::registerAnywayRequested, this,
                [this, body](const QString &reason) {
                    QJsonObject withReason = body;
                    withReason.insert(QLatin1String(K::DuplicateOverrideReason), reason);
                    send(withReason);
                });
        dialog->open();
        return;
    }
    if (!problem.errors.isEmpty()) {
        showErrors(problem.errors);
        return;
    }
    m_generalError->setText(problemText(problem));
    m_generalError->setVisible(true);
}

QLabel *RegisterScreen::errorLabelFor(const QString &field) const
{
    if (QLabel *label = m_errorLabels.value(field))
        return label;
    // allergies[3] -> allergies; address.state -> the address line
    const QString base = field.section(QLatin1Char('['), 0, 0);
    if (QLabel *label = m_errorLabels.value(base))
        return label;
    if (base.startsWith(QLatin1String("address.")))
        return m_errorLabels.value(QStringLiteral("address.line1"));
    return nullptr;
}

QWidget *RegisterScreen::fieldWidgetFor(const QString &field) const
{
    const QString base = field.section(QLatin1Char('['), 0, 0);
    if (QWidget *widget = m_fieldWidgets.value(base))
        return widget;
    return base.startsWith(QLatin1String("address.")) ? m_addressLine : nullptr;
}

void RegisterScreen::showErrors(const QList<hms::FieldError> &errors)
{
    QWidget *first = nullptr;
    QStringList general;
    for (const hms::FieldError &error : errors) {
        QLabel *label = errorLabelFor(error.field);
        if (!label) {
            general.append(tr("%1: %2").arg(error.field, error.message));
            continue;
        }
        const QString text = label->isVisible() && !label->text().isEmpty()
            ? label->text() + QLatin1Char('\n') + error.message
            : error.message;
        label->setText(text);
        label->setVisible(true);
        if (!first)
            first = fieldWidgetFor(error.field);
    }
    if (!general.isEmpty()) {
        m_generalError->setText(general.join(QLatin1Char('\n')));
        m_generalError->setVisible(true);
    }
    if (first)
        first->setFocus(Qt::OtherFocusReason);
}

void RegisterScreen::clearErrors()
{
    for (QLabel *label : std::as_const(m_errorLabels)) {
        label->clear();
        label->setVisible(false);
    }
    m_generalError->clear();
    m_generalError->setVisible(false);
}

void RegisterScreen::clearForm()
{
    for (QLineEdit *edit : {m_fullName, m_birthDate, m_phone, m_nationalId, m_addressLine, m_city,
                            m_contactName, m_contactRelation, m_contactPhone, m_allergies})
        edit->clear();
    m_ageOnly->setChecked(false);
    m_age->setValue(0);
    m_sex->setCurrentIndex(0);
    clearErrors();
    m_fullName->setFocus(Qt::OtherFocusReason);
}

void RegisterScreen::refreshOutbox()
{
    m_outbox->clear();
    const QList<OutboxItem> items = m_context.outbox.unsent();
    for (const OutboxItem &item : items) {
        const QString line = item.state == QLatin1String("failed")
            ? tr("Refused: %1 (%2)").arg(item.summary, item.error)
            : tr("Pending: %1 (kept %2)")
                  .arg(item.summary, item.createdAt.toLocalTime().toString(Qt::ISODate));
        auto *entry = new QListWidgetItem(line, m_outbox);
        entry->setData(Qt::UserRole, item.id);
        entry->setData(Qt::UserRole + 1, item.state == QLatin1String("failed"));
    }
    m_outboxTitle->setText(
        items.isEmpty() ? QString() : tr("%n item(s) waiting to be sent:", "", int(items.size())));
    m_outboxTitle->setVisible(!items.isEmpty());
    m_outbox->setVisible(!items.isEmpty());
    m_discard->setVisible(!items.isEmpty());
    m_discard->setEnabled(false);
}

} // namespace hms::client
