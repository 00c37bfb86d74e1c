#include "screens/nurse/wardfeed.h"

#include "live/liveconnection.h"
#include "screens/common/widgets.h"

#include <QComboBox>

namespace hms::client {

WardFeed::WardFeed(const ClientContext &context, QComboBox *combo, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_combo(combo)
{
    connect(m_combo, &QComboBox::currentIndexChanged, this, &WardFeed::onWardChanged);
    connect(&m_context.live, &LiveConnection::eventReceived, this, [this](const LiveEvent &event) {
        if (!m_topic.isEmpty() && event.topic == m_topic)
            Q_EMIT eventReceived(event);
    });
    connect(&m_context.live, &LiveConnection::resyncRequired, this, [this]() {
        if (!m_topic.isEmpty())
            Q_EMIT reloadNeeded();
    });
    connect(&m_context.live, &LiveConnection::subscribed, this, [this](const QStringList &topics) {
        if (!m_topic.isEmpty() && topics.contains(m_topic))
            Q_EMIT reloadNeeded();
    });
    loadWards(m_context.api, m_combo, this, [this](const QString &error) {
        if (!error.isEmpty())
            Q_EMIT failed(error);
    });
}

WardFeed::~WardFeed()
{
    if (!m_topic.isEmpty())
        m_context.live.unsubscribe(m_topic);
}

QString WardFeed::wardId() const
{
    return m_combo->currentData().toString();
}

void WardFeed::onWardChanged()
{
    const QString wanted = wardId().isEmpty() ? QString() : QStringLiteral("beds:%1").arg(wardId());
    if (wanted == m_topic)
        return;
    if (!m_topic.isEmpty())
        m_context.live.unsubscribe(m_topic);
    m_topic = wanted;
    Q_EMIT wardChanged();
    if (m_topic.isEmpty())
        return;
    m_context.live.subscribe(m_topic);
    Q_EMIT reloadNeeded();
}

} // namespace hms::client
