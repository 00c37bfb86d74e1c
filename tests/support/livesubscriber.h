#pragma once

#include <QJsonObject>
#include <QList>
#include <QWebSocket>

#include <optional>

namespace hms::test {

/// A /api/v1/live subscriber as a test sees it: a real QWebSocket keeping every text
/// message, parsed, in order. Shares the test's thread (helpers spin the event loop).
class LiveSubscriber
{
public:
    explicit LiveSubscriber(quint16 port,
                            const QByteArray &token = {},
                            const QByteArray &origin = {});

    bool waitConnected();
    void send(const QJsonObject &object);

    QWebSocket &socket() { return m_socket; }

    /// The first message of \a type not consumed yet, waiting up to \a ms; "event" matches
    /// any event (a message with a seq that is not a "subscribed" answer).
    std::optional<QJsonObject> next(const QString &type, int ms = 5000);

    /// Every event received so far (messages with a topic).
    QList<QJsonObject> events() const;

    bool closed() const { return m_closed; }

    int closeCode() const { return m_closeCode; }

private:
    QWebSocket m_socket;
    QList<QJsonObject> m_messages;
    qsizetype m_read = 0;
    bool m_closed = false;
    int m_closeCode = 0;
};

} // namespace hms::test
