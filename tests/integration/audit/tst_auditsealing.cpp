// Audit rows are appended pending in the request's transaction and sealed into the hash chain
// after commit (0018_audit_sealing.sql). What must hold: a reply never arrives before its own
// row is sealed; rows a crash left pending are sealed by the sweep; concurrent sealers never
// fork the chain; nobody but the seal function rewrites a row, and it only seals.
#include "audit/auditlog.h"
#include "db/tenant.h"
#include "shared/protocol/apipaths.h"
#include "support/serverfixture.h"

#include <QJsonObject>
#include <QTest>

#include <pqxx/pqxx>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace hms;
using namespace hms::server;
using namespace hms::test;
using namespace Qt::StringLiterals;

namespace {

const QString Password = u"audit sealing horse 7"_s;

} // namespace

class TestAuditSealing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyReplyComesAfterItsRowIsSealed();
    void rowsLeftPendingAreSealedByTheSweep();
    void concurrentSealersMakeOneChain();
    void onlySealingMayChangeARow();

private:
    /// Pending rows as a crashed request leaves them: inserted by hms_app, committed, unsealed.
    void insertPending(qint64 hospitalId, int count, const std::string &action);
    void verifyChain(qint64 hospitalId);

    std::unique_ptr<ServerFixture> m_fixture;
    qint64 m_alpha = 0;
    qint64 m_beta = 0;
    QByteArray m_desk;
    QString m_patient;
};

void TestAuditSealing::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>(u"auditsealing"_s);
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    m_alpha = m_fixture->createHospital(u"alpha"_s, u"Alpha"_s);
    m_beta = m_fixture->createHospital(u"beta"_s, u"Beta"_s);
    QVERIFY(m_alpha > 0 && m_beta > 0);
    QVERIFY(m_fixture->createUser(u"alpha"_s, u"desk"_s, Role::Reception, Password) > 0);
    m_desk = accessTokenOf(m_fixture->login(u"alpha"_s, u"desk"_s, Password));
    QVERIFY(!m_desk.isEmpty());
    m_patient = m_fixture->insertPatients(m_alpha, u"Sealing"_s, 1, 1).value(0);
    QVERIFY(!m_patient.isEmpty());
}

void TestAuditSealing::insertPending(qint64 hospitalId, int count, const std::string &action)
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    tx.exec0(SetLocalRoleApplication);
    enterTenant(tx, hospitalId);
    for (int i = 0; i < count; ++i)
        tx.exec_params0("INSERT INTO audit_log (hospital_id, at, action, category, outcome, "
                        "details) VALUES ($1, now(), $2, 'admin', 'success', '{}')",
                        hospitalId, action);
    tx.commit();
}

void TestAuditSealing::verifyChain(qint64 hospitalId)
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    tx.exec0("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    enterTenant(tx, hospitalId);
    const AuditLog::Verification result = AuditLog::verify(tx, hospitalId);
    QVERIFY2(result.ok, qPrintable(result.reason));
    QCOMPARE(result.pendingRows, qint64(0));
    // seq contiguous from 1, and no two rows continue the same hash (no fork: L4).
    const pqxx::row shape =
        tx.exec_params1("SELECT count(*), coalesce(min(seq), 1), coalesce(max(seq), 0), "
                        "count(DISTINCT prev_hash) FROM audit_log WHERE hospital_id = $1",
                        hospitalId);
    QCOMPARE(shape[1].as<qint64>(), qint64(1));
    QCOMPARE(shape[2].as<qint64>(), shape[0].as<qint64>());
    QCOMPARE(shape[3].as<qint64>(), shape[0].as<qint64>());
}

// While a test transaction holds the chain head, nothing can be sealed: 12 desks' reads commit
// but none of them may be answered. Once the head is free, every reply arrives, and the row
// with its request id is already in the chain.
void TestAuditSealing::everyReplyComesAfterItsRowIsSealed()
{
    constexpr int Desks = 12;
    const QByteArray path = withId(api::Patient, m_patient);
    auto head = std::make_unique<pqxx::connection>(m_fixture->superuserUrl());
    auto holder = std::make_unique<pqxx::work>(*head);
    holder->exec_params1("SELECT 1 FROM audit_heads WHERE hospital_id = $1 FOR UPDATE", m_alpha);

    std::vector<std::unique_ptr<RawHttpClient>> desks;
    for (int d = 0; d < Desks; ++d) {
        desks.push_back(std::make_unique<RawHttpClient>());
        QVERIFY(desks.back()->connectTo(m_fixture->port()));
        desks.back()->send(ServerFixture::httpRequest("GET", path, m_desk));
    }
    // Their transactions commit (the audit rows exist, pending), their replies wait.
    QVERIFY(waitUntil(
        [this] {
            return m_fixture->count("SELECT count(*) FROM audit_log WHERE seq IS NULL "
                                    "AND action = 'patient.read'")
                == Desks;
        },
        15'000));
    QTest::qWait(500);
    for (const auto &desk : desks)
        QCOMPARE(desk->socket().bytesAvailable(), qint64(0));

    holder->commit();
    for (const auto &desk : desks) {
        const std::optional<RawResponse> reply = desk->readResponse(15'000);
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE seq IS NOT NULL AND "
                                  "hash IS NOT NULL AND request_id = '"
                                  + reply->header("x-request-id").toStdString() + "'"),
                 qint64(1));
    }
    verifyChain(m_alpha);
}

// A crash between a request's commit and its seal leaves rows pending; hms-server seals them
// within its sweep interval (1 s), in both hospitals, and the chains verify.
void TestAuditSealing::rowsLeftPendingAreSealedByTheSweep()
{
    insertPending(m_alpha, 7, "test.crashed");
    insertPending(m_beta, 3, "test.crashed");
    QVERIFY(waitUntil(
        [this] {
            return m_fixture->count("SELECT count(*) FROM audit_log WHERE seq IS NULL") == 0;
        },
        10'000));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'test.crashed'"),
             qint64(10));
    verifyChain(m_alpha);
    verifyChain(m_beta);
}

// Four sealers (other processes, in effect) on 400 pending rows: one chain, every row once.
void TestAuditSealing::concurrentSealersMakeOneChain()
{
    m_fixture->stop(); // no server sweep: only the four sealers below
    insertPending(m_alpha, 400, "test.concurrent");
    std::atomic<qint64> sealed{0};
    std::atomic<int> errors{0};
    std::vector<std::thread> sealers;
    const std::string url = m_fixture->superuserUrl();
    for (int s = 0; s < 4; ++s) {
        sealers.emplace_back([&] {
            try {
                pqxx::connection connection(url);
                pqxx::nontransaction(connection).exec0(SetRoleApplication); // as hms-server
                sealed += AuditLog::seal(connection, m_alpha);
            } catch (const std::exception &) {
                ++errors;
            }
        });
    }
    for (std::thread &sealer : sealers)
        sealer.join();
    QCOMPARE(errors.load(), 0);
    QCOMPARE(sealed.load(), qint64(400));
    verifyChain(m_alpha);
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
}

void TestAuditSealing::onlySealingMayChangeARow()
{
    m_fixture->stop();
    insertPending(m_alpha, 1, "test.tamper");
    pqxx::connection connection(m_fixture->superuserUrl());
    const auto refused = [&](const std::string &statement, bool asApp) {
        pqxx::work tx(connection);
        if (asApp)
            tx.exec0(SetLocalRoleApplication);
        enterTenant(tx, m_alpha);
        try {
            tx.exec(statement);
        } catch (const pqxx::sql_error &) {
            return true;
        }
        return false;
    };
    const std::string pending = "(SELECT id FROM audit_log WHERE action = 'test.tamper')";
    // hms_app has no UPDATE or DELETE on audit_log at all, pending rows included.
    QVERIFY(refused("UPDATE audit_log SET action = 'x' WHERE id = " + pending, true));
    QVERIFY(refused("DELETE FROM audit_log WHERE id = " + pending, true));
    // Its seal function refuses rows that are not pending and another hospital's tenant.
    QVERIFY(refused("SELECT hms_audit_seal(" + std::to_string(m_alpha)
                        + ", ARRAY[(SELECT min(id) FROM audit_log WHERE seq = 1)], "
                          "ARRAY[repeat('ab', 32)])",
                    true));
    QVERIFY(refused("SELECT hms_audit_seal(" + std::to_string(m_beta) + ", ARRAY[" + pending
                        + "], ARRAY[repeat('ab', 32)])",
                    true));
    // One hash per row: fewer or more hashes than rows, or none at all, seal nothing.
    for (const std::string &hashes :
         {std::string("ARRAY[]::text[]"), std::string("ARRAY[repeat('ab', 32), repeat('cd', 32)]"),
          std::string("NULL")})
        QVERIFY2(refused("SELECT hms_audit_seal(" + std::to_string(m_alpha) + ", ARRAY[" + pending
                             + "], " + hashes + ")",
                         true),
                 hashes.c_str());
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'test.tamper' "
                              "AND seq IS NULL"),
             qint64(1));
    // Even the owner (trigger on) cannot edit a pending row's content while sealing it, nor
    // reseal a sealed row.
    QVERIFY(refused("UPDATE audit_log SET seq = 999999, prev_hash = decode(repeat('00', 32), "
                    "'hex'), hash = decode(repeat('00', 32), 'hex'), action = 'x' WHERE id = "
                        + pending,
                    false));
    QVERIFY(refused("UPDATE audit_log SET seq = seq + 1000000 WHERE seq = 1", false));
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    // The restarted server sealed the untouched row at start.
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE seq IS NULL"), qint64(0));
    verifyChain(m_alpha);
}

QTEST_GUILESS_MAIN(TestAuditSealing)
#include "tst_auditsealing.moc"
