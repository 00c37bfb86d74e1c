#include "db/migrator.h"
#include "support/testdatabase.h"

#include <QTest>

#include <pqxx/pqxx>

#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using hms::server::Migration;
using hms::server::MigrationError;
using hms::server::Migrator;
using hms::test::TestDatabase;

namespace {

Migration migration(const char *fileName, const char *sql)
{
    return Migration::fromFile(QString::fromLatin1(fileName), QByteArray(sql));
}

Migration createA()
{
    return migration("0001_create_a.sql", "CREATE TABLE a (id integer PRIMARY KEY);");
}

Migration fillA()
{
    return migration("0002_fill_a.sql", "INSERT INTO a VALUES (1), (2);");
}

Migration addColumnB()
{
    return migration("0003_add_column_b.sql",
                     "ALTER TABLE a ADD COLUMN b text NOT NULL DEFAULT 'x';");
}

/// SHA-256 of createA()'s SQL, computed with sha256sum.
const char CreateAChecksum[] = "ffd0711f71d8d0e2a7926e6c960adad82046e137aace4d04b3050300cc9a51b1";

/// The message of the MigrationError that \a call throws; empty when it throws none.
template<typename Call>
QString migrationErrorOf(Call &&call)
{
    try {
        call();
    } catch (const MigrationError &error) {
        return QString::fromStdString(error.what());
    }
    return {};
}

bool relationExists(const TestDatabase &db, const char *name)
{
    return db.scalar(std::string("SELECT to_regclass('") + name + "') IS NOT NULL") == "t";
}

int appliedCount(const TestDatabase &db)
{
    return std::stoi(db.scalar("SELECT count(*) FROM schema_migrations"));
}

int advisoryLockCount(const TestDatabase &db)
{
    // pg_locks is cluster-wide: count only this database's, other tests migrate in parallel.
    return std::stoi(db.scalar(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
}

/// \a url with session options appended (libpq URI query parameter).
std::string withOptions(const std::string &url, const std::string &encodedOptions)
{
    return url + (url.find('?') == std::string::npos ? '?' : '&') + "options=" + encodedOptions;
}

} // namespace

class TestMigrator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fromFileRejectsBadNames_data();
    void fromFileRejectsBadNames();
    void fromFileReadsVersionNameAndChecksum();
    void constructorRejectsInconsistentLists();
    void embeddedMigrationsAreNumberedWithoutGaps();

    void schemaVersionIsZeroOnEmptyDatabase();
    void appliesInOrderAndRecordsChecksums();
    void embeddedMigrationsApply();
    void failedMigrationRollsBackAndReleasesLock();
    void migrationAndItsRecordCommitTogether();
    void changedMigrationIsRefused();
    void renamedMigrationIsRefused();
    void newerSchemaIsRefused();
    void removedMigrationIsRefused();
    void outOfOrderMigrationIsRefused();
    void verifyRefusesPendingMigrations();
    void concurrentMigratorsApplyEachMigrationOnce();
    void sessionTimeoutsDoNotAbortMigrations();
    void mrnNumbersStartAboveTheRetiredCounters();
};

void TestMigrator::fromFileRejectsBadNames_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("sql");
    const QByteArray sql("SELECT 1;");
    QTest::newRow("three-digits") << QStringLiteral("001_x.sql") << sql;
    QTest::newRow("five-digits") << QStringLiteral("00001_x.sql") << sql;
    QTest::newRow("dash-separator") << QStringLiteral("0001-x.sql") << sql;
    QTest::newRow("no-description") << QStringLiteral("0001_.sql") << sql;
    QTest::newRow("upper-case") << QStringLiteral("0001_Foundation.sql") << sql;
    QTest::newRow("space") << QStringLiteral("0001_a b.sql") << sql;
    QTest::newRow("wrong-extension") << QStringLiteral("0001_x.txt") << sql;
    QTest::newRow("backup-file") << QStringLiteral("0001_x.sql.bak") << sql;
    QTest::newRow("version-zero") << QStringLiteral("0000_x.sql") << sql;
    QTest::newRow("empty-sql") << QStringLiteral("0001_x.sql") << QByteArray(" \n");
}

void TestMigrator::fromFileRejectsBadNames()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, sql);
    const QString message = migrationErrorOf([&] {
        Migration::fromFile(fileName, sql);
    });
    QVERIFY2(message.contains(fileName), qPrintable(message));
}

void TestMigrator::fromFileReadsVersionNameAndChecksum()
{
    const Migration m = createA();
    QCOMPARE(m.version, 1);
    QCOMPARE(m.name, QStringLiteral("0001_create_a"));
    QCOMPARE(m.sql, QByteArray("CREATE TABLE a (id integer PRIMARY KEY);"));
    QCOMPARE(m.checksum, QByteArray(CreateAChecksum));
    QCOMPARE(migration("0042_x_2.sql", "SELECT 1;").version, 42);
}

void TestMigrator::constructorRejectsInconsistentLists()
{
    const QString duplicate = migrationErrorOf([] {
        Migrator({createA(), migration("0001_other.sql", "SELECT 1;")});
    });
    QVERIFY2(duplicate.contains(QStringLiteral("share version 1")), qPrintable(duplicate));

    Migration misnamed = fillA();
    misnamed.version = 7;
    const QString mismatch = migrationErrorOf([&] {
        Migrator({createA(), misnamed});
    });
    QVERIFY2(mismatch.contains(QStringLiteral("0002_fill_a")), qPrintable(mismatch));

    Migration tampered = fillA();
    tampered.sql = "DROP TABLE a;";
    const QString checksum = migrationErrorOf([&] {
        Migrator({createA(), tampered});
    });
    QVERIFY2(checksum.contains(QStringLiteral("checksum")), qPrintable(checksum));

    // Any order is accepted and sorted.
    const Migrator sorted({addColumnB(), createA(), fillA()});
    QCOMPARE(sorted.migrations().size(), 3);
    QCOMPARE(sorted.migrations().at(0).version, 1);
    QCOMPARE(sorted.migrations().at(2).version, 3);
    QCOMPARE(sorted.latestVersion(), 3);
}

void TestMigrator::embeddedMigrationsAreNumberedWithoutGaps()
{
    const QList<Migration> embedded = Migrator::embedded();
    QVERIFY(!embedded.isEmpty());
    QCOMPARE(embedded.first().name, QStringLiteral("0001_foundation"));
    for (qsizetype i = 0; i < embedded.size(); ++i) {
        QCOMPARE(embedded.at(i).version, int(i) + 1);
        QVERIFY(embedded.at(i).sql.contains(';'));
    }
}

void TestMigrator::schemaVersionIsZeroOnEmptyDatabase()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    pqxx::connection connection(db.url());
    QCOMPARE(Migrator::schemaVersion(connection), 0);
    QCOMPARE(Migrator({createA()}).pending(connection).size(), 1);
    QVERIFY(!relationExists(db, "schema_migrations"));
}

void TestMigrator::appliesInOrderAndRecordsChecksums()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    pqxx::connection connection(db.url());
    Migrator migrator({addColumnB(), createA(), fillA()});

    // 0002 inserts into the table of 0001, 0003 alters it: only works in order.
    const Migrator::Report first = migrator.migrate(connection);
    QCOMPARE(first.applied,
             QStringList({QStringLiteral("0001_create_a"), QStringLiteral("0002_fill_a"),
                          QStringLiteral("0003_add_column_b")}));
    QCOMPARE(first.schemaVersion, 3);
    QCOMPARE(db.scalar("SELECT string_agg(id || b, ',' ORDER BY id) FROM a"), "1x,2x");

    QCOMPARE(db.scalar("SELECT string_agg(version || ':' || name, ',' ORDER BY version) "
                       "FROM schema_migrations"),
             "1:0001_create_a,2:0002_fill_a,3:0003_add_column_b");
    QCOMPARE(db.scalar("SELECT checksum FROM schema_migrations WHERE version = 1"),
             std::string(CreateAChecksum));
    QCOMPARE(db.scalar("SELECT checksum FROM schema_migrations WHERE version = 3"),
             addColumnB().checksum.toStdString());
    QCOMPARE(db.scalar("SELECT count(*) FROM schema_migrations "
                       "WHERE applied_at > now() - interval '1 hour'"),
             "3");
    QCOMPARE(Migrator::schemaVersion(connection), 3);
    QVERIFY(migrator.pending(connection).isEmpty());
    QCOMPARE(advisoryLockCount(db), 0);

    const Migrator::Report second = migrator.migrate(connection);
    QVERIFY(second.applied.isEmpty());
    QCOMPARE(second.schemaVersion, 3);
    QCOMPARE(appliedCount(db), 3);
    QCOMPARE(db.scalar("SELECT count(*) FROM a"), "2");
}

void TestMigrator::embeddedMigrationsApply()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    pqxx::connection connection(db.url());
    const QList<Migration> embedded = Migrator::embedded();
    Migrator migrator(embedded);

    const Migrator::Report report = migrator.migrate(connection);
    QCOMPARE(report.applied.size(), embedded.size());
    QCOMPARE(report.schemaVersion, embedded.last().version);
    QCOMPARE(Migrator::schemaVersion(connection), embedded.last().version);
    QCOMPARE(appliedCount(db), int(embedded.size()));
    migrator.verify(connection);

    QVERIFY(relationExists(db, "hospitals"));
    QCOMPARE(db.scalar("SELECT count(*) FROM pg_extension WHERE extname IN ('pg_trgm', "
                       "'unaccent')"),
             "2");
    db.exec("INSERT INTO hospitals (code, name) VALUES ('city-general', 'City General')");
    QCOMPARE(db.scalar("SELECT timezone FROM hospitals WHERE code = 'city-general'"), "UTC");
    QVERIFY_THROWS_EXCEPTION(
        pqxx::unique_violation,
        db.exec("INSERT INTO hospitals (code, name) VALUES ('city-general', 'Again')"));
    QVERIFY_THROWS_EXCEPTION(pqxx::check_violation,
                             db.exec("INSERT INTO hospitals (code, name) VALUES ('City', 'x')"));
    QVERIFY_THROWS_EXCEPTION(pqxx::check_violation,
                             db.exec("INSERT INTO hospitals (code, name) VALUES ('-ab', 'x')"));
    QVERIFY_THROWS_EXCEPTION(pqxx::check_violation,
                             db.exec("INSERT INTO hospitals (code, name) VALUES ('ab\n', 'x')"));
    QVERIFY_THROWS_EXCEPTION(pqxx::check_violation,
                             db.exec("INSERT INTO hospitals (code, name) VALUES ('ab', '  ')"));
    QVERIFY_THROWS_EXCEPTION(
        pqxx::check_violation,
        db.exec("INSERT INTO hospitals (code, name) VALUES ('ab', repeat('n', 201))"));
    QVERIFY_THROWS_EXCEPTION(
        pqxx::check_violation,
        db.exec("INSERT INTO hospitals (code, name) VALUES (repeat('a', 33), 'x')"));
    db.exec("INSERT INTO hospitals (code, name) VALUES (repeat('a', 32), repeat('n', 200))");
}

void TestMigrator::failedMigrationRollsBackAndReleasesLock()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    const Migration broken = migration(
        "0002_broken.sql",
        "CREATE TABLE b (id integer); INSERT INTO a VALUES (5); SELECT * FROM no_such_table;");
    const Migration createD = migration("0003_create_d.sql", "CREATE TABLE d (id integer);");
    {
        pqxx::connection connection(db.url());
        Migrator migrator({createA(), broken, createD});
        QString message;
        bool nestedIsSqlError = false;
        try {
            migrator.migrate(connection);
        } catch (const MigrationError &error) {
            message = QString::fromStdString(error.what());
            try {
                std::rethrow_if_nested(error);
            } catch (const pqxx::undefined_table &) {
                nestedIsSqlError = true;
            }
        }
        QVERIFY2(message.contains(QStringLiteral("0002_broken")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("42P01")), qPrintable(message));
        QVERIFY(nestedIsSqlError);

        QVERIFY(relationExists(db, "a"));
        QVERIFY(!relationExists(db, "b"));
        QCOMPARE(db.scalar("SELECT count(*) FROM a"), "0");
        QVERIFY(!relationExists(db, "d"));
        QCOMPARE(db.scalar("SELECT string_agg(name, ',') FROM schema_migrations"), "0001_create_a");
        QCOMPARE(Migrator::schemaVersion(connection), 1);
        // The connection is still open, so a leaked session lock would show here.
        QCOMPARE(advisoryLockCount(db), 0);
        QCOMPARE(migrator.pending(connection).size(), 2);
    }

    // The fixed migration (never applied, so it may still change) and the rest go through.
    pqxx::connection connection(db.url());
    const Migration fixed = migration("0002_broken.sql", "CREATE TABLE b (id integer);");
    const Migrator::Report report = Migrator({createA(), fixed, createD}).migrate(connection);
    QCOMPARE(report.applied,
             QStringList({QStringLiteral("0002_broken"), QStringLiteral("0003_create_d")}));
    QVERIFY(relationExists(db, "b"));
    QVERIFY(relationExists(db, "d"));
}

void TestMigrator::migrationAndItsRecordCommitTogether()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    pqxx::connection connection(db.url());
    // The SQL itself succeeds; recording it then fails on the primary key, which must undo
    // the SQL too (PostgreSQL alone only makes one multi-statement string atomic).
    const Migration selfRecording =
        migration("0002_self_recording.sql",
                  "CREATE TABLE b (id integer); INSERT INTO schema_migrations "
                  "(version, name, checksum) VALUES (2, 'forged', 'forged');");
    const QString message = migrationErrorOf([&] {
        Migrator({createA(), selfRecording}).migrate(connection);
    });
    QVERIFY2(message.contains(QStringLiteral("0002_self_recording"))
                 && message.contains(QStringLiteral("23505")),
             qPrintable(message));
    QVERIFY(!relationExists(db, "b"));
    QCOMPARE(db.scalar("SELECT string_agg(name, ',') FROM schema_migrations"), "0001_create_a");
}

void TestMigrator::changedMigrationIsRefused()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    pqxx::connection connection(db.url());
    Migrator({createA(), fillA()}).migrate(connection);

    const Migration edited =
        migration("0001_create_a.sql", "CREATE TABLE a (id integer PRIMARY KEY, c text);");
    Migrator migrator({edited, fillA(), addColumnB()});
    const QString message = migrationErrorOf([&] {
        migrator.migrate(connection);
    });
    QVERIFY2(message.contains(QStringLiteral("migration 0001_create_a was changed after it was "
                                             "applied (checksum mismatch)")),
             qPrintable(message));
    QCOMPARE(appliedCount(db), 2);
    QCOMPARE(db.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'a'"),
             "1");
    QCOMPARE(db.scalar("SELECT checksum FROM schema_migrations WHERE version = 1"),
             std::string(CreateAChecksum));
    QCOMPARE(advisoryLockCount(db), 0);

    const QString verifyMessage = migrationErrorOf([&] {
        migrator.verify(connection);
    });
    QVERIFY2(verifyMessage.contains(QStringLiteral("0001_create_a")), qPrintable(verifyMessage));
}

void TestMigrator::renamedMigrationIsRefused()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    pqxx::connection connection(db.url());
    Migrator({createA()}).migrate(connection);

    const Migration renamed =
        migration("0001_create_table_a.sql", "CREATE TABLE a (id integer PRIMARY KEY);");
    const QString message = migrationErrorOf([&] {
        Migrator({renamed, fillA()}).migrate(connection);
    });
    QVERIFY2(message.contains(QStringLiteral("0001_create_table_a"))
                 && message.contains(QStringLiteral("0001_create_a")),
             qPrintable(message));
    QCOMPARE(appliedCount(db), 1);
}

void TestMigrator::newerSchemaIsRefused()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    pqxx::connection connection(db.url());
    Migrator({createA(), fillA(), addColumnB()}).migrate(connection);

    Migrator older({createA(), fillA()});
    const QString message = migrationErrorOf([&] {
        older.migrate(connection);
    });
    QVERIFY2(message.contains(QStringLiteral("database schema version 3 (migration "
                                             "0003_add_column_b) is newer than this build (2)")),
             qPrintable(message));
    const QString verifyMessage = migrationErrorOf([&] {
        older.verify(connection);
    });
    QVERIFY2(verifyMessage.contains(QStringLiteral("newer than this build")),
             qPrintable(verifyMessage));
    QCOMPARE(appliedCount(db), 3);
    QCOMPARE(advisoryLockCount(db), 0);
}

void TestMigrator::removedMigrationIsRefused()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    pqxx::connection connection(db.url());
    Migrator({createA(), fillA(), addColumnB()}).migrate(connection);

    const QString message = migrationErrorOf([&] {
        Migrator({createA(), addColumnB()}).migrate(connection);
    });
    QVERIFY2(message.contains(QStringLiteral("migration 0002_fill_a is recorded in the database "
                                             "but is not part of this build")),
             qPrintable(message));
}

void TestMigrator::outOfOrderMigrationIsRefused()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    pqxx::connection connection(db.url());
    Migrator({createA(), addColumnB()}).migrate(connection);

    // 0002 arrived from a late branch after 0003 was released and applied.
    Migrator migrator({createA(), fillA(), addColumnB()});
    QCOMPARE(migrator.pending(connection).size(), 1);
    const QString message = migrationErrorOf([&] {
        migrator.migrate(connection);
    });
    QVERIFY2(message.contains(QStringLiteral("migration 0002_fill_a was never applied but is "
                                             "numbered below the database schema version 3")),
             qPrintable(message));
    QCOMPARE(appliedCount(db), 2);
    QCOMPARE(db.scalar("SELECT count(*) FROM a"), "0");
    QCOMPARE(advisoryLockCount(db), 0);
}

void TestMigrator::verifyRefusesPendingMigrations()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    pqxx::connection connection(db.url());
    Migrator({createA()}).migrate(connection);

    Migrator migrator({createA(), fillA(), addColumnB()});
    const QString message = migrationErrorOf([&] {
        migrator.verify(connection);
    });
    QVERIFY2(message.contains(QStringLiteral("database schema version 1 is older than this build "
                                             "(3); pending: 0002_fill_a, 0003_add_column_b")),
             qPrintable(message));
    QCOMPARE(appliedCount(db), 1);

    migrator.migrate(connection);
    migrator.verify(connection);
}

void TestMigrator::concurrentMigratorsApplyEachMigrationOnce()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    // 0002 runs long enough that all workers ask for the lock while it is held; each CREATE
    // TABLE (including schema_migrations itself) fails with "already exists" when run twice.
    const QList<Migration> migrations = {
        createA(),
        migration("0002_slow.sql", "SELECT pg_sleep(0.3); CREATE TABLE slow (id integer);"),
        migration("0003_create_c.sql", "CREATE TABLE c (id integer);")};
    constexpr int workers = 4;

    std::vector<std::unique_ptr<pqxx::connection>> connections;
    connections.reserve(workers);
    for (int i = 0; i < workers; ++i)
        connections.push_back(std::make_unique<pqxx::connection>(db.url()));

    std::latch start(workers);
    std::mutex mutex;
    QStringList applied;
    QStringList errors;
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (int i = 0; i < workers; ++i) {
        threads.emplace_back([&, i] {
            Migrator migrator(migrations);
            start.arrive_and_wait();
            try {
                const Migrator::Report report = migrator.migrate(*connections.at(i));
                const std::lock_guard guard(mutex);
                applied.append(report.applied);
            } catch (const std::exception &error) {
                const std::lock_guard guard(mutex);
                errors.append(QString::fromStdString(error.what()));
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();

    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    applied.sort();
    QCOMPARE(applied,
             QStringList({QStringLiteral("0001_create_a"), QStringLiteral("0002_slow"),
                          QStringLiteral("0003_create_c")}));
    QCOMPARE(db.scalar("SELECT string_agg(version::text, ',' ORDER BY version) "
                       "FROM schema_migrations"),
             "1,2,3");
    QCOMPARE(advisoryLockCount(db), 0);
}

void TestMigrator::sessionTimeoutsDoNotAbortMigrations()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    // hms-server connections carry short statement and lock timeouts; a migration that runs
    // longer, and a second migrator that waits longer for the lock, must still succeed.
    const std::string url =
        withOptions(db.url(), "-c%20statement_timeout%3D100%20-c%20lock_timeout%3D100");
    const QList<Migration> migrations = {
        createA(), migration("0002_slow.sql", "SELECT pg_sleep(0.5); CREATE TABLE slow (id int);")};

    pqxx::connection first(url);
    pqxx::connection second(url);
    {
        pqxx::nontransaction tx(first);
        QCOMPARE(tx.exec1("SHOW statement_timeout")[0].as<std::string>(), std::string("100ms"));
        QVERIFY_THROWS_EXCEPTION(pqxx::sql_error, tx.exec("SELECT pg_sleep(0.5)"));
    }

    std::latch start(2);
    QString secondError;
    QStringList secondApplied;
    std::thread other([&] {
        start.arrive_and_wait();
        try {
            secondApplied = Migrator(migrations).migrate(second).applied;
        } catch (const std::exception &error) {
            secondError = QString::fromStdString(error.what());
        }
    });
    start.arrive_and_wait();
    QString firstError;
    QStringList firstApplied;
    try {
        firstApplied = Migrator(migrations).migrate(first).applied;
    } catch (const std::exception &error) {
        firstError = QString::fromStdString(error.what());
    }
    other.join();
    QVERIFY2(firstError.isEmpty(), qPrintable(firstError));
    QVERIFY2(secondError.isEmpty(), qPrintable(secondError));
    QCOMPARE(firstApplied.size() + secondApplied.size(), 2);
    QVERIFY(relationExists(db, "slow"));
    QCOMPARE(appliedCount(db), 2);
}

// 0013 moves MRN numbers from the per-hospital mrn_counters rows to one sequence: numbers the
// counters handed out in any hospital and year must never come again.
void TestMigrator::mrnNumbersStartAboveTheRetiredCounters()
{
    TestDatabase db(QStringLiteral("migrator"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    pqxx::connection connection(db.url());
    const QList<Migration> all = Migrator::embedded();
    QList<Migration> before;
    for (const Migration &migration : all) {
        if (migration.version < 13)
            before.append(migration);
    }
    QCOMPARE(Migrator(before).migrate(connection).schemaVersion, 12);
    db.exec("INSERT INTO hospitals (code, name) VALUES ('ha', 'A'), ('hb', 'B')");
    // "next" is the next number to hand out: 41 means 1..40 were used in hb's 2025.
    db.exec("INSERT INTO mrn_counters (hospital_id, year, next) SELECT id, 2025, "
            "CASE code WHEN 'ha' THEN 7 ELSE 41 END FROM hospitals");
    db.exec("INSERT INTO mrn_counters (hospital_id, year, next) SELECT id, 2026, 3 "
            "FROM hospitals WHERE code = 'ha'");
    QCOMPARE(Migrator(all).migrate(connection).schemaVersion, int(all.size()));
    QVERIFY(std::stoll(db.scalar("SELECT nextval('patient_mrn_numbers')")) > 40);

    // A database without any counter starts at 1.
    TestDatabase fresh(QStringLiteral("migrator"));
    pqxx::connection freshConnection(fresh.url());
    Migrator(all).migrate(freshConnection);
    QCOMPARE(fresh.scalar("SELECT nextval('patient_mrn_numbers')"), std::string("1"));
}

QTEST_GUILESS_MAIN(TestMigrator)
#include "tst_migrator.moc"
