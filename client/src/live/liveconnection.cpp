#include "live/liveconnection.h"

#include "shared/protocol/apipaths.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSslError>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>

namespace hms::client {

static Q_LOGGING_CATEGORY(lcClientLive, "hms.client.live", QtInfoMsg)

    namespace
{
    constexpr int FirstRetryMs = 500;
    constexpr int MaxRetryMs = 30'000;

    QString key(const char *name)
    {
        return QString::fromLatin1(name);
    }

} // namespace

LiveConnection::LiveConnection(std::function<QByteArray()> tokenProvider, QObject *parent)
    : QObject(parent)
    , m_tokenProvider(std::move(tokenProvider))
    , m_reconnectTimer(new QTimer(this))
{
    m_reconnectTimer->setSingleShot(true);
    connect(m_reconnectTimer, &QTimer::timeout, this, &LiveConnection::open);
}

LiveConnection::~LiveConnection()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void LiveConnection::start(const QUrl &serverUrl)
{
    // Screens may subscribe before the socket exists.
    const QSet<QString> topics = m_topics;
    const QHash<QString, int> users = m_topicUsers;
    stop();
    m_topics = topics;
    m_topicUsers = users;
    m_url = serverUrl;
    m_url.setScheme(serverUrl.scheme() == QLatin1String("https") ? QStringLiteral("wss")
                                                                 : QStringLiteral("ws"));
    m_url.setPath(QLatin1String(hms::api::Live));
    m_url.setQuery(QString());
    m_attempt = 0;
    m_wasOnline = false;
    setState(State::Connecting);
    open();
}

void LiveConnection::stop()
{
    m_reconnectTimer->stop();
    if (m_socket) {
        QWebSocket *socket = std::exchange(m_socket, nullptr);
        socket->disconnect(this);
        socket->close();
        socket->deleteLater();
    }
    m_topics.clear();
    m_topicUsers.clear();
    m_confirmed.clear();
    m_lastSeq = -1;
    m_authenticated = false;
    setState(State::Stopped);
}

void LiveConnection::subscribe(const QString &topic)
{
    // Two screens may follow one topic (the queue board and the appointments of a
    // department): the topic stays followed until the last of them lets go.
    if (m_topicUsers[topic]++ > 0)
        return;
    m_topics.insert(topic);
    if (m_authenticated)
        sendSubscribe({topic}, false);
}

void LiveConnection::unsubscribe(const QString &topic)
{
    const auto users = m_topicUsers.find(topic);
    if (users == m_topicUsers.end())
        return;
    if (--*users > 0)
        return;
    m_topicUsers.erase(users);
    m_confirmed.remove(topic);
    if (!m_topics.remove(topic))
        return;
    if (m_authenticated)
        sendJson({{key("type"), key("unsubscribe")}, {key("topics"), QJsonArray{topic}}});
}

void LiveConnection::renewToken(const QByteArray &token)
{
    if (m_authenticated && !token.isEmpty())
        sendJson({{key("type"), key("auth")}, {key("token"), QString::fromLatin1(token)}});
}

void LiveConnection::open()
{
    if (m_state == State::Stopped)
        return;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->deleteLater();
    }
    m_authenticated = false;
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(m_socket, &QWebSocket::connected, this, &LiveConnection::onConnected);
    connect(m_socket, &QWebSocket::disconnected, this, &LiveConnection::onDisconnected);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &LiveConnection::onMessage);
    // TLS errors end the connection; they are logged, never ignored (SECURITY X2).
    connect(m_socket, &QWebSocket::sslErrors, this, [](const QList<QSslError> &errors) {
        for (const QSslError &error : errors)
            qCWarning(lcClientLive) << "TLS error:" << error.errorString();
    });
    m_socket->open(m_url);
}

void LiveConnection::onConnected()
{
    const QByteArray token = m_tokenProvider ? m_tokenProvider() : QByteArray();
    sendJson({{key("type"), key("auth")}, {key("token"), QString::fromLatin1(token)}});
}

void LiveConnection::onDisconnected()
{
    if (!m_socket)
        return;
    qCInfo(lcClientLive) << "live connection closed:" << m_socket->closeCode();
    m_authenticated = false;
    m_confirmed.clear();
    m_socket->deleteLater();
    m_socket = nullptr;
    if (m_state == State::Stopped)
        return;
    setState(m_wasOnline ? State::Reconnecting : State::Connecting);
    scheduleReconnect();
}

void LiveConnection::scheduleReconnect()
{
    // 0.5 s, 1 s, 2 s ... 30 s, each scaled by a random 50..100 % so that a hospital's
    // clients do not all come back in the same millisecond after a server restart.
    const int exponent = std::min(m_attempt, 10);
    const int ceiling = std::min(MaxRetryMs, FirstRetryMs << exponent);
    const int delay = ceiling / 2 + int(QRandomGenerator::global()->bounded(ceiling / 2 + 1));
    ++m_attempt;
    m_reconnectTimer->start(delay);
}

void LiveConnection::onMessage(const QString &text)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        qCWarning(lcClientLive) << "unparsable live message";
        return;
    }
    const QJsonObject message = document.object();
    if (message.contains(key("seq")) && message.contains(key("topic"))) {
        LiveEvent event;
        event.seq = message.value(key("seq")).toInteger();
        event.topic = message.value(key("topic")).toString();
        event.type = message.value(key("type")).toString();
        event.data = message.value(key("data")).toObject();
        if (event.seq <= m_lastSeq)
            return; // already seen (a replay overlapping live delivery)
        m_lastSeq = event.seq;
        Q_EMIT eventReceived(event);
        return;
    }
    const QString type = message.value(key("type")).toString();
    if (type == QLatin1String("authenticated")) {
        if (m_authenticated)
            return; // answer to a renewed token
        m_authenticated = true;
        m_attempt = 0;
        if (!m_topics.isEmpty())
            sendSubscribe(QStringList(m_topics.cbegin(), m_topics.cend()), true);
        m_wasOnline = true;
        setState(State::Online);
    } else if (type == QLatin1String("subscribed")) {
        m_lastSeq = std::max(m_lastSeq, message.value(key("seq")).toInteger());
        QStringList topics;
        for (const QJsonValue &topic : message.value(key("topics")).toArray())
            topics.append(topic.toString());
        m_confirmed = QSet<QString>(topics.cbegin(), topics.cend());
        Q_EMIT subscribed(topics);
    } else if (type == QLatin1String("resync")) {
        qCInfo(lcClientLive) << "resync: reloading snapshots";
        m_lastSeq = -1;
        Q_EMIT resyncRequired();
    } else if (type == QLatin1String("error")) {
        qCWarning(lcClientLive) << "live error:" << message.value(key("message")).toString();
    }
}

void LiveConnection::sendSubscribe(const QStringList &topics, bool withSince)
{
    QJsonObject message{{key("type"), key("subscribe")},
                        {key("topics"), QJsonArray::fromStringList(topics)}};
    if (withSince && m_lastSeq >= 0)
        message.insert(key("since"), m_lastSeq);
    sendJson(message);
}

void LiveConnection::sendJson(const QJsonObject &object)
{
    if (m_socket)
        m_socket->sendTextMessage(
            QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

void LiveConnection::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    qCInfo(lcClientLive) << "live state" << state;
    Q_EMIT stateChanged(state);
}

} // namespace hms::client
