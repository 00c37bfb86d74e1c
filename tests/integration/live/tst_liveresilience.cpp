// /api/v1/live under abuse and failure (SECURITY.md W1, W3, W4, W6): idle unauthenticated
// sockets capped per address, a flooding client cut off while others keep receiving, a
// subscriber that stops reading closed with 1013 and then resuming with everything exactly
// once, and 200 subscribers riding out a kill -9 of hms-server with nothing missed.
#include "db/tenant.h"
#include "live/eventlog.h"
#include "live/livehub.h"
#include "support/livesubscriber.h"
#include "support/serverfixture.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

#include <pqxx/pqxx>

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <thread>

using namespace hms;
using namespace hms::server;
using namespace hms::test;

namespace {

const QString Password = QStringLiteral("live wire horse 2024!");

QJsonObject subscribeMessage(const QString &topic, std::optional<qint64> since = {})
{
    QJsonObject message{{QStringLiteral("type"), QStringLiteral("subscribe")},
                        {QStringLiteral("topics"), QJsonArray{topic}}};
    if (since)
        message.insert(QStringLiteral("since"), *since);
    return message;
}

/// The resident set of this process in KiB (the in-process server lives here).
qint64 residentKib()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

/// A WebSocket client that stops reading: a plain socket that speaks the handshake and one
/// masked subscribe frame, then leaves what arrives in the kernel until told to read. Parses
/// the server's (unmasked) frames when it does.
class StalledReader
{
public:
    bool open(quint16 port, const QByteArray &token, const QByteArray &subscribeJson)
    {
        m_socket.setReadBufferSize(4096); // Qt stops pulling from the kernel once this is full
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        if (!m_socket.waitForConnected(5000))
            return false;
        m_socket.write("GET /api/v1/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer "
                       + token + "\r\n\r\n");
        if (!waitUntil([this] {
                m_buffer += m_socket.readAll();
                return m_buffer.contains("\r\n\r\n");
            }))
            return false;
        if (!m_buffer.startsWith("HTTP/1.1 101"))
            return false;
        m_buffer = m_buffer.mid(m_buffer.indexOf("\r\n\r\n") + 4);
        // One masked text frame (RFC 6455 5.3); the payload is short (< 126 bytes).
        QByteArray frame;
        frame.append(char(0x81));
        frame.append(char(0x80 | subscribeJson.size()));
        const QByteArray mask("\x11\x22\x33\x44", 4);
        frame.append(mask);
        for (qsizetype i = 0; i < subscribeJson.size(); ++i)
            frame.append(char(subscribeJson[i] ^ mask[i % 4]));
        m_socket.write(frame);
        return true;
    }

    /// Reads until the server's close frame (or the connection's end); returns the close code.
    int drain(int timeoutMs)
    {
        m_socket.setReadBufferSize(0);
        waitUntil(
            [this] {
                m_buffer += m_socket.readAll();
                parse();
                return m_closeCode != 0 || m_socket.state() != QAbstractSocket::ConnectedState;
            },
            timeoutMs);
        m_buffer += m_socket.readAll();
        parse();
        return m_closeCode;
    }

    const QList<qint64> &seqs() const { return m_seqs; }

private:
    void parse()
    {
        while (m_buffer.size() >= 2) {
            const int opcode = quint8(m_buffer[0]) & 0x0f;
            qint64 length = quint8(m_buffer[1]) & 0x7f;
            qsizetype header = 2;
            if (length == 126) {
                if (m_buffer.size() < 4)
                    return;
                length = (qint64(quint8(m_buffer[2])) << 8) | quint8(m_buffer[3]);
                header = 4;
            } else if (length == 127) {
                if (m_buffer.size() < 10)
                    return;
                length = 0;
                for (int i = 2; i < 10; ++i)
                    length = (length << 8) | quint8(m_buffer[i]);
                header = 10;
            }
            if (m_buffer.size() < header + length)
                return;
            const QByteArray payload = m_buffer.mid(header, length);
            m_buffer.remove(0, header + length);
            if (opcode == 0x8) {
                m_closeCode =
                    payload.size() >= 2 ? (quint8(payload[0]) << 8) | quint8(payload[1]) : 1005;
                return;
            }
            const QJsonObject message = QJsonDocument::fromJson(payload).object();
            if (opcode == 0x1 && message.contains(QStringLiteral("topic")))
                m_seqs.append(message.value(QStringLiteral("seq")).toInteger());
        }
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
    QList<qint64> m_seqs;
    int m_closeCode = 0;
};

/// A desk's live connection: on any disconnect it comes back after a jittered backoff and
/// resumes with `since` = the last seq it saw, as the client does.
class ResumingSubscriber
{
public:
    ResumingSubscriber(quint16 port, QByteArray token, QString topic)
        : m_token(std::move(token))
        , m_topic(std::move(topic))
    {
        m_port = port;
        QObject::connect(&m_socket, &QWebSocket::connected, [this] {
            m_socket.sendTextMessage(QString::fromUtf8(
                QJsonDocument(subscribeMessage(m_topic,
                                               m_subscribedOnce ? std::optional<qint64>(m_lastSeq)
                                                                : std::nullopt))
                    .toJson(QJsonDocument::Compact)));
        });
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, [this](const QString &text) {
            const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
            const QString type = message.value(QStringLiteral("type")).toString();
            if (type == QLatin1String("subscribed")) {
                if (!m_subscribedOnce)
                    m_lastSeq = message.value(QStringLiteral("seq")).toInteger();
                m_subscribedOnce = true;
                m_live = true;
                m_attempt = 0;
            } else if (type == QLatin1String("resync")) {
                ++m_resyncs;
            } else if (message.contains(QStringLiteral("topic"))) {
                m_lastSeq = message.value(QStringLiteral("seq")).toInteger();
                m_seqs.append(m_lastSeq);
            }
        });
        QObject::connect(&m_socket, &QWebSocket::disconnected, [this] {
            ++m_disconnects;
            retryLater();
        });
        // A refused connection (server down) never "disconnects": retry on the error too.
        QObject::connect(&m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error),
                         [this] {
                             retryLater();
                         });
        open();
    }

    ~ResumingSubscriber() { QObject::disconnect(&m_socket, nullptr, nullptr, nullptr); }

    bool live() const { return m_live; }

    int disconnects() const { return m_disconnects; }

    int resyncs() const { return m_resyncs; }

    const QList<qint64> &seqs() const { return m_seqs; }

private:
    void retryLater()
    {
        m_live = false;
        if (m_retryPending)
            return;
        m_retryPending = true;
        // 100 ms .. 1.6 s, jittered, so 200 desks do not come back in one burst.
        ++m_attempt;
        const int delay =
            int(QRandomGenerator::global()->bounded(100, 100 + (100 << std::min(m_attempt, 4))));
        QTimer::singleShot(delay, &m_socket, [this] {
            m_retryPending = false;
            m_socket.abort();
            open();
        });
    }

    void open()
    {
        QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/api/v1/live").arg(m_port)));
        request.setRawHeader("Authorization", "Bearer " + m_token);
        m_socket.open(request);
    }

    QWebSocket m_socket;
    quint16 m_port = 0;
    QByteArray m_token;
    QString m_topic;
    qint64 m_lastSeq = 0;
    bool m_subscribedOnce = false;
    bool m_live = false;
    int m_disconnects = 0;
    int m_attempt = 0;
    bool m_retryPending = false;
    int m_resyncs = 0;
    QList<qint64> m_seqs;
};

} // namespace

class TestLiveResilience : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void idleUnauthenticatedSocketsAreCappedPerAddress();
    void floodingClientIsClosedWhileOthersKeepReceiving();
    void stalledReaderIsClosed1013AndResumesWithEverything();
    void subscribersSurviveServerKill();
    void aLaterCommitNeverSkipsAnEarlierSeq();

private:
    /// \a count events on \a topic in one transaction, as a REST change writes them; the
    /// data carries a filler the size of a real bed event with its fields.
    void append(const QString &topic, int count, int filler = 0);
    qint64 headSeq();

    std::unique_ptr<ServerFixture> m_fixture;
    qint64 m_hospital = 0;
    QByteArray m_token;
};

void TestLiveResilience::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("liveres"));
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    m_hospital = m_fixture->createHospital(QStringLiteral("alpha"), QStringLiteral("Alpha"));
    QVERIFY(m_fixture->createUser(QStringLiteral("alpha"), QStringLiteral("nurse"), Role::Nurse,
                                  Password)
            > 0);
    m_token =
        accessTokenOf(m_fixture->login(QStringLiteral("alpha"), QStringLiteral("nurse"), Password));
    QVERIFY(!m_token.isEmpty());
}

void TestLiveResilience::append(const QString &topic, int count, int filler)
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    enterTenant(tx, m_hospital);
    const QString pad(filler, QLatin1Char('f'));
    for (int i = 0; i < count; ++i)
        EventLog::append(tx, m_hospital, topic, QStringLiteral("bed.changed"),
                         {{QStringLiteral("bedId"), QString::number(i + 1)},
                          {QStringLiteral("status"), QStringLiteral("cleaning")},
                          {QStringLiteral("pad"), pad}});
    tx.commit();
}

qint64 TestLiveResilience::headSeq()
{
    return m_fixture->count("SELECT coalesce(max(seq), 0) FROM events");
}

void TestLiveResilience::idleUnauthenticatedSocketsAreCappedPerAddress()
{
    // 16 sockets that never authenticate are tolerated from one address; the 17th is closed
    // at once with 1008. A desk that authenticates on the upgrade is not counted.
    std::vector<std::unique_ptr<LiveSubscriber>> idle;
    for (int i = 0; i < 16; ++i) {
        idle.push_back(std::make_unique<LiveSubscriber>(m_fixture->port()));
        QVERIFY(idle.back()->waitConnected());
    }
    QTest::qWait(100);
    for (const auto &socket : idle)
        QVERIFY(!socket->closed());
    LiveSubscriber oneTooMany(m_fixture->port());
    QVERIFY(waitUntil([&] {
        return oneTooMany.closed();
    }));
    QCOMPARE(oneTooMany.closeCode(), 1008);

    LiveSubscriber desk(m_fixture->port(), m_token);
    QVERIFY(desk.waitConnected());
    QVERIFY(desk.next(QStringLiteral("authenticated")));
    QVERIFY(!desk.closed());

    // Once the idle ones go (here: they give up), the address may open new ones again.
    idle.clear();
    QVERIFY(waitUntil([&] {
        return m_fixture->app()->live()->clientCount() <= 1;
    }));
    LiveSubscriber later(m_fixture->port());
    QVERIFY(later.waitConnected());
    QTest::qWait(100);
    QVERIFY(!later.closed());
}

void TestLiveResilience::floodingClientIsClosedWhileOthersKeepReceiving()
{
    LiveSubscriber watcher(m_fixture->port(), m_token);
    QVERIFY(watcher.waitConnected());
    watcher.send(subscribeMessage(QStringLiteral("beds")));
    QVERIFY(watcher.next(QStringLiteral("subscribed")));

    LiveSubscriber flooder(m_fixture->port(), m_token);
    QVERIFY(flooder.waitConnected());
    QVERIFY(flooder.next(QStringLiteral("authenticated")));
    for (int i = 0; i < 1000; ++i)
        flooder.send({{QStringLiteral("type"), QStringLiteral("unsubscribe")},
                      {QStringLiteral("topics"), QJsonArray{QStringLiteral("beds:1")}}});
    QVERIFY(waitUntil([&] {
        return flooder.closed();
    }));
    QCOMPARE(flooder.closeCode(), 1008);

    append(QStringLiteral("beds:3"), 1);
    QVERIFY(watcher.next(QStringLiteral("bed.changed")));
    QVERIFY(!watcher.closed());

    // A client that sends at a desk's pace is never throttled.
    LiveSubscriber polite(m_fixture->port(), m_token);
    QVERIFY(polite.waitConnected());
    for (int i = 0; i < 20; ++i) {
        polite.send(subscribeMessage(QStringLiteral("beds:7")));
        QVERIFY(polite.next(QStringLiteral("subscribed")));
    }
    QVERIFY(!polite.closed());
}

void TestLiveResilience::stalledReaderIsClosed1013AndResumesWithEverything()
{
    // W6: one subscriber stops reading while 10,000 events are published. Its queue is
    // bounded (closed 1013 past 1 MiB), another subscriber gets every event meanwhile, and
    // the stalled one, reading again and resuming with `since`, ends with each event once.
    const qint64 before = headSeq();
    LiveSubscriber watcher(m_fixture->port(), m_token);
    QVERIFY(watcher.waitConnected());
    watcher.send(subscribeMessage(QStringLiteral("beds")));
    QVERIFY(watcher.next(QStringLiteral("subscribed")));

    StalledReader stalled;
    QVERIFY(stalled.open(m_fixture->port(), m_token,
                         QJsonDocument(subscribeMessage(QStringLiteral("beds"), before))
                             .toJson(QJsonDocument::Compact)));
    QTest::qWait(300); // authenticated and subscribed (answers wait in the kernel)

    const qint64 rssBefore = residentKib();
    constexpr int Events = 10'000;
    for (int batch = 0; batch < 20; ++batch) {
        append(QStringLiteral("beds:5"), Events / 20, 200);
        QTest::qWait(20); // let the hub push between commits, as with real writers
    }
    QVERIFY(waitUntil(
        [&] {
            return watcher.events().size() >= Events;
        },
        30'000));
    qInfo("watcher got %lld events; process RSS grew by %lld KiB while one reader stalled",
          qint64(watcher.events().size()), residentKib() - rssBefore);
    QCOMPARE(watcher.events().size(), Events);

    QCOMPARE(stalled.drain(30'000), 1013); // generous: a loaded CI box reads 1 MiB slowly
    const QList<qint64> first = stalled.seqs();
    QVERIFY2(first.size() < Events, "the stalled reader was never cut off");
    for (qsizetype i = 0; i < first.size(); ++i)
        QCOMPARE(first[i], before + 1 + i);
    qInfo("stalled reader had %lld events before 1013", qint64(first.size()));

    const qint64 since = first.isEmpty() ? before : first.last();
    LiveSubscriber resumed(m_fixture->port(), m_token);
    QVERIFY(resumed.waitConnected());
    resumed.send(subscribeMessage(QStringLiteral("beds"), since));
    QVERIFY(resumed.next(QStringLiteral("subscribed"), 15'000));
    const QList<QJsonObject> rest = resumed.events();
    QCOMPARE(first.size() + rest.size(), Events);
    for (qsizetype i = 0; i < rest.size(); ++i)
        QCOMPARE(rest[i].value(QStringLiteral("seq")).toInteger(), since + 1 + i);
    QVERIFY(!resumed.closed());
}

void TestLiveResilience::subscribersSurviveServerKill()
{
    // W4: 200 subscribers on a real hms-server process; kill -9 it, commit 100 events while
    // it is down, start it again on the same port: every subscriber reconnects (jittered),
    // resumes with since and ends with every event once, in order.
    QProcessEnvironment env;
    env.insert(QStringLiteral("HMS_DATABASE_URL"), m_fixture->database().qurl());
    env.insert(QStringLiteral("HMS_JWT_KEY_FILE"), m_fixture->jwtKeyFile());
    ServerProcess server;
    QVERIFY(server.start({QStringLiteral("--no-migrate")}, env));
    const quint16 port = server.port();

    constexpr int Subscribers = 200;
    std::vector<std::unique_ptr<ResumingSubscriber>> desks;
    for (int i = 0; i < Subscribers; ++i)
        desks.push_back(
            std::make_unique<ResumingSubscriber>(port, m_token, QStringLiteral("beds")));
    QVERIFY(waitUntil(
        [&] {
            return std::all_of(desks.cbegin(), desks.cend(), [](const auto &desk) {
                return desk->live();
            });
        },
        30'000));
    const qint64 start = headSeq();
    append(QStringLiteral("beds:2"), 10);
    QVERIFY(waitUntil(
        [&] {
            return std::all_of(desks.cbegin(), desks.cend(), [](const auto &desk) {
                return desk->seqs().size() == 10;
            });
        },
        15'000));

    ::kill(pid_t(server.process().processId()), SIGKILL);
    QVERIFY(server.process().waitForFinished(10'000));
    append(QStringLiteral("beds:2"), 100); // committed while no server runs
    QTest::qWait(500); // the desks are retrying meanwhile

    ServerProcess again;
    QVERIFY(again.start({QStringLiteral("--no-migrate"), QStringLiteral("--listen"),
                         QStringLiteral("127.0.0.1:%1").arg(port)},
                        env));
    QCOMPARE(again.port(), port);
    append(QStringLiteral("beds:2"), 10); // live again
    QVERIFY(waitUntil(
        [&] {
            return std::all_of(desks.cbegin(), desks.cend(), [](const auto &desk) {
                return desk->seqs().size() >= 120;
            });
        },
        60'000));
    QTest::qWait(300);
    for (const auto &desk : desks) {
        QVERIFY(desk->disconnects() >= 1);
        QCOMPARE(desk->resyncs(), 0);
        QCOMPARE(desk->seqs().size(), 120);
        for (qsizetype i = 0; i < desk->seqs().size(); ++i)
            QCOMPARE(desk->seqs()[i], start + 1 + i);
    }
    desks.clear();
    QCOMPARE(again.terminate(), 0);
}

void TestLiveResilience::aLaterCommitNeverSkipsAnEarlierSeq()
{
    // W5: T1 takes seq s and holds its transaction open 2 s; T2 writes an event meanwhile.
    // T2 waits on the hospital's counter row, so s+1 can never be visible before s: one
    // subscriber stays connected, another leaves after each event and resumes with since;
    // both see s exactly once, then s+1.
    LiveSubscriber steady(m_fixture->port(), m_token);
    QVERIFY(steady.waitConnected());
    steady.send(subscribeMessage(QStringLiteral("beds")));
    const auto subscribed = steady.next(QStringLiteral("subscribed"));
    QVERIFY(subscribed);
    const qint64 before = subscribed->value(QStringLiteral("seq")).toInteger();

    std::atomic<bool> t1Done = false;
    std::atomic<bool> t2Done = false;
    std::atomic<qint64> t2WaitedMs = 0;
    const std::string url = m_fixture->superuserUrl();
    const qint64 hospital = m_hospital;
    const auto write = [url, hospital](const QString &topic, int holdMs) {
        pqxx::connection connection(url);
        pqxx::work tx(connection);
        enterTenant(tx, hospital);
        EventLog::append(tx, hospital, topic, QStringLiteral("bed.changed"), {});
        std::this_thread::sleep_for(std::chrono::milliseconds(holdMs));
        tx.commit();
    };
    std::thread t1([&] {
        write(QStringLiteral("beds:1"), 2000);
        t1Done = true;
    });
    QTest::qWait(300); // T1 holds seq s now
    std::thread t2([&] {
        QElapsedTimer waited;
        waited.start();
        write(QStringLiteral("beds:2"), 0);
        t2WaitedMs = waited.elapsed();
        t2Done = true;
    });
    const auto joinWriters = qScopeGuard([&] { // also when a check below fails
        t1.join();
        t2.join();
    });

    // The resuming one: connected until it has seen something, then back with since.
    qint64 resumedLast = before;
    QList<qint64> resumedSeqs;
    while (resumedSeqs.size() < 2) {
        LiveSubscriber resuming(m_fixture->port(), m_token);
        QVERIFY(resuming.waitConnected());
        resuming.send(subscribeMessage(QStringLiteral("beds"), resumedLast));
        QVERIFY(resuming.next(QStringLiteral("subscribed")));
        // Replayed events come before the "subscribed" answer, live ones after it.
        QVERIFY(waitUntil(
            [&] {
                return !resuming.events().isEmpty();
            },
            10'000));
        const std::optional<QJsonObject> event = resuming.events().constFirst();
        resumedLast = event->value(QStringLiteral("seq")).toInteger();
        resumedSeqs.append(resumedLast);
    }
    QVERIFY(waitUntil([&] {
        return t1Done && t2Done && steady.events().size() >= 2;
    }));
    QVERIFY2(t2WaitedMs >= 1000, "the second writer did not wait for the first one's commit");
    QCOMPARE(resumedSeqs, (QList<qint64>{before + 1, before + 2}));
    const QList<QJsonObject> events = steady.events();
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0].value(QStringLiteral("seq")).toInteger(), before + 1);
    QCOMPARE(events[0].value(QStringLiteral("topic")).toString(), QStringLiteral("beds:1"));
    QCOMPARE(events[1].value(QStringLiteral("seq")).toInteger(), before + 2);
}

QTEST_GUILESS_MAIN(TestLiveResilience)
#include "tst_liveresilience.moc"
