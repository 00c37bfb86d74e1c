// Clinical documents over real HTTP and PostgreSQL: doctors and nurses write and read
// (clinical.write / clinical.read), everyone else gets 403; corrections are new versions
// with If-Match (428 / 412); a document under another patient's path and another
// hospital's ids answer the same 404 (SECURITY.md T2); every read and write leaves exactly
// one audit row, category clinical, with the patient id (L1); bad bodies are 422 and write
// nothing (I1).
#include "shared/protocol/apipaths.h"
#include "support/serverfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <pqxx/connection>
#include <pqxx/transaction>

#include <functional>
#include <memory>
#include <string>

using namespace hms;
using namespace hms::test;
using namespace Qt::StringLiterals;

namespace {

const QString Password = u"clinical documents horse 9"_s;

QByteArray documentsPath(const QString &patientId)
{
    return "/api/v1/patients/" + patientId.toLatin1() + "/documents";
}

QByteArray documentPath(const QString &patientId, const QString &documentId)
{
    return documentsPath(patientId) + '/' + documentId.toLatin1();
}

QByteArray versionsPath(const QString &patientId, const QString &documentId)
{
    return documentPath(patientId, documentId) + "/versions";
}

QJsonObject consultation()
{
    return {{u"kind"_s, u"consultation"_s},
            {u"body"_s,
             QJsonObject{
                 {u"subjective"_s, u"Cough for 3 days"_s},
                 {u"assessment"_s, u"Acute bronchitis"_s},
                 {u"vitals"_s, QJsonObject{{u"temperatureC"_s, 38.2}, {u"pulse"_s, 96}}},
                 {u"diagnoses"_s,
                  QJsonArray{
                      QJsonObject{{u"icd10"_s, u"J20.9"_s}, {u"text"_s, u"Acute bronchitis"_s}}}},
                 {u"prescriptions"_s,
                  QJsonArray{QJsonObject{{u"drug"_s, u"Paracetamol"_s},
                                         {u"dose"_s, u"500 mg"_s},
                                         {u"route"_s, u"oral"_s},
                                         {u"frequency"_s, u"TDS"_s},
                                         {u"durationDays"_s, 5},
                                         {u"instructions"_s, u"after food"_s}}}},
                 {u"labOrders"_s,
                  QJsonArray{QJsonObject{{u"test"_s, u"CBC"_s}, {u"priority"_s, u"routine"_s}}}}}}};
}

QJsonObject vitals()
{
    return {{u"kind"_s, u"vitals"_s},
            {u"body"_s,
             QJsonObject{{u"temperatureC"_s, 37.1},
                         {u"systolic"_s, 120},
                         {u"diastolic"_s, 80},
                         {u"spo2"_s, 98}}}};
}

} // namespace

class TestClinicalDocuments : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void doctorWritesConsultationAndReadsIt();
    void nurseWritesVitalsAndListsNewestFirst();
    void otherRolesGet403_data();
    void otherRolesGet403();
    void versionsNeedCurrentIfMatch();
    void wrongPatientAndOtherHospitalAre404();
    void badBodiesAre422AndWriteNothing_data();
    void badBodiesAre422AndWriteNothing();
    void badListParametersAre422();
    void idempotencyKeyReplaysCreate();

private:
    RawResponse send(const QByteArray &method,
                     const QByteArray &path,
                     const QByteArray &token,
                     const QByteArray &body = {},
                     const QByteArray &extraHeaders = {});
    /// Runs \a call and checks it left exactly one clinical audit row, for \a patientId, with
    /// \a action and \a outcome.
    void expectOneAudit(const std::function<void()> &call,
                        const QString &action,
                        const QString &patientId,
                        const QString &outcome = u"success"_s);
    qint64 writeCounts() const;
    QString newPatient(qint64 hospital);
    QString createDocument(const QByteArray &token, const QString &patient, const QJsonObject &doc);

    std::unique_ptr<ServerFixture> m_fixture;
    qint64 m_alpha = 0;
    qint64 m_beta = 0;
    QHash<Role, QByteArray> m_tokens; // alpha, one per role
    QByteArray m_betaDoctor;
    int m_patients = 0;
};

void TestClinicalDocuments::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>(u"clinicaldocs"_s);
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    m_alpha = m_fixture->createHospital(u"alpha"_s, u"Alpha"_s);
    m_beta = m_fixture->createHospital(u"beta"_s, u"Beta"_s);
    QVERIFY(m_alpha > 0 && m_beta > 0);
    for (const Role role : AllRoles) {
        const QString username = u"alpha-"_s + roleName(role);
        QVERIFY(m_fixture->createUser(u"alpha"_s, username, role, Password) > 0);
        const QByteArray token = accessTokenOf(m_fixture->login(u"alpha"_s, username, Password));
        QVERIFY(!token.isEmpty());
        m_tokens.insert(role, token);
    }
    QVERIFY(m_fixture->createUser(u"beta"_s, u"doc"_s, Role::Doctor, Password) > 0);
    m_betaDoctor = accessTokenOf(m_fixture->login(u"beta"_s, u"doc"_s, Password));
    QVERIFY(!m_betaDoctor.isEmpty());
}

void TestClinicalDocuments::cleanupTestCase()
{
    m_fixture.reset();
}

RawResponse TestClinicalDocuments::send(const QByteArray &method,
                                        const QByteArray &path,
                                        const QByteArray &token,
                                        const QByteArray &body,
                                        const QByteArray &extraHeaders)
{
    QByteArray bytes = ServerFixture::httpRequest(method, path, token, body);
    bytes.insert(bytes.indexOf("\r\n") + 2, extraHeaders);
    return RawHttpClient::roundTrip(m_fixture->port(), bytes, 15'000).value_or(RawResponse());
}

void TestClinicalDocuments::expectOneAudit(const std::function<void()> &call,
                                           const QString &action,
                                           const QString &patientId,
                                           const QString &outcome)
{
    const qint64 before = m_fixture->count("SELECT count(*) FROM audit_log");
    call();
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log"), before + 1);
    const std::string last = m_fixture->database().scalar(
        "SELECT category || '|' || action || '|' || coalesce(patient_id::text, '') || '|' || "
        "outcome FROM audit_log ORDER BY at DESC, seq DESC LIMIT 1");
    QCOMPARE(QString::fromStdString(last),
             u"clinical|"_s + action + u'|' + patientId + u'|' + outcome);
}

qint64 TestClinicalDocuments::writeCounts() const
{
    return m_fixture->count("SELECT (SELECT count(*) FROM clinical_documents) * 1000000 "
                            "+ (SELECT count(*) FROM clinical_document_versions) * 1000 "
                            "+ (SELECT count(*) FROM audit_log)");
}

QString TestClinicalDocuments::newPatient(qint64 hospital)
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    const qint64 id =
        tx.exec_params1("INSERT INTO patients (hospital_id, mrn, full_name, birth_date, sex, "
                        "phone) VALUES ($1, $2, 'Document Probe', '1975-05-05', 'F', "
                        "'+15550001111') RETURNING id",
                        hospital, "D-2026-" + std::to_string(100000 + ++m_patients) + "-0")[0]
            .as<qint64>();
    tx.commit();
    return QString::number(id);
}

QString TestClinicalDocuments::createDocument(const QByteArray &token,
                                              const QString &patient,
                                              const QJsonObject &doc)
{
    const RawResponse response = send("POST", documentsPath(patient), token, jsonBytes(doc));
    if (response.status != 201) {
        qWarning() << response.status << response.body;
        return {};
    }
    return response.json().value(u"id"_s).toString();
}

void TestClinicalDocuments::doctorWritesConsultationAndReadsIt()
{
    const QString patient = newPatient(m_alpha);
    RawResponse created;
    expectOneAudit(
        [&] {
            created = send("POST", documentsPath(patient), m_tokens.value(Role::Doctor),
                           jsonBytes(consultation()));
        },
        u"document.create"_s, patient);
    QCOMPARE(created.status, 201);
    QCOMPARE(created.header("etag"), QByteArray("\"1\""));
    const QJsonObject json = created.json();
    const QString id = json.value(u"id"_s).toString();
    QVERIFY(!id.isEmpty());
    QCOMPARE(json.value(u"patientId"_s).toString(), patient);
    QCOMPARE(json.value(u"kind"_s).toString(), u"consultation"_s);
    QCOMPARE(json.value(u"version"_s).toInt(), 1);
    QCOMPARE(json.value(u"body"_s).toObject(), consultation().value(u"body"_s).toObject());
    QVERIFY(!json.value(u"authorId"_s).toString().isEmpty());
    QVERIFY(json.value(u"authoredAt"_s).toString().endsWith(u'Z'));
    QCOMPARE(created.header("location"), documentPath(patient, id));

    RawResponse read;
    expectOneAudit(
        [&] {
            read = send("GET", documentPath(patient, id), m_tokens.value(Role::Nurse));
        },
        u"document.read"_s, patient);
    QCOMPARE(read.status, 200);
    QCOMPARE(read.header("etag"), QByteArray("\"1\""));
    QCOMPARE(read.json(), json);
}

void TestClinicalDocuments::nurseWritesVitalsAndListsNewestFirst()
{
    const QString patient = newPatient(m_alpha);
    const QString first = createDocument(m_tokens.value(Role::Nurse), patient, vitals());
    const QString second = createDocument(m_tokens.value(Role::Doctor), patient, consultation());
    const QString third = createDocument(
        m_tokens.value(Role::Nurse), patient,
        {{u"kind"_s, u"nursing_note"_s}, {u"body"_s, QJsonObject{{u"text"_s, u"Comfortable"_s}}}});
    QVERIFY(!first.isEmpty() && !second.isEmpty() && !third.isEmpty());

    RawResponse list;
    expectOneAudit(
        [&] {
            list = send("GET", documentsPath(patient), m_tokens.value(Role::Nurse));
        },
        u"document.list"_s, patient);
    QCOMPARE(list.status, 200);
    QStringList ids;
    for (const QJsonValue &item : list.json().value(u"items"_s).toArray())
        ids.append(item.toObject().value(u"id"_s).toString());
    QCOMPARE(ids, QStringList({third, second, first}));
    // The audit row names the returned documents.
    const std::string audited = m_fixture->database().scalar(
        "SELECT details->>'documentIds' FROM audit_log WHERE action = 'document.list' "
        "ORDER BY at DESC, seq DESC LIMIT 1");
    QCOMPARE(QJsonDocument::fromJson(QByteArray::fromStdString(audited)).array(),
             QJsonArray::fromStringList(ids));

    // Paging and the kind filter.
    const RawResponse page1 =
        send("GET", documentsPath(patient) + "?limit=2", m_tokens.value(Role::Doctor));
    QCOMPARE(page1.status, 200);
    QCOMPARE(page1.json().value(u"items"_s).toArray().size(), 2);
    const QString cursor = page1.json().value(u"nextCursor"_s).toString();
    QVERIFY(!cursor.isEmpty());
    const RawResponse page2 =
        send("GET", documentsPath(patient) + "?limit=2&cursor=" + cursor.toLatin1(),
             m_tokens.value(Role::Doctor));
    QCOMPARE(page2.status, 200);
    const QJsonArray rest = page2.json().value(u"items"_s).toArray();
    QCOMPARE(rest.size(), 1);
    QCOMPARE(rest.at(0).toObject().value(u"id"_s).toString(), first);
    QVERIFY(!page2.json().contains(u"nextCursor"_s));
    const RawResponse onlyVitals =
        send("GET", documentsPath(patient) + "?kind=vitals", m_tokens.value(Role::Doctor));
    QCOMPARE(onlyVitals.status, 200);
    QCOMPARE(onlyVitals.json().value(u"items"_s).toArray().size(), 1);
    QCOMPARE(
        onlyVitals.json().value(u"items"_s).toArray().at(0).toObject().value(u"id"_s).toString(),
        first);
}

void TestClinicalDocuments::otherRolesGet403_data()
{
    QTest::addColumn<Role>("role");
    QTest::newRow("admin") << Role::Admin;
    QTest::newRow("reception") << Role::Reception;
    QTest::newRow("pharmacy") << Role::Pharmacy;
    QTest::newRow("lab") << Role::Lab;
}

void TestClinicalDocuments::otherRolesGet403()
{
    QFETCH(Role, role);
    const QString patient = newPatient(m_alpha);
    const QString doc = createDocument(m_tokens.value(Role::Doctor), patient, consultation());
    QVERIFY(!doc.isEmpty());
    const QByteArray token = m_tokens.value(role);
    const qint64 documents = m_fixture->count("SELECT count(*) FROM clinical_document_versions");
    const qint64 denials =
        m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'access.denied'");
    const qint64 clinical =
        m_fixture->count("SELECT count(*) FROM audit_log WHERE category = 'clinical'");
    QCOMPARE(send("POST", documentsPath(patient), token, jsonBytes(consultation())).status, 403);
    QCOMPARE(send("GET", documentsPath(patient), token).status, 403);
    QCOMPARE(send("GET", documentPath(patient, doc), token).status, 403);
    QCOMPARE(send("GET", versionsPath(patient, doc), token).status, 403);
    QCOMPARE(send("POST", versionsPath(patient, doc), token,
                  jsonBytes({{u"body"_s, consultation().value(u"body"_s)}, {u"reason"_s, u"x"_s}}),
                  "If-Match: \"1\"\r\n")
                 .status,
             403);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM clinical_document_versions"), documents);
    // Each denial is audited (as access.denied), and no clinical data was read.
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'access.denied'"),
             denials + 5);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE category = 'clinical'"),
             clinical);
}

void TestClinicalDocuments::versionsNeedCurrentIfMatch()
{
    const QString patient = newPatient(m_alpha);
    const QByteArray doctor = m_tokens.value(Role::Doctor);
    const QString doc = createDocument(doctor, patient, vitals());
    QVERIFY(!doc.isEmpty());
    const QJsonObject corrected{
        {u"body"_s, QJsonObject{{u"temperatureC"_s, 37.4}, {u"pulse"_s, 80}}},
        {u"reason"_s, u"transcription error"_s}};
    const qint64 before = writeCounts();
    QCOMPARE(send("POST", versionsPath(patient, doc), doctor, jsonBytes(corrected)).status, 428);
    QCOMPARE(send("POST", versionsPath(patient, doc), doctor, jsonBytes(corrected),
                  "If-Match: \"2\"\r\n")
                 .status,
             412);
    QCOMPARE(send("POST", versionsPath(patient, doc), doctor, jsonBytes(corrected),
                  "If-Match: garbage\r\n")
                 .status,
             412);
    QCOMPARE(writeCounts(), before);

    RawResponse added;
    expectOneAudit(
        [&] {
            added = send("POST", versionsPath(patient, doc), m_tokens.value(Role::Nurse),
                         jsonBytes(corrected), "If-Match: \"1\"\r\n");
        },
        u"document.version"_s, patient);
    QCOMPARE(added.status, 201);
    QCOMPARE(added.header("etag"), QByteArray("\"2\""));
    QCOMPARE(added.json().value(u"version"_s).toInt(), 2);
    QCOMPARE(added.json().value(u"reason"_s).toString(), u"transcription error"_s);
    // The same If-Match again is stale now: the first correction is never overwritten.
    QCOMPARE(send("POST", versionsPath(patient, doc), doctor, jsonBytes(corrected),
                  "If-Match: \"1\"\r\n")
                 .status,
             412);
    // A body that does not fit the document's kind.
    const QJsonObject wrongKind{{u"body"_s, QJsonObject{{u"text"_s, u"a note"_s}}},
                                {u"reason"_s, u"x"_s}};
    const qint64 mid = writeCounts();
    QCOMPARE(send("POST", versionsPath(patient, doc), doctor, jsonBytes(wrongKind),
                  "If-Match: \"2\"\r\n")
                 .status,
             422);
    QCOMPARE(writeCounts(), mid);

    RawResponse latest;
    expectOneAudit(
        [&] {
            latest = send("GET", documentPath(patient, doc), doctor);
        },
        u"document.read"_s, patient);
    QCOMPARE(latest.header("etag"), QByteArray("\"2\""));
    QCOMPARE(latest.json().value(u"body"_s).toObject(), corrected.value(u"body"_s).toObject());

    RawResponse history;
    expectOneAudit(
        [&] {
            history = send("GET", versionsPath(patient, doc), doctor);
        },
        u"document.history"_s, patient);
    QCOMPARE(history.status, 200);
    const QJsonArray versions = history.json().value(u"items"_s).toArray();
    QCOMPARE(versions.size(), 2);
    QCOMPARE(versions.at(0).toObject().value(u"version"_s).toInt(), 1);
    QCOMPARE(versions.at(0).toObject().value(u"body"_s).toObject(),
             vitals().value(u"body"_s).toObject());
    QCOMPARE(versions.at(1).toObject().value(u"version"_s).toInt(), 2);
}

void TestClinicalDocuments::wrongPatientAndOtherHospitalAre404()
{
    const QByteArray doctor = m_tokens.value(Role::Doctor);
    const QString patientA = newPatient(m_alpha);
    const QString patientB = newPatient(m_alpha);
    const QString betaPatient = newPatient(m_beta);
    const QString docOfB = createDocument(doctor, patientB, consultation());
    const QString betaDoc = createDocument(m_betaDoctor, betaPatient, consultation());
    QVERIFY(!docOfB.isEmpty() && !betaDoc.isEmpty());
    const QByteArray absentDoc = QByteArray::number(betaDoc.toLongLong() + 1000);
    const QJsonObject newVersion{{u"body"_s, consultation().value(u"body"_s)},
                                 {u"reason"_s, u"x"_s}};

    QByteArray notFoundBody;
    const auto expect404 = [&](const QByteArray &method, const QByteArray &path,
                               const QByteArray &body, const QString &auditPatient) {
        const qint64 documents =
            m_fixture->count("SELECT count(*) FROM clinical_document_versions");
        RawResponse response;
        expectOneAudit(
            [&] {
                response = send(method, path, doctor, body, "If-Match: \"1\"\r\n");
            },
            method == "GET"
                ? (path.endsWith("/versions") ? u"document.history"_s : u"document.read"_s)
                : (path.endsWith("/versions") ? u"document.version"_s : u"document.create"_s),
            auditPatient, u"failure"_s);
        QVERIFY2(response.status == 404, path.constData());
        if (notFoundBody.isEmpty())
            notFoundBody = response.body;
        QVERIFY2(response.body == notFoundBody, path.constData());
        QCOMPARE(m_fixture->count("SELECT count(*) FROM clinical_document_versions"), documents);
    };
    // B's document under A's path (parent/child mismatch).
    expect404("GET", documentPath(patientA, docOfB), {}, patientA);
    expect404("GET", versionsPath(patientA, docOfB), {}, patientA);
    expect404("POST", versionsPath(patientA, docOfB), jsonBytes(newVersion), patientA);
    // Another hospital's document, under our patient and under its own patient.
    expect404("GET", documentPath(patientA, betaDoc), {}, patientA);
    expect404("GET", documentPath(betaPatient, betaDoc), {}, QString());
    expect404("POST", versionsPath(betaPatient, betaDoc), jsonBytes(newVersion), QString());
    expect404("POST", documentsPath(betaPatient), jsonBytes(consultation()), QString());
    // A document that exists nowhere.
    expect404("GET", documentPath(patientA, QString::fromLatin1(absentDoc)), {}, patientA);
    // Listing another hospital's patient: 404 too.
    const RawResponse list = send("GET", documentsPath(betaPatient), doctor);
    QCOMPARE(list.status, 404);
    QCOMPARE(list.body, notFoundBody);
    // Beta's document is unchanged.
    const RawResponse betaRead = send("GET", documentPath(betaPatient, betaDoc), m_betaDoctor);
    QCOMPARE(betaRead.status, 200);
    QCOMPARE(betaRead.json().value(u"version"_s).toInt(), 1);
}

void TestClinicalDocuments::badBodiesAre422AndWriteNothing_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    const auto doc = [](const QString &kind, const QJsonObject &body) {
        return jsonBytes({{u"kind"_s, kind}, {u"body"_s, body}});
    };
    QTest::newRow("unknown-top-key") << jsonBytes({{u"kind"_s, u"vitals"_s},
                                                   {u"body"_s, QJsonObject{{u"pulse"_s, 70}}},
                                                   {u"authorId"_s, u"1"_s}})
                                     << u"authorId"_s;
    QTest::newRow("unknown-body-key")
        << doc(u"vitals"_s, {{u"pulse"_s, 70}, {u"mood"_s, u"fine"_s}}) << u"body.mood"_s;
    QTest::newRow("unknown-diagnosis-key") << doc(
        u"consultation"_s,
        {{u"plan"_s, u"rest"_s},
         {u"diagnoses"_s,
          QJsonArray{
              QJsonObject{{u"icd10"_s, u"J20.9"_s}, {u"text"_s, u"x"_s}, {u"severity"_s, 3}}}}})
                                           << u"body.diagnoses[0].severity"_s;
    for (const char *code : {"U07.1", "j20.9", "J2", "J20.", "J20.12345", "' OR 1=1--"}) {
        const QByteArray name = QByteArray("bad-icd10 ") + code;
        QTest::newRow(name.constData())
            << doc(u"consultation"_s,
                   {{u"plan"_s, u"rest"_s},
                    {u"diagnoses"_s,
                     QJsonArray{QJsonObject{{u"icd10"_s, QString::fromLatin1(code)},
                                            {u"text"_s, u"x"_s}}}}})
            << u"body.diagnoses[0].icd10"_s;
    }
    QTest::newRow("temperature-high")
        << doc(u"vitals"_s, {{u"temperatureC"_s, 45.5}}) << u"body.temperatureC"_s;
    QTest::newRow("pulse-low") << doc(u"vitals"_s, {{u"pulse"_s, 19}}) << u"body.pulse"_s;
    QTest::newRow("spo2-high") << doc(u"vitals"_s, {{u"spo2"_s, 101}}) << u"body.spo2"_s;
    QTest::newRow("pain-fraction")
        << doc(u"vitals"_s, {{u"painScore"_s, 2.5}}) << u"body.painScore"_s;
    QTest::newRow("vitals-empty") << doc(u"vitals"_s, {}) << u"body"_s;
    QTest::newRow("pulse-string") << doc(u"vitals"_s, {{u"pulse"_s, u"70"_s}}) << u"body.pulse"_s;
    QTest::newRow("temperature-string")
        << doc(u"vitals"_s, {{u"temperatureC"_s, u"37"_s}}) << u"body.temperatureC"_s;
    QTest::newRow("consultation-without-notes")
        << doc(u"consultation"_s, {{u"visitId"_s, u"12"_s}}) << u"body"_s;
    QTest::newRow("visit-id-number")
        << doc(u"consultation"_s, {{u"plan"_s, u"rest"_s}, {u"visitId"_s, 12}})
        << u"body.visitId"_s;
    QTest::newRow("prescription-missing-dose")
        << doc(u"consultation"_s,
               {{u"plan"_s, u"rest"_s},
                {u"prescriptions"_s,
                 QJsonArray{QJsonObject{{u"drug"_s, u"x"_s},
                                        {u"route"_s, u"oral"_s},
                                        {u"frequency"_s, u"OD"_s}}}}})
        << u"body.prescriptions[0].dose"_s;
    QTest::newRow("lab-priority") << doc(
        u"consultation"_s,
        {{u"plan"_s, u"rest"_s},
         {u"labOrders"_s,
          QJsonArray{QJsonObject{{u"test"_s, u"CBC"_s}, {u"priority"_s, u"asap"_s}}}}})
                                  << u"body.labOrders[0].priority"_s;
    QTest::newRow("diagnoses-not-objects")
        << doc(u"consultation"_s, {{u"plan"_s, u"rest"_s}, {u"diagnoses"_s, QJsonArray{u"J20"_s}}})
        << u"body.diagnoses[0]"_s;
    QTest::newRow("subjective-wrong-type")
        << doc(u"consultation"_s, {{u"subjective"_s, QJsonArray()}}) << u"body.subjective"_s;
    QTest::newRow("note-nul") << doc(u"nursing_note"_s, {{u"text"_s, u"a\u0000b"_s}})
                              << u"body.text"_s;
    QTest::newRow("note-too-long")
        << doc(u"nursing_note"_s, {{u"text"_s, QString(65537, u'x')}}) << u"body.text"_s;
    QTest::newRow("kind-unknown") << doc(u"prescription"_s, {{u"text"_s, u"x"_s}}) << u"kind"_s;
    QTest::newRow("kind-not-writable") << doc(u"lab_report"_s, {{u"text"_s, u"x"_s}}) << u"kind"_s;
    QTest::newRow("body-missing") << jsonBytes({{u"kind"_s, u"vitals"_s}}) << u"body"_s;
    QTest::newRow("body-array") << jsonBytes({{u"kind"_s, u"vitals"_s}, {u"body"_s, QJsonArray()}})
                                << u"body"_s;
}

void TestClinicalDocuments::badBodiesAre422AndWriteNothing()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    static QString patient;
    if (patient.isEmpty())
        patient = newPatient(m_alpha);
    const qint64 before = writeCounts();
    const RawResponse response =
        send("POST", documentsPath(patient), m_tokens.value(Role::Doctor), body);
    QVERIFY2(response.status == 422, response.body.constData());
    QStringList fields;
    for (const QJsonValue &error : response.json().value(u"errors"_s).toArray())
        fields.append(error.toObject().value(u"field"_s).toString());
    QVERIFY2(fields.contains(field), qPrintable(fields.join(u", "_s)));
    QCOMPARE(writeCounts(), before);
}

void TestClinicalDocuments::badListParametersAre422()
{
    const QString patient = newPatient(m_alpha);
    const QByteArray doctor = m_tokens.value(Role::Doctor);
    const qint64 before = writeCounts();
    for (const QByteArray &query :
         {QByteArray("?kind=prescription"), QByteArray("?limit=0"), QByteArray("?limit=201"),
          QByteArray("?cursor=%27%20OR%201%3D1--"), QByteArray("?cursor="),
          QByteArray("?sort=created_at"), QByteArray("?fields=body")}) {
        const RawResponse response = send("GET", documentsPath(patient) + query, doctor);
        QVERIFY2(response.status == 422, query.constData());
    }
    QCOMPARE(writeCounts(), before);
}

void TestClinicalDocuments::idempotencyKeyReplaysCreate()
{
    const QString patient = newPatient(m_alpha);
    const QByteArray doctor = m_tokens.value(Role::Doctor);
    const QByteArray key = "Idempotency-Key: consult-" + patient.toLatin1() + "\r\n";
    const RawResponse first =
        send("POST", documentsPath(patient), doctor, jsonBytes(consultation()), key);
    QCOMPARE(first.status, 201);
    const qint64 before = writeCounts();
    const RawResponse again =
        send("POST", documentsPath(patient), doctor, jsonBytes(consultation()), key);
    QCOMPARE(again.status, 201);
    QCOMPARE(again.body, first.body);
    QCOMPARE(again.header("etag"), first.header("etag"));
    QCOMPARE(writeCounts(), before);
    const RawResponse other =
        send("POST", documentsPath(patient), doctor, jsonBytes(vitals()), key);
    QCOMPARE(other.status, 422);
    QCOMPARE(writeCounts(), before);
}

QTEST_GUILESS_MAIN(TestClinicalDocuments)
#include "tst_clinicaldocuments.moc"
