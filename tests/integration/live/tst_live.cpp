// /api/v1/live with real WebSocket clients (QWebSocket) against an in-process server and a
// real PostgreSQL: authentication, topic permissions, events pushed after commit, resume
// with `since` (exactly the missed events, in order), tenant isolation, bad messages, a
// foreign Origin, and fan-out from one server instance to a subscriber on another.
#include "db/tenant.h"
#include "live/eventlog.h"
#include "live/livehub.h"
#include "support/livesubscriber.h"
#include "support/serverfixture.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QTest>
#include <QWebSocket>

#include <pqxx/pqxx>

using namespace hms;
using namespace hms::server;
using namespace hms::test;

namespace {

const QString Password = QStringLiteral("live wire horse 2024!");

using Subscriber = LiveSubscriber;

} // namespace

class TestLive : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void bearerHeaderSubscribeAndReceive();
    void firstMessageAuthentication();
    void unauthenticatedIsClosed4401();
    void resumeDeliversExactlyTheMissedEvents();
    void otherHospitalsEventsNeverArrive();
    void forbiddenTopicsAreRefusedConnectionKept();
    void malformedAndOversizedMessages();
    void foreignOriginIsRefused();
    void tooOldSinceGetsResync();
    void pruneRemovesOnlyEventsPastRetention();
    void disableAndRoleChangeReachOpenSockets();
    void eventsFanOutAcrossServerInstances();

private:
    void append(const QString &hospital, const QString &topic, int count = 1);
    QByteArray tokenFor(const QString &hospital, const QString &username);

    std::unique_ptr<ServerFixture> m_fixture;
    QHash<QString, qint64> m_hospitals;
};

void TestLive::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("live"));
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    for (const QString &code : {QStringLiteral("alpha"), QStringLiteral("beta")}) {
        m_hospitals.insert(code, m_fixture->createHospital(code, code));
        QVERIFY(m_fixture->createUser(code, QStringLiteral("nurse"), Role::Nurse, Password) > 0);
    }
    QVERIFY(m_fixture->createUser(QStringLiteral("alpha"), QStringLiteral("pharma"), Role::Pharmacy,
                                  Password)
            > 0);
}

QByteArray TestLive::tokenFor(const QString &hospital, const QString &username)
{
    return accessTokenOf(m_fixture->login(hospital, username, Password));
}

// Events as a REST change would write them: in a transaction, through EventLog.
void TestLive::append(const QString &hospital, const QString &topic, int count)
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    enterTenant(tx, m_hospitals.value(hospital));
    for (int i = 0; i < count; ++i)
        EventLog::append(tx, m_hospitals.value(hospital), topic, QStringLiteral("bed.changed"),
                         {{QStringLiteral("bedId"), QString::number(i + 1)}});
    tx.commit();
}

void TestLive::bearerHeaderSubscribeAndReceive()
{
    Subscriber subscriber(m_fixture->port(),
                          tokenFor(QStringLiteral("alpha"), QStringLiteral("nurse")));
    QVERIFY(subscriber.waitConnected());
    QVERIFY(subscriber.next(QStringLiteral("authenticated")));
    subscriber.send({{QStringLiteral("type"), QStringLiteral("subscribe")},
                     {QStringLiteral("topics"), QJsonArray{QStringLiteral("beds")}}});
    QVERIFY(subscriber.next(QStringLiteral("subscribed")));
    append(QStringLiteral("alpha"), QStringLiteral("beds:3"));
    const auto event = subscriber.next(QStringLiteral("bed.changed"));
    QVERIFY(event);
    QCOMPARE(event->value(QStringLiteral("topic")).toString(), QStringLiteral("beds:3"));
    QCOMPARE(
        event->value(QStringLiteral("data")).toObject().value(QStringLiteral("bedId")).toString(),
        QStringLiteral("1"));
    QVERIFY(event->value(QStringLiteral("seq")).toInteger() > 0);
    QVERIFY(event->value(QStringLiteral("at")).toString().endsWith(QLatin1Char('Z')));
}

void TestLive::firstMessageAuthentication()
{
    Subscriber subscriber(m_fixture->port());
    QVERIFY(subscriber.waitConnected());
    subscriber.send(
        {{QStringLiteral("type"), QStringLiteral("auth")},
         {QStringLiteral("token"),
          QString::fromLatin1(tokenFor(QStringLiteral("alpha"), QStringLiteral("nurse")))}});
    QVERIFY(subscriber.next(QStringLiteral("authenticated")));
    QVERIFY(!subscriber.closed());
}

void TestLive::unauthenticatedIsClosed4401()
{
    Subscriber silent(m_fixture->port());
    Subscriber forged(m_fixture->port(), "eyJhbGciOiJub25lIn0.e30.");
    QVERIFY(silent.waitConnected());
    QVERIFY(waitUntil(
        [&] {
            return silent.closed() && forged.closed();
        },
        8000));
    QCOMPARE(silent.closeCode(), 4401);
    QCOMPARE(forged.closeCode(), 4401);
    QVERIFY(silent.events().isEmpty());
}

void TestLive::resumeDeliversExactlyTheMissedEvents()
{
    const QByteArray token = tokenFor(QStringLiteral("alpha"), QStringLiteral("nurse"));
    qint64 since = 0;
    {
        Subscriber first(m_fixture->port(), token);
        QVERIFY(first.waitConnected());
        first.send({{QStringLiteral("type"), QStringLiteral("subscribe")},
                    {QStringLiteral("topics"), QJsonArray{QStringLiteral("beds")}}});
        const auto subscribed = first.next(QStringLiteral("subscribed"));
        QVERIFY(subscribed);
        since = subscribed->value(QStringLiteral("seq")).toInteger();
    } // disconnected
    append(QStringLiteral("alpha"), QStringLiteral("beds:1"), 100);
    append(QStringLiteral("alpha"), QStringLiteral("queue:9"), 5); // not subscribed: not sent

    Subscriber again(m_fixture->port(), token);
    QVERIFY(again.waitConnected());
    again.send({{QStringLiteral("type"), QStringLiteral("subscribe")},
                {QStringLiteral("topics"), QJsonArray{QStringLiteral("beds")}},
                {QStringLiteral("since"), since}});
    QVERIFY(again.next(QStringLiteral("subscribed")));
    append(QStringLiteral("alpha"), QStringLiteral("beds:2")); // live after the replay
    QVERIFY(waitUntil([&] {
        return again.events().size() >= 101;
    }));
    QTest::qWait(200);
    const QList<QJsonObject> events = again.events();
    QCOMPARE(events.size(), 101);
    for (qsizetype i = 0; i < 100; ++i)
        QCOMPARE(events[i].value(QStringLiteral("seq")).toInteger(), since + 1 + i);
    QCOMPARE(events[100].value(QStringLiteral("topic")).toString(), QStringLiteral("beds:2"));
    QCOMPARE(events[100].value(QStringLiteral("seq")).toInteger(),
             since + 106); // after the 5 queue events
}

void TestLive::otherHospitalsEventsNeverArrive()
{
    Subscriber beta(m_fixture->port(), tokenFor(QStringLiteral("beta"), QStringLiteral("nurse")));
    QVERIFY(beta.waitConnected());
    beta.send({{QStringLiteral("type"), QStringLiteral("subscribe")},
               {QStringLiteral("topics"), QJsonArray{QStringLiteral("beds")}}});
    QVERIFY(beta.next(QStringLiteral("subscribed")));
    append(QStringLiteral("alpha"), QStringLiteral("beds:1"), 3);
    append(QStringLiteral("beta"), QStringLiteral("beds:7"));
    const auto event = beta.next(QStringLiteral("bed.changed"));
    QVERIFY(event);
    QCOMPARE(event->value(QStringLiteral("topic")).toString(), QStringLiteral("beds:7"));
    QTest::qWait(300);
    QCOMPARE(beta.events().size(), 1);
}

void TestLive::forbiddenTopicsAreRefusedConnectionKept()
{
    Subscriber pharmacy(m_fixture->port(),
                        tokenFor(QStringLiteral("alpha"), QStringLiteral("pharma")));
    QVERIFY(pharmacy.waitConnected());
    QVERIFY(pharmacy.next(QStringLiteral("authenticated")));
    pharmacy.send({{QStringLiteral("type"), QStringLiteral("subscribe")},
                   {QStringLiteral("topics"),
                    QJsonArray{QStringLiteral("beds"), QStringLiteral("user:1"),
                               QStringLiteral("nonsense")}}});
    const auto error = pharmacy.next(QStringLiteral("error"));
    QVERIFY(error);
    QCOMPARE(error->value(QStringLiteral("refused")).toArray().size(),
             3); // beds, another user, unknown
    append(QStringLiteral("alpha"), QStringLiteral("beds:1"));
    QTest::qWait(300);
    QVERIFY(pharmacy.events().isEmpty());
    QVERIFY(!pharmacy.closed());
}

void TestLive::malformedAndOversizedMessages()
{
    Subscriber subscriber(m_fixture->port(),
                          tokenFor(QStringLiteral("alpha"), QStringLiteral("nurse")));
    QVERIFY(subscriber.waitConnected());
    QVERIFY(subscriber.next(QStringLiteral("authenticated")));
    subscriber.socket().sendTextMessage(QStringLiteral("{not json"));
    QVERIFY(subscriber.next(QStringLiteral("error")));
    subscriber.send({{QStringLiteral("type"), QStringLiteral("dance")}});
    QVERIFY(subscriber.next(QStringLiteral("error")));
    QVERIFY(!subscriber.closed());
    subscriber.socket().sendTextMessage(QString(64 * 1024 + 1, QLatin1Char('x')));
    QVERIFY(waitUntil([&] {
        return subscriber.closed();
    }));
    QCOMPARE(subscriber.closeCode(), 1009);

    Subscriber binary(m_fixture->port(),
                      tokenFor(QStringLiteral("alpha"), QStringLiteral("nurse")));
    QVERIFY(binary.waitConnected());
    binary.socket().sendBinaryMessage("x");
    QVERIFY(waitUntil([&] {
        return binary.closed();
    }));
    QCOMPARE(binary.closeCode(), 1003);
}

void TestLive::foreignOriginIsRefused()
{
    const auto response = RawHttpClient::roundTrip(
        m_fixture->port(),
        RawHttpClient::get(
            "/api/v1/live",
            "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://evil.example\r\n"));
    QVERIFY(response);
    QCOMPARE(response->status, 403);
    const auto plain =
        RawHttpClient::roundTrip(m_fixture->port(), RawHttpClient::get("/api/v1/live"));
    QVERIFY(plain);
    QCOMPARE(plain->status, 426);
}

void TestLive::tooOldSinceGetsResync()
{
    append(QStringLiteral("beta"), QStringLiteral("beds:1"), 5);
    {
        // Retention pruned the oldest events (the owner does this, not the app role).
        pqxx::connection connection(m_fixture->superuserUrl());
        pqxx::work tx(connection);
        tx.exec_params("DELETE FROM events WHERE hospital_id = $1 AND seq <= 3",
                       m_hospitals.value(QStringLiteral("beta")));
        tx.commit();
    }
    Subscriber subscriber(m_fixture->port(),
                          tokenFor(QStringLiteral("beta"), QStringLiteral("nurse")));
    QVERIFY(subscriber.waitConnected());
    subscriber.send({{QStringLiteral("type"), QStringLiteral("subscribe")},
                     {QStringLiteral("topics"), QJsonArray{QStringLiteral("beds")}},
                     {QStringLiteral("since"), 1}});
    QVERIFY(subscriber.next(QStringLiteral("resync")));
    QVERIFY(subscriber.next(QStringLiteral("subscribed")));
}

void TestLive::pruneRemovesOnlyEventsPastRetention()
{
    append(QStringLiteral("alpha"), QStringLiteral("beds:8"), 3);
    {
        pqxx::connection connection(m_fixture->superuserUrl());
        pqxx::work tx(connection);
        tx.exec_params("UPDATE events SET at = now() - interval '8 days' WHERE hospital_id = $1 "
                       "AND topic = 'beds:8'",
                       m_hospitals.value(QStringLiteral("alpha")));
        tx.commit();
    }
    const qint64 before = m_fixture->count("SELECT count(*) FROM events");
    const AdminRun run =
        runAdmin(m_fixture->superuserUrl(), {QStringLiteral("events"), QStringLiteral("prune")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains("pruned 3 events"));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM events"), before - 3);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM events WHERE topic = 'beds:8'"), 0);
}

void TestLive::disableAndRoleChangeReachOpenSockets()
{
    QVERIFY(m_fixture->createUser(QStringLiteral("alpha"), QStringLiteral("temp"), Role::Nurse,
                                  Password)
            > 0);
    QVERIFY(m_fixture->createUser(QStringLiteral("alpha"), QStringLiteral("mover"), Role::Nurse,
                                  Password)
            > 0);
    Subscriber leaving(m_fixture->port(),
                       tokenFor(QStringLiteral("alpha"), QStringLiteral("temp")));
    Subscriber moving(m_fixture->port(),
                      tokenFor(QStringLiteral("alpha"), QStringLiteral("mover")));
    for (Subscriber *subscriber : {&leaving, &moving}) {
        QVERIFY(subscriber->waitConnected());
        subscriber->send({{QStringLiteral("type"), QStringLiteral("subscribe")},
                          {QStringLiteral("topics"), QJsonArray{QStringLiteral("beds")}}});
        QVERIFY(subscriber->next(QStringLiteral("subscribed")));
    }
    const auto admin = [&](const QStringList &arguments) {
        return runAdmin(m_fixture->superuserUrl(), arguments).exitCode;
    };
    QCOMPARE(admin({QStringLiteral("user"), QStringLiteral("disable"), QStringLiteral("--hospital"),
                    QStringLiteral("alpha"), QStringLiteral("--username"), QStringLiteral("temp")}),
             0);
    QCOMPARE(
        admin({QStringLiteral("user"), QStringLiteral("set-role"), QStringLiteral("--hospital"),
               QStringLiteral("alpha"), QStringLiteral("--username"), QStringLiteral("mover"),
               QStringLiteral("--role"), QStringLiteral("lab")}),
        0);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(waitUntil(
        [&] {
            return leaving.closed();
        },
        7000));
    QCOMPARE(leaving.closeCode(), 4401);
    const auto dropped = moving.next(QStringLiteral("error"), 7000);
    QVERIFY(dropped);
    QCOMPARE(dropped->value(QStringLiteral("dropped")).toArray().first().toString(),
             QStringLiteral("beds"));
    QVERIFY2(clock.elapsed() < 6000, qPrintable(QString::number(clock.elapsed())));
    append(QStringLiteral("alpha"), QStringLiteral("beds:5"));
    QTest::qWait(300);
    QVERIFY(moving.events().isEmpty()); // lab may not follow the bed board
    QVERIFY(!moving.closed());
}

void TestLive::eventsFanOutAcrossServerInstances()
{
    // A second hms-server on the same database: a change committed through instance A
    // reaches a subscriber of instance B through NOTIFY.
    ServerConfig config;
    config.listenPort = 0;
    config.databaseUrl = QString::fromStdString(m_fixture->superuserUrl());
    config.migrateOnStart = false;
    config.jwtKeyFile = m_fixture->jwtKeyFile();
    config.argon2Iterations = 2;
    config.argon2MemoryKib = 19456;
    ServerApp second(config);
    QVERIFY2(second.start(), qPrintable(second.errorString()));

    Subscriber onB(second.port(), tokenFor(QStringLiteral("alpha"), QStringLiteral("nurse")));
    QVERIFY(onB.waitConnected());
    onB.send({{QStringLiteral("type"), QStringLiteral("subscribe")},
              {QStringLiteral("topics"), QJsonArray{QStringLiteral("beds:4")}}});
    QVERIFY(onB.next(QStringLiteral("subscribed")));
    append(QStringLiteral("alpha"), QStringLiteral("beds:4"));
    const auto event = onB.next(QStringLiteral("bed.changed"));
    QVERIFY(event);
    QCOMPARE(event->value(QStringLiteral("topic")).toString(), QStringLiteral("beds:4"));
    QCOMPARE(second.live()->clientCount(), 1);
}

QTEST_GUILESS_MAIN(TestLive)
#include "tst_live.moc"
