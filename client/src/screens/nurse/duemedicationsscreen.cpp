#include "screens/nurse/duemedicationsscreen.h"

#include "api/apiclient.h"
#include "live/liveconnection.h"
#include "models/asneededmodel.h"
#include "models/duedosemodel.h"
#include "screens/common/fielderrors.h"
#include "screens/common/widgets.h"
#include "screens/nurse/wardfeed.h"
#include "shared/clinical/medicationrules.h"
#include "shared/protocol/apipaths.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QUrlQuery>
#include <QUuid>
#include <QVBoxLayout>

namespace hms::client {

namespace {

QString outcomeTitle(const QString &outcome)
{
    if (outcome == QLatin1String("given"))
        return DueMedicationsScreen::tr("given");
    if (outcome == QLatin1String("held"))
        return DueMedicationsScreen::tr("held");
    if (outcome == QLatin1String("refused"))
        return DueMedicationsScreen::tr("refused");
    return outcome;
}

/// The window's ends: the weekday in the user's language (QLocale), then the clock.
const QString WindowFormat = QStringLiteral("ddd HH:mm");

/// A read-only table of whole rows, one selectable at a time.
QTableView *rowTable(const QString &name, const QString &accessibleName, QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setObjectName(name);
    table->setAccessibleName(accessibleName);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

} // namespace

DueMedicationsScreen::DueMedicationsScreen(const ClientContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
    , m_model(new DueDoseModel(this))
{
    setAccessibleName(tr("Due medications"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(headingLabel(tr("Due medications"), this));

    auto *top = new QHBoxLayout;
    m_ward = addWardPicker(top, this);
    m_window = plainLabel(QStringLiteral("windowLabel"), this);
    top->addWidget(m_window);
    top->addStretch();
    m_refresh = new QPushButton(tr("Refresh"), this);
    m_refresh->setObjectName(QStringLiteral("refreshButton"));
    m_refresh->setShortcut(QKeySequence(Qt::Key_F5));
    m_refresh->setToolTip(tr("Read the list again (F5)"));
    top->addWidget(m_refresh);
    layout->addLayout(top);

    m_table = rowTable(QStringLiteral("dueTable"), tr("Due doses"), this);
    m_table->setModel(m_model);
    layout->addWidget(m_table, 2);

    auto *actions = new QHBoxLayout;
    m_reason = new QLineEdit(this);
    m_reason->setObjectName(QStringLiteral("reasonEdit"));
    m_reason->setAccessibleName(tr("Reason (held or refused)"));
    m_reason->setMaxLength(hms::medication::ReasonMax);
    m_reason->setPlaceholderText(tr("Why the dose is held or refused"));
    QLabel *reasonLabel = plainLabel(QStringLiteral("reasonLabel"), this, tr("R&eason:"));
    reasonLabel->setBuddy(m_reason);
    actions->addWidget(reasonLabel);
    actions->addWidget(m_reason, 1);
    // A keyboard-first action button: its shortcut is named in its tooltip.
    const auto button = [this](QHBoxLayout *row, const QString &text, const char *name,
                               QKeySequence key) {
        auto *pushButton = new QPushButton(text, this);
        pushButton->setObjectName(QLatin1String(name));
        pushButton->setShortcut(key);
        pushButton->setToolTip(tr("%1 (%2)").arg(QString(text).remove(QLatin1Char('&')),
                                                 key.toString(QKeySequence::NativeText)));
        row->addWidget(pushButton);
        return pushButton;
    };
    m_given = button(actions, tr("Given"), "givenButton", QKeySequence(Qt::CTRL | Qt::Key_G));
    m_held = button(actions, tr("Held"), "heldButton", QKeySequence(Qt::CTRL | Qt::Key_H));
    m_refused = button(actions, tr("Refused"), "refusedButton", QKeySequence(Qt::CTRL | Qt::Key_R));
    layout->addLayout(actions);
    QLabel *reasonError = fieldErrorLabel(QStringLiteral("reasonError"), this);
    layout->addWidget(reasonError);
    QLabel *general = fieldErrorLabel(QStringLiteral("dueGeneralError"), this);
    layout->addWidget(general);
    m_errors = std::make_unique<FieldErrors>(general);
    m_errors->add(QStringLiteral("reason"), m_reason, reasonError);

    // As-needed (PRN) orders: no schedule, a dose is given when the patient needs it.
    layout->addWidget(headingLabel(tr("As needed (PRN)"), this));
    m_prnModel = new AsNeededModel(this);
    m_prnTable = rowTable(QStringLiteral("prnTable"), tr("As-needed orders"), this);
    m_prnTable->setModel(m_prnModel);
    layout->addWidget(m_prnTable, 1);
    auto *prnActions = new QHBoxLayout;
    m_indication = new QLineEdit(this);
    m_indication->setObjectName(QStringLiteral("indicationEdit"));
    m_indication->setAccessibleName(tr("Indication of the PRN dose"));
    m_indication->setMaxLength(hms::medication::ReasonMax);
    m_indication->setPlaceholderText(tr("Why the patient needs it now (e.g. pain 6/10)"));
    QLabel *indicationLabel =
        plainLabel(QStringLiteral("indicationLabel"), this, tr("I&ndication:"));
    indicationLabel->setBuddy(m_indication);
    prnActions->addWidget(indicationLabel);
    prnActions->addWidget(m_indication, 1);
    m_prnGiven = button(prnActions, tr("Give PRN dose"), "prnGivenButton",
                        QKeySequence(Qt::CTRL | Qt::Key_P));
    layout->addLayout(prnActions);
    QLabel *indicationError = fieldErrorLabel(QStringLiteral("indicationError"), this);
    layout->addWidget(indicationError);
    QLabel *prnGeneral = fieldErrorLabel(QStringLiteral("prnGeneralError"), this);
    layout->addWidget(prnGeneral);
    m_prnErrors = std::make_unique<FieldErrors>(prnGeneral);
    m_prnErrors->add(QStringLiteral("reason"), m_indication, indicationError);

    m_status = plainLabel(QStringLiteral("dueStatus"), this);
    layout->addWidget(m_status);

    setTabOrder(m_ward, m_table);
    setTabOrder(m_table, m_reason);
    setTabOrder(m_reason, m_given);
    setTabOrder(m_given, m_held);
    setTabOrder(m_held, m_refused);
    setTabOrder(m_refused, m_prnTable);
    setTabOrder(m_prnTable, m_indication);
    setTabOrder(m_indication, m_prnGiven);
    setTabOrder(m_prnGiven, m_refresh);

    connect(m_given, &QPushButton::clicked, this, [this]() {
        recordSelected(QStringLiteral("given"));
    });
    connect(m_held, &QPushButton::clicked, this, [this]() {
        recordSelected(QStringLiteral("held"));
    });
    connect(m_refused, &QPushButton::clicked, this, [this]() {
        recordSelected(QStringLiteral("refused"));
    });
    connect(m_prnGiven, &QPushButton::clicked, this, &DueMedicationsScreen::recordAsNeeded);
    connect(m_refresh, &QPushButton::clicked, this, &DueMedicationsScreen::reload);
    connect(m_prnTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &DueMedicationsScreen::updateButtons);
    connect(m_prnModel, &QAbstractItemModel::modelReset, this,
            &DueMedicationsScreen::updateButtons);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &DueMedicationsScreen::updateButtons);
    connect(m_model, &QAbstractItemModel::modelReset, this, &DueMedicationsScreen::updateButtons);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &DueMedicationsScreen::updateButtons);

    // Doses become overdue as time passes: recoloured every minute from this computer's
    // clock (no request; the list itself changes only through events).
    m_overdueTimer = new QTimer(this);
    m_overdueTimer->setInterval(60 * 1000);
    connect(m_overdueTimer, &QTimer::timeout, m_model, [this]() {
        m_model->updateOverdue();
    });
    m_overdueTimer->start();

    m_feed = new WardFeed(m_context, m_ward, this);
    connect(m_feed, &WardFeed::failed, m_status, &QLabel::setText);
    connect(m_feed, &WardFeed::wardChanged, this, [this]() {
        m_model->setDoses({});
        m_prnModel->setOrders({});
    });
    connect(m_feed, &WardFeed::reloadNeeded, this, &DueMedicationsScreen::reload);
    connect(m_feed, &WardFeed::eventReceived, this, &DueMedicationsScreen::onEvent);
    updateButtons();
}

DueMedicationsScreen::~DueMedicationsScreen() = default;

QString DueMedicationsScreen::reasonError() const
{
    return m_errors->errorOf(QStringLiteral("reason"));
}

QString DueMedicationsScreen::indicationError() const
{
    return m_prnErrors->errorOf(QStringLiteral("reason"));
}

QString DueMedicationsScreen::prnError() const
{
    return m_prnErrors->generalError();
}

QString DueMedicationsScreen::statusText() const
{
    return m_status->text();
}

void DueMedicationsScreen::reload()
{
    const QString wardId = m_feed->wardId();
    if (wardId.isEmpty())
        return;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime from = now.addSecs(-qint64(WindowPastHours) * 3600);
    const QDateTime to = now.addSecs(qint64(WindowAheadHours) * 3600);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("from"), from.toString(Qt::ISODate));
    query.addQueryItem(QStringLiteral("to"), to.toString(Qt::ISODate));
    const int generation = ++m_generation;
    m_context.api.get(
        ApiClient::pathWithId(hms::api::WardMedicationsDue, wardId), query, this,
        [this, generation, from, to](const Result<QJsonObject> &answer) {
            if (generation != m_generation)
                return;
            if (!answer) {
                m_status->setText(problemText(answer.problem()));
                return;
            }
            // Keep the selected dose selected across the reload.
            const QModelIndex current = m_table->currentIndex();
            const QString prescriptionId =
                current.data(DueDoseModel::PrescriptionIdRole).toString();
            const QString dueAt = current.data(DueDoseModel::DueAtRole).toString();
            QList<QJsonObject> doses;
            for (const QJsonValue &value : answer.value().value(QLatin1String("items")).toArray())
                doses.append(value.toObject());
            m_model->setDoses(doses);
            const QString prnId =
                m_prnTable->currentIndex().data(AsNeededModel::PrescriptionIdRole).toString();
            QList<QJsonObject> orders;
            for (const QJsonValue &value :
                 answer.value().value(QLatin1String("asNeeded")).toArray())
                orders.append(value.toObject());
            m_prnModel->setOrders(orders);
            if (const int prnRow = m_prnModel->rowOf(prnId); prnRow >= 0)
                m_prnTable->selectRow(prnRow);
            // The count sits with the window, not in the status line: a reload that a live
            // event starts must not wipe the outcome of the nurse's own last action.
            m_window->setText(tr("due %1 – %2")
                                  .arg(QLocale().toString(from.toLocalTime(), WindowFormat),
                                       QLocale().toString(to.toLocalTime(), WindowFormat))
                              + QStringLiteral(" · ")
                              + tr("%n dose(s) to record", "", m_model->rowCount()));
            const int row = m_model->rowOf(prescriptionId, dueAt);
            if (row >= 0)
                m_table->selectRow(row);
            else if (m_model->rowCount() > 0 && !current.isValid())
                m_table->selectRow(0);
        });
}

void DueMedicationsScreen::onEvent(const LiveEvent &event)
{
    // Vitals and notes do not change the round; doses recorded, prescriptions started or
    // stopped, admissions and discharges do (the events carry ids only: read the list again).
    if (event.type.startsWith(QLatin1String("vitals."))
        || event.type.startsWith(QLatin1String("nursing_note.")))
        return;
    reload();
}

void DueMedicationsScreen::updateButtons()
{
    const bool selected = m_table->currentIndex().isValid();
    for (QPushButton *action : {m_given, m_held, m_refused})
        action->setEnabled(!m_busy && selected);
    m_prnGiven->setEnabled(!m_busy && m_prnTable->currentIndex().isValid());
}

void DueMedicationsScreen::recordAsNeeded()
{
    const QModelIndex current = m_prnTable->currentIndex();
    if (m_busy || !current.isValid())
        return;
    m_prnErrors->clear();
    const QString indication = m_indication->text().trimmed();
    if (indication.isEmpty()) {
        m_prnErrors->show({{QStringLiteral("reason"),
                            tr("A PRN dose needs its indication (why it is given now).")}});
        return;
    }
    const QString prescriptionId = current.data(AsNeededModel::PrescriptionIdRole).toString();
    const QString patient = current.data(AsNeededModel::PatientNameRole).toString();
    const QString drug = current.data(AsNeededModel::DrugRole).toString();
    // No dueAt: the server times a PRN dose when it records it.
    const QJsonObject body{{QStringLiteral("outcome"), QStringLiteral("given")},
                           {QStringLiteral("reason"), indication}};
    m_busy = true;
    updateButtons();
    m_status->setText(tr("Recording…"));
    m_context.api.request(
        "POST", ApiClient::pathWithId(hms::api::PrescriptionAdministrations, prescriptionId), {},
        body, {{"Idempotency-Key", QUuid::createUuid().toByteArray(QUuid::WithoutBraces)}}, this,
        [this, patient, drug](const Result<QJsonObject> &answer) {
            m_busy = false;
            if (!answer) {
                const Problem &problem = answer.problem();
                m_prnErrors->show(problem.errors);
                if (problem.errors.isEmpty())
                    m_prnErrors->show({{QString(), problemText(problem)}});
                m_status->setText(tr("Not recorded: %1").arg(problemText(problem)));
                if (problem.status == 409)
                    reload(); // stopped or ended meanwhile
                updateButtons();
                return;
            }
            m_indication->clear();
            m_status->setText(tr("PRN dose of %1 recorded for %2").arg(drug, patient));
            reload(); // its last-given time and 24-hour count
            m_prnTable->setFocus(Qt::OtherFocusReason);
            updateButtons();
        });
}

void DueMedicationsScreen::recordSelected(const QString &outcome)
{
    const QModelIndex current = m_table->currentIndex();
    if (m_busy || !current.isValid())
        return;
    m_errors->clear();
    const QString prescriptionId = current.data(DueDoseModel::PrescriptionIdRole).toString();
    const QString dueAt = current.data(DueDoseModel::DueAtRole).toString();
    const QString patient = current.data(DueDoseModel::PatientNameRole).toString();
    QJsonObject body{{QStringLiteral("dueAt"), dueAt}, {QStringLiteral("outcome"), outcome}};
    const QString reason = m_reason->text().trimmed();
    if (outcome != QLatin1String("given")) {
        if (reason.isEmpty()) {
            m_errors->show(
                {{QStringLiteral("reason"), tr("A held or refused dose needs the reason.")}});
            return;
        }
        body.insert(QStringLiteral("reason"), reason);
    }
    m_busy = true;
    updateButtons();
    m_status->setText(tr("Recording…"));
    m_context.api.request(
        "POST", ApiClient::pathWithId(hms::api::PrescriptionAdministrations, prescriptionId), {},
        body, {{"Idempotency-Key", QUuid::createUuid().toByteArray(QUuid::WithoutBraces)}}, this,
        [this, prescriptionId, dueAt, outcome, patient](const Result<QJsonObject> &answer) {
            m_busy = false;
            if (!answer) {
                const Problem &problem = answer.problem();
                m_errors->show(problem.errors);
                m_status->setText(tr("Not recorded: %1").arg(problemText(problem)));
                if (problem.status == 409)
                    reload(); // recorded by someone else meanwhile, or stopped
                updateButtons();
                return;
            }
            m_model->removeDose(prescriptionId, dueAt);
            if (outcome != QLatin1String("given"))
                m_reason->clear();
            m_status->setText(tr("Recorded for %1: %2").arg(patient, outcomeTitle(outcome)));
            if (m_model->rowCount() > 0 && !m_table->currentIndex().isValid())
                m_table->selectRow(0);
            m_table->setFocus(Qt::OtherFocusReason);
            updateButtons();
        });
}

} // namespace hms::client
