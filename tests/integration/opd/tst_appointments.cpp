// Doctors' schedules and OPD appointments over real HTTP and PostgreSQL: slots cut from weekly
// rules in the hospital's time zone (not UTC), off days, booking with no double booking
// enforced by PostgreSQL (20 concurrent bookings of one slot -> exactly one 201), cancel and
// atomic reschedule with If-Match (C2), Idempotency-Key on booking (C1), check-in from an
// appointment (once only, even concurrently), GET /visits/{id}, one event per change on
// queue:<department>, roles (T1), other hospital's ids (T2) and bad bodies (I1).
#include "shared/protocol/apipaths.h"
#include "support/serverfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTest>

#include <pqxx/pqxx>

#include <memory>
#include <string>
#include <vector>

using namespace hms;
using namespace hms::test;
using namespace Qt::StringLiterals;

namespace {

const QString Password = u"violet harbour lantern 8"_s;
// +05:30 all year (no DST): local 08:00 is 02:30 UTC.
const QString Timezone = u"Asia/Kolkata"_s;

QByteArray ifMatch(int version)
{
    return "If-Match: \"" + QByteArray::number(version) + "\"\r\n";
}

} // namespace

class TestAppointments : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void schedulesAreManagedByAdmins();
    void slotsFollowTheHospitalTimezone();
    void offDaysRemoveSlots();
    void offDaysAreListedAndRemoved();
    void scheduleRulesAreRemoved();
    void departmentsAreRenamedAndDeactivated();
    void doctorsLeaveDepartments();
    void bookCancelReschedule();
    void bookingIdempotencyKeyReplays();
    void concurrentBookingsOfOneSlot();
    void listsPerDoctorDayAndPatient();
    void checkInFromAppointment();
    void concurrentCheckInsOfOneAppointment();
    void consultationNamesAVisitOfThePatient();
    void rolesWithoutAppointmentManage();
    void otherHospitalGets404();
    void badBookingBodiesWriteNothing_data();
    void badBookingBodiesWriteNothing();

private:
    RawResponse send(const QByteArray &method,
                     const QByteArray &path,
                     const QByteArray &token,
                     const QByteArray &body = {},
                     const QByteArray &extraHeaders = {});
    QString createDepartment(const QString &code, const QStringList &doctorIds);
    QStringList makePatients(qint64 hospitalId, int count);
    QString localDate(int daysFromToday) const;
    /// Local HH:MM of \a date in the hospital's time zone as UTC ISO text with ms and Z.
    QString utc(const QString &date, const QString &localTime) const;
    QByteArray bookBody(const QString &patient,
                        const QString &department,
                        const QString &doctor,
                        const QString &start) const;
    RawResponse book(const QString &patient,
                     const QString &department,
                     const QString &doctor,
                     const QString &start);
    /// An appointment today, straight into the table (today's slots may all be past).
    QString insertTodayAppointment(qint64 hospital,
                                   const QString &department,
                                   const QString &doctor,
                                   const QString &patient,
                                   int minutesFromNow);
    qint64 writeCounts() const;

    std::unique_ptr<ServerFixture> m_fixture;
    qint64 m_alpha = 0;
    qint64 m_beta = 0;
    int m_patientSerial = 0;
    QString m_doc1Id;
    QString m_doc2Id;
    QString m_betaDocId;
    QString m_department; // doc1 and doc2, 08:00-12:00 every day, 30-minute slots
    QByteArray m_admin;
    QByteArray m_desk;
    QByteArray m_nurse;
    QByteArray m_doc1;
    QByteArray m_lab;
    QByteArray m_pharmacy;
    QByteArray m_betaAdmin;
    QByteArray m_betaDesk;
};

RawResponse TestAppointments::send(const QByteArray &method,
                                   const QByteArray &path,
                                   const QByteArray &token,
                                   const QByteArray &body,
                                   const QByteArray &extraHeaders)
{
    return RawHttpClient::roundTrip(m_fixture->port(),
                                    requestWith(method, path, token, body, extraHeaders), 15'000)
        .value_or(RawResponse());
}

QString TestAppointments::createDepartment(const QString &code, const QStringList &doctorIds)
{
    const RawResponse created =
        send("POST", api::Departments, m_admin,
             jsonBytes({{u"code"_s, code}, {u"name"_s, QString(u"Department "_s + code)}}));
    if (created.status != 201)
        return {};
    const QString id = created.json().value(u"id"_s).toString();
    for (const QString &doctor : doctorIds) {
        if (send("POST", withId(api::DepartmentDoctors, id), m_admin,
                 jsonBytes({{u"userId"_s, doctor}}))
                .status
            != 201)
            return {};
    }
    return id;
}

QStringList TestAppointments::makePatients(qint64 hospitalId, int count)
{
    const QStringList ids = m_fixture->insertPatients(hospitalId, QStringLiteral("Appointment"),
                                                      m_patientSerial + 1, count);
    m_patientSerial += count;
    return ids;
}

QString TestAppointments::localDate(int daysFromToday) const
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    return QString::fromStdString(
        tx.exec_params1("SELECT to_char((now() AT TIME ZONE $1)::date + $2::integer, "
                        "'YYYY-MM-DD')",
                        Timezone.toStdString(), daysFromToday)[0]
            .as<std::string>());
}

QString TestAppointments::utc(const QString &date, const QString &localTime) const
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    return QString::fromStdString(
        tx.exec_params1("SELECT to_char((($1::date + $2::time) AT TIME ZONE $3) AT TIME ZONE "
                        "'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
                        date.toStdString(), localTime.toStdString(), Timezone.toStdString())[0]
            .as<std::string>());
}

QByteArray TestAppointments::bookBody(const QString &patient,
                                      const QString &department,
                                      const QString &doctor,
                                      const QString &start) const
{
    return jsonBytes({{u"patientId"_s, patient},
                      {u"departmentId"_s, department},
                      {u"doctorId"_s, doctor},
                      {u"start"_s, start},
                      {u"reason"_s, u"Follow-up"_s}});
}

RawResponse TestAppointments::book(const QString &patient,
                                   const QString &department,
                                   const QString &doctor,
                                   const QString &start)
{
    return send("POST", api::Appointments, m_desk, bookBody(patient, department, doctor, start));
}

QString TestAppointments::insertTodayAppointment(qint64 hospital,
                                                 const QString &department,
                                                 const QString &doctor,
                                                 const QString &patient,
                                                 int minutesFromNow)
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    // Today in the hospital's zone: a few minutes from now, never past local midnight.
    const pqxx::row row = tx.exec_params1(
        "INSERT INTO appointments (hospital_id, department_id, doctor_id, patient_id, "
        "starts_at, ends_at, created_by) SELECT $1, $2, $3, $4, t, t + interval '1 second', $3 "
        "FROM (SELECT least(now() + make_interval(mins => $5::integer), "
        "(((now() AT TIME ZONE $6)::date + 1)::timestamp AT TIME ZONE $6) "
        "- interval '2 minutes' + make_interval(secs => $5::integer)) AS t) x RETURNING id",
        hospital, department.toLongLong(), doctor.toLongLong(), patient.toLongLong(),
        minutesFromNow, Timezone.toStdString());
    tx.commit();
    return QString::fromStdString(row[0].as<std::string>());
}

qint64 TestAppointments::writeCounts() const
{
    return m_fixture->count("SELECT (SELECT count(*) FROM appointments) * 1000000000 "
                            "+ (SELECT count(*) FROM visits) * 1000000 "
                            "+ (SELECT count(*) FROM events) * 1000 "
                            "+ (SELECT count(*) FROM audit_log)");
}

void TestAppointments::initTestCase()
{
    QLoggingCategory::setFilterRules(u"hms.server.access.info=false"_s);
    m_fixture = std::make_unique<ServerFixture>(u"appointments"_s);
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    m_alpha = m_fixture->createHospital(u"alpha"_s, u"Alpha"_s);
    m_beta = m_fixture->createHospital(u"beta"_s, u"Beta"_s);
    QVERIFY(m_alpha > 0 && m_beta > 0);
    {
        pqxx::connection connection(m_fixture->superuserUrl());
        pqxx::work tx(connection);
        tx.exec_params("UPDATE hospitals SET timezone = $1", Timezone.toStdString());
        tx.commit();
    }
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
    token(u"alpha"_s, u"doc2"_s, Role::Doctor, &m_doc2Id);
    m_lab = token(u"alpha"_s, u"lab"_s, Role::Lab);
    m_pharmacy = token(u"alpha"_s, u"pharmacy"_s, Role::Pharmacy);
    m_betaAdmin = token(u"beta"_s, u"admin"_s, Role::Admin);
    m_betaDesk = token(u"beta"_s, u"desk"_s, Role::Reception);
    token(u"beta"_s, u"doc"_s, Role::Doctor, &m_betaDocId);
    for (const QByteArray &t :
         {m_admin, m_desk, m_nurse, m_doc1, m_lab, m_pharmacy, m_betaAdmin, m_betaDesk})
        QVERIFY(!t.isEmpty());
    QVERIFY(!m_doc2Id.isEmpty() && !m_betaDocId.isEmpty());

    m_department = createDepartment(u"gen"_s, {m_doc1Id, m_doc2Id});
    QVERIFY(!m_department.isEmpty());
    for (const QString &doctor : {m_doc1Id, m_doc2Id}) {
        for (int weekday = 1; weekday <= 7; ++weekday) {
            const RawResponse rule =
                send("POST", withId(api::DepartmentSchedules, m_department), m_admin,
                     jsonBytes({{u"doctorId"_s, doctor},
                                {u"weekday"_s, weekday},
                                {u"start"_s, u"08:00"_s},
                                {u"end"_s, u"12:00"_s},
                                {u"slotMinutes"_s, 30}}));
            QVERIFY2(rule.status == 201, rule.body.constData());
        }
    }
}

void TestAppointments::schedulesAreManagedByAdmins()
{
    const QString department = createDepartment(u"sched"_s, {m_doc1Id});
    const QByteArray path = withId(api::DepartmentSchedules, department);
    const QByteArray body = jsonBytes({{u"doctorId"_s, m_doc1Id},
                                       {u"weekday"_s, 3},
                                       {u"start"_s, u"14:00"_s},
                                       {u"end"_s, u"16:30"_s},
                                       {u"slotMinutes"_s, 20}});
    const qint64 before = m_fixture->count("SELECT count(*) FROM doctor_schedules");
    QCOMPARE(send("POST", path, m_desk, body).status, 403);
    QCOMPARE(send("POST", path, m_doc1, body).status, 403);
    const RawResponse created = send("POST", path, m_admin, body);
    QCOMPARE(created.status, 201);
    QCOMPARE(created.json().value(u"start"_s).toString(), u"14:00"_s);
    QCOMPARE(created.json().value(u"end"_s).toString(), u"16:30"_s);
    QCOMPARE(created.json().value(u"weekday"_s).toInt(), 3);
    // The doctor is already busy then (in this or any department): 409.
    QJsonObject overlapping = QJsonDocument::fromJson(body).object();
    overlapping.insert(u"start"_s, u"16:00"_s);
    overlapping.insert(u"end"_s, u"17:00"_s);
    QCOMPARE(send("POST", path, m_admin, jsonBytes(overlapping)).status, 409);
    overlapping.insert(u"start"_s, u"16:30"_s);
    QCOMPARE(send("POST", path, m_admin, jsonBytes(overlapping)).status, 201);
    QJsonObject morning = QJsonDocument::fromJson(body).object();
    morning.insert(u"start"_s, u"11:00"_s);
    morning.insert(u"end"_s, u"13:00"_s);
    QCOMPARE(send("POST", path, m_admin, jsonBytes(morning)).status, 409); // gen's 08-12
    // doc2 is not a doctor of this department.
    QJsonObject notHere = QJsonDocument::fromJson(body).object();
    notHere.insert(u"doctorId"_s, m_doc2Id);
    const RawResponse refused = send("POST", path, m_admin, jsonBytes(notHere));
    QCOMPARE(refused.status, 422);
    QCOMPARE(refused.json().value(u"errors"_s).toArray()[0].toObject().value(u"field"_s),
             QJsonValue(u"doctorId"_s));
    for (
        const QByteArray &bad :
        {QByteArray(
             R"({"doctorId":"1","weekday":0,"start":"08:00","end":"09:00","slotMinutes":15})"),
         QByteArray(
             R"({"doctorId":"1","weekday":1,"start":"8:00","end":"09:00","slotMinutes":15})"),
         QByteArray(
             R"({"doctorId":"1","weekday":1,"start":"09:00","end":"09:00","slotMinutes":15})"),
         QByteArray(
             R"({"doctorId":"1","weekday":1,"start":"08:00","end":"09:00","slotMinutes":2})"),
         QByteArray(
             R"({"doctorId":"1","weekday":1,"start":"08:00","end":"24:00","slotMinutes":15})"),
         QByteArray(
             R"({"doctorId":"1","weekday":1,"start":"08:00","end":"09:00","slotMinutes":15,"capacity":2})")})
        QCOMPARE(send("POST", path, m_admin, bad).status, 422);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM doctor_schedules"), before + 2);
    const RawResponse list = send("GET", path, m_lab);
    QCOMPARE(list.status, 200);
    QCOMPARE(list.json().value(u"items"_s).toArray().size(), 2);
    QCOMPARE(send("GET", withId(api::DepartmentSchedules, u"987654321"_s), m_lab).status, 404);
}

void TestAppointments::slotsFollowTheHospitalTimezone()
{
    const QString date = localDate(1);
    const RawResponse slots =
        send("GET", withId(api::DepartmentSlots, m_department) + "?date=" + date.toLatin1(), m_lab);
    QCOMPARE(slots.status, 200);
    const QJsonArray items = slots.json().value(u"items"_s).toArray();
    QCOMPARE(items.size(), 16); // two doctors, 08:00-12:00 in 30-minute slots
    const QJsonObject first = items[0].toObject();
    // 08:00 in Kolkata is 02:30 UTC of the same date.
    QCOMPARE(first.value(u"start"_s).toString(), QString(date + u"T02:30:00.000Z"_s));
    QCOMPARE(first.value(u"end"_s).toString(), QString(date + u"T03:00:00.000Z"_s));
    QCOMPARE(first.value(u"start"_s).toString(), utc(date, u"08:00"_s));
    QCOMPARE(items[15].toObject().value(u"start"_s).toString(), utc(date, u"11:30"_s));
    const RawResponse one = send("GET",
                                 withId(api::DepartmentSlots, m_department) + "?date="
                                     + date.toLatin1() + "&doctorId=" + m_doc2Id.toLatin1(),
                                 m_desk);
    QCOMPARE(one.json().value(u"items"_s).toArray().size(), 8);
    for (const QJsonValue &slot : one.json().value(u"items"_s).toArray())
        QCOMPARE(slot.toObject().value(u"doctorId"_s).toString(), m_doc2Id);
    // Yesterday's slots have all started: none is free.
    QCOMPARE(send("GET",
                  withId(api::DepartmentSlots, m_department) + "?date=" + localDate(-1).toLatin1(),
                  m_lab)
                 .json()
                 .value(u"items"_s)
                 .toArray()
                 .size(),
             0);
    const QByteArray base = withId(api::DepartmentSlots, m_department);
    QCOMPARE(send("GET", base, m_lab).status, 422);
    QCOMPARE(send("GET", base + "?date=2026-02-30", m_lab).status, 422);
    QCOMPARE(send("GET", base + "?date=" + date.toLatin1() + "&x=1", m_lab).status, 422);
    QCOMPARE(send("GET", withId(api::DepartmentSlots, u"987654321"_s) + "?date=" + date.toLatin1(),
                  m_lab)
                 .status,
             404);
}

void TestAppointments::offDaysRemoveSlots()
{
    const QString date = localDate(5);
    const QByteArray path = withId(api::DoctorOffDays, m_doc2Id);
    const QByteArray body = jsonBytes({{u"date"_s, date}, {u"reason"_s, u"Conference"_s}});
    QCOMPARE(send("POST", path, m_desk, body).status, 403);
    QCOMPARE(send("POST", path, m_admin, body).status, 201);
    QCOMPARE(send("POST", path, m_admin, body).status, 200);
    QCOMPARE(send("POST", path, m_admin, R"({"date":"tomorrow"})").status, 422);
    QCOMPARE(send("POST", withId(api::DoctorOffDays, m_betaDocId), m_admin, body).status, 404);
    const QByteArray slots =
        withId(api::DepartmentSlots, m_department) + "?date=" + date.toLatin1() + "&doctorId=";
    QCOMPARE(
        send("GET", slots + m_doc2Id.toLatin1(), m_lab).json().value(u"items"_s).toArray().size(),
        0);
    QCOMPARE(
        send("GET", slots + m_doc1Id.toLatin1(), m_lab).json().value(u"items"_s).toArray().size(),
        8);
    // No booking on an off day.
    const QStringList patients = makePatients(m_alpha, 1);
    QCOMPARE(book(patients[0], m_department, m_doc2Id, utc(date, u"09:00"_s)).status, 422);
}

void TestAppointments::offDaysAreListedAndRemoved()
{
    const QString first = localDate(20);
    const QString second = localDate(21);
    const QByteArray path = withId(api::DoctorOffDays, m_doc1Id);
    for (const QString &day : {first, second})
        QCOMPARE(send("POST", path, m_admin, jsonBytes({{u"date"_s, day}})).status, 201);
    const RawResponse listed = send("GET", path + "?from=" + first.toLatin1(), m_desk);
    QCOMPARE(listed.status, 200);
    QCOMPARE(listed.json().value(u"items"_s).toArray(), QJsonArray({first, second}));
    QCOMPARE(send("GET", path + "?from=soon", m_desk).status, 422);
    QCOMPARE(send("GET", path + "?until=" + first.toLatin1(), m_desk).status, 422);

    const QByteArray one = path + '/' + first.toLatin1();
    QCOMPARE(send("DELETE", one, m_desk).status, 403);
    const qint64 before = m_fixture->count("SELECT count(*) FROM doctor_off_days");
    QCOMPARE(send("DELETE", one, m_admin).status, 204);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM doctor_off_days"), before - 1);
    QCOMPARE(send("DELETE", one, m_admin).status, 404);
    QCOMPARE(send("DELETE", path + "/not-a-date", m_admin).status, 404);
    QCOMPARE(
        send("DELETE", withId(api::DoctorOffDays, m_betaDocId) + '/' + second.toLatin1(), m_admin)
            .status,
        404);
    QCOMPARE(
        send("GET", path + "?from=" + first.toLatin1(), m_desk).json().value(u"items"_s).toArray(),
        QJsonArray({second}));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = "
                              "'schedule.off_day.remove'"),
             1);
    // The day has slots again.
    QCOMPARE(send("GET",
                  withId(api::DepartmentSlots, m_department) + "?date=" + first.toLatin1()
                      + "&doctorId=" + m_doc1Id.toLatin1(),
                  m_lab)
                 .json()
                 .value(u"items"_s)
                 .toArray()
                 .size(),
             8);
}

void TestAppointments::scheduleRulesAreRemoved()
{
    const QString department = createDepartment(u"unsched"_s, {m_doc2Id});
    const QByteArray path = withId(api::DepartmentSchedules, department);
    const RawResponse created = send("POST", path, m_admin,
                                     jsonBytes({{u"doctorId"_s, m_doc2Id},
                                                {u"weekday"_s, 6},
                                                {u"start"_s, u"18:00"_s},
                                                {u"end"_s, u"19:00"_s},
                                                {u"slotMinutes"_s, 30}}));
    QCOMPARE(created.status, 201);
    const QByteArray rule = path + '/' + created.json().value(u"id"_s).toString().toLatin1();
    QCOMPARE(send("DELETE", rule, m_doc1).status, 403);
    QCOMPARE(send("DELETE",
                  withId(api::DepartmentSchedules, m_department) + '/'
                      + created.json().value(u"id"_s).toString().toLatin1(),
                  m_admin)
                 .status,
             404); // another department's rule
    QCOMPARE(send("DELETE", rule, m_admin).status, 204);
    QCOMPARE(send("GET", path, m_lab).json().value(u"items"_s).toArray().size(), 0);
    QCOMPARE(send("DELETE", rule, m_admin).status, 404);
    QCOMPARE(send("DELETE", rule, m_betaAdmin).status, 404);
}

void TestAppointments::departmentsAreRenamedAndDeactivated()
{
    const QString department = createDepartment(u"rename"_s, {m_doc1Id});
    const QByteArray path = withId(api::Department, department);
    const RawResponse read = send("GET", path, m_desk);
    QCOMPARE(read.status, 200);
    QCOMPARE(read.header("etag"), QByteArray("\"1\""));
    QCOMPARE(read.json().value(u"code"_s).toString(), u"rename"_s);

    const QByteArray rename = jsonBytes({{u"name"_s, u"Ear, Nose and Throat"_s}});
    QCOMPARE(send("PATCH", path, m_admin, rename).status, 428);
    QCOMPARE(send("PATCH", path, m_desk, rename, "If-Match: \"1\"\r\n").status, 403);
    QCOMPARE(send("PATCH", path, m_admin, rename, "If-Match: \"7\"\r\n").status, 412);
    for (const QByteArray &bad :
         {QByteArray("{}"), QByteArray(R"({"name":""})"), QByteArray(R"({"name":" padded"})"),
          QByteArray(R"({"active":"no"})"), QByteArray(R"({"code":"other"})")})
        QCOMPARE(send("PATCH", path, m_admin, bad, "If-Match: \"1\"\r\n").status, 422);
    const RawResponse renamed = send("PATCH", path, m_admin, rename, "If-Match: \"1\"\r\n");
    QCOMPARE(renamed.status, 200);
    QCOMPARE(renamed.header("etag"), QByteArray("\"2\""));
    QCOMPARE(renamed.json().value(u"name"_s).toString(), u"Ear, Nose and Throat"_s);
    QCOMPARE(renamed.json().value(u"code"_s).toString(), u"rename"_s);
    QCOMPARE(send("PATCH", path, m_admin, rename, "If-Match: \"1\"\r\n").status, 412);
    QCOMPARE(send("PATCH", withId(api::Department, department), m_betaAdmin, rename,
                  "If-Match: \"2\"\r\n")
                 .status,
             404);

    // Deactivated: no new check-ins; the change is on the department's live topic.
    const QStringList patients = makePatients(m_alpha, 1);
    const RawResponse off =
        send("PATCH", path, m_admin, jsonBytes({{u"active"_s, false}}), "If-Match: \"2\"\r\n");
    QCOMPARE(off.status, 200);
    QCOMPARE(off.json().value(u"active"_s).toBool(), false);
    QCOMPARE(off.json().value(u"name"_s).toString(), u"Ear, Nose and Throat"_s);
    const RawResponse checkIn =
        send("POST", api::Visits, m_desk,
             jsonBytes({{u"patientId"_s, patients[0]}, {u"departmentId"_s, department}}));
    QVERIFY2(checkIn.status == 404 || checkIn.status == 422, checkIn.body.constData());
    QCOMPARE(m_fixture->count("SELECT count(*) FROM events WHERE type = 'department.updated' "
                              "AND topic = 'queue:"
                              + department.toStdString() + "'"),
             2);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'department.update' "
                              "AND entity_id = '"
                              + department.toStdString() + "'"),
             2);
    const RawResponse on =
        send("PATCH", path, m_admin, jsonBytes({{u"active"_s, true}}), "If-Match: \"3\"\r\n");
    QCOMPARE(on.status, 200);
    QCOMPARE(send("POST", api::Visits, m_desk,
                  jsonBytes({{u"patientId"_s, patients[0]}, {u"departmentId"_s, department}}))
                 .status,
             201);
}

void TestAppointments::doctorsLeaveDepartments()
{
    const QString department = createDepartment(u"leave"_s, {m_doc1Id, m_doc2Id});
    const QByteArray doctor =
        withId(api::DepartmentDoctors, department) + '/' + m_doc2Id.toLatin1();
    const auto listed = [&] {
        QStringList ids;
        const RawResponse list = send("GET", withId(api::DepartmentDoctors, department), m_desk);
        for (const QJsonValue &item : list.json().value(u"items"_s).toArray()) {
            if (!item.toObject().value(u"displayName"_s).toString().isEmpty())
                ids.append(item.toObject().value(u"userId"_s).toString());
        }
        ids.sort();
        return ids;
    };
    QStringList both{m_doc1Id, m_doc2Id};
    both.sort();
    QCOMPARE(listed(), both);
    QCOMPARE(send("GET", withId(api::DepartmentDoctors, department), m_betaAdmin).status, 404);
    QCOMPARE(send("DELETE", doctor, m_desk).status, 403);
    const qint64 before = m_fixture->count("SELECT count(*) FROM department_doctors");
    QCOMPARE(send("DELETE", doctor, m_admin).status, 204);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM department_doctors"), before - 1);
    QCOMPARE(listed(), QStringList{m_doc1Id});
    QCOMPARE(send("DELETE", doctor, m_admin).status, 404);
    QCOMPARE(send("DELETE",
                  withId(api::DepartmentDoctors, department) + '/' + m_betaDocId.toLatin1(),
                  m_admin)
                 .status,
             404);
    // doc2 can no longer get a schedule there; doc1 still can.
    const QByteArray schedules = withId(api::DepartmentSchedules, department);
    const auto rule = [](const QString &doctorId) {
        return jsonBytes({{u"doctorId"_s, doctorId},
                          {u"weekday"_s, 7},
                          {u"start"_s, u"20:00"_s},
                          {u"end"_s, u"21:00"_s},
                          {u"slotMinutes"_s, 30}});
    };
    QCOMPARE(send("POST", schedules, m_admin, rule(m_doc2Id)).status, 422);
    QCOMPARE(send("POST", schedules, m_admin, rule(m_doc1Id)).status, 201);
}

void TestAppointments::bookCancelReschedule()
{
    const QString date = localDate(2);
    const QStringList patients = makePatients(m_alpha, 2);
    const QString nine = utc(date, u"09:00"_s);
    const QString ten = utc(date, u"10:00"_s);
    const qint64 eventsBefore = m_fixture->count(
        "SELECT count(*) FROM events WHERE topic = 'queue:" + m_department.toStdString() + "'");

    // The start may be given with any offset: 09:00+05:30 is the 09:00 slot.
    const RawResponse booked =
        book(patients[0], m_department, m_doc1Id, date + u"T09:00:00+05:30"_s);
    QVERIFY2(booked.status == 201, booked.body.constData());
    const QJsonObject json = booked.json();
    const QString id = json.value(u"id"_s).toString();
    QCOMPARE(json.value(u"start"_s).toString(), nine);
    QCOMPARE(json.value(u"end"_s).toString(), utc(date, u"09:30"_s));
    QCOMPARE(json.value(u"date"_s).toString(), date);
    QCOMPARE(json.value(u"state"_s).toString(), u"booked"_s);
    QCOMPARE(json.value(u"reason"_s).toString(), u"Follow-up"_s);
    QCOMPARE(booked.header("etag"), QByteArray("\"1\""));
    QCOMPARE(booked.header("location"), QByteArray(api::Appointments) + '/' + id.toLatin1());

    // The slot is no longer free; booking it again names it.
    const QByteArray freePath = withId(api::DepartmentSlots, m_department)
        + "?date=" + date.toLatin1() + "&doctorId=" + m_doc1Id.toLatin1();
    const auto freeStarts = [&] {
        QStringList starts;
        for (const QJsonValue &slot :
             send("GET", freePath, m_lab).json().value(u"items"_s).toArray())
            starts.append(slot.toObject().value(u"start"_s).toString());
        return starts;
    };
    QVERIFY(!freeStarts().contains(nine));
    QCOMPARE(freeStarts().size(), 7);
    const RawResponse taken = book(patients[1], m_department, m_doc1Id, nine);
    QCOMPARE(taken.status, 409);
    QCOMPARE(taken.json().value(u"slot"_s).toObject().value(u"start"_s).toString(), nine);
    QCOMPARE(taken.json().value(u"slot"_s).toObject().value(u"doctorId"_s).toString(), m_doc1Id);
    QVERIFY(taken.json().value(u"detail"_s).toString().contains(nine));
    // The other doctor's 09:00 is a different slot.
    QCOMPARE(book(patients[1], m_department, m_doc2Id, nine).status, 201);
    // Not a slot start; a past slot; a doctor not in the department.
    QCOMPARE(book(patients[1], m_department, m_doc1Id, utc(date, u"09:10"_s)).status, 422);
    QCOMPARE(book(patients[1], m_department, m_doc1Id, utc(date, u"13:00"_s)).status, 422);
    QCOMPARE(book(patients[1], m_department, m_doc1Id, utc(localDate(-1), u"09:00"_s)).status, 422);
    const QString other = createDepartment(u"other"_s, {});
    QCOMPARE(book(patients[1], other, m_doc1Id, nine).status, 404);

    const QByteArray reschedule = withId(api::AppointmentReschedule, id);
    const QByteArray toTen = jsonBytes({{u"start"_s, ten}});
    QCOMPARE(send("POST", reschedule, m_desk, toTen).status, 428);
    QCOMPARE(send("POST", reschedule, m_desk, toTen, ifMatch(2)).status, 412);
    // Onto its own slot: nothing to do.
    QCOMPARE(send("POST", reschedule, m_desk, jsonBytes({{u"start"_s, nine}}), ifMatch(1)).status,
             422);
    // Onto a taken slot: 409 naming it, the appointment keeps its time.
    const RawResponse other10 = book(patients[1], m_department, m_doc1Id, utc(date, u"10:30"_s));
    QCOMPARE(other10.status, 201);
    const RawResponse clash = send("POST", reschedule, m_desk,
                                   jsonBytes({{u"start"_s, utc(date, u"10:30"_s)}}), ifMatch(1));
    QCOMPARE(clash.status, 409);
    QCOMPARE(clash.json().value(u"slot"_s).toObject().value(u"start"_s).toString(),
             utc(date, u"10:30"_s));
    const RawResponse moved = send("POST", reschedule, m_doc1, toTen, ifMatch(1));
    QCOMPARE(moved.status, 200);
    QCOMPARE(moved.json().value(u"start"_s).toString(), ten);
    QCOMPARE(moved.header("etag"), QByteArray("\"2\""));
    QVERIFY(freeStarts().contains(nine)); // the old slot is free again
    QVERIFY(!freeStarts().contains(ten));

    const QByteArray cancel = withId(api::AppointmentCancel, id);
    QCOMPARE(send("POST", cancel, m_desk, R"({"reason":"Patient called"})").status, 428);
    QCOMPARE(send("POST", cancel, m_desk, R"({})", ifMatch(2)).status, 422);
    QCOMPARE(send("POST", cancel, m_desk, R"({"reason":"  "})", ifMatch(2)).status, 422);
    const RawResponse cancelled =
        send("POST", cancel, m_desk, R"({"reason":"Patient called"})", ifMatch(2));
    QCOMPARE(cancelled.status, 200);
    QCOMPARE(cancelled.json().value(u"state"_s).toString(), u"cancelled"_s);
    QCOMPARE(cancelled.json().value(u"cancelReason"_s).toString(), u"Patient called"_s);
    QVERIFY(freeStarts().contains(ten));
    const RawResponse again =
        send("POST", cancel, m_desk, R"({"reason":"Patient called"})", ifMatch(3));
    QCOMPARE(again.status, 409);
    QCOMPARE(again.json().value(u"type"_s).toString(), u"urn:hms:problem:invalid-transition"_s);
    QCOMPARE(send("POST", reschedule, m_desk, jsonBytes({{u"start"_s, nine}}), ifMatch(3)).status,
             409);
    // The freed slot can be booked again.
    QCOMPARE(book(patients[0], m_department, m_doc1Id, ten).status, 201);

    const RawResponse read = send("GET", withId(api::Appointment, id), m_doc1);
    QCOMPARE(read.status, 200);
    QCOMPARE(read.header("etag"), QByteArray("\"3\""));
    QCOMPARE(read.json().value(u"state"_s).toString(), u"cancelled"_s);

    // booked x4 (one at 10:30), rescheduled, cancelled: one event each, in the queue topic.
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    const pqxx::result events = tx.exec_params(
        "SELECT type FROM events WHERE topic = $1 AND data->>'appointmentId' = $2 ORDER BY seq",
        "queue:" + m_department.toStdString(), id.toStdString());
    QCOMPARE(int(events.size()), 3);
    QCOMPARE(events[0][0].as<std::string>(), std::string("appointment.booked"));
    QCOMPARE(events[1][0].as<std::string>(), std::string("appointment.rescheduled"));
    QCOMPARE(events[2][0].as<std::string>(), std::string("appointment.cancelled"));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM events WHERE topic = 'queue:"
                              + m_department.toStdString() + "'"),
             eventsBefore + 6);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE entity = 'appointment' AND "
                              "entity_id = '"
                              + id.toStdString() + "'"),
             4); // book, reschedule, cancel, read
}

void TestAppointments::bookingIdempotencyKeyReplays()
{
    const QString date = localDate(3);
    const QStringList patients = makePatients(m_alpha, 1);
    const QByteArray body = bookBody(patients[0], m_department, m_doc1Id, utc(date, u"08:00"_s));
    const RawResponse first =
        send("POST", api::Appointments, m_desk, body, "Idempotency-Key: appt-1\r\n");
    QCOMPARE(first.status, 201);
    const RawResponse again =
        send("POST", api::Appointments, m_desk, body, "Idempotency-Key: appt-1\r\n");
    QCOMPARE(again.status, 201);
    QCOMPARE(again.body, first.body);
    QCOMPARE(again.header("idempotent-replayed"), QByteArray("true"));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM appointments WHERE patient_id = "
                              + patients[0].toStdString()),
             1);
}

void TestAppointments::concurrentBookingsOfOneSlot()
{
    constexpr int Count = 20;
    const QString date = localDate(4);
    const QString slot = utc(date, u"11:00"_s);
    const QStringList patients = makePatients(m_alpha, Count);
    QList<QByteArray> requests;
    for (const QString &patient : patients)
        requests.append(requestWith("POST", api::Appointments, m_desk,
                                    bookBody(patient, m_department, m_doc2Id, slot)));
    const std::vector<RawResponse> answers = concurrently(m_fixture->port(), requests);
    QCOMPARE(int(answers.size()), Count);
    int created = 0;
    for (const RawResponse &answer : answers) {
        QVERIFY2(answer.status == 201 || answer.status == 409, answer.body.constData());
        if (answer.status == 201)
            ++created;
        else
            QCOMPARE(answer.json().value(u"slot"_s).toObject().value(u"start"_s).toString(), slot);
    }
    QCOMPARE(created, 1);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM appointments WHERE doctor_id = "
                              + m_doc2Id.toStdString() + " AND starts_at = '" + slot.toStdString()
                              + "'"),
             1);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM events WHERE type = 'appointment.booked' AND "
                              "data->>'startsAt' = '"
                              + slot.toStdString() + "' AND data->>'doctorId' = '"
                              + m_doc2Id.toStdString() + "'"),
             1);
    // PostgreSQL itself refuses an overlapping active appointment, whatever the service does.
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    bool refused = false;
    try {
        tx.exec_params("INSERT INTO appointments (hospital_id, department_id, doctor_id, "
                       "patient_id, starts_at, ends_at, created_by) VALUES ($1, $2, $3, $4, "
                       "$5::timestamptz + interval '10 minutes', $5::timestamptz + interval "
                       "'20 minutes', $3)",
                       m_alpha, m_department.toLongLong(), m_doc2Id.toLongLong(),
                       patients[0].toLongLong(), slot.toStdString());
    } catch (const pqxx::sql_error &e) {
        refused = e.sqlstate() == "23P01";
    }
    QVERIFY(refused);
}

void TestAppointments::listsPerDoctorDayAndPatient()
{
    const QString date = localDate(6);
    const QStringList patients = makePatients(m_alpha, 2);
    QCOMPARE(book(patients[0], m_department, m_doc1Id, utc(date, u"10:00"_s)).status, 201);
    QCOMPARE(book(patients[1], m_department, m_doc1Id, utc(date, u"08:30"_s)).status, 201);
    QCOMPARE(book(patients[0], m_department, m_doc2Id, utc(localDate(7), u"08:30"_s)).status, 201);
    const RawResponse day = send("GET",
                                 QByteArray(api::Appointments) + "?doctorId=" + m_doc1Id.toLatin1()
                                     + "&date=" + date.toLatin1(),
                                 m_doc1);
    QCOMPARE(day.status, 200);
    const QJsonArray items = day.json().value(u"items"_s).toArray();
    QCOMPARE(items.size(), 2);
    QCOMPARE(items[0].toObject().value(u"patientId"_s).toString(), patients[1]); // by time
    QCOMPARE(items[1].toObject().value(u"patientId"_s).toString(), patients[0]);
    const RawResponse mine =
        send("GET", QByteArray(api::Appointments) + "?patientId=" + patients[0].toLatin1(), m_desk);
    QCOMPARE(mine.status, 200);
    QCOMPARE(mine.json().value(u"items"_s).toArray().size(), 2);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'appointment.list' "
                              "AND entity = 'patient' AND entity_id = '"
                              + patients[0].toStdString() + "'"),
             1);
    for (const QByteArray &bad :
         {QByteArray("?doctorId=" + m_doc1Id.toLatin1()), QByteArray("?date=" + date.toLatin1()),
          QByteArray(""), QByteArray("?patientId=1&date=" + date.toLatin1()),
          QByteArray("?patientId=abc"), QByteArray("?patientId=1&x=2")})
        QCOMPARE(send("GET", QByteArray(api::Appointments) + bad, m_desk).status, 422);
    QCOMPARE(send("GET", QByteArray(api::Appointments) + "?patientId=987654321", m_desk).status,
             404);
}

void TestAppointments::checkInFromAppointment()
{
    const QStringList patients = makePatients(m_alpha, 4);
    const QString today = insertTodayAppointment(m_alpha, m_department, m_doc1Id, patients[0], 3);
    const qint64 eventsBefore = m_fixture->count(
        "SELECT count(*) FROM events WHERE topic = 'queue:" + m_department.toStdString() + "'");
    // ids that are not the appointment's: 422, nothing written.
    const qint64 before = writeCounts();
    QCOMPARE(send("POST", api::Visits, m_desk,
                  jsonBytes({{u"appointmentId"_s, today}, {u"patientId"_s, patients[1]}}))
                 .status,
             422);
    QCOMPARE(writeCounts(), before);
    const RawResponse visit =
        send("POST", api::Visits, m_desk,
             jsonBytes({{u"appointmentId"_s, today}, {u"departmentId"_s, m_department}}));
    QVERIFY2(visit.status == 201, visit.body.constData());
    const QJsonObject json = visit.json();
    QCOMPARE(json.value(u"appointmentId"_s).toString(), today);
    QCOMPARE(json.value(u"patientId"_s).toString(), patients[0]);
    QCOMPARE(json.value(u"departmentId"_s).toString(), m_department);
    QCOMPARE(json.value(u"state"_s).toString(), u"waiting"_s);
    QVERIFY(json.value(u"token"_s).toInt() >= 1);
    const QString visitId = json.value(u"id"_s).toString();
    const RawResponse appointment = send("GET", withId(api::Appointment, today), m_desk);
    QCOMPARE(appointment.json().value(u"state"_s).toString(), u"checked_in"_s);
    QCOMPARE(appointment.json().value(u"visitId"_s).toString(), visitId);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM events WHERE topic = 'queue:"
                              + m_department.toStdString() + "'"),
             eventsBefore + 2); // visit.checked_in + appointment.checked_in
    // No double check-in, and a checked-in appointment cannot be cancelled.
    const RawResponse twice =
        send("POST", api::Visits, m_desk, jsonBytes({{u"appointmentId"_s, today}}));
    QCOMPARE(twice.status, 409);
    QCOMPARE(twice.json().value(u"type"_s).toString(), u"urn:hms:problem:invalid-transition"_s);
    QCOMPARE(
        send("POST", withId(api::AppointmentCancel, today), m_desk, R"({"reason":"x"})", ifMatch(2))
            .status,
        409);

    // GET /visits/{id}: linked, ETag, audited.
    const RawResponse read = send("GET", withId(api::Visit, visitId), m_nurse);
    QCOMPARE(read.status, 200);
    QCOMPARE(read.json().value(u"appointmentId"_s).toString(), today);
    QCOMPARE(read.header("etag"), QByteArray("\"1\""));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'visit.read' AND "
                              "entity_id = '"
                              + visitId.toStdString() + "'"),
             1);
    QCOMPARE(send("GET", withId(api::Visit, visitId) + "?x=1", m_nurse).status, 422);

    // A future day's appointment or a cancelled one cannot be checked in.
    const RawResponse future =
        book(patients[1], m_department, m_doc1Id, utc(localDate(8), u"09:00"_s));
    QCOMPARE(future.status, 201);
    const RawResponse early = send("POST", api::Visits, m_desk,
                                   jsonBytes({{u"appointmentId"_s, future.json().value(u"id"_s)}}));
    QCOMPARE(early.status, 409);
    QCOMPARE(early.json().value(u"type"_s).toString(), u"urn:hms:problem:invalid-transition"_s);
    const QString toCancel =
        insertTodayAppointment(m_alpha, m_department, m_doc2Id, patients[2], 5);
    QCOMPARE(send("POST", withId(api::AppointmentCancel, toCancel), m_desk, R"({"reason":"x"})",
                  ifMatch(1))
                 .status,
             200);
    QCOMPARE(send("POST", api::Visits, m_desk, jsonBytes({{u"appointmentId"_s, toCancel}})).status,
             409);
    QCOMPARE(
        send("POST", api::Visits, m_desk, jsonBytes({{u"appointmentId"_s, u"987654321"_s}})).status,
        404);
    // A walk-in stays as it was, and still needs both ids.
    QCOMPARE(send("POST", api::Visits, m_desk,
                  jsonBytes({{u"patientId"_s, patients[3]}, {u"departmentId"_s, m_department}}))
                 .status,
             201);
    QCOMPARE(send("POST", api::Visits, m_desk, jsonBytes({{u"patientId"_s, patients[3]}})).status,
             422);
}

void TestAppointments::concurrentCheckInsOfOneAppointment()
{
    constexpr int Count = 10;
    const QStringList patients = makePatients(m_alpha, 1);
    const QString department = createDepartment(u"cci"_s, {m_doc1Id});
    const QString appointment =
        insertTodayAppointment(m_alpha, department, m_doc1Id, patients[0], 4);
    const QList<QByteArray> requests(
        Count,
        requestWith("POST", api::Visits, m_desk, jsonBytes({{u"appointmentId"_s, appointment}})));
    const std::vector<RawResponse> answers = concurrently(m_fixture->port(), requests);
    QCOMPARE(int(answers.size()), Count);
    int created = 0;
    for (const RawResponse &answer : answers) {
        QVERIFY2(answer.status == 201 || answer.status == 409, answer.body.constData());
        created += answer.status == 201 ? 1 : 0;
    }
    QCOMPARE(created, 1);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM visits WHERE department_id = "
                              + department.toStdString()),
             1);
    QCOMPARE(m_fixture->count("SELECT next - 1 FROM visit_token_counters WHERE department_id = "
                              + department.toStdString()),
             1);
}

void TestAppointments::consultationNamesAVisitOfThePatient()
{
    const QStringList patients = makePatients(m_alpha, 2);
    const QStringList betaPatients = makePatients(m_beta, 1);
    const RawResponse visit =
        send("POST", api::Visits, m_desk,
             jsonBytes({{u"patientId"_s, patients[0]}, {u"departmentId"_s, m_department}}));
    QCOMPARE(visit.status, 201);
    const QString visitId = visit.json().value(u"id"_s).toString();
    const auto consultation = [](const QString &visit) {
        return jsonBytes({{u"kind"_s, u"consultation"_s},
                          {u"body"_s,
                           QJsonObject{{u"visitId"_s, visit},
                                       {u"subjective"_s, u"Headache"_s},
                                       {u"plan"_s, u"Rest"_s}}}});
    };
    const auto post = [&](const QString &patient, const QString &visit) {
        return send("POST", withId(api::PatientDocuments, patient), m_doc1, consultation(visit));
    };
    const RawResponse created = post(patients[0], visitId);
    QVERIFY2(created.status == 201, created.body.constData());
    // Another patient's visit, an unknown one and another hospital's: the same 404.
    const qint64 documents = m_fixture->count("SELECT count(*) FROM clinical_documents");
    const RawResponse missing = post(patients[1], u"987654321"_s);
    QCOMPARE(missing.status, 404);
    QCOMPARE(post(patients[1], visitId).body, missing.body);
    const RawResponse betaVisit = [&] {
        const RawResponse department =
            send("POST", api::Departments, m_betaAdmin,
                 jsonBytes({{u"code"_s, u"cons"_s}, {u"name"_s, u"C"_s}}));
        return send("POST", api::Visits, m_betaDesk,
                    jsonBytes({{u"patientId"_s, betaPatients[0]},
                               {u"departmentId"_s, department.json().value(u"id"_s).toString()}}));
    }();
    QCOMPARE(betaVisit.status, 201);
    QCOMPARE(post(patients[0], betaVisit.json().value(u"id"_s).toString()).body, missing.body);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM clinical_documents"), documents);
    // A new version must keep naming a visit of the patient.
    const QString documentId = created.json().value(u"id"_s).toString();
    const QByteArray versions =
        withId(api::PatientDocumentVersions, patients[0]).replace("{docId}", documentId.toLatin1());
    const auto version = [](const QString &visit) {
        return jsonBytes(
            {{u"reason"_s, u"Addendum"_s},
             {u"body"_s,
              QJsonObject{{u"visitId"_s, visit}, {u"subjective"_s, u"Headache, worse"_s}}}});
    };
    QCOMPARE(send("POST", versions, m_doc1, version(u"987654321"_s), ifMatch(1)).body,
             missing.body);
    QCOMPARE(send("POST", versions, m_doc1, version(visitId), ifMatch(1)).status, 201);
}

void TestAppointments::rolesWithoutAppointmentManage()
{
    const QString date = localDate(9);
    const QStringList patients = makePatients(m_alpha, 1);
    const QByteArray body = bookBody(patients[0], m_department, m_doc1Id, utc(date, u"08:00"_s));
    const qint64 before = m_fixture->count("SELECT count(*) FROM appointments");
    for (const QByteArray &token : {m_nurse, m_lab, m_pharmacy, m_admin}) {
        QCOMPARE(send("POST", api::Appointments, token, body).status, 403);
        QCOMPARE(send("GET", QByteArray(api::Appointments) + "?patientId=" + patients[0].toLatin1(),
                      token)
                     .status,
                 403);
    }
    QCOMPARE(send("POST", api::Appointments, {}, body).status, 401);
    // 403s are audited (access denied) but write nothing else.
    QCOMPARE(m_fixture->count("SELECT count(*) FROM appointments"), before);
    const RawResponse booked = send("POST", api::Appointments, m_doc1, body);
    QCOMPARE(booked.status, 201);
    const QString id = booked.json().value(u"id"_s).toString();
    for (const QByteArray &token : {m_nurse, m_lab, m_pharmacy, m_admin}) {
        QCOMPARE(send("GET", withId(api::Appointment, id), token).status, 403);
        QCOMPARE(
            send("POST", withId(api::AppointmentCancel, id), token, R"({"reason":"x"})", ifMatch(1))
                .status,
            403);
        QCOMPARE(send("POST", withId(api::AppointmentReschedule, id), token,
                      jsonBytes({{u"start"_s, utc(date, u"08:30"_s)}}), ifMatch(1))
                     .status,
                 403);
    }
    QCOMPARE(send("GET", withId(api::Appointment, id), m_desk).json().value(u"version"_s).toInt(),
             1);
}

void TestAppointments::otherHospitalGets404()
{
    const QString date = localDate(10);
    const QStringList alphaPatients = makePatients(m_alpha, 1);
    const QStringList betaPatients = makePatients(m_beta, 1);
    const RawResponse booked =
        book(alphaPatients[0], m_department, m_doc1Id, utc(date, u"08:00"_s));
    QCOMPARE(booked.status, 201);
    const QString id = booked.json().value(u"id"_s).toString();
    const QString today =
        insertTodayAppointment(m_alpha, m_department, m_doc2Id, alphaPatients[0], 6);
    const RawResponse visit =
        send("POST", api::Visits, m_desk, jsonBytes({{u"appointmentId"_s, today}}));
    QCOMPARE(visit.status, 201);
    const QString visitId = visit.json().value(u"id"_s).toString();
    const qint64 before = m_fixture->count("SELECT count(*) FROM appointments");
    const qint64 visitsBefore = m_fixture->count("SELECT count(*) FROM visits");

    const auto same = [this](const QByteArray &method, const QByteArray &foreignPath,
                             const QByteArray &missingPath, const QByteArray &body,
                             const QByteArray &headers) {
        const RawResponse foreign = send(method, foreignPath, m_betaDesk, body, headers);
        const RawResponse missing = send(method, missingPath, m_betaDesk, body, headers);
        return foreign.status == 404 && foreign.body == missing.body;
    };
    const QString nowhere = u"987654321"_s;
    QVERIFY(same("GET", withId(api::Appointment, id), withId(api::Appointment, nowhere), {}, {}));
    QVERIFY(same("POST", withId(api::AppointmentCancel, id),
                 withId(api::AppointmentCancel, nowhere), R"({"reason":"x"})", ifMatch(1)));
    QVERIFY(same("POST", withId(api::AppointmentReschedule, id),
                 withId(api::AppointmentReschedule, nowhere),
                 jsonBytes({{u"start"_s, utc(date, u"09:00"_s)}}), ifMatch(1)));
    QVERIFY(same("GET", withId(api::Visit, visitId), withId(api::Visit, nowhere), {}, {}));
    QVERIFY(same("GET", withId(api::DepartmentSlots, m_department) + "?date=" + date.toLatin1(),
                 withId(api::DepartmentSlots, nowhere) + "?date=" + date.toLatin1(), {}, {}));
    QVERIFY(same("GET", QByteArray(api::Appointments) + "?patientId=" + alphaPatients[0].toLatin1(),
                 QByteArray(api::Appointments) + "?patientId=" + nowhere.toLatin1(), {}, {}));
    QCOMPARE(send("POST", api::Visits, m_betaDesk, jsonBytes({{u"appointmentId"_s, today}})).status,
             404);
    // Booking with alpha's department, doctor or patient from beta.
    QCOMPARE(send("POST", api::Appointments, m_betaDesk,
                  bookBody(betaPatients[0], m_department, m_doc1Id, utc(date, u"09:00"_s)))
                 .status,
             404);
    const QString betaDepartment = [this] {
        const RawResponse created = send("POST", api::Departments, m_betaAdmin,
                                         jsonBytes({{u"code"_s, u"gen"_s}, {u"name"_s, u"G"_s}}));
        return created.json().value(u"id"_s).toString();
    }();
    QVERIFY(!betaDepartment.isEmpty());
    QCOMPARE(send("POST", api::Appointments, m_betaDesk,
                  bookBody(alphaPatients[0], betaDepartment, m_betaDocId, utc(date, u"09:00"_s)))
                 .status,
             404);
    // Nothing was booked or checked in; beta's day list of alpha's doctor shows nothing.
    const RawResponse day = send("GET",
                                 QByteArray(api::Appointments) + "?doctorId=" + m_doc1Id.toLatin1()
                                     + "&date=" + date.toLatin1(),
                                 m_betaDesk);
    QCOMPARE(day.status, 200);
    QCOMPARE(day.json().value(u"items"_s).toArray().size(), 0);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM appointments"), before);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM visits"), visitsBefore);
    QCOMPARE(send("GET", withId(api::Appointment, id), m_desk).json().value(u"state"_s).toString(),
             u"booked"_s);
}

void TestAppointments::badBookingBodiesWriteNothing_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    const QByteArray ids = R"("patientId":"1","departmentId":"2","doctorId":"3")";
    QTest::newRow("empty") << QByteArray() << 400;
    QTest::newRow("malformed") << QByteArray("{\"patientId\":") << 400;
    QTest::newRow("array") << QByteArray("[]") << 400;
    QTest::newRow("duplicate-key")
        << QByteArray("{" + ids + R"(,"start":"2030-01-01T09:00:00Z","start":"x"})") << 400;
    QTest::newRow("missing-start") << QByteArray("{" + ids + "}") << 422;
    QTest::newRow("no-offset") << QByteArray("{" + ids + R"(,"start":"2030-01-01T09:00:00"})")
                               << 422;
    QTest::newRow("date-only") << QByteArray("{" + ids + R"(,"start":"2030-01-01"})") << 422;
    QTest::newRow("bad-date") << QByteArray("{" + ids + R"(,"start":"2030-02-30T09:00:00Z"})")
                              << 422;
    QTest::newRow("numeric-ids") << QByteArray(
        R"({"patientId":1,"departmentId":2,"doctorId":3,"start":"2030-01-01T09:00:00Z"})")
                                 << 422;
    QTest::newRow("unknown-field")
        << QByteArray("{" + ids + R"(,"start":"2030-01-01T09:00:00Z","slotId":"4"})") << 422;
    QTest::newRow("long-reason") << QByteArray(
        "{" + ids + R"(,"start":"2030-01-01T09:00:00Z","reason":")" + QByteArray(501, 'r') + "\"}")
                                 << 422;
}

void TestAppointments::badBookingBodiesWriteNothing()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    const qint64 before = writeCounts();
    const RawResponse response = send("POST", api::Appointments, m_desk, body);
    QCOMPARE(response.status, status);
    QCOMPARE(writeCounts(), before);
}

QTEST_GUILESS_MAIN(TestAppointments)
#include "tst_appointments.moc"
