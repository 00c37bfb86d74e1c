// SECURITY.md T3: what a role may not do to itself or smuggle in through a body.
// - A nurse cannot change their own role (or anybody's): 403, the role in the database stays.
// - Reception cannot set hospitalId, id, mrn, createdAt or createdBy on a registration: 422
//   naming each field, no patient written; the actor and the hospital come from the token.
// - Pharmacy reads a patient's demographics and allergies (dispensing needs them) but no
//   clinical document: the patient response carries only the register's fields, and the
//   clinical routes answer 403.

#include "shared/protocol/apipaths.h"
#include "support/serverfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>

#include <memory>

using namespace hms;
using namespace hms::test;
using namespace Qt::StringLiterals;

namespace {

const QString Password = u"role boundaries kettle 9"_s;

QByteArray userPath(qint64 id)
{
    return QByteArray(api::AdminUsers) + '/' + QByteArray::number(id);
}

} // namespace

class TestRoleBoundaries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void nurseCannotChangeRoles();
    void registrationRefusesForeignAndReadOnlyFields_data();
    void registrationRefusesForeignAndReadOnlyFields();
    void actorAndHospitalComeFromTheToken();
    void pharmacySeesDemographicsButNoClinicalRecord();

private:
    QByteArray
    tokenOf(const QString &hospital, const QString &user, Role role, qint64 *id = nullptr);
    std::string roleInDb(qint64 userId) const;

    std::unique_ptr<ServerFixture> m_fixture;
    qint64 m_alpha = 0;
    qint64 m_beta = 0;
    qint64 m_nurseId = 0;
    qint64 m_doctorId = 0;
    QByteArray m_nurse;
    QByteArray m_desk;
    QByteArray m_doctor;
    QByteArray m_pharmacy;
};

QByteArray
TestRoleBoundaries::tokenOf(const QString &hospital, const QString &user, Role role, qint64 *id)
{
    const qint64 created = m_fixture->createUser(hospital, user, role, Password);
    if (created <= 0)
        return {};
    if (id)
        *id = created;
    return accessTokenOf(m_fixture->login(hospital, user, Password));
}

std::string TestRoleBoundaries::roleInDb(qint64 userId) const
{
    return m_fixture->database().scalar("SELECT role FROM users WHERE id = "
                                        + std::to_string(userId));
}

void TestRoleBoundaries::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>(u"roles"_s);
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    m_alpha = m_fixture->createHospital(u"alpha"_s, u"Alpha"_s);
    m_beta = m_fixture->createHospital(u"beta"_s, u"Beta"_s);
    QVERIFY(m_alpha > 0 && m_beta > 0);
    m_nurse = tokenOf(u"alpha"_s, u"nurse"_s, Role::Nurse, &m_nurseId);
    m_doctor = tokenOf(u"alpha"_s, u"doc"_s, Role::Doctor, &m_doctorId);
    m_desk = tokenOf(u"alpha"_s, u"desk"_s, Role::Reception);
    m_pharmacy = tokenOf(u"alpha"_s, u"pharm"_s, Role::Pharmacy);
    QVERIFY(!m_nurse.isEmpty() && !m_doctor.isEmpty() && !m_desk.isEmpty()
            && !m_pharmacy.isEmpty());
}

void TestRoleBoundaries::nurseCannotChangeRoles()
{
    const qint64 writesBefore = m_fixture->count("SELECT count(*) FROM audit_log WHERE action "
                                                 "LIKE 'user.%' AND action <> 'user.login'");
    for (const qint64 target : {m_nurseId, m_doctorId}) {
        const RawResponse response =
            RawHttpClient::roundTrip(m_fixture->port(),
                                     requestWith("PATCH", userPath(target), m_nurse,
                                                 jsonBytes(QJsonObject{{u"role"_s, u"admin"_s}}),
                                                 "If-Match: \"1\"\r\n"),
                                     15'000)
                .value_or(RawResponse());
        QCOMPARE(response.status, 403);
        QCOMPARE(response.header("content-type"),
                 QByteArray("application/problem+json; charset=utf-8"));
    }
    QCOMPARE(roleInDb(m_nurseId), std::string("nurse"));
    QCOMPARE(roleInDb(m_doctorId), std::string("doctor"));
    // Nor through the other user routes.
    QCOMPARE(m_fixture->request("POST", userPath(m_doctorId) + "/disable", m_nurse).status, 403);
    QCOMPARE(m_fixture->request("GET", api::AdminUsers, m_nurse).status, 403);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM users WHERE disabled_at IS NOT NULL"), 0);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action LIKE 'user.%' AND "
                              "action <> 'user.login'"),
             writesBefore);
    // The nurse's next request still runs as a nurse.
    const RawResponse me = m_fixture->request("GET", api::AuthMe, m_nurse);
    QCOMPARE(me.status, 200);
    QCOMPARE(me.json().value(u"role"_s).toString(), u"nurse"_s);
}

void TestRoleBoundaries::registrationRefusesForeignAndReadOnlyFields_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QJsonValue>("value");
    QTest::newRow("hospitalId") << u"hospitalId"_s << QJsonValue(u"beta"_s);
    QTest::newRow("hospitalId-number") << u"hospitalId"_s << QJsonValue(2);
    QTest::newRow("id") << u"id"_s << QJsonValue(u"1"_s);
    QTest::newRow("mrn") << u"mrn"_s << QJsonValue(u"ALPH-2026-000001-7"_s);
    QTest::newRow("createdAt") << u"createdAt"_s << QJsonValue(u"2020-01-01T00:00:00Z"_s);
    QTest::newRow("createdBy") << u"createdBy"_s << QJsonValue(u"1"_s);
    QTest::newRow("version") << u"version"_s << QJsonValue(7);
}

void TestRoleBoundaries::registrationRefusesForeignAndReadOnlyFields()
{
    QFETCH(QString, field);
    QFETCH(QJsonValue, value);
    QJsonObject body{{u"fullName"_s, u"Smuggled Fields"_s},
                     {u"birthDate"_s, u"1970-05-05"_s},
                     {u"sex"_s, u"M"_s},
                     {u"phone"_s, u"+15550009001"_s}};
    body.insert(field, value);
    const qint64 patientsBefore = m_fixture->count("SELECT count(*) FROM patients");
    const RawResponse response =
        m_fixture->request("POST", api::Patients, m_desk, QJsonDocument(body).toJson());
    QCOMPARE(response.status, 422);
    QVERIFY2(problemFields(response.json()).contains(field), response.body.constData());
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients"), patientsBefore);
}

void TestRoleBoundaries::actorAndHospitalComeFromTheToken()
{
    // All five smuggled at once: every one is named, nothing written.
    const QJsonObject smuggled{{u"fullName"_s, u"All Smuggled"_s},
                               {u"birthDate"_s, u"1971-06-06"_s},
                               {u"sex"_s, u"F"_s},
                               {u"phone"_s, u"+15550009002"_s},
                               {u"hospitalId"_s, u"beta"_s},
                               {u"id"_s, u"99"_s},
                               {u"mrn"_s, u"BETA-2026-000001-1"_s},
                               {u"createdAt"_s, u"2001-01-01T00:00:00Z"_s},
                               {u"createdBy"_s, QString::number(m_doctorId)}};
    const RawResponse refused =
        m_fixture->request("POST", api::Patients, m_desk, QJsonDocument(smuggled).toJson());
    QCOMPARE(refused.status, 422);
    const QStringList named = problemFields(refused.json());
    for (const QString &field :
         {u"hospitalId"_s, u"id"_s, u"mrn"_s, u"createdAt"_s, u"createdBy"_s})
        QVERIFY2(named.contains(field), qPrintable(field));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients WHERE full_name = 'All Smuggled'"), 0);

    // Without them the patient lands in the caller's hospital, created by the caller.
    QJsonObject clean = smuggled;
    for (const QString &field :
         {u"hospitalId"_s, u"id"_s, u"mrn"_s, u"createdAt"_s, u"createdBy"_s})
        clean.remove(field);
    const RawResponse created =
        m_fixture->request("POST", api::Patients, m_desk, QJsonDocument(clean).toJson());
    QCOMPARE(created.status, 201);
    const std::string id = created.json().value(u"id"_s).toString().toStdString();
    QCOMPARE(m_fixture->database().scalar("SELECT hospital_id FROM patients WHERE id = " + id),
             std::to_string(m_alpha));
    QCOMPARE(m_fixture->database().scalar(
                 "SELECT u.username FROM patients p JOIN users u ON u.id = p.created_by "
                 "WHERE p.id = "
                 + id),
             std::string("desk"));
    QCOMPARE(m_fixture->database().scalar(
                 "SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.actor_user_id "
                 "WHERE a.action = 'patient.register' AND a.entity_id = '"
                 + id + "' AND u.username = 'desk' AND a.hospital_id = " + std::to_string(m_alpha)),
             std::string("1"));
}

void TestRoleBoundaries::pharmacySeesDemographicsButNoClinicalRecord()
{
    const QJsonObject body{{u"fullName"_s, u"Dispensing Check"_s},
                           {u"birthDate"_s, u"1960-02-02"_s},
                           {u"sex"_s, u"F"_s},
                           {u"phone"_s, u"+15550009003"_s},
                           {u"allergies"_s, QJsonArray{u"penicillin"_s}}};
    const RawResponse created =
        m_fixture->request("POST", api::Patients, m_desk, QJsonDocument(body).toJson());
    QCOMPARE(created.status, 201);
    const QByteArray id = created.json().value(u"id"_s).toString().toLatin1();
    const QByteArray patientPath = QByteArray(api::Patients) + '/' + id;

    // A doctor writes a consultation note with a diagnosis.
    const QJsonObject note{{u"kind"_s, u"consultation"_s},
                           {u"body"_s,
                            QJsonObject{{u"subjective"_s, u"cough"_s},
                                        {u"diagnoses"_s,
                                         QJsonArray{QJsonObject{{u"icd10"_s, u"J20.9"_s},
                                                                {u"text"_s, u"bronchitis"_s}}}}}}};
    const RawResponse written = m_fixture->request("POST", patientPath + "/documents", m_doctor,
                                                   QJsonDocument(note).toJson());
    QVERIFY2(written.status == 201, written.body.constData());

    const RawResponse read = m_fixture->request("GET", patientPath, m_pharmacy);
    QCOMPARE(read.status, 200);
    const QJsonObject patient = read.json();
    QCOMPARE(patient.value(u"allergies"_s).toArray(), QJsonArray{u"penicillin"_s});
    const QSet<QString> registerFields{u"id"_s,
                                       u"mrn"_s,
                                       u"fullName"_s,
                                       u"birthDate"_s,
                                       u"sex"_s,
                                       u"phone"_s,
                                       u"birthDateEstimated"_s,
                                       u"address"_s,
                                       u"emergencyContact"_s,
                                       u"nationalId"_s,
                                       u"allergies"_s,
                                       u"version"_s,
                                       u"createdAt"_s,
                                       u"updatedAt"_s};
    for (const QString &key : patient.keys())
        QVERIFY2(registerFields.contains(key), qPrintable(key));
    QVERIFY(!read.body.contains("bronchitis") && !read.body.contains("J20.9")
            && !read.body.contains("cough"));

    const RawResponse documents = m_fixture->request("GET", patientPath + "/documents", m_pharmacy);
    QCOMPARE(documents.status, 403);
    QVERIFY(!documents.body.contains("bronchitis"));
    // The doctor, for contrast, reads it.
    const RawResponse doctorView = m_fixture->request("GET", patientPath + "/documents", m_doctor);
    QCOMPARE(doctorView.status, 200);
    QVERIFY(doctorView.body.contains("bronchitis"));
}

QTEST_GUILESS_MAIN(TestRoleBoundaries)
#include "tst_roleboundaries.moc"
