// The real hms-admin binary against a database of the test's own: exit codes (0 ok, 1
// failure, 2 usage), passwords only from standard input, one audit row per change, and
// `audit verify` finding every kind of tampering with the hash chain (SECURITY.md A2, L3, L4).
#include "audit/auditlog.h"
#include "auth/passwordhasher.h"
#include "db/migrator.h"
#include "db/tenant.h"
#include "support/serverfixture.h"
#include "users/userrepository.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <pqxx/pqxx>

#include <atomic>
#include <latch>
#include <thread>

using namespace hms;
using namespace hms::server;
using namespace hms::test;

namespace {

const QByteArray GoodPassword = "Correct-horse 42 battery";
const char TargetHashPrefix[] = "$argon2id$v=19$m=65536,t=3,p=1$";

// hms-admin connects as the schema owner, here a superuser, which bypasses row-level
// security; the tests below check it still never touches another hospital's users.

QString idText(qint64 value)
{
    return QString::number(value);
}

} // namespace

class TestAdminCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void migrateTwiceAppliesNothingTheSecondTime();
    void hospitalAddAndListJson();
    void usageErrorsExit2_data();
    void usageErrorsExit2();
    void userAddReadsThePasswordFromStdin();
    void weakPasswordsAreRefused_data();
    void weakPasswordsAreRefused();
    void duplicateUsernameFails();
    void userListJson();
    void userChangeStaysInItsHospital();
    void demoSeedLeavesOtherHospitalsAlone();
    void userChangesAreAudited_data();
    void userChangesAreAudited();
    void auditVerifyCountsRows();

    void tamperingIsFound_data();
    void tamperingIsFound();
    void longChainVerifies();
    void concurrentAppendsFormOneChainPerHospital();

private:
    AdminRun admin(const QStringList &arguments, const QByteArray &input = {});
    qint64 count(const QString &query);
    /// A hospital made by hms-admin, plus \a extraRows audit rows appended in-process.
    qint64 hospitalWithChain(const QString &code, int extraRows);
    void appendRows(qint64 hospitalId, int rows);

    std::unique_ptr<TestDatabase> m_db;
};

void TestAdminCli::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(QStringLiteral("admincli"));
    if (!m_db->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(QFileInfo(qEnvironmentVariable("HMS_BIN_DIR") + QStringLiteral("/hms-admin"))
                 .isExecutable(),
             "hms-admin not found in HMS_BIN_DIR");
    const AdminRun migrate = admin({QStringLiteral("migrate")});
    QVERIFY2(migrate.exitCode == 0, migrate.err.constData());
    const AdminRun hospital =
        admin({QStringLiteral("hospital"), QStringLiteral("add"), QStringLiteral("--code"),
               QStringLiteral("main"), QStringLiteral("--name"), QStringLiteral("Main Hospital")});
    QVERIFY2(hospital.exitCode == 0, hospital.err.constData());
}

void TestAdminCli::cleanupTestCase()
{
    m_db.reset();
}

AdminRun TestAdminCli::admin(const QStringList &arguments, const QByteArray &input)
{
    return runAdmin(m_db->url(), arguments, input);
}

qint64 TestAdminCli::count(const QString &query)
{
    const std::string value = m_db->scalar(query.toStdString());
    return value.empty() ? 0 : std::stoll(value);
}

void TestAdminCli::appendRows(qint64 hospitalId, int rows)
{
    pqxx::connection connection(m_db->url());
    pqxx::work tx(connection);
    enterTenant(tx, hospitalId);
    for (int i = 0; i < rows; ++i) {
        AuditEntry entry;
        entry.hospitalId = hospitalId;
        entry.actorUserId = 1000 + i;
        entry.actorRole = QStringLiteral("nurse");
        entry.action = QStringLiteral("patient.read");
        entry.entity = QStringLiteral("patient");
        entry.entityId = QString::number(i);
        entry.patientId = i;
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

qint64 TestAdminCli::hospitalWithChain(const QString &code, int extraRows)
{
    const AdminRun run = admin({QStringLiteral("hospital"), QStringLiteral("add"),
                                QStringLiteral("--code"), code, QStringLiteral("--name"), code});
    if (run.exitCode != 0)
        return 0;
    const qint64 id = count(QStringLiteral("SELECT id FROM hospitals WHERE code = '%1'").arg(code));
    appendRows(id, extraRows);
    return id;
}

void TestAdminCli::migrateTwiceAppliesNothingTheSecondTime()
{
    TestDatabase fresh(QStringLiteral("adminmigrate"));
    const QString latest = QString::number(Migrator::embedded().last().version);

    const AdminRun first = runAdmin(fresh.url(), {QStringLiteral("migrate")});
    QVERIFY2(first.exitCode == 0, first.err.constData());
    for (const Migration &migration : Migrator::embedded())
        QVERIFY2(first.out.contains(QByteArray("applied " + migration.name.toUtf8())),
                 first.out.constData());
    QVERIFY(first.out.contains(QByteArray("schema version " + latest.toUtf8())));

    const AdminRun second = runAdmin(fresh.url(), {QStringLiteral("migrate")});
    QCOMPARE(second.exitCode, 0);
    QVERIFY2(!second.out.contains("applied "), second.out.constData());
    QVERIFY2(second.out.contains("nothing to apply"), second.out.constData());
    QCOMPARE(QString::fromStdString(fresh.scalar("SELECT count(*) FROM schema_migrations")),
             QString::number(Migrator::embedded().size()));

    const AdminRun check =
        runAdmin(fresh.url(), {QStringLiteral("migrate"), QStringLiteral("--check")});
    QCOMPARE(check.exitCode, 0);
    QVERIFY(check.out.contains("schema is current"));
}

void TestAdminCli::hospitalAddAndListJson()
{
    const AdminRun add = admin({QStringLiteral("hospital"), QStringLiteral("add"),
                                QStringLiteral("--code"), QStringLiteral("city-general"),
                                QStringLiteral("--name"), QStringLiteral("City General"),
                                QStringLiteral("--timezone"), QStringLiteral("Asia/Kolkata")});
    QVERIFY2(add.exitCode == 0, add.err.constData());
    const qint64 id = count(QStringLiteral("SELECT id FROM hospitals WHERE code = 'city-general'"));
    QVERIFY(id > 0);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM audit_log WHERE hospital_id = %1 AND "
                                  "action = 'hospital.create'")
                       .arg(id)),
             1);

    const AdminRun list =
        admin({QStringLiteral("hospital"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(list.exitCode, 0);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(list.out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError && document.isArray(), list.out.constData());
    bool found = false;
    for (const QJsonValue &value : document.array()) {
        const QJsonObject hospital = value.toObject();
        if (hospital.value(QStringLiteral("code")).toString() == QLatin1String("city-general")) {
            found = true;
            QCOMPARE(hospital.value(QStringLiteral("id")).toString(), idText(id));
            QCOMPARE(hospital.value(QStringLiteral("name")).toString(),
                     QStringLiteral("City General"));
            QCOMPARE(hospital.value(QStringLiteral("timezone")).toString(),
                     QStringLiteral("Asia/Kolkata"));
        }
    }
    QVERIFY(found);

    // The same code again is a failure (1), not a usage error.
    const AdminRun again =
        admin({QStringLiteral("hospital"), QStringLiteral("add"), QStringLiteral("--code"),
               QStringLiteral("city-general"), QStringLiteral("--name"), QStringLiteral("Again")});
    QCOMPARE(again.exitCode, 1);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM hospitals WHERE code = 'city-general'")),
             1);
}

void TestAdminCli::usageErrorsExit2_data()
{
    QTest::addColumn<QStringList>("arguments");
    const QString add = QStringLiteral("add");
    const QString user = QStringLiteral("user");
    const QString hospital = QStringLiteral("hospital");
    QTest::newRow("unknown-command") << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("no-command") << QStringList{};
    QTest::newRow("unknown-subcommand") << QStringList{hospital, QStringLiteral("explode")};
    QTest::newRow("unknown-option")
        << QStringList{hospital, QStringLiteral("list"), QStringLiteral("--verbose")};
    QTest::newRow("missing-code") << QStringList{hospital, add, QStringLiteral("--name"),
                                                 QStringLiteral("No Code")};
    QTest::newRow("bad-code-format") << QStringList{hospital,
                                                    add,
                                                    QStringLiteral("--code"),
                                                    QStringLiteral("Bad Code!"),
                                                    QStringLiteral("--name"),
                                                    QStringLiteral("X")};
    QTest::newRow("code-too-short") << QStringList{hospital,
                                                   add,
                                                   QStringLiteral("--code"),
                                                   QStringLiteral("a"),
                                                   QStringLiteral("--name"),
                                                   QStringLiteral("X")};
    QTest::newRow("stray-argument")
        << QStringList{hospital, QStringLiteral("list"), QStringLiteral("extra")};
    const QStringList newUser{user,
                              add,
                              QStringLiteral("--hospital"),
                              QStringLiteral("main"),
                              QStringLiteral("--username"),
                              QStringLiteral("argv.user"),
                              QStringLiteral("--role"),
                              QStringLiteral("nurse")};
    QTest::newRow("password-on-argv")
        << (newUser
            + QStringList{QStringLiteral("--password"), QStringLiteral("Secret-on-argv 99")});
    QTest::newRow("password-on-argv-with-equals")
        << (newUser + QStringList{QStringLiteral("--password=Secret-on-argv 99")});
    QTest::newRow("password-stdin-with-a-value")
        << (newUser + QStringList{QStringLiteral("--password-stdin=Secret-on-argv 99")});
    QTest::newRow("user-add-without-password-stdin") << newUser;
    QTest::newRow("unknown-role") << QStringList{user,
                                                 add,
                                                 QStringLiteral("--hospital"),
                                                 QStringLiteral("main"),
                                                 QStringLiteral("--username"),
                                                 QStringLiteral("argv.user"),
                                                 QStringLiteral("--role"),
                                                 QStringLiteral("superuser"),
                                                 QStringLiteral("--password-stdin")};
    QTest::newRow("bad-username") << QStringList{user,
                                                 add,
                                                 QStringLiteral("--hospital"),
                                                 QStringLiteral("main"),
                                                 QStringLiteral("--username"),
                                                 QStringLiteral("Robert'); DROP TABLE users;--"),
                                                 QStringLiteral("--role"),
                                                 QStringLiteral("nurse"),
                                                 QStringLiteral("--password-stdin")};
    QTest::newRow("set-role-without-role") << QStringList{user,
                                                          QStringLiteral("set-role"),
                                                          QStringLiteral("--hospital"),
                                                          QStringLiteral("main"),
                                                          QStringLiteral("--username"),
                                                          QStringLiteral("x")};
    QTest::newRow("reset-password-on-argv") << QStringList{user,
                                                           QStringLiteral("reset-password"),
                                                           QStringLiteral("--hospital"),
                                                           QStringLiteral("main"),
                                                           QStringLiteral("--username"),
                                                           QStringLiteral("x"),
                                                           QStringLiteral("--password"),
                                                           QStringLiteral("Secret-on-argv 99")};
    QTest::newRow("audit-verify-without-hospital")
        << QStringList{QStringLiteral("audit"), QStringLiteral("verify")};
}

void TestAdminCli::usageErrorsExit2()
{
    QFETCH(QStringList, arguments);
    const QString written =
        QStringLiteral("SELECT (SELECT count(*) FROM hospitals) + (SELECT count(*) FROM users) + "
                       "(SELECT count(*) FROM audit_log)");
    const qint64 before = count(written);
    const AdminRun run = admin(arguments, GoodPassword + '\n');
    QCOMPARE(run.exitCode, 2);
    QVERIFY(!run.err.trimmed().isEmpty());
    QVERIFY(!run.err.contains("Secret-on-argv"));
    QVERIFY(!run.out.contains("Secret-on-argv"));
    QCOMPARE(count(written), before);
}

void TestAdminCli::userAddReadsThePasswordFromStdin()
{
    const AdminRun run =
        admin({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("--hospital"),
               QStringLiteral("main"), QStringLiteral("--username"), QStringLiteral("nurse.one"),
               QStringLiteral("--role"), QStringLiteral("nurse"), QStringLiteral("--display-name"),
               QStringLiteral("Nurse One"), QStringLiteral("--password-stdin")},
              GoodPassword + '\n');
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(!run.out.contains(GoodPassword));

    pqxx::connection connection(m_db->url());
    pqxx::read_transaction tx(connection);
    const pqxx::result rows = tx.exec(
        "SELECT u.id, u.role, u.display_name, u.password_hash, u.disabled_at IS NULL, u::text "
        "FROM users u JOIN hospitals h ON h.id = u.hospital_id "
        "WHERE h.code = 'main' AND u.username = 'nurse.one'");
    QCOMPARE(int(rows.size()), 1);
    const pqxx::row row = rows[0];
    QCOMPARE(QString::fromUtf8(row[1].c_str()), QStringLiteral("nurse"));
    QCOMPARE(QString::fromUtf8(row[2].c_str()), QStringLiteral("Nurse One"));
    const std::string hash = row[3].as<std::string>();
    QVERIFY2(hash.rfind(TargetHashPrefix, 0) == 0, hash.c_str());
    QVERIFY(row[4].as<bool>());
    QVERIFY(std::string(row[5].c_str()).find(GoodPassword.toStdString()) == std::string::npos);
    // The stored hash is of exactly the line read: the password verifies, the newline is not in it.
    PasswordHasher hasher;
    QCOMPARE(hasher.verify(hash, QString::fromUtf8(GoodPassword)), PasswordHasher::Verdict::Match);
    QCOMPARE(hasher.verify(hash, QString::fromUtf8(GoodPassword + '\n')),
             PasswordHasher::Verdict::Mismatch);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'user.create' "
                                  "AND entity_id = '%1'")
                       .arg(row[0].as<qint64>())),
             1);
}

void TestAdminCli::weakPasswordsAreRefused_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<QByteArray>("password");
    QTest::newRow("11-characters") << QStringLiteral("weak.one") << QByteArray("kq7#Lm2!vX9");
    QTest::newRow("common") << QStringLiteral("weak.two") << QByteArray("Password1234");
    QTest::newRow("equal-to-username")
        << QStringLiteral("kettle.ward.nine") << QByteArray("kettle.ward.nine");
    QTest::newRow("username-other-case")
        << QStringLiteral("kettle.ward.ten") << QByteArray("KETTLE.WARD.TEN");
    QTest::newRow("129-characters")
        << QStringLiteral("weak.three") << QByteArray(129, 'x').replace(0, 8, "Zq9!mK2#");
    QTest::newRow("empty-stdin") << QStringLiteral("weak.four") << QByteArray();
}

void TestAdminCli::weakPasswordsAreRefused()
{
    QFETCH(QString, username);
    QFETCH(QByteArray, password);
    const qint64 auditBefore = count(QStringLiteral("SELECT count(*) FROM audit_log"));
    const AdminRun run = admin({QStringLiteral("user"), QStringLiteral("add"),
                                QStringLiteral("--hospital"), QStringLiteral("main"),
                                QStringLiteral("--username"), username, QStringLiteral("--role"),
                                QStringLiteral("nurse"), QStringLiteral("--password-stdin")},
                               password + '\n');
    QCOMPARE(run.exitCode, 1);
    const QByteArray reason = run.err.trimmed();
    QVERIFY2(reason.startsWith("hms-admin: password refused: "), run.err.constData());
    QVERIFY2(!reason.contains('\n'), run.err.constData()); // one line
    QVERIFY(password.isEmpty() || !run.err.contains(password));
    QCOMPARE(
        count(QStringLiteral("SELECT count(*) FROM users WHERE username = '%1'").arg(username)), 0);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM audit_log")), auditBefore);
}

void TestAdminCli::duplicateUsernameFails()
{
    const QStringList arguments{
        QStringLiteral("user"),   QStringLiteral("add"),        QStringLiteral("--hospital"),
        QStringLiteral("main"),   QStringLiteral("--username"), QStringLiteral("dup.user"),
        QStringLiteral("--role"), QStringLiteral("doctor"),     QStringLiteral("--password-stdin")};
    QCOMPARE(admin(arguments, GoodPassword + '\n').exitCode, 0);
    const AdminRun again = admin(arguments, "Another-password 77\n");
    QCOMPARE(again.exitCode, 1);
    QVERIFY2(again.err.trimmed().count('\n') == 0 && again.err.contains("exists"),
             again.err.constData());
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM users WHERE username = 'dup.user'")), 1);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM audit_log a JOIN users u ON a.entity_id = "
                                  "u.id::text WHERE u.username = 'dup.user' AND a.action = "
                                  "'user.create'")),
             1);
    // The same name in another hospital is fine.
    QVERIFY(hospitalWithChain(QStringLiteral("other-site"), 0) > 0);
    QStringList elsewhere = arguments;
    elsewhere[3] = QStringLiteral("other-site");
    const AdminRun other = admin(elsewhere, GoodPassword + '\n');
    QVERIFY2(other.exitCode == 0, other.err.constData());
}

void TestAdminCli::userListJson()
{
    QVERIFY(hospitalWithChain(QStringLiteral("list-site"), 0) > 0);
    for (const char *name : {"list.a", "list.b"}) {
        const AdminRun add =
            admin({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("--hospital"),
                   QStringLiteral("list-site"), QStringLiteral("--username"),
                   QString::fromLatin1(name), QStringLiteral("--role"), QStringLiteral("pharmacy"),
                   QStringLiteral("--password-stdin")},
                  GoodPassword + '\n');
        QVERIFY2(add.exitCode == 0, add.err.constData());
    }
    const AdminRun list =
        admin({QStringLiteral("user"), QStringLiteral("list"), QStringLiteral("--hospital"),
               QStringLiteral("list-site"), QStringLiteral("--json")});
    QCOMPARE(list.exitCode, 0);
    const QJsonDocument document = QJsonDocument::fromJson(list.out);
    QVERIFY2(document.isArray(), list.out.constData());
    QVERIFY(!list.out.contains("argon2"));
    QStringList names;
    for (const QJsonValue &value : document.array())
        names.append(value.toObject().value(QStringLiteral("username")).toString());
    // Only this hospital's users.
    QCOMPARE(names, (QStringList{QStringLiteral("list.a"), QStringLiteral("list.b")}));
    for (const QJsonValue &value : document.array()) {
        const QJsonObject user = value.toObject();
        QCOMPARE(user.value(QStringLiteral("role")).toString(), QStringLiteral("pharmacy"));
        QCOMPARE(user.value(QStringLiteral("state")).toString(), QStringLiteral("active"));
        QVERIFY(!user.contains(QStringLiteral("passwordHash")));
    }
}

void TestAdminCli::userChangeStaysInItsHospital()
{
    // The same user name in two hospitals (allowed: unique per hospital). hms-admin cannot
    // make the second one (see duplicateUsernameFails), so it is inserted directly.
    const qint64 east = hospitalWithChain(QStringLiteral("east-site"), 0);
    const qint64 west = hospitalWithChain(QStringLiteral("west-site"), 0);
    QVERIFY(east > 0 && west > 0);
    qint64 eastUser = 0;
    qint64 westUser = 0;
    {
        pqxx::connection connection(m_db->url());
        pqxx::work tx(connection);
        for (const qint64 hospital : {east, west}) {
            enterTenant(tx, hospital);
            const qint64 id = UserRepository::insert(tx,
                                                     {hospital, QStringLiteral("shared.name"),
                                                      QStringLiteral("Shared"), Role::Nurse,
                                                      "$argon2id$not-a-real-hash"});
            (hospital == east ? eastUser : westUser) = id;
        }
        tx.commit();
    }
    const AdminRun run =
        admin({QStringLiteral("user"), QStringLiteral("set-role"), QStringLiteral("--hospital"),
               QStringLiteral("west-site"), QStringLiteral("--username"),
               QStringLiteral("shared.name"), QStringLiteral("--role"), QStringLiteral("admin")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QString roleOf =
        QStringLiteral("SELECT count(*) FROM users WHERE id = %1 AND role = '%2'");
    QCOMPARE(count(roleOf.arg(westUser).arg(QStringLiteral("admin"))), 1);
    QCOMPARE(count(roleOf.arg(eastUser).arg(QStringLiteral("nurse"))), 1); // untouched
    // The audit row is in west's chain and names west's user.
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM audit_log WHERE hospital_id = %1 AND "
                                  "action = 'user.role.change' AND entity_id = '%2'")
                       .arg(west)
                       .arg(westUser)),
             1);
}

void TestAdminCli::demoSeedLeavesOtherHospitalsAlone()
{
    // A real hospital with a user called "admin", then the demo seed in the same database.
    QVERIFY(hospitalWithChain(QStringLiteral("real-site"), 0) > 0);
    const AdminRun add = admin(
        {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("--hospital"),
         QStringLiteral("real-site"), QStringLiteral("--username"), QStringLiteral("admin"),
         QStringLiteral("--role"), QStringLiteral("admin"), QStringLiteral("--password-stdin")},
        GoodPassword + '\n');
    QVERIFY2(add.exitCode == 0, add.err.constData());
    const QString realAdmin =
        QStringLiteral("SELECT u.password_hash FROM users u JOIN hospitals h ON h.id = "
                       "u.hospital_id WHERE h.code = 'real-site' AND u.username = 'admin'");
    const std::string hashBefore = m_db->scalar(realAdmin.toStdString());
    QVERIFY(!hashBefore.empty());

    QTemporaryDir dir;
    const AdminRun seed = admin({QStringLiteral("demo-seed"), QStringLiteral("--credentials-file"),
                                 dir.filePath(QStringLiteral("demo.txt"))});
    QVERIFY2(seed.exitCode == 0, seed.err.constData());
    QVERIFY2(m_db->scalar(realAdmin.toStdString()) == hashBefore,
             "demo-seed reset the password of another hospital's admin");
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM users u JOIN hospitals h ON h.id = "
                                  "u.hospital_id WHERE h.code = 'demo'")),
             6);

    // Inpatients with active orders, scheduled and as-needed, for the nurse's screens.
    const QString demoOrders =
        QStringLiteral("SELECT count(*) FROM prescriptions p JOIN hospitals h ON h.id = "
                       "p.hospital_id JOIN admissions a ON a.id = p.admission_id WHERE h.code = "
                       "'demo' AND p.status = 'active' AND a.status = 'active'%1");
    QCOMPARE(count(demoOrders.arg(QString())), 5);
    QCOMPARE(count(demoOrders.arg(QStringLiteral(" AND p.frequency = 'PRN'"))), 2);
    QCOMPARE(
        count(QStringLiteral("SELECT count(DISTINCT p.admission_id) FROM prescriptions p "
                             "JOIN hospitals h ON h.id = p.hospital_id WHERE h.code = 'demo'")),
        3);
    // Scheduled doses fall due now: some in the last 12 hours.
    QVERIFY(count(demoOrders.arg(QStringLiteral(" AND p.start_at < now() - interval '12 hours'")))
            == 5);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM audit_log a JOIN hospitals h ON h.id = "
                                  "a.hospital_id WHERE h.code = 'demo' AND a.action = "
                                  "'prescription.create'")),
             5);

    // A second run adds nothing.
    const QString counts =
        QStringLiteral("SELECT (SELECT count(*) FROM prescriptions) * 1000000 + (SELECT count(*) "
                       "FROM admissions) * 1000 + (SELECT count(*) FROM patients)");
    const qint64 before = count(counts);
    const AdminRun again = admin({QStringLiteral("demo-seed"), QStringLiteral("--credentials-file"),
                                  dir.filePath(QStringLiteral("demo.txt"))});
    QVERIFY2(again.exitCode == 0, again.err.constData());
    QCOMPARE(count(counts), before);
}

void TestAdminCli::userChangesAreAudited_data()
{
    QTest::addColumn<QString>("verb");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("effect"); // SQL over the user row u, must be true afterwards
    QTest::newRow("set-role") << QStringLiteral("set-role")
                              << QStringList{QStringLiteral("--role"), QStringLiteral("lab")}
                              << QByteArray() << QStringLiteral("user.role.change")
                              << QStringLiteral("u.role = 'lab'");
    QTest::newRow("disable") << QStringLiteral("disable") << QStringList() << QByteArray()
                             << QStringLiteral("user.disable")
                             << QStringLiteral("u.disabled_at IS NOT NULL");
    QTest::newRow("enable") << QStringLiteral("enable") << QStringList() << QByteArray()
                            << QStringLiteral("user.enable")
                            << QStringLiteral("u.disabled_at IS NULL");
    QTest::newRow("unlock") << QStringLiteral("unlock") << QStringList() << QByteArray()
                            << QStringLiteral("user.unlock")
                            << QStringLiteral("u.locked_until IS NULL AND u.failed_logins = 0");
    QTest::newRow("reset-password")
        << QStringLiteral("reset-password") << QStringList{QStringLiteral("--password-stdin")}
        << QByteArray("Fresh-start 2024 tulip\n") << QStringLiteral("user.password.reset")
        << QStringLiteral("u.password_changed_at > u.created_at");
}

void TestAdminCli::userChangesAreAudited()
{
    QFETCH(QString, verb);
    QFETCH(QStringList, extra);
    QFETCH(QByteArray, input);
    QFETCH(QString, action);
    QFETCH(QString, effect);

    if (count(QStringLiteral("SELECT count(*) FROM users WHERE username = 'changer'")) == 0) {
        const AdminRun add = admin(
            {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("--hospital"),
             QStringLiteral("main"), QStringLiteral("--username"), QStringLiteral("changer"),
             QStringLiteral("--role"), QStringLiteral("nurse"), QStringLiteral("--password-stdin")},
            GoodPassword + '\n');
        QVERIFY2(add.exitCode == 0, add.err.constData());
    }
    const qint64 id = count(QStringLiteral("SELECT id FROM users WHERE username = 'changer'"));
    if (verb == QLatin1String("unlock")) { // a locked account for unlock to clear
        m_db->exec("UPDATE users SET failed_logins = 3, locked_until = now() + interval '1 hour' "
                   "WHERE id = "
                   + std::to_string(id));
    }
    const QString hospitalAudit =
        QStringLiteral("SELECT count(*) FROM audit_log a JOIN hospitals h ON h.id = a.hospital_id "
                       "WHERE h.code = 'main'");
    const qint64 before = count(hospitalAudit);

    const AdminRun run = admin(QStringList{QStringLiteral("user"), verb,
                                           QStringLiteral("--hospital"), QStringLiteral("main"),
                                           QStringLiteral("--username"), QStringLiteral("changer")}
                                   + extra,
                               input);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out.trimmed(), QByteArray("ok: " + action.toUtf8() + " changer"));
    QCOMPARE(count(hospitalAudit), before + 1);
    // The newest row of the chain is this change, by the console, on this user.
    QCOMPARE(
        count(QStringLiteral("SELECT count(*) FROM audit_log a JOIN hospitals h ON h.id = "
                             "a.hospital_id WHERE h.code = 'main' AND a.seq = (SELECT max(seq) "
                             "FROM audit_log WHERE hospital_id = h.id) AND a.action = '%1' AND "
                             "a.entity = 'user' AND a.entity_id = '%2' AND a.actor_role = "
                             "'console'")
                  .arg(action)
                  .arg(id)),
        1);
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM users u WHERE u.id = %1 AND (%2)")
                       .arg(id)
                       .arg(effect)),
             1);
}

void TestAdminCli::auditVerifyCountsRows()
{
    const qint64 id = hospitalWithChain(QStringLiteral("verify-ok"), 7);
    QVERIFY(id > 0);
    const AdminRun run = admin({QStringLiteral("audit"), QStringLiteral("verify"),
                                QStringLiteral("--hospital"), QStringLiteral("verify-ok")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.trimmed(), QByteArray("OK 8 rows"));
    QCOMPARE(count(QStringLiteral("SELECT count(*) FROM audit_log WHERE hospital_id = %1").arg(id)),
             8);
    // An unknown hospital is a failure, not OK.
    const AdminRun unknown = admin({QStringLiteral("audit"), QStringLiteral("verify"),
                                    QStringLiteral("--hospital"), QStringLiteral("no-such")});
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY(!unknown.out.contains("OK"));
}

// --- L3: tampering with the chain as the superuser, trigger disabled ----------------------------

void TestAdminCli::tamperingIsFound_data()
{
    QTest::addColumn<QString>("tamper"); // SQL; :h is the hospital id
    QTest::addColumn<int>("brokenSeq");
    QTest::addColumn<QByteArray>("reason");
    // 11 rows: seq 1 = hospital.create, 2..11 appended.
    QTest::newRow("a-edit-middle-action")
        << QStringLiteral("UPDATE audit_log SET action = 'patient.update' WHERE hospital_id = :h "
                          "AND seq = 6")
        << 6 << QByteArray("does not match its hash");
    QTest::newRow("a2-edit-middle-details")
        << QStringLiteral("UPDATE audit_log SET details = '{\"n\": 5, \"why\": \"curiosity\"}' "
                          "WHERE hospital_id = :h AND seq = 7")
        << 7 << QByteArray("does not match its hash");
    QTest::newRow("a3-edit-middle-time")
        << QStringLiteral("UPDATE audit_log SET at = at - interval '1 day' WHERE hospital_id = :h "
                          "AND seq = 4")
        << 4 << QByteArray("does not match its hash");
    QTest::newRow("b-delete-middle")
        << QStringLiteral("DELETE FROM audit_log WHERE hospital_id = :h AND seq = 5") << 5
        << QByteArray("missing");
    QTest::newRow("c-delete-last")
        << QStringLiteral("DELETE FROM audit_log WHERE hospital_id = :h AND seq = 11") << 11
        << QByteArray("head says");
    QTest::newRow("c2-delete-last-and-rewind-head")
        << QStringLiteral("DELETE FROM audit_log WHERE hospital_id = :h AND seq = 11; "
                          "UPDATE audit_heads SET seq = 10 WHERE hospital_id = :h")
        << 11 << QByteArray("head says");
    QTest::newRow("e-swap-two-rows") << QStringLiteral(
        "UPDATE audit_log a SET (at, actor_user_id, actor_role, action, entity, entity_id, "
        "patient_id, category, outcome, request_id, client_address, details, prev_hash, "
        "hash) = (SELECT b.at, b.actor_user_id, b.actor_role, b.action, b.entity, "
        "b.entity_id, b.patient_id, b.category, b.outcome, b.request_id, b.client_address, "
        "b.details, b.prev_hash, b.hash FROM audit_log b WHERE b.hospital_id = a.hospital_id "
        "AND b.seq = CASE a.seq WHEN 3 THEN 8 ELSE 3 END) "
        "WHERE a.hospital_id = :h AND a.seq IN (3, 8)")
                                     << 3 << QByteArray("");
    QTest::newRow("f-renumber-to-close-a-gap")
        << QStringLiteral("DELETE FROM audit_log WHERE hospital_id = :h AND seq = 5; "
                          "UPDATE audit_log SET seq = seq - 1 WHERE hospital_id = :h AND seq > 5")
        << 5 << QByteArray("");
    QTest::newRow("g-append-a-forged-row")
        << QStringLiteral("INSERT INTO audit_log (hospital_id, seq, at, action, category, outcome, "
                          "prev_hash, hash) SELECT :h, 12, now(), 'patient.read', 'clinical', "
                          "'success', hash, sha256(hash) FROM audit_log WHERE hospital_id = :h "
                          "AND seq = 11")
        << 12 << QByteArray("");
}

void TestAdminCli::tamperingIsFound()
{
    QFETCH(QString, tamper);
    QFETCH(int, brokenSeq);
    QFETCH(QByteArray, reason);

    // A fresh hospital (chain) per row.
    const QString code = QStringLiteral("tamper-%1")
                             .arg(QString::fromLatin1(QTest::currentDataTag()))
                             .left(32)
                             .toLower()
                             .replace(QLatin1Char('_'), QLatin1Char('-'));
    const qint64 id = hospitalWithChain(code, 10);
    QVERIFY(id > 0);
    const QStringList verify{QStringLiteral("audit"), QStringLiteral("verify"),
                             QStringLiteral("--hospital"), code};
    const AdminRun clean = admin(verify);
    QCOMPARE(clean.exitCode, 0);
    QCOMPARE(clean.out.trimmed(), QByteArray("OK 11 rows"));

    {
        pqxx::connection connection(m_db->url());
        pqxx::work tx(connection);
        tx.exec0("SET LOCAL session_replication_role = replica"); // append-only trigger off
        tx.exec(tamper.replace(QStringLiteral(":h"), idText(id)).toStdString());
        tx.commit();
    }

    const AdminRun run = admin(verify);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.out.startsWith(QByteArray("BROKEN at seq " + QByteArray::number(brokenSeq) + ':')),
             run.out.constData());
    QVERIFY2(run.out.contains(reason), run.out.constData());
}

void TestAdminCli::longChainVerifies()
{
    const AdminRun add = admin({QStringLiteral("hospital"), QStringLiteral("add"),
                                QStringLiteral("--code"), QStringLiteral("long-chain"),
                                QStringLiteral("--name"), QStringLiteral("Long Chain")});
    QCOMPARE(add.exitCode, 0);
    const qint64 id = count(QStringLiteral("SELECT id FROM hospitals WHERE code = 'long-chain'"));
    QElapsedTimer clock;
    clock.start();
    appendRows(id, 2000);
    const qint64 appendMs = clock.elapsed();
    clock.restart();
    const AdminRun run = admin({QStringLiteral("audit"), QStringLiteral("verify"),
                                QStringLiteral("--hospital"), QStringLiteral("long-chain")});
    const qint64 verifyMs = clock.elapsed();
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.trimmed(), QByteArray("OK 2001 rows"));
    qInfo("2,000 audit appends in one transaction: %lld ms; hms-admin audit verify of 2,001 rows "
          "(process start included): %lld ms",
          appendMs, verifyMs);
}

void TestAdminCli::concurrentAppendsFormOneChainPerHospital()
{
    // Two hospitals without any audit row yet: the first appends also race to create the head.
    const qint64 first = count(QStringLiteral(
        "INSERT INTO hospitals (code, name) VALUES ('race-one', 'Race One') RETURNING id"));
    const qint64 second = count(QStringLiteral(
        "INSERT INTO hospitals (code, name) VALUES ('race-two', 'Race Two') RETURNING id"));
    QVERIFY(first > 0 && second > 0);

    constexpr int Writers = 50;
    std::latch ready(Writers);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    const std::string url = m_db->url();
    for (int i = 0; i < Writers; ++i) {
        threads.emplace_back([&, i] {
            bool arrived = false;
            try {
                pqxx::connection connection(url);
                {
                    pqxx::nontransaction setup(connection);
                    setup.exec0("SET ROLE hms_app"); // as the server writes
                }
                pqxx::work tx(connection);
                const qint64 hospital = i % 2 ? second : first;
                enterTenant(tx, hospital);
                AuditEntry entry;
                entry.hospitalId = hospital;
                entry.action = QStringLiteral("test.concurrent");
                entry.category = QStringLiteral("test");
                entry.entityId = QString::number(i);
                arrived = true;
                ready.arrive_and_wait(); // all transactions open before anyone appends
                AuditLog::append(tx, entry);
                tx.commit();
                // Each writer seals right after its commit, as hms-server does before it
                // answers: 50 sealers race for two heads, both created by the first of them.
                AuditLog::seal(connection, AuditLog::takeAppended());
            } catch (const std::exception &error) {
                qWarning("writer %d: %s", i, error.what());
                ++failures;
                if (!arrived)
                    ready.count_down();
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(failures.load(), 0);

    for (const auto &[code, id] : {std::pair{QStringLiteral("race-one"), first},
                                   std::pair{QStringLiteral("race-two"), second}}) {
        const AdminRun run = admin({QStringLiteral("audit"), QStringLiteral("verify"),
                                    QStringLiteral("--hospital"), code});
        QVERIFY2(run.exitCode == 0, run.out.constData());
        QCOMPARE(run.out.trimmed(), QByteArray("OK 25 rows"));
        const QString where = QStringLiteral(" FROM audit_log WHERE hospital_id = %1").arg(id);
        QCOMPARE(count(QStringLiteral("SELECT count(*)") + where), 25);
        QCOMPARE(count(QStringLiteral("SELECT min(seq)") + where), 1);
        QCOMPARE(count(QStringLiteral("SELECT max(seq)") + where), 25);
        QCOMPARE(count(QStringLiteral("SELECT count(DISTINCT prev_hash)") + where), 25);
        QCOMPARE(count(QStringLiteral("SELECT count(DISTINCT entity_id)") + where), 25);
        QCOMPARE(
            count(QStringLiteral("SELECT seq FROM audit_heads WHERE hospital_id = %1").arg(id)),
            25);
    }
}

QTEST_GUILESS_MAIN(TestAdminCli)
#include "tst_admincli.moc"
