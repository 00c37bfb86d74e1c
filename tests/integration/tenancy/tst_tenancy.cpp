// Tenant isolation underneath the code (SECURITY.md T4, T5): row-level security as the
// application's database role, the catalog facts it rests on, the transaction-local tenant
// setting on pooled connections, and the append-only audit table.
#include "billing/accountrepository.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "documents/pgdocumentstore.h"
#include "ipd/ipdrepository.h"
#include "live/eventlog.h"
#include "medications/medicationrepository.h"
#include "notifications/notificationrepository.h"
#include "opd/appointmentrepository.h"
#include "opd/opdrepository.h"
#include "shared/protocol/apipaths.h"
#include "support/serverfixture.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTest>

#include <pqxx/pqxx>

#include <map>
#include <optional>
#include <stdexcept>

using namespace hms;
using namespace hms::server;
using namespace hms::test;

namespace {

const QString Password = QStringLiteral("Ward-7 night kettle");

/// A connection that is what the server's pool connections are: the test superuser after
/// SET ROLE hms_app.
std::unique_ptr<pqxx::connection> appConnection(const std::string &url)
{
    auto connection = std::make_unique<pqxx::connection>(url);
    pqxx::nontransaction tx(*connection);
    tx.exec0("SET ROLE " + std::string(ApplicationDbRole));
    return connection;
}

struct SqlFailure
{
    bool thrown = false;
    std::string sqlstate;
    std::string message;
};

/// Runs \a body in its own transaction on \a connection; what it threw, if anything.
/// libpqxx 6.4.5 throws insufficient_privilege for SQLSTATE 42501 but leaves sqlstate()
/// empty, so the type stands in for the code.
template<typename Body>
SqlFailure failureOf(pqxx::connection_base &connection, Body &&body)
{
    try {
        pqxx::work tx(connection);
        body(tx);
        tx.commit();
    } catch (const pqxx::insufficient_privilege &error) {
        return {true, error.sqlstate().empty() ? std::string("42501") : error.sqlstate(),
                error.what()};
    } catch (const pqxx::sql_error &error) {
        return {true, error.sqlstate(), error.what()};
    }
    return {};
}

std::string tenantSetting(pqxx::transaction_base &tx)
{
    const pqxx::row row = tx.exec1("SELECT current_setting('app.hospital_id', true)");
    return row[0].is_null() ? std::string() : row[0].as<std::string>();
}

} // namespace

class TestTenancy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void appRoleSeesOnlyItsTenant();
    void appRoleSeesNothingWithoutTenant_data();
    void appRoleSeesNothingWithoutTenant();
    void appRoleCannotWriteForAnotherTenant();
    void catalogForcesRowLevelSecurity();
    void searchFunctionsStayInTheTenant();
    void securityDefinerFunctionsPinTheirSearchPath();
    void appRoleIsNotPrivileged();
    void tenantSettingEndsWithTheTransaction();
    void onePooledConnectionNeverMixesTenants();
    void auditLogIsAppendOnly();

private:
    std::vector<std::string> tenantTables();
    qint64 superuserCount(const std::string &table, qint64 hospitalId);

    QTemporaryDir m_keyDir;
    std::unique_ptr<ServerFixture> m_fixture;
    qint64 m_alpha = 0;
    qint64 m_beta = 0;
    qint64 m_alphaNurse = 0;
    qint64 m_betaNurse = 0;
    qint64 m_alphaOnlyUser = 0;
};

void TestTenancy::initTestCase()
{
    QLoggingCategory::setFilterRules(QStringLiteral("hms.server.access.info=false"));
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("tenancy"));
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());

    // One pool connection serves every request; test routes read its state between requests.
    auto routes = [](Router &router) {
        router.add({"GET", QStringLiteral("/test/tenant-setting"), RouteAccess::publicRoute(),
                    [](RequestContext &context) {
                        pqxx::work tx(context.db.connection());
                        const QString setting = QString::fromStdString(tenantSetting(tx));
                        const QString role =
                            QString::fromStdString(tx.exec1("SELECT current_user")[0].c_str());
                        tx.commit();
                        return HttpResponse::json(
                            200,
                            {{QStringLiteral("setting"), setting}, {QStringLiteral("role"), role}});
                    }});
        router.add({"GET", QStringLiteral("/test/fail-in-tenant/{id}"), RouteAccess::publicRoute(),
                    [](RequestContext &context) -> HttpResponse {
                        pqxx::work tx(context.db.connection());
                        enterTenant(tx, context.pathParam(QStringLiteral("id")).toLongLong());
                        tx.exec1("SELECT count(*) FROM users");
                        throw std::runtime_error("injected failure inside a tenant transaction");
                    }});
    };
    QVERIFY2(m_fixture->start(
                 [](ServerConfig &config) {
                     config.dbPoolSize = 1;
                 },
                 routes),
             qPrintable(m_fixture->errorString()));

    m_alpha = m_fixture->createHospital(QStringLiteral("alpha"), QStringLiteral("Alpha General"));
    m_beta = m_fixture->createHospital(QStringLiteral("beta"), QStringLiteral("Beta Clinic"));
    QVERIFY(m_alpha > 0 && m_beta > 0);
    // Different amounts per hospital, and the same user name in both.
    m_alphaNurse = m_fixture->createUser(QStringLiteral("alpha"), QStringLiteral("nurse"),
                                         Role::Nurse, Password);
    m_alphaOnlyUser = m_fixture->createUser(QStringLiteral("alpha"), QStringLiteral("alpha.doc"),
                                            Role::Doctor, Password);
    m_betaNurse = m_fixture->createUser(QStringLiteral("beta"), QStringLiteral("nurse"),
                                        Role::Nurse, Password);
    QVERIFY(m_fixture->createUser(QStringLiteral("beta"), QStringLiteral("beta.doc"), Role::Doctor,
                                  Password)
            > 0);
    QVERIFY(m_fixture->createUser(QStringLiteral("beta"), QStringLiteral("beta.desk"),
                                  Role::Reception, Password)
            > 0);
    QVERIFY(m_alphaNurse > 0 && m_alphaOnlyUser > 0 && m_betaNurse > 0);
    // Sessions, refresh tokens and audit rows in both.
    QVERIFY(
        !m_fixture->login(QStringLiteral("alpha"), QStringLiteral("nurse"), Password).isEmpty());
    const QJsonObject beta =
        m_fixture->login(QStringLiteral("beta"), QStringLiteral("nurse"), Password);
    QVERIFY(!beta.isEmpty());
    QVERIFY(
        !m_fixture->login(QStringLiteral("beta"), QStringLiteral("beta.doc"), Password).isEmpty());
    QCOMPARE(
        m_fixture->request("POST", api::AuthRefresh, {}, refreshBody(refreshTokenOf(beta))).status,
        200);
    // Patients, MRN counters and idempotency keys (0003) in both hospitals, more in alpha.
    const QByteArray alphaDoc = accessTokenOf(
        m_fixture->login(QStringLiteral("alpha"), QStringLiteral("alpha.doc"), Password));
    const QByteArray betaDesk = accessTokenOf(
        m_fixture->login(QStringLiteral("beta"), QStringLiteral("beta.desk"), Password));
    const auto registerPatient = [this](const QByteArray &token, int n) {
        QByteArray request = ServerFixture::httpRequest(
            "POST", api::Patients, token,
            QByteArray(R"({"fullName":"Tenancy Probe","sex":"U","birthDate":"1980-01-1)")
                + QByteArray::number(n) + R"(","phone":"+1555000000)" + QByteArray::number(n)
                + "\"}");
        request.insert(request.indexOf("\r\n") + 2,
                       QByteArray("Idempotency-Key: tenancy-" + QByteArray::number(n) + "\r\n"));
        return RawHttpClient::roundTrip(m_fixture->port(), request, 15'000)
            .value_or(RawResponse())
            .status;
    };
    QCOMPARE(registerPatient(alphaDoc, 1), 201);
    QCOMPARE(registerPatient(alphaDoc, 2), 201);
    QCOMPARE(registerPatient(betaDesk, 3), 201);
    // MRN counters (0003, retired by 0013's sequence but kept): seeded directly.
    m_fixture->database().exec("INSERT INTO mrn_counters (hospital_id, year, next) VALUES ("
                               + std::to_string(m_alpha) + ", 2020, 5), (" + std::to_string(m_alpha)
                               + ", 2021, 3), (" + std::to_string(m_beta) + ", 2020, 2)");
    // Live events and their counters (0005): two in alpha, one in beta.
    {
        pqxx::connection connection(m_fixture->superuserUrl());
        for (const qint64 hospital : {m_alpha, m_alpha, m_beta}) {
            pqxx::work tx(connection);
            enterTenant(tx, hospital);
            EventLog::append(tx, hospital, QStringLiteral("beds"), QStringLiteral("probe"), {});
            tx.commit();
        }
    }
    // Clinical documents and their versions (0007): two in alpha, one in beta.
    {
        pqxx::connection connection(m_fixture->superuserUrl());
        PgDocumentStore store;
        for (const auto &[hospital, author] :
             {std::pair(m_alpha, m_alphaNurse), std::pair(m_alpha, m_alphaNurse),
              std::pair(m_beta, m_betaNurse)}) {
            pqxx::work tx(connection);
            enterTenant(tx, hospital);
            const qint64 patient =
                tx.exec_params1("SELECT min(id) FROM patients WHERE hospital_id = $1", hospital)[0]
                    .as<qint64>();
            PgDocumentUnitOfWork unit(tx, hospital);
            store.append(
                unit,
                NewDocument{patient, QStringLiteral("nursing_note"),
                            QJsonObject{{QStringLiteral("text"), QStringLiteral("tenancy probe")}},
                            author});
            tx.commit();
        }
    }
    // OPD departments, their doctors, visits and token counters (0006): two in alpha, one
    // in beta.
    {
        pqxx::connection connection(m_fixture->superuserUrl());
        int seeded = 0;
        for (const auto &[hospital, code] :
             {std::pair(m_alpha, "gen"), std::pair(m_alpha, "ent"), std::pair(m_beta, "gen")}) {
            pqxx::work tx(connection);
            enterTenant(tx, hospital);
            const qint64 doctor =
                tx.exec_params1(
                      "SELECT min(id) FROM users WHERE hospital_id = $1 AND role = 'doctor'",
                      hospital)[0]
                    .as<qint64>();
            const qint64 patient =
                tx.exec_params1("SELECT min(id) FROM patients WHERE hospital_id = $1", hospital)[0]
                    .as<qint64>();
            const std::optional<DepartmentRow> department = OpdRepository::insertDepartment(
                tx, hospital, QString::fromLatin1(code), QStringLiteral("Tenancy probe"), doctor);
            QVERIFY(department);
            QVERIFY(OpdRepository::addDoctor(tx, hospital, department->id, doctor));
            const QString date = OpdRepository::today(tx, hospital);
            const int token = OpdRepository::nextToken(tx, hospital, department->id, date);
            OpdRepository::insertVisit(tx, hospital, department->id, patient, date, token, doctor);
            // Schedules, off days and appointments (0008); one hour apart per department so
            // the doctor's appointments never overlap.
            ++seeded;
            AppointmentRepository::insertSchedule(tx, hospital, department->id, doctor, 1,
                                                  QStringLiteral("09:00"), QStringLiteral("12:00"),
                                                  15, doctor);
            QVERIFY(AppointmentRepository::insertOffDay(tx, hospital, doctor,
                                                        QStringLiteral("2030-01-0%1").arg(seeded),
                                                        std::nullopt, doctor));
            const SlotRow slot{doctor, QStringLiteral("2030-02-01T0%1:00:00Z").arg(seeded),
                               QStringLiteral("2030-02-01T0%1:30:00Z").arg(seeded)};
            AppointmentRepository::insertAppointment(tx, hospital, department->id, doctor, patient,
                                                     slot, std::nullopt, doctor);
            tx.commit();
        }
    }
    // IPD wards, rooms, beds, admissions and bed transfers (0008) and notifications (0010):
    // two in alpha, one in beta.
    {
        pqxx::connection connection(m_fixture->superuserUrl());
        int alphaPatient = 0;
        for (const auto &[hospital, code] :
             {std::pair(m_alpha, "w1"), std::pair(m_alpha, "w2"), std::pair(m_beta, "w1")}) {
            pqxx::work tx(connection);
            enterTenant(tx, hospital);
            const qint64 user =
                tx.exec_params1("SELECT min(id) FROM users WHERE hospital_id = $1", hospital)[0]
                    .as<qint64>();
            const qint64 patient =
                tx.exec_params1("SELECT id FROM patients WHERE hospital_id = $1 ORDER BY id "
                                "OFFSET $2 LIMIT 1",
                                hospital, hospital == m_alpha ? alphaPatient++ : 0)[0]
                    .as<qint64>();
            const std::optional<WardRow> ward = IpdRepository::insertWard(
                tx, hospital, QString::fromLatin1(code), QStringLiteral("Tenancy probe"),
                QStringLiteral("general"), user);
            QVERIFY(ward);
            const qint64 room =
                IpdRepository::roomFor(tx, hospital, ward->id, QStringLiteral("R1"));
            const std::optional<BedRow> first =
                IpdRepository::insertBed(tx, hospital, ward->id, room, QStringLiteral("B1"),
                                         {QStringLiteral("oxygen")}, 100, user);
            const std::optional<BedRow> second = IpdRepository::insertBed(
                tx, hospital, ward->id, room, QStringLiteral("B2"), {}, 100, user);
            QVERIFY(first && second);
            NewAdmission admission;
            admission.patientId = patient;
            admission.bedId = first->id;
            admission.reason = QStringLiteral("Tenancy probe");
            const AdmissionRow admitted =
                IpdRepository::insertAdmission(tx, hospital, admission, user);
            IpdRepository::moveAdmission(tx, hospital, admitted, second->id, user);
            // A prescription and one administration record (0013).
            NewPrescription prescription;
            prescription.patientId = patient;
            prescription.admissionId = admitted.id;
            prescription.drug = QStringLiteral("Tenancy probe");
            prescription.dose = QStringLiteral("1 tab");
            prescription.route = QStringLiteral("oral");
            prescription.frequency = QStringLiteral("PRN");
            const PrescriptionRow prescribed =
                MedicationRepository::insertPrescription(tx, hospital, prescription, user);
            NewAdministration given;
            given.prescriptionId = prescribed.id;
            given.outcome = QStringLiteral("given");
            given.dose = QStringLiteral("1 tab");
            MedicationRepository::insertAdministration(tx, hospital, given, user);
            NotificationRepository::create(tx, hospital, user, QStringLiteral("tenancy.probe"),
                                           std::nullopt, QString(), std::nullopt, std::nullopt);
            // Ward staff, an inpatient account with its deposit and bed days (0014).
            tx.exec_params0("INSERT INTO ward_staff (hospital_id, ward_id, user_id, duty) "
                            "VALUES ($1, $2, $3, 'supervisor')",
                            hospital, ward->id, user);
            const AccountRow account =
                AccountRepository::open(tx, hospital, admitted.id, 500, std::nullopt).first;
            QCOMPARE(AccountRepository::chargeBedDays(tx, account, std::nullopt).inserted, 1);
            tx.commit();
        }
    }
    // Signed audit checkpoints (0004) in both hospitals.
    for (const QString &code : {QStringLiteral("alpha"), QStringLiteral("beta")}) {
        const AdminRun run =
            runAdmin(m_fixture->superuserUrl(),
                     {QStringLiteral("audit"), QStringLiteral("checkpoint"),
                      QStringLiteral("--hospital"), code, QStringLiteral("--key-file"),
                      m_keyDir.filePath(QStringLiteral("audit-signing.key"))});
        QVERIFY2(run.exitCode == 0, run.err.constData());
    }
}

void TestTenancy::cleanupTestCase()
{
    m_fixture.reset();
}

std::vector<std::string> TestTenancy::tenantTables()
{
    std::vector<std::string> tables;
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::read_transaction tx(connection);
    for (const pqxx::row &row :
         tx.exec("SELECT c.table_name FROM information_schema.columns c "
                 "JOIN information_schema.tables t USING (table_schema, table_name) "
                 "WHERE c.table_schema = 'public' AND c.column_name = 'hospital_id' "
                 "AND t.table_type = 'BASE TABLE' ORDER BY 1"))
        tables.push_back(row[0].as<std::string>());
    return tables;
}

qint64 TestTenancy::superuserCount(const std::string &table, qint64 hospitalId)
{
    return m_fixture->count("SELECT count(*) FROM \"" + table
                            + "\" WHERE hospital_id = " + std::to_string(hospitalId));
}

void TestTenancy::appRoleSeesOnlyItsTenant()
{
    const std::vector<std::string> tables = tenantTables();
    // Discovery works: at least the tables of migration 0002 are found.
    for (const char *known : {"audit_heads", "audit_log", "refresh_tokens", "sessions", "users"})
        QVERIFY2(std::find(tables.begin(), tables.end(), known) != tables.end(), known);

    auto connection = appConnection(m_fixture->superuserUrl());
    for (const qint64 hospital : {m_alpha, m_beta}) {
        for (const std::string &table : tables) {
            const qint64 own = superuserCount(table, hospital);
            const qint64 total = m_fixture->count("SELECT count(*) FROM \"" + table + "\"");
            // Rows of both hospitals exist, so seeing only one's is a real check.
            QVERIFY2(own > 0 && total > own, table.c_str());

            pqxx::work tx(*connection);
            enterTenant(tx, hospital);
            const pqxx::row row =
                tx.exec1("SELECT count(*), count(*) FILTER (WHERE hospital_id <> "
                         + std::to_string(hospital) + ") FROM " + tx.quote_name(table));
            tx.commit();
            QVERIFY2(row[0].as<qint64>() == own,
                     qPrintable(QStringLiteral("%1 as hospital %2: %3 rows, %4 expected")
                                    .arg(QString::fromStdString(table))
                                    .arg(hospital)
                                    .arg(row[0].as<qint64>())
                                    .arg(own)));
            QCOMPARE(row[1].as<qint64>(), 0);
        }
    }
}

void TestTenancy::appRoleSeesNothingWithoutTenant_data()
{
    QTest::addColumn<QString>("setup"); // SQL run first in the transaction
    QTest::addColumn<bool>("mayFail"); // an error is failing closed too
    QTest::newRow("never-set") << QString() << false;
    QTest::newRow("set-to-empty") << QStringLiteral(
        "SELECT set_config('app.hospital_id', '', true)")
                                  << false;
    QTest::newRow("set-to-garbage")
        << QStringLiteral("SELECT set_config('app.hospital_id', '1 OR true', true)") << true;
    QTest::newRow("set-to-unknown-hospital")
        << QStringLiteral("SELECT set_config('app.hospital_id', '987654', true)") << false;
}

void TestTenancy::appRoleSeesNothingWithoutTenant()
{
    QFETCH(QString, setup);
    QFETCH(bool, mayFail);
    auto connection = appConnection(m_fixture->superuserUrl());
    for (const std::string &table : tenantTables()) {
        try {
            pqxx::work tx(*connection);
            if (!setup.isEmpty())
                tx.exec(setup.toStdString());
            const qint64 rows =
                tx.exec1("SELECT count(*) FROM " + tx.quote_name(table))[0].as<qint64>();
            QVERIFY2(rows == 0, table.c_str());
        } catch (const pqxx::sql_error &error) {
            QVERIFY2(mayFail, error.what());
        }
    }
}

void TestTenancy::appRoleCannotWriteForAnotherTenant()
{
    auto connection = appConnection(m_fixture->superuserUrl());
    const std::string alpha = std::to_string(m_alpha);
    const std::string beta = std::to_string(m_beta);
    const qint64 usersBefore = m_fixture->count("SELECT count(*) FROM users");

    // INSERT a beta user while bound to alpha.
    SqlFailure failure = failureOf(*connection, [&](pqxx::work &tx) {
        enterTenant(tx, m_alpha);
        tx.exec0("INSERT INTO users (hospital_id, username, display_name, role, password_hash) "
                 "VALUES ("
                 + beta + ", 'intruder', 'Intruder', 'admin', 'x')");
    });
    QVERIFY(failure.thrown);
    QCOMPARE(QString::fromStdString(failure.sqlstate), QStringLiteral("42501"));
    QVERIFY2(failure.message.find("row-level security") != std::string::npos,
             failure.message.c_str());

    // Move an alpha user to beta.
    failure = failureOf(*connection, [&](pqxx::work &tx) {
        enterTenant(tx, m_alpha);
        tx.exec0("UPDATE users SET hospital_id = " + beta
                 + " WHERE id = " + std::to_string(m_alphaOnlyUser));
    });
    QVERIFY(failure.thrown);
    QCOMPARE(QString::fromStdString(failure.sqlstate), QStringLiteral("42501"));
    QVERIFY2(failure.message.find("row-level security") != std::string::npos,
             failure.message.c_str());

    // Beta's rows are invisible to an UPDATE bound to alpha.
    failure = failureOf(*connection, [&](pqxx::work &tx) {
        enterTenant(tx, m_alpha);
        const pqxx::result result =
            tx.exec("UPDATE users SET display_name = 'changed' WHERE hospital_id = " + beta);
        if (result.affected_rows() != 0)
            throw std::logic_error("beta rows were updated");
    });
    QVERIFY2(!failure.thrown, failure.message.c_str());

    // Without a tenant nothing can be inserted at all.
    failure = failureOf(*connection, [&](pqxx::work &tx) {
        tx.exec0("INSERT INTO users (hospital_id, username, display_name, role, password_hash) "
                 "VALUES ("
                 + alpha + ", 'nobody.set', 'Nobody', 'nurse', 'x')");
    });
    QVERIFY(failure.thrown);
    QCOMPARE(QString::fromStdString(failure.sqlstate), QStringLiteral("42501"));

    QCOMPARE(m_fixture->count("SELECT count(*) FROM users"), usersBefore);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM users WHERE display_name = 'changed'"), 0);
}

void TestTenancy::catalogForcesRowLevelSecurity()
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::read_transaction tx(connection);
    for (const std::string &table : tenantTables()) {
        const pqxx::row row =
            tx.exec_params1("SELECT c.relrowsecurity, c.relforcerowsecurity, "
                            "(SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) "
                            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE n.nspname = 'public' AND c.relname = $1",
                            table);
        QVERIFY2(row[0].as<bool>(), (table + ": row-level security is off").c_str());
        QVERIFY2(row[1].as<bool>(), (table + ": row-level security is not forced").c_str());
        QVERIFY2(row[2].as<int>() > 0, (table + ": no policy").c_str());
    }
    // Views run with the caller's rights, so they cannot bypass the policies (none yet).
    const pqxx::result views = tx.exec(
        "SELECT c.relname, coalesce(array_to_string(c.reloptions, ','), '') FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
        "AND c.relkind IN ('v', 'm')");
    for (const pqxx::row &view : views) {
        QVERIFY2(std::string(view[1].c_str()).find("security_invoker=true") != std::string::npos,
                 view[0].c_str());
    }
    qInfo("%zu tenant tables, %zu views checked", tenantTables().size(), size_t(views.size()));
}

// The patient search functions run as the table owner, past the tenant policy, so they
// must filter on the tenant themselves (0012_patient_search.sql). Both hospitals have
// "Tenancy Probe" patients; phones +1555000000N with N = 1, 2 in alpha and 3 in beta.
void TestTenancy::searchFunctionsStayInTheTenant()
{
    auto connection = appConnection(m_fixture->superuserUrl());
    const auto hits = [&](std::optional<qint64> hospital, const std::string &call) {
        pqxx::work tx(*connection);
        if (hospital)
            enterTenant(tx, *hospital);
        std::vector<qint64> owners;
        for (const pqxx::row &row :
             tx.exec("SELECT (SELECT hospital_id FROM patients WHERE id = s.hit_id) FROM " + call
                     + " s"))
            owners.push_back(row[0].is_null() ? -1 : row[0].as<qint64>());
        tx.commit();
        return owners;
    };
    const std::string byName = "patient_search_name('tenancy probe', NULL, 0, 100)";
    QCOMPARE(hits(m_alpha, byName), std::vector<qint64>({m_alpha, m_alpha}));
    QCOMPARE(hits(m_beta, byName), std::vector<qint64>({m_beta}));
    QVERIFY(hits(std::nullopt, byName).empty());
    const std::string betaPhone =
        "patient_search_phone('+15550000003', '15550000003', NULL, 0, 100)";
    QVERIFY(hits(m_alpha, betaPhone).empty());
    QCOMPARE(hits(m_beta, betaPhone), std::vector<qint64>({m_beta}));
    const std::string suffix = "patient_search_phone('0003', '0003', NULL, 0, 100)";
    QVERIFY(hits(m_alpha, suffix).empty());
    QCOMPARE(hits(m_beta, suffix), std::vector<qint64>({m_beta}));
    QVERIFY(hits(std::nullopt, suffix).empty());
}

// A SECURITY DEFINER function that resolved names through the caller's search_path could be
// made to run the caller's own objects with the owner's rights.
void TestTenancy::securityDefinerFunctionsPinTheirSearchPath()
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::read_transaction tx(connection);
    const pqxx::result functions = tx.exec(
        "SELECT n.nspname || '.' || p.proname, coalesce(array_to_string(p.proconfig, ','), '') "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')");
    QVERIFY(functions.size() >= 2); // at least the two patient searches
    for (const pqxx::row &function : functions) {
        QVERIFY2(std::string(function[1].c_str()).find("search_path=") != std::string::npos,
                 function[0].c_str());
    }
}

void TestTenancy::appRoleIsNotPrivileged()
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::read_transaction tx(connection);
    const pqxx::row role = tx.exec1(
        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolcanlogin FROM pg_roles "
        "WHERE rolname = 'hms_app'");
    QCOMPARE(role[0].as<bool>(), false);
    QCOMPARE(role[1].as<bool>(), false);
    QCOMPARE(role[2].as<bool>(), false);
    QCOMPARE(role[3].as<bool>(), false);
    QCOMPARE(role[4].as<bool>(), false);
    // Owns nothing (an owner is exempt from non-forced policies and may ALTER/DROP).
    QCOMPARE(tx.exec1("SELECT count(*) FROM pg_class WHERE relowner = 'hms_app'::regrole")[0]
                 .as<qint64>(),
             0);
    QCOMPARE(tx.exec1("SELECT count(*) FROM pg_proc WHERE proowner = 'hms_app'::regrole")[0]
                 .as<qint64>(),
             0);
    QCOMPARE(tx.exec1("SELECT count(*) FROM pg_namespace WHERE nspowner = 'hms_app'::regrole")[0]
                 .as<qint64>(),
             0);
    // And inherits no other role's rights.
    QCOMPARE(tx.exec1("SELECT count(*) FROM pg_auth_members WHERE member = 'hms_app'::regrole")[0]
                 .as<qint64>(),
             0);
    // The server's connections really run as it.
    const RawResponse state = m_fixture->request("GET", "/test/tenant-setting");
    QCOMPARE(state.status, 200);
    QCOMPARE(state.json().value(QStringLiteral("role")).toString(), QStringLiteral("hms_app"));
}

void TestTenancy::tenantSettingEndsWithTheTransaction()
{
    auto connection = appConnection(m_fixture->superuserUrl());
    {
        pqxx::work tx(*connection);
        enterTenant(tx, m_alpha);
        QCOMPARE(QString::fromStdString(tenantSetting(tx)), QString::number(m_alpha));
        QVERIFY(tx.exec1("SELECT count(*) FROM users")[0].as<qint64>() > 0);
        tx.commit();
    }
    {
        pqxx::work tx(*connection);
        QCOMPARE(QString::fromStdString(tenantSetting(tx)), QString());
        QCOMPARE(tx.exec1("SELECT count(*) FROM users")[0].as<qint64>(), 0);
        enterTenant(tx, m_beta);
        tx.abort(); // rolled back: the setting goes too
    }
    pqxx::nontransaction tx(*connection);
    QCOMPARE(QString::fromStdString(tenantSetting(tx)), QString());
    QCOMPARE(tx.exec1("SELECT count(*) FROM users")[0].as<qint64>(), 0);
    // The single-statement checks (0013) set the tenant for their own statement only.
    tx.exec_params("SELECT * FROM hms_session_principal($1, gen_random_uuid(), 0, 60)", m_alpha);
    tx.exec_params("SELECT * FROM hms_bed_board_version($1, true)", m_alpha);
    QCOMPARE(QString::fromStdString(tenantSetting(tx)), QString());
    QCOMPARE(tx.exec1("SELECT count(*) FROM users")[0].as<qint64>(), 0);
}

void TestTenancy::onePooledConnectionNeverMixesTenants()
{
    const QJsonObject alpha =
        m_fixture->login(QStringLiteral("alpha"), QStringLiteral("nurse"), Password);
    const QJsonObject beta =
        m_fixture->login(QStringLiteral("beta"), QStringLiteral("nurse"), Password);
    QVERIFY(!alpha.isEmpty() && !beta.isEmpty());

    struct Caller
    {
        QByteArray token;
        qint64 id;
        QString hospital;
        qint64 otherHospitalId;
    };

    const Caller callers[] = {
        {accessTokenOf(alpha), m_alphaNurse, QStringLiteral("alpha"), m_beta},
        {accessTokenOf(beta), m_betaNurse, QStringLiteral("beta"), m_alpha},
    };
    for (int i = 0; i < 200; ++i) {
        const Caller &caller = callers[i % 2];
        if (i % 10 == 5) {
            // A request that fails inside the other tenant's transaction on the same connection.
            const RawResponse failed = m_fixture->request(
                "GET", "/test/fail-in-tenant/" + QByteArray::number(caller.otherHospitalId));
            QCOMPARE(failed.status, 500);
            const RawResponse state = m_fixture->request("GET", "/test/tenant-setting");
            QCOMPARE(state.status, 200);
            QCOMPARE(state.json().value(QStringLiteral("setting")).toString(), QString());
        }
        const RawResponse response = m_fixture->request("GET", api::AuthMe, caller.token);
        QCOMPARE(response.status, 200);
        const QJsonObject user = response.json();
        QCOMPARE(user.value(QStringLiteral("id")).toString(), QString::number(caller.id));
        QCOMPARE(user.value(QStringLiteral("hospital")).toString(), caller.hospital);
        QCOMPARE(user.value(QStringLiteral("username")).toString(), QStringLiteral("nurse"));
    }
    // After all that the connection carries no tenant.
    const RawResponse state = m_fixture->request("GET", "/test/tenant-setting");
    QCOMPARE(state.json().value(QStringLiteral("setting")).toString(), QString());
}

void TestTenancy::auditLogIsAppendOnly()
{
    auto connection = appConnection(m_fixture->superuserUrl());
    const qint64 before = m_fixture->count("SELECT count(*) FROM audit_log");
    const std::string sum = m_fixture->database().scalar(
        "SELECT md5(string_agg(a::text, '|' ORDER BY hospital_id, seq)) FROM audit_log a");
    for (const char *statement : {"UPDATE audit_log SET action = 'tampered' WHERE seq = 1",
                                  "DELETE FROM audit_log WHERE seq = 1", "TRUNCATE audit_log"}) {
        const SqlFailure failure = failureOf(*connection, [&](pqxx::work &tx) {
            enterTenant(tx, m_alpha);
            tx.exec0(statement);
        });
        QVERIFY2(failure.thrown, statement);
        QCOMPARE(QString::fromStdString(failure.sqlstate), QStringLiteral("42501"));
        QVERIFY2(failure.message.find("permission denied") != std::string::npos,
                 failure.message.c_str());
    }
    // Not even the owner (here: the superuser) may, while the trigger is enabled.
    pqxx::connection owner(m_fixture->superuserUrl());
    for (const char *statement : {"UPDATE audit_log SET action = 'tampered' WHERE seq = 1",
                                  "DELETE FROM audit_log WHERE seq = 1", "TRUNCATE audit_log"}) {
        const SqlFailure failure = failureOf(owner, [&](pqxx::work &tx) {
            tx.exec0(statement);
        });
        QVERIFY2(failure.thrown, statement);
        QVERIFY2(failure.message.find("append-only") != std::string::npos, failure.message.c_str());
    }
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log"), before);
    QCOMPARE(
        QString::fromStdString(m_fixture->database().scalar(
            "SELECT md5(string_agg(a::text, '|' ORDER BY hospital_id, seq)) FROM audit_log a")),
        QString::fromStdString(sum));
}

QTEST_GUILESS_MAIN(TestTenancy)
#include "tst_tenancy.moc"
