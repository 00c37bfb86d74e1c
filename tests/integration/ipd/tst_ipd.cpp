// The inpatient department over real HTTP and PostgreSQL: wards and beds, a stay from
// admission through transfer and discharge (with its discharge summary document) to
// housekeeping, reservations that run out by the database clock, every illegal bed
// transition refused with nothing changed, events on beds:<ward> in the same transaction
// (and pushed live), the bed board with and without occupants and its cache, the census,
// role checks (T1), bad bodies that write nothing (I1), tenant isolation with identical
// 404s (T2) and one audit row per call (L1).
#include "audit/auditlog.h"
#include "ipdtestworld.h"

#include <QJsonDocument>
#include <QNetworkRequest>
#include <QSet>
#include <QTest>
#include <QWebSocket>

using namespace hms;
using namespace hms::test;
using namespace hms::test::ipd;
using namespace Qt::StringLiterals;

namespace {

/// One live subscriber: every text message, parsed, in order.
class Subscriber
{
public:
    Subscriber(quint16 port, const QByteArray &token)
    {
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, [this](const QString &text) {
            m_messages.append(QJsonDocument::fromJson(text.toUtf8()).object());
        });
        QNetworkRequest request(QUrl(u"ws://127.0.0.1:%1/api/v1/live"_s.arg(port)));
        request.setRawHeader("Authorization", "Bearer " + token);
        m_socket.open(request);
    }

    bool waitConnected()
    {
        return waitUntil([this] {
            return m_socket.isValid();
        });
    }

    void send(const QJsonObject &object)
    {
        m_socket.sendTextMessage(
            QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
    }

    /// The first message of \a type (an event type or a control type) not seen yet.
    std::optional<QJsonObject> next(const QString &type, int ms = 5000)
    {
        std::optional<QJsonObject> found;
        waitUntil(
            [&] {
                for (qsizetype i = m_read; i < m_messages.size(); ++i) {
                    if (m_messages[i].value(u"type"_s).toString() == type) {
                        found = m_messages[i];
                        m_read = i + 1;
                        return true;
                    }
                }
                return false;
            },
            ms);
        return found;
    }

private:
    QWebSocket m_socket;
    QList<QJsonObject> m_messages;
    qsizetype m_read = 0;
};

QJsonObject bedOf(const QJsonObject &list, const QString &id)
{
    for (const QJsonValue &item : list.value(u"items"_s).toArray()) {
        if (item.toObject().value(u"id"_s).toString() == id)
            return item.toObject();
    }
    for (const QJsonValue &item : list.value(u"beds"_s).toArray()) {
        if (item.toObject().value(u"id"_s).toString() == id)
            return item.toObject();
    }
    return {};
}

} // namespace

class TestIpd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void wardsAndBedsAreSetUpByAdmins();
    void aStayFromAdmissionToHousekeeping();
    void reservationsHoldUntilTheyRunOut();
    void illegalTransitionsChangeNothing_data();
    void illegalTransitionsChangeNothing();
    void workflowConflicts();
    void eventsReachLiveSubscribers();
    void bedBoardShowsOccupantsToClinicalRoles();
    void bedListIsCachedAndInvalidated();
    void theBoardFollowsTheSessionNotTheToken();
    void censusCountsTheDay();
    void rolesAreChecked();
    void badBodiesWriteNothing_data();
    void badBodiesWriteNothing();
    void otherHospitalsIdsAreIdentical404s();
    void oneAuditRowPerCall();

private:
    /// A bed of its own ward in \a status, reached through the API; its id.
    QString bedIn(const QString &status);
    QJsonObject bedJson(const QString &bedId);
    qint64 writeCounts() const;
    /// Everything but the audit log.
    qint64 businessCounts() const;

    World m_world;
    QString m_ward;
    int m_wardSerial = 0;
};

void TestIpd::initTestCase()
{
    const bool started = m_world.start(u"ipd"_s);
    if (!m_world.fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(started, qPrintable(m_world.fixture->errorString()));
    m_ward = m_world.createWard(u"GEN"_s);
    QVERIFY(!m_ward.isEmpty());
}

QJsonObject TestIpd::bedJson(const QString &bedId)
{
    return bedOf(m_world.send("GET", api::Beds, m_world.nurse).json(), bedId);
}

qint64 TestIpd::writeCounts() const
{
    return m_world.count("SELECT (SELECT count(*) FROM wards) * 1000000000000 "
                         "+ (SELECT count(*) FROM beds) * 1000000000 "
                         "+ (SELECT count(*) FROM admissions) * 1000000 "
                         "+ (SELECT count(*) FROM rooms) * 100000 "
                         "+ (SELECT count(*) FROM events) * 1000 "
                         "+ (SELECT count(*) FROM audit_log)");
}

qint64 TestIpd::businessCounts() const
{
    return m_world.count("SELECT (SELECT count(*) FROM wards) * 1000000000000 "
                         "+ (SELECT count(*) FROM beds) * 1000000000 "
                         "+ (SELECT count(*) FROM admissions) * 1000000 "
                         "+ (SELECT coalesce(sum(version), 0) FROM beds) * 1000 "
                         "+ (SELECT count(*) FROM bed_transfers) * 100 "
                         "+ (SELECT count(*) FROM events)");
}

QString TestIpd::bedIn(const QString &status)
{
    const QString ward = m_world.createWard(u"T%1"_s.arg(++m_wardSerial));
    const QJsonObject bed = m_world.createBed(ward, u"R1"_s, u"B1"_s);
    const QString id = bed.value(u"id"_s).toString();
    if (status == QLatin1String("free"))
        return id;
    const QString patient = m_world.makePatients(m_world.alpha, 1).value(0);
    if (status == QLatin1String("reserved")) {
        const RawResponse r = m_world.send("POST", withId(api::BedReservation, id), m_world.desk,
                                           QJsonObject{{u"patientId"_s, patient}});
        return r.status == 200 ? id : QString();
    }
    if (status == QLatin1String("maintenance")) {
        const RawResponse r =
            m_world.send("POST", withId(api::BedStatus, id), m_world.nurse,
                         QJsonObject{{u"status"_s, u"maintenance"_s}}, ifMatch(1));
        return r.status == 200 ? id : QString();
    }
    const RawResponse admitted = m_world.admit(patient, id);
    if (admitted.status != 201)
        return {};
    if (status == QLatin1String("occupied"))
        return id;
    const RawResponse discharged = m_world.send(
        "POST", withId(api::AdmissionDischarge, admitted.json().value(u"id"_s).toString()),
        m_world.doctor, QJsonObject{{u"summary"_s, u"Well"_s}});
    return discharged.status == 200 ? id : QString(); // cleaning
}

void TestIpd::wardsAndBedsAreSetUpByAdmins()
{
    const QJsonObject body{{u"code"_s, u"ICU-1"_s},
                           {u"name"_s, u"Intensive care"_s},
                           {u"kind"_s, u"icu"_s}};
    const RawResponse created = m_world.send("POST", api::Wards, m_world.admin, body);
    QCOMPARE(created.status, 201);
    const QString ward = created.json().value(u"id"_s).toString();
    QVERIFY(!ward.isEmpty());
    QCOMPARE(created.json().value(u"kind"_s).toString(), u"icu"_s);
    QVERIFY(!created.header("location").isEmpty());
    QCOMPARE(m_world.send("POST", api::Wards, m_world.admin, body).status, 409);
    // The same code in another hospital is fine.
    QCOMPARE(m_world.send("POST", api::Wards, m_world.betaAdmin, body).status, 201);
    const RawResponse wards = m_world.send("GET", api::Wards, m_world.nurse);
    QCOMPARE(wards.status, 200);
    QSet<QString> codes;
    for (const QJsonValue &item : wards.json().value(u"items"_s).toArray())
        codes.insert(item.toObject().value(u"code"_s).toString());
    QVERIFY(codes.contains(u"ICU-1"_s) && codes.contains(u"GEN"_s));

    const QJsonObject first =
        m_world.createBed(ward, u"101"_s, u"A"_s, {u"oxygen"_s, u"ventilator"_s}, 250000);
    QCOMPARE(first.value(u"status"_s).toString(), u"free"_s);
    QCOMPARE(first.value(u"room"_s).toString(), u"101"_s);
    QCOMPARE(first.value(u"code"_s).toString(), u"A"_s);
    QCOMPARE(first.value(u"wardId"_s).toString(), ward);
    QCOMPARE(first.value(u"dailyRate"_s).toInteger(), 250000);
    QCOMPARE(first.value(u"features"_s).toArray(), QJsonArray({u"oxygen"_s, u"ventilator"_s}));
    QCOMPARE(first.value(u"version"_s).toInt(), 1);
    // The room is created on first use and looked up after.
    const QJsonObject second = m_world.createBed(ward, u"101"_s, u"B"_s);
    QCOMPARE(second.value(u"roomId"_s).toString(), first.value(u"roomId"_s).toString());
    const QJsonObject other = m_world.createBed(ward, u"102"_s, u"A"_s);
    QVERIFY(other.value(u"roomId"_s).toString() != first.value(u"roomId"_s).toString());
    QCOMPARE(m_world.count("SELECT count(*) FROM rooms WHERE ward_id = " + ward.toStdString()), 2);
    // A bed code is unique per room.
    const RawResponse clash =
        m_world.send("POST", api::Beds, m_world.admin,
                     QJsonObject{{u"wardId"_s, ward}, {u"room"_s, u"101"_s}, {u"code"_s, u"A"_s}});
    QCOMPARE(clash.status, 409);
    // dailyRate and features are optional.
    const RawResponse plain =
        m_world.send("POST", api::Beds, m_world.admin,
                     QJsonObject{{u"wardId"_s, ward}, {u"room"_s, u"103"_s}, {u"code"_s, u"A"_s}});
    QCOMPARE(plain.status, 201);
    QCOMPARE(plain.json().value(u"dailyRate"_s).toInteger(), 0);
    QCOMPARE(plain.json().value(u"features"_s).toArray(), QJsonArray());

    const RawResponse list =
        m_world.send("GET", QByteArray(api::Beds) + "?wardId=" + ward.toLatin1(), m_world.lab);
    QCOMPARE(list.status, 403); // lab has no bed.read
    const RawResponse beds =
        m_world.send("GET", QByteArray(api::Beds) + "?wardId=" + ward.toLatin1(), m_world.desk);
    QCOMPARE(beds.status, 200);
    const QJsonArray items = beds.json().value(u"items"_s).toArray();
    QCOMPARE(items.size(), 4);
    for (const QJsonValue &item : items) {
        const QJsonObject bed = item.toObject();
        QCOMPARE(bed.value(u"wardId"_s).toString(), ward);
        for (const char *field :
             {"id", "wardId", "room", "code", "status", "features", "dailyRate"})
            QVERIFY2(bed.contains(QLatin1String(field)), field);
    }
    QCOMPARE(bedOf(beds.json(), first.value(u"id"_s).toString()), first);
    QCOMPARE(m_world.send("GET", QByteArray(api::Beds) + "?wardId=987654321", m_world.desk).status,
             404);
}

void TestIpd::aStayFromAdmissionToHousekeeping()
{
    const QString ward = m_world.createWard(u"STAY"_s, u"surgical"_s);
    const QString bedA = m_world.createBed(ward, u"1"_s, u"A"_s).value(u"id"_s).toString();
    const QString bedB = m_world.createBed(ward, u"2"_s, u"B"_s).value(u"id"_s).toString();
    const QString patient = m_world.makePatients(m_world.alpha, 1).value(0);
    const qint64 seqBefore = m_world.count("SELECT coalesce(max(seq), 0) FROM events");

    const RawResponse admitted =
        m_world.send("POST", api::Admissions, m_world.desk,
                     QJsonObject{{u"patientId"_s, patient},
                                 {u"bedId"_s, bedA},
                                 {u"attendingDoctorId"_s, m_world.doctorId},
                                 {u"reason"_s, u"Appendicitis, for appendicectomy"_s},
                                 {u"expectedStayDays"_s, 3}});
    QCOMPARE(admitted.status, 201);
    const QJsonObject admission = admitted.json();
    const QString admissionId = admission.value(u"id"_s).toString();
    QCOMPARE(admission.value(u"status"_s).toString(), u"active"_s);
    QCOMPARE(admission.value(u"bedId"_s).toString(), bedA);
    QCOMPARE(admission.value(u"wardId"_s).toString(), ward);
    QCOMPARE(admission.value(u"attendingDoctorId"_s).toString(), m_world.doctorId);
    QCOMPARE(admission.value(u"expectedStayDays"_s).toInt(), 3);
    QVERIFY(admission.value(u"admittedAt"_s).toString().endsWith(u'Z'));
    QCOMPARE(admitted.header("etag"), QByteArray("\"1\""));
    QCOMPARE(bedJson(bedA).value(u"status"_s).toString(), u"occupied"_s);

    const RawResponse read =
        m_world.send("GET", withId(api::Admission, admissionId), m_world.nurse);
    QCOMPARE(read.status, 200);
    QCOMPARE(read.json().value(u"reason"_s).toString(), u"Appendicitis, for appendicectomy"_s);

    const RawResponse moved = m_world.send("POST", withId(api::AdmissionTransfer, admissionId),
                                           m_world.doctor, QJsonObject{{u"bedId"_s, bedB}});
    QCOMPARE(moved.status, 200);
    QCOMPARE(moved.json().value(u"bedId"_s).toString(), bedB);
    QCOMPARE(bedJson(bedA).value(u"status"_s).toString(), u"cleaning"_s);
    QCOMPARE(bedJson(bedB).value(u"status"_s).toString(), u"occupied"_s);
    QCOMPARE(m_world.count("SELECT count(*) FROM bed_transfers WHERE admission_id = "
                           + admissionId.toStdString() + " AND from_bed_id = " + bedA.toStdString()
                           + " AND to_bed_id = " + bedB.toStdString()),
             1);

    const RawResponse discharged =
        m_world.send("POST", withId(api::AdmissionDischarge, admissionId), m_world.doctor,
                     QJsonObject{{u"summary"_s, u"Uneventful recovery after appendicectomy"_s},
                                 {u"followUp"_s, u"Clinic in 2 weeks"_s},
                                 {u"outcome"_s, u"recovered"_s}});
    QCOMPARE(discharged.status, 200);
    const QJsonObject done = discharged.json();
    QCOMPARE(done.value(u"status"_s).toString(), u"discharged"_s);
    QVERIFY(done.value(u"dischargedAt"_s).toString().endsWith(u'Z'));
    const QString documentId = done.value(u"dischargeDocumentId"_s).toString();
    QVERIFY(!documentId.isEmpty());
    QCOMPARE(bedJson(bedB).value(u"status"_s).toString(), u"cleaning"_s);
    // The summary is a clinical document of the patient, readable through documents/.
    const RawResponse document = m_world.send("GET",
                                              QByteArray(api::PatientDocument)
                                                  .replace("{id}", patient.toLatin1())
                                                  .replace("{docId}", documentId.toLatin1()),
                                              m_world.doctor);
    QCOMPARE(document.status, 200);
    QCOMPARE(document.json().value(u"kind"_s).toString(), u"discharge_summary"_s);
    const QJsonObject summary = document.json().value(u"body"_s).toObject();
    QCOMPARE(summary.value(u"summary"_s).toString(), u"Uneventful recovery after appendicectomy"_s);
    QCOMPARE(summary.value(u"admissionId"_s).toString(), admissionId);
    QCOMPARE(summary.value(u"outcome"_s).toString(), u"recovered"_s);

    // Housekeeping: cleaning -> free with the version the nurse read.
    for (const QString &bed : {bedA, bedB}) {
        const int version = bedJson(bed).value(u"version"_s).toInt();
        const RawResponse cleaned =
            m_world.send("POST", withId(api::BedStatus, bed), m_world.nurse,
                         QJsonObject{{u"status"_s, u"free"_s}}, ifMatch(version));
        QCOMPARE(cleaned.status, 200);
        QCOMPARE(cleaned.json().value(u"status"_s).toString(), u"free"_s);
        QCOMPARE(cleaned.header("etag"), "\"" + QByteArray::number(version + 1) + "\"");
    }
    // The listing by ward and status.
    const RawResponse list = m_world.send(
        "GET", QByteArray(api::Admissions) + "?wardId=" + ward.toLatin1() + "&status=discharged",
        m_world.doctor);
    QCOMPARE(list.status, 200);
    QCOMPARE(list.json().value(u"items"_s).toArray().size(), 1);
    QCOMPARE(list.json().value(u"items"_s).toArray().at(0).toObject().value(u"id"_s).toString(),
             admissionId);

    // One event per bed change on beds:<ward>, in order, ids and states only.
    pqxx::connection connection(m_world.fixture->superuserUrl());
    pqxx::work tx(connection);
    const pqxx::result rows =
        tx.exec_params("SELECT type, data->>'bedId', data->>'wardId', data->>'status', data::text "
                       "FROM events WHERE topic = $1 AND seq > $2 ORDER BY seq",
                       "beds:" + ward.toStdString(), seqBefore);
    const QList<QPair<const char *, QString>> expected{
        {"bed.occupied", bedA}, {"bed.cleaning", bedA}, {"bed.occupied", bedB},
        {"bed.cleaning", bedB}, {"bed.free", bedA},     {"bed.free", bedB}};
    QCOMPARE(int(rows.size()), int(expected.size()));
    for (int i = 0; i < int(expected.size()); ++i) {
        QCOMPARE(rows[i][0].as<std::string>(), std::string(expected[i].first));
        QCOMPARE(QString::fromStdString(rows[i][1].as<std::string>()), expected[i].second);
        QCOMPARE(QString::fromStdString(rows[i][2].as<std::string>()), ward);
        QVERIFY(!QString::fromStdString(rows[i][4].as<std::string>()).contains(u"Ipd Patient"_s));
        QVERIFY(!QString::fromStdString(rows[i][4].as<std::string>()).contains(u"ppendic"_s));
    }
    QCOMPARE(rows[0][3].as<std::string>(), std::string("occupied"));
    QCOMPARE(rows[5][3].as<std::string>(), std::string("free"));
    // The clinical text is never in the audit log.
    QCOMPARE(m_world.count("SELECT count(*) FROM audit_log WHERE details::text LIKE '%ppendic%'"),
             0);
}

void TestIpd::reservationsHoldUntilTheyRunOut()
{
    const QString ward = m_world.createWard(u"RES"_s);
    const QStringList beds = m_world.createBeds(ward, 3);
    const QStringList patients = m_world.makePatients(m_world.alpha, 3);
    const RawResponse reserved =
        m_world.send("POST", withId(api::BedReservation, beds[0]), m_world.desk,
                     QJsonObject{{u"patientId"_s, patients[0]}, {u"expiresInMinutes"_s, 30}});
    QCOMPARE(reserved.status, 200);
    QCOMPARE(reserved.json().value(u"status"_s).toString(), u"reserved"_s);
    QVERIFY(reserved.json().value(u"reservedUntil"_s).toString().endsWith(u'Z'));
    // Someone else cannot take it; the reserved patient can.
    const RawResponse taken = m_world.admit(patients[1], beds[0]);
    QCOMPARE(taken.status, 409);
    QVERIFY(taken.json().value(u"detail"_s).toString().contains(u"RES/R1/B1"_s));
    QCOMPARE(taken.json().value(u"bedStatus"_s).toString(), u"reserved"_s);
    QCOMPARE(m_world.admit(patients[0], beds[0]).status, 201);
    QCOMPARE(bedJson(beds[0]).value(u"reservedUntil"_s), QJsonValue());

    // Cancelled: back to free; cancelling again is an invalid transition.
    QCOMPARE(m_world
                 .send("POST", withId(api::BedReservation, beds[1]), m_world.doctor,
                       QJsonObject{{u"patientId"_s, patients[1]}})
                 .status,
             200);
    const RawResponse cancelled =
        m_world.send("DELETE", withId(api::BedReservation, beds[1]), m_world.desk);
    QCOMPARE(cancelled.status, 200);
    QCOMPARE(cancelled.json().value(u"status"_s).toString(), u"free"_s);
    const RawResponse again =
        m_world.send("DELETE", withId(api::BedReservation, beds[1]), m_world.desk);
    QCOMPARE(again.status, 409);
    QCOMPARE(again.json().value(u"currentStatus"_s).toString(), u"free"_s);

    // Runs out by the database clock, with no event: the cached list must notice.
    QCOMPARE(m_world
                 .send("POST", withId(api::BedReservation, beds[2]), m_world.desk,
                       QJsonObject{{u"patientId"_s, patients[1]}})
                 .status,
             200);
    {
        pqxx::connection connection(m_world.fixture->superuserUrl());
        pqxx::work tx(connection);
        tx.exec_params0("UPDATE beds SET reserved_until = now() + interval '5 seconds' "
                        "WHERE id = $1",
                        beds[2].toLongLong());
        tx.commit();
    }
    // An event elsewhere so the next read rebuilds with the 5-second expiry.
    QVERIFY(!m_world.createBed(ward, u"R2"_s, u"X"_s).isEmpty());
    QCOMPARE(bedJson(beds[2]).value(u"status"_s).toString(), u"reserved"_s);
    QCOMPARE(m_world.admit(patients[2], beds[2]).status, 409);
    QTest::qWait(5500);
    QCOMPARE(bedJson(beds[2]).value(u"status"_s).toString(), u"free"_s);
    QCOMPARE(bedJson(beds[2]).value(u"reservedUntil"_s), QJsonValue());
    // An expired reservation no longer blocks anyone.
    QCOMPARE(m_world.admit(patients[2], beds[2]).status, 201);
    // Only the partial view of a reservation is exposed; a patient already admitted cannot
    // reserve another bed.
    const QString free = m_world.createBed(ward, u"R3"_s, u"Y"_s).value(u"id"_s).toString();
    QCOMPARE(m_world
                 .send("POST", withId(api::BedReservation, free), m_world.desk,
                       QJsonObject{{u"patientId"_s, patients[2]}})
                 .status,
             409);
}

void TestIpd::illegalTransitionsChangeNothing_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<int>("status");
    const QStringList states{u"free"_s, u"reserved"_s, u"occupied"_s, u"cleaning"_s,
                             u"maintenance"_s};
    const QSet<QPair<QString, QString>> manual{{u"free"_s, u"maintenance"_s},
                                               {u"cleaning"_s, u"free"_s},
                                               {u"cleaning"_s, u"maintenance"_s},
                                               {u"maintenance"_s, u"free"_s}};
    for (const QString &from : states) {
        for (const QString &to : states) {
            QTest::addRow("%s->%s", qPrintable(from), qPrintable(to))
                << from << to << (manual.contains({from, to}) ? 200 : 409);
        }
    }
}

void TestIpd::illegalTransitionsChangeNothing()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(int, status);
    const QString bed = bedIn(from);
    QVERIFY(!bed.isEmpty());
    const QJsonObject before = bedJson(bed);
    QCOMPARE(before.value(u"status"_s).toString(), from);
    const int version = before.value(u"version"_s).toInt();
    const qint64 writes = writeCounts();
    const RawResponse answer = m_world.send("POST", withId(api::BedStatus, bed), m_world.nurse,
                                            QJsonObject{{u"status"_s, to}}, ifMatch(version));
    QCOMPARE(answer.status, status);
    if (status == 200) {
        QCOMPARE(answer.json().value(u"status"_s).toString(), to);
        QCOMPARE(answer.json().value(u"version"_s).toInt(), version + 1);
        return;
    }
    const QJsonObject problem = answer.json();
    QCOMPARE(problem.value(u"currentStatus"_s).toString(), from);
    QCOMPARE(problem.value(u"requestedStatus"_s).toString(), to);
    QCOMPARE(problem.value(u"bedId"_s).toString(), bed);
    QVERIFY(problem.value(u"detail"_s).toString().contains(u"from %1 to %2"_s.arg(from, to)));
    QCOMPARE(writeCounts(), writes);
    QCOMPARE(bedJson(bed), before);
}

void TestIpd::workflowConflicts()
{
    const QString bed = bedIn(u"free"_s);
    // 428 without If-Match, 412 with a stale one; nothing changes.
    QCOMPARE(m_world
                 .send("POST", withId(api::BedStatus, bed), m_world.nurse,
                       QJsonObject{{u"status"_s, u"maintenance"_s}})
                 .status,
             428);
    QCOMPARE(m_world
                 .send("POST", withId(api::BedStatus, bed), m_world.nurse,
                       QJsonObject{{u"status"_s, u"maintenance"_s}}, ifMatch(7))
                 .status,
             412);
    QCOMPARE(bedJson(bed).value(u"status"_s).toString(), u"free"_s);

    // A bed in maintenance or cleaning cannot be admitted to (409 naming it).
    const QString broken = bedIn(u"maintenance"_s);
    const QString patient = m_world.makePatients(m_world.alpha, 1).value(0);
    const RawResponse refused = m_world.admit(patient, broken);
    QCOMPARE(refused.status, 409);
    QCOMPARE(refused.json().value(u"bedId"_s).toString(), broken);
    QCOMPARE(refused.json().value(u"bedStatus"_s).toString(), u"maintenance"_s);

    // A discharged admission is neither transferred nor discharged again.
    const QString first = bedIn(u"free"_s);
    const QString second = bedIn(u"free"_s);
    const RawResponse admitted = m_world.admit(patient, first);
    QCOMPARE(admitted.status, 201);
    const QString admission = admitted.json().value(u"id"_s).toString();
    // Admitted once: a second admission of the same patient is 409.
    const RawResponse twice = m_world.admit(patient, second);
    QCOMPARE(twice.status, 409);
    QCOMPARE(twice.json().value(u"admissionId"_s).toString(), admission);
    // Transfer to the same bed is a field error.
    QCOMPARE(m_world
                 .send("POST", withId(api::AdmissionTransfer, admission), m_world.desk,
                       QJsonObject{{u"bedId"_s, first}})
                 .status,
             422);
    QCOMPARE(m_world
                 .send("POST", withId(api::AdmissionDischarge, admission), m_world.doctor,
                       QJsonObject{{u"summary"_s, u"Home"_s}})
                 .status,
             200);
    const qint64 writes = writeCounts();
    QCOMPARE(m_world
                 .send("POST", withId(api::AdmissionDischarge, admission), m_world.doctor,
                       QJsonObject{{u"summary"_s, u"Home"_s}})
                 .status,
             409);
    QCOMPARE(m_world
                 .send("POST", withId(api::AdmissionTransfer, admission), m_world.doctor,
                       QJsonObject{{u"bedId"_s, second}})
                 .status,
             409);
    QCOMPARE(writeCounts(), writes);
    // Transfer into an occupied bed: 409 naming it, nothing moved.
    const QString otherPatient = m_world.makePatients(m_world.alpha, 1).value(0);
    const QString third = bedIn(u"free"_s);
    const RawResponse stay = m_world.admit(otherPatient, third);
    QCOMPARE(stay.status, 201);
    const QString occupied = bedIn(u"occupied"_s);
    const RawResponse blocked =
        m_world.send("POST", withId(api::AdmissionTransfer, stay.json().value(u"id"_s).toString()),
                     m_world.desk, QJsonObject{{u"bedId"_s, occupied}});
    QCOMPARE(blocked.status, 409);
    QCOMPARE(blocked.json().value(u"bedId"_s).toString(), occupied);
    QCOMPARE(bedJson(third).value(u"status"_s).toString(), u"occupied"_s);
}

void TestIpd::eventsReachLiveSubscribers()
{
    const QString ward = m_world.createWard(u"LIVE"_s);
    const QString bed = m_world.createBed(ward, u"R1"_s, u"B1"_s).value(u"id"_s).toString();
    Subscriber subscriber(m_world.fixture->port(), m_world.nurse);
    QVERIFY(subscriber.waitConnected());
    QVERIFY(subscriber.next(u"authenticated"_s));
    subscriber.send(
        {{u"type"_s, u"subscribe"_s}, {u"topics"_s, QJsonArray{QString(u"beds:"_s + ward)}}});
    QVERIFY(subscriber.next(u"subscribed"_s));
    const QString patient = m_world.makePatients(m_world.alpha, 1).value(0);
    QCOMPARE(m_world.admit(patient, bed).status, 201);
    const auto event = subscriber.next(u"bed.occupied"_s);
    QVERIFY(event);
    QCOMPARE(event->value(u"topic"_s).toString(), u"beds:"_s + ward);
    const QJsonObject data = event->value(u"data"_s).toObject();
    QCOMPARE(data.value(u"bedId"_s).toString(), bed);
    QCOMPARE(data.value(u"wardId"_s).toString(), ward);
    QCOMPARE(data.value(u"status"_s).toString(), u"occupied"_s);
    QVERIFY(!data.contains(u"patientId"_s));
}

void TestIpd::bedBoardShowsOccupantsToClinicalRoles()
{
    const QString ward = m_world.createWard(u"BOARD"_s, u"maternity"_s);
    const QStringList beds = m_world.createBeds(ward, 4);
    const QString patient = m_world.makePatients(m_world.alpha, 1).value(0);
    QCOMPARE(m_world.admit(patient, beds[0]).status, 201);
    QCOMPARE(m_world
                 .send("POST", withId(api::BedStatus, beds[3]), m_world.nurse,
                       QJsonObject{{u"status"_s, u"maintenance"_s}}, ifMatch(1))
                 .status,
             200);
    const std::string mrn = "I-2026-";
    const auto occupantOf = [&](const QJsonObject &board) {
        return bedOf(board, beds[0]).value(u"occupant"_s).toObject();
    };

    for (const QByteArray &token : {m_world.nurse, m_world.doctor, m_world.desk}) {
        const qint64 audits =
            m_world.count("SELECT count(*) FROM audit_log WHERE action = 'bedboard.read'");
        const RawResponse board = m_world.send("GET", api::BedBoard, token);
        QCOMPARE(board.status, 200);
        const QJsonObject json = board.json();
        QVERIFY(json.value(u"occupantsShown"_s).toBool());
        const QJsonObject occupant = occupantOf(json);
        QCOMPARE(occupant.value(u"patientId"_s).toString(), patient);
        QVERIFY(occupant.value(u"mrn"_s).toString().startsWith(u"I-2026-"_s));
        QVERIFY(occupant.value(u"fullName"_s).toString().startsWith(u"Ipd Patient"_s));
        QCOMPARE(occupant.value(u"admittedOn"_s).toString().size(), 10);
        QVERIFY(bedOf(json, beds[1]).value(u"occupant"_s).isUndefined());
        QCOMPARE(bedOf(json, beds[0]).value(u"ward"_s).toString(), u"BOARD"_s);
        // Occupancy per ward.
        QJsonObject wardRow;
        for (const QJsonValue &item : json.value(u"wards"_s).toArray()) {
            if (item.toObject().value(u"id"_s).toString() == ward)
                wardRow = item.toObject();
        }
        QCOMPARE(wardRow.value(u"beds"_s).toInt(), 4);
        QCOMPARE(wardRow.value(u"occupied"_s).toInt(), 1);
        QCOMPARE(wardRow.value(u"free"_s).toInt(), 2);
        QCOMPARE(wardRow.value(u"maintenance"_s).toInt(), 1);
        QCOMPARE(wardRow.value(u"occupancyPercent"_s).toInt(), 25);
        QCOMPARE(wardRow.value(u"kind"_s).toString(), u"maternity"_s);
        // Audited with the patient ids shown, never names.
        QCOMPARE(m_world.count("SELECT count(*) FROM audit_log WHERE action = 'bedboard.read'"),
                 audits + 1);
        QCOMPARE(m_world.count("SELECT count(*) FROM audit_log WHERE action = 'bedboard.read' "
                               "AND category = 'demographic' AND details->'patientIds' ? '"
                               + patient.toStdString()
                               + "' AND seq = (SELECT max(seq) FROM "
                                 "audit_log a2 WHERE a2.hospital_id = "
                                 "audit_log.hospital_id)"),
                 1);
    }
    QCOMPARE(m_world.count("SELECT count(*) FROM audit_log WHERE details::text LIKE "
                           "'%Ipd Patient%'"),
             0);
    // Admins see beds and occupancy, not who lies in them.
    const RawResponse adminBoard = m_world.send("GET", api::BedBoard, m_world.admin);
    QCOMPARE(adminBoard.status, 200);
    QVERIFY(!adminBoard.json().value(u"occupantsShown"_s).toBool());
    QCOMPARE(bedOf(adminBoard.json(), beds[0]).value(u"status"_s).toString(), u"occupied"_s);
    QVERIFY(bedOf(adminBoard.json(), beds[0]).value(u"occupant"_s).isUndefined());
    QVERIFY(!adminBoard.body.contains("Ipd Patient"));
    QVERIFY(!adminBoard.body.contains(QByteArray::fromStdString(mrn)));
    QCOMPARE(m_world.send("GET", api::BedBoard, m_world.lab).status, 403);
    QCOMPARE(m_world.send("GET", api::BedBoard, m_world.pharmacy).status, 403);

    // A renamed occupant shows at once (the cache compares the patients' versions).
    {
        pqxx::connection connection(m_world.fixture->superuserUrl());
        pqxx::work tx(connection);
        // An edit that commits after a later one carries an older updated_at: the version moves.
        tx.exec_params0("UPDATE patients SET full_name = 'Renamed Occupant', "
                        "version = version + 1 "
                        "WHERE id = $1",
                        patient.toLongLong());
        tx.commit();
    }
    QCOMPARE(occupantOf(m_world.send("GET", api::BedBoard, m_world.nurse).json())
                 .value(u"fullName"_s)
                 .toString(),
             u"Renamed Occupant"_s);
}

void TestIpd::bedListIsCachedAndInvalidated()
{
    const QString ward = m_world.createWard(u"CACHE"_s);
    const QStringList beds = m_world.createBeds(ward, 3);
    const QByteArray path = QByteArray(api::Beds) + "?wardId=" + ward.toLatin1();
    const RawResponse first = m_world.send("GET", path, m_world.nurse);
    const RawResponse second = m_world.send("GET", path, m_world.admin);
    QCOMPARE(first.status, 200);
    QCOMPARE(second.body, first.body);
    // Any bed change in the hospital moves the event seq: the next read sees it.
    const QString patient = m_world.makePatients(m_world.alpha, 1).value(0);
    QCOMPARE(m_world.admit(patient, beds[1]).status, 201);
    const RawResponse third = m_world.send("GET", path, m_world.nurse);
    QVERIFY(third.body != first.body);
    QCOMPARE(bedOf(third.json(), beds[1]).value(u"status"_s).toString(), u"occupied"_s);
    // The same bytes as a fresh serialization of the same rows (the whole-hospital list
    // agrees with the ward list).
    const QJsonObject all = m_world.send("GET", api::Beds, m_world.nurse).json();
    for (const QString &bed : beds)
        QCOMPARE(bedOf(all, bed), bedOf(third.json(), bed));
    // Another hospital's cache is its own.
    const RawResponse beta = m_world.send("GET", api::Beds, m_world.betaDesk);
    QCOMPARE(beta.status, 200);
    for (const QString &bed : beds)
        QVERIFY(bedOf(beta.json(), bed).isEmpty());
}

// The cache check travels with the session check (SessionCompanion), chosen from the role the
// token names; the answer must still follow the session's role of today and its revocation.
void TestIpd::theBoardFollowsTheSessionNotTheToken()
{
    const QString ward = m_world.createWard(u"STALE"_s);
    const QStringList beds = m_world.createBeds(ward, 1);
    const QString patient = m_world.makePatients(m_world.alpha, 1).value(0);
    QCOMPARE(m_world.admit(patient, beds[0]).status, 201);
    const QString pw = QString::fromLatin1(World::Password);
    const auto tokenOf = [&](const char *user, Role role) {
        m_world.fixture->createUser(u"alpha"_s, QString::fromLatin1(user), role, pw);
        return accessTokenOf(m_world.fixture->login(u"alpha"_s, QString::fromLatin1(user), pw));
    };
    const QByteArray wasDoctor = tokenOf("stale-doctor", Role::Doctor);
    const QByteArray wasAdmin = tokenOf("stale-admin", Role::Admin);
    QVERIFY(!wasDoctor.isEmpty() && !wasAdmin.isEmpty());
    // Both views are cached before the roles change.
    QVERIFY(
        m_world.send("GET", api::BedBoard, wasDoctor).json().value(u"occupantsShown"_s).toBool());
    QVERIFY(
        !m_world.send("GET", api::BedBoard, wasAdmin).json().value(u"occupantsShown"_s).toBool());
    {
        pqxx::connection connection(m_world.fixture->superuserUrl());
        pqxx::work tx(connection);
        tx.exec0("UPDATE users SET role = CASE username WHEN 'stale-doctor' THEN 'admin' "
                 "ELSE 'nurse' END WHERE username IN ('stale-doctor', 'stale-admin')");
        tx.commit();
    }
    const RawResponse demoted = m_world.send("GET", api::BedBoard, wasDoctor);
    QCOMPARE(demoted.status, 200);
    QVERIFY(!demoted.json().value(u"occupantsShown"_s).toBool());
    QVERIFY(bedOf(demoted.json(), beds[0]).value(u"occupant"_s).isUndefined());
    QVERIFY(!demoted.body.contains("Ipd Patient"));
    const RawResponse promoted = m_world.send("GET", api::BedBoard, wasAdmin);
    QCOMPARE(promoted.status, 200);
    QVERIFY(promoted.json().value(u"occupantsShown"_s).toBool());
    QCOMPARE(bedOf(promoted.json(), beds[0])
                 .value(u"occupant"_s)
                 .toObject()
                 .value(u"patientId"_s)
                 .toString(),
             patient);
    // A revoked session gets nothing from either cached read.
    QCOMPARE(m_world.send("GET", api::Beds, wasAdmin).status, 200);
    {
        pqxx::connection connection(m_world.fixture->superuserUrl());
        pqxx::work tx(connection);
        tx.exec0("UPDATE sessions SET revoked_at = now(), revoke_reason = 'test' "
                 "WHERE user_id = (SELECT id FROM users WHERE username = 'stale-admin')");
        tx.commit();
    }
    QCOMPARE(m_world.send("GET", api::Beds, wasAdmin).status, 401);
    QCOMPARE(m_world.send("GET", api::BedBoard, wasAdmin).status, 401);
}

void TestIpd::censusCountsTheDay()
{
    const RawResponse before = m_world.send("GET", api::Census, m_world.admin);
    QCOMPARE(before.status, 200);
    const QJsonObject start = before.json();
    QCOMPARE(start.value(u"date"_s).toString().size(), 10);
    const QString ward = m_world.createWard(u"CENSUS"_s);
    const QStringList beds = m_world.createBeds(ward, 2);
    const QString patient = m_world.makePatients(m_world.alpha, 1).value(0);
    const RawResponse admitted = m_world.admit(patient, beds[0]);
    QCOMPARE(admitted.status, 201);
    const QString id = admitted.json().value(u"id"_s).toString();
    QCOMPARE(m_world
                 .send("POST", withId(api::AdmissionTransfer, id), m_world.desk,
                       QJsonObject{{u"bedId"_s, beds[1]}})
                 .status,
             200);
    QCOMPARE(m_world
                 .send("POST", withId(api::AdmissionDischarge, id), m_world.doctor,
                       QJsonObject{{u"summary"_s, u"Home"_s}})
                 .status,
             200);
    const QByteArray path =
        QByteArray(api::Census) + "?date=" + start.value(u"date"_s).toString().toLatin1();
    const QJsonObject after = m_world.send("GET", path, m_world.nurse).json();
    QCOMPARE(after.value(u"admissions"_s).toInteger(),
             start.value(u"admissions"_s).toInteger() + 1);
    QCOMPARE(after.value(u"discharges"_s).toInteger(),
             start.value(u"discharges"_s).toInteger() + 1);
    QCOMPARE(after.value(u"transfers"_s).toInteger(), start.value(u"transfers"_s).toInteger() + 1);
    QCOMPARE(after.value(u"inpatientsAtEndOfDay"_s).toInteger(),
             start.value(u"inpatientsAtEndOfDay"_s).toInteger());
    // A day long ago had none; bad dates and unknown parameters are 422.
    const QJsonObject old =
        m_world.send("GET", QByteArray(api::Census) + "?date=2001-01-01", m_world.nurse).json();
    QCOMPARE(old.value(u"admissions"_s).toInteger(), 0);
    for (const char *query :
         {"?date=2026-02-30", "?date=tomorrow", "?date=2026-1-01", "?day=2026-01-01"})
        QCOMPARE(m_world.send("GET", QByteArray(api::Census) + query, m_world.nurse).status, 422);
}

void TestIpd::rolesAreChecked()
{
    const QString bed = bedIn(u"free"_s);
    const QString patient = m_world.makePatients(m_world.alpha, 1).value(0);
    const qint64 deniedBefore = m_world.count(
        "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND outcome = 'denied'");
    int denials = 0;
    // Admit: reception and doctors only.
    for (const QByteArray &token : {m_world.lab, m_world.pharmacy, m_world.nurse, m_world.admin}) {
        const RawResponse refused = m_world.admit(patient, bed, token);
        QCOMPARE(refused.status, 403);
        QCOMPARE(refused.header("content-type"),
                 QByteArray("application/problem+json; charset=utf-8"));
        ++denials;
    }
    QCOMPARE(m_world.count("SELECT count(*) FROM admissions WHERE patient_id = "
                           + patient.toStdString()),
             0);
    // Wards and beds: admins only.
    for (const QByteArray &token : {m_world.doctor, m_world.nurse, m_world.desk, m_world.lab}) {
        QCOMPARE(m_world
                     .send("POST", api::Wards, token,
                           QJsonObject{{u"code"_s, u"NOPE"_s},
                                       {u"name"_s, u"No"_s},
                                       {u"kind"_s, u"general"_s}})
                     .status,
                 403);
        QCOMPARE(m_world
                     .send("POST", api::Beds, token,
                           QJsonObject{{u"wardId"_s, m_ward},
                                       {u"room"_s, u"R9"_s},
                                       {u"code"_s, u"NOPE"_s}})
                     .status,
                 403);
        denials += 2;
    }
    QCOMPARE(m_world.count("SELECT count(*) FROM wards WHERE code = 'NOPE'"), 0);
    // Housekeeping and maintenance: nurses and admins.
    for (const QByteArray &token : {m_world.desk, m_world.doctor, m_world.lab}) {
        QCOMPARE(m_world
                     .send("POST", withId(api::BedStatus, bed), token,
                           QJsonObject{{u"status"_s, u"maintenance"_s}}, ifMatch(1))
                     .status,
                 403);
        ++denials;
    }
    // Reservations: admission desks and doctors.
    for (const QByteArray &token : {m_world.nurse, m_world.admin, m_world.pharmacy}) {
        QCOMPARE(m_world
                     .send("POST", withId(api::BedReservation, bed), token,
                           QJsonObject{{u"patientId"_s, patient}})
                     .status,
                 403);
        QCOMPARE(m_world.send("DELETE", withId(api::BedReservation, bed), token).status, 403);
        denials += 2;
    }
    // Admission records (clinical): doctors and nurses.
    for (const QByteArray &token : {m_world.desk, m_world.admin, m_world.lab}) {
        QCOMPARE(m_world.send("GET", api::Admissions, token).status, 403);
        ++denials;
    }
    QCOMPARE(m_world.send("GET", api::Admissions, m_world.nurse).status, 200);
    // Transfer: admission desks and doctors; discharge also needs clinical.write.
    const RawResponse admitted = m_world.admit(patient, bed, m_world.desk);
    QCOMPARE(admitted.status, 201);
    const QString admission = admitted.json().value(u"id"_s).toString();
    QCOMPARE(m_world
                 .send("POST", withId(api::AdmissionTransfer, admission), m_world.nurse,
                       QJsonObject{{u"bedId"_s, bed}})
                 .status,
             403);
    ++denials;
    for (const QByteArray &token : {m_world.desk, m_world.nurse}) {
        QCOMPARE(m_world
                     .send("POST", withId(api::AdmissionDischarge, admission), token,
                           QJsonObject{{u"summary"_s, u"Home"_s}})
                     .status,
                 403);
        ++denials;
    }
    QCOMPARE(m_world.count("SELECT count(*) FROM admissions WHERE status = 'active' AND id = "
                           + admission.toStdString()),
             1);
    // Every refusal is in the audit trail.
    QCOMPARE(m_world.count("SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND "
                           "outcome = 'denied'"),
             deniedBefore + denials);
}

void TestIpd::badBodiesWriteNothing_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("field");
    const QByteArray ward("/api/v1/wards");
    const QByteArray beds("/api/v1/beds");
    const QByteArray admissions("/api/v1/admissions");
    QTest::newRow("ward-invalid-json") << ward << QByteArray("{\"code\":") << 400 << QString();
    QTest::newRow("ward-array") << ward << QByteArray("[]") << 400 << QString();
    QTest::newRow("ward-duplicate-key")
        << ward << QByteArray(R"({"code":"A","code":"B","name":"N","kind":"icu"})") << 400
        << QString();
    QTest::newRow("ward-unknown-kind")
        << ward << QByteArray(R"({"code":"K1","name":"N","kind":"spa"})") << 422 << u"kind"_s;
    QTest::newRow("ward-missing-name")
        << ward << QByteArray(R"({"code":"K2","kind":"icu"})") << 422 << u"name"_s;
    QTest::newRow("ward-unknown-field")
        << ward << QByteArray(R"({"code":"K3","name":"N","kind":"icu","beds":4})") << 422
        << u"beds"_s;
    QTest::newRow("ward-bad-code")
        << ward << QByteArray(R"({"code":"a b","name":"N","kind":"icu"})") << 422 << u"code"_s;
    QTest::newRow("ward-sql") << ward
                              << QByteArray(R"({"code":"' OR 1=1--","name":"N","kind":"icu"})")
                              << 422 << u"code"_s;
    QTest::newRow("bed-negative-rate")
        << beds << QByteArray(R"({"wardId":"WARD","room":"R","code":"C","dailyRate":-1})") << 422
        << u"dailyRate"_s;
    QTest::newRow("bed-fractional-rate")
        << beds << QByteArray(R"({"wardId":"WARD","room":"R","code":"C","dailyRate":1.5})") << 422
        << u"dailyRate"_s;
    QTest::newRow("bed-rate-as-string")
        << beds << QByteArray(R"({"wardId":"WARD","room":"R","code":"C","dailyRate":"100"})") << 422
        << u"dailyRate"_s;
    QTest::newRow("bed-unknown-feature")
        << beds << QByteArray(R"({"wardId":"WARD","room":"R","code":"C","features":["jacuzzi"]})")
        << 422 << u"features[0]"_s;
    QTest::newRow("bed-feature-twice")
        << beds
        << QByteArray(R"({"wardId":"WARD","room":"R","code":"C","features":["oxygen","oxygen"]})")
        << 422 << u"features[1]"_s;
    QTest::newRow("bed-features-not-array")
        << beds << QByteArray(R"({"wardId":"WARD","room":"R","code":"C","features":"oxygen"})")
        << 422 << u"features"_s;
    QTest::newRow("bed-numeric-ward")
        << beds << QByteArray(R"({"wardId":5,"room":"R","code":"C"})") << 422 << u"wardId"_s;
    QTest::newRow("bed-missing-room")
        << beds << QByteArray(R"({"wardId":"WARD","code":"C"})") << 422 << u"room"_s;
    QTest::newRow("bed-unknown-field")
        << beds << QByteArray(R"({"wardId":"WARD","room":"R","code":"C","status":"occupied"})")
        << 422 << u"status"_s;
    QTest::newRow("admission-missing-reason")
        << admissions << QByteArray(R"({"patientId":"1","bedId":"2"})") << 422 << u"reason"_s;
    QTest::newRow("admission-numeric-ids")
        << admissions << QByteArray(R"({"patientId":1,"bedId":"2","reason":"x"})") << 422
        << u"patientId"_s;
    QTest::newRow("admission-stay-zero")
        << admissions
        << QByteArray(R"({"patientId":"1","bedId":"2","reason":"x","expectedStayDays":0})") << 422
        << u"expectedStayDays"_s;
    QTest::newRow("admission-unknown-field")
        << admissions << QByteArray(R"({"patientId":"1","bedId":"2","reason":"x","ward":"3"})")
        << 422 << u"ward"_s;
    QTest::newRow("admission-duplicate-key")
        << admissions << QByteArray(R"({"patientId":"1","patientId":"2","bedId":"2","reason":"x"})")
        << 400 << QString();
    QTest::newRow("admission-empty") << admissions << QByteArray() << 400 << QString();
}

void TestIpd::badBodiesWriteNothing()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, field);
    body.replace("WARD", m_ward.toLatin1());
    const QByteArray token = path.endsWith("admissions") ? m_world.desk : m_world.admin;
    const qint64 before = writeCounts();
    const RawResponse response = m_world.send("POST", path, token, body);
    QCOMPARE(response.status, status);
    QCOMPARE(response.header("content-type"),
             QByteArray("application/problem+json; charset=utf-8"));
    if (!field.isEmpty()) {
        QStringList fields;
        for (const QJsonValue &error : response.json().value(u"errors"_s).toArray())
            fields.append(error.toObject().value(u"field"_s).toString());
        QVERIFY2(fields.contains(field), qPrintable(fields.join(u',')));
    }
    QCOMPARE(writeCounts(), before);
}

void TestIpd::otherHospitalsIdsAreIdentical404s()
{
    const QString alphaBed = bedIn(u"free"_s);
    const QString alphaPatient = m_world.makePatients(m_world.alpha, 1).value(0);
    const RawResponse admitted = m_world.admit(alphaPatient, alphaBed);
    QCOMPARE(admitted.status, 201);
    const QString alphaAdmission = admitted.json().value(u"id"_s).toString();
    const QString betaWard = m_world.createWard(u"BW"_s, u"general"_s, m_world.betaAdmin);
    QVERIFY(!betaWard.isEmpty());
    const QString betaBed = m_world.createBed(betaWard, u"R1"_s, u"B1"_s, {}, 0, m_world.betaAdmin)
                                .value(u"id"_s)
                                .toString();
    const QString betaPatient = m_world.makePatients(m_world.beta, 1).value(0);
    // Never used anywhere: the next ids after everything alpha made.
    const QString missing = u"987654321"_s;
    const qint64 before = businessCounts();

    struct Probe
    {
        QByteArray method;
        QByteArray path; ///< with ID
        QByteArray token;
        QByteArray body; ///< with ID
        QByteArray headers;
    };

    const QList<Probe> probes{
        {"GET", withId(api::Admission, u"ID"_s), m_world.betaDoctor, {}, {}},
        {"POST",
         withId(api::AdmissionTransfer, u"ID"_s),
         m_world.betaDesk,
         jsonBytes({{u"bedId"_s, betaBed}}),
         {}},
        {"POST",
         withId(api::AdmissionDischarge, u"ID"_s),
         m_world.betaDoctor,
         jsonBytes({{u"summary"_s, u"x"_s}}),
         {}},
    };
    const QList<Probe> bedProbes{
        {"POST", withId(api::BedStatus, u"ID"_s), m_world.betaAdmin,
         jsonBytes({{u"status"_s, u"maintenance"_s}}), ifMatch(1)},
        {"POST",
         withId(api::BedReservation, u"ID"_s),
         m_world.betaDesk,
         jsonBytes({{u"patientId"_s, betaPatient}}),
         {}},
        {"DELETE", withId(api::BedReservation, u"ID"_s), m_world.betaDesk, {}, {}},
        {"POST", api::Admissions, m_world.betaDesk, World::admissionBody(betaPatient, u"ID"_s), {}},
    };
    const auto run = [&](const Probe &probe, const QString &id) {
        QByteArray path = probe.path;
        path.replace("ID", id.toLatin1());
        QByteArray body = probe.body;
        body.replace("\"ID\"", QByteArray("\"" + id.toLatin1() + "\""));
        return m_world.send(probe.method, path, probe.token, body, probe.headers);
    };
    for (const Probe &probe : probes) {
        const RawResponse foreign = run(probe, alphaAdmission);
        const RawResponse absent = run(probe, missing);
        QVERIFY2(foreign.status == 404, probe.path.constData());
        QCOMPARE(foreign.body, absent.body);
    }
    for (const Probe &probe : bedProbes) {
        const RawResponse foreign = run(probe, alphaBed);
        const RawResponse absent = run(probe, missing);
        QVERIFY2(foreign.status == 404, QByteArray(probe.path + " " + foreign.body).constData());
        QCOMPARE(foreign.body, absent.body);
    }
    // Body ids: alpha's patient into beta's bed, alpha's ward for a beta bed or a list.
    const RawResponse foreignPatient = m_world.send("POST", api::Admissions, m_world.betaDesk,
                                                    World::admissionBody(alphaPatient, betaBed));
    const RawResponse absentPatient = m_world.send("POST", api::Admissions, m_world.betaDesk,
                                                   World::admissionBody(missing, betaBed));
    QCOMPARE(foreignPatient.status, 404);
    QCOMPARE(foreignPatient.body, absentPatient.body);
    const auto betaBedIn = [&](const QString &ward) {
        return m_world.send(
            "POST", api::Beds, m_world.betaAdmin,
            QJsonObject{{u"wardId"_s, ward}, {u"room"_s, u"R1"_s}, {u"code"_s, u"Z"_s}});
    };
    QCOMPARE(betaBedIn(m_ward).status, 404);
    QCOMPARE(betaBedIn(m_ward).body, betaBedIn(missing).body);
    const auto list = [&](const char *route, const QString &ward) {
        return m_world.send("GET", QByteArray(route) + "?wardId=" + ward.toLatin1(),
                            m_world.betaDoctor);
    };
    QCOMPARE(list(api::Beds, m_ward).status, 404);
    QCOMPARE(list(api::Beds, m_ward).body, list(api::Beds, missing).body);
    QCOMPARE(list(api::Admissions, m_ward).status, 404);
    QCOMPARE(list(api::Admissions, m_ward).body, list(api::Admissions, missing).body);
    // Nothing written but the audit trail of the misses.
    QCOMPARE(businessCounts(), before);
    // Alpha's things are untouched.
    QCOMPARE(m_world.bedStatus(alphaBed), u"occupied"_s);
    // Beta's lists never show alpha's rows.
    const QJsonObject betaBeds = m_world.send("GET", api::Beds, m_world.betaDesk).json();
    QVERIFY(bedOf(betaBeds, alphaBed).isEmpty());
    QVERIFY(!bedOf(betaBeds, betaBed).isEmpty());
    const QByteArray betaBoard = m_world.send("GET", api::BedBoard, m_world.betaDesk).body;
    QVERIFY(!betaBoard.contains("Ipd Patient"));
}

void TestIpd::oneAuditRowPerCall()
{
    const auto rows = [this](const std::string &action, const std::string &entityId,
                             const std::string &outcome = "success") {
        return m_world.count("SELECT count(*) FROM audit_log WHERE action = '" + action
                             + "' AND entity_id = '" + entityId + "' AND outcome = '" + outcome
                             + "'");
    };
    const qint64 total = m_world.count("SELECT count(*) FROM audit_log");
    const QString ward = m_world.createWard(u"AUDIT"_s);
    QCOMPARE(rows("ward.create", ward.toStdString()), 1);
    const QStringList beds = m_world.createBeds(ward, 2);
    QCOMPARE(rows("bed.create", beds[0].toStdString()), 1);
    const QString patient = m_world.makePatients(m_world.alpha, 1).value(0);
    const RawResponse admitted = m_world.admit(patient, beds[0]);
    const std::string admission = admitted.json().value(u"id"_s).toString().toStdString();
    QCOMPARE(rows("admission.create", admission), 1);
    // The patient, the actor, the role and the category are recorded.
    QCOMPARE(m_world.count("SELECT count(*) FROM audit_log WHERE action = 'admission.create' "
                           "AND entity_id = '"
                           + admission + "' AND patient_id = " + patient.toStdString()
                           + " AND actor_role = 'reception' AND category = 'clinical' "
                             "AND actor_user_id IS NOT NULL AND request_id IS NOT NULL"),
             1);
    QCOMPARE(
        m_world
            .send("GET", withId(api::Admission, QString::fromStdString(admission)), m_world.doctor)
            .status,
        200);
    QCOMPARE(rows("admission.read", admission), 1);
    // A miss is audited as a failure.
    QCOMPARE(m_world.send("GET", withId(api::Admission, u"987654320"_s), m_world.doctor).status,
             404);
    QCOMPARE(rows("admission.read", "987654320", "failure"), 1);
    QCOMPARE(m_world
                 .send("POST", withId(api::AdmissionTransfer, QString::fromStdString(admission)),
                       m_world.doctor, QJsonObject{{u"bedId"_s, beds[1]}})
                 .status,
             200);
    QCOMPARE(rows("admission.transfer", admission), 1);
    QCOMPARE(m_world
                 .send("POST", withId(api::AdmissionDischarge, QString::fromStdString(admission)),
                       m_world.desk, QJsonObject{{u"summary"_s, u"Home"_s}})
                 .status,
             403);
    QCOMPARE(m_world.count("SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND "
                           "outcome = 'denied' AND entity_id = '"
                           + admission + "' AND actor_role = 'reception'"),
             1);
    QCOMPARE(m_world
                 .send("POST", withId(api::AdmissionDischarge, QString::fromStdString(admission)),
                       m_world.doctor, QJsonObject{{u"summary"_s, u"Home"_s}})
                 .status,
             200);
    QCOMPARE(rows("admission.discharge", admission), 1);
    const int version = bedJson(beds[1]).value(u"version"_s).toInt();
    QCOMPARE(m_world
                 .send("POST", withId(api::BedStatus, beds[1]), m_world.nurse,
                       QJsonObject{{u"status"_s, u"free"_s}}, ifMatch(version))
                 .status,
             200);
    QCOMPARE(rows("bed.status", beds[1].toStdString()), 1);
    // Exactly these rows and no others: ward, 2 beds, admit, read, miss, transfer, denial,
    // discharge, housekeeping.
    QCOMPARE(m_world.count("SELECT count(*) FROM audit_log"), total + 10);
    // The audit chain still verifies.
    pqxx::connection connection(m_world.fixture->superuserUrl());
    pqxx::work tx(connection);
    QVERIFY(hms::server::AuditLog::verify(tx, m_world.alpha).ok);
}

QTEST_GUILESS_MAIN(TestIpd)
#include "tst_ipd.moc"
