// Admin merge of two patient records over real HTTP and PostgreSQL: the merged record is
// kept (merged_into, never deleted), its visits and appointments move to the survivor, its
// clinical documents are listed and read under the survivor, its MRN finds the survivor and
// GET of its id answers with the survivor; If-Match on both records (C2), refusals (itself,
// already merged, other hospital -> 404, T2), roles (only admins) and bad bodies (I1).
#include "shared/protocol/apipaths.h"
#include "support/serverfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTest>
#include <QUrl>

#include <pqxx/pqxx>

#include <memory>
#include <string>

using namespace hms;
using namespace hms::test;
using namespace Qt::StringLiterals;

namespace {

const QString Password = u"merge records horse 9"_s;

QByteArray ifMatch(int version)
{
    return "If-Match: \"" + QByteArray::number(version) + "\"\r\n";
}

QByteArray mergeBody(const QString &into, int intoVersion, const QString &reason = u"Same person"_s)
{
    return jsonBytes({{u"intoPatientId"_s, into},
                      {u"intoPatientVersion"_s, intoVersion},
                      {u"reason"_s, reason}});
}

} // namespace

class TestPatientMerge : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void mergeKeepsBothHistories();
    void mergeChainsResolveInOneHop();
    void refusals();
    void bothInTheSameQueueIsAConflict();
    void onlyAdminsMerge();
    void badBodiesWriteNothing_data();
    void badBodiesWriteNothing();

private:
    RawResponse send(const QByteArray &method,
                     const QByteArray &path,
                     const QByteArray &token,
                     const QByteArray &body = {},
                     const QByteArray &extraHeaders = {});
    /// Registers a patient through the API; its id and MRN.
    QPair<QString, QString> registerPatient(const QByteArray &token, const QString &name);
    QString checkIn(const QString &patient, const QString &department);
    QString department(const QString &code);
    qint64 writeCounts() const;

    std::unique_ptr<ServerFixture> m_fixture;
    qint64 m_alpha = 0;
    int m_serial = 0;
    QString m_departmentId;
    QByteArray m_admin;
    QByteArray m_desk;
    QByteArray m_doctor;
    QString m_doctorId;
    QByteArray m_betaAdmin;
    QByteArray m_betaDesk;
};

RawResponse TestPatientMerge::send(const QByteArray &method,
                                   const QByteArray &path,
                                   const QByteArray &token,
                                   const QByteArray &body,
                                   const QByteArray &extraHeaders)
{
    QByteArray bytes = ServerFixture::httpRequest(method, path, token, body);
    bytes.insert(bytes.indexOf("\r\n") + 2, extraHeaders);
    return RawHttpClient::roundTrip(m_fixture->port(), bytes, 15'000).value_or(RawResponse());
}

QPair<QString, QString> TestPatientMerge::registerPatient(const QByteArray &token,
                                                          const QString &name)
{
    ++m_serial;
    const RawResponse created =
        send("POST", api::Patients, token,
             jsonBytes({{u"fullName"_s, name},
                        {u"birthDate"_s,
                         QString(u"19%1-0%2-1%3"_s)
                             .arg(50 + m_serial)
                             .arg(1 + m_serial % 9)
                             .arg(m_serial % 10)},
                        {u"sex"_s, u"M"_s},
                        {u"phone"_s, QString(u"+4477009%1"_s).arg(m_serial, 5, 10, QChar(u'0'))}}));
    if (created.status != 201) {
        qWarning("register: %d %s", created.status, created.body.constData());
        return {};
    }
    return {created.json().value(u"id"_s).toString(), created.json().value(u"mrn"_s).toString()};
}

QString TestPatientMerge::department(const QString &code)
{
    const RawResponse created =
        send("POST", api::Departments, m_admin, jsonBytes({{u"code"_s, code}, {u"name"_s, code}}));
    return created.json().value(u"id"_s).toString();
}

QString TestPatientMerge::checkIn(const QString &patient, const QString &departmentId)
{
    const RawResponse visit =
        send("POST", api::Visits, m_desk,
             jsonBytes({{u"patientId"_s, patient}, {u"departmentId"_s, departmentId}}));
    if (visit.status != 201)
        qWarning("check-in: %d %s", visit.status, visit.body.constData());
    return visit.json().value(u"id"_s).toString();
}

qint64 TestPatientMerge::writeCounts() const
{
    return m_fixture->count("SELECT (SELECT count(*) FROM patients WHERE merged_into IS NOT NULL) "
                            "* 1000000000 + (SELECT coalesce(sum(version), 0) FROM patients) "
                            "* 1000 + (SELECT count(*) FROM audit_log WHERE action = "
                            "'patient.merge')");
}

void TestPatientMerge::initTestCase()
{
    QLoggingCategory::setFilterRules(u"hms.server.access.info=false"_s);
    m_fixture = std::make_unique<ServerFixture>(u"merge"_s);
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    m_alpha = m_fixture->createHospital(u"alpha"_s, u"Alpha"_s);
    QVERIFY(m_alpha > 0 && m_fixture->createHospital(u"beta"_s, u"Beta"_s) > 0);
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
    m_doctor = token(u"alpha"_s, u"doctor"_s, Role::Doctor, &m_doctorId);
    m_betaAdmin = token(u"beta"_s, u"admin"_s, Role::Admin);
    m_betaDesk = token(u"beta"_s, u"desk"_s, Role::Reception);
    for (const QByteArray &t : {m_admin, m_desk, m_doctor, m_betaAdmin, m_betaDesk})
        QVERIFY(!t.isEmpty());
    m_departmentId = department(u"gen"_s);
    QVERIFY(!m_departmentId.isEmpty());
    QCOMPARE(send("POST", withId(api::DepartmentDoctors, m_departmentId), m_admin,
                  jsonBytes({{u"userId"_s, m_doctorId}}))
                 .status,
             201);
}

void TestPatientMerge::mergeKeepsBothHistories()
{
    const auto [mergedId, mergedMrn] = registerPatient(m_desk, u"Tomasz Kowalski"_s);
    const auto [survivorId, survivorMrn] = registerPatient(m_desk, u"Tomas Kowalsky"_s);
    QVERIFY(!mergedId.isEmpty() && !survivorId.isEmpty());
    // The merged record's history: a visit, an appointment, a consultation.
    const QString visitId = checkIn(mergedId, m_departmentId);
    QVERIFY(!visitId.isEmpty());
    {
        pqxx::connection connection(m_fixture->superuserUrl());
        pqxx::work tx(connection);
        tx.exec_params("INSERT INTO appointments (hospital_id, department_id, doctor_id, "
                       "patient_id, starts_at, ends_at, created_by) VALUES ($1, $2, $3, $4, "
                       "now() + interval '3 days', now() + interval '3 days 15 minutes', $3)",
                       m_alpha, m_departmentId.toLongLong(), m_doctorId.toLongLong(),
                       mergedId.toLongLong());
        tx.commit();
    }
    const RawResponse document = send(
        "POST", withId(api::PatientDocuments, mergedId), m_doctor,
        jsonBytes({{u"kind"_s, u"consultation"_s},
                   {u"body"_s,
                    QJsonObject{{u"visitId"_s, visitId}, {u"subjective"_s, u"Back pain"_s}}}}));
    QVERIFY2(document.status == 201, document.body.constData());
    const QString documentId = document.json().value(u"id"_s).toString();

    // The name search finds both records by their names (0022: from patient_name_terms).
    const auto nameHits = [this](const QString &q) {
        QStringList ids;
        const RawResponse found =
            send("GET", QByteArray(api::Patients) + "?q=" + QUrl::toPercentEncoding(q), m_desk);
        for (const QJsonValue &item : found.json().value(u"items"_s).toArray())
            ids.append(item.toObject().value(u"id"_s).toString());
        return ids;
    };
    const auto termRows = [this](const QString &id) {
        return m_fixture->count("SELECT count(*) FROM patient_name_terms WHERE patient_id = "
                                + std::to_string(id.toLongLong()));
    };
    QVERIFY(nameHits(u"kowalski tomasz"_s).contains(mergedId));
    QVERIFY(nameHits(u"Tomasz"_s).contains(mergedId));
    QVERIFY(nameHits(u"kowalski tomas"_s).contains(mergedId)); // the trigram tier
    QCOMPARE(termRows(mergedId), 3);

    const RawResponse merged = send("POST", withId(api::PatientMerge, mergedId), m_admin,
                                    mergeBody(survivorId, 1), ifMatch(1));
    QVERIFY2(merged.status == 200, merged.body.constData());
    // The merged record leaves the name search (its terms go); the survivor stays in it.
    QCOMPARE(termRows(mergedId), 0);
    QCOMPARE(termRows(survivorId), 3);
    QVERIFY(!nameHits(u"kowalski tomasz"_s).contains(mergedId));
    QVERIFY(!nameHits(u"Tomasz"_s).contains(mergedId));
    QVERIFY(!nameHits(u"kowalski tomas"_s).contains(mergedId));
    QVERIFY(nameHits(u"kowalsky tomas"_s).contains(survivorId));
    const QJsonObject json = merged.json();
    QCOMPARE(json.value(u"mergedInto"_s).toString(), survivorId);
    QCOMPARE(json.value(u"movedVisits"_s).toInt(), 1);
    QCOMPARE(json.value(u"movedAppointments"_s).toInt(), 1);
    QCOMPARE(json.value(u"version"_s).toInt(), 2);
    QCOMPARE(json.value(u"survivorVersion"_s).toInt(), 2);
    QCOMPARE(merged.header("content-location"),
             QByteArray(api::Patients) + '/' + survivorId.toLatin1());

    // The merged record is kept, pointing at the survivor, with who and why.
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients WHERE id = " + mergedId.toStdString()
                              + " AND merged_into = " + survivorId.toStdString()
                              + " AND merge_reason = 'Same person' AND merged_by IS NOT NULL"),
             1);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'patient.merge' AND "
                              "entity_id = '"
                              + mergedId.toStdString() + "' AND details->>'intoPatientId' = '"
                              + survivorId.toStdString() + "'"),
             1);
    // GET of the merged id answers with the survivor.
    const RawResponse read = send("GET", withId(api::Patient, mergedId), m_desk);
    QCOMPARE(read.status, 200);
    QCOMPARE(read.json().value(u"id"_s).toString(), survivorId);
    QCOMPARE(read.json().value(u"mrn"_s).toString(), survivorMrn);
    QCOMPARE(read.header("content-location"),
             QByteArray(api::Patients) + '/' + survivorId.toLatin1());
    QCOMPARE(read.header("etag"), QByteArray("\"2\""));
    // Audited as a redirect plus a read of the survivor; no "not found" row.
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'patient.read' AND "
                              "outcome = 'failure' AND entity_id = '"
                              + mergedId.toStdString() + "'"),
             0);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = "
                              "'patient.read.redirect' AND entity_id = '"
                              + mergedId.toStdString() + "' AND details->>'mergedInto' = '"
                              + survivorId.toStdString() + "'"),
             1);
    // The merged MRN finds the survivor.
    const RawResponse found =
        send("GET", QByteArray(api::Patients) + "?q=" + QUrl::toPercentEncoding(mergedMrn), m_desk);
    QCOMPARE(found.status, 200);
    const QJsonArray items = found.json().value(u"items"_s).toArray();
    QCOMPARE(items.size(), 1);
    QCOMPARE(items[0].toObject().value(u"id"_s).toString(), survivorId);
    // Visits and appointments are the survivor's now; the document is read under it.
    QCOMPARE(send("GET", withId(api::Visit, visitId), m_desk).json().value(u"patientId"_s),
             QJsonValue(survivorId));
    const RawResponse appointments =
        send("GET", QByteArray(api::Appointments) + "?patientId=" + survivorId.toLatin1(), m_desk);
    QCOMPARE(appointments.json().value(u"items"_s).toArray().size(), 1);
    const RawResponse documents = send("GET", withId(api::PatientDocuments, survivorId), m_doctor);
    QCOMPARE(documents.status, 200);
    QCOMPARE(documents.json().value(u"items"_s).toArray().size(), 1);
    QByteArray documentPath = withId(api::PatientDocument, survivorId);
    documentPath.replace("{docId}", documentId.toLatin1());
    QCOMPARE(send("GET", documentPath, m_doctor).status, 200);
    // The merged record can no longer be checked in or changed.
    QCOMPARE(send("POST", api::Visits, m_desk,
                  jsonBytes({{u"patientId"_s, mergedId}, {u"departmentId"_s, m_departmentId}}))
                 .status,
             404);
    QCOMPARE(send("PATCH", withId(api::Patient, mergedId), m_desk,
                  jsonBytes({{u"fullName"_s, u"X"_s}}), ifMatch(2))
                 .status,
             404);
}

void TestPatientMerge::mergeChainsResolveInOneHop()
{
    const QString a = registerPatient(m_desk, u"Aino Virtanen"_s).first;
    const QString b = registerPatient(m_desk, u"Aino Virtanenn"_s).first;
    const QString c = registerPatient(m_desk, u"Aino Wirtanen"_s).first;
    QCOMPARE(
        send("POST", withId(api::PatientMerge, a), m_admin, mergeBody(b, 1), ifMatch(1)).status,
        200);
    QCOMPARE(
        send("POST", withId(api::PatientMerge, b), m_admin, mergeBody(c, 1), ifMatch(2)).status,
        200);
    QCOMPARE(m_fixture->count("SELECT merged_into FROM patients WHERE id = " + a.toStdString()),
             c.toLongLong());
    QCOMPARE(send("GET", withId(api::Patient, a), m_desk).json().value(u"id"_s).toString(), c);
}

void TestPatientMerge::refusals()
{
    const QString a = registerPatient(m_desk, u"Kofi Mensah"_s).first;
    const QString b = registerPatient(m_desk, u"Kofi Menssah"_s).first;
    const QString c = registerPatient(m_desk, u"Kwabena Owusu"_s).first;
    const QString beta = registerPatient(m_betaDesk, u"Kofi Mensa"_s).first;
    QVERIFY(!beta.isEmpty());
    const qint64 before = writeCounts();
    const QByteArray path = withId(api::PatientMerge, a);
    // Into itself.
    QCOMPARE(send("POST", path, m_admin, mergeBody(a, 1), ifMatch(1)).status, 422);
    // Stale or missing versions.
    QCOMPARE(send("POST", path, m_admin, mergeBody(b, 1)).status, 428);
    QCOMPARE(send("POST", path, m_admin, mergeBody(b, 1), ifMatch(7)).status, 412);
    QCOMPARE(send("POST", path, m_admin, mergeBody(b, 7), ifMatch(1)).status, 412);
    // Other hospital's record on either side, or one that does not exist: the same 404.
    const RawResponse missing =
        send("POST", path, m_admin, mergeBody(u"987654321"_s, 1), ifMatch(1));
    QCOMPARE(missing.status, 404);
    QCOMPARE(send("POST", path, m_admin, mergeBody(beta, 1), ifMatch(1)).body, missing.body);
    QCOMPARE(
        send("POST", withId(api::PatientMerge, beta), m_admin, mergeBody(a, 1), ifMatch(1)).body,
        missing.body);
    QCOMPARE(send("POST", path, m_betaAdmin, mergeBody(beta, 1), ifMatch(1)).body, missing.body);
    QCOMPARE(writeCounts(), before);
    // Once merged: neither the merged record again nor into it.
    QCOMPARE(send("POST", path, m_admin, mergeBody(b, 1), ifMatch(1)).status, 200);
    QCOMPARE(send("POST", path, m_admin, mergeBody(c, 1), ifMatch(2)).body, missing.body);
    QCOMPARE(send("POST", withId(api::PatientMerge, c), m_admin, mergeBody(a, 2), ifMatch(1)).body,
             missing.body);
    // Another hospital never sees the merged id either.
    QCOMPARE(send("GET", withId(api::Patient, a), m_betaDesk).status, 404);
}

void TestPatientMerge::bothInTheSameQueueIsAConflict()
{
    const QString a = registerPatient(m_desk, u"Lena Fischer"_s).first;
    const QString b = registerPatient(m_desk, u"Lena Fisher"_s).first;
    QVERIFY(!checkIn(a, m_departmentId).isEmpty());
    QVERIFY(!checkIn(b, m_departmentId).isEmpty());
    const qint64 before = writeCounts();
    const RawResponse refused =
        send("POST", withId(api::PatientMerge, a), m_admin, mergeBody(b, 1), ifMatch(1));
    QCOMPARE(refused.status, 409);
    QCOMPARE(writeCounts(), before);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM visits WHERE patient_id = " + a.toStdString()),
             1);
}

void TestPatientMerge::onlyAdminsMerge()
{
    const QString a = registerPatient(m_desk, u"Mei Chen"_s).first;
    const QString b = registerPatient(m_desk, u"Mei Chenn"_s).first;
    const qint64 before = writeCounts();
    for (const QByteArray &token : {m_desk, m_doctor, m_betaDesk})
        QCOMPARE(
            send("POST", withId(api::PatientMerge, a), token, mergeBody(b, 1), ifMatch(1)).status,
            403);
    QCOMPARE(send("POST", withId(api::PatientMerge, a), {}, mergeBody(b, 1), ifMatch(1)).status,
             401);
    QCOMPARE(writeCounts(), before);
}

void TestPatientMerge::badBodiesWriteNothing_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::newRow("empty") << QByteArray() << 400;
    QTest::newRow("malformed") << QByteArray("{\"intoPatientId\":") << 400;
    QTest::newRow("duplicate-key") << QByteArray(
        R"({"intoPatientId":"1","intoPatientId":"2","intoPatientVersion":1,"reason":"x"})")
                                   << 400;
    QTest::newRow("missing-reason")
        << QByteArray(R"({"intoPatientId":"1","intoPatientVersion":1})") << 422;
    QTest::newRow("blank-reason") << QByteArray(
        R"({"intoPatientId":"1","intoPatientVersion":1,"reason":"  "})")
                                  << 422;
    QTest::newRow("missing-version") << QByteArray(R"({"intoPatientId":"1","reason":"x"})") << 422;
    QTest::newRow("numeric-id") << QByteArray(
        R"({"intoPatientId":1,"intoPatientVersion":1,"reason":"x"})")
                                << 422;
    QTest::newRow("version-text") << QByteArray(
        R"({"intoPatientId":"1","intoPatientVersion":"1","reason":"x"})")
                                  << 422;
    QTest::newRow("unknown-field")
        << QByteArray(R"({"intoPatientId":"1","intoPatientVersion":1,"reason":"x","force":true})")
        << 422;
}

void TestPatientMerge::badBodiesWriteNothing()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    const QString a = registerPatient(m_desk, QString(u"Bad Body %1"_s).arg(m_serial)).first;
    const qint64 before = writeCounts();
    QCOMPARE(send("POST", withId(api::PatientMerge, a), m_admin, body, ifMatch(1)).status, status);
    QCOMPARE(writeCounts(), before);
}

QTEST_GUILESS_MAIN(TestPatientMerge)
#include "tst_patientmerge.moc"
