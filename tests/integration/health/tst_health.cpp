// GET /api/v1/health on a real hms-server process against a PostgreSQL cluster of the
// test's own, which the test stops and starts (SECURITY.md F2: the server answers 503 while
// the database is down and recovers without a restart).
#include "db/migrator.h"
#include "support/rawhttpclient.h"
#include "support/testdatabase.h"

#include <QTemporaryDir>
#include <QTest>

#include <pqxx/pqxx>

#include <csignal>

using namespace hms::server;
using namespace hms::test;

class TestHealth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void healthyWithDatabaseUp();
    void unavailableWhileDatabaseDownThenRecovers();
    void recoversAfterPostmasterKill9();
    void sigtermStopsGracefully();
    void refusesToStartWithoutDatabaseWhenMigrating();
    void helpAndVersion();
    void productionModeRefusesUnsafeDatabaseAndDemoData();

private:
    QProcessEnvironment serverEnvironment() const;
    std::optional<RawResponse> health(quint16 port);

    QTemporaryDir m_keyDir;
    PrivateCluster m_cluster;
    std::string m_url;
};

void TestHealth::initTestCase()
{
    if (qEnvironmentVariableIsEmpty("HMS_TEST_PGCLUSTER"))
        QSKIP("HMS_TEST_PGCLUSTER not set (./test.sh sets it)");
    QVERIFY(m_cluster.create());
    m_url = m_cluster.url("hms_health");
    QVERIFY(!m_url.empty());
}

QProcessEnvironment TestHealth::serverEnvironment() const
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("HMS_DATABASE_URL"), QString::fromStdString(m_url));
    env.insert(QStringLiteral("HMS_DB_POOL_SIZE"), QStringLiteral("2"));
    env.insert(QStringLiteral("HMS_JWT_KEY_FILE"), m_keyDir.filePath(QStringLiteral("jwt.key")));
    return env;
}

std::optional<RawResponse> TestHealth::health(quint16 port)
{
    return RawHttpClient::roundTrip(port, RawHttpClient::get("/api/v1/health"), 15000);
}

void TestHealth::healthyWithDatabaseUp()
{
    ServerProcess server;
    QVERIFY(server.start({}, serverEnvironment()));
    const auto response = health(server.port());
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    const QJsonObject json = response->json();
    QCOMPARE(json.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(json.value(QStringLiteral("database")).toString(), QStringLiteral("ok"));
    QCOMPARE(json.value(QStringLiteral("schemaVersion")).toInt(),
             Migrator::embedded().last().version);
    QVERIFY(!json.value(QStringLiteral("version")).toString().isEmpty());
    QVERIFY(server.log().contains("GET /api/v1/health 200")); // the access log line
}

void TestHealth::unavailableWhileDatabaseDownThenRecovers()
{
    ServerProcess server;
    QVERIFY(server.start({}, serverEnvironment()));
    QCOMPARE(health(server.port())->status, 200);

    // Load while PostgreSQL goes away: only 200 or 503 may ever come back, never a crash.
    QVERIFY(m_cluster.stop());
    for (int i = 0; i < 20; ++i) {
        const auto response = health(server.port());
        QVERIFY2(response, "no answer while the database is down");
        QCOMPARE(response->status, 503);
        QCOMPARE(response->header("content-type"),
                 QByteArray("application/problem+json; charset=utf-8"));
        QCOMPARE(response->json().value(QStringLiteral("database")).toString(),
                 QStringLiteral("down"));
        QVERIFY(!response->header("retry-after").isEmpty());
        QVERIFY(!response->body.contains("postgres")); // no connection details leak
    }
    QVERIFY(server.process().state() == QProcess::Running);

    QVERIFY(m_cluster.start());
    // Every pool thread reconnects on its own; all answers are healthy again.
    for (int i = 0; i < 10; ++i) {
        const auto response = health(server.port());
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->json().value(QStringLiteral("database")).toString(),
                 QStringLiteral("ok"));
    }
}

void TestHealth::recoversAfterPostmasterKill9()
{
    ServerProcess server;
    QVERIFY(server.start({}, serverEnvironment()));
    QCOMPARE(health(server.port())->status, 200);
    QVERIFY(m_cluster.killPostmaster());
    // While PostgreSQL is gone (or its backends are dying) only 503 or 200 may come back.
    for (int i = 0; i < 10; ++i) {
        const auto response = health(server.port());
        QVERIFY(response);
        QVERIFY2(response->status == 503 || response->status == 200,
                 qPrintable(QString::number(response->status)));
        QTest::qWait(50);
    }
    QVERIFY(m_cluster.start());
    QTRY_VERIFY_WITH_TIMEOUT(health(server.port())->status == 200, 15000);
    QCOMPARE(server.process().state(), QProcess::Running);
}

void TestHealth::sigtermStopsGracefully()
{
    ServerProcess server;
    QVERIFY(server.start({}, serverEnvironment()));
    RawHttpClient keepAlive;
    QVERIFY(keepAlive.connectTo(server.port()));
    keepAlive.send(RawHttpClient::get("/api/v1/health"));
    QVERIFY(keepAlive.readResponse());
    QCOMPARE(server.terminate(), 0);
    QVERIFY(keepAlive.waitForClosed(2000)); // the idle keep-alive connection was closed
    QVERIFY(server.log().contains("shutting down"));
}

// Runs hms-server with \a env added and returns its exit code and standard error, for
// starts that must be refused.
static std::pair<int, QByteArray> refusedStart(const QProcessEnvironment &env)
{
    QProcess process;
    QProcessEnvironment full = QProcessEnvironment::systemEnvironment();
    full.insert(env);
    process.setProcessEnvironment(full);
    process.start(qEnvironmentVariable("HMS_BIN_DIR") + QStringLiteral("/hms-server"),
                  {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    if (!process.waitForFinished(20000))
        return {-1, {}};
    return {process.exitCode(), process.readAllStandardError()};
}

void TestHealth::refusesToStartWithoutDatabaseWhenMigrating()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("HMS_DATABASE_URL"),
               QStringLiteral("postgresql://nobody@127.0.0.1:1/none"));
    const auto [code, stderrText] = refusedStart(env);
    QCOMPARE(code, 1);
    QVERIFY(stderrText.contains("Cannot connect to PostgreSQL"));
}

void TestHealth::helpAndVersion()
{
    QProcess process;
    process.start(qEnvironmentVariable("HMS_BIN_DIR") + QStringLiteral("/hms-server"),
                  {QStringLiteral("--help")});
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0);
    const QByteArray help = process.readAllStandardOutput();
    QVERIFY(help.contains("HMS_DATABASE_URL"));
    QVERIFY(help.contains("--no-migrate"));
    process.start(qEnvironmentVariable("HMS_BIN_DIR") + QStringLiteral("/hms-server"),
                  {QStringLiteral("--version")});
    QVERIFY(process.waitForFinished(10000));
    QVERIFY(process.readAllStandardOutput().startsWith("hms-server "));
}

static void execSql(const std::string &url, const std::string &sql)
{
    pqxx::connection connection(url);
    pqxx::nontransaction tx(connection);
    tx.exec(sql);
}

void TestHealth::productionModeRefusesUnsafeDatabaseAndDemoData()
{
    QProcessEnvironment env = serverEnvironment();
    env.insert(QStringLiteral("HMS_MODE"), QStringLiteral("production"));
    {
        ServerProcess server; // fsync on, checksums on (pgcluster initdb), no demo hospital
        QVERIFY(server.start({}, env));
        QCOMPARE(server.terminate(), 0);
    }

    execSql(m_url, "ALTER SYSTEM SET fsync = off");
    execSql(m_url, "SELECT pg_reload_conf()");
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            pqxx::connection c(m_url);
            pqxx::nontransaction tx(c);
            return tx.exec1("SHOW fsync")[0].as<std::string>() == "off";
        }(),
        5000);
    {
        const auto [code, stderrText] = refusedStart(env);
        QCOMPARE(code, 1);
        QVERIFY(stderrText.contains("fsync=off"));
    }
    {
        QProcessEnvironment allowed = env;
        allowed.insert(QStringLiteral("HMS_ALLOW_UNSAFE_DATABASE"), QStringLiteral("true"));
        ServerProcess server;
        QVERIFY(server.start({}, allowed));
        QCOMPARE(server.terminate(), 0);
    }
    execSql(m_url, "ALTER SYSTEM RESET fsync");
    execSql(m_url, "SELECT pg_reload_conf()");

    execSql(m_url, "INSERT INTO hospitals (code, name) VALUES ('demo', 'Demo Hospital')");
    const auto [code, stderrText] = refusedStart(env);
    QCOMPARE(code, 1);
    QVERIFY(stderrText.contains("demo hospital"));
    execSql(m_url, "DELETE FROM hospitals WHERE code = 'demo'");
}

QTEST_GUILESS_MAIN(TestHealth)
#include "tst_health.moc"
