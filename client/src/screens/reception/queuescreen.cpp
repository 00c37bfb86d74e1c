#include "screens/reception/queuescreen.h"

#include "api/apiclient.h"
#include "live/liveconnection.h"
#include "models/queuemodel.h"
#include "screens/common/widgets.h"
#include "shared/protocol/apipaths.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace hms::client {

QueueScreen::QueueScreen(const ClientContext &context, bool canCall, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
    , m_canCall(canCall)
    , m_model(new QueueModel(this))
{
    setAccessibleName(tr("Queue"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(headingLabel(tr("Queue"), this));
    auto *top = new QHBoxLayout;
    m_department = new QComboBox(this);
    m_department->setObjectName(QStringLiteral("departmentCombo"));
    m_department->setAccessibleName(tr("Department"));
    m_department->setMinimumWidth(220);
    top->addWidget(plainLabel(QStringLiteral("departmentLabel"), this, tr("Department:")));
    top->addWidget(m_department);
    top->addStretch();
    m_callNext = new QPushButton(tr("Call next (F9)"), this);
    m_callNext->setObjectName(QStringLiteral("callNextButton"));
    m_callNext->setAccessibleName(tr("Call next patient"));
    m_callNext->setVisible(canCall);
    top->addWidget(m_callNext);
    layout->addLayout(top);

    m_calling = plainLabel(QStringLiteral("callingLabel"), this);
    m_calling->setAccessibleName(tr("Now calling"));
    m_calling->setAlignment(Qt::AlignCenter);
    QFont big = m_calling->font();
    big.setPointSizeF(big.pointSizeF() * 3);
    big.setBold(true);
    m_calling->setFont(big);
    layout->addWidget(m_calling);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("queueTable"));
    m_table->setAccessibleName(tr("Queue board"));
    m_table->setModel(m_model);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(int(QueueModel::Column::FullName), 240);
    layout->addWidget(m_table, 1);
    m_status = plainLabel(QStringLiteral("queueStatus"), this);
    layout->addWidget(m_status);

    connect(m_department, &QComboBox::currentIndexChanged, this, &QueueScreen::onDepartmentChanged);
    connect(m_callNext, &QPushButton::clicked, this, &QueueScreen::callNext);
    connect(&m_context.live, &LiveConnection::eventReceived, this, &QueueScreen::onEvent);
    connect(&m_context.live, &LiveConnection::resyncRequired, this, &QueueScreen::reload);
    connect(&m_context.live, &LiveConnection::subscribed, this, [this](const QStringList &topics) {
        if (!m_topic.isEmpty() && topics.contains(m_topic))
            reload(); // the snapshot after the subscription: no event falls in between
    });
    loadDepartments(m_context.api, m_department, this, [this](const QString &error) {
        if (!error.isEmpty()) {
            m_status->setText(error);
            return;
        }
        if (m_department->count() == 0)
            m_status->setText(tr("No department is set up yet."));
        if (!m_pendingDepartment.isEmpty())
            showDepartment(std::exchange(m_pendingDepartment, {}));
        onDepartmentChanged();
    });
}

QueueScreen::~QueueScreen()
{
    if (!m_topic.isEmpty())
        m_context.live.unsubscribe(m_topic);
}

QString QueueScreen::departmentId() const
{
    return m_department->currentData().toString();
}

void QueueScreen::showDepartment(const QString &departmentId)
{
    const int index = m_department->findData(departmentId);
    if (index >= 0)
        m_department->setCurrentIndex(index);
    else
        m_pendingDepartment = departmentId;
}

void QueueScreen::onDepartmentChanged()
{
    const QString wanted =
        departmentId().isEmpty() ? QString() : QStringLiteral("queue:%1").arg(departmentId());
    if (wanted == m_topic)
        return;
    if (!m_topic.isEmpty())
        m_context.live.unsubscribe(m_topic);
    m_topic = wanted;
    m_model->clear();
    m_calling->clear();
    m_callNext->setEnabled(m_canCall && !m_topic.isEmpty());
    if (m_topic.isEmpty())
        return;
    m_context.live.subscribe(m_topic);
    reload();
}

void QueueScreen::reload()
{
    if (departmentId().isEmpty())
        return;
    const int generation = ++m_generation;
    const QString department = departmentId();
    m_context.api.get(ApiClient::pathWithId(hms::api::DepartmentQueue, department), this,
                      [this, generation](const Result<QJsonObject> &answer) {
                          if (generation != m_generation)
                              return;
                          if (!answer) {
                              m_status->setText(problemText(answer.problem()));
                              return;
                          }
                          QList<QueueRow> rows;
                          const QJsonArray items =
                              answer.value().value(QLatin1String("items")).toArray();
                          for (const QJsonValue &value : items) {
                              const QJsonObject item = value.toObject();
                              QueueRow row;
                              row.visitId = item.value(QLatin1String("visitId")).toString();
                              row.token = item.value(QLatin1String("token")).toInt();
                              row.state = item.value(QLatin1String("state")).toString();
                              row.patientId = item.value(QLatin1String("patientId")).toString();
                              row.mrn = item.value(QLatin1String("mrn")).toString();
                              row.fullName = item.value(QLatin1String("fullName")).toString();
                              row.waitingMinutes =
                                  item.value(QLatin1String("waitingMinutes")).toInt();
                              rows.append(row);
                          }
                          m_model->mergeSnapshot(rows);
                          int waiting = 0;
                          for (const QueueRow &row : rows)
                              waiting += row.state == QLatin1String("waiting") ? 1 : 0;
                          m_status->setText(tr("%n waiting.", "", waiting));
                      });
}

void QueueScreen::onEvent(const LiveEvent &event)
{
    if (event.topic != m_topic)
        return;
    const QString visitId = event.data.value(QLatin1String("visitId")).toString();
    const QString state = event.data.value(QLatin1String("state")).toString();
    // A state change touches one row; a new visit needs its name, so the board asks the
    // server once (the event carries ids only, never PHI).
    if (event.type == QLatin1String("visit.checked_in") || !m_model->applyState(visitId, state))
        reload();
    if (event.type == QLatin1String("visit.called"))
        m_calling->setText(
            tr("Now calling: %1").arg(event.data.value(QLatin1String("token")).toInt()));
}

void QueueScreen::callNext()
{
    if (!m_canCall || departmentId().isEmpty())
        return;
    m_callNext->setEnabled(false);
    m_context.api.post(
        ApiClient::pathWithId(hms::api::DepartmentCallNext, departmentId()), {}, this,
        [this](const Result<QJsonObject> &answer) {
            m_callNext->setEnabled(true);
            if (answer) {
                const QJsonObject visit = answer.value();
                m_calling->setText(
                    tr("Now calling: %1").arg(visit.value(QLatin1String("token")).toInt()));
                m_model->applyState(visit.value(QLatin1String("id")).toString(),
                                    visit.value(QLatin1String("state")).toString());
                return;
            }
            m_status->setText(answer.problem().type == QLatin1String(hms::problems::QueueEmpty.slug)
                                  ? tr("Nobody is waiting.")
                                  : problemText(answer.problem()));
        });
}

} // namespace hms::client
