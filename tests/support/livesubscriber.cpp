#include "support/livesubscriber.h"

#include "support/rawhttpclient.h"

#include <QJsonDocument>
#include <QNetworkRequest>

namespace hms::test {

LiveSubscriber::LiveSubscriber(quint16 port, const QByteArray &token, const QByteArray &origin)
{
    QObject::connect(&m_socket, &QWebSocket::textMessageReceived, [this](const QString &text) {
        m_messages.append(QJsonDocument::fromJson(text.toUtf8()).object());
    });
    QObject::connect(&m_socket, &QWebSocket::disconnected, [this] {
        m_closeCode = int(m_socket.closeCode());
        m_closed = true;
    });
    QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/api/v1/live").arg(port)));
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    if (!origin.isEmpty())
        request.setRawHeader("Origin", origin);
    m_socket.open(request);
}

bool LiveSubscriber::waitConnected()
{
    return waitUntil([this] {
               return m_socket.isValid() || m_closed;
           })
        && m_socket.isValid();
}

void LiveSubscriber::send(const QJsonObject &object)
{
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

std::optional<QJsonObject> LiveSubscriber::next(const QString &type, int ms)
{
    std::optional<QJsonObject> found;
    waitUntil(
        [&] {
            for (qsizetype i = m_read; i < m_messages.size(); ++i) {
                if (m_messages[i].value(QStringLiteral("type")).toString() == type
                    || (type == QLatin1String("event")
                        && m_messages[i].contains(QStringLiteral("seq"))
                        && !m_messages[i].contains(QStringLiteral("topics")))) {
                    found = m_messages[i];
                    m_read = i + 1;
                    return true;
                }
            }
            return false;
        },
        ms);
    return found;
}

QList<QJsonObject> LiveSubscriber::events() const
{
    QList<QJsonObject> list;
    for (const QJsonObject &message : m_messages) {
        if (message.contains(QStringLiteral("topic")))
            list.append(message);
    }
    return list;
}

} // namespace hms::test
