// The database as a hospital installs it: owned by an ordinary role (no superuser, no
// BYPASSRLS; CREATEROLE so that migration 0002 can make hms_app), the migrations applied by
// that owner through the real hms-admin. Superusers skip row-level security entirely, so
// this is the only setup in which the owner-only policies of the migrations (patient_search,
// wf_engine) and the SECURITY DEFINER functions built on them really matter.

#include "support/serverfixture.h"
#include "support/testdatabase.h"

#include <QRandomGenerator>
#include <QtTest>

#include <pqxx/pqxx>

#include <memory>
#include <optional>

using namespace hms::test;

namespace {

// Patients of two hospitals; enough rows that the planner has a real choice.
constexpr int PatientsPerHospital = 3000;

std::string withUser(const std::string &url, const std::string &user)
{
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "user=" + user;
}

QString planOf(pqxx::transaction_base &tx, const std::string &query)
{
    QString plan;
    for (const pqxx::row &row : tx.exec("EXPLAIN " + query))
        plan += QString::fromUtf8(row[0].c_str()) + QLatin1Char('\n');
    return plan;
}

} // namespace

class TestOwnerRole : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void ownerIsNotPrivileged();
    void searchIndexesServeTheOwnerUnderRowLevelSecurity();
    void searchFunctionsAnswerPerTenant();

private:
    void enter(pqxx::transaction_base &tx, qint64 hospital);

    std::unique_ptr<TestDatabase> m_db;
    std::string m_owner;
    std::string m_ownerUrl;
    qint64 m_alpha = 0;
    qint64 m_beta = 0;
};

void TestOwnerRole::initTestCase()
{
    m_db = std::make_unique<TestDatabase>(QStringLiteral("owner"));
    if (!m_db->isValid())
        QSKIP(TestDatabase::skipReason());
    m_owner = "hms_owner_" + std::to_string(QRandomGenerator::global()->bounded(1u << 30));
    m_db->exec("CREATE ROLE " + m_owner + " LOGIN NOSUPERUSER NOBYPASSRLS CREATEROLE");
    m_db->exec("ALTER DATABASE " + m_db->name() + " OWNER TO " + m_owner);
    m_ownerUrl = withUser(m_db->url(), m_owner);

    const AdminRun migrate = runAdmin(m_ownerUrl, {QStringLiteral("migrate")});
    QVERIFY2(migrate.exitCode == 0, migrate.err.constData());
    for (const char *code : {"alpha", "beta"}) {
        const AdminRun add =
            runAdmin(m_ownerUrl,
                     {QStringLiteral("hospital"), QStringLiteral("add"), QStringLiteral("--code"),
                      QLatin1String(code), QStringLiteral("--name"), QLatin1String(code)});
        QVERIFY2(add.exitCode == 0, add.err.constData());
    }
    m_alpha = std::stoll(m_db->scalar("SELECT id FROM hospitals WHERE code = 'alpha'"));
    m_beta = std::stoll(m_db->scalar("SELECT id FROM hospitals WHERE code = 'beta'"));

    // Seeded as superuser (COPY and bulk inserts are refused under forced row-level
    // security): "Anna Garcia n" in both hospitals, phones +9198<hospital><n>.
    for (const qint64 hospital : {m_alpha, m_beta}) {
        m_db->exec("INSERT INTO patients (hospital_id, mrn, full_name, birth_date, sex, phone) "
                   "SELECT "
                   + std::to_string(hospital) + ", 'T" + std::to_string(hospital)
                   + "-2020-' || lpad(g::text, 7, '0') || '-0', 'Anna Garcia ' || g, "
                     "date '1950-01-01' + g, 'F', '+9198' || "
                   + std::to_string(hospital) + " || lpad(g::text, 6, '0') FROM generate_series(1, "
                   + std::to_string(PatientsPerHospital) + ") g");
    }
    m_db->exec("VACUUM ANALYZE patients, patient_search_names"); // as autovacuum would
}

void TestOwnerRole::cleanupTestCase()
{
    if (!m_db || !m_db->isValid())
        return;
    const std::string adminUrl = m_db->url();
    m_db.reset(); // drops the database the role owns
    if (!m_owner.empty()) {
        try {
            pqxx::connection connection(TestDatabase::urlFor(adminUrl, "postgres"));
            pqxx::nontransaction tx(connection);
            tx.exec0("DROP ROLE IF EXISTS " + m_owner);
        } catch (const std::exception &error) {
            qWarning("could not drop %s: %s", m_owner.c_str(), error.what());
        }
    }
}

void TestOwnerRole::enter(pqxx::transaction_base &tx, qint64 hospital)
{
    tx.exec_params("SELECT set_config('app.hospital_id', $1, true)", std::to_string(hospital));
}

void TestOwnerRole::ownerIsNotPrivileged()
{
    pqxx::connection connection(m_ownerUrl);
    pqxx::read_transaction tx(connection);
    const pqxx::row role =
        tx.exec1("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user");
    QCOMPARE(role[0].as<bool>(), false);
    QCOMPARE(role[1].as<bool>(), false);
    QCOMPARE(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>(),
             std::stoi(m_db->scalar("SELECT max(version) FROM schema_migrations")));
}

// LIKE and pg_trgm's operators are not leakproof, so under a tenant policy PostgreSQL will not
// put them into an index scan (hms_app: sequential scan even with sequential scans
// disallowed). The owner's own read policy (0012) is what lets the search functions use the
// trigram and reversed-phone indexes.
void TestOwnerRole::searchIndexesServeTheOwnerUnderRowLevelSecurity()
{
    // No hospital condition in the name query, so only the trigram index of the distinct
    // names (0022) can replace the sequential scan; the phone query's index leads with
    // hospital_id.
    const std::string byName =
        "SELECT search_name FROM patient_search_names WHERE search_name LIKE '%anna garcia 12%'";
    const std::string byPhone = "SELECT id FROM patients WHERE hospital_id = app_hospital_id() "
                                "AND reverse(phone) LIKE '4321%'";
    pqxx::connection connection(m_ownerUrl);
    {
        pqxx::work tx(connection);
        enter(tx, m_alpha);
        tx.exec0("SET LOCAL enable_seqscan = off");
        const QString name = planOf(tx, byName);
        QVERIFY2(name.contains(QLatin1String("patient_search_names_trgm_idx")), qPrintable(name));
        const QString phone = planOf(tx, byPhone);
        QVERIFY2(phone.contains(QLatin1String("patients_phone_reversed_idx")), qPrintable(phone));
    }
    {
        pqxx::work tx(connection);
        tx.exec0("SET LOCAL ROLE hms_app");
        enter(tx, m_alpha);
        tx.exec0("SET LOCAL enable_seqscan = off");
        const QString name = planOf(tx, byName);
        QVERIFY2(!name.contains(QLatin1String("patient_search_names_trgm_idx")), qPrintable(name));
    }
}

void TestOwnerRole::searchFunctionsAnswerPerTenant()
{
    pqxx::connection connection(m_ownerUrl);
    const auto owners = [&](std::optional<qint64> hospital, const std::string &call) {
        pqxx::work tx(connection);
        tx.exec0("SET LOCAL ROLE hms_app");
        if (hospital)
            enter(tx, *hospital);
        std::vector<qint64> found;
        for (const pqxx::row &row :
             tx.exec("SELECT p.hospital_id, p.full_name FROM " + call
                     + " s JOIN patients p ON p.id = s.hit_id ORDER BY s.hit_rank DESC, s.hit_id"))
            found.push_back(row[0].as<qint64>());
        // What the functions return that the caller's own policy hides.
        const qint64 hidden =
            tx.exec1("SELECT count(*) FROM " + call
                     + " s WHERE NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = s.hit_id)")[0]
                .as<qint64>();
        tx.commit();
        return std::make_pair(found, hidden);
    };
    const std::string byName = "patient_search_name('ANNA GARCÍA 1234', NULL, 0, 5)";
    const auto alpha = owners(m_alpha, byName);
    QCOMPARE(alpha.first.size(), size_t(5));
    QCOMPARE(alpha.second, qint64(0));
    for (const qint64 hospital : alpha.first)
        QCOMPARE(hospital, m_alpha);
    const auto beta = owners(m_beta, byName);
    QCOMPARE(beta.second, qint64(0));
    for (const qint64 hospital : beta.first)
        QCOMPARE(hospital, m_beta);
    QVERIFY(owners(std::nullopt, byName).first.empty());

    const std::string betaPhone =
        "patient_search_phone('+9198" + std::to_string(m_beta) + "001234', '001234', NULL, 0, 5)";
    QCOMPARE(owners(m_beta, betaPhone).first, std::vector<qint64>({m_beta}));
    const auto alphaPhone = owners(m_alpha, betaPhone);
    QCOMPARE(alphaPhone.second, qint64(0));
    QCOMPARE(alphaPhone.first, std::vector<qint64>({m_alpha})); // its own ...001234 suffix
}

QTEST_GUILESS_MAIN(TestOwnerRole)
#include "tst_ownerrole.moc"
