// admitPatient and dischargePatient (issue 9) end to end: the real hms-server (in process)
// starts the runs in its admission and discharge transactions, real hms-worker processes run
// them against PostgreSQL. Timers are shortened through the server's environment: the daily
// bed-charge pass runs every 300 ms instead of at local midnight, and the cleaning escalation
// fires after 4 s instead of 2 h. Days passing are simulated by moving the admission (and its
// transfer) back in time as the superuser while no worker runs.
#include "shared/protocol/apipaths.h"
#include "support/rawhttpclient.h"
#include "support/serverfixture.h"
#include "workerprocess.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>
#include <QThread>

#include <pqxx/pqxx>

#include <memory>

using namespace hms;
using namespace hms::test;
using namespace hms::server;
using namespace Qt::StringLiterals;

namespace {

const QString Password = u"inpatient workflow horse 42"_s;
constexpr int EscalateMs = 4000;
// How long a worker may take to get to a run: a bound for a loaded machine (a cold worker
// start, a backlog of fsyncs), not an expected time: each wait returns once its condition
// holds. One catch-up wait of 20 s ran out once while other benchmarks loaded the machine.
constexpr int WorkerWaitMs = 60'000;

} // namespace

class TestInpatientWorkflows : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void wardStaffRest();
    void pausedQueueIsNotClaimed();
    void admitChargesTransferDischargeCleaned();
    void notCleanedEscalatesOnce();
    void killNineLeavesEveryEffectOnce();

private:
    std::string url() const { return m_fixture->superuserUrl(); }

    qint64 count(const std::string &sql) const { return m_fixture->count(sql); }

    static std::string n(qint64 id) { return std::to_string(id); }

    QByteArray token(const QString &username)
    {
        return accessTokenOf(m_fixture->login(u"alpha"_s, username, Password));
    }

    qint64 createBed(const QString &code, qint64 dailyRate);
    qint64 createPatient(const QString &name, const QString &phone);
    /// POST /admissions; the admission id (0 on failure).
    qint64 admit(qint64 patient, qint64 bed, qint64 deposit);
    bool discharge(qint64 admission);
    int bedVersion(qint64 bed);
    /// Housekeeping: POST /beds/{id}/status free (cleaning -> free) as a nurse.
    int markClean(qint64 bed);
    QString runStatus(const char *type, qint64 admission) const;
    bool waitForRun(const char *type, qint64 admission, const char *status, int timeoutMs);

    QStringList workerArgs() const { return {u"--queues"_s, u"alpha"_s}; }

    std::unique_ptr<ServerFixture> m_fixture;
    qint64 m_alpha = 0;
    qint64 m_beta = 0;
    qint64 m_ward = 0;
    qint64 m_nurse1 = 0;
    qint64 m_nurse2 = 0;
    qint64 m_offWardNurse = 0;
    qint64 m_supervisor = 0;
    qint64 m_desk = 0;
    qint64 m_doctor = 0;
    qint64 m_betaNurse = 0;
    QByteArray m_adminToken;
    QByteArray m_deskToken;
    QByteArray m_doctorToken;
    QByteArray m_nurseToken;
};

void TestInpatientWorkflows::initTestCase()
{
    // Read by the in-process server when it starts each run.
    qputenv("HMS_BED_CHARGE_CHECK_MS", "300");
    qputenv("HMS_BED_CLEANING_ESCALATION_MS", QByteArray::number(EscalateMs));
    m_fixture = std::make_unique<ServerFixture>(u"inpatientwf"_s);
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    m_alpha = m_fixture->createHospital(u"alpha"_s, u"Alpha"_s);
    m_beta = m_fixture->createHospital(u"beta"_s, u"Beta"_s);
    m_fixture->createUser(u"alpha"_s, u"alpha.admin"_s, Role::Admin, Password);
    m_desk = m_fixture->createUser(u"alpha"_s, u"alpha.desk"_s, Role::Reception, Password);
    m_doctor = m_fixture->createUser(u"alpha"_s, u"alpha.doc"_s, Role::Doctor, Password);
    m_nurse1 = m_fixture->createUser(u"alpha"_s, u"alpha.nurse1"_s, Role::Nurse, Password);
    m_nurse2 = m_fixture->createUser(u"alpha"_s, u"alpha.nurse2"_s, Role::Nurse, Password);
    m_offWardNurse = m_fixture->createUser(u"alpha"_s, u"alpha.nurse3"_s, Role::Nurse, Password);
    m_supervisor = m_fixture->createUser(u"alpha"_s, u"alpha.sister"_s, Role::Nurse, Password);
    m_betaNurse = m_fixture->createUser(u"beta"_s, u"beta.nurse"_s, Role::Nurse, Password);
    QVERIFY(m_alpha > 0 && m_beta > 0 && m_desk > 0 && m_doctor > 0 && m_nurse1 > 0 && m_nurse2 > 0
            && m_offWardNurse > 0 && m_supervisor > 0 && m_betaNurse > 0);
    m_adminToken = token(u"alpha.admin"_s);
    m_deskToken = token(u"alpha.desk"_s);
    m_doctorToken = token(u"alpha.doc"_s);
    m_nurseToken = token(u"alpha.nurse1"_s);
    QVERIFY(!m_adminToken.isEmpty() && !m_deskToken.isEmpty() && !m_doctorToken.isEmpty()
            && !m_nurseToken.isEmpty());

    const RawResponse ward = m_fixture->request(
        "POST", api::Wards, m_adminToken,
        QJsonObject{{u"code"_s, u"W1"_s}, {u"name"_s, u"General 1"_s}, {u"kind"_s, u"general"_s}});
    QCOMPARE(ward.status, 201);
    m_ward = ward.json().value(u"id"_s).toString().toLongLong();
    QVERIFY(m_ward > 0);
}

void TestInpatientWorkflows::cleanupTestCase()
{
    m_fixture.reset();
}

qint64 TestInpatientWorkflows::createBed(const QString &code, qint64 dailyRate)
{
    const RawResponse bed = m_fixture->request("POST", api::Beds, m_adminToken,
                                               QJsonObject{{u"wardId"_s, QString::number(m_ward)},
                                                           {u"room"_s, u"R1"_s},
                                                           {u"code"_s, code},
                                                           {u"dailyRate"_s, double(dailyRate)}});
    if (bed.status != 201)
        qWarning("bed: %d %s", bed.status, bed.body.constData());
    return bed.json().value(u"id"_s).toString().toLongLong();
}

qint64 TestInpatientWorkflows::createPatient(const QString &name, const QString &phone)
{
    const RawResponse patient = m_fixture->request("POST", api::Patients, m_deskToken,
                                                   QJsonObject{{u"fullName"_s, name},
                                                               {u"sex"_s, u"F"_s},
                                                               {u"birthDate"_s, u"1980-05-06"_s},
                                                               {u"phone"_s, phone}});
    if (patient.status != 201)
        qWarning("patient: %d %s", patient.status, patient.body.constData());
    return patient.json().value(u"id"_s).toString().toLongLong();
}

qint64 TestInpatientWorkflows::admit(qint64 patient, qint64 bed, qint64 deposit)
{
    const RawResponse admitted =
        m_fixture->request("POST", api::Admissions, m_deskToken,
                           QJsonObject{{u"patientId"_s, QString::number(patient)},
                                       {u"bedId"_s, QString::number(bed)},
                                       {u"reason"_s, u"Observation"_s},
                                       {u"deposit"_s, double(deposit)}});
    if (admitted.status != 201)
        qWarning("admit: %d %s", admitted.status, admitted.body.constData());
    return admitted.json().value(u"id"_s).toString().toLongLong();
}

bool TestInpatientWorkflows::discharge(qint64 admission)
{
    const RawResponse discharged = m_fixture->request(
        "POST", withId(api::AdmissionDischarge, QString::number(admission)), m_doctorToken,
        QJsonObject{{u"summary"_s, u"Recovered well"_s}, {u"outcome"_s, u"recovered"_s}});
    if (discharged.status != 200)
        qWarning("discharge: %d %s", discharged.status, discharged.body.constData());
    return discharged.status == 200;
}

int TestInpatientWorkflows::bedVersion(qint64 bed)
{
    return int(count("SELECT version FROM beds WHERE id = " + n(bed)));
}

int TestInpatientWorkflows::markClean(qint64 bed)
{
    const QByteArray ifMatch = "If-Match: \"" + QByteArray::number(bedVersion(bed)) + "\"\r\n";
    const std::optional<RawResponse> cleaned = RawHttpClient::roundTrip(
        m_fixture->port(),
        requestWith("POST", withId(api::BedStatus, QString::number(bed)), m_nurseToken,
                    jsonBytes({{u"status"_s, u"free"_s}}), ifMatch),
        15'000);
    return cleaned ? cleaned->status : 0;
}

QString TestInpatientWorkflows::runStatus(const char *type, qint64 admission) const
{
    pqxx::connection connection(url());
    pqxx::read_transaction tx(connection);
    const pqxx::result result = tx.exec_params(
        "SELECT status FROM wf.run WHERE workflow_type = $1 AND idempotency_key = $2",
        std::string(type), n(admission));
    return result.empty() ? QString() : QString::fromStdString(result[0][0].as<std::string>());
}

bool TestInpatientWorkflows::waitForRun(const char *type,
                                        qint64 admission,
                                        const char *status,
                                        int timeoutMs)
{
    return waitUntil(
        [&] {
            return runStatus(type, admission) == QLatin1String(status);
        },
        timeoutMs);
}

void TestInpatientWorkflows::wardStaffRest()
{
    const QByteArray path = withId(api::WardStaff, QString::number(m_ward));
    RawResponse staff = m_fixture->request("GET", path, m_adminToken);
    QCOMPARE(staff.status, 200);
    QCOMPARE(staff.json().value(u"nurses"_s).toArray().size(), 0);

    // Only admins manage wards.
    QCOMPARE(m_fixture->request("GET", path, m_nurseToken).status, 403);
    QCOMPARE(
        m_fixture
            ->request("PUT", path, m_deskToken,
                      QJsonObject{{u"nurses"_s, QJsonArray()}, {u"supervisors"_s, QJsonArray()}})
            .status,
        403);

    // Who may take which duty: a reception user is no nurse, an admin no supervisor, another
    // hospital's nurse is unknown here; each entry is named.
    const RawResponse refused = m_fixture->request(
        "PUT", path, m_adminToken,
        QJsonObject{{u"nurses"_s,
                     QJsonArray{QString::number(m_nurse1), QString::number(m_desk),
                                QString::number(m_betaNurse)}},
                    {u"supervisors"_s,
                     QJsonArray{QString::number(m_supervisor),
                                QString::number(m_fixture->count(
                                    "SELECT id FROM users WHERE username = 'alpha.admin'"))}}});
    QCOMPARE(refused.status, 422);
    QStringList fields;
    for (const QJsonValue &error : refused.json().value(u"errors"_s).toArray())
        fields.append(error.toObject().value(u"field"_s).toString());
    fields.sort();
    QCOMPARE(fields, (QStringList{u"nurses[1]"_s, u"nurses[2]"_s, u"supervisors[1]"_s}));
    const RawResponse duplicate = m_fixture->request(
        "PUT", path, m_adminToken,
        QJsonObject{{u"nurses"_s, QJsonArray{QString::number(m_nurse1), QString::number(m_nurse1)}},
                    {u"supervisors"_s, QJsonArray()}});
    QCOMPARE(duplicate.status, 422);
    QVERIFY(duplicate.body.contains("nurses[1]"));
    QCOMPARE(m_fixture->request("PUT", path, m_adminToken, QJsonObject{{u"nurses"_s, QJsonArray()}})
                 .status,
             422);
    QCOMPARE(count("SELECT count(*) FROM ward_staff"), 0);

    // An unknown ward: 404.
    QCOMPARE(
        m_fixture
            ->request("PUT", withId(api::WardStaff, u"999999"_s), m_adminToken,
                      QJsonObject{{u"nurses"_s, QJsonArray()}, {u"supervisors"_s, QJsonArray()}})
            .status,
        404);

    // A doctor may supervise, and the list is replaced as a whole.
    staff =
        m_fixture->request("PUT", path, m_adminToken,
                           QJsonObject{{u"nurses"_s, QJsonArray{QString::number(m_offWardNurse)}},
                                       {u"supervisors"_s, QJsonArray{QString::number(m_doctor)}}});
    QCOMPARE(staff.status, 200);
    staff = m_fixture->request(
        "PUT", path, m_adminToken,
        QJsonObject{{u"nurses"_s, QJsonArray{QString::number(m_nurse1), QString::number(m_nurse2)}},
                    {u"supervisors"_s, QJsonArray{QString::number(m_supervisor)}}});
    QCOMPARE(staff.status, 200);
    const QJsonObject body = staff.json();
    QCOMPARE(body.value(u"nurses"_s).toArray().size(), 2);
    QCOMPARE(body.value(u"supervisors"_s).toArray().size(), 1);
    QCOMPARE(body.value(u"supervisors"_s)[0].toObject().value(u"userId"_s).toString(),
             QString::number(m_supervisor));
    QCOMPARE(count("SELECT count(*) FROM ward_staff WHERE ward_id = " + n(m_ward)), 3);
    QCOMPARE(count("SELECT count(*) FROM ward_staff WHERE user_id = " + n(m_doctor)), 0);
    QCOMPARE(count("SELECT count(*) FROM audit_log WHERE action = 'ward.staff.set'"), 2);
    QCOMPARE(count("SELECT count(*) FROM events WHERE type = 'ward.staff_changed'"), 2);
    QCOMPARE(m_fixture->request("GET", path, m_adminToken).json(), body);
}

void TestInpatientWorkflows::pausedQueueIsNotClaimed()
{
    const qint64 bed = createBed(u"B5"_s, 500);
    const qint64 patient = createPatient(u"Paus Patient"_s, u"+15550007004"_s);
    QVERIFY(bed > 0 && patient > 0);
    QCOMPARE(runAdmin(url(), {u"wf"_s, u"queues"_s, u"pause"_s, u"nowhere"_s}).exitCode, 1);
    QCOMPARE(runAdmin(url(), {u"wf"_s, u"queues"_s, u"pause"_s}).exitCode, 2);
    const AdminRun paused = runAdmin(url(), {u"wf"_s, u"queues"_s, u"pause"_s, u"alpha"_s});
    QVERIFY2(paused.exitCode == 0, paused.err.constData());
    const qint64 admission = admit(patient, bed, 0);
    QVERIFY(admission > 0);
    const std::string created =
        "SELECT count(*) FROM notifications WHERE kind = 'admission.created' AND entity_id = "
        + n(admission);
    WorkerProcess worker(url(), workerArgs(), {}, u"hms-worker"_s);
    QThread::msleep(2000); // twenty poll intervals
    QCOMPARE(runStatus("admitPatient", admission), u"ready"_s);
    QCOMPARE(count(created), 0);
    QCOMPARE(runAdmin(url(), {u"wf"_s, u"queues"_s, u"resume"_s, u"alpha"_s}).exitCode, 0);
    QVERIFY(waitUntil(
        [&] {
            return count(created) == 2;
        },
        WorkerWaitMs));
    QCOMPARE(count("SELECT count(*) FROM audit_log WHERE action IN ('workflow.queue.pause', "
                   "'workflow.queue.resume') AND entity_id = 'alpha'"),
             2);
    // Leave nothing running: discharged, the bed cleaned (the signal waits for the run).
    QVERIFY(waitUntil(
        [&] {
            return count("SELECT count(*) FROM inpatient_accounts WHERE admission_id = "
                         + n(admission))
                == 1;
        },
        WorkerWaitMs));
    QVERIFY(discharge(admission));
    QCOMPARE(markClean(bed), 200);
    QVERIFY(waitForRun("dischargePatient", admission, "completed", WorkerWaitMs));
    QVERIFY(waitForRun("admitPatient", admission, "completed", WorkerWaitMs));
    QCOMPARE(worker.terminate(), 0);
}

void TestInpatientWorkflows::admitChargesTransferDischargeCleaned()
{
    const qint64 bed1 = createBed(u"B1"_s, 1200);
    const qint64 bed2 = createBed(u"B2"_s, 2000);
    const qint64 patient = createPatient(u"Ina Patient"_s, u"+15550007001"_s);
    QVERIFY(bed1 > 0 && bed2 > 0 && patient > 0);

    // A negative deposit is refused.
    QCOMPARE(m_fixture
                 ->request("POST", api::Admissions, m_deskToken,
                           QJsonObject{{u"patientId"_s, QString::number(patient)},
                                       {u"bedId"_s, QString::number(bed1)},
                                       {u"reason"_s, u"Observation"_s},
                                       {u"deposit"_s, -1}})
                 .status,
             422);
    const qint64 admission = admit(patient, bed1, 5000);
    QVERIFY(admission > 0);
    const std::string a = n(admission);
    const std::string bedDays = "SELECT count(*) FROM account_charges c JOIN inpatient_accounts "
                                "i ON i.id = c.account_id WHERE c.kind = 'bed_day' AND "
                                "i.admission_id = "
        + a;
    const std::string nurseEvents = "SELECT count(*) FROM events WHERE topic = 'user:" + n(m_nurse1)
        + "' AND type = "
          "'notification.created'";
    const qint64 nurseEventsBefore = count(nurseEvents);
    // Started in the admission's transaction, before any worker runs.
    QCOMPARE(runStatus("admitPatient", admission), u"ready"_s);
    const QByteArray accountPath = withId(api::AdmissionAccount, QString::number(admission));
    QCOMPARE(m_fixture->request("GET", accountPath, m_deskToken).status, 404);

    std::string today;
    {
        WorkerProcess worker(url(), workerArgs(), {}, u"hms-worker"_s);
        // The ward's nurses (not the nurse of no ward, not the supervisor) are told.
        QVERIFY(waitUntil(
            [&] {
                return count("SELECT count(*) FROM notifications WHERE kind = 'admission.created' "
                             "AND entity_id = "
                             + a)
                    == 2;
            },
            WorkerWaitMs));
        QCOMPARE(count("SELECT count(*) FROM notifications WHERE kind = 'admission.created' AND "
                       "user_id IN ("
                       + n(m_nurse1) + "," + n(m_nurse2) + ") AND patient_id = " + n(patient)),
                 2);
        QCOMPARE(count(nurseEvents), nurseEventsBefore + 1);
        // The account opens with the deposit and the day of admission is charged.
        QVERIFY(waitUntil(
            [&] {
                return count("SELECT count(*) FROM account_charges c JOIN inpatient_accounts i "
                             "ON i.id = c.account_id WHERE c.kind = 'bed_day' AND "
                             "i.admission_id = "
                             + a)
                    == 1;
            },
            WorkerWaitMs));
        const RawResponse account = m_fixture->request("GET", accountPath, m_deskToken);
        QCOMPARE(account.status, 200);
        const QJsonObject body = account.json();
        QCOMPARE(body.value(u"account"_s)[u"status"_s].toString(), u"open"_s);
        QCOMPARE(body.value(u"account"_s)[u"depositMinor"_s].toInteger(), 5000);
        QCOMPARE(body.value(u"balanceMinor"_s).toInteger(), 1200 - 5000);
        const QJsonArray charges = body.value(u"charges"_s).toArray();
        QCOMPARE(charges.size(), 2);
        QStringList kinds;
        for (const QJsonValue &charge : charges) {
            kinds.append(charge[u"kind"_s].toString());
            if (charge[u"kind"_s].toString() == u"deposit"_s)
                QCOMPARE(charge[u"amountMinor"_s].toInteger(), -5000);
            else
                today = charge[u"serviceDate"_s].toString().toStdString();
        }
        kinds.sort();
        QCOMPARE(kinds, (QStringList{u"bed_day"_s, u"deposit"_s}));
        // The ward's live topic hears of each account change (ids only, for billing screens).
        const std::string accountEvents = "SELECT count(*) FROM events WHERE topic = 'beds:"
            + n(m_ward) + "' AND data = jsonb_build_object('accountId', "
            + "(SELECT id::text FROM inpatient_accounts WHERE admission_id = " + a
            + "), 'admissionId', '" + a + "') AND type = ";
        QCOMPARE(count(accountEvents + "'account.opened'"), 1);
        QCOMPARE(count(accountEvents + "'account.charged'"), 1);
        // The account read is audited with the patient; a nurse has no billing.read.
        QCOMPARE(count("SELECT count(*) FROM audit_log WHERE action = 'account.read' AND "
                       "patient_id = "
                       + n(patient)),
                 1);
        QCOMPARE(m_fixture->request("GET", accountPath, m_nurseToken).status, 403);
        // Many short passes later, still one charge for today.
        QThread::msleep(1200);
        QCOMPARE(count(bedDays), 1);
        QCOMPARE(worker.terminate(), 0);
    }

    // While no worker runs: a transfer to the dearer bed, and three days pass (the stay
    // starts three days earlier; the transfer was mid-day two days ago).
    const RawResponse moved =
        m_fixture->request("POST", withId(api::AdmissionTransfer, QString::number(admission)),
                           m_deskToken, QJsonObject{{u"bedId"_s, QString::number(bed2)}});
    QCOMPARE(moved.status, 200);
    m_fixture->database().exec("UPDATE admissions SET admitted_at = ('" + today
                               + "'::date - 3 + time '09:00') AT TIME ZONE 'UTC' WHERE id = " + a
                               + "; UPDATE bed_transfers SET transferred_at = ('" + today
                               + "'::date - 2 + time '12:00') AT TIME ZONE 'UTC' "
                                 "WHERE admission_id = "
                               + a);
    {
        WorkerProcess worker(url(), workerArgs(), {}, u"hms-worker"_s);
        // The next pass catches up on the missing days, each priced at the bed of its start.
        QVERIFY(waitUntil(
            [&] {
                return count(bedDays) == 4;
            },
            WorkerWaitMs));
        const auto amountOn = [&](int daysBack) {
            return count("SELECT c.amount_minor FROM account_charges c JOIN inpatient_accounts i "
                         "ON i.id = c.account_id WHERE c.kind = 'bed_day' AND i.admission_id = "
                         + a + " AND c.service_date = '" + today + "'::date - "
                         + std::to_string(daysBack));
        };
        QCOMPARE(amountOn(3), 1200); // day of admission
        QCOMPARE(amountOn(2), 1200); // moved at noon: the bed at the day's start
        QCOMPARE(amountOn(1), 2000); // a whole day in bed 2
        QCOMPARE(amountOn(0), 1200); // charged before (bed 1 then), never changed

        QVERIFY(discharge(admission));
        QVERIFY(waitForRun("dischargePatient", admission, "waiting", WorkerWaitMs));
        QCOMPARE(count("SELECT count(*) FROM notifications WHERE kind = 'bed.cleaning_needed' AND "
                       "entity_id = "
                       + n(bed2) + " AND user_id IN (" + n(m_nurse1) + "," + n(m_nurse2) + ")"),
                 2);
        const QJsonObject closed = m_fixture->request("GET", accountPath, m_deskToken).json();
        QCOMPARE(closed.value(u"account"_s)[u"status"_s].toString(), u"closed"_s);
        QCOMPARE(closed.value(u"account"_s)[u"bedDays"_s].toInt(), 4);
        QCOMPARE(closed.value(u"balanceMinor"_s).toInteger(), 1200 * 3 + 2000 - 5000);
        QCOMPARE(count("SELECT count(*) FROM inpatient_accounts WHERE charges_minor = "
                       "(SELECT sum(amount_minor) FROM account_charges c WHERE c.account_id = "
                       "inpatient_accounts.id AND c.amount_minor > 0) "
                       "AND admission_id = "
                       + a),
                 1);

        // Housekeeping marks the bed clean: the run stops waiting, nobody is escalated.
        QCOMPARE(markClean(bed2), 200);
        QVERIFY(waitForRun("dischargePatient", admission, "completed", WorkerWaitMs));
        QVERIFY(waitForRun("admitPatient", admission, "completed", WorkerWaitMs));
        QThread::msleep(EscalateMs + 500);
        QCOMPARE(count("SELECT count(*) FROM notifications WHERE kind = 'bed.cleaning_overdue'"),
                 0);
        QCOMPARE(count(bedDays), 4);
        QCOMPARE(worker.terminate(), 0);
    }
}

void TestInpatientWorkflows::notCleanedEscalatesOnce()
{
    const qint64 bed = createBed(u"B3"_s, 900);
    const qint64 patient = createPatient(u"Esca Patient"_s, u"+15550007002"_s);
    QVERIFY(bed > 0 && patient > 0);
    const qint64 admission = admit(patient, bed, 0);
    QVERIFY(admission > 0);
    // Discharged before any worker ran: the discharge's run waits for the account.
    QVERIFY(discharge(admission));
    WorkerProcess worker(url(), workerArgs(), {}, u"hms-worker"_s);
    QVERIFY(waitForRun("dischargePatient", admission, "completed", WorkerWaitMs));
    QVERIFY(waitForRun("admitPatient", admission, "completed", WorkerWaitMs));
    QCOMPARE(count("SELECT count(*) FROM notifications WHERE kind = 'bed.cleaning_overdue' AND "
                   "entity_id = "
                   + n(bed)),
             1);
    QCOMPARE(count("SELECT count(*) FROM notifications WHERE kind = 'bed.cleaning_overdue' AND "
                   "user_id = "
                   + n(m_supervisor)),
             1);
    QCOMPARE(count("SELECT count(*) FROM events WHERE topic = 'user:" + n(m_supervisor)
                   + "' AND type = 'notification.created'"),
             1);
    const QJsonObject account =
        m_fixture
            ->request("GET", withId(api::AdmissionAccount, QString::number(admission)), m_deskToken)
            .json();
    QCOMPARE(account.value(u"account"_s)[u"status"_s].toString(), u"closed"_s);
    QCOMPARE(account.value(u"account"_s)[u"bedDays"_s].toInt(), 1);
    QCOMPARE(account.value(u"balanceMinor"_s).toInteger(), 900);
    QCOMPARE(account.value(u"charges"_s).toArray().size(), 1); // no deposit line for 0
    QThread::msleep(1000);
    QCOMPARE(count("SELECT count(*) FROM notifications WHERE kind = 'bed.cleaning_overdue'"), 1);
    QCOMPARE(worker.terminate(), 0);
}

void TestInpatientWorkflows::killNineLeavesEveryEffectOnce()
{
    const qint64 bed = createBed(u"B4"_s, 700);
    const qint64 patient = createPatient(u"Kill Patient"_s, u"+15550007003"_s);
    QVERIFY(bed > 0 && patient > 0);
    const qint64 admission = admit(patient, bed, 3000);
    QVERIFY(admission > 0);
    const std::string a = n(admission);
    const qint64 escalatedBefore =
        count("SELECT count(*) FROM notifications WHERE kind = 'bed.cleaning_overdue'");

    // Workers killed with SIGKILL at random moments while the stay goes on (a day passes
    // between some kills), through the discharge and the escalation timer.
    QRandomGenerator random(4242);
    for (int round = 0; round < 14; ++round) {
        WorkerProcess worker(url(), workerArgs(), {}, u"hms-worker"_s);
        QThread::msleep(200 + random.bounded(700));
        if (round % 3 == 1 && round < 9)
            m_fixture->database().exec(
                "UPDATE admissions SET admitted_at = admitted_at - interval '1 day' WHERE id = "
                + a);
        if (round == 9)
            QVERIFY(discharge(admission));
        QThread::msleep(random.bounded(400));
        worker.kill9();
    }
    WorkerProcess last(url(), workerArgs(), {}, u"hms-worker"_s);
    QVERIFY(waitForRun("dischargePatient", admission, "completed", WorkerWaitMs));
    QVERIFY(waitForRun("admitPatient", admission, "completed", WorkerWaitMs));

    const std::string account =
        "(SELECT id FROM inpatient_accounts WHERE admission_id = " + a + ")";
    const qint64 days = count("SELECT ((discharged_at AT TIME ZONE 'UTC')::date - (admitted_at AT "
                              "TIME ZONE 'UTC')::date) "
                              "+ 1 FROM admissions WHERE id = "
                              + a);
    QVERIFY(days >= 4);
    QCOMPARE(count("SELECT count(*) FROM inpatient_accounts WHERE admission_id = " + a), 1);
    QCOMPARE(count("SELECT count(*) FROM account_charges WHERE kind = 'bed_day' AND account_id = "
                   + account),
             days);
    QCOMPARE(count("SELECT count(*) FROM account_charges WHERE kind = 'deposit' AND account_id = "
                   + account),
             1);
    // The totals moved once per inserted charge.
    QCOMPARE(count("SELECT count(*) FROM inpatient_accounts i WHERE i.admission_id = " + a
                   + " AND i.status = 'closed' AND i.bed_days = " + std::to_string(days)
                   + " AND i.charges_minor = " + std::to_string(days * 700)
                   + " AND i.credits_minor = 3000"),
             1);
    QCOMPARE(count("SELECT count(*) FROM notifications WHERE kind = 'admission.created' AND "
                   "entity_id = "
                   + a),
             2);
    QCOMPARE(count("SELECT count(*) FROM notifications WHERE kind = 'bed.cleaning_needed' AND "
                   "entity_id = "
                   + n(bed)),
             2);
    QCOMPARE(count("SELECT count(*) FROM notifications WHERE kind = 'bed.cleaning_overdue'")
                 - escalatedBefore,
             1);
    QCOMPARE(count("SELECT count(*) FROM audit_log WHERE action = 'account.open' AND "
                   "details->>'admissionId' = '"
                   + a + "'"),
             1);
    QCOMPARE(count("SELECT count(*) FROM audit_log WHERE action = 'account.close' AND "
                   "details->>'admissionId' = '"
                   + a + "'"),
             1);
    // Each account event committed with its change: once, through every kill.
    const std::string accountEvents = "SELECT count(*) FROM events WHERE topic = 'beds:" + n(m_ward)
        + "' AND data->>'admissionId' = '" + a + "' AND type = ";
    QCOMPARE(count(accountEvents + "'account.opened'"), 1);
    QCOMPARE(count(accountEvents + "'account.closed'"), 1);
    QVERIFY(count(accountEvents + "'account.charged'") >= 1);
    QCOMPARE(last.terminate(), 0);
}

QTEST_GUILESS_MAIN(TestInpatientWorkflows)
#include "tst_inpatientworkflows.moc"
