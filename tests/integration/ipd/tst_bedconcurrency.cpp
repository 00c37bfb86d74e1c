// SECURITY.md C3 over real HTTP and PostgreSQL: 50 simultaneous admissions to 10 free beds,
// one patient to two beds at once, a transfer racing an admission for the same bed, and raw
// SQL that bypasses the application: the database never holds two active admissions for a
// bed or a patient, and the beds' status agrees with the admissions.
#include "ipdtestworld.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace hms;
using namespace hms::test;
using namespace hms::test::ipd;

class TestBedConcurrency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void fiftyAdmissionsToTenBeds();
    void samePatientToTwoBeds();
    void transferRacesAnAdmission();
    void rawSqlCannotDoubleBook();
    void bedsAgreeWithAdmissions();

private:
    World m_world;
};

void TestBedConcurrency::initTestCase()
{
    const bool started = m_world.start(QStringLiteral("bedrace"));
    if (!m_world.fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(started, qPrintable(m_world.fixture->errorString()));
}

void TestBedConcurrency::fiftyAdmissionsToTenBeds()
{
    constexpr int Beds = 10;
    constexpr int Patients = 50;
    const QString ward = m_world.createWard(QStringLiteral("C3"));
    QVERIFY(!ward.isEmpty());
    const QStringList beds = m_world.createBeds(ward, Beds);
    QCOMPARE(beds.size(), Beds);
    const QStringList patients = m_world.makePatients(m_world.alpha, Patients);
    QCOMPARE(patients.size(), Patients);
    const qint64 eventsBefore = m_world.count(
        "SELECT count(*) FROM events WHERE topic = 'beds:" + ward.toStdString() + "'");

    QList<QByteArray> requests;
    for (int i = 0; i < Patients; ++i) {
        // Reception and doctors both admit.
        const QByteArray token = i % 2 ? m_world.desk : m_world.doctor;
        requests.append(requestWith("POST", api::Admissions, token,
                                    World::admissionBody(patients[i], beds[i % Beds])));
    }
    QElapsedTimer timer;
    timer.start();
    const std::vector<RawResponse> answers = concurrently(m_world.fixture->port(), requests);
    qInfo("C3: %d concurrent admissions to %d beds in %lld ms", Patients, Beds, timer.elapsed());
    QCOMPARE(int(answers.size()), Patients);

    int created = 0;
    int refused = 0;
    QSet<QString> bedsTaken;
    static const QRegularExpression naming(QStringLiteral("Bed C3/R1/B([0-9]+) \\(id ([0-9]+)\\)"));
    for (int i = 0; i < Patients; ++i) {
        const RawResponse &answer = answers[size_t(i)];
        if (answer.status == 201) {
            ++created;
            const QString bed = answer.json().value(QStringLiteral("bedId")).toString();
            QCOMPARE(bed, beds[i % Beds]);
            QVERIFY2(!bedsTaken.contains(bed), "one bed admitted twice");
            bedsTaken.insert(bed);
        } else {
            QVERIFY2(answer.status == 409, answer.body.constData());
            ++refused;
            const QJsonObject problem = answer.json();
            QCOMPARE(answer.header("content-type"),
                     QByteArray("application/problem+json; charset=utf-8"));
            // The detail names the bed (ward/room/code) and the problem carries its id.
            const QRegularExpressionMatch match =
                naming.match(problem.value(QStringLiteral("detail")).toString());
            QVERIFY2(match.hasMatch(), answer.body.constData());
            QCOMPARE(match.captured(2), beds[i % Beds]);
            QCOMPARE(match.captured(1).toInt(), i % Beds + 1);
            QCOMPARE(problem.value(QStringLiteral("bedId")).toString(), beds[i % Beds]);
        }
    }
    QCOMPARE(created, Beds);
    QCOMPARE(refused, Patients - Beds);
    QCOMPARE(m_world.count("SELECT count(*) FROM admissions a JOIN beds b ON b.id = a.bed_id "
                           "WHERE a.status = 'active' AND b.ward_id = "
                           + ward.toStdString()),
             qint64(Beds));
    QCOMPARE(m_world.count("SELECT count(*) FROM beds WHERE status = 'occupied' AND ward_id = "
                           + ward.toStdString()),
             qint64(Beds));
    // One event per admission, none for the refusals.
    QCOMPARE(m_world.count("SELECT count(*) FROM events WHERE topic = 'beds:" + ward.toStdString()
                           + "'"),
             eventsBefore + Beds);
    QCOMPARE(m_world.count("SELECT count(*) FROM audit_log WHERE action = 'admission.create' "
                           "AND entity_id IN (SELECT id::text FROM admissions)"),
             m_world.count("SELECT count(*) FROM admissions"));
}

void TestBedConcurrency::samePatientToTwoBeds()
{
    const QString ward = m_world.createWard(QStringLiteral("C3-pat"));
    constexpr int Rounds = 8;
    const QStringList beds = m_world.createBeds(ward, 2 * Rounds);
    QCOMPARE(beds.size(), 2 * Rounds);
    const QStringList patients = m_world.makePatients(m_world.alpha, Rounds);
    QList<QByteArray> requests;
    for (int round = 0; round < Rounds; ++round) {
        for (int side = 0; side < 2; ++side)
            requests.append(
                requestWith("POST", api::Admissions, side ? m_world.desk : m_world.doctor,
                            World::admissionBody(patients[round], beds[2 * round + side])));
    }
    const std::vector<RawResponse> answers = concurrently(m_world.fixture->port(), requests);
    QCOMPARE(int(answers.size()), 2 * Rounds);
    for (int round = 0; round < Rounds; ++round) {
        const RawResponse &a = answers[size_t(2 * round)];
        const RawResponse &b = answers[size_t(2 * round + 1)];
        const QString what = QString::fromUtf8(a.body + " | " + b.body);
        QVERIFY2((a.status == 201) != (b.status == 201), qPrintable(what));
        const RawResponse &loser = a.status == 201 ? b : a;
        QCOMPARE(loser.status, 409);
        QVERIFY2(loser.json()
                     .value(QStringLiteral("detail"))
                     .toString()
                     .contains(QStringLiteral("already admitted")),
                 loser.body.constData());
        QCOMPARE(m_world.count("SELECT count(*) FROM admissions WHERE status = 'active' AND "
                               "patient_id = "
                               + patients[round].toStdString()),
                 1);
    }
    // The losing beds stayed free.
    QCOMPARE(m_world.count("SELECT count(*) FROM beds WHERE status = 'free' AND ward_id = "
                           + ward.toStdString()),
             qint64(Rounds));
}

void TestBedConcurrency::transferRacesAnAdmission()
{
    const QString ward = m_world.createWard(QStringLiteral("C3-xfer"));
    constexpr int Rounds = 8;
    const QStringList beds = m_world.createBeds(ward, 2 * Rounds);
    QCOMPARE(beds.size(), 2 * Rounds);
    const QStringList moving = m_world.makePatients(m_world.alpha, Rounds);
    const QStringList incoming = m_world.makePatients(m_world.alpha, Rounds);
    QStringList admissions;
    for (int round = 0; round < Rounds; ++round) {
        const RawResponse admitted = m_world.admit(moving[round], beds[2 * round]);
        QCOMPARE(admitted.status, 201);
        admissions.append(admitted.json().value(QStringLiteral("id")).toString());
    }
    QList<QByteArray> requests;
    for (int round = 0; round < Rounds; ++round) {
        const QString target = beds[2 * round + 1];
        const QByteArray transfer =
            requestWith("POST", withId(api::AdmissionTransfer, admissions[round]), m_world.doctor,
                        jsonBytes({{QStringLiteral("bedId"), target}}));
        const QByteArray admission = requestWith("POST", api::Admissions, m_world.desk,
                                                 World::admissionBody(incoming[round], target));
        // Alternate who is sent first.
        if (round % 2) {
            requests.append(transfer);
            requests.append(admission);
        } else {
            requests.append(admission);
            requests.append(transfer);
        }
    }
    const std::vector<RawResponse> answers = concurrently(m_world.fixture->port(), requests);
    QCOMPARE(int(answers.size()), 2 * Rounds);
    int transfersWon = 0;
    for (int round = 0; round < Rounds; ++round) {
        const RawResponse &transfer = answers[size_t(2 * round + (round % 2 ? 0 : 1))];
        const RawResponse &admission = answers[size_t(2 * round + (round % 2 ? 1 : 0))];
        const QString what = QString::fromUtf8(transfer.body + " | " + admission.body);
        const bool transferWon = transfer.status == 200;
        QVERIFY2(transferWon != (admission.status == 201), qPrintable(what));
        QCOMPARE(transferWon ? admission.status : transfer.status, 409);
        const QString from = beds[2 * round];
        const QString target = beds[2 * round + 1];
        QCOMPARE(m_world.count("SELECT count(*) FROM admissions WHERE status = 'active' AND "
                               "bed_id = "
                               + target.toStdString()),
                 1);
        QCOMPARE(m_world.bedStatus(target), QStringLiteral("occupied"));
        if (transferWon) {
            ++transfersWon;
            QCOMPARE(m_world.bedStatus(from), QStringLiteral("cleaning"));
            QCOMPARE(m_world.count("SELECT count(*) FROM bed_transfers WHERE admission_id = "
                                   + admissions[round].toStdString()),
                     1);
        } else {
            QCOMPARE(m_world.bedStatus(from), QStringLiteral("occupied"));
            QCOMPARE(m_world.count("SELECT count(*) FROM bed_transfers WHERE admission_id = "
                                   + admissions[round].toStdString()),
                     0);
        }
    }
    qInfo("transfer won %d of %d races", transfersWon, Rounds);
}

void TestBedConcurrency::rawSqlCannotDoubleBook()
{
    const QString ward = m_world.createWard(QStringLiteral("C3-raw"));
    const QStringList beds = m_world.createBeds(ward, 2);
    const QStringList patients = m_world.makePatients(m_world.alpha, 2);
    QCOMPARE(m_world.admit(patients[0], beds[0]).status, 201);
    const qint64 admissionsBefore = m_world.count("SELECT count(*) FROM admissions");

    const auto rawInsert = [this](const QString &patient, const QString &bed) -> std::string {
        // The superuser: no application, no row-level security, only the schema's rules.
        pqxx::connection connection(m_world.fixture->superuserUrl());
        pqxx::work tx(connection);
        try {
            tx.exec_params0(
                "INSERT INTO admissions (hospital_id, patient_id, bed_id, reason, admitted_by) "
                "SELECT $1, $2, $3, 'raw insert', min(id) FROM users WHERE hospital_id = $1",
                m_world.alpha, patient.toLongLong(), bed.toLongLong());
            tx.commit();
            return "committed";
        } catch (const pqxx::unique_violation &error) {
            return error.sqlstate();
        } catch (const pqxx::sql_error &error) {
            return "other: " + error.sqlstate();
        }
    };
    // A second active admission for the occupied bed (another patient).
    const std::string bedClash = rawInsert(patients[1], beds[0]);
    QVERIFY2(bedClash == "23505" || bedClash == "23P01", bedClash.c_str());
    // The admitted patient in a second bed.
    const std::string patientClash = rawInsert(patients[0], beds[1]);
    QVERIFY2(patientClash == "23505" || patientClash == "23P01", patientClash.c_str());
    QCOMPARE(m_world.count("SELECT count(*) FROM admissions"), admissionsBefore);
    // A discharged stay does not block (the indexes are partial): history can hold many.
    pqxx::connection connection(m_world.fixture->superuserUrl());
    pqxx::work tx(connection);
    tx.exec_params0("INSERT INTO admissions (hospital_id, patient_id, bed_id, reason, "
                    "admitted_by, status, discharged_at) SELECT $1, $2, $3, 'old stay', min(id), "
                    "'discharged', now() FROM users WHERE hospital_id = $1",
                    m_world.alpha, patients[1].toLongLong(), beds[0].toLongLong());
    tx.commit();
    QCOMPARE(m_world.count("SELECT count(*) FROM admissions"), admissionsBefore + 1);
}

void TestBedConcurrency::bedsAgreeWithAdmissions()
{
    // After all the races: every active admission's bed is occupied and every occupied bed
    // holds exactly one active admission.
    QCOMPARE(m_world.count("SELECT count(*) FROM admissions a JOIN beds b ON b.id = a.bed_id "
                           "WHERE a.status = 'active' AND b.status <> 'occupied'"),
             0);
    QCOMPARE(m_world.count("SELECT count(*) FROM beds b WHERE b.status = 'occupied' AND "
                           "(SELECT count(*) FROM admissions a WHERE a.bed_id = b.id "
                           "AND a.status = 'active') <> 1"),
             0);
}

QTEST_GUILESS_MAIN(TestBedConcurrency)
#include "tst_bedconcurrency.moc"
