#include "screens/admin/auditscreen.h"

#include "models/auditmodel.h"
#include "screens/common/widgets.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QGridLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace hms::client {

AuditScreen::AuditScreen(const ClientContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
    , m_model(new AuditModel(context.api, this))
{
    setAccessibleName(tr("Audit"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(headingLabel(tr("Audit log"), this));

    auto *filters = new QGridLayout;
    const auto edit = [this](const QString &name, const QString &placeholder) {
        auto *line = new QLineEdit(this);
        line->setObjectName(name);
        line->setAccessibleName(placeholder);
        line->setPlaceholderText(placeholder);
        connect(line, &QLineEdit::returnPressed, this, &AuditScreen::applyFilters);
        return line;
    };
    m_action = edit(QStringLiteral("actionFilter"), tr("Action, e.g. patient.create"));
    m_entity = edit(QStringLiteral("entityFilter"), tr("Entity, e.g. patient"));
    m_actor = edit(QStringLiteral("actorFilter"), tr("User id"));
    m_patient = edit(QStringLiteral("patientFilter"), tr("Patient id"));
    m_outcome = new QComboBox(this);
    m_outcome->setObjectName(QStringLiteral("outcomeFilter"));
    m_outcome->setAccessibleName(tr("Outcome"));
    m_outcome->addItem(tr("Any outcome"), QString());
    m_outcome->addItem(tr("Success"), QStringLiteral("success"));
    m_outcome->addItem(tr("Denied"), QStringLiteral("denied"));
    m_outcome->addItem(tr("Failure"), QStringLiteral("failure"));
    const QDateTime now = QDateTime::currentDateTime();
    m_useFrom = new QCheckBox(tr("From"), this);
    m_from = new QDateTimeEdit(now.addDays(-1), this);
    m_from->setObjectName(QStringLiteral("fromFilter"));
    m_useTo = new QCheckBox(tr("To"), this);
    m_to = new QDateTimeEdit(now, this);
    m_to->setObjectName(QStringLiteral("toFilter"));
    for (QDateTimeEdit *time : {m_from, m_to}) {
        time->setCalendarPopup(true);
        time->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    }
    auto *apply = new QPushButton(tr("&Search"), this);
    apply->setObjectName(QStringLiteral("applyFilters"));
    filters->addWidget(m_action, 0, 0);
    filters->addWidget(m_entity, 0, 1);
    filters->addWidget(m_actor, 0, 2);
    filters->addWidget(m_patient, 0, 3);
    filters->addWidget(m_outcome, 1, 0);
    auto *range = new QHBoxLayout;
    range->addWidget(m_useFrom);
    range->addWidget(m_from);
    range->addWidget(m_useTo);
    range->addWidget(m_to);
    filters->addLayout(range, 1, 1, 1, 2);
    filters->addWidget(apply, 1, 3);
    layout->addLayout(filters);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("auditTable"));
    m_table->setAccessibleName(tr("Audit entries"));
    m_table->setModel(m_model);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(0, 150);
    layout->addWidget(m_table, 1);
    m_details = plainLabel(QStringLiteral("auditDetails"), this);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_details);
    m_status = plainLabel(QStringLiteral("auditStatus"), this);
    layout->addWidget(m_status);

    connect(apply, &QPushButton::clicked, this, &AuditScreen::applyFilters);
    connect(m_outcome, &QComboBox::currentIndexChanged, this, &AuditScreen::applyFilters);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &AuditScreen::showDetails);
    connect(m_model, &AuditModel::pageLoaded, this, [this](const QString &error) {
        m_status->setText(error.isEmpty() ? tr("%n entry(s) shown.", "", m_model->rowCount())
                                          : error);
    });
    applyFilters();
}

void AuditScreen::applyFilters()
{
    QUrlQuery query;
    const auto add = [&query](const char *name, const QString &value) {
        if (!value.trimmed().isEmpty())
            query.addQueryItem(QLatin1String(name), value.trimmed());
    };
    add("action", m_action->text());
    add("entity", m_entity->text());
    add("actor", m_actor->text());
    add("patient", m_patient->text());
    add("outcome", m_outcome->currentData().toString());
    if (m_useFrom->isChecked())
        add("from", m_from->dateTime().toUTC().toString(Qt::ISODateWithMs));
    if (m_useTo->isChecked())
        add("to", m_to->dateTime().toUTC().toString(Qt::ISODateWithMs));
    m_details->clear();
    m_model->setFilters(query);
}

void AuditScreen::showDetails()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_details->clear();
        return;
    }
    const QJsonObject entry = m_model->entryAt(current.row());
    m_details->setText(
        tr("Request %1 from %2. Details: %3")
            .arg(entry.value(QLatin1String("requestId")).toString(),
                 entry.value(QLatin1String("clientAddress")).toString(),
                 QString::fromUtf8(QJsonDocument(entry.value(QLatin1String("details")).toObject())
                                       .toJson(QJsonDocument::Compact))));
}

} // namespace hms::client
