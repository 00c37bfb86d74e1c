#include "clienttestsupport.h"
#include "live/eventlog.h"
#include "live/liveconnection.h"
#include "shared/protocol/apipaths.h"

#include <QSignalSpy>
#include <QTest>

#include <pqxx/pqxx>

#include <memory>

using hms::Role;
using hms::client::LiveConnection;
using hms::client::LiveEvent;
using hms::test::ServerFixture;
namespace ui = hms::test::ui;

class TestLiveConnection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void resumesWithSinceAfterTheServerWasAway();
    void renewsTheTokenOnTheOpenSocket();
    void cleanupTestCase();

private:
    std::unique_ptr<ServerFixture> m_fixture;
    std::shared_ptr<quint16> m_port = std::make_shared<quint16>(0);
    qint64 m_hospitalId = 0;
    QString m_departmentId;
};

void TestLiveConnection::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("liveclient"));
    if (!m_fixture->isValid())
        QSKIP("HMS_TEST_DATABASE_URL not set");
    QVERIFY2(m_fixture->start([port = m_port](hms::server::ServerConfig &config) {
        config.listenPort = *port;
    }),
             qPrintable(m_fixture->errorString()));
    *m_port = m_fixture->port();
    m_hospitalId = m_fixture->createHospital(ui::Hospital, QStringLiteral("Alpha General"));
    QVERIFY(m_hospitalId > 0);
    for (Role role : {Role::Admin, Role::Reception})
        QVERIFY(m_fixture->createUser(ui::Hospital, hms::roleName(role), role, ui::Password) > 0);
    const QByteArray admin = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("admin"), ui::Password));
    m_departmentId = ui::call(*m_fixture, "POST", hms::api::Departments, admin,
                              {{QStringLiteral("code"), QStringLiteral("ENT")},
                               {QStringLiteral("name"), QStringLiteral("Ear, nose, throat")}})
                         .value(QStringLiteral("id"))
                         .toString();
    QVERIFY(!m_departmentId.isEmpty());
}

void TestLiveConnection::resumesWithSinceAfterTheServerWasAway()
{
    const QByteArray token = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("reception"), ui::Password));
    const QString topic = QStringLiteral("queue:") + m_departmentId;
    LiveConnection live([token]() {
        return token;
    });
    QSignalSpy events(&live, &LiveConnection::eventReceived);
    QSignalSpy resyncs(&live, &LiveConnection::resyncRequired);
    live.subscribe(topic); // before the socket is up: sent once authenticated
    live.start(QUrl(ui::serverUrlOf(*m_port)));
    QCOMPARE(live.state(), LiveConnection::State::Connecting);
    QTRY_COMPARE(live.state(), LiveConnection::State::Online);
    QTRY_VERIFY(live.confirmedTopics().contains(topic));

    // A check-in by another client arrives as an event.
    const QJsonObject patient =
        ui::call(*m_fixture, "POST", hms::api::Patients, token,
                 ui::patientBody(QStringLiteral("Jana Live"), QStringLiteral("+15553330001")));
    QVERIFY(!ui::call(*m_fixture, "POST", hms::api::Visits, token,
                      {{QStringLiteral("patientId"), patient.value(QStringLiteral("id"))},
                       {QStringLiteral("departmentId"), m_departmentId}})
                 .isEmpty());
    QTRY_COMPARE(events.count(), 1);
    const LiveEvent first = events.at(0).at(0).value<LiveEvent>();
    QCOMPARE(first.topic, topic);
    QCOMPARE(first.type, QStringLiteral("visit.checked_in"));
    QCOMPARE(first.data.value(QStringLiteral("token")).toInt(), 1);
    QCOMPARE(live.lastSeq(), first.seq);

    // The server goes away; meanwhile two events are written (another server instance
    // would do so): one of our topic, one of a topic we do not follow.
    m_fixture->stop();
    QTRY_COMPARE(live.state(), LiveConnection::State::Reconnecting);
    {
        pqxx::connection connection(m_fixture->superuserUrl());
        pqxx::work tx(connection);
        hms::server::EventLog::append(tx, m_hospitalId, QStringLiteral("queue:999999"),
                                      QStringLiteral("visit.checked_in"),
                                      {{QStringLiteral("visitId"), QStringLiteral("1")}});
        hms::server::EventLog::append(
            tx, m_hospitalId, topic, QStringLiteral("visit.called"),
            {{QStringLiteral("visitId"), first.data.value(QStringLiteral("visitId"))},
             {QStringLiteral("state"), QStringLiteral("called")},
             {QStringLiteral("token"), 1}});
        tx.commit();
    }

    // Back on the same port: the client reconnects by itself and gets what it missed.
    QVERIFY2(m_fixture->restart(), qPrintable(m_fixture->errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(live.state(), LiveConnection::State::Online, 10000);
    QTRY_COMPARE(events.count(), 2);
    const LiveEvent missed = events.at(1).at(0).value<LiveEvent>();
    QCOMPARE(missed.topic, topic);
    QCOMPARE(missed.type, QStringLiteral("visit.called"));
    QCOMPARE(missed.seq, first.seq + 2); // the other topic's event took first.seq + 1
    QTRY_VERIFY(live.confirmedTopics().contains(topic));
    QCOMPARE(events.count(), 2); // nothing twice
    QCOMPARE(resyncs.count(), 0);

    // Live again after the resume.
    const QJsonObject second =
        ui::call(*m_fixture, "POST", hms::api::Patients, token,
                 ui::patientBody(QStringLiteral("Kai Live"), QStringLiteral("+15553330002"),
                                 QStringLiteral("1990-03-03")));
    QVERIFY(!ui::call(*m_fixture, "POST", hms::api::Visits, token,
                      {{QStringLiteral("patientId"), second.value(QStringLiteral("id"))},
                       {QStringLiteral("departmentId"), m_departmentId}})
                 .isEmpty());
    QTRY_COMPARE(events.count(), 3);
    QCOMPARE(events.at(2).at(0).value<LiveEvent>().data.value(QStringLiteral("token")).toInt(), 2);

    live.stop();
    QCOMPARE(live.state(), LiveConnection::State::Stopped);
}

void TestLiveConnection::renewsTheTokenOnTheOpenSocket()
{
    const QJsonObject login =
        m_fixture->login(ui::Hospital, QStringLiteral("reception"), ui::Password);
    QByteArray current = hms::test::accessTokenOf(login);
    LiveConnection live([&current]() {
        return current;
    });
    QSignalSpy states(&live, &LiveConnection::stateChanged);
    live.start(QUrl(ui::serverUrlOf(*m_port)));
    QTRY_COMPARE(live.state(), LiveConnection::State::Online);

    // A rotated token (as Session::refresh() gets it) is accepted on the open socket.
    const hms::test::RawResponse refreshed =
        m_fixture->request("POST", hms::api::AuthRefresh, {},
                           hms::test::refreshBody(hms::test::refreshTokenOf(login)));
    QCOMPARE(refreshed.status, 200);
    current = hms::test::accessTokenOf(refreshed.json());
    const int before = int(states.count());
    live.renewToken(current);
    // The server checks it and answers nothing; the stream stays up.
    QTest::qWait(500);
    QCOMPARE(live.state(), LiveConnection::State::Online);
    QCOMPARE(int(states.count()), before);

    // A token the server refuses ends the stream; the client comes back with the current one.
    live.renewToken("not-a-token");
    QTRY_COMPARE(live.state(), LiveConnection::State::Reconnecting);
    QTRY_COMPARE_WITH_TIMEOUT(live.state(), LiveConnection::State::Online, 10000);
}

void TestLiveConnection::cleanupTestCase()
{
    m_fixture.reset();
}

QTEST_MAIN(TestLiveConnection)
#include "tst_liveconnection.moc"
