// hms-test-worker: hms-worker's engine with test workflows and fault injection, for
// integration.Workflows only (never installed; the shipped hms-worker has no such hooks).
//
// Environment (besides everything hms-worker reads):
//   HMS_WF_TEST_PROFILE   comma list: "v2" also registers three@2, "renamed" registers
//                         three@1 with step 2 renamed (a deploy that breaks determinism)
//   HMS_WF_TEST_CRASH     "before:K" (abort inside step K's transaction, uncommitted) or
//                         "after:K" (abort right after step K committed) of workflow three,
//                         or "external:K" (abort right after external call K of workflow
//                         external returned, before its journal row), once per marker file
//                         HMS_WF_TEST_CRASH_MARKER
//   HMS_WF_TEST_PAUSE     "K:MS:FILE": step K of three writes FILE, then sleeps MS inside its
//                         transaction (a stalled worker, for SIGSTOP tests)
//   HMS_WF_TEST_STEP_MS   every step of three sleeps this long (work in flight to kill)

#include "workflows/definitions/productworkflows.h"
#include "workflows/worker.h"

#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QTcpSocket>
#include <QThread>

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include <cstdlib>
#include <stdexcept>

using namespace hms::server::wf;

namespace {

QString k(const char *name)
{
    return QString::fromLatin1(name);
}

QStringList envList(const char *name)
{
    return qEnvironmentVariable(name).split(QLatin1Char(','), Qt::SkipEmptyParts);
}

/// True the first time for this marker file (creates it): a crash that happens once.
bool firstTime(const QString &marker)
{
    if (marker.isEmpty() || QFile::exists(marker))
        return false;
    QFile file(marker);
    file.open(QIODevice::WriteOnly);
    file.close();
    return true;
}

void maybeCrash(const char *when, int step)
{
    const QStringList crash = qEnvironmentVariable("HMS_WF_TEST_CRASH").split(QLatin1Char(':'));
    if (crash.size() == 2 && crash[0] == QLatin1String(when) && crash[1].toInt() == step
        && firstTime(qEnvironmentVariable("HMS_WF_TEST_CRASH_MARKER")))
        std::abort();
}

void maybePause(int step)
{
    const QStringList pause = qEnvironmentVariable("HMS_WF_TEST_PAUSE").split(QLatin1Char(':'));
    if (pause.size() == 3 && pause[0].toInt() == step && firstTime(pause[2]))
        QThread::msleep(pause[1].toULong());
}

/// The effect of a test step: one row per execution (test_effect has no unique key).
void insertEffect(WorkflowContext &ctx, pqxx::work &tx, int step)
{
    tx.exec_params0("INSERT INTO test_effect (run_id, hospital_id, step) VALUES ($1, $2, $3)",
                    ctx.runId(), ctx.hospitalId(), step);
}

QJsonObject effectStep(WorkflowContext &ctx, pqxx::work &tx, int step)
{
    insertEffect(ctx, tx, step);
    if (const int ms = qEnvironmentVariableIntValue("HMS_WF_TEST_STEP_MS"))
        QThread::msleep(ms);
    maybePause(step);
    maybeCrash("before", step);
    return {{k("step"), step}};
}

QJsonObject three(WorkflowContext &ctx, const QString &secondName)
{
    for (int step = 1; step <= 3; ++step) {
        const QString name = step == 2 ? secondName : QStringLiteral("step%1").arg(step);
        ctx.step(name, [&](pqxx::work &tx) {
            return effectStep(ctx, tx, step);
        });
        // DB steps share a transaction that commits when another kind of operation starts
        // or the run ends: "after:K" commits step K first, so the crash is after its commit.
        if (qEnvironmentVariable("HMS_WF_TEST_CRASH").startsWith(QLatin1String("after:")))
            ctx.flush();
        maybeCrash("after", step);
    }
    return {{k("steps"), 3}};
}

/// Three DB steps; step input.failAt inserts its effect, then throws: every time
/// (input.marker empty) or only the first time (creates input.marker).
QJsonObject chainFail(WorkflowContext &ctx)
{
    const int failAt = ctx.input().value(k("failAt")).toInt();
    const QString marker = ctx.input().value(k("marker")).toString();
    for (int step = 1; step <= 3; ++step) {
        ctx.step(QStringLiteral("step%1").arg(step), [&](pqxx::work &tx) {
            insertEffect(ctx, tx, step);
            if (step == failAt && (marker.isEmpty() || firstTime(marker)))
                throw std::runtime_error("step failed on purpose");
            return QJsonObject{{k("step"), step}};
        });
    }
    return {{k("steps"), 3}};
}

/// input.count DB steps, each one effect row (step = its number), without the fault hooks.
QJsonObject manySteps(WorkflowContext &ctx)
{
    const int count = ctx.input().value(k("count")).toInt();
    for (int step = 1; step <= count; ++step) {
        ctx.step(QStringLiteral("step%1").arg(step), [&](pqxx::work &tx) {
            insertEffect(ctx, tx, step);
            return QJsonObject{{k("step"), step}};
        });
    }
    return {{k("steps"), count}};
}

/// G4: two external calls, each a POST to the HTTP sink on 127.0.0.1:<input sinkPort> that
/// carries the step's idempotency key.
QJsonObject externalCalls(WorkflowContext &ctx)
{
    const quint16 port = quint16(ctx.input().value(k("sinkPort")).toInt());
    for (int call = 1; call <= 2; ++call) {
        ctx.external(QStringLiteral("call%1").arg(call), [&](const QString &key) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
            if (!socket.waitForConnected(5000))
                throw std::runtime_error("sink unreachable");
            socket.write("POST /effect HTTP/1.1\r\nHost: 127.0.0.1\r\nIdempotency-Key: "
                         + key.toLatin1() + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            QByteArray reply;
            while (!reply.contains("\r\n\r\n") && socket.waitForReadyRead(5000))
                reply += socket.readAll();
            if (!reply.startsWith("HTTP/1.1 200"))
                throw std::runtime_error("sink did not answer 200");
            maybeCrash("external", call);
            return QJsonObject{{k("key"), key}};
        });
    }
    return {{k("calls"), 2}};
}

QJsonObject sleeper(WorkflowContext &ctx)
{
    ctx.step(k("before"), [&](pqxx::work &tx) {
        insertEffect(ctx, tx, 1);
        return QJsonObject();
    });
    ctx.sleep(k("nap"), std::chrono::milliseconds(ctx.input().value(k("sleepMs")).toInt()));
    ctx.step(k("after"), [&](pqxx::work &tx) {
        insertEffect(ctx, tx, 2);
        return QJsonObject();
    });
    return {};
}

QJsonObject signalLoop(WorkflowContext &ctx)
{
    QJsonArray received;
    const int count = ctx.input().value(k("count")).toInt();
    for (int i = 0; i < count; ++i) {
        const std::optional<QJsonObject> payload =
            ctx.waitSignal(k("ping"), std::chrono::minutes(5));
        received.append(payload ? payload->value(k("n")) : QJsonValue());
    }
    return {{k("received"), received}};
}

/// Records each attempt outside any step (its own autocommit connection), then fails.
QJsonObject failing(WorkflowContext &ctx)
{
    {
        pqxx::connection connection(qEnvironmentVariable("HMS_DATABASE_URL").toStdString());
        pqxx::nontransaction tx(connection);
        tx.exec_params0("INSERT INTO test_attempt (run_id, attempt) VALUES ($1, $2)", ctx.runId(),
                        ctx.attempt());
    }
    ctx.step(k("boom"), [](pqxx::work &) -> QJsonObject {
        throw std::runtime_error("always fails");
    });
    return {};
}

QJsonObject aborting(WorkflowContext &ctx)
{
    ctx.step(k("crash"), [](pqxx::work &) -> QJsonObject {
        std::abort();
    });
    return {};
}

QJsonObject noop(WorkflowContext &ctx)
{
    ctx.step(k("only"), [](pqxx::work &) {
        return QJsonObject();
    });
    return {};
}

/// Row-level security inside a step: reads and writes of another hospital.
QJsonObject rls(WorkflowContext &ctx)
{
    const QJsonObject &in = ctx.input();
    return ctx.step(k("probe"), [&](pqxx::work &tx) {
        const qint64 otherHospital = in.value(k("otherHospitalId")).toString().toLongLong();
        const qint64 otherPatient = in.value(k("otherPatientId")).toString().toLongLong();
        const qint64 otherUser = in.value(k("otherUserId")).toString().toLongLong();
        const qint64 seen =
            tx.exec_params1("SELECT count(*) FROM patients WHERE id = $1", otherPatient)[0]
                .as<qint64>();
        const qint64 foreignRows =
            tx.exec_params1("SELECT count(*) FROM patients WHERE hospital_id <> $1",
                            ctx.hospitalId())[0]
                .as<qint64>();
        const qint64 updated =
            tx.exec_params("UPDATE patients SET phone = phone WHERE id = $1", otherPatient)
                .affected_rows();
        bool writeRefused = false;
        tx.exec("SAVEPOINT foreign_write");
        try {
            tx.exec_params0("INSERT INTO notifications (hospital_id, user_id, kind) "
                            "VALUES ($1, $2, 'probe')",
                            otherHospital, otherUser);
            tx.exec("RELEASE SAVEPOINT foreign_write");
        } catch (const pqxx::sql_error &) {
            tx.exec("ROLLBACK TO SAVEPOINT foreign_write");
            writeRefused = true;
        }
        return QJsonObject{{k("seen"), seen},
                           {k("foreignRows"), foreignRows},
                           {k("updated"), qint64(updated)},
                           {k("writeRefused"), writeRefused}};
    });
}

} // namespace

int main(int argc, char *argv[])
{
    Registry registry;
    registerProductWorkflows(registry);
    const QStringList profile = envList("HMS_WF_TEST_PROFILE");
    const QString second = profile.contains(k("renamed")) ? k("step2renamed") : k("step2");
    registry.add(k("three"), 1, [second](WorkflowContext &ctx) {
        return three(ctx, second);
    });
    if (profile.contains(k("v2")))
        registry.add(k("three"), 2, [](WorkflowContext &ctx) {
            return three(ctx, k("step2"));
        });
    registry.add(k("sleeper"), 1, sleeper);
    registry.add(k("chainfail"), 1, chainFail);
    registry.add(k("many"), 1, manySteps);
    registry.add(k("external"), 1, externalCalls);
    registry.add(k("signals"), 1, signalLoop);
    registry.add(k("failing"), 1, failing);
    registry.add(k("aborting"), 1, aborting);
    registry.add(k("noop"), 1, noop);
    registry.add(k("rls"), 1, rls);
    return runWorkerMain(argc, argv, registry, "hms-test-worker");
}
