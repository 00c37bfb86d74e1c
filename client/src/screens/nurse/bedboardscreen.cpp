#include "screens/nurse/bedboardscreen.h"

#include "api/apiclient.h"
#include "live/liveconnection.h"
#include "models/bedmodel.h"
#include "screens/common/widgets.h"
#include "screens/nurse/wardfeed.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QScrollArea>
#include <QToolButton>
#include <QUrlQuery>
#include <QVBoxLayout>

namespace hms::client {

namespace {

// The IPD API (pinned with the IPD branch).
constexpr char BedsPath[] = "/api/v1/beds";
constexpr int Columns = 6;

} // namespace

BedBoardScreen::BedBoardScreen(const ClientContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
    , m_model(new BedModel(this))
{
    setAccessibleName(tr("Bed board"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(headingLabel(tr("Bed board"), this));
    auto *top = new QHBoxLayout;
    m_ward = addWardPicker(top, this);
    top->addStretch();
    layout->addLayout(top);

    auto *row = new QHBoxLayout;
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    m_gridHost = new QWidget(scroll);
    m_gridHost->setObjectName(QStringLiteral("bedGrid"));
    m_grid = new QGridLayout(m_gridHost);
    m_grid->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    scroll->setWidget(m_gridHost);
    row->addWidget(scroll, 3);

    auto *side = new QVBoxLayout;
    m_bedDetails = plainLabel(QStringLiteral("bedDetails"), this, tr("Select a bed."));
    m_bedDetails->setWordWrap(true);
    side->addWidget(m_bedDetails);
    side->addStretch();
    row->addLayout(side, 1);
    layout->addLayout(row, 1);
    m_status = plainLabel(QStringLiteral("bedStatus"), this);
    layout->addWidget(m_status);

    connect(m_model, &QAbstractItemModel::modelReset, this, &BedBoardScreen::rebuildGrid);
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &from, const QModelIndex &to) {
                for (int row = from.row(); row <= to.row(); ++row)
                    recolor(row);
            });
    m_feed = new WardFeed(m_context, m_ward, this);
    connect(m_feed, &WardFeed::failed, m_status, &QLabel::setText);
    connect(m_feed, &WardFeed::wardChanged, this, &BedBoardScreen::onWardChanged);
    connect(m_feed, &WardFeed::reloadNeeded, this, &BedBoardScreen::reload);
    connect(m_feed, &WardFeed::eventReceived, this, &BedBoardScreen::onEvent);
}

BedBoardScreen::~BedBoardScreen() = default;

QString BedBoardScreen::wardId() const
{
    return m_feed->wardId();
}

QToolButton *BedBoardScreen::bedButton(const QString &bedId) const
{
    const int row = m_model->rowOf(bedId);
    return row >= 0 && row < m_buttons.size() ? m_buttons.at(row) : nullptr;
}

void BedBoardScreen::onWardChanged()
{
    m_selectedBed.clear();
    m_model->setBeds({});
    Q_EMIT selectionChanged();
}

void BedBoardScreen::reload()
{
    if (wardId().isEmpty())
        return;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("wardId"), wardId());
    const int generation = ++m_generation;
    m_context.api.get(
        QLatin1String(BedsPath), query, this,
        [this, generation](const Result<QJsonObject> &answer) {
            if (generation != m_generation)
                return;
            if (!answer) {
                m_status->setText(problemText(answer.problem()));
                return;
            }
            QList<QJsonObject> beds;
            for (const QJsonValue &bed : answer.value().value(QLatin1String("items")).toArray())
                beds.append(bed.toObject());
            m_model->setBeds(beds);
            int free = 0;
            for (const QJsonObject &bed : beds)
                free += BedModel::isFree(bed.value(QLatin1String("status")).toString()) ? 1 : 0;
            m_status->setText(tr("%n free bed(s)", "", free));
        });
}

void BedBoardScreen::rebuildGrid()
{
    qDeleteAll(m_buttons);
    m_buttons.clear();
    for (int row = 0; row < m_model->rowCount(); ++row) {
        auto *button = new QToolButton(m_gridHost);
        button->setObjectName(
            QStringLiteral("bed_%1").arg(m_model->index(row).data(BedModel::IdRole).toString()));
        button->setCheckable(true);
        button->setAutoRaise(false);
        button->setAutoFillBackground(true);
        button->setMinimumSize(96, 64);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        connect(button, &QToolButton::clicked, this, [this, row]() {
            selectBed(row);
        });
        m_grid->addWidget(button, row / Columns, row % Columns);
        m_buttons.append(button);
        recolor(row);
    }
}

void BedBoardScreen::recolor(int row)
{
    if (row < 0 || row >= m_buttons.size())
        return;
    QToolButton *button = m_buttons.at(row);
    const QModelIndex index = m_model->index(row);
    button->setText(index.data(Qt::DisplayRole).toString());
    button->setAccessibleName(
        tr("Bed %1: %2")
            .arg(index.data(BedModel::CodeRole).toString(),
                 BedModel::statusTitle(index.data(BedModel::StatusRole).toString())));
    const QColor color = index.data(BedModel::StatusColorRole).value<QColor>();
    QPalette palette = button->palette();
    palette.setColor(QPalette::Button, color);
    palette.setColor(QPalette::Window, color);
    button->setPalette(palette);
    button->setChecked(index.data(BedModel::IdRole).toString() == m_selectedBed);
    if (index.data(BedModel::IdRole).toString() == m_selectedBed)
        selectBed(row);
}

void BedBoardScreen::onEvent(const LiveEvent &event)
{
    const QString bedId = event.data.value(QLatin1String("bedId")).toString();
    const QString status = event.data.value(QLatin1String("status")).toString();
    if (bedId.isEmpty() || status.isEmpty() || !m_model->applyStatus(bedId, status))
        reload(); // a bed this board does not know yet
}

void BedBoardScreen::selectBed(int row)
{
    const QModelIndex index = m_model->index(row);
    m_selectedBed = index.data(BedModel::IdRole).toString();
    for (int other = 0; other < m_buttons.size(); ++other)
        m_buttons.at(other)->setChecked(other == row);
    const QString features = index.data(BedModel::FeaturesRole).toString();
    m_bedDetails->setText(
        tr("Bed %1, room %2: %3%4")
            .arg(index.data(BedModel::CodeRole).toString(),
                 index.data(BedModel::RoomRole).toString(),
                 BedModel::statusTitle(index.data(BedModel::StatusRole).toString()),
                 features.isEmpty() ? QString() : tr(" (%1)").arg(features)));
    Q_EMIT selectionChanged();
}

bool BedBoardScreen::selectBedById(const QString &bedId)
{
    const int row = m_model->rowOf(bedId);
    if (row < 0)
        return false;
    selectBed(row);
    return true;
}

} // namespace hms::client
