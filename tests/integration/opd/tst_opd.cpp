// The OPD queue over real HTTP and PostgreSQL: departments and their doctors, check-in with
// a gapless token per department and day (C4, under 200 concurrent check-ins), "call next"
// that never hands one patient to two doctors (real concurrency), allowed and refused state
// transitions with If-Match (C2), one event per change in the same transaction, tenant
// isolation (T2), role checks (T1) and bad bodies that write nothing (I1).
#include "shared/protocol/apipaths.h"
#include "support/serverfixture.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSet>
#include <QTest>

#include <pqxx/pqxx>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

using namespace hms;
using namespace hms::test;
using namespace Qt::StringLiterals;

namespace {

const QString Password = u"opd queue correct horse 7"_s;

QByteArray checkInBody(const QString &patientId, const QString &departmentId)
{
    return jsonBytes({{u"patientId"_s, patientId}, {u"departmentId"_s, departmentId}});
}

QByteArray transitionBody(const QString &to)
{
    return jsonBytes({{u"to"_s, to}});
}

QByteArray ifMatch(int version)
{
    return "If-Match: \"" + QByteArray::number(version) + "\"\r\n";
}

} // namespace

class TestOpd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void departmentsAreManagedByAdmins();
    void checkInAssignsTokensInOrder();
    void checkInIdempotencyKeyReplays();
    void concurrentCheckInsAreGapless();
    void concurrentDuplicateCheckInsGiveTheTokenBack();
    void concurrentCallNextNeverSharesAVisit();
    void callNextNeedsAnAssignedDoctorAndAWaitingPatient();
    void transitionsFollowTheStateMachine();
    void queueBoardShowsTodayByToken();
    void eventsOnePerChangeInOrder();
    void otherHospitalGets404();
    void nonNumericIdsInDeletesAre404s();
    void rolesWithoutQueueManageCannotCheckIn();
    void badBodiesWriteNothing_data();
    void badBodiesWriteNothing();

private:
    RawResponse send(const QByteArray &method,
                     const QByteArray &path,
                     const QByteArray &token,
                     const QByteArray &body = {},
                     const QByteArray &extraHeaders = {});
    QString createDepartment(const QString &code, const QStringList &doctorIds);
    QStringList makePatients(qint64 hospitalId, int count);
    RawResponse checkIn(const QString &patientId, const QString &departmentId);
    qint64 eventsOf(const QString &departmentId) const;
    qint64 writeCounts() const;

    std::unique_ptr<ServerFixture> m_fixture;
    qint64 m_alpha = 0;
    qint64 m_beta = 0;
    int m_patientSerial = 0;
    QString m_doc1Id;
    QString m_doc2Id;
    QString m_betaDocId;
    QByteArray m_admin;
    QByteArray m_desk;
    QByteArray m_nurse;
    QByteArray m_doc1;
    QByteArray m_doc2;
    QByteArray m_lab;
    QByteArray m_pharmacy;
    QByteArray m_betaAdmin;
    QByteArray m_betaDesk;
    QByteArray m_betaDoc;
};

RawResponse TestOpd::send(const QByteArray &method,
                          const QByteArray &path,
                          const QByteArray &token,
                          const QByteArray &body,
                          const QByteArray &extraHeaders)
{
    return RawHttpClient::roundTrip(m_fixture->port(),
                                    requestWith(method, path, token, body, extraHeaders), 15'000)
        .value_or(RawResponse());
}

QString TestOpd::createDepartment(const QString &code, const QStringList &doctorIds)
{
    const RawResponse created =
        send("POST", api::Departments, m_admin,
             jsonBytes({{u"code"_s, code}, {u"name"_s, QString(u"Department "_s + code)}}));
    if (created.status != 201) {
        qWarning("department %s: %d %s", qPrintable(code), created.status,
                 created.body.constData());
        return {};
    }
    const QString id = created.json().value(u"id"_s).toString();
    for (const QString &doctor : doctorIds) {
        const RawResponse added = send("POST", withId(api::DepartmentDoctors, id), m_admin,
                                       jsonBytes({{u"userId"_s, doctor}}));
        if (added.status != 201) {
            qWarning("assign: %d %s", added.status, added.body.constData());
            return {};
        }
    }
    return id;
}

QStringList TestOpd::makePatients(qint64 hospitalId, int count)
{
    const QStringList ids =
        m_fixture->insertPatients(hospitalId, QStringLiteral("Opd"), m_patientSerial + 1, count);
    m_patientSerial += count;
    return ids;
}

RawResponse TestOpd::checkIn(const QString &patientId, const QString &departmentId)
{
    return send("POST", api::Visits, m_desk, checkInBody(patientId, departmentId));
}

qint64 TestOpd::eventsOf(const QString &departmentId) const
{
    return m_fixture->count(
        "SELECT count(*) FROM events WHERE topic = 'queue:" + departmentId.toStdString() + "'");
}

qint64 TestOpd::writeCounts() const
{
    return m_fixture->count("SELECT (SELECT count(*) FROM visits) * 1000000000 "
                            "+ (SELECT coalesce(sum(next), 0) FROM visit_token_counters) * 1000000 "
                            "+ (SELECT count(*) FROM events) * 1000 "
                            "+ (SELECT count(*) FROM audit_log)");
}

void TestOpd::initTestCase()
{
    QLoggingCategory::setFilterRules(u"hms.server.access.info=false"_s);
    m_fixture = std::make_unique<ServerFixture>(u"opd"_s);
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    m_alpha = m_fixture->createHospital(u"alpha"_s, u"Alpha"_s);
    m_beta = m_fixture->createHospital(u"beta"_s, u"Beta"_s);
    QVERIFY(m_alpha > 0 && m_beta > 0);
    const auto token = [this](const QString &hospital, const QString &user, Role role,
                              QString *id = nullptr) {
        const qint64 userId = m_fixture->createUser(hospital, user, role, Password);
        if (userId <= 0)
            return QByteArray();
        if (id)
            *id = QString::number(userId);
        return accessTokenOf(m_fixture->login(hospital, user, Password));
    };
    m_admin = token(u"alpha"_s, u"admin"_s, Role::Admin);
    m_desk = token(u"alpha"_s, u"desk"_s, Role::Reception);
    m_nurse = token(u"alpha"_s, u"nurse"_s, Role::Nurse);
    m_doc1 = token(u"alpha"_s, u"doc1"_s, Role::Doctor, &m_doc1Id);
    m_doc2 = token(u"alpha"_s, u"doc2"_s, Role::Doctor, &m_doc2Id);
    m_lab = token(u"alpha"_s, u"lab"_s, Role::Lab);
    m_pharmacy = token(u"alpha"_s, u"pharmacy"_s, Role::Pharmacy);
    m_betaAdmin = token(u"beta"_s, u"admin"_s, Role::Admin);
    m_betaDesk = token(u"beta"_s, u"desk"_s, Role::Reception);
    m_betaDoc = token(u"beta"_s, u"doc"_s, Role::Doctor, &m_betaDocId);
    for (const QByteArray &t : {m_admin, m_desk, m_nurse, m_doc1, m_doc2, m_lab, m_pharmacy,
                                m_betaAdmin, m_betaDesk, m_betaDoc})
        QVERIFY(!t.isEmpty());
}

void TestOpd::departmentsAreManagedByAdmins()
{
    const QByteArray body = jsonBytes({{u"code"_s, u"ent"_s}, {u"name"_s, u"Ear, nose, throat"_s}});
    const RawResponse created = send("POST", api::Departments, m_admin, body);
    QCOMPARE(created.status, 201);
    QCOMPARE(created.json().value(u"code"_s).toString(), u"ent"_s);
    QVERIFY(!created.header("location").isEmpty());
    QCOMPARE(send("POST", api::Departments, m_admin, body).status, 409);
    QCOMPARE(send("POST", api::Departments, m_nurse, body).status, 403);
    // The same code in another hospital is fine.
    QCOMPARE(send("POST", api::Departments, m_betaAdmin, body).status, 201);
    const RawResponse list = send("GET", api::Departments, m_lab);
    QCOMPARE(list.status, 200);
    QCOMPARE(list.json().value(u"items"_s).toArray().size(), 1);

    const QString id = created.json().value(u"id"_s).toString();
    const QByteArray doctors = withId(api::DepartmentDoctors, id);
    QCOMPARE(send("POST", doctors, m_admin, jsonBytes({{u"userId"_s, m_doc1Id}})).status, 201);
    QCOMPARE(send("POST", doctors, m_admin, jsonBytes({{u"userId"_s, m_doc1Id}})).status, 200);
    // Another hospital's doctor is not a doctor of this one.
    QCOMPARE(send("POST", doctors, m_admin, jsonBytes({{u"userId"_s, m_betaDocId}})).status, 422);
    QCOMPARE(send("POST", withId(api::DepartmentDoctors, id), m_betaAdmin,
                  jsonBytes({{u"userId"_s, m_betaDocId}}))
                 .status,
             404);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM department_doctors"), 1);
}

void TestOpd::checkInAssignsTokensInOrder()
{
    const QString department = createDepartment(u"gen"_s, {m_doc1Id});
    QVERIFY(!department.isEmpty());
    const QStringList patients = makePatients(m_alpha, 3);
    for (int i = 0; i < 3; ++i) {
        const RawResponse visit = checkIn(patients[i], department);
        QCOMPARE(visit.status, 201);
        const QJsonObject json = visit.json();
        QCOMPARE(json.value(u"token"_s).toInt(), i + 1);
        QCOMPARE(json.value(u"state"_s).toString(), u"waiting"_s);
        QCOMPARE(json.value(u"patientId"_s).toString(), patients[i]);
        QCOMPARE(json.value(u"departmentId"_s).toString(), department);
        QCOMPARE(json.value(u"visitDate"_s).toString().size(), 10);
        QCOMPARE(visit.header("etag"), QByteArray("\"1\""));
    }
    // Already waiting there: 409, and the token is given back (the next one is 4).
    QCOMPARE(checkIn(patients[0], department).status, 409);
    const QStringList more = makePatients(m_alpha, 1);
    QCOMPARE(checkIn(more[0], department).json().value(u"token"_s).toInt(), 4);
    QCOMPARE(eventsOf(department), 4);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'visit.check_in'"), 4);
    // An unknown patient or department is 404.
    QCOMPARE(checkIn(u"987654321"_s, department).status, 404);
    QCOMPARE(checkIn(patients[1], u"987654321"_s).status, 404);
}

void TestOpd::checkInIdempotencyKeyReplays()
{
    const QString department = createDepartment(u"idem"_s, {});
    const QStringList patients = makePatients(m_alpha, 1);
    const QByteArray body = checkInBody(patients[0], department);
    const RawResponse first = send("POST", api::Visits, m_desk, body, "Idempotency-Key: opd-1\r\n");
    QCOMPARE(first.status, 201);
    const RawResponse again = send("POST", api::Visits, m_desk, body, "Idempotency-Key: opd-1\r\n");
    QCOMPARE(again.status, 201);
    QCOMPARE(again.body, first.body);
    QCOMPARE(again.header("idempotent-replayed"), QByteArray("true"));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM visits WHERE department_id = "
                              + department.toStdString()),
             1);
    QCOMPARE(eventsOf(department), 1);
}

void TestOpd::concurrentCheckInsAreGapless()
{
    constexpr int Count = 200;
    const QString department = createDepartment(u"c4"_s, {});
    const QStringList patients = makePatients(m_alpha, Count);
    QCOMPARE(patients.size(), Count);
    QList<QByteArray> requests;
    for (const QString &patient : patients)
        requests.append(requestWith("POST", api::Visits, m_desk, checkInBody(patient, department)));
    QElapsedTimer timer;
    timer.start();
    const std::vector<RawResponse> answers = concurrently(m_fixture->port(), requests);
    const qint64 elapsed = timer.elapsed();
    QCOMPARE(int(answers.size()), Count);
    QSet<int> tokens;
    for (const RawResponse &answer : answers) {
        QVERIFY2(answer.status == 201, answer.body.constData());
        tokens.insert(answer.json().value(u"token"_s).toInt());
    }
    qInfo("C4: %d concurrent check-ins in %lld ms", Count, elapsed);
    QCOMPARE(tokens.size(), Count);
    QCOMPARE(*std::min_element(tokens.cbegin(), tokens.cend()), 1);
    QCOMPARE(*std::max_element(tokens.cbegin(), tokens.cend()), Count);
    const std::string where = " FROM visits WHERE department_id = " + department.toStdString();
    QCOMPARE(m_fixture->count("SELECT count(*)" + where), Count);
    QCOMPARE(m_fixture->count("SELECT count(DISTINCT token)" + where), Count);
    QCOMPARE(m_fixture->count("SELECT min(token)" + where), 1);
    QCOMPARE(m_fixture->count("SELECT max(token)" + where), Count);
    QCOMPARE(m_fixture->count("SELECT next - 1 FROM visit_token_counters WHERE department_id = "
                              + department.toStdString()),
             Count);
    QCOMPARE(eventsOf(department), Count);
}

void TestOpd::concurrentDuplicateCheckInsGiveTheTokenBack()
{
    constexpr int Count = 20;
    const QString department = createDepartment(u"dup"_s, {});
    const QStringList patients = makePatients(m_alpha, 2);
    const QList<QByteArray> requests(
        Count, requestWith("POST", api::Visits, m_desk, checkInBody(patients[0], department)));
    const std::vector<RawResponse> answers = concurrently(m_fixture->port(), requests);
    QCOMPARE(int(answers.size()), Count);
    int created = 0;
    for (const RawResponse &answer : answers) {
        QVERIFY2(answer.status == 201 || answer.status == 409, answer.body.constData());
        created += answer.status == 201 ? 1 : 0;
    }
    QCOMPARE(created, 1);
    // Refused check-ins that had already taken a number rolled it back: the next is 2.
    QCOMPARE(checkIn(patients[1], department).json().value(u"token"_s).toInt(), 2);
    QCOMPARE(eventsOf(department), 2);
}

void TestOpd::concurrentCallNextNeverSharesAVisit()
{
    constexpr int Count = 100;
    const QString department = createDepartment(u"race"_s, {m_doc1Id, m_doc2Id});
    const QStringList patients = makePatients(m_alpha, Count + 10);
    for (const QString &patient : patients)
        QCOMPARE(checkIn(patient, department).status, 201);
    QList<QByteArray> requests;
    for (int i = 0; i < Count; ++i)
        requests.append(requestWith("POST", withId(api::DepartmentCallNext, department),
                                    i % 2 ? m_doc2 : m_doc1, QByteArray()));
    QElapsedTimer timer;
    timer.start();
    const std::vector<RawResponse> answers = concurrently(m_fixture->port(), requests);
    const qint64 elapsed = timer.elapsed();
    QCOMPARE(int(answers.size()), Count);
    QSet<QString> visits;
    QSet<int> tokens;
    for (int i = 0; i < Count; ++i) {
        const RawResponse &answer = answers[size_t(i)];
        QVERIFY2(answer.status == 200, answer.body.constData());
        const QJsonObject json = answer.json();
        QCOMPARE(json.value(u"state"_s).toString(), u"called"_s);
        QCOMPARE(json.value(u"calledBy"_s).toString(), i % 2 ? m_doc2Id : m_doc1Id);
        visits.insert(json.value(u"id"_s).toString());
        tokens.insert(json.value(u"token"_s).toInt());
    }
    qInfo("%d concurrent call-next by 2 doctors in %lld ms", Count, elapsed);
    QCOMPARE(visits.size(), Count); // nobody was handed to two doctors
    // The lowest 100 tokens were called, the last 10 still wait.
    QCOMPARE(*std::max_element(tokens.cbegin(), tokens.cend()), Count);
    const std::string where = " FROM visits WHERE department_id = " + department.toStdString();
    QCOMPARE(m_fixture->count("SELECT count(*)" + where + " AND state = 'called'"), Count);
    QCOMPARE(m_fixture->count("SELECT count(*)" + where + " AND state = 'waiting'"), 10);
    QCOMPARE(m_fixture->count("SELECT count(*)" + where + " AND state = 'called' AND version = 2"),
             Count);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM events WHERE type = 'visit.called' AND topic = "
                              "'queue:"
                              + department.toStdString() + "'"),
             Count);
    QCOMPARE(m_fixture->count("SELECT count(DISTINCT data->>'visitId') FROM events WHERE type = "
                              "'visit.called' AND topic = 'queue:"
                              + department.toStdString() + "'"),
             Count);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'visit.call'"), Count);
}

void TestOpd::callNextNeedsAnAssignedDoctorAndAWaitingPatient()
{
    const QString department = createDepartment(u"solo"_s, {m_doc1Id});
    const QByteArray path = withId(api::DepartmentCallNext, department);
    const RawResponse empty = send("POST", path, m_doc1);
    QCOMPARE(empty.status, 404);
    QCOMPARE(empty.json().value(u"type"_s).toString(), u"urn:hms:problem:queue-empty"_s);
    const QStringList patients = makePatients(m_alpha, 1);
    QCOMPARE(checkIn(patients[0], department).status, 201);
    const RawResponse notMine = send("POST", path, m_doc2);
    QCOMPARE(notMine.status, 403);
    QCOMPARE(send("POST", path, m_desk).status, 403);
    const RawResponse called = send("POST", path, m_doc1, "{}");
    QCOMPARE(called.status, 200);
    QCOMPARE(called.json().value(u"token"_s).toInt(), 1);
    QCOMPARE(send("POST", path, m_doc1, R"({"x":1})").status, 422);
    QCOMPARE(send("POST", path, m_doc1).json().value(u"type"_s).toString(),
             u"urn:hms:problem:queue-empty"_s);
}

void TestOpd::transitionsFollowTheStateMachine()
{
    const QString department = createDepartment(u"flow"_s, {m_doc1Id});
    const QStringList patients = makePatients(m_alpha, 3);
    QString visits[3];
    for (int i = 0; i < 3; ++i) {
        const RawResponse visit = checkIn(patients[i], department);
        QCOMPARE(visit.status, 201);
        visits[i] = visit.json().value(u"id"_s).toString();
    }
    const auto move = [this](const QString &visit, const QByteArray &token, const QString &to,
                             const QByteArray &headers) {
        return send("POST", withId(api::VisitTransition, visit), token, transitionBody(to),
                    headers);
    };
    const QString v = visits[0];
    // waiting -> completed / in_consultation: not allowed.
    const RawResponse refused = move(v, m_doc1, u"completed"_s, ifMatch(1));
    QCOMPARE(refused.status, 409);
    QCOMPARE(refused.json().value(u"type"_s).toString(), u"urn:hms:problem:invalid-transition"_s);
    QCOMPARE(move(v, m_doc1, u"in_consultation"_s, ifMatch(1)).status, 409);
    // Call it, then the doctor starts the consultation with the current version only.
    const RawResponse called = send("POST", withId(api::DepartmentCallNext, department), m_doc1);
    QCOMPARE(called.json().value(u"id"_s).toString(), v);
    QCOMPARE(called.header("etag"), QByteArray("\"2\""));
    QCOMPARE(move(v, m_doc1, u"in_consultation"_s, {}).status, 428);
    QCOMPARE(move(v, m_doc1, u"in_consultation"_s, ifMatch(1)).status, 412);
    // The desk may not start or complete a consultation.
    QCOMPARE(move(v, m_desk, u"in_consultation"_s, ifMatch(2)).status, 403);
    const RawResponse started = move(v, m_doc1, u"in_consultation"_s, ifMatch(2));
    QCOMPARE(started.status, 200);
    QCOMPARE(started.json().value(u"state"_s).toString(), u"in_consultation"_s);
    QVERIFY(!started.json().value(u"startedAt"_s).toString().isEmpty());
    QCOMPARE(move(v, m_doc1, u"waiting"_s, ifMatch(3)).status, 409);
    const RawResponse completed = move(v, m_doc1, u"completed"_s, ifMatch(3));
    QCOMPARE(completed.status, 200);
    QVERIFY(!completed.json().value(u"completedAt"_s).toString().isEmpty());
    for (const QString &to : {u"waiting"_s, u"cancelled"_s, u"no_show"_s, u"in_consultation"_s})
        QCOMPARE(move(v, m_doc1, to, ifMatch(4)).status, 409);
    // The desk cancels a waiting visit; a nurse recalls a called one, which is called again
    // first (lowest token), then marked no-show.
    QCOMPARE(move(visits[2], m_desk, u"cancelled"_s, ifMatch(1)).status, 200);
    const RawResponse second = send("POST", withId(api::DepartmentCallNext, department), m_doc1);
    QCOMPARE(second.json().value(u"id"_s).toString(), visits[1]);
    const RawResponse recalled = move(visits[1], m_nurse, u"waiting"_s, ifMatch(2));
    QCOMPARE(recalled.status, 200);
    QVERIFY(recalled.json().value(u"calledBy"_s).isNull());
    const RawResponse again = send("POST", withId(api::DepartmentCallNext, department), m_doc1);
    QCOMPARE(again.json().value(u"id"_s).toString(), visits[1]);
    QCOMPARE(again.header("etag"), QByteArray("\"4\""));
    QCOMPARE(move(visits[1], m_nurse, u"no_show"_s, ifMatch(4)).status, 200);
    QCOMPARE(send("POST", withId(api::DepartmentCallNext, department), m_doc1).status, 404);
    // Lab and pharmacy may not touch visits at all; unknown "to" values are 422.
    QCOMPARE(move(visits[0], m_lab, u"cancelled"_s, ifMatch(5)).status, 403);
    QCOMPARE(move(visits[0], m_pharmacy, u"no_show"_s, ifMatch(5)).status, 403);
    QCOMPARE(move(visits[0], m_doc1, u"called"_s, ifMatch(5)).status, 422);
    QCOMPARE(move(u"987654321"_s, m_doc1, u"completed"_s, ifMatch(1)).status, 404);
    // The patient whose visit ended may check in again.
    QCOMPARE(checkIn(patients[0], department).status, 201);
}

void TestOpd::queueBoardShowsTodayByToken()
{
    const QString department = createDepartment(u"board"_s, {m_doc1Id});
    const QStringList patients = makePatients(m_alpha, 3);
    for (const QString &patient : patients)
        QCOMPARE(checkIn(patient, department).status, 201);
    QCOMPARE(send("POST", withId(api::DepartmentCallNext, department), m_doc1).status, 200);
    const RawResponse board = send("GET", withId(api::DepartmentQueue, department), m_nurse);
    QCOMPARE(board.status, 200);
    const QJsonObject json = board.json();
    QCOMPARE(json.value(u"departmentId"_s).toString(), department);
    QCOMPARE(json.value(u"date"_s).toString().size(), 10);
    const QJsonArray items = json.value(u"items"_s).toArray();
    QCOMPARE(items.size(), 3);
    for (int i = 0; i < 3; ++i) {
        const QJsonObject item = items[i].toObject();
        QCOMPARE(item.value(u"token"_s).toInt(), i + 1);
        QCOMPARE(item.value(u"patientId"_s).toString(), patients[i]);
        QCOMPARE(item.value(u"state"_s).toString(), i == 0 ? u"called"_s : u"waiting"_s);
        QVERIFY(item.value(u"fullName"_s).toString().startsWith(u"Opd Patient"_s));
        QVERIFY(!item.value(u"mrn"_s).toString().isEmpty());
        QVERIFY(item.value(u"waitingMinutes"_s).toInt() >= 0);
    }
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'queue.read' AND "
                              "entity_id = '"
                              + department.toStdString()
                              + "' AND jsonb_array_length(details->"
                                "'patientIds') = 3"),
             1);
    QCOMPARE(send("GET", withId(api::DepartmentQueue, department) + "?x=1", m_nurse).status, 422);
    QCOMPARE(send("GET", withId(api::DepartmentQueue, u"987654321"_s), m_nurse).status, 404);
}

void TestOpd::eventsOnePerChangeInOrder()
{
    const QString department = createDepartment(u"events"_s, {m_doc1Id});
    const QStringList patients = makePatients(m_alpha, 2);
    const qint64 before = m_fixture->count("SELECT count(*) FROM events");
    const QString v1 = checkIn(patients[0], department).json().value(u"id"_s).toString();
    const QString v2 = checkIn(patients[1], department).json().value(u"id"_s).toString();
    QCOMPARE(send("POST", withId(api::DepartmentCallNext, department), m_doc1).status, 200);
    QCOMPARE(send("POST", withId(api::VisitTransition, v1), m_doc1,
                  transitionBody(u"in_consultation"_s), ifMatch(2))
                 .status,
             200);
    // Refused changes write no event.
    QCOMPARE(send("POST", withId(api::VisitTransition, v2), m_doc1, transitionBody(u"completed"_s),
                  ifMatch(1))
                 .status,
             409);
    QCOMPARE(send("POST", withId(api::VisitTransition, v1), m_doc1, transitionBody(u"completed"_s),
                  ifMatch(2))
                 .status,
             412);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM events"), before + 4);
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    const pqxx::result rows =
        tx.exec_params("SELECT seq, type, data->>'visitId', data->>'state', data->>'patientId', "
                       "(data->>'token')::integer FROM events WHERE topic = $1 ORDER BY seq",
                       "queue:" + department.toStdString());
    QCOMPARE(int(rows.size()), 4);
    const char *types[] = {"visit.checked_in", "visit.checked_in", "visit.called",
                           "visit.in_consultation"};
    const QString visitIds[] = {v1, v2, v1, v1};
    const char *states[] = {"waiting", "waiting", "called", "in_consultation"};
    const int tokens[] = {1, 2, 1, 1};
    qint64 lastSeq = 0;
    for (int i = 0; i < 4; ++i) {
        QVERIFY(rows[i][0].as<qint64>() > lastSeq);
        lastSeq = rows[i][0].as<qint64>();
        QCOMPARE(rows[i][1].as<std::string>(), std::string(types[i]));
        QCOMPARE(QString::fromStdString(rows[i][2].as<std::string>()), visitIds[i]);
        QCOMPARE(rows[i][3].as<std::string>(), std::string(states[i]));
        QCOMPARE(QString::fromStdString(rows[i][4].as<std::string>()), patients[i == 1 ? 1 : 0]);
        QCOMPARE(rows[i][5].as<int>(), tokens[i]);
    }
    QCOMPARE(eventsOf(department), 4);
}

void TestOpd::otherHospitalGets404()
{
    const QString department = createDepartment(u"tenant"_s, {m_doc1Id});
    const QStringList alphaPatients = makePatients(m_alpha, 1);
    const QStringList betaPatients = makePatients(m_beta, 1);
    const RawResponse visit = checkIn(alphaPatients[0], department);
    QCOMPARE(visit.status, 201);
    const QString visitId = visit.json().value(u"id"_s).toString();
    const qint64 before = writeCounts();
    // Beta's desk: alpha's department (with beta's patient), alpha's patient.
    QCOMPARE(send("POST", api::Visits, m_betaDesk, checkInBody(betaPatients[0], department)).status,
             404);
    QCOMPARE(send("POST", api::Visits, m_desk, checkInBody(betaPatients[0], department)).status,
             404);
    QCOMPARE(send("GET", withId(api::DepartmentQueue, department), m_betaDesk).status, 404);
    QCOMPARE(send("POST", withId(api::DepartmentCallNext, department), m_betaDoc).status, 404);
    QCOMPARE(send("POST", withId(api::VisitTransition, visitId), m_betaDoc,
                  transitionBody(u"cancelled"_s), ifMatch(1))
                 .status,
             404);
    QCOMPARE(send("POST", withId(api::DepartmentDoctors, department), m_betaAdmin,
                  jsonBytes({{u"userId"_s, m_betaDocId}}))
                 .status,
             404);
    QCOMPARE(writeCounts(), before);
    // Beta's list holds only beta's departments.
    const RawResponse list = send("GET", api::Departments, m_betaDesk);
    for (const QJsonValue &item : list.json().value(u"items"_s).toArray())
        QVERIFY(item.toObject().value(u"id"_s).toString() != department);
    // The same thing in beta works, with beta's own token numbering.
    const RawResponse created = send("POST", api::Departments, m_betaAdmin,
                                     jsonBytes({{u"code"_s, u"tenant"_s}, {u"name"_s, u"T"_s}}));
    QCOMPARE(created.status, 201);
    const RawResponse betaVisit =
        send("POST", api::Visits, m_betaDesk,
             checkInBody(betaPatients[0], created.json().value(u"id"_s).toString()));
    QCOMPARE(betaVisit.status, 201);
    QCOMPARE(betaVisit.json().value(u"token"_s).toInt(), 1);
}

void TestOpd::nonNumericIdsInDeletesAre404s()
{
    const QString department = createDepartment(u"pathids"_s, {m_doc1Id});
    const auto pathOf = [](const char *pathTemplate, const char *child, const QString &id,
                           const QString &childId) {
        return QByteArray(pathTemplate)
            .replace("{id}", id.toUtf8())
            .replace(QByteArray(child), childId.toUtf8());
    };

    const struct
    {
        const char *pathTemplate;
        const char *child;
    } routes[] = {{api::DepartmentDoctor, "{userId}"}, {api::DepartmentSchedule, "{scheduleId}"}};

    for (const auto &route : routes) {
        // What an id that does not exist answers; anything not an id must answer the same.
        const RawResponse absent = send(
            "DELETE", pathOf(route.pathTemplate, route.child, department, u"999999999"_s), m_admin);
        QCOMPARE(absent.status, 404);
        const qint64 before = writeCounts();
        for (const auto &[id, childId] : {std::pair{u"abc"_s, m_doc1Id},
                                          {department, u"abc"_s},
                                          {department, u"12abc"_s},
                                          {department, u"-1"_s},
                                          {department, u"0"_s},
                                          {department, u"1.5"_s},
                                          {department, u"0x10"_s},
                                          {department, u"99999999999999999999"_s},
                                          {u"1e3"_s, u"1"_s}}) {
            const QByteArray url = pathOf(route.pathTemplate, route.child, id, childId);
            const RawResponse refused = send("DELETE", url, m_admin);
            QVERIFY2(refused.status == 404, url.constData());
            QCOMPARE(refused.json().value(u"type"_s), absent.json().value(u"type"_s));
            QCOMPARE(refused.json().value(u"title"_s), absent.json().value(u"title"_s));
            QCOMPARE(refused.json().value(u"detail"_s), absent.json().value(u"detail"_s));
        }
        QCOMPARE(writeCounts(), before);
    }
    // The doctor is still assigned.
    const RawResponse doctors = send("GET", withId(api::DepartmentDoctors, department), m_admin);
    QCOMPARE(doctors.status, 200);
    QStringList assigned;
    for (const QJsonValue &item : doctors.json().value(u"items"_s).toArray())
        assigned.append(item.toObject().value(u"userId"_s).toString());
    QCOMPARE(assigned, QStringList{m_doc1Id});
}

void TestOpd::rolesWithoutQueueManageCannotCheckIn()
{
    const QString department = createDepartment(u"roles"_s, {m_doc1Id});
    const QStringList patients = makePatients(m_alpha, 1);
    const QByteArray body = checkInBody(patients[0], department);
    for (const QByteArray &token : {m_lab, m_pharmacy, m_doc1, m_admin})
        QCOMPARE(send("POST", api::Visits, token, body).status, 403);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM visits WHERE department_id = "
                              + department.toStdString()),
             0);
    QCOMPARE(send("POST", api::Visits, m_nurse, body).status, 201);
}

void TestOpd::badBodiesWriteNothing_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::newRow("empty") << QByteArray() << 400;
    QTest::newRow("malformed") << QByteArray("{\"patientId\":") << 400;
    QTest::newRow("array") << QByteArray("[]") << 400;
    QTest::newRow("missing-department") << QByteArray(R"({"patientId":"1"})") << 422;
    QTest::newRow("numeric-ids") << QByteArray(R"({"patientId":1,"departmentId":2})") << 422;
    QTest::newRow("negative") << QByteArray(R"({"patientId":"-1","departmentId":"2"})") << 422;
    QTest::newRow("zero") << QByteArray(R"({"patientId":"0","departmentId":"2"})") << 422;
    QTest::newRow("unknown-field")
        << QByteArray(R"({"patientId":"1","departmentId":"2","token":7})") << 422;
    QTest::newRow("sql") << QByteArray(R"({"patientId":"1 OR 1=1","departmentId":"2"})") << 422;
}

void TestOpd::badBodiesWriteNothing()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    const qint64 before = writeCounts();
    const RawResponse response = send("POST", api::Visits, m_desk, body);
    QCOMPARE(response.status, status);
    QCOMPARE(writeCounts(), before);
}

QTEST_GUILESS_MAIN(TestOpd)
#include "tst_opd.moc"
