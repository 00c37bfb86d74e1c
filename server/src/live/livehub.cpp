#include "live/livehub.h"

#include "auth/authservice.h"
#include "db/dbsession.h"
#include "db/dbworkerpool.h"
#include "db/pgvalues.h"
#include "db/prepared.h"
#include "db/sql.h"
#include "db/tenant.h"
#include "live/eventlistener.h"
#include "shared/validation/fieldreader.h"
#include "shared/validation/jsonbody.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>

#include <pqxx/result>
#include <pqxx/transaction>

namespace hms::server {

static Q_LOGGING_CATEGORY(lcLive, "hms.server.live", QtInfoMsg);

namespace {

constexpr int AuthTimeoutMs = 5000;
constexpr int FetchBatch = 1000;
constexpr int MaxReplayEvents = 10'000;
constexpr int MaxTopics = 50;
constexpr int SessionCheckMs = 4000; // so a change acts within 5 s
// Sockets that never authenticate hold a timer and buffers each: one address may keep only a
// few of them open at once (SECURITY.md W1). Desks authenticate at once and are not counted.
constexpr int MaxIdleUnauthenticatedPerAddress = 16;
constexpr qint64 ReplayLowWaterBytes = 256 * 1024;
constexpr int ReplayPollMs = 10;
constexpr int ReplayStallMs = 30'000;
// The kernel's send buffer per subscriber, fixed rather than autotuned (up to 4 MiB each), so
// a subscriber that stops reading shows up in our own bounded queue (W6) within ~64 KiB.
constexpr int SocketSendBufferBytes = 64 * 1024;

QString peerKey(const QHostAddress &address, quint16 port)
{
    return address.toString() + QLatin1Char(':') + QString::number(port);
}

QByteArray jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

QByteArray message(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// One event as subscribers see it; `data` is PostgreSQL's jsonb text, embedded as it is.
LiveEvent eventFrom(qint64 hospitalId, const pqxx::row &row)
{
    const auto seq = row[0].as<qint64>();
    QString topic = QString::fromUtf8(row[1].c_str());
    const QByteArray json = "{\"seq\":" + QByteArray::number(seq) + ",\"topic\":"
        + jsonString(topic) + ",\"type\":" + jsonString(QString::fromUtf8(row[2].c_str()))
        + ",\"data\":" + QByteArray(row[3].c_str()) + ",\"at\":\"" + QByteArray(row[4].c_str())
        + "\"}";
    return LiveEvent::framed(hospitalId, seq, std::move(topic), json);
}

constexpr char EventColumns[] = "seq, topic, type, data::text, to_char(at AT TIME ZONE 'UTC', "
                                "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

// Up to FetchBatch events of a hospital after \a after (and up to \a upTo), in seq order;
// nullopt when the database failed (the session is reset for the next job).
std::optional<QList<LiveEvent>>
readEvents(DbSession &db, qint64 hospitalId, qint64 after, qint64 upTo)
{
    QList<LiveEvent> events;
    try {
        pqxx::read_transaction tx(db.connection());
        enterTenant(tx, hospitalId);
        for (const pqxx::row &row :
             execPrepared(tx, "hms_events_after",
                          sql::Query("SELECT ") + EventColumns
                              + " FROM events WHERE hospital_id = $1 AND seq > $2 "
                                "AND seq <= $3 ORDER BY seq LIMIT $4",
                          hospitalId, after, upTo, FetchBatch))
            events.append(eventFrom(hospitalId, row));
    } catch (const std::exception &) {
        db.reset();
        return std::nullopt;
    }
    return events;
}

// Which topics a principal may follow (the shared matrix decides, as for REST routes).
std::optional<QString> topicRefusal(const Principal &principal, const QString &topic)
{
    static const QRegularExpression shape(QStringLiteral("^(beds|queue|user)(:[0-9]{1,18})?$"));
    const QRegularExpressionMatch match = shape.match(topic);
    if (!match.hasMatch())
        return QStringLiteral("unknown topic");
    const QString kind = match.captured(1);
    const QString id = match.captured(2).mid(1);
    if (kind == QLatin1String("beds"))
        return roleHas(principal.role, Permission::BedRead)
            ? std::nullopt
            : std::optional(QStringLiteral("forbidden"));
    if (kind == QLatin1String("queue")) {
        if (id.isEmpty())
            return QStringLiteral("name a department: queue:<id>");
        return roleHas(principal.role, Permission::PatientRead)
            ? std::nullopt
            : std::optional(QStringLiteral("forbidden"));
    }
    if (id != QString::number(principal.userId))
        return QStringLiteral("forbidden");
    return std::nullopt;
}

} // namespace

LiveHub::LiveHub(DbWorkerPool &pool,
                 AuthService &auth,
                 std::string listenConnectionString,
                 QObject *parent)
    : QObject(parent)
    , m_pool(pool)
    , m_auth(auth)
    , m_server(QStringLiteral("hms-server"), QWebSocketServer::NonSecureMode)
{
    connect(&m_server, &QWebSocketServer::newConnection, this, &LiveHub::onNewConnection);
    // Hints arrive on the listener thread; everything else happens here.
    m_listener = std::make_unique<EventListener>(
        std::move(listenConnectionString),
        [this, alive = std::weak_ptr<bool>(m_alive)](qint64 hospital, qint64 seq) {
            if (alive.expired())
                return;
            QMetaObject::invokeMethod(
                this,
                [this, hospital, seq] {
                    onHint(hospital, seq);
                },
                Qt::QueuedConnection);
        });
}

LiveHub::~LiveHub()
{
    m_alive.reset();
    m_listener->stop();
}

void LiveHub::start()
{
    m_listener->start();
    connect(&m_sessionCheck, &QTimer::timeout, this, &LiveHub::recheckSessions);
    m_sessionCheck.start(SessionCheckMs);
}

void LiveHub::recheckSessions()
{
    QHash<qint64, QStringList> sessionsByHospital;
    for (const LiveClient *client : std::as_const(m_clients)) {
        if (client->principal)
            sessionsByHospital[client->principal->hospitalId].append(client->principal->sessionId);
    }
    for (auto it = sessionsByHospital.cbegin(); it != sessionsByHospital.cend(); ++it) {
        const qint64 hospitalId = it.key();
        const std::string sessions = arrayParam(it.value());
        submit([this, hospitalId, sessions](DbSession &db) {
            QHash<QString, QString> roleBySession;
            try {
                pqxx::read_transaction tx(db.connection());
                enterTenant(tx, hospitalId);
                for (const pqxx::row &row :
                     tx.exec_params("SELECT s.id::text, u.role FROM sessions s JOIN users u "
                                    "ON u.hospital_id = s.hospital_id AND u.id = s.user_id "
                                    "WHERE s.id = ANY($1::uuid[]) AND s.revoked_at IS NULL "
                                    "AND s.absolute_expires_at > now() AND u.disabled_at IS NULL",
                                    sessions))
                    roleBySession.insert(QString::fromUtf8(row[0].c_str()),
                                         QString::fromUtf8(row[1].c_str()));
            } catch (const std::exception &) {
                db.reset();
                return; // the database is away: keep everyone until it answers again
            }
            QMetaObject::invokeMethod(
                this,
                [this, hospitalId, roleBySession] {
                    applySessionCheck(hospitalId, roleBySession);
                },
                Qt::QueuedConnection);
        });
    }
}

void LiveHub::applySessionCheck(qint64 hospitalId, const QHash<QString, QString> &roleBySession)
{
    for (LiveClient *client : std::as_const(m_clients)) {
        if (!client->principal || client->principal->hospitalId != hospitalId)
            continue;
        const auto role = roleBySession.constFind(client->principal->sessionId);
        if (role == roleBySession.cend()) {
            client->closeWith(LiveClient::CloseUnauthenticated, QStringLiteral("session ended"));
            continue;
        }
        const std::optional<Role> current = roleFromName(*role);
        if (!current || *current == client->principal->role)
            continue;
        // A new role: keep only the topics it may still follow, and say which went.
        client->principal->role = *current;
        QJsonArray dropped;
        const QSet<QString> topics = client->topics;
        for (const QString &topic : topics) {
            if (topicRefusal(*client->principal, topic)) {
                client->topics.remove(topic);
                dropped.append(topic);
            }
        }
        if (!dropped.isEmpty())
            client->sendJson(message(
                {{QStringLiteral("type"), QStringLiteral("error")},
                 {QStringLiteral("message"), QStringLiteral("your role changed; topics dropped")},
                 {QStringLiteral("dropped"), dropped}}));
    }
}

bool LiveHub::submit(const std::function<void(DbSession &)> &job)
{
    return m_pool.trySubmit(job);
}

void LiveHub::acceptUpgrade(QTcpSocket *socket, const QByteArray &authorization)
{
    socket->setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, SocketSendBufferBytes);
    const QString key = peerKey(socket->peerAddress(), socket->peerPort());
    m_pendingUpgrades.insert(key, {authorization, socket});
    // A handshake that never completes leaves no entry behind; a newer socket that took the
    // same address and port meanwhile is still alive and keeps its own.
    connect(socket, &QObject::destroyed, this, [this, key] {
        const auto pending = m_pendingUpgrades.constFind(key);
        if (pending != m_pendingUpgrades.cend() && !pending->transport)
            m_pendingUpgrades.erase(pending);
    });
    m_server.handleConnection(socket);
    // The handshake bytes are already in the socket's buffer (peeked, never read), so no
    // readyRead would announce them: nudge the handshake parser once.
    QMetaObject::invokeMethod(
        socket,
        [socket] {
            if (socket->bytesAvailable() > 0)
                Q_EMIT socket->readyRead();
        },
        Qt::QueuedConnection);
}

void LiveHub::onNewConnection()
{
    while (QWebSocket *socket = m_server.nextPendingConnection()) {
        const PendingUpgrade pending =
            m_pendingUpgrades.take(peerKey(socket->peerAddress(), socket->peerPort()));
        auto *client = new LiveClient(socket, pending.transport.data(), this);
        m_clients.insert(client);
        connect(client, &LiveClient::gone, this, &LiveHub::remove);
        connect(socket, &QWebSocket::textMessageReceived, client,
                [this, client](const QString &text) {
                    onTextMessage(client, text);
                });
        connect(socket, &QWebSocket::binaryMessageReceived, client, [client] {
            client->closeWith(1003, QStringLiteral("text messages only"));
        });
        // Authenticate within 5 s: by the upgrade's Authorization header, or a first message.
        QTimer::singleShot(AuthTimeoutMs, client, [client] {
            if (!client->principal)
                client->closeWith(LiveClient::CloseUnauthenticated,
                                  QStringLiteral("authenticate first"));
        });
        const QByteArray &header = pending.authorization;
        if (header.size() > 7 && header.left(7).compare("Bearer ", Qt::CaseInsensitive) == 0) {
            authenticate(client, header.mid(7).trimmed());
            continue;
        }
        qsizetype idleFromPeer = 0;
        for (const LiveClient *other : std::as_const(m_clients)) {
            if (other != client && other->idleUnauthenticated()
                && other->socket()->peerAddress() == socket->peerAddress())
                ++idleFromPeer;
        }
        if (idleFromPeer >= MaxIdleUnauthenticatedPerAddress)
            client->closeWith(1008, QStringLiteral("too many unauthenticated connections"));
    }
}

void LiveHub::remove(LiveClient *client)
{
    qCDebug(lcLive) << "subscriber left;" << m_clients.size() - 1 << "remain";
    m_clients.remove(client);
    client->deleteLater();
}

void LiveHub::sendError(LiveClient *client, const QString &text)
{
    client->sendJson(message(
        {{QStringLiteral("type"), QStringLiteral("error")}, {QStringLiteral("message"), text}}));
}

void LiveHub::onTextMessage(LiveClient *client, const QString &text)
{
    if (client->closing())
        return;
    if (!client->takeMessageToken()) { // W3: a flooder is cut off, the others never notice
        client->closeWith(1008, QStringLiteral("too many messages"));
        return;
    }
    handleMessage(client, text);
}

void LiveHub::handleMessage(LiveClient *client, const QString &text)
{
    if (client->closing())
        return;
    if (client->authPending) { // a subscribe right behind the upgrade: answer it in order
        client->waitingMessages.append(text);
        return;
    }
    const Result<QJsonObject> parsed = parseJsonObject(text.toUtf8());
    if (!parsed) {
        sendError(client, parsed.problem().detail);
        return;
    }
    FieldReader reader(parsed.value());
    const auto type = reader.requiredEnum(
        QStringLiteral("type"),
        {QStringLiteral("auth"), QStringLiteral("subscribe"), QStringLiteral("unsubscribe")});
    if (!type) {
        sendError(client, QStringLiteral("type must be auth, subscribe or unsubscribe"));
        return;
    }
    if (*type == QLatin1String("auth")) {
        const auto token = reader.requiredString(QStringLiteral("token"), 4096);
        reader.rejectUnknownKeys();
        if (reader.hasErrors()) {
            sendError(client, QStringLiteral("auth needs a token"));
            return;
        }
        authenticate(client, token->toLatin1());
        return;
    }
    if (!client->principal) {
        sendError(client, QStringLiteral("authenticate first"));
        return;
    }
    const auto topics = reader.requiredArray(QStringLiteral("topics"), MaxTopics);
    const auto since =
        reader.optionalInteger(QStringLiteral("since"), 0, FieldReader::MaxSafeInteger);
    reader.rejectUnknownKeys();
    QStringList names;
    if (topics) {
        for (const QJsonValue &value : *topics) {
            if (!value.isString())
                reader.addError(QStringLiteral("topics"), QStringLiteral("must be strings"));
            names.append(value.toString());
        }
    }
    if (reader.hasErrors()) {
        sendError(client,
                  reader.errors().first().field + QLatin1Char(' ')
                      + reader.errors().first().message);
        return;
    }
    if (*type == QLatin1String("unsubscribe")) {
        for (const QString &name : std::as_const(names))
            client->topics.remove(name);
        return;
    }
    subscribe(client, names, since);
}

void LiveHub::authenticate(LiveClient *client, const QByteArray &token)
{
    client->authPending = true;
    QPointer<LiveClient> guard(client);
    const bool queued = submit([this, guard, token](DbSession &db) {
        qint64 expiresAt = 0;
        std::optional<Principal> principal;
        try {
            principal = m_auth.authenticateToken(db, token, &expiresAt);
        } catch (const std::exception &) {
            db.reset();
        }
        QMetaObject::invokeMethod(
            this,
            [this, guard, principal, expiresAt] {
                if (!guard)
                    return;
                guard->authPending = false;
                const QStringList waiting = std::exchange(guard->waitingMessages, {});
                const auto replayWaiting = qScopeGuard([this, guard, waiting] {
                    for (const QString &text : waiting) {
                        if (guard)
                            handleMessage(guard.data(), text);
                    }
                });
                // A renewed token must belong to the same user; a failed one ends the stream.
                if (!principal
                    || (guard->principal && guard->principal->userId != principal->userId)) {
                    guard->closeWith(LiveClient::CloseUnauthenticated,
                                     QStringLiteral("invalid token"));
                    return;
                }
                const bool first = !guard->principal;
                guard->principal = principal;
                guard->tokenExpiresAt = expiresAt;
                const qint64 msLeft = (expiresAt - QDateTime::currentSecsSinceEpoch()) * 1000;
                QTimer::singleShot(
                    std::max<qint64>(0, msLeft), guard.data(), [client = guard.data(), expiresAt] {
                        if (client->tokenExpiresAt == expiresAt) // not renewed meanwhile
                            client->closeWith(LiveClient::CloseUnauthenticated,
                                              QStringLiteral("token expired"));
                    });
                if (first)
                    guard->sendJson(
                        message({{QStringLiteral("type"), QStringLiteral("authenticated")},
                                 {QStringLiteral("userId"), QString::number(principal->userId)}}));
            },
            Qt::QueuedConnection);
    });
    if (!queued) {
        client->authPending = false;
        client->closeWith(1013, QStringLiteral("server busy; retry"));
    }
}

void LiveHub::subscribe(LiveClient *client, const QStringList &topics, std::optional<qint64> since)
{
    QStringList accepted;
    QJsonArray refused;
    for (const QString &topic : topics) {
        if (const std::optional<QString> reason = topicRefusal(*client->principal, topic))
            refused.append(
                QJsonObject{{QStringLiteral("topic"), topic}, {QStringLiteral("reason"), *reason}});
        else
            accepted.append(topic);
    }
    if (!refused.isEmpty())
        client->sendJson(
            message({{QStringLiteral("type"), QStringLiteral("error")},
                     {QStringLiteral("message"), QStringLiteral("some topics were refused")},
                     {QStringLiteral("refused"), refused}}));
    if (accepted.isEmpty())
        return;

    // Replay what was missed, holding live events meanwhile; then continue live.
    client->replaying = true;
    const qint64 hospitalId = client->principal->hospitalId;
    QPointer<LiveClient> guard(client);
    const bool queued = submit([this, guard, hospitalId, accepted, since](DbSession &db) {
        qint64 head = 0;
        bool resync = false;
        try {
            pqxx::read_transaction tx(db.connection());
            enterTenant(tx, hospitalId);
            const pqxx::row bounds =
                tx.exec_params1("SELECT coalesce(min(seq), 0), coalesce(max(seq), 0) FROM events "
                                "WHERE hospital_id = $1",
                                hospitalId);
            head = bounds[1].as<qint64>();
            const qint64 oldest = bounds[0].as<qint64>();
            // Older than retention, too far behind or from the future: reload snapshots.
            resync = since
                && ((oldest > 0 && *since + 1 < oldest) || head - *since > MaxReplayEvents
                    || *since > head);
        } catch (const std::exception &) {
            db.reset();
            resync = true;
        }
        QMetaObject::invokeMethod(
            this,
            [this, guard, accepted, since, head, resync] {
                if (!guard)
                    return;
                for (const QString &topic : accepted)
                    guard->topics.insert(topic);
                if (resync || !since) {
                    if (resync)
                        guard->sendJson(
                            message({{QStringLiteral("type"), QStringLiteral("resync")}}));
                    guard->lastSeq = head;
                    finishReplay(guard.data());
                    return;
                }
                guard->lastSeq = *since;
                replayPage(guard.data(), head);
            },
            Qt::QueuedConnection);
    });
    if (!queued) {
        client->replaying = false;
        client->closeWith(1013, QStringLiteral("server busy; retry"));
    }
}

// One page of missed events per database round trip, so a long replay reaches the socket in
// pieces the event loop can flush, and a reader that keeps up never trips the 1013 bound.
void LiveHub::replayPage(LiveClient *client, qint64 head)
{
    const qint64 hospitalId = client->principal->hospitalId;
    const qint64 after = client->lastSeq;
    QPointer<LiveClient> guard(client);
    const bool queued = submit([this, guard, hospitalId, after, head](DbSession &db) {
        const std::optional<QList<LiveEvent>> read = readEvents(db, hospitalId, after, head);
        const bool failed = !read;
        const QList<LiveEvent> page = read.value_or(QList<LiveEvent>());
        QMetaObject::invokeMethod(
            this,
            [this, guard, page, head, failed] {
                if (!guard)
                    return;
                if (failed) { // the client resumes from what it has
                    guard->closeWith(1013, QStringLiteral("server busy; reconnect with since"));
                    return;
                }
                guard->replay(page);
                if (page.size() == FetchBatch && guard->lastSeq < head)
                    replayWhenDrained(guard.data(), head, 0);
                else
                    finishReplay(guard.data());
            },
            Qt::QueuedConnection);
    });
    if (!queued)
        client->closeWith(1013, QStringLiteral("server busy; reconnect with since"));
}

// Backpressure for a long replay: the next page waits until the socket has written most
// of the previous one, so a reader that keeps up never meets the slow-consumer bound; one
// that does not read for ReplayStallMs is closed 1013 and resumes later.
void LiveHub::replayWhenDrained(LiveClient *client, qint64 head, int waitedMs)
{
    if (client->socket()->bytesToWrite() <= ReplayLowWaterBytes) {
        replayPage(client, head);
        return;
    }
    if (waitedMs >= ReplayStallMs) {
        client->closeWith(1013, QStringLiteral("too slow; reconnect with since"));
        return;
    }
    QTimer::singleShot(ReplayPollMs, client, [this, client, head, waitedMs] {
        replayWhenDrained(client, head, waitedMs + ReplayPollMs);
    });
}

void LiveHub::finishReplay(LiveClient *client)
{
    client->replaying = false;
    const QList<LiveEvent> held = std::exchange(client->held, {});
    client->sendAll(held);
    client->sendJson(message(
        {{QStringLiteral("type"), QStringLiteral("subscribed")},
         {QStringLiteral("topics"),
          QJsonArray::fromStringList(QStringList(client->topics.begin(), client->topics.end()))},
         {QStringLiteral("seq"), client->lastSeq}}));
}

void LiveHub::onHint(qint64 hospitalId, qint64 seq)
{
    if (hospitalId == 0) { // the listener reconnected: catch up everywhere
        const QList<qint64> known = m_fetched.keys();
        for (const qint64 hospital : known)
            onHint(hospital, std::numeric_limits<qint64>::max());
        return;
    }
    if (!m_fetched.contains(hospitalId))
        m_fetched.insert(hospitalId, seq - 1); // resuming clients replay the older ones
    if (seq <= m_fetched.value(hospitalId))
        return;
    if (m_fetching.contains(hospitalId)) {
        m_dirty.insert(hospitalId);
        return;
    }
    fetch(hospitalId);
}

void LiveHub::fetch(qint64 hospitalId)
{
    m_fetching.insert(hospitalId);
    m_dirty.remove(hospitalId);
    const qint64 from = m_fetched.value(hospitalId);
    const bool queued = submit([this, hospitalId, from](DbSession &db) {
        const QList<LiveEvent> events =
            readEvents(db, hospitalId, from, std::numeric_limits<qint64>::max())
                .value_or(QList<LiveEvent>());
        const bool more = events.size() == FetchBatch;
        QMetaObject::invokeMethod(
            this,
            [this, hospitalId, events, more] {
                onFetched(hospitalId, events, more);
            },
            Qt::QueuedConnection);
    });
    if (!queued) {
        m_fetching.remove(hospitalId);
        QTimer::singleShot(100, this, [this, hospitalId] {
            fetch(hospitalId);
        });
    }
}

void LiveHub::onFetched(qint64 hospitalId, const QList<LiveEvent> &events, bool more)
{
    m_fetching.remove(hospitalId);
    for (LiveClient *client : std::as_const(m_clients))
        client->sendAll(events);
    if (!events.isEmpty())
        m_fetched[hospitalId] = events.constLast().seq;
    if (more || m_dirty.contains(hospitalId))
        fetch(hospitalId);
}

} // namespace hms::server
