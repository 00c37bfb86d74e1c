#pragma once

#include "app/clientcontext.h"

#include <QObject>
#include <QString>

class QComboBox;

namespace hms::client {

struct LiveEvent;

/// The ward a nurse screen shows and its live feed: fills \a combo with the wards, holds the
/// subscription to beds:<ward> for the chosen one (released on change and destruction), and
/// tells the screen when to read its snapshot again (ward chosen, topic (re)confirmed after a
/// reconnect, resync) and which events of that ward arrived.
class WardFeed : public QObject
{
    Q_OBJECT

public:
    WardFeed(const ClientContext &context, QComboBox *combo, QObject *parent);
    ~WardFeed() override;

    QString wardId() const;

    QString topic() const { return m_topic; }

Q_SIGNALS:
    /// The ward list could not be read, or is empty (a sentence for people).
    void failed(const QString &message);
    /// Another ward was chosen (the old snapshot is stale).
    void wardChanged();
    /// Read the snapshot of the ward again.
    void reloadNeeded();
    /// An event on the ward's topic.
    void eventReceived(const hms::client::LiveEvent &event);

private:
    void onWardChanged();

    ClientContext m_context;
    QComboBox *m_combo;
    QString m_topic;
};

} // namespace hms::client
