#include "app/mainwindow.h"
#include "app/navigation.h"
#include "clienttestsupport.h"
#include "live/eventlog.h"
#include "live/liveconnection.h"
#include "models/bedmodel.h"
#include "screens/nurse/bedboardscreen.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QJsonArray>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

#include <pqxx/pqxx>

#include <memory>

using hms::Role;
using hms::client::BedModel;
using hms::client::MainWindow;
using hms::client::Screen;
using hms::test::ServerFixture;
namespace ui = hms::test::ui;

/// The nurse's bed board against the IPD API (GET /api/v1/wards, /api/v1/beds?wardId=,
/// beds:<wardId> events).
class TestBedBoard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void bedChangedByAnotherClientRecoloursWithinASecond();
    void resyncAfterMissedEventsReloadsTheBoard();
    void cleanupTestCase();

private:
    std::unique_ptr<ServerFixture> m_fixture;
    qint64 m_hospitalId = 0;
    std::shared_ptr<quint16> m_port = std::make_shared<quint16>(0); ///< kept over restarts
};

void TestBedBoard::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("bedboard"));
    if (!m_fixture->isValid())
        QSKIP("HMS_TEST_DATABASE_URL not set");
    QVERIFY2(m_fixture->start([port = m_port](hms::server::ServerConfig &config) {
        config.listenPort = *port;
    }),
             qPrintable(m_fixture->errorString()));
    *m_port = m_fixture->port();
    m_hospitalId = m_fixture->createHospital(ui::Hospital, QStringLiteral("Alpha General"));
    QVERIFY(m_hospitalId > 0);
    for (Role role : {Role::Admin, Role::Nurse, Role::Reception})
        QVERIFY(m_fixture->createUser(ui::Hospital, hms::roleName(role), role, ui::Password) > 0);
}

void TestBedBoard::init()
{
    QSettings().clear();
}

void TestBedBoard::bedChangedByAnotherClientRecoloursWithinASecond()
{
    const QByteArray nurse = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("nurse"), ui::Password));
    // A ward with two beds, set up as an administrator would.
    const QByteArray admin = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("admin"), ui::Password));
    const QJsonObject ward = ui::call(*m_fixture, "POST", "/api/v1/wards", admin,
                                      {{QStringLiteral("code"), QStringLiteral("W1")},
                                       {QStringLiteral("name"), QStringLiteral("Ward one")},
                                       {QStringLiteral("kind"), QStringLiteral("general")}});
    const QString wardId = ward.value(QStringLiteral("id")).toString();
    QVERIFY2(!wardId.isEmpty(), "POST /api/v1/wards");
    QStringList bedIds;
    for (const char *code : {"W1-01", "W1-02"}) {
        const QJsonObject bed = ui::call(*m_fixture, "POST", "/api/v1/beds", admin,
                                         {{QStringLiteral("wardId"), wardId},
                                          {QStringLiteral("room"), QStringLiteral("101")},
                                          {QStringLiteral("code"), QLatin1String(code)}});
        bedIds.append(bed.value(QStringLiteral("id")).toString());
        QVERIFY2(!bedIds.last().isEmpty(), "POST /api/v1/beds");
    }

    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    QVERIFY(ui::signIn(window, m_fixture->port(), QStringLiteral("nurse")));
    QVERIFY(window.showScreen(Screen::BedBoard));
    auto *board =
        qobject_cast<hms::client::BedBoardScreen *>(window.screenWidget(Screen::BedBoard));
    QVERIFY(board);
    QAbstractItemModelTester tester(board->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(board->wardId(), wardId);
    QTRY_COMPARE(board->model()->rowCount(), 2);
    QTRY_VERIFY(window.live().confirmedTopics().contains(QStringLiteral("beds:") + wardId));
    // The board may rebuild its buttons (a reload after the live stream resumes): look the
    // button up each time instead of holding a pointer to it.
    const auto colorOf = [&](const QString &id) {
        const QToolButton *button = board->bedButton(id);
        return button ? button->palette().color(QPalette::Button) : QColor();
    };
    QVERIFY(board->bedButton(bedIds.first()));
    const int first = board->model()->rowOf(bedIds.first());
    const int second = board->model()->rowOf(bedIds.last());
    QVERIFY(BedModel::isFree(board->model()->index(first).data(BedModel::StatusRole).toString()));
    const QColor freeColor = colorOf(bedIds.first());

    // Another client admits a patient to the first bed.
    const QByteArray reception = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("reception"), ui::Password));
    const QJsonObject patient =
        ui::call(*m_fixture, "POST", "/api/v1/patients", reception,
                 ui::patientBody(QStringLiteral("Ida Bed"), QStringLiteral("+15552220001")));
    QVERIFY(!ui::call(*m_fixture, "POST", "/api/v1/admissions", reception,
                      {{QStringLiteral("patientId"), patient.value(QStringLiteral("id"))},
                       {QStringLiteral("bedId"), bedIds.first()},
                       {QStringLiteral("reason"), QStringLiteral("observation")}})
                 .isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(colorOf(bedIds.first()) != freeColor, 1000);
    QCOMPARE(colorOf(bedIds.first()), BedModel::colorFor(QStringLiteral("occupied")));
    QCOMPARE(board->model()->index(first).data(BedModel::StatusRole).toString(),
             QStringLiteral("occupied"));
    // The other bed did not change.
    QVERIFY(BedModel::isFree(board->model()->index(second).data(BedModel::StatusRole).toString()));
}

void TestBedBoard::resyncAfterMissedEventsReloadsTheBoard()
{
    // The board of the first test's ward (W1), as a nurse sees it.
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    QVERIFY(ui::signIn(window, m_fixture->port(), QStringLiteral("nurse")));
    QVERIFY(window.showScreen(Screen::BedBoard));
    auto *board =
        qobject_cast<hms::client::BedBoardScreen *>(window.screenWidget(Screen::BedBoard));
    QVERIFY(board);
    QTRY_VERIFY(!board->wardId().isEmpty());
    const QString wardId = board->wardId();
    QTRY_COMPARE(board->model()->rowCount(), 2);
    QTRY_VERIFY(window.live().confirmedTopics().contains(QStringLiteral("beds:") + wardId));
    const QString bedId = board->model()->index(1).data(BedModel::IdRole).toString();
    QVERIFY(BedModel::isFree(board->model()->index(1).data(BedModel::StatusRole).toString()));
    QSignalSpy resyncs(&window.live(), &hms::client::LiveConnection::resyncRequired);

    // The server goes away; meanwhile the bed changes and the events the client would
    // resume from are pruned (older than the retention): its `since` can not be served.
    m_fixture->stop();
    QTRY_COMPARE(window.live().state(), hms::client::LiveConnection::State::Reconnecting);
    {
        pqxx::connection connection(m_fixture->superuserUrl());
        pqxx::work tx(connection);
        tx.exec_params0("UPDATE beds SET status = 'maintenance', version = version + 1 "
                        "WHERE id = $1",
                        bedId.toLongLong());
        for (int i = 0; i < 2; ++i)
            hms::server::EventLog::append(tx, m_hospitalId, QStringLiteral("beds:999999"),
                                          QStringLiteral("bed.created"), {});
        tx.exec0("DELETE FROM events WHERE seq < (SELECT max(seq) FROM events)");
        tx.commit();
    }
    QVERIFY2(m_fixture->restart(), qPrintable(m_fixture->errorString()));

    // Reconnected, the server answers "resync": the board reads its snapshot again.
    QTRY_COMPARE_WITH_TIMEOUT(resyncs.count(), 1, 15000);
    QTRY_COMPARE(
        board->model()->index(board->model()->rowOf(bedId)).data(BedModel::StatusRole).toString(),
        QStringLiteral("maintenance"));
    QCOMPARE(board->bedButton(bedId)->palette().color(QPalette::Button),
             BedModel::colorFor(QStringLiteral("maintenance")));
}

void TestBedBoard::cleanupTestCase()
{
    QSettings().clear();
    m_fixture.reset();
}

QTEST_MAIN(TestBedBoard)
#include "tst_bedboard.moc"
