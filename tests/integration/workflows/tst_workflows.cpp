// hms-worker's guarantees (handbook WORKER.md G1-G10) against a real PostgreSQL with real
// worker processes: hms-test-worker is hms-worker's engine plus test workflows and fault
// injection (crash before/after a step's commit, a stalled step). Workers run with short
// leases (2 s) so crashes are recovered within seconds.
#include "db/postcommitnotify.h"
#include "db/tenant.h"
#include "opd/opdrepository.h"
#include "shared/protocol/apipaths.h"
#include "support/serverfixture.h"
#include "workerprocess.h"
#include "workflows/wfapi.h"
#include "workflows/workflow.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <pqxx/pqxx>

#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

using namespace hms;
using namespace hms::test;
using namespace hms::server;
using namespace Qt::StringLiterals;

namespace {

const QString Password = u"workflow engine horse 42"_s;

} // namespace

class TestWorkflows : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void startIsPartOfTheDomainTransaction(); // G1
    void killedWorkersLoseNothing(); // G2 + G3
    void brokenConnectionsReconnect(); // G2 + G3 across reconnects
    void crashAroundACommit_data(); // G3 fault injection
    void crashAroundACommit();
    void zombieCannotCommit_data();
    void zombieCannotCommit(); // G3b
    void batchClaimsHandEachRunOnce(); // G2 + G3 with batch claims
    void batchClaimedRunsWaitLeased(); // G2: handed-on runs after kill -9 and SIGTERM
    void timersSurviveDowntime(); // G5
    void timersIgnoreTheWorkerClock_data(); // G5 (faketime)
    void timersIgnoreTheWorkerClock();
    void signalsExactlyOnceInOrder(); // G6
    void failingStepRetriesThenDies(); // G7
    void dbStepsShareOneCommit(); // G3 with consecutive DB steps in one transaction
    void sharedTransactionsAreBounded();
    void failingStepInASharedTransaction_data();
    void failingStepInASharedTransaction();
    void crashingStepEndsDead(); // G7
    void externalStepsAtLeastOnceWithStableKeys(); // G4
    void versionsAndNonDeterminism(); // G8
    void stepsStayInTheirHospital(); // G9
    void backlogDoesNotStarveOthers(); // G10
    void badNumericOptionsExit2_data();
    void badNumericOptionsExit2();
    void claimUsesTheReadyIndex_data(); // G11 (the planner half; the churn is a bench)
    void claimUsesTheReadyIndex();
    void registerPatientThroughRest();
    void registrationWakesAnIdleWorker();
    void operatorViewRetriesAndCancels();
    void workerExitsWithoutDatabase();

private:
    std::string url() const { return m_fixture->superuserUrl(); }

    qint64 count(const std::string &sql) const { return m_fixture->count(sql); }

    std::vector<qint64> startRuns(qint64 hospital,
                                  const QString &type,
                                  int version,
                                  int n,
                                  const QString &prefix,
                                  const QJsonObject &input = {},
                                  int maxAttempts = 10);
    QString status(qint64 runId) const;
    bool waitForStatus(qint64 runId, const QString &status, int timeoutMs);

    /// Waits until the worker process \a pid has registered itself in wf.worker.
    bool waitRegistered(qint64 pid) const
    {
        return waitUntil(
            [&] {
                return count("SELECT count(*) FROM wf.worker WHERE pid = " + std::to_string(pid))
                    > 0;
            },
            20'000);
    }

    static std::string idList(const std::vector<qint64> &ids);

    QString marker(const QString &name) const { return m_dir.filePath(name); }

    qint64 registerPatient(const QByteArray &token, const QJsonObject &body);

    /// A registration with only the name and phone chosen (sex U, born 1970-01-01).
    qint64 registerPatient(const QByteArray &token, const QString &fullName, const QString &phone)
    {
        return registerPatient(token,
                               {{u"fullName"_s, fullName},
                                {u"sex"_s, u"U"_s},
                                {u"birthDate"_s, u"1970-01-01"_s},
                                {u"phone"_s, phone}});
    }

    std::unique_ptr<ServerFixture> m_fixture;
    QTemporaryDir m_dir;
    qint64 m_alpha = 0;
    qint64 m_beta = 0;
    qint64 m_alphaDoctor = 0;
    qint64 m_alphaDesk = 0;
    qint64 m_betaDesk = 0;
    qint64 m_alphaAdmin = 0;
};

std::string TestWorkflows::idList(const std::vector<qint64> &ids)
{
    std::string text;
    for (const qint64 id : ids)
        text += (text.empty() ? "" : ",") + std::to_string(id);
    return text.empty() ? std::string("0") : text;
}

void TestWorkflows::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // The registration workflow's 24 h reminder, shortened (read by the in-process server).
    qputenv("HMS_REGISTRATION_REMINDER_MS", "1500");
    m_fixture = std::make_unique<ServerFixture>(u"workflows"_s);
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    m_alpha = m_fixture->createHospital(u"alpha"_s, u"Alpha"_s);
    m_beta = m_fixture->createHospital(u"beta"_s, u"Beta"_s);
    m_alphaDoctor = m_fixture->createUser(u"alpha"_s, u"alpha.doc"_s, Role::Doctor, Password);
    m_alphaDesk = m_fixture->createUser(u"alpha"_s, u"alpha.desk"_s, Role::Reception, Password);
    m_alphaAdmin = m_fixture->createUser(u"alpha"_s, u"alpha.admin"_s, Role::Admin, Password);
    m_betaDesk = m_fixture->createUser(u"beta"_s, u"beta.desk"_s, Role::Reception, Password);
    QVERIFY(m_alpha > 0 && m_beta > 0 && m_alphaDoctor > 0 && m_alphaDesk > 0 && m_betaDesk > 0);
    // The effect log of the test workflows: no unique constraint, so a repeated effect
    // shows up as a second row.
    m_fixture->database().exec(
        "CREATE TABLE test_effect (run_id bigint NOT NULL, hospital_id bigint NOT NULL, "
        "step integer NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());"
        "CREATE TABLE test_attempt (run_id bigint NOT NULL, attempt integer NOT NULL, "
        "at timestamptz NOT NULL DEFAULT clock_timestamp());"
        "GRANT SELECT, INSERT ON test_effect, test_attempt TO hms_app;");
}

void TestWorkflows::cleanup()
{
    // Whatever a test left unfinished must not run in the next one's workers.
    if (m_fixture)
        m_fixture->database().exec("UPDATE wf.run SET status = 'cancelled' "
                                   "WHERE status IN ('ready', 'running', 'waiting')");
}

void TestWorkflows::cleanupTestCase()
{
    m_fixture.reset();
}

std::vector<qint64> TestWorkflows::startRuns(qint64 hospital,
                                             const QString &type,
                                             int version,
                                             int n,
                                             const QString &prefix,
                                             const QJsonObject &input,
                                             int maxAttempts)
{
    std::vector<qint64> ids;
    pqxx::connection connection(url());
    pqxx::work tx(connection);
    enterTenant(tx, hospital);
    wf::StartOptions options;
    options.maxAttempts = maxAttempts;
    for (int i = 0; i < n; ++i)
        ids.push_back(
            wf::start(tx, hospital, type, version, prefix + QString::number(i), input, options)
                .runId);
    tx.commit();
    sendQueuedNotifications(connection); // the wake-up hint, as hms-server sends it
    return ids;
}

QString TestWorkflows::status(qint64 runId) const
{
    return QString::fromStdString(m_fixture->database().scalar(
        "SELECT status FROM wf.run WHERE run_id = " + std::to_string(runId)));
}

bool TestWorkflows::waitForStatus(qint64 runId, const QString &wanted, int timeoutMs)
{
    return waitUntil(
        [&] {
            return status(runId) == wanted;
        },
        timeoutMs);
}

qint64 TestWorkflows::registerPatient(const QByteArray &token, const QJsonObject &body)
{
    const RawResponse response = m_fixture->request("POST", api::Patients, token, jsonBytes(body));
    if (response.status != 201) {
        qWarning("registration: %d %s", response.status, response.body.constData());
        return 0;
    }
    return response.json().value(u"id"_s).toString().toLongLong();
}

// G1: a run exists iff the transaction that started it committed; one key, one run.
void TestWorkflows::startIsPartOfTheDomainTransaction()
{
    {
        pqxx::connection connection(url());
        pqxx::work tx(connection);
        enterTenant(tx, m_alpha);
        QVERIFY(wf::start(tx, m_alpha, u"noop"_s, 1, u"g1-rolled-back"_s, {}).created);
        tx.abort();
    }
    QCOMPARE(count("SELECT count(*) FROM wf.run WHERE idempotency_key = 'g1-rolled-back'"), 0);

    const std::vector<qint64> committed = startRuns(m_alpha, u"noop"_s, 1, 1, u"g1-committed-"_s);
    QCOMPARE(count("SELECT count(*) FROM wf.run WHERE idempotency_key = 'g1-committed-0'"), 1);
    QCOMPARE(startRuns(m_alpha, u"noop"_s, 1, 1, u"g1-committed-"_s), committed);

    // 20 threads start the same key at once: one run, and every thread gets its id.
    std::vector<std::thread> threads;
    std::vector<qint64> seen(20, 0);
    std::atomic<int> created{0};
    std::atomic<int> failures{0};
    for (int i = 0; i < 20; ++i) {
        threads.emplace_back([&, i] {
            try {
                pqxx::connection connection(url());
                pqxx::work tx(connection);
                enterTenant(tx, m_alpha);
                const wf::StartResult result =
                    wf::start(tx, m_alpha, u"noop"_s, 1, u"g1-race"_s, {});
                tx.commit();
                seen[i] = result.runId;
                created += result.created ? 1 : 0;
            } catch (const std::exception &) {
                ++failures;
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(failures.load(), 0);
    QCOMPARE(created.load(), 1);
    QCOMPARE(count("SELECT count(*) FROM wf.run WHERE idempotency_key = 'g1-race'"), 1);
    for (const qint64 id : seen)
        QCOMPARE(id, seen.front());
}

// G2 + G3: 200 runs, two workers, one killed -9 three times and restarted: every run
// completes and every step's effect committed exactly once.
void TestWorkflows::killedWorkersLoseNothing()
{
    const std::vector<qint64> runs = startRuns(m_alpha, u"three"_s, 1, 200, u"g2-"_s);
    const QMap<QString, QString> slowSteps{{u"HMS_WF_TEST_STEP_MS"_s, u"15"_s}};
    const QStringList args{u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"3"_s};
    WorkerProcess steady(url(), args, slowSteps);
    auto victim = std::make_unique<WorkerProcess>(url(), args, slowSteps);
    const std::string done =
        "SELECT count(*) FROM wf.run WHERE status = 'completed' AND run_id IN (" + idList(runs)
        + ")";
    for (int kill = 0; kill < 3; ++kill) {
        QTest::qWait(400 + QRandomGenerator::global()->bounded(500));
        QVERIFY(victim->running());
        victim->kill9();
        victim = std::make_unique<WorkerProcess>(url(), args, slowSteps);
    }
    QVERIFY2(waitUntil(
                 [&] {
                     return count(done) == 200;
                 },
                 60'000),
             qPrintable(u"%1 of 200 completed"_s.arg(count(done))));
    const std::string effects = " FROM test_effect WHERE run_id IN (" + idList(runs) + ")";
    QCOMPARE(count("SELECT count(*)" + effects), 600);
    QCOMPARE(count("SELECT count(*) FROM (SELECT run_id, step" + effects
                   + " GROUP BY 1, 2 HAVING count(*) <> 1) d"),
             0);
    QCOMPARE(count("SELECT count(*) FROM wf.step WHERE run_id IN (" + idList(runs) + ")"), 600);
    QCOMPARE(steady.terminate(), 0);
    QCOMPARE(victim->terminate(), 0);
}

// G2 + G3 when the database drops the worker's connections (a PostgreSQL restart, a
// failover) while runs are in flight: the executors reconnect, declare their prepared
// statements again on the new connections, and every run completes with each effect once.
void TestWorkflows::brokenConnectionsReconnect()
{
    const std::vector<qint64> runs = startRuns(m_alpha, u"three"_s, 1, 60, u"reconnect-"_s);
    const QMap<QString, QString> slowSteps{{u"HMS_WF_TEST_STEP_MS"_s, u"10"_s}};
    const QStringList args{u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"3"_s};
    WorkerProcess worker(url(), args, slowSteps);
    const std::string done =
        "SELECT count(*) FROM wf.run WHERE status = 'completed' AND run_id IN (" + idList(runs)
        + ")";
    const std::string terminate =
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = 'hms-worker' AND pid <> pg_backend_pid()";
    for (int round = 0; round < 3; ++round) {
        QVERIFY(waitUntil(
            [&] {
                return count(done) >= 10 * (round + 1);
            },
            20'000));
        QVERIFY(count(terminate) > 0);
    }
    QVERIFY2(waitUntil(
                 [&] {
                     return count(done) == 60;
                 },
                 60'000),
             qPrintable(u"%1 of 60 completed"_s.arg(count(done))));
    const std::string effects = " FROM test_effect WHERE run_id IN (" + idList(runs) + ")";
    QCOMPARE(count("SELECT count(*)" + effects), 180);
    QCOMPARE(count("SELECT count(*) FROM (SELECT run_id, step" + effects
                   + " GROUP BY 1, 2 HAVING count(*) <> 1) d"),
             0);
    QVERIFY(worker.running());
    QCOMPARE(worker.terminate(), 0);
}

void TestWorkflows::crashAroundACommit_data()
{
    QTest::addColumn<QString>("crash");
    for (const char *when : {"before", "after"})
        for (int step = 1; step <= 3; ++step)
            QTest::addRow("%s:%d", when, step) << u"%1:%2"_s.arg(QLatin1String(when)).arg(step);
}

// G3: a worker that dies inside a step's transaction (before commit) or right after it
// committed: the effect is there exactly once after another worker finished the run.
void TestWorkflows::crashAroundACommit()
{
    QFETCH(QString, crash);
    const QString tag = QString(crash).replace(u':', u'-');
    const std::vector<qint64> runs = startRuns(m_alpha, u"three"_s, 1, 1, u"g3-%1-"_s.arg(tag));
    const QMap<QString, QString> env{{u"HMS_WF_TEST_CRASH"_s, crash},
                                     {u"HMS_WF_TEST_CRASH_MARKER"_s, marker(u"crash-"_s + tag)}};
    const QStringList args{u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"1"_s};
    {
        WorkerProcess crashing(url(), args, env);
        QCOMPARE(crashing.waitForExit(20'000), -2); // abort()
    }
    QVERIFY(QFile::exists(marker(u"crash-"_s + tag)));
    WorkerProcess next(url(), args, env); // the marker exists: no second crash
    QVERIFY2(waitForStatus(runs[0], u"completed"_s, 20'000), qPrintable(status(runs[0])));
    const std::string run = std::to_string(runs[0]);
    QCOMPARE(count("SELECT count(*) FROM test_effect WHERE run_id = " + run), 3);
    QCOMPARE(count("SELECT count(DISTINCT step) FROM test_effect WHERE run_id = " + run), 3);
    QCOMPARE(next.terminate(), 0);
}

// G4: an external call that happened but whose journal row did not commit (the worker
// died in between) is made again with the same key; a journaled one is never repeated.
void TestWorkflows::externalStepsAtLeastOnceWithStableKeys()
{
    QTcpServer sink;
    QVERIFY(sink.listen(QHostAddress(QHostAddress::LocalHost)));
    QStringList keys;
    connect(&sink, &QTcpServer::newConnection, &sink, [&] {
        while (QTcpSocket *socket = sink.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, socket, [socket, &keys] {
                const QByteArray head = socket->peek(socket->bytesAvailable());
                if (!head.contains("\r\n\r\n"))
                    return;
                for (const QByteArray &line : socket->readAll().split('\n'))
                    if (line.toLower().startsWith("idempotency-key:"))
                        keys.append(QString::fromLatin1(line.mid(16).trimmed()));
                socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                socket->disconnectFromHost();
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    const std::vector<qint64> runs = startRuns(m_alpha, u"external"_s, 1, 1, u"g4-"_s,
                                               {{u"sinkPort"_s, int(sink.serverPort())}});
    const QMap<QString, QString> env{{u"HMS_WF_TEST_CRASH"_s, u"external:1"_s},
                                     {u"HMS_WF_TEST_CRASH_MARKER"_s, marker(u"g4-crash"_s)}};
    const QStringList args{u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"1"_s};
    {
        WorkerProcess crashing(url(), args, env);
        // Wait with the event loop running: the sink answers in this thread.
        QVERIFY(waitUntil(
            [&] {
                return !crashing.running();
            },
            20'000));
    }
    QVERIFY(QFile::exists(marker(u"g4-crash"_s)));
    QCOMPARE(keys.size(), 1);
    WorkerProcess next(url(), args, env); // the marker exists: no second crash
    QVERIFY2(waitForStatus(runs[0], u"completed"_s, 20'000), qPrintable(status(runs[0])));
    const QString run = QString::number(runs[0]);
    // Call 1 twice with one key, call 2 once; keys are "<run id>:<seq>".
    QCOMPARE(keys.size(), 3);
    QCOMPARE(keys.at(0), keys.at(1));
    QVERIFY(keys.at(0).startsWith(run + u':'));
    QVERIFY(keys.at(2).startsWith(run + u':'));
    QVERIFY(keys.at(2) != keys.at(0));
    QCOMPARE(QSet<QString>(keys.cbegin(), keys.cend()).size(), 2);
    QCOMPARE(next.terminate(), 0);
}

void TestWorkflows::zombieCannotCommit_data()
{
    QTest::addColumn<int>("step");
    // Stalled in step 2, the steps' shared transaction outlives MaxChainTime: steps 1 and 2's
    // journal rows and lease check go in when step 3 starts. Stalled in step 3, all three go
    // in with the run's completion, in one statement.
    QTest::newRow("a middle step") << 2;
    QTest::newRow("the last step, with the completion") << 3;
}

// G3b: a worker stalled (SIGSTOP) inside a step past its lease; another completes the run;
// the resumed zombie's step transaction fails the epoch check and rolls back.
void TestWorkflows::zombieCannotCommit()
{
    QFETCH(int, step);
    const QString tag = QString::number(step);
    const std::vector<qint64> runs = startRuns(m_alpha, u"three"_s, 1, 1, u"g3b-"_s + tag + u'-');
    const QString paused = marker(u"zombie-paused-"_s + tag);
    const QMap<QString, QString> env{{u"HMS_WF_TEST_PAUSE"_s, tag + u":2500:"_s + paused}};
    const QStringList args{u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"1"_s};
    WorkerProcess zombie(url(), args, env);
    QVERIFY(waitUntil(
        [&] {
            return QFile::exists(paused);
        },
        20'000));
    QCOMPARE(::kill(pid_t(zombie.pid()), SIGSTOP), 0);
    const std::string zombieId = m_fixture->database().scalar(
        "SELECT lease_owner FROM wf.run WHERE run_id = " + std::to_string(runs[0]));
    QVERIFY(!zombieId.empty());

    WorkerProcess rescuer(url(), args, env);
    QVERIFY2(waitForStatus(runs[0], u"completed"_s, 20'000), qPrintable(status(runs[0])));
    QCOMPARE(::kill(pid_t(zombie.pid()), SIGCONT), 0);
    // The zombie notices (fence or heartbeat) and counts the lost lease.
    QVERIFY(waitUntil(
        [&] {
            return count("SELECT coalesce(max(lease_lost), 0) FROM wf.worker WHERE worker_id = '"
                         + zombieId + "'")
                > 0;
        },
        20'000));
    const std::string run = std::to_string(runs[0]);
    QCOMPARE(status(runs[0]), u"completed"_s);
    QCOMPARE(count("SELECT count(*) FROM test_effect WHERE run_id = " + run
                   + " AND step = " + std::to_string(step)),
             1);
    QCOMPARE(count("SELECT count(*) FROM test_effect WHERE run_id = " + run), 3);
    QCOMPARE(count("SELECT count(*) FROM wf.step WHERE run_id = " + run), 3);
    // The stalled step's journal row is the rescuer's (attempt 2), not the zombie's (1).
    QCOMPARE(count("SELECT attempt FROM wf.step WHERE run_id = " + run
                   + " AND seq = " + std::to_string(step)),
             2);
    QCOMPARE(zombie.terminate(), 0);
    QCOMPARE(rescuer.terminate(), 0);
}

// Batch claims: two workers with four executors each claim eight runs per statement and hand
// them on to their idle executors. No run goes to two executors or two workers: every run
// completes on its first claim (a run executed twice would collide on its journal rows and
// be retried, counting a second attempt) with each step's effect once.
void TestWorkflows::batchClaimsHandEachRunOnce()
{
    const std::vector<qint64> runs = startRuns(m_alpha, u"three"_s, 1, 300, u"batch-"_s);
    const QStringList args{u"--queues"_s, u"alpha"_s,         u"--concurrency"_s,
                           u"4"_s,        u"--claim-batch"_s, u"8"_s};
    WorkerProcess first(url(), args);
    WorkerProcess second(url(), args);
    const std::string ids = idList(runs);
    QVERIFY2(waitUntil(
                 [&] {
                     return count("SELECT count(*) FROM wf.run WHERE status = 'completed' "
                                  "AND run_id IN ("
                                  + ids + ")")
                         == 300;
                 },
                 60'000),
             qPrintable(status(runs.back())));
    QCOMPARE(count("SELECT count(*) FROM wf.run WHERE attempt <> 1 AND run_id IN (" + ids + ")"),
             0);
    QCOMPARE(count("SELECT count(*) FROM test_effect WHERE run_id IN (" + ids + ")"), 900);
    QCOMPARE(count("SELECT count(*) FROM (SELECT run_id, step FROM test_effect WHERE run_id IN ("
                   + ids + ") GROUP BY 1, 2 HAVING count(*) <> 1) d"),
             0);
    QCOMPARE(count("SELECT count(*) FROM wf.step WHERE attempt = 1 AND run_id IN (" + ids + ")"),
             900);
    QCOMPARE(first.terminate(), 0);
    QCOMPARE(second.terminate(), 0);
}

// Runs claimed in one batch: a worker with five idle executors claims five new runs in one
// statement (one claim time) and hands them on; all stall in step 1. Killed -9 there, the
// runs stay leased until their leases end, then complete elsewhere with each effect once;
// stopped with SIGTERM instead, it gives them back at once, its claims not counted.
void TestWorkflows::batchClaimedRunsWaitLeased()
{
    for (const bool kill : {true, false}) {
        const QString tag = kill ? u"kill"_s : u"term"_s;
        WorkerProcess holder(
            url(),
            {u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"5"_s, u"--claim-batch"_s, u"5"_s},
            {{u"HMS_WF_TEST_STEP_MS"_s, kill ? u"60000"_s : u"1500"_s}});
        QVERIFY(waitRegistered(holder.pid()));
        QTest::qWait(300); // its executors are idle now
        const std::vector<qint64> runs =
            startRuns(m_alpha, u"three"_s, 1, 5, u"batch-held-"_s + tag + u'-');
        const std::string ids = idList(runs);
        const std::string running =
            "SELECT count(*) FROM wf.run WHERE status = 'running' AND run_id IN (" + ids + ")";
        QVERIFY(waitUntil(
            [&] {
                return count(running) == 5;
            },
            20'000));
        // Fewer claim statements than runs (a claim sets updated_at to its start time).
        QVERIFY(count("SELECT count(DISTINCT updated_at) FROM wf.run WHERE run_id IN (" + ids + ")")
                < 5);
        if (kill) {
            holder.kill9();
            // Leased, not lost: nobody takes them before the lease ends.
            QCOMPARE(count(running + " AND lease_expires_at > now()"), 5);
        } else {
            QCOMPARE(holder.terminate(), 0);
            // Given back at once (a started step committed first); these claims not counted.
            QCOMPARE(count("SELECT count(*) FROM wf.run WHERE status = 'ready' AND attempt = 0 "
                           "AND lease_owner IS NULL AND run_id IN ("
                           + ids + ")"),
                     5);
            QVERIFY(count("SELECT count(*) FROM test_effect WHERE step <> 1 AND run_id IN (" + ids
                          + ")")
                    == 0);
        }
        WorkerProcess rescuer(url(), {u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"2"_s});
        QVERIFY2(waitUntil(
                     [&] {
                         return count("SELECT count(*) FROM wf.run WHERE status = 'completed' "
                                      "AND run_id IN ("
                                      + ids + ")")
                             == 5;
                     },
                     30'000),
                 qPrintable(tag));
        QCOMPARE(count("SELECT count(*) FROM test_effect WHERE run_id IN (" + ids + ")"), 15);
        QCOMPARE(count("SELECT count(*) FROM (SELECT run_id, step FROM test_effect WHERE run_id "
                       "IN ("
                       + ids + ") GROUP BY 1, 2 HAVING count(*) <> 1) d"),
                 0);
        // Killed: the dead worker's claims counted (attempt 2); stopped: only the rescuer's.
        QCOMPARE(count("SELECT count(*) FROM wf.run WHERE attempt = "
                       + std::string(kill ? "2" : "1") + " AND run_id IN (" + ids + ")"),
                 5);
        QCOMPARE(rescuer.terminate(), 0);
    }
}

// G5: a 2 s timer on the database clock; the worker is killed mid-sleep and only back 5 s
// later: the run completes at once, never before its deadline.
void TestWorkflows::timersSurviveDowntime()
{
    const std::vector<qint64> runs =
        startRuns(m_alpha, u"sleeper"_s, 1, 1, u"g5-"_s, {{u"sleepMs"_s, 2000}});
    const QStringList args{u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"1"_s};
    auto worker = std::make_unique<WorkerProcess>(url(), args);
    QVERIFY(waitForStatus(runs[0], u"waiting"_s, 20'000));
    worker->kill9();
    QTest::qWait(5000);
    QCOMPARE(status(runs[0]), u"waiting"_s);
    QElapsedTimer restarted;
    restarted.start();
    worker = std::make_unique<WorkerProcess>(url(), args);
    QVERIFY2(waitForStatus(runs[0], u"completed"_s, 10'000), qPrintable(status(runs[0])));
    QVERIFY2(restarted.elapsed() < 5000, qPrintable(QString::number(restarted.elapsed())));
    const std::string run = std::to_string(runs[0]);
    // The second step ran no earlier than the deadline journaled by the sleep.
    QCOMPARE(count("SELECT count(*) FROM test_effect e JOIN wf.step s ON s.run_id = e.run_id "
                   "AND s.name = 'nap' WHERE e.run_id = "
                   + run
                   + " AND e.step = 2 AND e.at >= to_timestamp((s.output->>'wakeAtUs')::float8 "
                     "/ 1e6)"),
             1);
    QCOMPARE(count("SELECT count(*) FROM test_effect WHERE run_id = " + run), 2);
    QCOMPARE(worker->terminate(), 0);
}

void TestWorkflows::timersIgnoreTheWorkerClock_data()
{
    QTest::addColumn<QString>("offset");
    QTest::addColumn<int>("offsetSeconds");
    // Ahead: a worker comparing deadlines with its own clock would fire at once. Behind: a
    // worker computing deadlines from its own clock would set one already past.
    QTest::newRow("worker clock +1h") << u"+1h"_s << 3600;
    QTest::newRow("worker clock -1h") << u"-1h"_s << -3600;
}

// G5, second half: the worker runs under Debian's faketime with its wall clock an hour
// off; a 3 s durable timer still waits for the database clock: it fires no
// earlier than 3 s after the step before it (database clock) and without long delay.
void TestWorkflows::timersIgnoreTheWorkerClock()
{
    QFETCH(QString, offset);
    QFETCH(int, offsetSeconds);
    const QString faketime = QStandardPaths::findExecutable(u"faketime"_s);
    QVERIFY2(!faketime.isEmpty(), "faketime is missing: run installer/dev/deps.sh");
    // The wall clock is shifted (the clock a badly synchronised host gets wrong); the
    // monotonic clock, which only measures intervals, is left alone: libfaketime cannot
    // shift the deadlines of the condition-variable waits libstdc++ makes on it.
    auto worker = std::make_unique<WorkerProcess>(
        url(), QStringList{u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"1"_s},
        QMap<QString, QString>{{u"FAKETIME_DONT_FAKE_MONOTONIC"_s, u"1"_s}}, u"hms-test-worker"_s,
        QStringList{faketime, u"-f"_s, offset});
    QVERIFY(worker->running());
    // The worker really lives in the shifted time: its log lines carry its clock.
    QByteArray log;
    QVERIFY(waitUntil(
        [&] {
            log += worker->log();
            return log.contains("serving");
        },
        20'000));
    const QDateTime logged =
        QDateTime::fromString(QString::fromLatin1(log.left(23)), u"yyyy-MM-ddTHH:mm:ss.zzz"_s);
    QVERIFY2(logged.isValid(), log.left(200).constData());
    const qint64 skew = QDateTime::currentDateTime().secsTo(logged);
    QVERIFY2(qAbs(skew - offsetSeconds) < 300, qPrintable(QString::number(skew)));

    const std::vector<qint64> runs =
        startRuns(m_alpha, u"sleeper"_s, 1, 1, u"g5-faketime"_s + offset, {{u"sleepMs"_s, 3000}});
    QVERIFY2(waitForStatus(runs[0], u"completed"_s, 15'000), qPrintable(status(runs[0])));
    const std::string run = std::to_string(runs[0]);
    // Both effects are stamped by the database clock: the timer held the run for its 3 s.
    QCOMPARE(count("SELECT count(*) FROM test_effect a JOIN test_effect b ON b.run_id = a.run_id "
                   "AND b.step = 2 WHERE a.run_id = "
                   + run + " AND a.step = 1 AND b.at >= a.at + interval '3 seconds'"),
             1);
    // ... and not much longer: the wake-up came from the database clock, not one hour off.
    QCOMPARE(count("SELECT count(*) FROM test_effect a JOIN test_effect b ON b.run_id = a.run_id "
                   "AND b.step = 2 WHERE a.run_id = "
                   + run + " AND a.step = 1 AND b.at < a.at + interval '8 seconds'"),
             1);
    // The journaled deadline is the database's: within seconds of the first step.
    QCOMPARE(count("SELECT count(*) FROM test_effect e JOIN wf.step s ON s.run_id = e.run_id "
                   "AND s.name = 'nap' WHERE e.run_id = "
                   + run
                   + " AND e.step = 1 AND to_timestamp((s.output->>'wakeAtUs')::float8 / 1e6) "
                     "BETWEEN e.at + interval '3 seconds' AND e.at + interval '4 seconds'"),
             1);
    QCOMPARE(count("SELECT count(*) FROM test_effect WHERE run_id = " + run), 2);
    QCOMPARE(worker->terminate(), 0);
}

// G6: 100 signals sent concurrently are consumed once each, in send (commit) order; a
// signal sent before the run waits is not lost.
void TestWorkflows::signalsExactlyOnceInOrder()
{
    const std::vector<qint64> early =
        startRuns(m_alpha, u"signals"_s, 1, 1, u"g6-early-"_s, {{u"count"_s, 1}});
    {
        pqxx::connection connection(url());
        pqxx::work tx(connection);
        enterTenant(tx, m_alpha);
        QVERIFY(wf::signal(tx, m_alpha, early[0], u"ping"_s, {{u"n"_s, 7}})
                == wf::SignalResult::Sent);
        tx.commit();
        sendQueuedNotifications(connection);
    }
    const std::vector<qint64> runs =
        startRuns(m_alpha, u"signals"_s, 1, 1, u"g6-"_s, {{u"count"_s, 100}});
    const QStringList args{u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"2"_s};
    WorkerProcess worker(url(), args);
    QVERIFY(waitForStatus(early[0], u"completed"_s, 20'000));
    QCOMPARE(m_fixture->database().scalar("SELECT result::text FROM wf.run WHERE run_id = "
                                          + std::to_string(early[0])),
             std::string("{\"received\": [7]}"));

    std::atomic<int> next{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> senders;
    for (int t = 0; t < 8; ++t) {
        senders.emplace_back([&] {
            try {
                pqxx::connection connection(url());
                for (int n = next++; n < 100; n = next++) {
                    pqxx::work tx(connection);
                    enterTenant(tx, m_alpha);
                    if (wf::signal(tx, m_alpha, runs[0], u"ping"_s, {{u"n"_s, n}})
                        != wf::SignalResult::Sent)
                        ++failures;
                    tx.commit();
                    sendQueuedNotifications(connection);
                }
            } catch (const std::exception &) {
                ++failures;
            }
        });
    }
    for (std::thread &sender : senders)
        sender.join();
    QCOMPARE(failures.load(), 0);
    QVERIFY2(waitForStatus(runs[0], u"completed"_s, 60'000), qPrintable(status(runs[0])));
    const std::string run = std::to_string(runs[0]);
    // Received in the order the signals were stored, each exactly once.
    const std::string expected = m_fixture->database().scalar(
        "SELECT jsonb_agg((payload->>'n')::int ORDER BY id)::text FROM wf.signal WHERE run_id = "
        + run);
    QCOMPARE(m_fixture->database().scalar(
                 "SELECT (result->'received')::text FROM wf.run WHERE run_id = " + run),
             expected);
    QCOMPARE(count("SELECT count(DISTINCT payload->>'n') FROM wf.signal WHERE run_id = " + run),
             100);
    QCOMPARE(count("SELECT count(*) FROM wf.signal WHERE consumed_seq IS NULL AND run_id = " + run),
             0);
    QCOMPARE(count("SELECT count(*) FROM (SELECT id, consumed_seq, lag(consumed_seq) OVER "
                   "(ORDER BY id) AS previous FROM wf.signal WHERE run_id = "
                   + run + ") s WHERE previous IS NOT NULL AND consumed_seq <= previous"),
             0);
    QCOMPARE(worker.terminate(), 0);
}

// G7: an always-throwing step is retried with backoff (full jitter, bound doubling from
// 100 ms) and ends dead after max_attempts; nothing loops.
void TestWorkflows::failingStepRetriesThenDies()
{
    const std::vector<qint64> runs = startRuns(m_alpha, u"failing"_s, 1, 1, u"g7-"_s, {}, 5);
    WorkerProcess worker(url(), {u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"1"_s});
    QVERIFY2(waitForStatus(runs[0], u"dead"_s, 30'000), qPrintable(status(runs[0])));
    const std::string run = std::to_string(runs[0]);
    QCOMPARE(count("SELECT count(*) FROM test_attempt WHERE run_id = " + run), 5);
    QCOMPARE(count("SELECT count(DISTINCT attempt) FROM test_attempt WHERE run_id = " + run), 5);
    QCOMPARE(m_fixture->database().scalar("SELECT last_error FROM wf.run WHERE run_id = " + run),
             std::string("always fails"));
    // Each gap stays under its attempt's bound (100 ms x 2^(n-1)) plus polling and work.
    const pqxx::result gaps = [&] {
        pqxx::connection connection(url());
        pqxx::read_transaction tx(connection);
        return tx.exec("SELECT attempt, (extract(epoch FROM at - lag(at) OVER (ORDER BY attempt)) "
                       "* 1000)::int FROM test_attempt WHERE run_id = "
                       + run + " ORDER BY attempt");
    }();
    for (const pqxx::row &row : gaps) {
        if (row[1].is_null())
            continue;
        const int attempt = row[0].as<int>();
        const int bound = 100 * (1 << (attempt - 2)) + 2000;
        QVERIFY2(row[1].as<int>() <= bound,
                 qPrintable(u"attempt %1 after %2 ms"_s.arg(attempt).arg(row[1].as<int>())));
    }
    QTest::qWait(1000);
    QCOMPARE(count("SELECT count(*) FROM test_attempt WHERE run_id = " + run), 5);
    QCOMPARE(worker.terminate(), 0);
}

// A run's consecutive DB steps commit in one transaction, with their journal rows and the
// run's completion: one commit (one WAL flush) per run of "three", not one per step.
void TestWorkflows::dbStepsShareOneCommit()
{
    const std::vector<qint64> runs = startRuns(m_alpha, u"three"_s, 1, 3, u"shared-"_s);
    WorkerProcess worker(url(), {u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"1"_s});
    for (const qint64 run : runs)
        QVERIFY2(waitForStatus(run, u"completed"_s, 20'000), qPrintable(status(run)));
    const std::string ids = idList(runs);
    QCOMPARE(count("SELECT count(*) FROM wf.step WHERE run_id IN (" + ids + ")"), 9);
    // Each run: its three journal rows, its effects and its completion, one transaction.
    QCOMPARE(count("SELECT count(*) FROM (SELECT s.run_id FROM wf.step s JOIN wf.run r USING "
                   "(run_id) JOIN test_effect e USING (run_id) WHERE s.run_id IN ("
                   + ids
                   + ") GROUP BY s.run_id HAVING count(DISTINCT s.xmin::text) = 1 "
                     "AND count(DISTINCT e.xmin::text) = 1 AND min(s.xmin::text) = "
                     "min(r.xmin::text) AND min(e.xmin::text) = min(r.xmin::text)) one"),
             3);
    QCOMPARE(worker.terminate(), 0);
}

// A shared step transaction takes at most MaxChainedSteps steps, and no step starts in it
// once it is MaxChainTime old: a long chain of steps, or slow steps, still commit as they go.
void TestWorkflows::sharedTransactionsAreBounded()
{
    const int maxSteps = wf::WorkflowContext::MaxChainedSteps;
    const std::vector<qint64> many =
        startRuns(m_alpha, u"many"_s, 1, 1, u"bounded-steps-"_s, {{u"count"_s, maxSteps + 2}});
    const std::vector<qint64> slow = startRuns(m_alpha, u"three"_s, 1, 1, u"bounded-time-"_s);
    // Every step of "three" sleeps longer than a shared transaction may stay open for more.
    const QString stepMs =
        QString::number(std::chrono::milliseconds(wf::WorkflowContext::MaxChainTime).count() + 20);
    WorkerProcess worker(url(), {u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"1"_s},
                         {{u"HMS_WF_TEST_STEP_MS"_s, stepMs}});
    QVERIFY2(waitForStatus(many[0], u"completed"_s, 20'000), qPrintable(status(many[0])));
    QVERIFY2(waitForStatus(slow[0], u"completed"_s, 20'000), qPrintable(status(slow[0])));
    const auto transactions = [&](qint64 run, const std::string &filter) {
        return count("SELECT count(DISTINCT xmin::text) FROM wf.step WHERE run_id = "
                     + std::to_string(run) + filter);
    };
    QCOMPARE(count("SELECT count(*) FROM wf.step WHERE run_id = " + std::to_string(many[0])),
             maxSteps + 2);
    // The first MaxChainedSteps steps in one transaction, the last two in the next.
    QCOMPARE(transactions(many[0], ""), 2);
    QCOMPARE(transactions(many[0], " AND seq <= " + std::to_string(maxSteps)), 1);
    QCOMPARE(transactions(slow[0], ""), 3);
    QCOMPARE(worker.terminate(), 0);
}

void TestWorkflows::failingStepInASharedTransaction_data()
{
    QTest::addColumn<int>("failAt");
    QTest::addColumn<bool>("always");
    QTest::newRow("step 2 fails once") << 2 << false;
    QTest::newRow("step 3 fails once") << 3 << false;
    QTest::newRow("step 2 always fails") << 2 << true;
    QTest::newRow("step 3 always fails") << 3 << true;
}

// A DB step that fails while sharing its transaction with the steps before it takes them
// back with it; the worker runs the workflow again one step per transaction in the same
// claim. So the steps before it commit on their own, exactly once, and the failure is the
// failing step's alone: a transient one passes on the rerun within the same attempt, a
// permanent one is retried until the run is dead, with the steps before it done once.
void TestWorkflows::failingStepInASharedTransaction()
{
    QFETCH(int, failAt);
    QFETCH(bool, always);
    const QString tag = u"chainfail-%1-%2"_s.arg(failAt).arg(always ? u"always"_s : u"once"_s);
    QJsonObject input{{u"failAt"_s, failAt}};
    if (!always)
        input.insert(u"marker"_s, marker(tag));
    const std::vector<qint64> runs = startRuns(m_alpha, u"chainfail"_s, 1, 1, tag + u'-', input, 2);
    WorkerProcess worker(url(), {u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"1"_s});
    const std::string run = std::to_string(runs[0]);
    const std::string effects = "SELECT count(*) FROM test_effect WHERE run_id = " + run;
    if (always) {
        QVERIFY2(waitForStatus(runs[0], u"dead"_s, 30'000), qPrintable(status(runs[0])));
        QCOMPARE(
            m_fixture->database().scalar("SELECT last_error FROM wf.run WHERE run_id = " + run),
            std::string("step failed on purpose"));
        // The steps before the failing one: each effect and journal row once, none after.
        QCOMPARE(count(effects), failAt - 1);
        QCOMPARE(count(effects + " AND step < " + std::to_string(failAt)), failAt - 1);
        QCOMPARE(count("SELECT count(*) FROM wf.step WHERE run_id = " + run), failAt - 1);
    } else {
        QVERIFY2(waitForStatus(runs[0], u"completed"_s, 20'000), qPrintable(status(runs[0])));
        QVERIFY(QFile::exists(marker(tag))); // it did fail once
        QCOMPARE(count("SELECT attempt FROM wf.run WHERE run_id = " + run), 1);
        QCOMPARE(count(effects), 3);
        QCOMPARE(count("SELECT count(DISTINCT step) FROM test_effect WHERE run_id = " + run), 3);
        QCOMPARE(count("SELECT count(*) FROM wf.step WHERE attempt = 1 AND run_id = " + run), 3);
    }
    QCOMPARE(worker.terminate(), 0);
}

// G7: a step that kills its worker (abort) still counts an attempt per claim: dead after
// max_attempts claims, while the other runs of the queue complete.
void TestWorkflows::crashingStepEndsDead()
{
    const std::vector<qint64> poison = startRuns(m_alpha, u"aborting"_s, 1, 1, u"g7b-"_s, {}, 3);
    const std::vector<qint64> others = startRuns(m_alpha, u"noop"_s, 1, 5, u"g7b-ok-"_s);
    const QStringList args{u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"1"_s};
    int crashes = 0;
    QElapsedTimer timer;
    timer.start();
    while (status(poison[0]) != u"dead"_s && timer.elapsed() < 60'000) {
        WorkerProcess worker(url(), args); // a service manager restarting it
        const int exit = worker.waitForExit(8000);
        if (exit == -2)
            ++crashes;
    }
    QCOMPARE(status(poison[0]), u"dead"_s);
    QCOMPARE(crashes, 3);
    QCOMPARE(count("SELECT attempt FROM wf.run WHERE run_id = " + std::to_string(poison[0])), 3);
    WorkerProcess worker(url(), args);
    QVERIFY(waitUntil(
        [&] {
            return count("SELECT count(*) FROM wf.run WHERE status = 'completed' AND run_id IN ("
                         + idList(others) + ")")
                == 5;
        },
        20'000));
    QCOMPARE(status(poison[0]), u"dead"_s);
    // Registered (its SIGTERM handler is installed long before), then stopped cleanly.
    QVERIFY(waitRegistered(worker.pid()));
    QCOMPARE(worker.terminate(), 0);
}

// G8: a worker claims only the (type, version) pairs it registers; a journal that does not
// match the code fails the run visibly.
void TestWorkflows::versionsAndNonDeterminism()
{
    const std::vector<qint64> v2 = startRuns(m_alpha, u"three"_s, 2, 3, u"g8-v2-"_s);
    const std::vector<qint64> v1 = startRuns(m_alpha, u"three"_s, 1, 3, u"g8-v1-"_s);
    const QStringList args{u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"2"_s};
    {
        WorkerProcess oldWorker(url(), args);
        QVERIFY(waitUntil(
            [&] {
                return count(
                           "SELECT count(*) FROM wf.run WHERE status = 'completed' AND run_id IN ("
                           + idList(v1) + ")")
                    == 3;
            },
            20'000));
        QTest::qWait(500);
        QCOMPARE(count("SELECT count(*) FROM wf.run WHERE status = 'ready' AND attempt = 0 AND "
                       "run_id IN ("
                       + idList(v2) + ")"),
                 3);
        QCOMPARE(oldWorker.terminate(), 0);
    }
    {
        WorkerProcess newWorker(url(), args, {{u"HMS_WF_TEST_PROFILE"_s, u"v2"_s}});
        QVERIFY(waitUntil(
            [&] {
                return count(
                           "SELECT count(*) FROM wf.run WHERE status = 'completed' AND run_id IN ("
                           + idList(v2) + ")")
                    == 3;
            },
            20'000));
        QCOMPARE(newWorker.terminate(), 0);
    }

    // Steps 1 and 2 journaled by the old code, then a deploy renames step 2.
    const std::vector<qint64> run = startRuns(m_alpha, u"three"_s, 1, 1, u"g8-rename-"_s);
    {
        WorkerProcess crashing(url(), args,
                               {{u"HMS_WF_TEST_CRASH"_s, u"after:2"_s},
                                {u"HMS_WF_TEST_CRASH_MARKER"_s, marker(u"g8-crash"_s)}});
        QCOMPARE(crashing.waitForExit(20'000), -2);
    }
    WorkerProcess renamed(url(), args, {{u"HMS_WF_TEST_PROFILE"_s, u"renamed"_s}});
    QVERIFY2(waitForStatus(run[0], u"failed"_s, 20'000), qPrintable(status(run[0])));
    const std::string error = m_fixture->database().scalar(
        "SELECT last_error FROM wf.run WHERE run_id = " + std::to_string(run[0]));
    QVERIFY2(error.find("non-determinism at step 2") != std::string::npos, error.c_str());
    QCOMPARE(count("SELECT count(*) FROM test_effect WHERE run_id = " + std::to_string(run[0])), 2);
    QCOMPARE(renamed.terminate(), 0);
}

// G9: a step of hospital A's run sees none of B's rows and cannot write B's.
void TestWorkflows::stepsStayInTheirHospital()
{
    const QByteArray betaToken =
        accessTokenOf(m_fixture->login(u"beta"_s, u"beta.desk"_s, Password));
    const qint64 betaPatient = registerPatient(betaToken, u"Beta Probe"_s, u"+15550009001"_s);
    QVERIFY(betaPatient > 0);
    const std::vector<qint64> runs = startRuns(m_alpha, u"rls"_s, 1, 1, u"g9-"_s,
                                               {{u"otherHospitalId"_s, QString::number(m_beta)},
                                                {u"otherPatientId"_s, QString::number(betaPatient)},
                                                {u"otherUserId"_s, QString::number(m_betaDesk)}});
    WorkerProcess worker(url(), {u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"1"_s});
    QVERIFY2(waitForStatus(runs[0], u"completed"_s, 20'000), qPrintable(status(runs[0])));
    const QJsonObject output =
        QJsonDocument::fromJson(
            QByteArray::fromStdString(m_fixture->database().scalar(
                "SELECT output::text FROM wf.step WHERE run_id = " + std::to_string(runs[0]))))
            .object();
    QCOMPARE(output.value(u"seen"_s).toInt(-1), 0);
    QCOMPARE(output.value(u"foreignRows"_s).toInt(-1), 0);
    QCOMPARE(output.value(u"updated"_s).toInt(-1), 0);
    QCOMPARE(output.value(u"writeRefused"_s).toBool(), true);
    QCOMPARE(count("SELECT count(*) FROM notifications WHERE kind = 'probe'"), 0);
    // A's runs are invisible to hms_app bound to B.
    {
        pqxx::connection connection(url());
        pqxx::work tx(connection);
        tx.exec("SET LOCAL ROLE hms_app");
        enterTenant(tx, m_beta);
        QCOMPARE(tx.exec_params1("SELECT count(*) FROM wf.run WHERE run_id = $1", runs[0])[0]
                     .as<qint64>(),
                 0);
        QCOMPARE(tx.exec_params1("SELECT count(*) FROM wf.step WHERE run_id = $1", runs[0])[0]
                     .as<qint64>(),
                 0);
    }
    QCOMPARE(worker.terminate(), 0);
}

// G10: a backlog in A does not starve B: one worker serving both claims round-robin.
void TestWorkflows::backlogDoesNotStarveOthers()
{
    m_fixture->database().exec(
        "INSERT INTO wf.run (hospital_id, queue, workflow_type, workflow_version, "
        "idempotency_key) SELECT "
        + std::to_string(m_alpha)
        + ", 'alpha', 'noop', 1, 'g10-a-' || g FROM generate_series(1, 3000) g");
    const std::vector<qint64> b = startRuns(m_beta, u"noop"_s, 1, 10, u"g10-b-"_s);
    WorkerProcess worker(url(), {u"--queues"_s, u"alpha,beta"_s, u"--concurrency"_s, u"1"_s});
    QVERIFY(waitUntil(
        [&] {
            return count("SELECT count(*) FROM wf.run WHERE status = 'completed' AND run_id IN ("
                         + idList(b) + ")")
                == 10;
        },
        30'000));
    const qint64 backlog = count("SELECT count(*) FROM wf.run WHERE idempotency_key LIKE 'g10-a-%' "
                                 "AND status = 'ready'");
    QVERIFY2(backlog > 2000, qPrintable(QString::number(backlog)));
    QCOMPARE(worker.terminate(), 0);
}

void TestWorkflows::claimUsesTheReadyIndex_data()
{
    QTest::addColumn<QString>("planMode");
    // wf.claim is PL/pgSQL: its query gets custom plans first, then the session's cached
    // generic plan (planned without the parameter values) once that is not costlier.
    QTest::newRow("generic plan") << u"force_generic_plan"_s;
    QTest::newRow("custom plan") << u"force_custom_plan"_s;
}

// G11 / WORKER.md pitfall 9: the claim query on a populated table (100k finished runs, 2k
// ready) reads the partial index run_ready in claim order, never a sequential scan of wf.run.
// The query is wf.claim's own text (from pg_proc), so a change to the function is what is
// checked. Everything happens in one transaction that is rolled back (statistics included).
void TestWorkflows::claimUsesTheReadyIndex()
{
    QFETCH(QString, planMode);
    pqxx::connection connection(url());
    pqxx::work tx(connection);
    const std::string hospital = std::to_string(m_alpha);
    tx.exec0("INSERT INTO wf.run (hospital_id, queue, workflow_type, workflow_version, "
             "idempotency_key, status, finished_at, created_at) SELECT "
             + hospital
             + ", 'alpha', 'three', 1, 'g11-done-' || g, 'completed', now() - g * interval '1 s', "
               "now() - g * interval '1 s' FROM generate_series(1, 100000) g");
    tx.exec0("INSERT INTO wf.run (hospital_id, queue, workflow_type, workflow_version, "
             "idempotency_key, run_at) SELECT "
             + hospital
             + ", 'alpha', 'three', 1, 'g11-ready-' || g, now() - g * interval '1 ms' "
               "FROM generate_series(1, 2000) g");
    tx.exec0("ANALYZE wf.run");
    std::string body = tx.exec1("SELECT prosrc FROM pg_proc WHERE oid = "
                                "'wf.claim(text, text[], text, integer, integer)'::regprocedure")[0]
                           .as<std::string>();
    // The PL/pgSQL body's one query: from RETURN QUERY to its END.
    const std::size_t query = body.find("RETURN QUERY");
    QVERIFY2(query != std::string::npos, body.c_str());
    body = body.substr(query + std::strlen("RETURN QUERY"));
    body = body.substr(0, body.rfind("END"));
    // The function's parameters by name -> $n of a prepared statement.
    const std::pair<const char *, const char *> parameters[] = {{"p_queue", "$1"},
                                                                {"p_types", "$2"},
                                                                {"p_worker", "$3"},
                                                                {"p_limit", "$4"},
                                                                {"p_lease_ms", "$5"}};
    for (const auto &[name, placeholder] : parameters)
        for (std::size_t at = body.find(name); at != std::string::npos; at = body.find(name, at))
            body.replace(at, std::strlen(name), placeholder);
    while (!body.empty() && (body.back() == ';' || std::isspace(uchar(body.back()))))
        body.pop_back();
    tx.exec0("SET LOCAL plan_cache_mode = " + planMode.toStdString());
    tx.exec0("PREPARE g11_claim (text, text[], text, integer, integer) AS " + body);
    const std::string plan =
        tx.exec1("EXPLAIN (FORMAT JSON) EXECUTE g11_claim('alpha', '{three@1}', 'w', 1, 30000)")[0]
            .as<std::string>();
    tx.abort();

    const QByteArray planJson = QByteArray::fromStdString(plan);
    QStringList scans;
    std::function<void(const QJsonObject &)> walk = [&](const QJsonObject &node) {
        if (node.value(u"Relation Name"_s).toString() == u"run")
            scans.append(node.value(u"Node Type"_s).toString() + u' '
                         + node.value(u"Index Name"_s).toString());
        for (const QJsonValue &child : node.value(u"Plans"_s).toArray())
            walk(child.toObject());
    };
    walk(QJsonDocument::fromJson(planJson).array().first().toObject().value(u"Plan"_s).toObject());
    // The CTE's scan uses run_ready; the UPDATE finds its rows by primary key (or tid).
    QVERIFY2(scans.contains(u"Index Scan run_ready"_s), planJson.constData());
    for (const QString &scan : scans)
        QVERIFY2(!scan.startsWith(u"Seq Scan"_s) && !scan.startsWith(u"Bitmap"_s),
                 planJson.constData());
}

// registerPatient in the product: a registration with check-in notifies the department's
// doctor and queues the visit, exactly once; reception is reminded of missing demographics.
void TestWorkflows::registerPatientThroughRest()
{
    qint64 department = 0;
    {
        pqxx::connection connection(url());
        pqxx::work tx(connection);
        enterTenant(tx, m_alpha);
        const std::optional<DepartmentRow> row =
            OpdRepository::insertDepartment(tx, m_alpha, u"wf-gen"_s, u"General"_s, m_alphaAdmin);
        QVERIFY(row);
        department = row->id;
        QVERIFY(OpdRepository::addDoctor(tx, m_alpha, department, m_alphaDoctor));
        tx.commit();
    }
    const QByteArray desk = accessTokenOf(m_fixture->login(u"alpha"_s, u"alpha.desk"_s, Password));
    // An unknown department is refused and nothing is written.
    const RawResponse refused = m_fixture->request(
        "POST", api::Patients, desk,
        jsonBytes({{u"fullName"_s, u"Wf Refused"_s},
                   {u"sex"_s, u"F"_s},
                   {u"birthDate"_s, u"1990-02-02"_s},
                   {u"phone"_s, u"+15550009100"_s},
                   {u"checkIn"_s, QJsonObject{{u"departmentId"_s, u"999999"_s}}}}));
    QCOMPARE(refused.status, 422);
    QVERIFY(refused.body.contains("checkIn.departmentId"));

    const QJsonObject body{
        {u"fullName"_s, u"Wf Patient"_s},
        {u"sex"_s, u"F"_s},
        {u"birthDate"_s, u"1990-02-03"_s},
        {u"phone"_s, u"+15550009101"_s},
        {u"checkIn"_s, QJsonObject{{u"departmentId"_s, QString::number(department)}}}};
    QByteArray request = ServerFixture::httpRequest("POST", api::Patients, desk, jsonBytes(body));
    request.insert(request.indexOf("\r\n") + 2, QByteArray("Idempotency-Key: wf-register-1\r\n"));
    const std::optional<RawResponse> first =
        RawHttpClient::roundTrip(m_fixture->port(), request, 15'000);
    QVERIFY(first && first->status == 201);
    const qint64 patient = first->json().value(u"id"_s).toString().toLongLong();
    const std::optional<RawResponse> replay =
        RawHttpClient::roundTrip(m_fixture->port(), request, 15'000);
    QVERIFY(replay && replay->status == 201);
    const std::string runs = "SELECT count(*) FROM wf.run WHERE workflow_type = 'registerPatient' "
                             "AND idempotency_key = '"
        + std::to_string(patient) + "'";
    QCOMPARE(count(runs), 1);

    const QStringList args{u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"2"_s};
    {
        // The shipped binary runs it; killed once mid-way, a second one finishes it.
        WorkerProcess first(url(), args, {}, u"hms-worker"_s);
        QVERIFY(waitUntil(
            [&] {
                return count("SELECT count(*) FROM wf.run WHERE workflow_type = 'registerPatient' "
                             "AND idempotency_key = '"
                             + std::to_string(patient) + "' AND status = 'waiting'")
                    == 1;
            },
            20'000));
        first.kill9();
    }
    WorkerProcess second(url(), args, {}, u"hms-worker"_s);
    const std::string p = std::to_string(patient);
    QVERIFY(waitUntil(
        [&] {
            return count("SELECT count(*) FROM notifications WHERE kind = "
                         "'patient.demographics_missing' AND patient_id = "
                         + p)
                == 1;
        },
        20'000));
    QCOMPARE(count("SELECT count(*) FROM notifications WHERE kind = 'patient.registered' AND "
                   "patient_id = "
                   + p + " AND user_id = " + std::to_string(m_alphaDoctor)),
             1);
    QCOMPARE(count("SELECT count(*) FROM notifications WHERE kind = 'patient.registered' AND "
                   "patient_id = "
                   + p),
             1);
    QCOMPARE(count("SELECT count(*) FROM visits WHERE patient_id = " + p), 1);
    QCOMPARE(count("SELECT count(*) FROM notifications WHERE kind = 'patient.demographics_missing' "
                   "AND patient_id = "
                   + p + " AND user_id = " + std::to_string(m_alphaDesk)),
             1);
    QCOMPARE(count("SELECT count(*) FROM events WHERE topic = 'user:"
                   + std::to_string(m_alphaDoctor) + "' AND type = 'notification.created'"),
             1);
    QVERIFY(waitUntil(
        [&] {
            return count(runs + " AND status = 'completed'") == 1;
        },
        10'000));

    // The doctor reads and marks the notification; another user cannot.
    const QByteArray doctor = accessTokenOf(m_fixture->login(u"alpha"_s, u"alpha.doc"_s, Password));
    const RawResponse mine = m_fixture->request("GET", "/api/v1/notifications?unread=true", doctor);
    QCOMPARE(mine.status, 200);
    const QJsonArray items = mine.json().value(u"items"_s).toArray();
    QCOMPARE(items.size(), 1);
    const QString id = items.first().toObject().value(u"id"_s).toString();
    QCOMPARE(items.first().toObject().value(u"patientId"_s).toString(), QString::number(patient));
    const QByteArray readPath = "/api/v1/notifications/" + id.toLatin1() + "/read";
    QCOMPARE(m_fixture->request("POST", readPath, desk).status, 404);
    const RawResponse read = m_fixture->request("POST", readPath, doctor);
    QCOMPARE(read.status, 200);
    QVERIFY(!read.json().value(u"readAt"_s).isNull());
    QCOMPARE(m_fixture->request("GET", "/api/v1/notifications?unread=true", doctor)
                 .json()
                 .value(u"items"_s)
                 .toArray()
                 .size(),
             0);
    QCOMPARE(m_fixture->request("GET", "/api/v1/notifications?unread=maybe", doctor).status, 422);
    QCOMPARE(second.terminate(), 0);
}

// The wake-up hint hms-server sends after a registration commits (db/postcommitnotify.h)
// reaches an idle worker: with its poll at ten minutes, only the hint can start the run soon.
void TestWorkflows::registrationWakesAnIdleWorker()
{
    WorkerProcess worker(url(), {u"--queues"_s, u"alpha"_s, u"--concurrency"_s, u"1"_s},
                         {{u"HMS_WORKER_POLL_MS"_s, u"600000"_s}}, u"hms-worker"_s);
    QVERIFY(waitRegistered(worker.pid()));
    const QByteArray desk = accessTokenOf(m_fixture->login(u"alpha"_s, u"alpha.desk"_s, Password));
    // Whether the registerPatient run of \a patient reaches its reminder timer within 20 s.
    const auto runWaits = [&](qint64 patient) {
        return waitUntil(
            [&] {
                return count("SELECT count(*) FROM wf.run WHERE workflow_type = 'registerPatient' "
                             "AND status = 'waiting' AND idempotency_key = '"
                             + std::to_string(patient) + "'")
                    == 1;
            },
            20'000);
    };
    // The first registration may still meet the worker's claim at start; once its run waits
    // for its reminder timer, the worker is idle for ten minutes, and only the second
    // registration's hint can wake it.
    const qint64 first = registerPatient(desk, u"Hint Okafor"_s, u"+15550009177"_s);
    QVERIFY(first > 0);
    QVERIFY(runWaits(first));
    const qint64 second = registerPatient(desk, u"Wake Lindqvist"_s, u"+15550009178"_s);
    QVERIFY(second > 0);
    QVERIFY(runWaits(second));
    QCOMPARE(worker.terminate(), 0);
}

// hms-admin wf and the admin REST routes: list, show with the journal, retry a dead run,
// cancel, all audited; other roles are refused.
void TestWorkflows::operatorViewRetriesAndCancels()
{
    const std::vector<qint64> dead = startRuns(m_alpha, u"noop"_s, 1, 1, u"ops-dead-"_s);
    const std::vector<qint64> toCancel = startRuns(m_alpha, u"noop"_s, 1, 1, u"ops-cancel-"_s);
    m_fixture->database().exec("UPDATE wf.run SET status = 'dead', attempt = 10, last_error = "
                               "'x' WHERE run_id = "
                               + std::to_string(dead[0]));
    const AdminRun list = runAdmin(
        url(),
        {u"wf"_s, u"list"_s, u"--status"_s, u"dead"_s, u"--hospital"_s, u"alpha"_s, u"--json"_s});
    QVERIFY2(list.exitCode == 0, list.err.constData());
    QVERIFY(list.out.contains(QByteArray::number(dead[0])));
    const AdminRun cancel =
        runAdmin(url(), {u"wf"_s, u"cancel"_s, u"--id"_s, QString::number(toCancel[0])});
    QVERIFY2(cancel.exitCode == 0, cancel.err.constData());
    QCOMPARE(status(toCancel[0]), u"cancelled"_s);
    QCOMPARE(
        runAdmin(url(), {u"wf"_s, u"cancel"_s, u"--id"_s, QString::number(toCancel[0])}).exitCode,
        1);
    QCOMPARE(runAdmin(url(), {u"wf"_s, u"show"_s, u"--id"_s, u"x"_s}).exitCode, 2);
    QCOMPARE(runAdmin(url(), {u"wf"_s, u"queues"_s}).exitCode, 0);
    QCOMPARE(runAdmin(url(), {u"wf"_s, u"workers"_s, u"--json"_s}).exitCode, 0);
    // Archive: a run finished long ago moves out of wf.run with its journal.
    const std::vector<qint64> old = startRuns(m_alpha, u"noop"_s, 1, 1, u"ops-old-"_s);
    m_fixture->database().exec(
        "INSERT INTO wf.step (run_id, seq, hospital_id, name) SELECT run_id, 1, hospital_id, "
        "'only' FROM wf.run WHERE run_id = "
        + std::to_string(old[0])
        + "; UPDATE wf.run SET status = 'completed', finished_at = now() - interval '30 days' "
          "WHERE run_id = "
        + std::to_string(old[0]));
    const AdminRun archived = runAdmin(url(), {u"wf"_s, u"archive"_s, u"--days"_s, u"7"_s});
    QVERIFY2(archived.exitCode == 0, archived.err.constData());
    QCOMPARE(count("SELECT count(*) FROM wf.run WHERE run_id = " + std::to_string(old[0])), 0);
    QCOMPARE(count("SELECT count(*) FROM wf.run_archive WHERE run_id = " + std::to_string(old[0])),
             1);
    QCOMPARE(count("SELECT count(*) FROM wf.step_archive WHERE run_id = " + std::to_string(old[0])),
             1);
    QCOMPARE(count("SELECT count(*) FROM wf.run WHERE run_id = " + std::to_string(dead[0])), 1);

    const QByteArray admin =
        accessTokenOf(m_fixture->login(u"alpha"_s, u"alpha.admin"_s, Password));
    const QByteArray doctor = accessTokenOf(m_fixture->login(u"alpha"_s, u"alpha.doc"_s, Password));
    QCOMPARE(m_fixture->request("GET", api::AdminWorkflows, doctor).status, 403);
    const RawResponse listed =
        m_fixture->request("GET", "/api/v1/admin/workflows?status=dead", admin);
    QCOMPARE(listed.status, 200);
    QVERIFY(listed.body.contains(QByteArray::number(dead[0])));
    QCOMPARE(m_fixture->request("GET", "/api/v1/admin/workflows?bogus=1", admin).status, 422);
    const QByteArray path = "/api/v1/admin/workflows/" + QByteArray::number(dead[0]);
    const RawResponse shown = m_fixture->request("GET", path, admin);
    QCOMPARE(shown.status, 200);
    QVERIFY(shown.json().value(u"steps"_s).isArray());
    QCOMPARE(m_fixture->request("POST", path + "/retry", admin).status, 200);
    QCOMPARE(status(dead[0]), u"ready"_s);
    QCOMPARE(m_fixture->request("POST", path + "/retry", admin).status, 409);
    QCOMPARE(
        count("SELECT count(*) FROM audit_log WHERE action = 'workflow.retry' AND entity_id = '"
              + std::to_string(dead[0]) + "'"),
        1);
    // Another hospital's run: the same 404 as none at all.
    const std::vector<qint64> betaRun = startRuns(m_beta, u"noop"_s, 1, 1, u"ops-beta-"_s);
    QCOMPARE(
        m_fixture
            ->request("GET", "/api/v1/admin/workflows/" + QByteArray::number(betaRun[0]), admin)
            .status,
        404);
    WorkerProcess worker(url(), {u"--queues"_s, u"alpha"_s});
    QVERIFY(waitForStatus(dead[0], u"completed"_s, 20'000));
    QCOMPARE(worker.terminate(), 0);
}

// A worker that cannot reach PostgreSQL exits non-zero (systemd restarts it).
void TestWorkflows::workerExitsWithoutDatabase()
{
    WorkerProcess noDatabase("postgresql://nobody@127.0.0.1:1/none", {u"--all"_s}, {},
                             u"hms-worker"_s);
    QCOMPARE(noDatabase.waitForExit(30'000), 1);
    WorkerProcess noQueue(url(), {}, {}, u"hms-worker"_s);
    QCOMPARE(noQueue.waitForExit(30'000), 2);
    WorkerProcess unknownQueue(url(), {u"--queues"_s, u"nowhere"_s}, {}, u"hms-worker"_s);
    QCOMPARE(unknownQueue.waitForExit(30'000), 1);
}

void TestWorkflows::badNumericOptionsExit2_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("named");
    QTest::newRow("claim-batch 0")
        << QStringList{u"--claim-batch"_s, u"0"_s} << QByteArray("--claim-batch");
    QTest::newRow("claim-batch text")
        << QStringList{u"--claim-batch"_s, u"eight"_s} << QByteArray("--claim-batch");
    QTest::newRow("concurrency -1")
        << QStringList{u"--concurrency"_s, u"-1"_s} << QByteArray("--concurrency");
}

// A mistyped number stops the worker before it claims anything, naming the option.
void TestWorkflows::badNumericOptionsExit2()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, named);
    const qint64 before = count("SELECT count(*) FROM wf.worker");
    WorkerProcess worker(url(), QStringList{u"--queues"_s, u"alpha"_s} + arguments);
    QCOMPARE(worker.waitForExit(20'000), 2);
    const QByteArray log = worker.log();
    QVERIFY2(log.contains(named.mid(2)) && log.contains("positive integer"), log.constData());
    QCOMPARE(count("SELECT count(*) FROM wf.worker"), before);
}

QTEST_GUILESS_MAIN(TestWorkflows)

#include "tst_workflows.moc"
