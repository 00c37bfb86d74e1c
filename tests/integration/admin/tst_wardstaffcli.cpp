// `hms-admin wards staff [set]` (the real binary): the same rules, audit row and live event as
// PUT /wards/{id}/staff, the console as the actor, and nothing outside the named hospital.
#include "shared/protocol/apipaths.h"
#include "support/serverfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>

using namespace hms;
using namespace hms::test;
using namespace Qt::StringLiterals;

namespace {

const QString Password = u"ward staff console 42"_s;

std::string n(qint64 value)
{
    return std::to_string(value);
}

} // namespace

class TestWardStaffCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void setListsAuditsAndTellsTheWard();
    void refusalsChangeNothing_data();
    void refusalsChangeNothing();
    void clearEmptiesTheWard();

private:
    AdminRun admin(const QStringList &arguments)
    {
        return runAdmin(m_fixture->superuserUrl(), arguments);
    }

    qint64 count(const std::string &sql) const { return m_fixture->count(sql); }

    std::unique_ptr<ServerFixture> m_fixture;
    QByteArray m_adminToken;
    qint64 m_ward = 0;
    qint64 m_nurse = 0;
    qint64 m_doctor = 0;
};

void TestWardStaffCli::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>(u"wardstaffcli"_s);
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    const qint64 alpha = m_fixture->createHospital(u"alpha"_s, u"Alpha"_s);
    const qint64 beta = m_fixture->createHospital(u"beta"_s, u"Beta"_s);
    m_nurse = m_fixture->createUser(u"alpha"_s, u"alpha.nurse"_s, Role::Nurse, Password);
    m_doctor = m_fixture->createUser(u"alpha"_s, u"alpha.doc"_s, Role::Doctor, Password);
    QVERIFY(m_fixture->createUser(u"alpha"_s, u"alpha.desk"_s, Role::Reception, Password) > 0);
    QVERIFY(m_fixture->createUser(u"alpha"_s, u"alpha.admin"_s, Role::Admin, Password) > 0);
    QVERIFY(m_fixture->createUser(u"beta"_s, u"beta.nurse"_s, Role::Nurse, Password) > 0);
    QVERIFY(alpha > 0 && beta > 0 && m_nurse > 0 && m_doctor > 0);
    m_adminToken = accessTokenOf(m_fixture->login(u"alpha"_s, u"alpha.admin"_s, Password));
    QVERIFY(!m_adminToken.isEmpty());
    // The same ward code in both hospitals: the console must pick alpha's.
    m_fixture->database().exec("INSERT INTO wards (hospital_id, code, name, kind) VALUES ("
                               + n(beta) + ", 'W1', 'Beta ward', 'general'), (" + n(alpha)
                               + ", 'W1', 'Alpha ward', 'general')");
    m_ward = std::stoll(m_fixture->database().scalar(
        "SELECT id FROM wards WHERE code = 'W1' AND hospital_id = " + n(alpha)));
}

void TestWardStaffCli::cleanupTestCase()
{
    m_fixture.reset();
}

void TestWardStaffCli::setListsAuditsAndTellsTheWard()
{
    const AdminRun set =
        admin({u"wards"_s, u"staff"_s, u"set"_s, u"--hospital"_s, u"alpha"_s, u"--ward"_s, u"W1"_s,
               u"--nurse"_s, u"alpha.nurse"_s, u"--supervisor"_s, u"alpha.doc"_s});
    QVERIFY2(set.exitCode == 0, set.err.constData());
    QVERIFY(set.out.contains("alpha.nurse") && set.out.contains("alpha.doc"));
    QCOMPARE(count("SELECT count(*) FROM ward_staff WHERE ward_id = " + n(m_ward)
                   + " AND created_by IS NULL AND ((user_id = " + n(m_nurse)
                   + " AND duty = 'nurse') OR (user_id = " + n(m_doctor)
                   + " AND duty = 'supervisor'))"),
             2);
    QCOMPARE(count("SELECT count(*) FROM ward_staff"), 2);
    // Audited like the REST PUT, with the console as the actor and ids only.
    QCOMPARE(count("SELECT count(*) FROM audit_log WHERE action = 'ward.staff.set' AND entity = "
                   "'ward' AND entity_id = '"
                   + n(m_ward)
                   + "' AND actor_role = 'console' AND actor_user_id IS NULL "
                     "AND details->'nurses' = '[\""
                   + n(m_nurse) + "\"]'::jsonb AND details->'supervisors' = '[\"" + n(m_doctor)
                   + "\"]'::jsonb"),
             1);
    QCOMPARE(count("SELECT count(*) FROM events WHERE topic = 'beds:" + n(m_ward)
                   + "' AND type = 'ward.staff_changed'"),
             1);

    // The REST view and the console list agree.
    const RawResponse rest =
        m_fixture->request("GET", withId(api::WardStaff, QString::number(m_ward)), m_adminToken);
    QCOMPARE(rest.status, 200);
    QCOMPARE(rest.json().value(u"nurses"_s).toArray().first().toObject().value(u"userId"_s),
             QJsonValue(QString::number(m_nurse)));
    const AdminRun list = admin(
        {u"wards"_s, u"staff"_s, u"--hospital"_s, u"alpha"_s, u"--ward"_s, u"W1"_s, u"--json"_s});
    QVERIFY2(list.exitCode == 0, list.err.constData());
    const QJsonArray rows = QJsonDocument::fromJson(list.out).array();
    QCOMPARE(rows.size(), 2);
    QSet<QString> seen;
    for (const QJsonValue &row : rows)
        seen.insert(row.toObject().value(u"duty"_s).toString() + u':'
                    + row.toObject().value(u"username"_s).toString());
    QCOMPARE(seen, (QSet<QString>{u"nurse:alpha.nurse"_s, u"supervisor:alpha.doc"_s}));
    // The list is a read: no audit row, no event.
    QCOMPARE(count("SELECT count(*) FROM audit_log WHERE action = 'ward.staff.set'"), 1);
}

void TestWardStaffCli::refusalsChangeNothing_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    const QStringList base{u"wards"_s, u"staff"_s,  u"set"_s, u"--hospital"_s,
                           u"alpha"_s, u"--ward"_s, u"W1"_s};
    QTest::newRow("doctor as nurse") << base + QStringList{u"--nurse"_s, u"alpha.doc"_s} << 1
                                     << u"alpha.doc is not an enabled nurse of this hospital"_s;
    QTest::newRow("reception as supervisor")
        << base + QStringList{u"--nurse"_s, u"alpha.nurse"_s, u"--supervisor"_s, u"alpha.desk"_s}
        << 1 << u"alpha.desk is not an enabled nurse or doctor"_s;
    QTest::newRow("admin as nurse (comma list)")
        << base + QStringList{u"--nurse"_s, u"alpha.nurse,alpha.admin"_s} << 1
        << u"alpha.admin is not an enabled nurse"_s;
    QTest::newRow("another hospital's nurse") << base + QStringList{u"--nurse"_s, u"beta.nurse"_s}
                                              << 1 << u"no user beta.nurse in this hospital"_s;
    QTest::newRow("unknown ward") << QStringList{u"wards"_s,      u"staff"_s,   u"set"_s,
                                                 u"--hospital"_s, u"alpha"_s,   u"--ward"_s,
                                                 u"W9"_s,         u"--nurse"_s, u"alpha.nurse"_s}
                                  << 1 << u"no ward with code W9"_s;
    QTest::newRow("unknown hospital")
        << QStringList{u"wards"_s, u"staff"_s, u"--hospital"_s, u"gamma"_s, u"--ward"_s, u"W1"_s}
        << 1 << u"no hospital with code gamma"_s;
    QTest::newRow("nobody named") << base << 2 << u"--clear"_s;
    QTest::newRow("no ward") << QStringList{u"wards"_s, u"staff"_s, u"--hospital"_s, u"alpha"_s}
                             << 2 << u"ward"_s;
}

// A refused change leaves the list, the audit log and the event log as they were.
void TestWardStaffCli::refusalsChangeNothing()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const std::string staff = "SELECT count(*) + coalesce(sum(user_id * (CASE duty WHEN 'nurse' "
                              "THEN 1 ELSE 3 END)), 0) FROM ward_staff";
    const qint64 before = count(staff);
    const qint64 audits = count("SELECT count(*) FROM audit_log");
    const qint64 events = count("SELECT count(*) FROM events");
    const AdminRun run = admin(arguments);
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY2(QString::fromUtf8(run.err).contains(message), run.err.constData());
    QCOMPARE(count(staff), before);
    QCOMPARE(count("SELECT count(*) FROM audit_log"), audits);
    QCOMPARE(count("SELECT count(*) FROM events"), events);
}

void TestWardStaffCli::clearEmptiesTheWard()
{
    const AdminRun run = admin({u"wards"_s, u"staff"_s, u"set"_s, u"--hospital"_s, u"alpha"_s,
                                u"--ward"_s, u"W1"_s, u"--clear"_s});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(count("SELECT count(*) FROM ward_staff"), 0);
    QCOMPARE(count("SELECT count(*) FROM audit_log WHERE action = 'ward.staff.set' AND "
                   "details->'nurses' = '[]'::jsonb"),
             1);
}

QTEST_GUILESS_MAIN(TestWardStaffCli)
#include "tst_wardstaffcli.moc"
