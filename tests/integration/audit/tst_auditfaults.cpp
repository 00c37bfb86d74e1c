// SECURITY.md L1: every PHI route, read or write, leaves exactly one complete audit row, and
// the audit row and the business change live or die together. Faults are injected in the
// database itself, underneath the server: a trigger that makes the audit insert fail, and a
// deferred constraint trigger that fails the transaction at COMMIT, after the audit insert.
#include "shared/protocol/apipaths.h"
#include "support/serverfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <pqxx/pqxx>

using namespace hms;
using namespace hms::test;
using namespace Qt::StringLiterals;

namespace {

const QString Password = u"audit faults horse 7"_s;

enum class Fault { None, AuditInsertFails, FailsAtCommit };

/// One PHI call: how to make it, the audit action it must leave, what it changes.
struct PhiCall
{
    QByteArray method;
    QByteArray path;
    QByteArray body;
    QString action;
    bool writes = false;
};

} // namespace

class TestAuditFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void auditAndChangeLiveOrDieTogether_data();
    void auditAndChangeLiveOrDieTogether();
    void deniedCallsAreAuditedAsDenied();

private:
    void inject(Fault fault, const QString &action);
    qint64 businessRows() const;
    qint64 auditRows(const QString &action, const QString &outcome = u"success"_s) const;

    QByteArray tokenOf(const QString &username) const { return m_tokens.value(username); }

    std::unique_ptr<ServerFixture> m_fixture;
    QHash<QString, QByteArray> m_tokens;
    QString m_patientId;
    QString m_documentId;
    QString m_departmentId;
    QString m_wardId;
    QString m_admissionId;
    int m_beds = 0;

    /// A free bed of the test ward and a new patient, as the admit rows need each time.
    QJsonObject freshAdmission();
};

void TestAuditFaults::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>(u"auditfaults"_s);
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    QVERIFY(m_fixture->createHospital(u"alpha"_s, u"Alpha"_s) > 0);
    const QList<QPair<QString, Role>> users = {{u"desk"_s, Role::Reception},
                                               {u"doc"_s, Role::Doctor},
                                               {u"boss"_s, Role::Admin},
                                               {u"lab"_s, Role::Lab}};
    for (const auto &[name, role] : users) {
        QVERIFY(m_fixture->createUser(u"alpha"_s, name, role, Password) > 0);
        m_tokens.insert(name, accessTokenOf(m_fixture->login(u"alpha"_s, name, Password)));
        QVERIFY(!m_tokens.value(name).isEmpty());
    }
    RawResponse response = m_fixture->request("POST", api::Patients, tokenOf(u"desk"_s),
                                              {{u"fullName"_s, u"Amara Okafor"_s},
                                               {u"birthDate"_s, u"1980-04-02"_s},
                                               {u"sex"_s, u"F"_s},
                                               {u"phone"_s, u"+2348011112222"_s}});
    QCOMPARE(response.status, 201);
    m_patientId = response.json().value(u"id"_s).toString();
    response = m_fixture->request(
        "POST", "/api/v1/patients/" + m_patientId.toUtf8() + "/documents", tokenOf(u"doc"_s),
        {{u"kind"_s, u"nursing_note"_s}, {u"body"_s, QJsonObject{{u"text"_s, u"Settled"_s}}}});
    QCOMPARE(response.status, 201);
    m_documentId = response.json().value(u"id"_s).toString();
    response = m_fixture->request("POST", api::Departments, tokenOf(u"boss"_s),
                                  {{u"code"_s, u"GEN"_s}, {u"name"_s, u"General"_s}});
    QCOMPARE(response.status, 201);
    m_departmentId = response.json().value(u"id"_s).toString();
    response = m_fixture->request(
        "POST", "/api/v1/wards", tokenOf(u"boss"_s),
        {{u"code"_s, u"W1"_s}, {u"name"_s, u"Ward one"_s}, {u"kind"_s, u"general"_s}});
    QCOMPARE(response.status, 201);
    m_wardId = response.json().value(u"id"_s).toString();
    response =
        m_fixture->request("POST", "/api/v1/admissions", tokenOf(u"desk"_s), freshAdmission());
    QCOMPARE(response.status, 201);
    m_admissionId = response.json().value(u"id"_s).toString();
}

QJsonObject TestAuditFaults::freshAdmission()
{
    ++m_beds;
    const RawResponse bed = m_fixture->request(
        "POST", "/api/v1/beds", tokenOf(u"boss"_s),
        {{u"wardId"_s, m_wardId}, {u"room"_s, u"R1"_s}, {u"code"_s, u"B%1"_s.arg(m_beds)}});
    const RawResponse patient =
        m_fixture->request("POST", api::Patients, tokenOf(u"desk"_s),
                           {{u"fullName"_s, u"Inpatient Number %1"_s.arg(m_beds)},
                            {u"birthDate"_s, u"1960-02-%1"_s.arg(10 + m_beds)},
                            {u"sex"_s, u"F"_s},
                            {u"phone"_s, u"+4470000000%1"_s.arg(10 + m_beds)}});
    if (bed.status != 201 || patient.status != 201)
        qWarning("setting up an admission failed: bed %d, patient %d", bed.status, patient.status);
    return {{u"patientId"_s, patient.json().value(u"id"_s).toString()},
            {u"bedId"_s, bed.json().value(u"id"_s).toString()},
            {u"reason"_s, u"Observation"_s}};
}

void TestAuditFaults::init()
{
    if (!m_fixture || !m_fixture->app())
        return;
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    tx.exec0("DROP TRIGGER IF EXISTS test_fault ON audit_log");
    tx.exec0("DROP FUNCTION IF EXISTS test_fault()");
    tx.commit();
}

// The fault as the database raises it: the statement that inserts the audit row fails, or
// the whole transaction fails at COMMIT after every statement (audit insert included) ran.
void TestAuditFaults::inject(Fault fault, const QString &action)
{
    if (fault == Fault::None)
        return;
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    tx.exec0("CREATE FUNCTION test_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
             "IF NEW.action = "
             + tx.quote(action.toStdString())
             + " THEN RAISE EXCEPTION 'injected audit fault'; END IF; RETURN NEW; END $$");
    if (fault == Fault::AuditInsertFails)
        tx.exec0("CREATE TRIGGER test_fault BEFORE INSERT ON audit_log "
                 "FOR EACH ROW EXECUTE FUNCTION test_fault()");
    else
        tx.exec0("CREATE CONSTRAINT TRIGGER test_fault AFTER INSERT ON audit_log "
                 "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fault()");
    tx.commit();
}

qint64 TestAuditFaults::businessRows() const
{
    return m_fixture->count(
        "SELECT (SELECT count(*) FROM patients) + "
        "(SELECT count(*) FROM visits) + (SELECT count(*) FROM clinical_documents) + "
        "(SELECT count(*) FROM admissions) + "
        "(SELECT coalesce(sum(version), 0) FROM patients) + "
        "(SELECT coalesce(sum(version), 0) FROM beds)");
}

qint64 TestAuditFaults::auditRows(const QString &action, const QString &outcome) const
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::read_transaction tx(connection);
    return tx
        .exec_params1("SELECT count(*) FROM audit_log WHERE action = $1 AND outcome = $2",
                      action.toStdString(), outcome.toStdString())[0]
        .as<qint64>();
}

void TestAuditFaults::auditAndChangeLiveOrDieTogether_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("action");
    QTest::addColumn<bool>("writes");
    QTest::addColumn<int>("fault");

    const QByteArray note =
        jsonBytes({{u"kind"_s, u"nursing_note"_s}, {u"body"_s, QJsonObject{{u"text"_s, u"Ok"_s}}}});

    const struct
    {
        const char *name;
        QString user;
        QByteArray method;
        QString path;
        QByteArray body;
        QString action;
        bool writes;
    } calls[] = {
        {"register", u"desk"_s, "POST", u"/api/v1/patients"_s, {}, u"patient.register"_s, true},
        {"read patient", u"desk"_s, "GET", u"/api/v1/patients/{p}"_s, {}, u"patient.read"_s, false},
        {"search",
         u"desk"_s,
         "GET",
         u"/api/v1/patients?q=Okafor"_s,
         {},
         u"patient.search"_s,
         false},
        {"check in", u"desk"_s, "POST", u"/api/v1/visits"_s, {}, u"visit.check_in"_s, true},
        {"write note", u"doc"_s, "POST", u"/api/v1/patients/{p}/documents"_s, note,
         u"document.create"_s, true},
        {"read note",
         u"doc"_s,
         "GET",
         u"/api/v1/patients/{p}/documents/{d}"_s,
         {},
         u"document.read"_s,
         false},
        {"list notes",
         u"doc"_s,
         "GET",
         u"/api/v1/patients/{p}/documents"_s,
         {},
         u"document.list"_s,
         false},
        {"admit", u"desk"_s, "POST", u"/api/v1/admissions"_s, {}, u"admission.create"_s, true},
        {"read admission",
         u"doc"_s,
         "GET",
         u"/api/v1/admissions/{a}"_s,
         {},
         u"admission.read"_s,
         false},
    };

    const struct
    {
        const char *name;
        Fault fault;
    } faults[] = {{"no fault", Fault::None},
                  {"audit insert fails", Fault::AuditInsertFails},
                  {"fails at commit", Fault::FailsAtCommit}};

    for (const auto &call : calls) {
        for (const auto &fault : faults) {
            QTest::addRow("%s, %s", call.name, fault.name)
                << call.user << call.method << call.path << call.body << call.action << call.writes
                << int(fault.fault);
        }
    }
}

void TestAuditFaults::auditAndChangeLiveOrDieTogether()
{
    QFETCH(QString, user);
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QString, action);
    QFETCH(bool, writes);
    QFETCH(int, fault);

    path.replace(u"{p}"_s, m_patientId)
        .replace(u"{d}"_s, m_documentId)
        .replace(u"{a}"_s, m_admissionId);
    if (action == u"admission.create"_s) // a free bed and a new patient each row
        body = jsonBytes(freshAdmission());
    if (action == u"patient.register"_s) // a new person each row: no duplicate warning
        body = jsonBytes({{u"fullName"_s, u"Kofi Mensah"_s},
                          {u"birthDate"_s, u"1975-09-1%1"_s.arg(fault)},
                          {u"sex"_s, u"M"_s},
                          {u"phone"_s, u"+23320123456%1"_s.arg(fault)}});
    if (action == u"visit.check_in"_s) {
        // One open visit per patient: each row checks in a fresh patient.
        const RawResponse patient = m_fixture->request(
            "POST", api::Patients, tokenOf(u"desk"_s),
            {{u"fullName"_s,
              u"Visit Patient %1"_s.arg(QString::fromLatin1(QTest::currentDataTag())).left(60)},
             {u"birthDate"_s, u"1990-01-0%1"_s.arg(1 + fault)},
             {u"sex"_s, u"U"_s},
             {u"phone"_s, u"+100000000%1"_s.arg(fault)}});
        QCOMPARE(patient.status, 201);
        body = jsonBytes({{u"patientId"_s, patient.json().value(u"id"_s).toString()},
                          {u"departmentId"_s, m_departmentId}});
    }
    inject(Fault(fault), action);
    const qint64 rowsBefore = businessRows();
    const qint64 auditBefore = auditRows(action);

    const RawResponse response = m_fixture->request(method, path.toUtf8(), tokenOf(user), body);

    if (Fault(fault) == Fault::None) {
        QVERIFY2(response.status == 200 || response.status == 201, response.body.constData());
        QCOMPARE(auditRows(action), auditBefore + 1);
        QCOMPARE(businessRows() > rowsBefore, writes);
        // The row carries every field of SECURITY.md section 1.6.
        pqxx::connection connection(m_fixture->superuserUrl());
        pqxx::read_transaction tx(connection);
        const pqxx::row row = tx.exec_params1(
            "SELECT hospital_id IS NOT NULL AND at IS NOT NULL AND actor_user_id IS NOT NULL "
            "AND actor_role IS NOT NULL AND entity IS NOT NULL AND category IS NOT NULL "
            "AND request_id IS NOT NULL AND client_address IS NOT NULL "
            "AND length(prev_hash) = 32 AND length(hash) = 32, "
            "patient_id, details::text FROM audit_log WHERE action = $1 ORDER BY seq DESC LIMIT 1",
            action.toStdString());
        QVERIFY2(row[0].as<bool>(), "an audit field is missing");
        if (action == u"patient.search"_s) // searches record the patient ids they returned
            QVERIFY2(QByteArray(row[2].c_str()).contains(m_patientId.toUtf8()), row[2].c_str());
        else
            QVERIFY2(!row[1].is_null(), "the audit row names no patient");
        return;
    }
    // A fault: the caller gets an error without the record, and nothing at all is kept.
    QVERIFY2(response.status >= 500, response.body.constData());
    QVERIFY(!response.body.contains("Okafor"));
    QVERIFY(!response.body.contains("Settled"));
    QCOMPARE(businessRows(), rowsBefore);
    QCOMPARE(auditRows(action), auditBefore);
}

void TestAuditFaults::deniedCallsAreAuditedAsDenied()
{
    // Lab may not read clinical notes; admins read no clinical data: each denial is a row.
    const qint64 before =
        m_fixture->count("SELECT count(*) FROM audit_log WHERE outcome = 'denied'");
    const QByteArray notes = "/api/v1/patients/" + m_patientId.toUtf8() + "/documents";
    QCOMPARE(m_fixture->request("GET", notes, tokenOf(u"lab"_s)).status, 403);
    QCOMPARE(m_fixture->request("GET", notes, tokenOf(u"boss"_s)).status, 403);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE outcome = 'denied'"),
             before + 2);
}

QTEST_GUILESS_MAIN(TestAuditFaults)
#include "tst_auditfaults.moc"
