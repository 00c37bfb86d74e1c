// Signed audit checkpoints and the audit report, through the real hms-admin binary against a
// database of the test's own (SECURITY.md L3 (c), (d), (f) and the signing key; L5).
//
// Tampering is done as the superuser with the append-only triggers off (session_replication_role
// = replica), as a DBA with full database access could. The recomputed chain of (d) is built
// here with AuditLog::canonicalRow, the documented encoding append() and verify() use.
#include "audit/auditcheckpoint.h"
#include "audit/auditlog.h"
#include "db/tenant.h"
#include "support/serverfixture.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <pqxx/pqxx>
#include <sys/stat.h>

#include <algorithm>

#include <sodium.h>

using namespace hms;
using namespace hms::server;
using namespace hms::test;

namespace {

// L3 (f) asks for 100k rows; AuditLog::append is 4 statements per row, so appending is the
// slow part of the test (rows/s is printed).
// Measured here: about 600 appends/s on a loaded 2-core machine, so 100k rows take ~3 min;
// the default is 5k to keep ./test.sh quick; HMS_TEST_AUDIT_CHAIN_ROWS=100000 runs the full size.
constexpr int DefaultLongChainRows = 5'000;
constexpr int LongChainBatch = 5'000;

const QString Audit = QStringLiteral("audit");
const QString HospitalOpt = QStringLiteral("--hospital");
const QString KeyFileOpt = QStringLiteral("--key-file");

int fileMode(const QString &path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 07777);
}

} // namespace

class TestAuditCheckpoints : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void keyFileIsCreatedOwnerOnly();
    void keyFileDefaultsToTheEnvironment();
    void keyFileOthersMayReadIsRefused_data();
    void keyFileOthersMayReadIsRefused();
    void publicKeyFileVerifiesButCannotSign();
    void checkpointRefusesABrokenChain();
    void checkpointIsIdempotentAtTheSameHead();

    void truncationIsFoundAgainstTheCheckpoint_data();
    void truncationIsFoundAgainstTheCheckpoint();
    void recomputedChainIsFoundAtTheNextCheckpoint_data();
    void recomputedChainIsFoundAtTheNextCheckpoint();
    void forgedCheckpointIsFound_data();
    void forgedCheckpointIsFound();
    void appRoleCannotChangeCheckpointsOrReadTheKey();

    void longChainVerifiesWithAndWithoutSinceCheckpoint();

    void reportFiltersByPatientActorAndWindow();
    void reportJsonIsSortedByTime();
    void reportIsAudited();
    void reportUsageErrors_data();
    void reportUsageErrors();

private:
    AdminRun admin(const QStringList &arguments);
    AdminRun verify(const QString &code, bool sinceCheckpoint = false);
    AdminRun checkpoint(const QString &code);
    qint64 count(const std::string &query);
    /// A hospital made by hms-admin (audit row 1), plus \a extraRows rows appended in-process.
    qint64 hospitalWithChain(const QString &code, int extraRows);
    void appendRows(qint64 hospitalId, int rows, int firstIndex = 0);
    /// Runs \a sql as the superuser with the append-only triggers off (:h = hospital id).
    void tamper(qint64 hospitalId, QString sql);
    /// Recomputes prev_hash and hash of every row from \a fromSeq on, and the head, exactly
    /// as AuditLog::append would have: the chain is consistent in itself again.
    void recomputeFrom(qint64 hospitalId, qint64 fromSeq);
    /// AuditLog::verify without checkpoints, in-process (is the chain consistent in itself?).
    AuditLog::Verification plainVerify(qint64 hospitalId);

    std::unique_ptr<TestDatabase> m_db;
    QTemporaryDir m_keyDir;
    QString m_keyFile;
};

void TestAuditCheckpoints::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(QStringLiteral("auditckpt"));
    if (!m_db->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(QFileInfo(qEnvironmentVariable("HMS_BIN_DIR") + QStringLiteral("/hms-admin"))
                 .isExecutable(),
             "hms-admin not found in HMS_BIN_DIR");
    QVERIFY(m_keyDir.isValid());
    m_keyFile = m_keyDir.filePath(QStringLiteral("audit-signing.key"));
    qunsetenv("HMS_AUDIT_KEY_FILE"); // every run names its key file, except where tested
    QVERIFY(sodium_init() >= 0);
    const AdminRun migrate = admin({QStringLiteral("migrate")});
    QVERIFY2(migrate.exitCode == 0, migrate.err.constData());
}

void TestAuditCheckpoints::cleanupTestCase()
{
    m_db.reset();
}

AdminRun TestAuditCheckpoints::admin(const QStringList &arguments)
{
    return runAdmin(m_db->url(), arguments);
}

AdminRun TestAuditCheckpoints::verify(const QString &code, bool sinceCheckpoint)
{
    QStringList arguments{Audit,    QStringLiteral("verify"), HospitalOpt, code, KeyFileOpt,
                          m_keyFile};
    if (sinceCheckpoint)
        arguments.append(QStringLiteral("--since-checkpoint"));
    return admin(arguments);
}

AdminRun TestAuditCheckpoints::checkpoint(const QString &code)
{
    return admin({Audit, QStringLiteral("checkpoint"), HospitalOpt, code, KeyFileOpt, m_keyFile});
}

qint64 TestAuditCheckpoints::count(const std::string &query)
{
    const std::string value = m_db->scalar(query);
    return value.empty() ? 0 : std::stoll(value);
}

qint64 TestAuditCheckpoints::hospitalWithChain(const QString &code, int extraRows)
{
    const AdminRun run = admin({QStringLiteral("hospital"), QStringLiteral("add"),
                                QStringLiteral("--code"), code, QStringLiteral("--name"), code});
    if (run.exitCode != 0) {
        qWarning("hospital add %s: %s", qPrintable(code), run.err.constData());
        return 0;
    }
    pqxx::connection connection(m_db->url());
    pqxx::read_transaction tx(connection);
    const qint64 id =
        tx.exec_params1("SELECT id FROM hospitals WHERE code = $1", code.toStdString())[0]
            .as<qint64>();
    tx.commit();
    appendRows(id, extraRows);
    return id;
}

void TestAuditCheckpoints::appendRows(qint64 hospitalId, int rows, int firstIndex)
{
    pqxx::connection connection(m_db->url());
    {
        pqxx::nontransaction setup(connection);
        setup.exec0("SET ROLE " + std::string(ApplicationDbRole)); // as the server writes
    }
    pqxx::work tx(connection);
    enterTenant(tx, hospitalId);
    for (int n = 0; n < rows; ++n) {
        const int i = firstIndex + n;
        AuditEntry entry;
        entry.hospitalId = hospitalId;
        entry.actorUserId = 1000 + i % 7;
        entry.actorRole = QStringLiteral("nurse");
        entry.action = QStringLiteral("patient.read");
        entry.entity = QStringLiteral("patient");
        entry.entityId = QString::number(i % 13);
        entry.patientId = i % 13;
        entry.category = QStringLiteral("demographic");
        entry.requestId = QStringLiteral("rid-%1").arg(i);
        entry.clientAddress = QStringLiteral("10.0.0.%1").arg(i % 250);
        if (i % 2)
            entry.details = {{QStringLiteral("n"), i},
                             {QStringLiteral("why"), QStringLiteral("care")}};
        AuditLog::append(tx, entry);
    }
    tx.commit();
    AuditLog::seal(connection, AuditLog::takeAppended()); // as hms-server does before it answers
}

void TestAuditCheckpoints::tamper(qint64 hospitalId, QString sql)
{
    pqxx::connection connection(m_db->url());
    pqxx::work tx(connection);
    tx.exec0("SET LOCAL session_replication_role = replica"); // append-only triggers off
    tx.exec(sql.replace(QStringLiteral(":h"), QString::number(hospitalId)).toStdString());
    tx.commit();
}

void TestAuditCheckpoints::recomputeFrom(qint64 hospitalId, qint64 fromSeq)
{
    pqxx::connection connection(m_db->url());
    pqxx::work tx(connection);
    tx.exec0("SET LOCAL session_replication_role = replica");
    const std::string hospital = std::to_string(hospitalId);
    QByteArray previous(32, '\0');
    if (fromSeq > 1) {
        previous = QByteArray::fromHex(
            tx.exec_params1(
                  "SELECT encode(hash, 'hex') FROM audit_log WHERE hospital_id = $1 AND seq = $2",
                  hospital, fromSeq - 1)[0]
                .c_str());
    }
    // Recomputed with the product's own row encoding and hash, as a DBA with the source would.
    const pqxx::result rows =
        tx.exec_params(std::string("SELECT seq, ") + AuditLog::EntryColumns
                           + " FROM audit_log WHERE hospital_id = $1 AND seq >= $2 ORDER BY seq",
                       hospital, fromSeq);
    qint64 lastSeq = fromSeq - 1;
    for (const pqxx::row &row : rows) {
        lastSeq = row[0].as<qint64>();
        const QByteArray hash =
            AuditLog::chainHash(previous, AuditLog::canonicalRowOf(hospitalId, lastSeq, row));
        tx.exec_params("UPDATE audit_log SET prev_hash = decode($3, 'hex'), "
                       "hash = decode($4, 'hex') WHERE hospital_id = $1 AND seq = $2",
                       hospital, lastSeq, previous.toHex().toStdString(),
                       hash.toHex().toStdString());
        previous = hash;
    }
    tx.exec_params("UPDATE audit_heads SET seq = $2, hash = decode($3, 'hex') "
                   "WHERE hospital_id = $1",
                   hospital, lastSeq, previous.toHex().toStdString());
    tx.commit();
}

AuditLog::Verification TestAuditCheckpoints::plainVerify(qint64 hospitalId)
{
    pqxx::connection connection(m_db->url());
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(connection);
    enterTenant(tx, hospitalId);
    return AuditLog::verify(tx, hospitalId);
}

// --- the key file --------------------------------------------------------------------------------

void TestAuditCheckpoints::keyFileIsCreatedOwnerOnly()
{
    QVERIFY(!QFile::exists(m_keyFile));
    const qint64 id = hospitalWithChain(QStringLiteral("key-create"), 4);
    QVERIFY(id > 0);
    const AdminRun run = checkpoint(QStringLiteral("key-create"));
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.out.startsWith("signed checkpoint at seq 5 with key "), run.out.constData());
    QCOMPARE(fileMode(m_keyFile), 0600);

    // One kid:base64url(64-byte secret key) line; the checkpoint row names that kid.
    QFile file(m_keyFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    const QByteArray kid = lines[0].left(lines[0].indexOf(':'));
    QCOMPARE(lines[0].size() - kid.size() - 1, 86); // 64 bytes, unpadded base64url
    QCOMPARE(QByteArray::fromStdString(
                 m_db->scalar("SELECT key_id FROM audit_checkpoints WHERE hospital_id = "
                              + std::to_string(id) + " AND seq = 5")),
             kid);

    // The public key printed is the one derived from the secret key.
    const AdminRun pub = admin({Audit, QStringLiteral("public-key"), KeyFileOpt, m_keyFile});
    QCOMPARE(pub.exitCode, 0);
    QVERIFY2(pub.out.startsWith(QByteArray(kid + ':')), pub.out.constData());
    const auto publicKey = QByteArray::fromBase64Encoding(
        pub.out.trimmed().mid(kid.size() + 1),
        QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    QVERIFY(publicKey);
    const auto secretKey =
        QByteArray::fromBase64Encoding(lines[0].mid(kid.size() + 1), QByteArray::Base64UrlEncoding);
    QCOMPARE(publicKey.decoded.size(), crypto_sign_PUBLICKEYBYTES);
    QCOMPARE(secretKey.decoded.mid(crypto_sign_SEEDBYTES), publicKey.decoded);

    const AdminRun ok = verify(QStringLiteral("key-create"));
    QVERIFY2(ok.exitCode == 0, ok.err.constData());
    QVERIFY2(ok.out.startsWith("OK 5 rows; 1 signed checkpoint(s), the newest at seq 5"),
             ok.out.constData());
}

void TestAuditCheckpoints::keyFileDefaultsToTheEnvironment()
{
    const QString path = m_keyDir.filePath(QStringLiteral("from-environment.key"));
    QVERIFY(hospitalWithChain(QStringLiteral("key-env"), 1) > 0);
    qputenv("HMS_AUDIT_KEY_FILE", QFile::encodeName(path));
    const AdminRun run =
        admin({Audit, QStringLiteral("checkpoint"), HospitalOpt, QStringLiteral("key-env")});
    const AdminRun check =
        admin({Audit, QStringLiteral("verify"), HospitalOpt, QStringLiteral("key-env")});
    qunsetenv("HMS_AUDIT_KEY_FILE");
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(fileMode(path), 0600);
    QVERIFY2(check.exitCode == 0 && check.out.startsWith("OK 2 rows; 1 signed"),
             check.out.constData());
    // Without the key file, checkpoints cannot be checked: a failure, not OK.
    const AdminRun noKey =
        admin({Audit, QStringLiteral("verify"), HospitalOpt, QStringLiteral("key-env"), KeyFileOpt,
               m_keyDir.filePath(QStringLiteral("absent.key"))});
    QCOMPARE(noKey.exitCode, 1);
    QVERIFY2(noKey.err.contains("does not exist"), noKey.err.constData());
    QVERIFY(!QFile::exists(m_keyDir.filePath(QStringLiteral("absent.key")))); // never created
}

void TestAuditCheckpoints::keyFileOthersMayReadIsRefused_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("0644") << 0644;
    QTest::newRow("0640") << 0640;
    QTest::newRow("0604") << 0604;
    QTest::newRow("0660") << 0660;
}

void TestAuditCheckpoints::keyFileOthersMayReadIsRefused()
{
    QFETCH(int, mode);
    const QString code = QStringLiteral("key-mode-%1").arg(mode, 0, 8);
    const qint64 id = hospitalWithChain(code, 2);
    QVERIFY(id > 0);
    QVERIFY2(checkpoint(code).exitCode == 0, "a first checkpoint with the 0600 key");
    appendRows(id, 2);

    const QString copy = m_keyDir.filePath(code + QStringLiteral(".key"));
    QFile::remove(copy);
    QVERIFY(QFile::copy(m_keyFile, copy));
    QCOMPARE(::chmod(QFile::encodeName(copy).constData(), mode_t(mode)), 0);
    const std::string checkpoints =
        "SELECT count(*) FROM audit_checkpoints WHERE hospital_id = " + std::to_string(id);
    const qint64 before = count(checkpoints);

    const AdminRun sign =
        admin({Audit, QStringLiteral("checkpoint"), HospitalOpt, code, KeyFileOpt, copy});
    QCOMPARE(sign.exitCode, 1);
    QVERIFY2(sign.err.contains("group or others may access it"), sign.err.constData());
    QVERIFY2(sign.err.contains(QByteArray::number(mode, 8)), sign.err.constData());
    QFile keyFile(m_keyFile);
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    const QByteArray secret = keyFile.readAll().trimmed().split(':').last();
    QVERIFY2(!sign.err.contains(secret.left(16)), "never prints key material");
    QCOMPARE(sign.err.count('\n'), 1); // one line
    QCOMPARE(count(checkpoints), before);

    const AdminRun check =
        admin({Audit, QStringLiteral("verify"), HospitalOpt, code, KeyFileOpt, copy});
    QCOMPARE(check.exitCode, 1);
    QVERIFY2(check.err.contains("group or others may access it"), check.err.constData());
}

void TestAuditCheckpoints::publicKeyFileVerifiesButCannotSign()
{
    const QString code = QStringLiteral("key-public");
    QVERIFY(hospitalWithChain(code, 3) > 0);
    QVERIFY(checkpoint(code).exitCode == 0);
    const AdminRun pub = admin({Audit, QStringLiteral("public-key"), KeyFileOpt, m_keyFile});
    QCOMPARE(pub.exitCode, 0);
    const QString publicFile = m_keyDir.filePath(QStringLiteral("public.key"));
    QFile file(publicFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(pub.out);
    file.close();
    // No secret in it: others may read it.
    QCOMPARE(::chmod(QFile::encodeName(publicFile).constData(), 0644), 0);

    const AdminRun check =
        admin({Audit, QStringLiteral("verify"), HospitalOpt, code, KeyFileOpt, publicFile});
    QVERIFY2(check.exitCode == 0, check.err.constData());
    QVERIFY2(check.out.startsWith("OK 4 rows; 1 signed"), check.out.constData());
    const AdminRun sign =
        admin({Audit, QStringLiteral("checkpoint"), HospitalOpt, code, KeyFileOpt, publicFile});
    QCOMPARE(sign.exitCode, 1);
    QVERIFY2(sign.err.contains("signing needs the secret key"), sign.err.constData());
}

void TestAuditCheckpoints::checkpointRefusesABrokenChain()
{
    const QString code = QStringLiteral("sign-broken");
    const qint64 id = hospitalWithChain(code, 6);
    QVERIFY(id > 0);
    tamper(id,
           QStringLiteral("UPDATE audit_log SET action = 'patient.update' "
                          "WHERE hospital_id = :h AND seq = 4"));
    const AdminRun run = checkpoint(code);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.out.startsWith("BROKEN at seq 4:"), run.out.constData());
    QVERIFY2(run.err.contains("nothing was signed"), run.err.constData());
    QCOMPARE(
        count("SELECT count(*) FROM audit_checkpoints WHERE hospital_id = " + std::to_string(id)),
        0);
}

void TestAuditCheckpoints::checkpointIsIdempotentAtTheSameHead()
{
    const QString code = QStringLiteral("sign-twice");
    const qint64 id = hospitalWithChain(code, 2);
    QVERIFY(id > 0);
    QCOMPARE(checkpoint(code).exitCode, 0);
    const AdminRun again = checkpoint(code);
    QCOMPARE(again.exitCode, 0);
    QCOMPARE(again.out.trimmed(),
             QByteArray("nothing to sign: the checkpoint at seq 3 is current"));
    appendRows(id, 3);
    const AdminRun third = checkpoint(code);
    QCOMPARE(third.exitCode, 0);
    QVERIFY2(third.out.startsWith("signed checkpoint at seq 6 with key "), third.out.constData());
    QVERIFY2(third.out.contains("(3 rows verified since the previous checkpoint)"),
             third.out.constData());
    QCOMPARE(
        count("SELECT count(*) FROM audit_checkpoints WHERE hospital_id = " + std::to_string(id)),
        2);
}

// --- L3 (c): rows deleted from the end, head rewound to match ------------------------------------

void TestAuditCheckpoints::truncationIsFoundAgainstTheCheckpoint_data()
{
    QTest::addColumn<int>("rowsAfterCheckpoint"); // appended after the checkpoint at seq 11
    QTest::addColumn<int>("keep"); // rows left after the deletion
    QTest::newRow("delete-last-3-up-to-the-checkpoint") << 0 << 8;
    QTest::newRow("delete-last-1-the-checkpoint-row") << 0 << 10;
    QTest::newRow("delete-last-8-across-the-checkpoint") << 5 << 8;
}

void TestAuditCheckpoints::truncationIsFoundAgainstTheCheckpoint()
{
    QFETCH(int, rowsAfterCheckpoint);
    QFETCH(int, keep);
    const QString code = QStringLiteral("trunc-%1-%2").arg(rowsAfterCheckpoint).arg(keep);
    const qint64 id = hospitalWithChain(code, 10);
    QVERIFY(id > 0);
    const AdminRun signedRun = checkpoint(code);
    QVERIFY2(signedRun.out.startsWith("signed checkpoint at seq 11 "), signedRun.out.constData());
    appendRows(id, rowsAfterCheckpoint);

    // Delete the tail and point the head at the new last row: the chain alone looks intact.
    tamper(id,
           QStringLiteral("DELETE FROM audit_log WHERE hospital_id = :h AND seq > %1; "
                          "UPDATE audit_heads SET seq = %1, hash = (SELECT hash FROM audit_log "
                          "WHERE hospital_id = :h AND seq = %1) WHERE hospital_id = :h")
               .arg(keep));
    const AuditLog::Verification plain = plainVerify(id);
    QVERIFY2(plain.ok, qPrintable(plain.reason));
    QCOMPARE(plain.rows, keep);

    const QByteArray expected = "BROKEN at seq " + QByteArray::number(keep + 1)
        + ": the chain ends at row " + QByteArray::number(keep)
        + " but a signed checkpoint is at 11";
    for (const bool since : {false, true}) {
        const AdminRun run = verify(code, since);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.out.startsWith(expected), run.out.constData());
    }
}

// --- L3 (d): a row edited and every later hash and the head recomputed --------------------------

void TestAuditCheckpoints::recomputedChainIsFoundAtTheNextCheckpoint_data()
{
    QTest::addColumn<int>("editSeq");
    QTest::addColumn<int>("brokenSeq"); // 0: not detectable (after the newest checkpoint)
    QTest::addColumn<int>("brokenSinceSeq"); // with --since-checkpoint
    // Checkpoints at 11 and 21; the chain has 26 rows.
    QTest::newRow("edit-5-before-both") << 5 << 11 << 21;
    QTest::newRow("edit-11-the-checkpoint-row") << 11 << 11 << 21;
    QTest::newRow("edit-15-between") << 15 << 21 << 21;
    QTest::newRow("edit-21-the-newest-checkpoint-row") << 21 << 21 << 21;
    // The window a checkpoint cadence leaves: rows after the newest checkpoint can be
    // rewritten undetectably until the next one is signed (every 1,000 rows or 10 min).
    QTest::newRow("edit-24-after-the-newest-checkpoint") << 24 << 0 << 0;
}

void TestAuditCheckpoints::recomputedChainIsFoundAtTheNextCheckpoint()
{
    QFETCH(int, editSeq);
    QFETCH(int, brokenSeq);
    QFETCH(int, brokenSinceSeq);
    const QString code = QStringLiteral("recompute-%1").arg(editSeq);
    const qint64 id = hospitalWithChain(code, 10);
    QVERIFY(id > 0);
    QVERIFY(checkpoint(code).out.startsWith("signed checkpoint at seq 11 "));
    appendRows(id, 10, 10);
    QVERIFY(checkpoint(code).out.startsWith("signed checkpoint at seq 21 "));
    appendRows(id, 5, 20);
    QCOMPARE(verify(code).exitCode, 0);

    tamper(id,
           QStringLiteral("UPDATE audit_log SET action = 'patient.update', "
                          "details = '{\"why\": \"curiosity\"}' "
                          "WHERE hospital_id = :h AND seq = %1")
               .arg(editSeq));
    recomputeFrom(id, editSeq);
    // The recomputation is right: without checkpoints nothing would be found.
    const AuditLog::Verification plain = plainVerify(id);
    QVERIFY2(plain.ok, qPrintable(plain.reason));
    QCOMPARE(plain.rows, 26);
    QCOMPARE(count("SELECT count(*) FROM audit_log WHERE hospital_id = " + std::to_string(id)
                   + " AND action = 'patient.update'"),
             1);

    const AdminRun full = verify(code);
    const AdminRun since = verify(code, true);
    if (brokenSeq == 0) {
        QCOMPARE(full.exitCode, 0);
        QCOMPARE(since.exitCode, 0);
        return;
    }
    QCOMPARE(full.exitCode, 1);
    QVERIFY2(full.out.startsWith(QByteArray("BROKEN at seq " + QByteArray::number(brokenSeq)
                                            + ": row " + QByteArray::number(brokenSeq)
                                            + " does not match the signed checkpoint")),
             full.out.constData());
    QCOMPARE(since.exitCode, 1);
    QVERIFY2(since.out.startsWith(
                 QByteArray("BROKEN at seq " + QByteArray::number(brokenSinceSeq) + ":")),
             since.out.constData());
    // And a new checkpoint cannot launder it.
    const AdminRun launder = checkpoint(code);
    QCOMPARE(launder.exitCode, 1);
}

// --- forged checkpoints
// ---------------------------------------------------------------------------

void TestAuditCheckpoints::forgedCheckpointIsFound_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QByteArray>("reason");
    QTest::newRow("other-key-same-kid")
        << QStringLiteral("other-key") << QByteArray("does not verify with key");
    QTest::newRow("unknown-kid") << QStringLiteral("unknown-kid")
                                 << QByteArray("which is not in the key file");
    QTest::newRow("copied-from-another-hospital")
        << QStringLiteral("other-hospital") << QByteArray("does not verify with key");
    QTest::newRow("valid-signature-wrong-seq")
        << QStringLiteral("wrong-seq") << QByteArray("does not verify with key");
}

void TestAuditCheckpoints::forgedCheckpointIsFound()
{
    QFETCH(QString, kind);
    QFETCH(QByteArray, reason);
    const QString code = QStringLiteral("forged-%1").arg(kind);
    const qint64 id = hospitalWithChain(code, 4);
    QVERIFY(id > 0);
    QVERIFY(checkpoint(code).out.startsWith("signed checkpoint at seq 5 "));
    appendRows(id, 3); // head at 8, not signed yet
    const std::string hospital = std::to_string(id);
    const std::string realKid =
        m_db->scalar("SELECT key_id FROM audit_checkpoints WHERE hospital_id = " + hospital);
    const QByteArray headHash = QByteArray::fromHex(QByteArray::fromStdString(m_db->scalar(
        "SELECT encode(hash, 'hex') FROM audit_heads WHERE hospital_id = " + hospital)));

    qint64 seq = 8;
    std::string kid = realKid;
    QByteArray hash = headHash;
    QByteArray signature;
    if (kind == QLatin1String("other-key") || kind == QLatin1String("unknown-kid")) {
        unsigned char publicKey[crypto_sign_PUBLICKEYBYTES];
        unsigned char secretKey[crypto_sign_SECRETKEYBYTES];
        crypto_sign_keypair(publicKey, secretKey);
        const QByteArray message = AuditCheckpoints::signedMessage(id, seq, hash);
        signature = QByteArray(crypto_sign_BYTES, Qt::Uninitialized);
        crypto_sign_detached(reinterpret_cast<unsigned char *>(signature.data()), nullptr,
                             reinterpret_cast<const unsigned char *>(message.constData()),
                             std::size_t(message.size()), secretKey);
        if (kind == QLatin1String("unknown-kid"))
            kid = "zz-not-ours";
    } else if (kind == QLatin1String("other-hospital")) {
        // A genuine checkpoint of another hospital at the same seq, copied over.
        const qint64 source = hospitalWithChain(QStringLiteral("forged-source"), 7);
        QVERIFY(source > 0);
        QVERIFY(checkpoint(QStringLiteral("forged-source"))
                    .out.startsWith("signed checkpoint at seq 8 "));
        const std::string where =
            "FROM audit_checkpoints WHERE hospital_id = " + std::to_string(source) + " AND seq = 8";
        hash = QByteArray::fromHex(
            QByteArray::fromStdString(m_db->scalar("SELECT encode(hash, 'hex') " + where)));
        signature = QByteArray::fromHex(
            QByteArray::fromStdString(m_db->scalar("SELECT encode(signature, 'hex') " + where)));
        kid = m_db->scalar("SELECT key_id " + where);
    } else {
        // This hospital's genuine signature of seq 5, replayed for the head at seq 8.
        signature = QByteArray::fromHex(QByteArray::fromStdString(
            m_db->scalar("SELECT encode(signature, 'hex') FROM audit_checkpoints WHERE "
                         "hospital_id = "
                         + hospital + " AND seq = 5")));
    }
    QVERIFY(signature.size() == crypto_sign_BYTES);

    // The application role may insert checkpoint rows (it cannot sign them).
    {
        pqxx::connection connection(m_db->url());
        {
            pqxx::nontransaction setup(connection);
            setup.exec0("SET ROLE " + std::string(ApplicationDbRole));
        }
        pqxx::work tx(connection);
        enterTenant(tx, id);
        tx.exec_params("INSERT INTO audit_checkpoints (hospital_id, seq, hash, key_id, signature) "
                       "VALUES ($1, $2, decode($3, 'hex'), $4, decode($5, 'hex'))",
                       id, seq, hash.toHex().toStdString(), kid, signature.toHex().toStdString());
        tx.commit();
    }

    for (const bool since : {false, true}) {
        const AdminRun run = verify(code, since);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.out.startsWith("BROKEN at seq 8: the checkpoint at 8 "), run.out.constData());
        QVERIFY2(run.out.contains(reason), run.out.constData());
    }
}

void TestAuditCheckpoints::appRoleCannotChangeCheckpointsOrReadTheKey()
{
    const QString code = QStringLiteral("app-role");
    const qint64 id = hospitalWithChain(code, 2);
    QVERIFY(id > 0);
    QCOMPARE(checkpoint(code).exitCode, 0);
    const std::string hospital = std::to_string(id);

    auto asAppRole = [&](const std::string &sql) -> QString {
        pqxx::connection connection(m_db->url());
        {
            pqxx::nontransaction setup(connection);
            setup.exec0("SET ROLE " + std::string(ApplicationDbRole));
        }
        pqxx::work tx(connection);
        enterTenant(tx, id);
        try {
            tx.exec(sql);
            tx.commit();
        } catch (const pqxx::insufficient_privilege &) {
            return QStringLiteral("42501"); // libpqxx 6.4.5 leaves sqlstate() empty for it
        } catch (const pqxx::sql_error &error) {
            return QString::fromStdString(error.sqlstate());
        }
        return QStringLiteral("ok");
    };
    QCOMPARE(
        asAppRole("UPDATE audit_checkpoints SET seq = seq + 1 WHERE hospital_id = " + hospital),
        QStringLiteral("42501"));
    QCOMPARE(asAppRole("DELETE FROM audit_checkpoints WHERE hospital_id = " + hospital),
             QStringLiteral("42501"));
    QCOMPARE(asAppRole("TRUNCATE audit_checkpoints"), QStringLiteral("42501"));
    // The signing key is a file of the operator's; the database role cannot read files.
    QCOMPARE(asAppRole("SELECT pg_read_file('" + m_keyFile.toStdString() + "')"),
             QStringLiteral("42501"));
    QCOMPARE(asAppRole("SELECT count(*) FROM audit_checkpoints"), QStringLiteral("ok"));

    // Not even the owner changes a checkpoint while the triggers are on.
    try {
        m_db->exec("DELETE FROM audit_checkpoints WHERE hospital_id = " + hospital);
        QFAIL("the owner deleted a checkpoint");
    } catch (const pqxx::insufficient_privilege &error) { // the trigger's ERRCODE
        QVERIFY2(std::string(error.what()).find("append-only") != std::string::npos, error.what());
    }
    QCOMPARE(count("SELECT count(*) FROM audit_checkpoints WHERE hospital_id = " + hospital), 1);
}

// --- L3 (f): an untouched long chain ------------------------------------------------------------

void TestAuditCheckpoints::longChainVerifiesWithAndWithoutSinceCheckpoint()
{
    const int LongChainRows = qEnvironmentVariableIsSet("HMS_TEST_AUDIT_CHAIN_ROWS")
        ? qMax(2, qEnvironmentVariableIntValue("HMS_TEST_AUDIT_CHAIN_ROWS"))
        : DefaultLongChainRows;
    const QString code = QStringLiteral("long-chain");
    const qint64 id = hospitalWithChain(code, 0);
    QVERIFY(id > 0);
    QElapsedTimer clock;
    clock.start();
    for (int done = 0; done < LongChainRows - 1; done += LongChainBatch)
        appendRows(id, qMin(LongChainBatch, LongChainRows - 1 - done), done);
    const qint64 appendMs = clock.elapsed();
    qInfo("appended %d audit rows with AuditLog::append in %lld ms (%.0f rows/s)",
          LongChainRows - 1, appendMs,
          (LongChainRows - 1) * 1000.0 / double(qMax<qint64>(1, appendMs)));

    clock.restart();
    const AdminRun first = checkpoint(code);
    const qint64 firstCheckpointMs = clock.elapsed();
    QVERIFY2(first.exitCode == 0, first.err.constData());
    QVERIFY2(first.out.startsWith(
                 QByteArray("signed checkpoint at seq " + QByteArray::number(LongChainRows))),
             first.out.constData());

    clock.restart();
    const AdminRun full = verify(code);
    const qint64 fullMs = clock.elapsed();
    QVERIFY2(full.exitCode == 0, full.out.constData());
    QVERIFY2(full.out.startsWith(
                 QByteArray("OK " + QByteArray::number(LongChainRows) + " rows; 1 signed")),
             full.out.constData());

    clock.restart();
    const AdminRun since = verify(code, true);
    const qint64 sinceMs = clock.elapsed();
    QVERIFY2(since.exitCode == 0, since.out.constData());
    QVERIFY2(since.out.startsWith(QByteArray("OK 0 rows after the signed checkpoint at seq "
                                             + QByteArray::number(LongChainRows))),
             since.out.constData());

    appendRows(id, 1000, LongChainRows);
    clock.restart();
    const AdminRun since1000 = verify(code, true);
    const qint64 since1000Ms = clock.elapsed();
    QVERIFY2(since1000.exitCode == 0, since1000.out.constData());
    QVERIFY2(since1000.out.startsWith("OK 1000 rows after the signed checkpoint"),
             since1000.out.constData());
    clock.restart();
    const AdminRun second = checkpoint(code);
    const qint64 secondCheckpointMs = clock.elapsed();
    QVERIFY2(second.out.contains("(1000 rows verified since the previous checkpoint)"),
             second.out.constData());

    qInfo("hms-admin (process start included) on a %d-row chain: first checkpoint (full walk + "
          "sign) %lld ms; audit verify %lld ms; --since-checkpoint with 0 new rows %lld ms, with "
          "1,000 new rows %lld ms; next checkpoint %lld ms",
          LongChainRows, firstCheckpointMs, fullMs, sinceMs, since1000Ms, secondCheckpointMs);
    qInfo("hms-admin says: %s / %s", full.out.trimmed().constData(),
          since1000.out.trimmed().constData());
}

// --- L5: audit report
// ------------------------------------------------------------------------------

namespace {

AuditEntry access(qint64 hospitalId, qint64 actor, qint64 patient, const QString &action)
{
    AuditEntry entry;
    entry.hospitalId = hospitalId;
    entry.actorUserId = actor;
    entry.actorRole = QStringLiteral("doctor");
    entry.action = action;
    entry.entity = QStringLiteral("patient");
    entry.entityId = QString::number(patient);
    entry.patientId = patient;
    entry.category = QStringLiteral("clinical");
    return entry;
}

} // namespace

void TestAuditCheckpoints::reportFiltersByPatientActorAndWindow()
{
    const QString code = QStringLiteral("report-filter");
    const qint64 id = hospitalWithChain(code, 0);
    QVERIFY(id > 0);
    // Two transactions with a database instant between them (now() is per transaction).
    std::string between;
    {
        pqxx::connection connection(m_db->url());
        for (int round = 0; round < 2; ++round) {
            pqxx::work tx(connection);
            enterTenant(tx, id);
            AuditLog::append(tx, access(id, 501, 77, QStringLiteral("patient.read")));
            AuditLog::append(tx, access(id, 502, 77, QStringLiteral("patient.update")));
            AuditLog::append(tx, access(id, 501, 88, QStringLiteral("patient.read")));
            AuditEntry denied = access(id, 503, 77, QStringLiteral("patient.read"));
            denied.outcome = QStringLiteral("denied");
            AuditLog::append(tx, denied);
            tx.commit();
            AuditLog::seal(connection, AuditLog::takeAppended());
            if (round == 0) {
                QTest::qWait(5);
                pqxx::nontransaction clock(connection);
                between = clock
                              .exec1("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', "
                                     "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")[0]
                              .c_str();
                QTest::qWait(5);
            }
        }
    }
    const QString at = QString::fromStdString(between);
    auto report = [&](const QStringList &filters) {
        const AdminRun run = admin(QStringList{Audit, QStringLiteral("report"), HospitalOpt, code,
                                               QStringLiteral("--json")}
                                   + filters);
        if (run.exitCode != 0)
            qWarning("audit report: %s", run.err.constData());
        return QJsonDocument::fromJson(run.out).array();
    };
    // Each report with --patient is itself an access to that patient (audit.report rows):
    // count the accesses made above and the reports apart.
    auto accesses = [](const QJsonArray &rows) {
        return int(std::count_if(rows.begin(), rows.end(), [](const QJsonValue &row) {
            return row[QStringLiteral("action")].toString() != QLatin1String("audit.report");
        }));
    };
    auto fieldSet = [](const QJsonArray &rows, const QString &key) {
        QStringList values;
        for (const QJsonValue &row : rows)
            values.append(row[key].toString());
        values.removeDuplicates();
        values.sort();
        return values;
    };
    const QString patientOpt = QStringLiteral("--patient");
    const QString actorOpt = QStringLiteral("--actor");

    const QJsonArray patient77 = report({patientOpt, QStringLiteral("77")});
    QCOMPARE(patient77.size(), 6);
    QCOMPARE(fieldSet(patient77, QStringLiteral("patient")), QStringList{QStringLiteral("77")});
    QCOMPARE(fieldSet(patient77, QStringLiteral("actor")),
             (QStringList{QStringLiteral("501"), QStringLiteral("502"), QStringLiteral("503")}));
    QCOMPARE(fieldSet(patient77, QStringLiteral("outcome")),
             (QStringList{QStringLiteral("denied"), QStringLiteral("success")}));

    const QJsonArray actor501 = report({actorOpt, QStringLiteral("501")});
    QCOMPARE(actor501.size(), 4);
    QCOMPARE(fieldSet(actor501, QStringLiteral("actor")), QStringList{QStringLiteral("501")});

    const QJsonArray both =
        report({patientOpt, QStringLiteral("77"), actorOpt, QStringLiteral("501")});
    QCOMPARE(both.size(), 2);

    const QJsonArray before =
        report({patientOpt, QStringLiteral("77"), QStringLiteral("--to"), at});
    QCOMPARE(before.size(), 3);
    const QJsonArray after =
        report({patientOpt, QStringLiteral("77"), QStringLiteral("--from"), at});
    QCOMPARE(accesses(after), 3);
    QCOMPARE(after.size(), 3 + 3); // the three --patient 77 reports above
    for (const QJsonValue &row : before)
        QVERIFY(row[QStringLiteral("at")].toString() < at);
    for (const QJsonValue &row : after)
        QVERIFY(row[QStringLiteral("at")].toString() >= at);
    // The same instant with an offset selects the same rows.
    const QString withOffset = QDateTime::fromString(at, Qt::ISODateWithMs)
                                   .toOffsetFromUtc(5 * 3600 + 1800)
                                   .toString(Qt::ISODateWithMs);
    QCOMPARE(
        accesses(report({patientOpt, QStringLiteral("77"), QStringLiteral("--from"), withOffset})),
        3);
    QCOMPARE(report({patientOpt, QStringLiteral("99")}).size(), 0);
    QCOMPARE(report({QStringLiteral("--from"), QStringLiteral("2000-01-01"), QStringLiteral("--to"),
                     QStringLiteral("2000-01-02")})
                 .size(),
             0);

    // Another hospital's rows never appear.
    const qint64 other = hospitalWithChain(QStringLiteral("report-other"), 0);
    {
        pqxx::connection connection(m_db->url());
        pqxx::work tx(connection);
        enterTenant(tx, other);
        AuditLog::append(tx, access(other, 501, 77, QStringLiteral("patient.read")));
        tx.commit();
        AuditLog::seal(connection, AuditLog::takeAppended());
    }
    QCOMPARE(report({patientOpt, QStringLiteral("77"), actorOpt, QStringLiteral("501")}).size(), 2);
}

void TestAuditCheckpoints::reportJsonIsSortedByTime()
{
    const QString code = QStringLiteral("report-sorted");
    const qint64 id = hospitalWithChain(code, 30);
    QVERIFY(id > 0);
    // A row whose time is earlier than its seq says (clock step, import): time order wins.
    tamper(id,
           QStringLiteral("UPDATE audit_log SET at = at - interval '1 hour' "
                          "WHERE hospital_id = :h AND seq = 20"));
    const AdminRun run =
        admin({Audit, QStringLiteral("report"), HospitalOpt, code, QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(run.out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError && document.isArray(), run.out.constData());
    const QJsonArray rows = document.array();
    QCOMPARE(rows.size(), 31);
    QCOMPARE(rows.first()[QStringLiteral("seq")].toString(), QStringLiteral("20"));
    for (qsizetype i = 1; i < rows.size(); ++i)
        QVERIFY(rows[i - 1][QStringLiteral("at")].toString()
                <= rows[i][QStringLiteral("at")].toString());
    const QJsonObject row = rows.last().toObject();
    for (const char *key : {"seq", "at", "actor", "role", "action", "entity", "entityId", "patient",
                            "category", "outcome", "requestId", "client"})
        QVERIFY2(row.contains(QLatin1String(key)), key);

    // People get a table with a header line.
    const AdminRun table = admin({Audit, QStringLiteral("report"), HospitalOpt, code,
                                  QStringLiteral("--actor"), QStringLiteral("1003")});
    QCOMPARE(table.exitCode, 0);
    QVERIFY2(table.out.startsWith("seq"), table.out.constData());
    QCOMPARE(table.out.trimmed().split('\n').size(), 1 + 4); // i % 7 == 3 for 3, 10, 17, 24
}

void TestAuditCheckpoints::reportIsAudited()
{
    const QString code = QStringLiteral("report-audited");
    const qint64 id = hospitalWithChain(code, 5);
    QVERIFY(id > 0);
    const std::string hospital = std::to_string(id);
    const std::string reports = "SELECT count(*) FROM audit_log WHERE hospital_id = " + hospital
        + " AND action = 'audit.report'";
    QCOMPARE(count(reports), 0);

    const AdminRun run = admin({Audit, QStringLiteral("report"), HospitalOpt, code,
                                QStringLiteral("--patient"), QStringLiteral("3"),
                                QStringLiteral("--from"), QStringLiteral("2000-01-01T00:00:00Z")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(count(reports), 1);
    // The newest row is the report, by the console, about patient 3, with what it returned.
    pqxx::connection connection(m_db->url());
    pqxx::read_transaction tx(connection);
    const pqxx::row row = tx.exec_params1(
        "SELECT seq, action, actor_role, category, entity, entity_id, patient_id, outcome, "
        "details->>'rows', details->>'from' FROM audit_log WHERE hospital_id = $1 "
        "ORDER BY seq DESC LIMIT 1",
        id);
    tx.commit();
    QCOMPARE(row[0].as<qint64>(), 7);
    QCOMPARE(std::string(row[1].c_str()), std::string("audit.report"));
    QCOMPARE(std::string(row[2].c_str()), std::string("console"));
    QCOMPARE(std::string(row[3].c_str()), std::string("audit"));
    QCOMPARE(std::string(row[4].c_str()), std::string("patient"));
    QCOMPARE(std::string(row[5].c_str()), std::string("3"));
    QCOMPARE(row[6].as<qint64>(), 3);
    QCOMPARE(std::string(row[7].c_str()), std::string("success"));
    QCOMPARE(std::string(row[8].c_str()), std::string("1")); // seq 5: i = 3
    QCOMPARE(std::string(row[9].c_str()), std::string("2000-01-01T00:00:00.000Z"));

    // The next report about patient 3 shows the previous one (who looked at the record).
    const AdminRun again =
        admin({Audit, QStringLiteral("report"), HospitalOpt, code, QStringLiteral("--patient"),
               QStringLiteral("3"), QStringLiteral("--json")});
    const QJsonArray rows = QJsonDocument::fromJson(again.out).array();
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.last()[QStringLiteral("action")].toString(), QStringLiteral("audit.report"));
    QCOMPARE(count(reports), 2);
    // The chain stays intact, and an unknown hospital writes nothing.
    QCOMPARE(verify(code).exitCode, 0);
    const qint64 total = count("SELECT count(*) FROM audit_log");
    QCOMPARE(
        admin({Audit, QStringLiteral("report"), HospitalOpt, QStringLiteral("no-such")}).exitCode,
        1);
    QCOMPARE(count("SELECT count(*) FROM audit_log"), total);
}

void TestAuditCheckpoints::reportUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("no-hospital") << QStringList{};
    QTest::newRow("patient-not-digits")
        << QStringList{QStringLiteral("--patient"), QStringLiteral("7 OR 1=1")};
    QTest::newRow("actor-zero") << QStringList{QStringLiteral("--actor"), QStringLiteral("0")};
    QTest::newRow("from-words") << QStringList{QStringLiteral("--from"),
                                               QStringLiteral("yesterday")};
    QTest::newRow("from-without-zone")
        << QStringList{QStringLiteral("--from"), QStringLiteral("2024-01-01T10:00:00")};
    QTest::newRow("to-bad-date") << QStringList{QStringLiteral("--to"),
                                                QStringLiteral("2024-13-01")};
}

void TestAuditCheckpoints::reportUsageErrors()
{
    QFETCH(QStringList, arguments);
    QStringList all{Audit, QStringLiteral("report")};
    if (QByteArray(QTest::currentDataTag()) != "no-hospital")
        all << HospitalOpt << QStringLiteral("report-filter");
    const qint64 total = count("SELECT count(*) FROM audit_log");
    const AdminRun run = admin(all + arguments);
    QCOMPARE(run.exitCode, 2);
    QCOMPARE(count("SELECT count(*) FROM audit_log"), total);
}

QTEST_GUILESS_MAIN(TestAuditCheckpoints)
#include "tst_auditcheckpoints.moc"
