// The DocumentStore contract (ARCHITECTURE.md "Data"): one suite, run against every backend
// that is available. Each test is data-driven over the backends; a backend is a factory
// for a StoreHarness (the store plus a way to run a unit of work in one hospital). Adding
// the MongoDB backend means implementing its harness and one row in addBackends().
#include "db/tenant.h"
#include "documents/pgdocumentstore.h"
#include "shared/clinical/medicationrules.h"
#include "support/serverfixture.h"

#include <QJsonArray>
#include <QTest>
#include <QThread>

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <set>

using namespace hms;
using namespace hms::server;
using namespace hms::test;

namespace {

const QString Password = QStringLiteral("document store contract 42");

/// Two hospitals, each with a user and two patients: what every backend's harness gets.
struct World
{
    qint64 alpha = 0;
    qint64 beta = 0;
    qint64 alphaUser = 0;
    qint64 betaUser = 0;
    qint64 alphaPatientA = 0;
    qint64 alphaPatientB = 0;
    qint64 betaPatient = 0;
};

/// A backend under test. run() executes \a work in one unit of work bound to \a hospitalId
/// and commits it; an exception from \a work rolls it back and propagates.
class StoreHarness
{
public:
    virtual ~StoreHarness() = default;
    virtual DocumentStore &store() = 0;
    virtual void run(qint64 hospitalId, const std::function<void(DocumentUnitOfWork &)> &work) = 0;
    /// Tries to change a stored version behind the store's back, as the application's
    /// database identity would; true when the backend refused.
    virtual bool tamperingIsRefused(qint64 hospitalId, const QString &documentId) = 0;
};

class PgHarness final : public StoreHarness
{
public:
    explicit PgHarness(const std::string &url)
        : m_connection(url)
        , m_owner(url)
    {
        pqxx::nontransaction tx(m_connection);
        tx.exec0("SET ROLE " + std::string(ApplicationDbRole));
    }

    DocumentStore &store() override { return m_store; }

    void run(qint64 hospitalId, const std::function<void(DocumentUnitOfWork &)> &work) override
    {
        pqxx::work tx(m_connection);
        enterTenant(tx, hospitalId);
        PgDocumentUnitOfWork unit(tx, hospitalId);
        work(unit);
        tx.commit();
    }

    bool tamperingIsRefused(qint64 hospitalId, const QString &documentId) override
    {
        // As hms_app (no UPDATE/DELETE grant) and as the owner (the triggers refuse).
        int refused = 0;
        for (pqxx::connection *connection : {&m_connection, &m_owner})
            for (const char *sql :
                 {"UPDATE clinical_document_versions SET body = '{}'::jsonb "
                  "WHERE hospital_id = $1 AND document_id = $2",
                  "DELETE FROM clinical_document_versions WHERE hospital_id = $1 AND document_id = "
                  "$2",
                  "UPDATE clinical_documents SET kind = 'vitals' WHERE hospital_id = $1 AND id = "
                  "$2",
                  "DELETE FROM clinical_documents WHERE hospital_id = $1 AND id = $2"}) {
                try {
                    pqxx::work tx(*connection);
                    enterTenant(tx, hospitalId);
                    tx.exec_params(sql, hospitalId, documentId.toLongLong());
                    tx.commit();
                } catch (const pqxx::sql_error &) {
                    ++refused;
                }
            }
        return refused == 8;
    }

private:
    pqxx::connection m_connection; ///< as hms_app, like the server
    pqxx::connection m_owner; ///< the schema owner (superuser in tests)
    PgDocumentStore m_store;
};

using HarnessFactory = std::function<std::unique_ptr<StoreHarness>(QString &skipReason)>;

QJsonObject note(const QString &text)
{
    return {{QStringLiteral("text"), text}};
}

DocumentVersion appendNote(StoreHarness &harness,
                           qint64 hospital,
                           qint64 patient,
                           qint64 author,
                           const QString &text,
                           const QString &kind = QStringLiteral("nursing_note"))
{
    DocumentVersion version;
    harness.run(hospital, [&](DocumentUnitOfWork &unit) {
        version = harness.store().append(unit, NewDocument{patient, kind, note(text), author});
    });
    return version;
}

} // namespace

class TestDocumentStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void appendWritesVersionOne_data() { addBackends(); }

    void appendWritesVersionOne();

    void addVersionAppendsAndKeepsHistory_data() { addBackends(); }

    void addVersionAppendsAndKeepsHistory();

    void staleExpectedVersionConflicts_data() { addBackends(); }

    void staleExpectedVersionConflicts();

    void concurrentWritersOfOneVersionConflict_data() { addBackends(); }

    void concurrentWritersOfOneVersionConflict();

    void unknownDocumentsAreNotFound_data() { addBackends(); }

    void unknownDocumentsAreNotFound();

    void listByPatientIsNewestFirstAndPaged_data() { addBackends(); }

    void listByPatientIsNewestFirstAndPaged();

    void listByPatientFiltersByKind_data() { addBackends(); }

    void listByPatientFiltersByKind();

    void badCursorIsRefused_data() { addBackends(); }

    void badCursorIsRefused();

    void hospitalsAreIsolated_data() { addBackends(); }

    void hospitalsAreIsolated();

    void storedVersionsCannotBeChanged_data() { addBackends(); }

    void storedVersionsCannotBeChanged();

    void listByAdmissionIsNewestOccurredFirstAndPaged_data() { addBackends(); }

    void listByAdmissionIsNewestOccurredFirstAndPaged();

    void listByAdmissionKeepsToItsStayKindAndHospital_data() { addBackends(); }

    void listByAdmissionKeepsToItsStayKindAndHospital();

    void listCursorsAreNotInterchangeable_data() { addBackends(); }

    void listCursorsAreNotInterchangeable();

private:
    /// A patient of its own in alpha, so other tests' documents do not count.
    qint64 newPatient(const char *name);
    /// Version 1 of a vitals document filed under \a admissionId, taken at \a occurredAt.
    DocumentVersion appendFiled(StoreHarness &harness,
                                qint64 hospital,
                                qint64 patient,
                                qint64 admissionId,
                                const QString &occurredAt,
                                const QString &kind = QStringLiteral("vitals"));
    /// Every page of listByAdmission with \a limit; the ids in order.
    QStringList allPages(StoreHarness &harness,
                         qint64 hospital,
                         qint64 patient,
                         const QString &kind,
                         qint64 admissionId,
                         int limit,
                         int *pages = nullptr);

    /// One row per backend. The MongoDB row skips until that backend exists and
    /// HMS_TEST_MONGO_URI names a server.
    void addBackends()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("postgresql") << QStringLiteral("postgresql");
        QTest::newRow("mongodb") << QStringLiteral("mongodb");
    }

    /// The harness of the current row's backend, or nullptr with \a skipReason.
    std::unique_ptr<StoreHarness> harness(QString &skipReason);

    std::unique_ptr<ServerFixture> m_fixture;
    QHash<QString, HarnessFactory> m_factories;
    World m_world;
};

std::unique_ptr<StoreHarness> TestDocumentStore::harness(QString &skipReason)
{
    QFETCH(QString, backend);
    const HarnessFactory factory = m_factories.value(backend);
    if (!factory) {
        skipReason = QStringLiteral("no factory for backend ") + backend;
        return nullptr;
    }
    return factory(skipReason);
}

#define HMS_HARNESS(name)                                                                          \
    QString skipReason;                                                                            \
    const std::unique_ptr<StoreHarness> name = harness(skipReason);                                \
    if (!name)                                                                                     \
        QSKIP(qPrintable(skipReason));

void TestDocumentStore::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("docstore"));
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    m_world.alpha = m_fixture->createHospital(QStringLiteral("alpha"), QStringLiteral("Alpha"));
    m_world.beta = m_fixture->createHospital(QStringLiteral("beta"), QStringLiteral("Beta"));
    QVERIFY(m_world.alpha > 0 && m_world.beta > 0);
    m_world.alphaUser = m_fixture->createUser(QStringLiteral("alpha"), QStringLiteral("doc"),
                                              Role::Doctor, Password);
    m_world.betaUser = m_fixture->createUser(QStringLiteral("beta"), QStringLiteral("doc"),
                                             Role::Doctor, Password);
    QVERIFY(m_world.alphaUser > 0 && m_world.betaUser > 0);
    {
        pqxx::connection connection(m_fixture->superuserUrl());
        pqxx::work tx(connection);
        const auto patient = [&tx](qint64 hospital, int n) {
            return tx
                .exec_params1("INSERT INTO patients (hospital_id, mrn, full_name, birth_date, sex, "
                              "phone) VALUES ($1, $2, 'Contract Probe', '1980-01-01', 'U', "
                              "'+15550000000') RETURNING id",
                              hospital, "T-2026-00000" + std::to_string(n) + "-0")[0]
                .as<qint64>();
        };
        m_world.alphaPatientA = patient(m_world.alpha, 1);
        m_world.alphaPatientB = patient(m_world.alpha, 2);
        m_world.betaPatient = patient(m_world.beta, 3);
        tx.commit();
    }

    const std::string url = m_fixture->superuserUrl();
    m_factories.insert(QStringLiteral("postgresql"), [url](QString &) {
        return std::unique_ptr<StoreHarness>(std::make_unique<PgHarness>(url));
    });
    m_factories.insert(QStringLiteral("mongodb"), [](QString &skipReason) {
        if (qEnvironmentVariableIsEmpty("HMS_TEST_MONGO_URI"))
            skipReason = QStringLiteral("HMS_TEST_MONGO_URI is unset (no MongoDB to test against)");
        else
            skipReason = QStringLiteral("the MongoDB DocumentStore backend is not built yet");
        return std::unique_ptr<StoreHarness>();
    });
}

void TestDocumentStore::cleanupTestCase()
{
    m_fixture.reset();
}

void TestDocumentStore::appendWritesVersionOne()
{
    HMS_HARNESS(h);
    const QJsonObject body{{QStringLiteral("text"), QStringLiteral("slept well")},
                           {QStringLiteral("nested"),
                            QJsonObject{{QStringLiteral("list"), QJsonArray{1, 2.5, true}}}}};
    DocumentVersion created;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        created =
            h->store().append(unit,
                              NewDocument{m_world.alphaPatientA, QStringLiteral("nursing_note"),
                                          body, m_world.alphaUser});
    });
    QVERIFY(!created.documentId.isEmpty());
    QCOMPARE(created.version, 1);
    QCOMPARE(created.patientId, m_world.alphaPatientA);
    QCOMPARE(created.kind, QStringLiteral("nursing_note"));
    QCOMPARE(created.body, body);
    QCOMPARE(created.authorId, m_world.alphaUser);
    QVERIFY(created.authoredAt.endsWith(QLatin1Char('Z')));
    QVERIFY(created.supersedesReason.isEmpty());

    std::optional<DocumentVersion> latest;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        latest = h->store().latest(unit, created.documentId);
    });
    QVERIFY(latest);
    QCOMPARE(latest->version, 1);
    QCOMPARE(latest->body, body);
    QCOMPARE(latest->authoredAt, created.authoredAt);
}

void TestDocumentStore::addVersionAppendsAndKeepsHistory()
{
    HMS_HARNESS(h);
    const DocumentVersion first = appendNote(*h, m_world.alpha, m_world.alphaPatientA,
                                             m_world.alphaUser, QStringLiteral("first"));
    std::optional<DocumentVersion> second;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        second = h->store().addVersion(unit, first.documentId, 1, note(QStringLiteral("second")),
                                       m_world.alphaUser, QStringLiteral("typo"));
    });
    QVERIFY(second);
    QCOMPARE(second->version, 2);
    QCOMPARE(second->documentId, first.documentId);
    QCOMPARE(second->supersedesReason, QStringLiteral("typo"));
    QCOMPARE(second->createdAt, first.createdAt);
    std::optional<DocumentVersion> third;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        third = h->store().addVersion(unit, first.documentId, 2, note(QStringLiteral("third")),
                                      m_world.alphaUser, QStringLiteral("more"));
    });
    QVERIFY(third);
    QCOMPARE(third->version, 3);

    std::vector<DocumentVersion> history;
    std::optional<DocumentVersion> latest;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        history = h->store().history(unit, first.documentId);
        latest = h->store().latest(unit, first.documentId);
    });
    QCOMPARE(history.size(), size_t(3));
    QCOMPARE(history[0].body, note(QStringLiteral("first")));
    QCOMPARE(history[1].body, note(QStringLiteral("second")));
    QCOMPARE(history[2].body, note(QStringLiteral("third")));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(history[size_t(i)].version, i + 1);
    QVERIFY(latest);
    QCOMPARE(latest->version, 3);
    QCOMPARE(latest->body, note(QStringLiteral("third")));
}

void TestDocumentStore::staleExpectedVersionConflicts()
{
    HMS_HARNESS(h);
    const DocumentVersion first = appendNote(*h, m_world.alpha, m_world.alphaPatientA,
                                             m_world.alphaUser, QStringLiteral("v1"));
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        h->store().addVersion(unit, first.documentId, 1, note(QStringLiteral("v2")),
                              m_world.alphaUser, QStringLiteral("edit"));
    });
    for (const int stale : {1, 0, 3, 99}) {
        bool conflict = false;
        try {
            h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
                h->store().addVersion(unit, first.documentId, stale, note(QStringLiteral("lost")),
                                      m_world.alphaUser, QStringLiteral("edit"));
            });
        } catch (const DocumentConflict &) {
            conflict = true;
        }
        QVERIFY2(conflict, qPrintable(QString::number(stale)));
    }
    std::vector<DocumentVersion> history;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        history = h->store().history(unit, first.documentId);
    });
    QCOMPARE(history.size(), size_t(2));
    QCOMPARE(history.back().body, note(QStringLiteral("v2")));
}

void TestDocumentStore::concurrentWritersOfOneVersionConflict()
{
    HMS_HARNESS(h);
    QString otherSkip;
    const std::unique_ptr<StoreHarness> other = harness(otherSkip); // its own connection
    QVERIFY(other);
    const DocumentVersion doc = appendNote(*h, m_world.alpha, m_world.alphaPatientA,
                                           m_world.alphaUser, QStringLiteral("base"));
    // Both read version 1; the second writer's version 2 waits for the first one's commit
    // and must then be refused, not stored beside it.
    std::future<bool> loser;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        QVERIFY(h->store().addVersion(unit, doc.documentId, 1, note(QStringLiteral("winner")),
                                      m_world.alphaUser, QStringLiteral("first")));
        loser = std::async(std::launch::async, [&] {
            try {
                other->run(m_world.alpha, [&](DocumentUnitOfWork &otherUnit) {
                    other->store().addVersion(otherUnit, doc.documentId, 1,
                                              note(QStringLiteral("loser")), m_world.alphaUser,
                                              QStringLiteral("second"));
                });
            } catch (const DocumentConflict &) {
                return true;
            }
            return false;
        });
        QThread::msleep(300); // let the other writer reach the version it cannot take
    });
    QVERIFY(loser.get());
    std::vector<DocumentVersion> history;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        history = h->store().history(unit, doc.documentId);
    });
    QCOMPARE(history.size(), size_t(2));
    QCOMPARE(history.back().body, note(QStringLiteral("winner")));
}

void TestDocumentStore::unknownDocumentsAreNotFound()
{
    HMS_HARNESS(h);
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        for (const QString &id : {QStringLiteral("987654321"), QStringLiteral("0"),
                                  QStringLiteral("-1"), QStringLiteral("abc"), QString()}) {
            QVERIFY(!h->store().latest(unit, id));
            QVERIFY(h->store().history(unit, id).empty());
            QVERIFY(!h->store().addVersion(unit, id, 1, note(QStringLiteral("x")),
                                           m_world.alphaUser, QStringLiteral("r")));
        }
    });
}

qint64 TestDocumentStore::newPatient(const char *name)
{
    static int serial = 0;
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::work tx(connection);
    const qint64 patient =
        tx.exec_params1("INSERT INTO patients (hospital_id, mrn, full_name, birth_date, "
                        "sex, phone) VALUES ($1, $2, $3, '1990-02-02', 'U', "
                        "'+15550000001') RETURNING id",
                        m_world.alpha, "P-2026-" + std::to_string(100000 + ++serial) + "-0",
                        name)[0]
            .as<qint64>();
    tx.commit();
    return patient;
}

DocumentVersion TestDocumentStore::appendFiled(StoreHarness &harness,
                                               qint64 hospital,
                                               qint64 patient,
                                               qint64 admissionId,
                                               const QString &occurredAt,
                                               const QString &kind)
{
    DocumentVersion version;
    harness.run(hospital, [&](DocumentUnitOfWork &unit) {
        version = harness.store().append(unit,
                                         NewDocument{patient, kind, note(occurredAt),
                                                     m_world.alphaUser, admissionId, occurredAt});
    });
    return version;
}

QStringList TestDocumentStore::allPages(StoreHarness &harness,
                                        qint64 hospital,
                                        qint64 patient,
                                        const QString &kind,
                                        qint64 admissionId,
                                        int limit,
                                        int *pages)
{
    QStringList ids;
    QString cursor;
    int count = 0;
    do {
        DocumentPage page;
        harness.run(hospital, [&](DocumentUnitOfWork &unit) {
            page = harness.store().listByAdmission(unit, patient, kind, admissionId, limit, cursor);
        });
        if (int(page.items.size()) > limit)
            return {QStringLiteral("page over limit")};
        for (const DocumentVersion &version : page.items)
            ids.append(version.documentId);
        cursor = page.nextCursor;
        if (++count > 1000)
            return {QStringLiteral("endless pages")};
    } while (!cursor.isEmpty());
    if (pages)
        *pages = count;
    return ids;
}

void TestDocumentStore::listByPatientIsNewestFirstAndPaged()
{
    HMS_HARNESS(h);
    const qint64 patient = newPatient("Paging Probe");
    QStringList written; // oldest first; some in one transaction (same clock reading)
    for (int i = 0; i < 5; ++i)
        written.append(appendNote(*h, m_world.alpha, patient, m_world.alphaUser,
                                  QStringLiteral("n") + QString::number(i))
                           .documentId);
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        for (int i = 5; i < 7; ++i)
            written.append(h->store()
                               .append(unit,
                                       NewDocument{patient, QStringLiteral("nursing_note"),
                                                   note(QStringLiteral("n") + QString::number(i)),
                                                   m_world.alphaUser})
                               .documentId);
    });
    // A newer version does not move a document or duplicate it in the list.
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        h->store().addVersion(unit, written.first(), 1, note(QStringLiteral("n0 fixed")),
                              m_world.alphaUser, QStringLiteral("fix"));
    });

    QStringList seen;
    QString cursor;
    int pages = 0;
    do {
        DocumentPage page;
        h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
            page = h->store().listByPatient(unit, patient, QString(), 3, cursor);
        });
        QVERIFY(page.items.size() <= 3);
        for (const DocumentVersion &version : page.items) {
            QCOMPARE(version.patientId, patient);
            seen.append(version.documentId);
            if (version.documentId == written.first()) {
                QCOMPARE(version.version, 2);
                QCOMPARE(version.body, note(QStringLiteral("n0 fixed")));
            }
        }
        cursor = page.nextCursor;
        QVERIFY(++pages <= 4);
    } while (!cursor.isEmpty());
    QCOMPARE(pages, 3);
    QStringList expected = written;
    std::reverse(expected.begin(), expected.end());
    QCOMPARE(seen, expected);

    // An exact page ends without a cursor, or with one that leads to an empty page.
    DocumentPage all;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        all = h->store().listByPatient(unit, patient, QString(), 7, QString());
    });
    QCOMPARE(all.items.size(), size_t(7));
    if (!all.nextCursor.isEmpty()) {
        DocumentPage rest;
        h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
            rest = h->store().listByPatient(unit, patient, QString(), 7, all.nextCursor);
        });
        QVERIFY(rest.items.empty());
    }
}

void TestDocumentStore::listByPatientFiltersByKind()
{
    HMS_HARNESS(h);
    const DocumentVersion vitals =
        appendNote(*h, m_world.alpha, m_world.alphaPatientB, m_world.alphaUser, QStringLiteral("x"),
                   QStringLiteral("vitals"));
    const DocumentVersion nursing = appendNote(*h, m_world.alpha, m_world.alphaPatientB,
                                               m_world.alphaUser, QStringLiteral("y"));
    DocumentPage onlyVitals;
    DocumentPage everything;
    DocumentPage otherPatient;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        onlyVitals = h->store().listByPatient(unit, m_world.alphaPatientB, QStringLiteral("vitals"),
                                              50, QString());
        everything =
            h->store().listByPatient(unit, m_world.alphaPatientB, QString(), 50, QString());
        otherPatient =
            h->store().listByPatient(unit, m_world.alphaPatientA, QString(), 200, QString());
    });
    std::set<QString> vitalIds;
    for (const DocumentVersion &version : onlyVitals.items) {
        QCOMPARE(version.kind, QStringLiteral("vitals"));
        vitalIds.insert(version.documentId);
    }
    QVERIFY(vitalIds.count(vitals.documentId));
    QVERIFY(!vitalIds.count(nursing.documentId));
    std::set<QString> allIds;
    for (const DocumentVersion &version : everything.items)
        allIds.insert(version.documentId);
    QVERIFY(allIds.count(vitals.documentId) && allIds.count(nursing.documentId));
    for (const DocumentVersion &version : otherPatient.items)
        QCOMPARE(version.patientId, m_world.alphaPatientA);
}

void TestDocumentStore::badCursorIsRefused()
{
    HMS_HARNESS(h);
    for (const QString &cursor : {QStringLiteral("garbage!"), QStringLiteral("' OR 1=1--"),
                                  QStringLiteral("AAAA"), QString(200, QLatin1Char('A'))}) {
        bool refused = false;
        try {
            h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
                h->store().listByPatient(unit, m_world.alphaPatientA, QString(), 10, cursor);
            });
        } catch (const InvalidDocumentCursor &) {
            refused = true;
        }
        QVERIFY2(refused, qPrintable(cursor));
    }
}

void TestDocumentStore::hospitalsAreIsolated()
{
    HMS_HARNESS(h);
    const DocumentVersion alphaDoc = appendNote(*h, m_world.alpha, m_world.alphaPatientA,
                                                m_world.alphaUser, QStringLiteral("alpha only"));
    const DocumentVersion betaDoc = appendNote(*h, m_world.beta, m_world.betaPatient,
                                               m_world.betaUser, QStringLiteral("beta only"));
    h->run(m_world.beta, [&](DocumentUnitOfWork &unit) {
        QVERIFY(!h->store().latest(unit, alphaDoc.documentId));
        QVERIFY(h->store().history(unit, alphaDoc.documentId).empty());
        QVERIFY(!h->store().addVersion(unit, alphaDoc.documentId, 1, note(QStringLiteral("x")),
                                       m_world.betaUser, QStringLiteral("r")));
        QVERIFY(h->store()
                    .listByPatient(unit, m_world.alphaPatientA, QString(), 200, QString())
                    .items.empty());
        QVERIFY(h->store().latest(unit, betaDoc.documentId));
    });
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        QVERIFY(!h->store().latest(unit, betaDoc.documentId));
        QVERIFY(h->store()
                    .listByPatient(unit, m_world.betaPatient, QString(), 200, QString())
                    .items.empty());
    });
    // Writing for another hospital's patient fails and leaves nothing behind.
    bool refused = false;
    try {
        appendNote(*h, m_world.beta, m_world.alphaPatientA, m_world.betaUser,
                   QStringLiteral("wrong tenant"));
    } catch (const std::exception &) {
        refused = true;
    }
    QVERIFY(refused);
    std::optional<DocumentVersion> unchanged;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        unchanged = h->store().latest(unit, alphaDoc.documentId);
    });
    QVERIFY(unchanged);
    QCOMPARE(unchanged->version, 1);
}

void TestDocumentStore::storedVersionsCannotBeChanged()
{
    HMS_HARNESS(h);
    const DocumentVersion doc = appendNote(*h, m_world.alpha, m_world.alphaPatientA,
                                           m_world.alphaUser, QStringLiteral("keep me"));
    QVERIFY(h->tamperingIsRefused(m_world.alpha, doc.documentId));
    std::vector<DocumentVersion> history;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        history = h->store().history(unit, doc.documentId);
    });
    QCOMPARE(history.size(), size_t(1));
    QCOMPARE(history[0].body, note(QStringLiteral("keep me")));
    QCOMPARE(history[0].kind, QStringLiteral("nursing_note"));
}

void TestDocumentStore::listByAdmissionIsNewestOccurredFirstAndPaged()
{
    HMS_HARNESS(h);
    const qint64 patient = newPatient("Stay Probe");
    const qint64 stay = 900001;
    // Charted in an order other than taken; two taken at the same instant (then by id).
    const QStringList takenAt{
        QStringLiteral("2026-03-01T10:00:00Z"),      QStringLiteral("2026-03-01T08:00:00Z"),
        QStringLiteral("2026-03-01T12:00:00+05:30"), QStringLiteral("2026-03-01T09:00:00.250Z"),
        QStringLiteral("2026-03-01T08:00:00Z"),      QStringLiteral("2026-02-28T23:59:59Z"),
        QStringLiteral("2026-03-01T11:00:00Z")};
    QList<QPair<QDateTime, qint64>> written;
    for (const QString &at : takenAt) {
        const DocumentVersion version = appendFiled(*h, m_world.alpha, patient, stay, at);
        QCOMPARE(version.admissionId, std::optional<qint64>(stay));
        const std::optional<QDateTime> instant = medication::parseInstant(at);
        QVERIFY(instant);
        QCOMPARE(medication::parseInstant(version.occurredAt), instant);
        written.append({*instant, version.documentId.toLongLong()});
    }
    // Without a time of its own it happened when it was written: the newest.
    const DocumentVersion now = appendFiled(*h, m_world.alpha, patient, stay, QString());
    QVERIFY(!now.occurredAt.isEmpty());
    std::sort(written.begin(), written.end(), [](const auto &a, const auto &b) {
        return a > b;
    });
    QStringList expected{now.documentId};
    for (const auto &[at, id] : written)
        expected.append(QString::number(id));

    // A newer version does not move a document or duplicate it.
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        QVERIFY(h->store().addVersion(unit, expected.at(3), 1, note(QStringLiteral("fixed")),
                                      m_world.alphaUser, QStringLiteral("typo")));
    });
    int pages = 0;
    QCOMPARE(allPages(*h, m_world.alpha, patient, QStringLiteral("vitals"), stay, 3, &pages),
             expected);
    QCOMPARE(pages, 3);
    QCOMPARE(allPages(*h, m_world.alpha, patient, QStringLiteral("vitals"), stay, 1), expected);
    QCOMPARE(allPages(*h, m_world.alpha, patient, QStringLiteral("vitals"), stay, 100), expected);
    DocumentPage first;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        first =
            h->store().listByAdmission(unit, patient, QStringLiteral("vitals"), stay, 4, QString());
    });
    QCOMPARE(first.items.at(3).version, 2);
    QCOMPARE(first.items.at(3).body, note(QStringLiteral("fixed")));
}

void TestDocumentStore::listByAdmissionKeepsToItsStayKindAndHospital()
{
    HMS_HARNESS(h);
    const qint64 patient = newPatient("Two Stays");
    const qint64 other = newPatient("Other Patient");
    const qint64 earlier = 900101;
    const qint64 current = 900102;
    QStringList mine;
    for (int i = 0; i < 4; ++i)
        mine.prepend(appendFiled(*h, m_world.alpha, patient, current,
                                 QStringLiteral("2026-04-01T0%1:00:00Z").arg(i))
                         .documentId);
    const QString earlierStay =
        appendFiled(*h, m_world.alpha, patient, earlier, QStringLiteral("2026-03-01T05:00:00Z"))
            .documentId;
    const QString noteId =
        appendFiled(*h, m_world.alpha, patient, current, QStringLiteral("2026-04-01T09:00:00Z"),
                    QStringLiteral("nursing_note"))
            .documentId;
    // Not filed under a stay at all, and another patient filed under the same number.
    const QString unfiled = appendNote(*h, m_world.alpha, patient, m_world.alphaUser,
                                       QStringLiteral("unfiled"), QStringLiteral("vitals"))
                                .documentId;
    appendFiled(*h, m_world.alpha, other, current, QStringLiteral("2026-04-01T10:00:00Z"));

    QCOMPARE(allPages(*h, m_world.alpha, patient, QStringLiteral("vitals"), current, 2), mine);
    QCOMPARE(allPages(*h, m_world.alpha, patient, QStringLiteral("vitals"), earlier, 2),
             QStringList{earlierStay});
    QCOMPARE(allPages(*h, m_world.alpha, patient, QStringLiteral("nursing_note"), current, 2),
             QStringList{noteId});
    QVERIFY(allPages(*h, m_world.alpha, patient, QStringLiteral("vitals"), 900199, 2).isEmpty());
    QVERIFY(!allPages(*h, m_world.alpha, patient, QStringLiteral("vitals"), current, 50)
                 .contains(unfiled));
    // Another hospital sees none of it.
    QVERIFY(allPages(*h, m_world.beta, patient, QStringLiteral("vitals"), current, 50).isEmpty());
}

void TestDocumentStore::listCursorsAreNotInterchangeable()
{
    HMS_HARNESS(h);
    const qint64 patient = newPatient("Cursor Probe");
    const qint64 stay = 900201;
    for (int i = 0; i < 3; ++i)
        appendFiled(*h, m_world.alpha, patient, stay,
                    QStringLiteral("2026-05-01T0%1:00:00Z").arg(i));
    DocumentPage byPatient;
    DocumentPage byAdmission;
    h->run(m_world.alpha, [&](DocumentUnitOfWork &unit) {
        byPatient = h->store().listByPatient(unit, patient, QString(), 1, QString());
        byAdmission =
            h->store().listByAdmission(unit, patient, QStringLiteral("vitals"), stay, 1, QString());
    });
    QVERIFY(!byPatient.nextCursor.isEmpty() && !byAdmission.nextCursor.isEmpty());
    const auto refused = [&](const std::function<void(DocumentUnitOfWork &)> &list) {
        try {
            h->run(m_world.alpha, list);
        } catch (const InvalidDocumentCursor &) {
            return true;
        }
        return false;
    };
    QVERIFY(refused([&](DocumentUnitOfWork &unit) {
        h->store().listByAdmission(unit, patient, QStringLiteral("vitals"), stay, 1,
                                   byPatient.nextCursor);
    }));
    QVERIFY(refused([&](DocumentUnitOfWork &unit) {
        h->store().listByPatient(unit, patient, QString(), 1, byAdmission.nextCursor);
    }));
    for (const QString &cursor : {QStringLiteral("garbage!"), QStringLiteral("' OR 1=1--"),
                                  QStringLiteral("AAAA"), QString(200, QLatin1Char('A'))}) {
        QVERIFY2(refused([&](DocumentUnitOfWork &unit) {
                     h->store().listByAdmission(unit, patient, QStringLiteral("vitals"), stay, 1,
                                                cursor);
                 }),
                 qPrintable(cursor));
    }
}

QTEST_GUILESS_MAIN(TestDocumentStore)
#include "tst_documentstore.moc"
