// Nursing over real HTTP and PostgreSQL: a doctor prescribes for an inpatient, nurses record
// doses given, held and refused against the schedule in the hospital's time zone (one record
// per slot, also under concurrency, corrections as new rows), the ward's due list, stopping,
// discharge completing the stay's prescriptions, vitals and nursing notes as clinical
// documents, events on beds:<ward>, roles (T1), bad bodies that write nothing (I1), other
// hospitals' ids as identical 404s (T2), one audit row per call (L1), and the background
// sweep that frees beds whose reservation ran out.
#include "../ipd/ipdtestworld.h"
#include "shared/clinical/medicationrules.h"

#include <QScopeGuard>
#include <QSet>
#include <QTest>

using namespace hms;
using namespace hms::test;
using namespace hms::test::ipd;
using namespace Qt::StringLiterals;

namespace {

constexpr char Zone[] = "Asia/Kolkata"; // +05:30: local slots are not whole UTC hours

QByteArray path(const char *pathTemplate, const QString &id)
{
    return QByteArray(pathTemplate).replace("{id}", id.toUtf8());
}

QJsonObject prescriptionBody(const QString &frequency, const QString &startAt = {})
{
    QJsonObject body{{u"drug"_s, u"Paracetamol"_s},
                     {u"dose"_s, u"1 g"_s},
                     {u"route"_s, u"oral"_s},
                     {u"frequency"_s, frequency}};
    if (!startAt.isEmpty())
        body.insert(u"startAt"_s, startAt);
    return body;
}

QStringList errorFields(const RawResponse &response)
{
    QStringList fields;
    for (const QJsonValue &error : response.json().value(u"errors"_s).toArray())
        fields.append(error.toObject().value(u"field"_s).toString());
    return fields;
}

} // namespace

class TestNursing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void doctorsPrescribeOthersMayNot();
    void dueListFollowsTheHospitalsClock();
    void nursesRecordGivenHeldRefusedOncePerSlot();
    void concurrentRecordsOfOneSlotYieldOneRow();
    void stoppedPrescriptionsLeaveTheDueList();
    void dischargeCompletesThePrescriptions();
    void vitalsAndNotesAreChartedPerStay();
    void marWritesAreForNursesOnly();
    void otherHospitalsIdsAreIdentical404s();
    void badBodiesWriteNothing_data();
    void badBodiesWriteNothing();
    void oneAuditRowPerCall();
    void expiredReservationsAreSweptBackToFree();
    void statIsDueAtItsStartUntilRecorded();
    void asNeededOrdersAreListedApartNeverDue();
    void adHocDosesOfOtherHospitalsAreIdentical404s();
    void chartsPageByAdmission();
    void dueListMatchesTheSharedScheduleAcrossDaylightSaving();
    void medicationRoundShowsWhatWasRecorded();

private:
    /// A new admission of a new patient in its own bed; its id (and the patient's).
    QString admitNew(QString *patientId = nullptr);
    /// A prescription through the API as the doctor, from yesterday 00:00 local; its JSON.
    QJsonObject prescribe(const QString &admissionId, const QString &frequency);
    /// The same with any body.
    QJsonObject prescribeWith(const QString &admissionId, const QJsonObject &body);
    /// now() + \a interval (database clock) as UTC ISO with ms.
    QString nowPlus(const char *interval) const;
    /// The items of \a key ("items" or "asNeeded") of the ward's default due list, by
    /// prescription id, for the prescriptions \a ids only.
    QHash<QString, QJsonObject> dueNow(const char *key, const QStringList &ids);
    /// SQL text (as the superuser) of one value.
    QString scalar(const std::string &sql) const;
    /// The local \a time of yesterday in the hospital's zone, as UTC ISO with ms.
    QString yesterdayAt(const char *time) const;
    RawResponse
    record(const QString &prescriptionId, const QJsonObject &body, QByteArray token = {});
    RawResponse dueBetween(const QString &from, const QString &to);

    qint64 auditRows() const { return m_world.count("SELECT count(*) FROM audit_log"); }

    World m_world;
    QString m_ward;
    int m_beds = 0;
    QString m_admission; ///< active, with m_patient
    QString m_patient;
};

void TestNursing::initTestCase()
{
    const bool started = m_world.start(u"nursing"_s, [](server::ServerConfig &config) {
        config.reservationSweepMs = 200;
    });
    if (!m_world.fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(started, qPrintable(m_world.fixture->errorString()));
    {
        pqxx::connection connection(m_world.fixture->superuserUrl());
        pqxx::work tx(connection);
        tx.exec_params0("UPDATE hospitals SET timezone = $1 WHERE id = $2", Zone, m_world.alpha);
        tx.commit();
    }
    m_ward = m_world.createWard(u"MED"_s);
    QVERIFY(!m_ward.isEmpty());
    m_admission = admitNew(&m_patient);
    QVERIFY(!m_admission.isEmpty());
}

QString TestNursing::admitNew(QString *patientId)
{
    const QJsonObject bed = m_world.createBed(m_ward, u"R1"_s, u"N%1"_s.arg(++m_beds));
    const QString patient = m_world.makePatients(m_world.alpha, 1).value(0);
    const RawResponse admitted = m_world.admit(patient, bed.value(u"id"_s).toString());
    if (admitted.status != 201) {
        qWarning("admit: %d %s", admitted.status, admitted.body.constData());
        return {};
    }
    if (patientId)
        *patientId = patient;
    return admitted.json().value(u"id"_s).toString();
}

QJsonObject TestNursing::prescribe(const QString &admissionId, const QString &frequency)
{
    return prescribeWith(admissionId, prescriptionBody(frequency, yesterdayAt("00:00")));
}

QJsonObject TestNursing::prescribeWith(const QString &admissionId, const QJsonObject &body)
{
    const RawResponse created =
        m_world.send("POST", path(api::AdmissionPrescriptions, admissionId), m_world.doctor, body);
    if (created.status != 201)
        qWarning("prescribe: %d %s", created.status, created.body.constData());
    return created.json();
}

QString TestNursing::nowPlus(const char *interval) const
{
    pqxx::connection connection(m_world.fixture->superuserUrl());
    pqxx::work tx(connection);
    return QString::fromStdString(
        tx.exec_params1("SELECT to_char((now() + $1::interval) AT TIME ZONE 'UTC', "
                        "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
                        interval)[0]
            .as<std::string>());
}

QHash<QString, QJsonObject> TestNursing::dueNow(const char *key, const QStringList &ids)
{
    const RawResponse due =
        m_world.send("GET", path(api::WardMedicationsDue, m_ward), m_world.nurse);
    QHash<QString, QJsonObject> found;
    if (due.status != 200) {
        qWarning("due: %d %s", due.status, due.body.constData());
        return found;
    }
    for (const QJsonValue &item : due.json().value(QLatin1String(key)).toArray()) {
        const QString id = item.toObject().value(u"prescriptionId"_s).toString();
        if (ids.contains(id)) {
            if (found.contains(id))
                qWarning("prescription %s listed twice", qPrintable(id));
            found.insert(id, item.toObject());
        }
    }
    return found;
}

QString TestNursing::scalar(const std::string &sql) const
{
    pqxx::connection connection(m_world.fixture->superuserUrl());
    pqxx::work tx(connection);
    const pqxx::result r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? QString() : QString::fromStdString(r[0][0].c_str());
}

QString TestNursing::yesterdayAt(const char *time) const
{
    pqxx::connection connection(m_world.fixture->superuserUrl());
    pqxx::work tx(connection);
    return QString::fromStdString(
        tx.exec_params1("SELECT to_char((((now() AT TIME ZONE $1)::date - 1) + $2::time) "
                        "AT TIME ZONE $1 AT TIME ZONE 'UTC', "
                        "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
                        Zone, time)[0]
            .as<std::string>());
}

RawResponse
TestNursing::record(const QString &prescriptionId, const QJsonObject &body, QByteArray token)
{
    return m_world.send("POST", path(api::PrescriptionAdministrations, prescriptionId),
                        token.isEmpty() ? m_world.nurse : token, body);
}

RawResponse TestNursing::dueBetween(const QString &from, const QString &to)
{
    return m_world.send("GET",
                        path(api::WardMedicationsDue, m_ward) + "?from=" + from.toUtf8()
                            + "&to=" + to.toUtf8(),
                        m_world.nurse);
}

void TestNursing::doctorsPrescribeOthersMayNot()
{
    const QByteArray url = path(api::AdmissionPrescriptions, m_admission);
    const RawResponse created =
        m_world.send("POST", url, m_world.doctor, prescriptionBody(u"TDS"_s));
    QCOMPARE(created.status, 201);
    const QJsonObject rx = created.json();
    QCOMPARE(rx.value(u"status"_s).toString(), u"active"_s);
    QCOMPARE(rx.value(u"admissionId"_s).toString(), m_admission);
    QCOMPARE(rx.value(u"patientId"_s).toString(), m_patient);
    QCOMPARE(rx.value(u"frequency"_s).toString(), u"TDS"_s);
    QCOMPARE(rx.value(u"prescribedBy"_s).toString(), m_world.doctorId);
    QVERIFY(rx.value(u"scheduled"_s).toBool());
    // Its event on the ward's topic, ids only.
    QCOMPARE(m_world.count("SELECT count(*) FROM events WHERE type = 'prescription.created' AND "
                           "topic = 'beds:"
                           + m_ward.toStdString() + "' AND data->>'prescriptionId' = '"
                           + rx.value(u"id"_s).toString().toStdString() + "'"),
             1);

    // Nurses chart with clinical.write but do not prescribe: 403, audited, nothing written.
    const qint64 before = m_world.count("SELECT count(*) FROM prescriptions");
    QCOMPARE(m_world.send("POST", url, m_world.nurse, prescriptionBody(u"OD"_s)).status, 403);
    QCOMPARE(m_world.send("POST", url, m_world.desk, prescriptionBody(u"OD"_s)).status, 403);
    QCOMPARE(m_world.send("POST", url, m_world.pharmacy, prescriptionBody(u"OD"_s)).status, 403);
    QCOMPARE(m_world.count("SELECT count(*) FROM prescriptions"), before);
    QVERIFY(m_world.count("SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND "
                          "details->>'action' = 'prescription.create'")
            >= 1);

    // Readers: doctor, nurse and pharmacy (prescription.read); lab and reception not.
    for (const QByteArray &token : {m_world.doctor, m_world.nurse, m_world.pharmacy}) {
        const RawResponse list = m_world.send("GET", url, token);
        QCOMPARE(list.status, 200);
        QVERIFY(!list.json().value(u"items"_s).toArray().isEmpty());
    }
    QCOMPARE(m_world.send("GET", url, m_world.lab).status, 403);
    QCOMPARE(m_world.send("GET", url, m_world.desk).status, 403);
}

void TestNursing::dueListFollowsTheHospitalsClock()
{
    const QString admission = admitNew();
    const QJsonObject rx = prescribe(admission, u"BD"_s);
    const QString id = rx.value(u"id"_s).toString();
    QVERIFY(!id.isEmpty());
    // BD is 08:00 and 20:00 local: yesterday's 08:00 in Kolkata is 02:30 UTC.
    const QString slot = yesterdayAt("08:00");
    QVERIFY2(slot.endsWith(u"T02:30:00.000Z"_s), qPrintable(slot));
    const RawResponse due = dueBetween(yesterdayAt("07:00"), yesterdayAt("09:00"));
    QCOMPARE(due.status, 200);
    QJsonArray mine;
    for (const QJsonValue &item : due.json().value(u"items"_s).toArray()) {
        if (item.toObject().value(u"prescriptionId"_s).toString() == id)
            mine.append(item);
    }
    QCOMPARE(mine.size(), 1);
    const QJsonObject dose = mine.first().toObject();
    QCOMPARE(dose.value(u"dueAt"_s).toString(), slot);
    QCOMPARE(dose.value(u"admissionId"_s).toString(), admission);
    QCOMPARE(dose.value(u"drug"_s).toString(), u"Paracetamol"_s);
    QCOMPARE(dose.value(u"route"_s).toString(), u"oral"_s);
    QVERIFY(!dose.value(u"mrn"_s).toString().isEmpty());
    QVERIFY(!dose.value(u"fullName"_s).toString().isEmpty());
    QVERIFY(!dose.value(u"bed"_s).toString().isEmpty());
    QVERIFY(dose.value(u"overdue"_s).toBool());
    QVERIFY(dose.value(u"administration"_s).isNull());

    // Two days of BD: 4 slots; 20:00 local is 14:30 UTC.
    const RawResponse days = dueBetween(yesterdayAt("00:00"), yesterdayAt("23:59"));
    QSet<QString> slots;
    for (const QJsonValue &item : days.json().value(u"items"_s).toArray()) {
        if (item.toObject().value(u"prescriptionId"_s).toString() == id)
            slots.insert(item.toObject().value(u"dueAt"_s).toString());
    }
    QCOMPARE(slots, (QSet<QString>{yesterdayAt("08:00"), yesterdayAt("20:00")}));

    // Recorded: the slot carries its record and is no longer overdue.
    QCOMPARE(record(id, {{u"dueAt"_s, slot}, {u"outcome"_s, u"given"_s}}).status, 201);
    const RawResponse after = dueBetween(yesterdayAt("07:00"), yesterdayAt("09:00"));
    for (const QJsonValue &item : after.json().value(u"items"_s).toArray()) {
        const QJsonObject o = item.toObject();
        if (o.value(u"prescriptionId"_s).toString() != id)
            continue;
        QVERIFY(!o.value(u"overdue"_s).toBool());
        QCOMPARE(o.value(u"administration"_s).toObject().value(u"outcome"_s).toString(),
                 u"given"_s);
    }
    // The default window (now - 2 h .. now + 1 h) answers; a window backwards or too wide
    // does not; unknown parameters are refused.
    QCOMPARE(m_world.send("GET", path(api::WardMedicationsDue, m_ward), m_world.nurse).status, 200);
    QCOMPARE(dueBetween(yesterdayAt("09:00"), yesterdayAt("07:00")).status, 422);
    QCOMPARE(dueBetween(u"2020-01-01T00:00:00Z"_s, u"2020-01-05T00:00:00Z"_s).status, 422);
    QCOMPARE(dueBetween(u"yesterday"_s, yesterdayAt("07:00")).status, 422);
    QCOMPARE(m_world.send("GET", path(api::WardMedicationsDue, m_ward) + "?bogus=1", m_world.nurse)
                 .status,
             422);
    QCOMPARE(m_world.send("GET", path(api::WardMedicationsDue, m_ward), m_world.doctor).status,
             403);
}

void TestNursing::nursesRecordGivenHeldRefusedOncePerSlot()
{
    const QString admission = admitNew();
    const QString id = prescribe(admission, u"TDS"_s).value(u"id"_s).toString();
    QVERIFY(!id.isEmpty());
    const QString at8 = yesterdayAt("08:00");
    const QString at14 = yesterdayAt("14:00");
    const QString at20 = yesterdayAt("20:00");

    const RawResponse given = record(id, {{u"dueAt"_s, at8}, {u"outcome"_s, u"given"_s}});
    QCOMPARE(given.status, 201);
    QCOMPARE(given.json().value(u"dose"_s).toString(), u"1 g"_s); // the prescribed dose
    QCOMPARE(given.json().value(u"dueAt"_s).toString(), at8);
    QVERIFY(!given.json().value(u"administeredAt"_s).toString().isEmpty());

    // Held and refused need a reason.
    QCOMPARE(record(id, {{u"dueAt"_s, at14}, {u"outcome"_s, u"held"_s}}).status, 422);
    const RawResponse held = record(
        id, {{u"dueAt"_s, at14}, {u"outcome"_s, u"held"_s}, {u"reason"_s, u"NBM for surgery"_s}});
    QCOMPARE(held.status, 201);
    QVERIFY(held.json().value(u"dose"_s).isNull());
    const RawResponse refused = record(
        id, {{u"dueAt"_s, at20}, {u"outcome"_s, u"refused"_s}, {u"reason"_s, u"Nauseous"_s}});
    QCOMPARE(refused.status, 201);

    // The same slot again: 409 and still one row.
    const std::string rows = "SELECT count(*) FROM medication_administrations WHERE "
                             "prescription_id = "
        + id.toStdString();
    QCOMPARE(record(id, {{u"dueAt"_s, at8}, {u"outcome"_s, u"given"_s}}).status, 409);
    QCOMPARE(m_world.count(rows), 3);
    // Not on the schedule (09:00), or without a slot: 422.
    QCOMPARE(record(id, {{u"dueAt"_s, yesterdayAt("09:00")}, {u"outcome"_s, u"given"_s}}).status,
             422);
    QCOMPARE(record(id, {{u"outcome"_s, u"given"_s}}).status, 422);
    QCOMPARE(m_world.count(rows), 3);

    // A correction is a new row pointing at the old one; the slot shows the correction.
    const QString givenId = given.json().value(u"id"_s).toString();
    const RawResponse corrected = record(id,
                                         {{u"correctsId"_s, givenId},
                                          {u"outcome"_s, u"held"_s},
                                          {u"reason"_s, u"Charted on the wrong patient"_s}});
    QCOMPARE(corrected.status, 201);
    QCOMPARE(corrected.json().value(u"dueAt"_s).toString(), at8);
    QCOMPARE(corrected.json().value(u"correctsId"_s).toString(), givenId);
    QCOMPARE(record(id, {{u"correctsId"_s, givenId}, {u"outcome"_s, u"given"_s}}).status, 409);
    QCOMPARE(m_world.count(rows), 4);
    QCOMPARE(m_world.count("SELECT count(*) FROM medication_administrations WHERE id = "
                           + givenId.toStdString() + " AND outcome = 'given'"),
             1); // never updated
    const RawResponse due = dueBetween(yesterdayAt("07:00"), yesterdayAt("09:00"));
    bool seen = false;
    for (const QJsonValue &item : due.json().value(u"items"_s).toArray()) {
        const QJsonObject o = item.toObject();
        if (o.value(u"prescriptionId"_s).toString() == id) {
            seen = true;
            QCOMPARE(o.value(u"administration"_s).toObject().value(u"id"_s).toString(),
                     corrected.json().value(u"id"_s).toString());
        }
    }
    QVERIFY(seen);
    QCOMPARE(m_world.count("SELECT count(*) FROM events WHERE type = 'medication.administered' "
                           "AND data->>'prescriptionId' = '"
                           + id.toStdString() + "'"),
             4);

    // PRN: no slot; a dueAt is refused.
    const QString prn = prescribe(admission, u"PRN"_s).value(u"id"_s).toString();
    QCOMPARE(record(prn, {{u"outcome"_s, u"given"_s}, {u"dose"_s, u"500 mg"_s}}).status, 201);
    QCOMPARE(record(prn, {{u"outcome"_s, u"given"_s}}).status, 201);
    QCOMPARE(record(prn, {{u"dueAt"_s, at8}, {u"outcome"_s, u"given"_s}}).status, 422);
}

void TestNursing::concurrentRecordsOfOneSlotYieldOneRow()
{
    const QString admission = admitNew();
    const QString id = prescribe(admission, u"Q6H"_s).value(u"id"_s).toString();
    QVERIFY(!id.isEmpty());
    const QByteArray body =
        jsonBytes({{u"dueAt"_s, yesterdayAt("06:00")}, {u"outcome"_s, u"given"_s}});
    QList<QByteArray> requests;
    for (int i = 0; i < 8; ++i)
        requests.append(
            requestWith("POST", path(api::PrescriptionAdministrations, id), m_world.nurse, body));
    const std::vector<RawResponse> answers = concurrently(m_world.fixture->port(), requests);
    QCOMPARE(int(answers.size()), 8);
    int created = 0;
    int conflicts = 0;
    for (const RawResponse &answer : answers) {
        created += answer.status == 201;
        conflicts += answer.status == 409;
    }
    QCOMPARE(created, 1);
    QCOMPARE(conflicts, 7);
    QCOMPARE(m_world.count("SELECT count(*) FROM medication_administrations WHERE "
                           "prescription_id = "
                           + id.toStdString()),
             1);
}

void TestNursing::stoppedPrescriptionsLeaveTheDueList()
{
    const QString admission = admitNew();
    const QString id = prescribe(admission, u"QID"_s).value(u"id"_s).toString();
    QVERIFY(!id.isEmpty());
    const auto listed = [&] {
        for (const QJsonValue &item : dueBetween(yesterdayAt("05:00"), yesterdayAt("23:00"))
                                          .json()
                                          .value(u"items"_s)
                                          .toArray()) {
            if (item.toObject().value(u"prescriptionId"_s).toString() == id)
                return true;
        }
        return false;
    };
    QVERIFY(listed());
    const QByteArray stop = path(api::PrescriptionStop, id);
    QCOMPARE(m_world.send("POST", stop, m_world.nurse, QJsonObject{{u"reason"_s, u"x"_s}}).status,
             403);
    QCOMPARE(m_world.send("POST", stop, m_world.doctor, QJsonObject{}).status, 422);
    const RawResponse stopped =
        m_world.send("POST", stop, m_world.doctor, QJsonObject{{u"reason"_s, u"Rash"_s}});
    QCOMPARE(stopped.status, 200);
    QCOMPARE(stopped.json().value(u"status"_s).toString(), u"stopped"_s);
    QCOMPARE(stopped.json().value(u"stopReason"_s).toString(), u"Rash"_s);
    QCOMPARE(stopped.json().value(u"stoppedBy"_s).toString(), m_world.doctorId);
    QVERIFY(!stopped.json().value(u"stoppedAt"_s).toString().isEmpty());
    QCOMPARE(
        m_world.send("POST", stop, m_world.doctor, QJsonObject{{u"reason"_s, u"Again"_s}}).status,
        409);
    QVERIFY(!listed());
    QCOMPARE(record(id, {{u"dueAt"_s, yesterdayAt("06:00")}, {u"outcome"_s, u"given"_s}}).status,
             409);
    QCOMPARE(m_world.count("SELECT count(*) FROM events WHERE type = 'prescription.stopped' AND "
                           "data->>'prescriptionId' = '"
                           + id.toStdString() + "'"),
             1);
}

void TestNursing::dischargeCompletesThePrescriptions()
{
    const QString admission = admitNew();
    const QString first = prescribe(admission, u"OD"_s).value(u"id"_s).toString();
    const QString second = prescribe(admission, u"PRN"_s).value(u"id"_s).toString();
    QVERIFY(!first.isEmpty() && !second.isEmpty());
    const RawResponse discharged =
        m_world.send("POST", path(api::AdmissionDischarge, admission), m_world.doctor,
                     QJsonObject{{u"summary"_s, u"Recovered"_s}});
    QCOMPARE(discharged.status, 200);
    QCOMPARE(m_world.count("SELECT count(*) FROM prescriptions WHERE admission_id = "
                           + admission.toStdString()
                           + " AND status = 'completed' AND stopped_by IS NOT NULL"),
             2);
    QCOMPARE(record(second, {{u"outcome"_s, u"given"_s}}).status, 409);
    // No new prescriptions, vitals or notes on an ended stay.
    QCOMPARE(m_world
                 .send("POST", path(api::AdmissionPrescriptions, admission), m_world.doctor,
                       prescriptionBody(u"OD"_s))
                 .status,
             409);
    QCOMPARE(m_world
                 .send("POST", path(api::AdmissionVitals, admission), m_world.nurse,
                       QJsonObject{{u"pulse"_s, 70}})
                 .status,
             409);
}

void TestNursing::vitalsAndNotesAreChartedPerStay()
{
    const QByteArray vitals = path(api::AdmissionVitals, m_admission);
    const RawResponse first = m_world.send("POST", vitals, m_world.nurse,
                                           QJsonObject{{u"temperatureC"_s, 37.4},
                                                       {u"pulse"_s, 88},
                                                       {u"systolic"_s, 124},
                                                       {u"diastolic"_s, 82},
                                                       {u"spo2"_s, 97},
                                                       {u"respiration"_s, 16},
                                                       {u"painScore"_s, 3}});
    QCOMPARE(first.status, 201);
    const QJsonObject body = first.json().value(u"body"_s).toObject();
    QCOMPARE(first.json().value(u"kind"_s).toString(), u"vitals"_s);
    QCOMPARE(first.json().value(u"patientId"_s).toString(), m_patient);
    QCOMPARE(body.value(u"admissionId"_s).toString(), m_admission);
    QVERIFY(!body.value(u"takenAt"_s).toString().isEmpty());
    QCOMPARE(body.value(u"pulse"_s).toInt(), 88);
    // Taken earlier, charted now (offset given): sorted by when it was taken.
    const RawResponse earlier =
        m_world.send("POST", vitals, m_world.doctor,
                     QJsonObject{{u"pulse"_s, 92}, {u"takenAt"_s, u"2026-01-02T10:00:00+05:30"_s}});
    QCOMPARE(earlier.status, 201);
    QCOMPARE(earlier.json().value(u"body"_s).toObject().value(u"takenAt"_s).toString(),
             u"2026-01-02T04:30:00.000Z"_s);
    const RawResponse chart = m_world.send("GET", vitals, m_world.nurse);
    QCOMPARE(chart.status, 200);
    const QJsonArray items = chart.json().value(u"items"_s).toArray();
    QCOMPARE(items.size(), 2);
    QCOMPARE(items.at(0).toObject().value(u"id"_s).toString(),
             first.json().value(u"id"_s).toString());
    QCOMPARE(items.at(1).toObject().value(u"id"_s).toString(),
             earlier.json().value(u"id"_s).toString());
    QCOMPARE(m_world.count("SELECT count(*) FROM events WHERE type = 'vitals.recorded' AND "
                           "topic = 'beds:"
                           + m_ward.toStdString() + "'"),
             2);

    // Out of range, inverted pressure, nothing measured, unknown or smuggled fields, future.
    const qint64 documents = m_world.count("SELECT count(*) FROM clinical_documents");
    const QList<QPair<QJsonObject, QString>> bad{
        {{{u"pulse"_s, 300}}, u"pulse"_s},
        {{{u"temperatureC"_s, 50.5}}, u"temperatureC"_s},
        {{{u"spo2"_s, 101}}, u"spo2"_s},
        {{{u"painScore"_s, 11}}, u"painScore"_s},
        {{{u"systolic"_s, 80}, {u"diastolic"_s, 90}}, u"diastolic"_s},
        {{{u"pulse"_s, u"80"_s}}, u"pulse"_s},
        {{{u"pulse"_s, 80}, {u"mood"_s, u"ok"_s}}, u"mood"_s},
        {{{u"pulse"_s, 80}, {u"admissionId"_s, m_admission}}, u"admissionId"_s},
        {{{u"pulse"_s, 80}, {u"takenAt"_s, u"2999-01-01T00:00:00Z"_s}}, u"takenAt"_s},
        {{{u"pulse"_s, 80}, {u"takenAt"_s, u"yesterday"_s}}, u"takenAt"_s},
    };
    for (const auto &[payload, field] : bad) {
        const RawResponse refused = m_world.send("POST", vitals, m_world.nurse, payload);
        QVERIFY2(refused.status == 422, refused.body.constData());
        QVERIFY2(errorFields(refused).contains(field), refused.body.constData());
    }
    QCOMPARE(m_world.send("POST", vitals, m_world.nurse, QJsonObject{}).status, 422);
    QCOMPARE(m_world.count("SELECT count(*) FROM clinical_documents"), documents);

    // Nursing notes: 1..10000 characters.
    const QByteArray notes = path(api::AdmissionNursingNotes, m_admission);
    const RawResponse note = m_world.send("POST", notes, m_world.nurse,
                                          QJsonObject{{u"text"_s, u"Slept well; mobilising"_s}});
    QCOMPARE(note.status, 201);
    QCOMPARE(note.json().value(u"kind"_s).toString(), u"nursing_note"_s);
    QCOMPARE(
        m_world.send("POST", notes, m_world.nurse, QJsonObject{{u"text"_s, QString(10001, u'x')}})
            .status,
        422);
    QCOMPARE(m_world.send("POST", notes, m_world.nurse, QJsonObject{{u"text"_s, u""_s}}).status,
             422);
    QCOMPARE(
        m_world.send("POST", notes, m_world.nurse, QByteArray("{\"text\":\"a\\u0000b\"}")).status,
        422);
    const RawResponse noteList = m_world.send("GET", notes, m_world.doctor);
    QCOMPARE(noteList.status, 200);
    QCOMPARE(noteList.json().value(u"items"_s).toArray().size(), 1);
    // Pharmacy, lab and reception read no clinical notes.
    for (const QByteArray &token : {m_world.pharmacy, m_world.lab, m_world.desk}) {
        QCOMPARE(m_world.send("GET", notes, token).status, 403);
        QCOMPARE(m_world.send("POST", vitals, token, QJsonObject{{u"pulse"_s, 70}}).status, 403);
    }
}

void TestNursing::marWritesAreForNursesOnly()
{
    const QString id = prescribe(m_admission, u"Q8H"_s).value(u"id"_s).toString();
    QVERIFY(!id.isEmpty());
    const QJsonObject body{{u"dueAt"_s, yesterdayAt("08:00")}, {u"outcome"_s, u"given"_s}};
    const qint64 before = m_world.count("SELECT count(*) FROM medication_administrations");
    for (const QByteArray &token :
         {m_world.desk, m_world.lab, m_world.pharmacy, m_world.doctor, m_world.admin})
        QCOMPARE(record(id, body, token).status, 403);
    QCOMPARE(m_world.count("SELECT count(*) FROM medication_administrations"), before);
    QCOMPARE(record(id, body).status, 201);
}

void TestNursing::otherHospitalsIdsAreIdentical404s()
{
    const QString rx = prescribe(m_admission, u"Q12H"_s).value(u"id"_s).toString();
    QVERIFY(!rx.isEmpty());
    const QString missing = u"999999999"_s;
    const qint64 writes = m_world.count("SELECT (SELECT count(*) FROM prescriptions) + "
                                        "(SELECT count(*) FROM medication_administrations) + "
                                        "(SELECT count(*) FROM clinical_documents)");

    // Beta's doctor: prescribing, listing and charting on alpha's admission.
    const struct
    {
        QByteArray method;
        const char *pathTemplate;
        QString id;
        QJsonObject body;
    } probes[] = {
        {"POST", api::AdmissionPrescriptions, m_admission, prescriptionBody(u"OD"_s)},
        {"GET", api::AdmissionPrescriptions, m_admission, {}},
        {"POST", api::PrescriptionStop, rx, {{u"reason"_s, u"x"_s}}},
        {"POST", api::AdmissionVitals, m_admission, {{u"pulse"_s, 70}}},
        {"GET", api::AdmissionVitals, m_admission, {}},
        {"POST", api::AdmissionNursingNotes, m_admission, {{u"text"_s, u"x"_s}}},
        {"GET", api::AdmissionNursingNotes, m_admission, {}},
    };

    for (const auto &probe : probes) {
        const QByteArray body = probe.method == "GET" ? QByteArray() : jsonBytes(probe.body);
        const RawResponse foreign = m_world.send(probe.method, path(probe.pathTemplate, probe.id),
                                                 m_world.betaDoctor, body);
        const RawResponse absent =
            m_world.send(probe.method, path(probe.pathTemplate, missing), m_world.betaDoctor, body);
        const QString what =
            QString::fromLatin1(probe.method) + u' ' + QString::fromLatin1(probe.pathTemplate);
        QVERIFY2(foreign.status == 404, qPrintable(what));
        QVERIFY2(absent.status == 404, qPrintable(what));
        QCOMPARE(foreign.json().value(u"title"_s), absent.json().value(u"title"_s));
        QCOMPARE(foreign.json().value(u"detail"_s), absent.json().value(u"detail"_s));
        QCOMPARE(foreign.json().value(u"type"_s), absent.json().value(u"type"_s));
    }
    // Alpha's nurse on an unknown prescription and on beta's ward id space.
    QCOMPARE(record(missing, {{u"outcome"_s, u"given"_s}}).status, 404);
    QCOMPARE(m_world.send("GET", path(api::WardMedicationsDue, missing), m_world.nurse).status,
             404);
    QCOMPARE(m_world.count("SELECT (SELECT count(*) FROM prescriptions) + "
                           "(SELECT count(*) FROM medication_administrations) + "
                           "(SELECT count(*) FROM clinical_documents)"),
             writes);
    // The misses are audited.
    QVERIFY(m_world.count("SELECT count(*) FROM audit_log WHERE outcome = 'failure' AND "
                          "details->>'reason' = 'not-found' AND action LIKE 'prescription.%'")
            >= 2);
}

void TestNursing::badBodiesWriteNothing_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    const auto with = [](const char *name, const QJsonValue &value) {
        QJsonObject body = prescriptionBody(u"OD"_s);
        body.insert(QString::fromLatin1(name), value);
        return jsonBytes(body);
    };
    QTest::newRow("dose mistyped") << with("dose", 5) << u"dose"_s;
    QTest::newRow("unknown field") << with("colour", u"red"_s) << u"colour"_s;
    QTest::newRow("route unknown") << with("route", u"intravenous"_s) << u"route"_s;
    QTest::newRow("frequency unknown") << with("frequency", u"Q2H"_s) << u"frequency"_s;
    QTest::newRow("drug NUL") << with("drug",
                                      QString(u"Para"_s).append(QChar(0)).append(u"cetamol"_s))
                              << u"drug"_s;
    QTest::newRow("drug oversize") << with("drug", QString(201, u'x')) << u"drug"_s;
    QTest::newRow("drug blank") << with("drug", u"   "_s) << u"drug"_s;
    QTest::newRow("startAt bad") << with("startAt", u"tomorrow"_s) << u"startAt"_s;
    QTest::newRow("endAt before start") << with("endAt", u"2000-01-01T00:00:00Z"_s) << u"endAt"_s;
    QTest::newRow("duration range") << with("durationDays", 0) << u"durationDays"_s;
    QTest::newRow("smuggled patient") << with("patientId", u"1"_s) << u"patientId"_s;
    QTest::newRow("status") << with("status", u"stopped"_s) << u"status"_s;
}

void TestNursing::badBodiesWriteNothing()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    const qint64 before = m_world.count("SELECT count(*) FROM prescriptions");
    const RawResponse refused =
        m_world.send("POST", path(api::AdmissionPrescriptions, m_admission), m_world.doctor, body);
    QVERIFY2(refused.status == 422, refused.body.constData());
    QVERIFY2(errorFields(refused).contains(field), refused.body.constData());
    QCOMPARE(m_world.count("SELECT count(*) FROM prescriptions"), before);

    // Administration bodies too.
    const QString id = prescribe(m_admission, u"OD"_s).value(u"id"_s).toString();
    const qint64 records = m_world.count("SELECT count(*) FROM medication_administrations");
    for (const QByteArray &bad :
         {QByteArray("{\"outcome\":\"given\",\"dueAt\":5}"), QByteArray("{\"outcome\":\"lost\"}"),
          QByteArray("{\"outcome\":\"given\",\"nurseId\":\"1\"}"),
          QByteArray("{\"outcome\":\"refused\",\"reason\":\"x\",\"dose\":\"1 g\"}"),
          QByteArray("{\"outcome\":\"held\",\"reason\":\"a\\u0000\"}"), QByteArray("[]")}) {
        const RawResponse r =
            m_world.send("POST", path(api::PrescriptionAdministrations, id), m_world.nurse, bad);
        QVERIFY2(r.status == 422 || r.status == 400, bad.constData());
    }
    QCOMPARE(m_world.count("SELECT count(*) FROM medication_administrations"), records);
}

void TestNursing::oneAuditRowPerCall()
{
    const QString admission = admitNew();
    const QString id = prescribe(admission, u"OD"_s).value(u"id"_s).toString();
    QVERIFY(!id.isEmpty());

    const struct
    {
        QByteArray method;
        QByteArray url;
        QByteArray token;
        QByteArray body;
        int status;
        const char *action;
    } calls[] = {
        {"POST", path(api::AdmissionPrescriptions, admission), m_world.doctor,
         jsonBytes(prescriptionBody(u"BD"_s)), 201, "prescription.create"},
        {"GET",
         path(api::AdmissionPrescriptions, admission),
         m_world.pharmacy,
         {},
         200,
         "prescription.list"},
        {"POST", path(api::PrescriptionAdministrations, id), m_world.nurse,
         jsonBytes({{u"dueAt"_s, yesterdayAt("08:00")}, {u"outcome"_s, u"given"_s}}), 201,
         "medication.administer"},
        {"GET", path(api::WardMedicationsDue, m_ward), m_world.nurse, {}, 200, "medication.due"},
        {"POST", path(api::PrescriptionStop, id), m_world.doctor,
         jsonBytes({{u"reason"_s, u"Course done"_s}}), 200, "prescription.stop"},
        {"POST", path(api::AdmissionVitals, admission), m_world.nurse, jsonBytes({{u"spo2"_s, 95}}),
         201, "document.create"},
        {"GET", path(api::AdmissionVitals, admission), m_world.nurse, {}, 200, "document.list"},
        {"POST", path(api::AdmissionNursingNotes, admission), m_world.nurse,
         jsonBytes({{u"text"_s, u"Comfortable"_s}}), 201, "document.create"},
        {"GET",
         path(api::AdmissionNursingNotes, admission),
         m_world.doctor,
         {},
         200,
         "document.list"},
        // A denial is one audit row as well.
        {"POST", path(api::AdmissionPrescriptions, admission), m_world.nurse,
         jsonBytes(prescriptionBody(u"BD"_s)), 403, "access.denied"},
    };

    for (const auto &call : calls) {
        const qint64 before = auditRows();
        const RawResponse answer = m_world.send(call.method, call.url, call.token, call.body);
        QVERIFY2(answer.status == call.status,
                 qPrintable(QString::fromLatin1(call.method + ' ' + call.url + " -> ")
                            + QString::number(answer.status)));
        QCOMPARE(auditRows(), before + 1);
        QCOMPARE(scalar("SELECT action FROM audit_log ORDER BY at DESC, seq DESC LIMIT 1"),
                 QString::fromLatin1(call.action));
    }
    // Clinical entries carry the patient.
    QVERIFY(m_world.count("SELECT count(*) FROM audit_log WHERE action IN "
                          "('prescription.create', 'medication.administer', 'prescription.list') "
                          "AND patient_id IS NULL AND outcome = 'success'")
            == 0);
}

void TestNursing::expiredReservationsAreSweptBackToFree()
{
    const QString bed = m_world.createBed(m_ward, u"R2"_s, u"RES1"_s).value(u"id"_s).toString();
    const QString patient = m_world.makePatients(m_world.alpha, 1).value(0);
    QVERIFY(!bed.isEmpty() && !patient.isEmpty());
    const RawResponse reserved =
        m_world.send("POST", path(api::BedReservation, bed), m_world.desk,
                     QJsonObject{{u"patientId"_s, patient}, {u"expiresInMinutes"_s, 1}});
    QCOMPARE(reserved.status, 200);
    QCOMPARE(m_world.bedStatus(bed), u"reserved"_s);
    {
        pqxx::connection connection(m_world.fixture->superuserUrl());
        pqxx::work tx(connection);
        tx.exec_params0("UPDATE beds SET reserved_until = now() - interval '1 minute' "
                        "WHERE id = $1",
                        bed.toLongLong());
        tx.commit();
    }
    QVERIFY(waitUntil(
        [&] {
            return m_world.bedStatus(bed) == u"free"_s;
        },
        10'000));
    QCOMPARE(m_world.count("SELECT count(*) FROM beds WHERE id = " + bed.toStdString()
                           + " AND reserved_for IS NULL AND reserved_until IS NULL"),
             1);
    QCOMPARE(m_world.count("SELECT count(*) FROM events WHERE type = 'bed.reservation_expired' "
                           "AND data->>'bedId' = '"
                           + bed.toStdString() + "' AND topic = 'beds:" + m_ward.toStdString()
                           + "'"),
             1);
    QCOMPARE(m_world.count("SELECT count(*) FROM audit_log WHERE action = "
                           "'bed.reservation.expire' AND entity_id = '"
                           + bed.toStdString()
                           + "' AND actor_user_id IS NULL AND actor_role = 'system' AND "
                             "patient_id = "
                           + patient.toStdString()),
             1);
    // A live reservation is left alone.
    const QString other = m_world.createBed(m_ward, u"R2"_s, u"RES2"_s).value(u"id"_s).toString();
    QCOMPARE(m_world
                 .send("POST", path(api::BedReservation, other), m_world.desk,
                       QJsonObject{{u"patientId"_s, patient}, {u"expiresInMinutes"_s, 60}})
                 .status,
             200);
    QTest::qWait(600);
    QCOMPARE(m_world.bedStatus(other), u"reserved"_s);
}

void TestNursing::statIsDueAtItsStartUntilRecorded()
{
    const QString admission = admitNew();
    const QJsonObject late =
        prescribeWith(admission, prescriptionBody(u"STAT"_s, nowPlus("-1 hour")));
    const QJsonObject fresh = prescribeWith(admission, prescriptionBody(u"STAT"_s)); // starts now
    const QJsonObject old = prescribe(admission, u"STAT"_s); // yesterday 00:00, never recorded
    const QString lateId = late.value(u"id"_s).toString();
    const QString freshId = fresh.value(u"id"_s).toString();
    const QString oldId = old.value(u"id"_s).toString();
    QVERIFY(!lateId.isEmpty() && !freshId.isEmpty() && !oldId.isEmpty());
    QVERIFY(!late.value(u"scheduled"_s).toBool());
    const QStringList ids{lateId, freshId, oldId};

    // One dose each, due at the start; overdue once more than 30 minutes past it, however
    // long ago.
    QHash<QString, QJsonObject> due = dueNow("items", ids);
    QCOMPARE(due.size(), 3);
    QCOMPARE(due[lateId].value(u"dueAt"_s).toString(), late.value(u"startAt"_s).toString());
    QCOMPARE(due[lateId].value(u"frequency"_s).toString(), u"STAT"_s);
    QCOMPARE(due[lateId].value(u"admissionId"_s).toString(), admission);
    QVERIFY(due[lateId].value(u"overdue"_s).toBool());
    QVERIFY(due[lateId].value(u"administration"_s).isNull());
    QVERIFY(!due[freshId].value(u"overdue"_s).toBool());
    QVERIFY(due[oldId].value(u"overdue"_s).toBool());
    QVERIFY(dueNow("asNeeded", ids).isEmpty());
    // A window ending before a STAT order starts does not list it.
    QSet<QString> yesterday;
    for (const QJsonValue &item :
         dueBetween(yesterdayAt("07:00"), yesterdayAt("09:00")).json().value(u"items"_s).toArray())
        yesterday.insert(item.toObject().value(u"prescriptionId"_s).toString());
    QVERIFY(yesterday.contains(oldId));
    QVERIFY(!yesterday.contains(lateId) && !yesterday.contains(freshId));

    // Given (no dueAt needed): the slot is the start, and the order leaves the list.
    const RawResponse given = record(lateId, {{u"outcome"_s, u"given"_s}});
    QCOMPARE(given.status, 201);
    QCOMPARE(given.json().value(u"dueAt"_s).toString(), late.value(u"startAt"_s).toString());
    QCOMPARE(given.json().value(u"dose"_s).toString(), u"1 g"_s);
    due = dueNow("items", ids);
    QVERIFY(!due.contains(lateId));
    QVERIFY(due.contains(freshId) && due.contains(oldId));

    // A second STAT dose is refused, with or without its slot: still one row.
    const std::string lateRows =
        "SELECT count(*) FROM medication_administrations WHERE prescription_id = "
        + lateId.toStdString();
    QCOMPARE(record(lateId, {{u"outcome"_s, u"given"_s}}).status, 409);
    QCOMPARE(record(lateId,
                    {{u"dueAt"_s, late.value(u"startAt"_s).toString()}, {u"outcome"_s, u"given"_s}})
                 .status,
             409);
    QCOMPARE(m_world.count(lateRows), 1);

    // Held (echoing the listed dueAt) is a record too; giving it later is a correction.
    const RawResponse held = record(freshId,
                                    {{u"dueAt"_s, due[freshId].value(u"dueAt"_s).toString()},
                                     {u"outcome"_s, u"held"_s},
                                     {u"reason"_s, u"Awaiting potassium result"_s}});
    QCOMPARE(held.status, 201);
    QVERIFY(!dueNow("items", ids).contains(freshId));
    QCOMPARE(record(freshId, {{u"outcome"_s, u"given"_s}}).status, 409);
    const RawResponse corrected = record(
        freshId,
        {{u"correctsId"_s, held.json().value(u"id"_s).toString()}, {u"outcome"_s, u"given"_s}});
    QCOMPARE(corrected.status, 201);
    QCOMPARE(corrected.json().value(u"dueAt"_s).toString(), fresh.value(u"startAt"_s).toString());
    QVERIFY(!dueNow("items", ids).contains(freshId));

    // Eight nurses at once on the old order: one record, seven 409s.
    QList<QByteArray> requests;
    for (int i = 0; i < 8; ++i)
        requests.append(requestWith("POST", path(api::PrescriptionAdministrations, oldId),
                                    m_world.nurse, jsonBytes({{u"outcome"_s, u"given"_s}})));
    int created = 0;
    int conflicts = 0;
    for (const RawResponse &answer : concurrently(m_world.fixture->port(), requests)) {
        created += answer.status == 201;
        conflicts += answer.status == 409;
    }
    QCOMPARE(created, 1);
    QCOMPARE(conflicts, 7);

    // Bad input: 422 naming the field, nothing written.
    const QJsonObject future =
        prescribeWith(admission, prescriptionBody(u"STAT"_s, nowPlus("3 hours")));
    const QString futureId = future.value(u"id"_s).toString();
    QVERIFY(!futureId.isEmpty());
    QVERIFY(!dueNow("items", {futureId}).contains(futureId)); // not due within the window
    const qint64 before = m_world.count("SELECT count(*) FROM medication_administrations");
    const RawResponse notItsStart =
        record(futureId, {{u"dueAt"_s, nowPlus("0 hours")}, {u"outcome"_s, u"given"_s}});
    QCOMPARE(notItsStart.status, 422);
    QVERIFY(errorFields(notItsStart).contains(u"dueAt"_s));
    const RawResponse tooEarly = record(futureId, {{u"outcome"_s, u"given"_s}});
    QCOMPARE(tooEarly.status, 422);
    QVERIFY(errorFields(tooEarly).contains(u"dueAt"_s));
    const RawResponse noReason = record(futureId, {{u"outcome"_s, u"refused"_s}});
    QCOMPARE(noReason.status, 422);
    QVERIFY(errorFields(noReason).contains(u"reason"_s));
    QCOMPARE(m_world.count("SELECT count(*) FROM medication_administrations"), before);
    QCOMPARE(m_world.count("SELECT count(*) FROM events WHERE type = 'medication.administered' "
                           "AND data->>'prescriptionId' = '"
                           + lateId.toStdString() + "'"),
             1);
}

void TestNursing::asNeededOrdersAreListedApartNeverDue()
{
    const QString admission = admitNew();
    QJsonObject body = prescriptionBody(u"PRN"_s, yesterdayAt("00:00"));
    body.insert(u"instructions"_s, u"For pain above 4/10"_s);
    const QString id = prescribeWith(admission, body).value(u"id"_s).toString();
    QJsonObject endedBody = prescriptionBody(u"PRN"_s, yesterdayAt("00:00"));
    endedBody.insert(u"endAt"_s, yesterdayAt("01:00"));
    const QString ended = prescribeWith(admission, endedBody).value(u"id"_s).toString();
    QVERIFY(!id.isEmpty() && !ended.isEmpty());
    const QStringList ids{id, ended};

    // Listed apart, never as due; an order whose period has ended is not listed.
    QVERIFY(dueNow("items", ids).isEmpty());
    QHash<QString, QJsonObject> prn = dueNow("asNeeded", ids);
    QCOMPARE(prn.size(), 1);
    QVERIFY(prn.contains(id));
    QCOMPARE(prn[id].value(u"admissionId"_s).toString(), admission);
    QCOMPARE(prn[id].value(u"frequency"_s).toString(), u"PRN"_s);
    QCOMPARE(prn[id].value(u"drug"_s).toString(), u"Paracetamol"_s);
    QCOMPARE(prn[id].value(u"instructions"_s).toString(), u"For pain above 4/10"_s);
    QVERIFY(!prn[id].value(u"mrn"_s).toString().isEmpty());
    QVERIFY(!prn[id].value(u"bed"_s).toString().isEmpty());
    QVERIFY(prn[id].value(u"lastGivenAt"_s).isNull());
    QCOMPARE(prn[id].value(u"givenLast24h"_s).toInt(-1), 0);

    // Every dose is a slot of its own, timed when recorded: two given, one held, all kept.
    const RawResponse first = record(id, {{u"outcome"_s, u"given"_s}});
    QCOMPARE(first.status, 201);
    QCOMPARE(first.json().value(u"dueAt"_s).toString(),
             first.json().value(u"administeredAt"_s).toString());
    const RawResponse second = record(id, {{u"outcome"_s, u"given"_s}, {u"dose"_s, u"500 mg"_s}});
    QCOMPARE(second.status, 201);
    QCOMPARE(second.json().value(u"dose"_s).toString(), u"500 mg"_s);
    QVERIFY(second.json().value(u"dueAt"_s).toString() > first.json().value(u"dueAt"_s).toString());
    const RawResponse held =
        record(id, {{u"outcome"_s, u"held"_s}, {u"reason"_s, u"Pain 2/10 on review"_s}});
    QCOMPARE(held.status, 201);
    const std::string rows =
        "SELECT count(*) FROM medication_administrations WHERE prescription_id IN ("
        + id.toStdString() + ", " + ended.toStdString() + ")";
    QCOMPARE(m_world.count(rows), 3);
    QVERIFY(dueNow("items", ids).isEmpty());
    prn = dueNow("asNeeded", ids);
    QCOMPARE(prn[id].value(u"givenLast24h"_s).toInt(), 2);
    QCOMPARE(prn[id].value(u"lastGivenAt"_s).toString(),
             second.json().value(u"dueAt"_s).toString());

    // A correction keeps its dose's slot and replaces it in the counts.
    const RawResponse corrected =
        record(id,
               {{u"correctsId"_s, second.json().value(u"id"_s).toString()},
                {u"outcome"_s, u"refused"_s},
                {u"reason"_s, u"Spat it out"_s}});
    QCOMPARE(corrected.status, 201);
    QCOMPARE(corrected.json().value(u"dueAt"_s).toString(),
             second.json().value(u"dueAt"_s).toString());
    prn = dueNow("asNeeded", ids);
    QCOMPARE(prn[id].value(u"givenLast24h"_s).toInt(), 1);
    QCOMPARE(prn[id].value(u"lastGivenAt"_s).toString(), first.json().value(u"dueAt"_s).toString());

    // Bad input: 422 naming the field; outside the period: 409. Nothing written.
    const qint64 before = m_world.count(rows);
    const RawResponse slotted =
        record(id, {{u"dueAt"_s, yesterdayAt("08:00")}, {u"outcome"_s, u"given"_s}});
    QCOMPARE(slotted.status, 422);
    QVERIFY(errorFields(slotted).contains(u"dueAt"_s));
    const RawResponse noReason = record(id, {{u"outcome"_s, u"held"_s}});
    QCOMPARE(noReason.status, 422);
    QVERIFY(errorFields(noReason).contains(u"reason"_s));
    QCOMPARE(record(id, {{u"outcome"_s, u"given"_s}, {u"dose"_s, 500}}).status, 422);
    QCOMPARE(record(ended, {{u"outcome"_s, u"given"_s}}).status, 409);
    QCOMPARE(m_world.count(rows), before);
}

void TestNursing::adHocDosesOfOtherHospitalsAreIdentical404s()
{
    const QString pw = QString::fromLatin1(World::Password);
    QVERIFY(m_world.fixture->createUser(u"beta"_s, u"nurse"_s, Role::Nurse, pw) > 0);
    const QByteArray betaNurse = accessTokenOf(m_world.fixture->login(u"beta"_s, u"nurse"_s, pw));
    QVERIFY(!betaNurse.isEmpty());
    const QString admission = admitNew();
    const QString stat = prescribe(admission, u"STAT"_s).value(u"id"_s).toString();
    const QString prn = prescribe(admission, u"PRN"_s).value(u"id"_s).toString();
    QVERIFY(!stat.isEmpty() && !prn.isEmpty());
    const qint64 before = m_world.count("SELECT count(*) FROM medication_administrations");
    const RawResponse absent = record(u"999999999"_s, {{u"outcome"_s, u"given"_s}}, betaNurse);
    QCOMPARE(absent.status, 404);
    for (const QString &id : {stat, prn}) {
        const RawResponse foreign = record(id, {{u"outcome"_s, u"given"_s}}, betaNurse);
        QCOMPARE(foreign.status, 404);
        QCOMPARE(foreign.json().value(u"title"_s), absent.json().value(u"title"_s));
        QCOMPARE(foreign.json().value(u"detail"_s), absent.json().value(u"detail"_s));
        QCOMPARE(foreign.json().value(u"type"_s), absent.json().value(u"type"_s));
    }
    // Alpha's ward (with its STAT and PRN orders) is not beta's.
    const RawResponse ward = m_world.send("GET", path(api::WardMedicationsDue, m_ward), betaNurse);
    QCOMPARE(ward.status, 404);
    QCOMPARE(ward.json().value(u"detail"_s), absent.json().value(u"detail"_s));
    QVERIFY(!ward.body.contains(stat.toUtf8()));
    QCOMPARE(m_world.count("SELECT count(*) FROM medication_administrations"), before);
}

void TestNursing::chartsPageByAdmission()
{
    // An earlier stay of the patient with vitals and a note, then discharge and readmission.
    QString patient;
    const QString earlier = admitNew(&patient);
    QVERIFY(!earlier.isEmpty());
    QSet<QString> earlierVitals;
    for (int i = 0; i < 3; ++i) {
        const RawResponse charted = m_world.send("POST", path(api::AdmissionVitals, earlier),
                                                 m_world.nurse, QJsonObject{{u"pulse"_s, 70 + i}});
        QCOMPARE(charted.status, 201);
        earlierVitals.insert(charted.json().value(u"id"_s).toString());
    }
    QCOMPARE(m_world
                 .send("POST", path(api::AdmissionNursingNotes, earlier), m_world.nurse,
                       QJsonObject{{u"text"_s, u"First stay"_s}})
                 .status,
             201);
    QCOMPARE(m_world
                 .send("POST", path(api::AdmissionDischarge, earlier), m_world.doctor,
                       QJsonObject{{u"summary"_s, u"Home"_s}})
                 .status,
             200);
    const QJsonObject bed = m_world.createBed(m_ward, u"R1"_s, u"N%1"_s.arg(++m_beds));
    const RawResponse readmitted = m_world.admit(patient, bed.value(u"id"_s).toString());
    QCOMPARE(readmitted.status, 201);
    const QString current = readmitted.json().value(u"id"_s).toString();
    const QByteArray vitals = path(api::AdmissionVitals, current);

    // 600 vitals on this stay, taken a minute apart and charted in scrambled order, 50 at a
    // time concurrently.
    const QDateTime base = QDateTime::fromString(yesterdayAt("00:00"), Qt::ISODateWithMs).toUTC();
    QList<QPair<QString, QString>> charted; // (takenAt, id)
    for (int chunk = 0; chunk < 12; ++chunk) {
        QList<QByteArray> requests;
        for (int j = 0; j < 50; ++j) {
            const int minute = (j * 12 + chunk) * 7 % 600; // a permutation of 0..599
            requests.append(requestWith(
                "POST", vitals, m_world.nurse,
                jsonBytes(
                    {{u"pulse"_s, 60 + minute % 50},
                     {u"takenAt"_s, base.addSecs(60 * minute).toString(Qt::ISODateWithMs)}})));
        }
        for (const RawResponse &answer : concurrently(m_world.fixture->port(), requests)) {
            QCOMPARE(answer.status, 201);
            charted.append(
                {answer.json().value(u"body"_s).toObject().value(u"takenAt"_s).toString(),
                 answer.json().value(u"id"_s).toString()});
        }
    }
    std::sort(charted.begin(), charted.end(), [](const auto &a, const auto &b) {
        return a > b;
    });
    QStringList expected;
    for (const auto &[takenAt, id] : charted)
        expected.append(id);
    QCOMPARE(QSet<QString>(expected.cbegin(), expected.cend()).size(), 600);

    // Pages of 250: exactly the 600, newest taken first, none of the other stay.
    QStringList seen;
    QByteArray url = vitals + "?limit=250";
    QList<int> sizes;
    for (int page = 0; page < 5 && !url.isEmpty(); ++page) {
        const RawResponse answer = m_world.send("GET", url, m_world.nurse);
        QCOMPARE(answer.status, 200);
        const QJsonArray items = answer.json().value(u"items"_s).toArray();
        sizes.append(int(items.size()));
        for (const QJsonValue &item : items)
            seen.append(item.toObject().value(u"id"_s).toString());
        const QString next = answer.json().value(u"nextCursor"_s).toString();
        url = next.isEmpty() ? QByteArray() : vitals + "?limit=250&cursor=" + next.toUtf8();
    }
    QCOMPARE(sizes, (QList<int>{250, 250, 100}));
    QCOMPARE(seen, expected);
    // The default page is 500 with a cursor; the earlier stay keeps its own three.
    const RawResponse firstPage = m_world.send("GET", vitals, m_world.nurse);
    QCOMPARE(firstPage.json().value(u"items"_s).toArray().size(), 500);
    QVERIFY(!firstPage.json().value(u"nextCursor"_s).toString().isEmpty());
    const RawResponse before =
        m_world.send("GET", path(api::AdmissionVitals, earlier), m_world.nurse);
    QCOMPARE(before.status, 200);
    QSet<QString> earlierSeen;
    for (const QJsonValue &item : before.json().value(u"items"_s).toArray())
        earlierSeen.insert(item.toObject().value(u"id"_s).toString());
    QCOMPARE(earlierSeen, earlierVitals);
    QVERIFY(!before.json().contains(u"nextCursor"_s));
    const RawResponse notes =
        m_world.send("GET", path(api::AdmissionNursingNotes, current), m_world.nurse);
    QCOMPARE(notes.status, 200);
    QVERIFY(notes.json().value(u"items"_s).toArray().isEmpty());

    // Cursors not from this list, and bad limits: 422 naming the parameter.
    const RawResponse patientDocs =
        m_world.send("GET", path(api::PatientDocuments, patient) + "?limit=1", m_world.nurse);
    const QByteArray otherList = patientDocs.json().value(u"nextCursor"_s).toString().toUtf8();
    QVERIFY(!otherList.isEmpty());
    for (const QByteArray &query :
         {QByteArray("cursor=garbage!"), QByteArray("cursor="), QByteArray("cursor=" + otherList),
          QByteArray("limit=0"), QByteArray("limit=501"), QByteArray("page=2")}) {
        const RawResponse refused = m_world.send("GET", vitals + '?' + query, m_world.nurse);
        QVERIFY2(refused.status == 422, query.constData());
        const QString field = QString::fromLatin1(query.left(query.indexOf('=')));
        QVERIFY2(errorFields(refused).contains(field), refused.body.constData());
    }
    // A new version keeps the stay and the time taken (422 otherwise), and its place.
    const QString oldest = expected.last();
    const QByteArray versions = QByteArray(api::PatientDocumentVersions)
                                    .replace("{id}", patient.toUtf8())
                                    .replace("{docId}", oldest.toUtf8());
    const QString takenAt = base.toString(Qt::ISODateWithMs);
    const auto version = [&](const QJsonObject &body) {
        return m_world.send("POST", versions, m_world.nurse,
                            QJsonObject{{u"body"_s, body}, {u"reason"_s, u"Misread"_s}},
                            ifMatch(1));
    };
    const RawResponse moved =
        version({{u"pulse"_s, 61}, {u"admissionId"_s, earlier}, {u"takenAt"_s, takenAt}});
    QCOMPARE(moved.status, 422);
    QVERIFY(errorFields(moved).contains(u"admissionId"_s));
    const RawResponse retimed = version(
        {{u"pulse"_s, 61}, {u"admissionId"_s, current}, {u"takenAt"_s, u"2026-01-01T00:00:00Z"_s}});
    QCOMPARE(retimed.status, 422);
    QVERIFY(errorFields(retimed).contains(u"takenAt"_s));
    QCOMPARE(version({{u"pulse"_s, 61}, {u"admissionId"_s, current}}).status, 422);
    const RawResponse fixed =
        version({{u"pulse"_s, 61}, {u"admissionId"_s, current}, {u"takenAt"_s, takenAt}});
    QCOMPARE(fixed.status, 201);
    const RawResponse last = m_world.send(
        "GET",
        vitals + "?limit=1&cursor=" +
            [&] {
                // The cursor after the 599th item: page through 599 first.
                const RawResponse page = m_world.send("GET", vitals + "?limit=499", m_world.nurse);
                const RawResponse next =
                    m_world.send("GET",
                                 vitals + "?limit=100&cursor="
                                     + page.json().value(u"nextCursor"_s).toString().toUtf8(),
                                 m_world.nurse);
                return next.json().value(u"nextCursor"_s).toString().toUtf8();
            }(),
        m_world.nurse);
    QCOMPARE(last.status, 200);
    const QJsonArray lastItems = last.json().value(u"items"_s).toArray();
    QCOMPARE(lastItems.size(), 1);
    QCOMPARE(lastItems.at(0).toObject().value(u"id"_s).toString(), oldest);
    QCOMPARE(lastItems.at(0).toObject().value(u"version"_s).toInt(), 2);
}

void TestNursing::dueListMatchesTheSharedScheduleAcrossDaylightSaving()
{
    // The hospital moves to Berlin for this test: its SQL expansion of the schedule must
    // match shared/clinical's dueSlots() over both 2026 daylight-saving changes.
    const QTimeZone berlin("Europe/Berlin");
    if (!berlin.isValid())
        QSKIP("no time zone database (tzdata) on this machine");
    const auto setZone = [this](const char *zone) {
        pqxx::connection connection(m_world.fixture->superuserUrl());
        pqxx::work tx(connection);
        tx.exec_params0("UPDATE hospitals SET timezone = $1 WHERE id = $2", zone, m_world.alpha);
        tx.commit();
    };
    setZone("Europe/Berlin");
    const auto restore = qScopeGuard([&] {
        setZone(Zone);
    });
    const QString admission = admitNew();
    QVERIFY(!admission.isEmpty());
    QHash<QString, QString> codes; // prescription id -> frequency
    for (const QString &code : medication::frequencyCodes()) {
        if (!medication::isScheduled(code))
            continue;
        const QString id =
            prescribeWith(admission, prescriptionBody(code, u"2026-03-01T00:00:00Z"_s))
                .value(u"id"_s)
                .toString();
        QVERIFY2(!id.isEmpty(), qPrintable(code));
        codes.insert(id, code);
    }
    for (const auto &[from, to] :
         {std::pair{u"2026-03-28T00:00:00.000Z"_s, u"2026-03-29T23:00:00.000Z"_s},
          std::pair{u"2026-10-24T00:00:00.000Z"_s, u"2026-10-25T23:30:00.000Z"_s}}) {
        const RawResponse due = dueBetween(from, to);
        QCOMPARE(due.status, 200);
        QHash<QString, QStringList> listed;
        for (const QJsonValue &item : due.json().value(u"items"_s).toArray()) {
            const QJsonObject o = item.toObject();
            if (codes.contains(o.value(u"prescriptionId"_s).toString()))
                listed[o.value(u"prescriptionId"_s).toString()].append(
                    o.value(u"dueAt"_s).toString());
        }
        for (auto it = codes.cbegin(); it != codes.cend(); ++it) {
            QStringList expected;
            for (const QDateTime &slot :
                 medication::dueSlots(it.value(), berlin, *medication::parseInstant(from),
                                      *medication::parseInstant(to)))
                expected.append(slot.toString(Qt::ISODateWithMs));
            QVERIFY(!expected.isEmpty());
            QCOMPARE(listed.value(it.key()), expected);
        }
    }
}

void TestNursing::medicationRoundShowsWhatWasRecorded()
{
    QString patient;
    const QString admission = admitNew(&patient);
    const QString bd = prescribe(admission, u"BD"_s).value(u"id"_s).toString();
    const QString prn = prescribe(admission, u"PRN"_s).value(u"id"_s).toString();
    QVERIFY(!bd.isEmpty() && !prn.isEmpty());
    const QString from = nowPlus("-1 second");
    const RawResponse given =
        record(bd, {{u"dueAt"_s, yesterdayAt("08:00")}, {u"outcome"_s, u"given"_s}});
    const RawResponse held = record(bd,
                                    {{u"dueAt"_s, yesterdayAt("20:00")},
                                     {u"outcome"_s, u"held"_s},
                                     {u"reason"_s, u"Asleep"_s}});
    const RawResponse prnGiven = record(prn, {{u"outcome"_s, u"given"_s}});
    const RawResponse corrected =
        record(bd,
               {{u"correctsId"_s, given.json().value(u"id"_s).toString()},
                {u"outcome"_s, u"refused"_s},
                {u"reason"_s, u"Refused, charted as given by mistake"_s}});
    for (const RawResponse *r : {&given, &held, &prnGiven, &corrected})
        QCOMPARE(r->status, 201);
    const QString to = nowPlus("1 second");
    const QByteArray round = path(api::WardMedicationAdministrations, m_ward);
    const auto mine = [&](const RawResponse &answer) {
        QList<QJsonObject> items;
        for (const QJsonValue &item : answer.json().value(u"items"_s).toArray()) {
            const QString rx = item.toObject().value(u"prescriptionId"_s).toString();
            if (rx == bd || rx == prn)
                items.append(item.toObject());
        }
        return items;
    };

    const qint64 audits = m_world.count("SELECT count(*) FROM audit_log WHERE action = "
                                        "'medication.round' AND details->'patientIds' ? '"
                                        + patient.toStdString() + "'");
    const RawResponse window =
        m_world.send("GET", round + "?from=" + from.toUtf8() + "&to=" + to.toUtf8(), m_world.nurse);
    QCOMPARE(window.status, 200);
    const QList<QJsonObject> items = mine(window);
    QCOMPARE(items.size(), 4); // in the order written, corrected records too
    const QStringList written{
        given.json().value(u"id"_s).toString(), held.json().value(u"id"_s).toString(),
        prnGiven.json().value(u"id"_s).toString(), corrected.json().value(u"id"_s).toString()};
    for (int i = 0; i < 4; ++i) {
        const QJsonObject administration = items[i].value(u"administration"_s).toObject();
        QCOMPARE(administration.value(u"id"_s).toString(), written[i]);
        QCOMPARE(items[i].value(u"admissionId"_s).toString(), admission);
        QCOMPARE(items[i].value(u"patientId"_s).toString(), patient);
        QVERIFY(!items[i].value(u"bed"_s).toString().isEmpty());
        QCOMPARE(items[i].value(u"drug"_s).toString(), u"Paracetamol"_s);
    }
    QCOMPARE(items[0].value(u"correctedById"_s).toString(), written[3]);
    QVERIFY(items[1].value(u"correctedById"_s).isNull());
    QCOMPARE(items[1].value(u"administration"_s).toObject().value(u"outcome"_s).toString(),
             u"held"_s);
    QCOMPARE(items[2].value(u"frequency"_s).toString(), u"PRN"_s);
    QCOMPARE(items[3].value(u"administration"_s).toObject().value(u"correctsId"_s).toString(),
             written[0]);
    // A clinical read: audited with the patients shown.
    QCOMPARE(m_world.count("SELECT count(*) FROM audit_log WHERE action = 'medication.round' AND "
                           "details->'patientIds' ? '"
                           + patient.toStdString() + "'"),
             audits + 1);

    // The default window (the last 12 hours) holds them; one before them holds none.
    QCOMPARE(mine(m_world.send("GET", round, m_world.nurse)).size(), 4);
    QVERIFY(mine(m_world.send("GET",
                              round + "?from=" + yesterdayAt("00:00").toUtf8()
                                  + "&to=" + yesterdayAt("23:00").toUtf8(),
                              m_world.nurse))
                .isEmpty());
    // Bad windows and parameters: 422; other roles: 403; unknown ward: 404.
    for (const QByteArray &query :
         {QByteArray("?from=yesterday"), QByteArray("?bogus=1"),
          QByteArray("?from=" + to.toUtf8() + "&to=" + from.toUtf8()),
          QByteArray("?from=2020-01-01T00:00:00Z&to=2020-01-05T00:00:00Z")})
        QVERIFY2(m_world.send("GET", round + query, m_world.nurse).status == 422,
                 query.constData());
    for (const QByteArray &token : {m_world.doctor, m_world.desk, m_world.lab})
        QCOMPARE(m_world.send("GET", round, token).status, 403);
    QCOMPARE(
        m_world.send("GET", path(api::WardMedicationAdministrations, u"999999999"_s), m_world.nurse)
            .status,
        404);
}

QTEST_GUILESS_MAIN(TestNursing)
#include "tst_nursing.moc"
