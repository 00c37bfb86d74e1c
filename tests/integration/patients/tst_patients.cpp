// The patient register over real HTTP and PostgreSQL: registration with MRN, duplicate
// warning and override, reads with ETag, PATCH with If-Match (C2), search by MRN, phone and
// name with keyset pagination and literal wildcards (I3), tenant isolation (T2, T6),
// Idempotency-Key (C1), bad input that writes nothing (I1) and one audit row per call (L1).
#include "shared/patients/patientrules.h"
#include "shared/protocol/apipaths.h"
#include "support/serverfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>
#include <QUrl>

#include <pqxx/pqxx>

#include <memory>
#include <string>

using namespace hms;
using namespace hms::test;
using namespace Qt::StringLiterals;

namespace {

const QString Password = u"patients correct horse 7"_s;

QJsonObject person(const QString &name, const QString &birthDate, const QString &phone)
{
    return {{u"fullName"_s, name},
            {u"birthDate"_s, birthDate},
            {u"sex"_s, u"F"_s},
            {u"phone"_s, phone}};
}

QByteArray searchPath(const QString &q, const QString &extra = {})
{
    QByteArray path = QByteArray(api::Patients) + "?q=" + QUrl::toPercentEncoding(q);
    if (!extra.isEmpty())
        path += '&' + extra.toUtf8();
    return path;
}

QSet<QString> idsOf(const QJsonObject &page)
{
    QSet<QString> ids;
    for (const QJsonValue &item : page.value(u"items"_s).toArray())
        ids.insert(item.toObject().value(u"id"_s).toString());
    return ids;
}

} // namespace

class TestPatients : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void registerAssignsMrnAndReadHasEtag();
    void otherHospitalSeesNothing();
    void duplicateWarningListsCandidatesAndOverrideIsAudited();
    void nationalIdIsUniquePerHospitalEvenWithOverride();
    void searchFindsByNameIgnoringCaseAndAccents();
    void searchFindsByPhoneAndMrn();
    void phoneSearchRanksTheNumberFirstThenEndingsAcrossPages();
    void searchTreatsWildcardsLiterally();
    void searchOfTwoLettersFindsWholeWordsOnly();
    void searchFindsALongPartOfAName();
    void searchPagesReturnEveryMatchOnce();
    void searchRanksWholeWordMatchesFirstAcrossPages();
    void searchOrdersEquallySimilarNamesAlphabetically();
    void searchListsNamesStartingWithTheLastWordNext();
    void searchListsPrefixMatchesInOrderForRareAndCommonWords();
    void searchContinuesPastAPatientRenamedBetweenPages();
    void searchPagesPastTheLongestFoldedNames();
    void nameSearchesQueueApartFromOtherRequests();
    void nameTermsFollowTheNameAndStayInTheHospital();
    void searchRejectsBadParameters_data();
    void searchRejectsBadParameters();
    void patchNeedsCurrentIfMatch();
    void concurrentPatchesWithSameIfMatch();
    void idempotencyKeyConcurrentPostsMakeOnePatient();
    void idempotencyKeyScopesAndValidation();
    void badInputWritesNothing_data();
    void badInputWritesNothing();
    void sqlAndHtmlLookingTextIsStoredVerbatim();

private:
    RawResponse
    post(const QByteArray &token, const QJsonObject &body, const QByteArray &extraHeaders = {});
    RawResponse get(const QByteArray &token, const QByteArray &path);
    /// Registers a patient at alpha; its id, or an empty string when that was not 201.
    QString registered(const QString &name, const QString &born, const QString &phone);
    /// Registers each name in turn, born on day 11, 12, ... of \a bornMonth (YYYY-MM), phone
    /// \a phonePrefix + 0, 1, ...; the ids in order (empty where that was not 201).
    QStringList
    registeredAll(const QStringList &names, const QString &bornMonth, const QString &phonePrefix);
    /// One page of a search (as alpha reception): its ids in order, after \a cursor, which is
    /// then the page's nextCursor (empty after the last page); {"HTTP <status>"} unless 200.
    QStringList searchPage(const QString &q, int limit, QString *cursor);
    /// The ids of every page of a search (as alpha reception), in order, following nextCursor.
    QStringList searchAllPages(const QString &q, int limit, int *pages = nullptr);
    /// PATCHes alpha's patient \a id with \a change (as alpha reception).
    int patched(const QString &id, const QJsonObject &change, const QByteArray &ifMatch);
    qint64 auditRows(const std::string &action, const QString &patientId = {}) const;
    /// A patient's rows in patient_name_terms (0022), sorted and comma-joined.
    QString nameTerms(const QString &patientId) const;
    /// How many patients the name search function itself returns for \a q at \a hospital
    /// (at most 100): before the join back under the tenant policy, which would hide from
    /// the HTTP answer a patient of another hospital that the function let through.
    qint64 searchFunctionHits(const QString &hospital, const QString &q) const;
    qint64 writeCounts() const;

    std::unique_ptr<ServerFixture> m_fixture;
    QByteArray m_alpha; // alpha reception
    QByteArray m_alphaDoctor;
    QByteArray m_beta; // beta reception
};

RawResponse
TestPatients::post(const QByteArray &token, const QJsonObject &body, const QByteArray &extraHeaders)
{
    const std::optional<RawResponse> response = RawHttpClient::roundTrip(
        m_fixture->port(), requestWith("POST", api::Patients, token, jsonBytes(body), extraHeaders),
        15'000);
    return response.value_or(RawResponse());
}

RawResponse TestPatients::get(const QByteArray &token, const QByteArray &path)
{
    return m_fixture->request("GET", path, token);
}

QString TestPatients::registered(const QString &name, const QString &born, const QString &phone)
{
    const RawResponse created = post(m_alpha, person(name, born, phone));
    return created.status == 201 ? created.json().value(u"id"_s).toString() : QString();
}

QStringList TestPatients::registeredAll(const QStringList &names,
                                        const QString &bornMonth,
                                        const QString &phonePrefix)
{
    QStringList ids;
    for (qsizetype i = 0; i < names.size(); ++i)
        ids.append(registered(names[i], bornMonth + u'-' + QString::number(11 + i),
                              phonePrefix + QString::number(i)));
    return ids;
}

QStringList TestPatients::searchPage(const QString &q, int limit, QString *cursor)
{
    QString extra = u"limit="_s + QString::number(limit);
    if (!cursor->isEmpty())
        extra += u"&cursor="_s + *cursor;
    const RawResponse page = get(m_alpha, searchPath(q, extra));
    cursor->clear();
    if (page.status != 200)
        return {u"HTTP "_s + QString::number(page.status)};
    const QJsonArray items = page.json().value(u"items"_s).toArray();
    if (items.size() > limit)
        return {u"page longer than the limit"_s};
    QStringList ids;
    for (const QJsonValue &item : items)
        ids.append(item.toObject().value(u"id"_s).toString());
    *cursor = page.json().value(u"nextCursor"_s).toString();
    return ids;
}

QStringList TestPatients::searchAllPages(const QString &q, int limit, int *pages)
{
    QStringList order;
    QString cursor;
    int count = 0;
    do {
        order += searchPage(q, limit, &cursor);
    } while (!cursor.isEmpty() && ++count < 20);
    if (pages)
        *pages = count + 1;
    return order;
}

int TestPatients::patched(const QString &id, const QJsonObject &change, const QByteArray &ifMatch)
{
    const QByteArray path = QByteArray(api::Patients) + '/' + id.toLatin1();
    return RawHttpClient::roundTrip(m_fixture->port(),
                                    requestWith("PATCH", path, m_alpha, jsonBytes(change),
                                                "If-Match: " + ifMatch + "\r\n"),
                                    15'000)
        .value_or(RawResponse())
        .status;
}

qint64 TestPatients::auditRows(const std::string &action, const QString &patientId) const
{
    std::string sql = "SELECT count(*) FROM audit_log WHERE action = '" + action + "'";
    if (!patientId.isEmpty())
        sql += " AND patient_id = " + std::to_string(patientId.toLongLong());
    return m_fixture->count(sql);
}

QString TestPatients::nameTerms(const QString &patientId) const
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::read_transaction tx(connection);
    return QString::fromStdString(
        tx.exec_params1("SELECT coalesce(string_agg(term, ',' ORDER BY term COLLATE \"C\"), '') "
                        "FROM patient_name_terms WHERE patient_id = $1",
                        patientId.toLongLong())[0]
            .as<std::string>());
}

qint64 TestPatients::searchFunctionHits(const QString &hospital, const QString &q) const
{
    pqxx::connection connection(m_fixture->superuserUrl());
    pqxx::read_transaction tx(connection);
    tx.exec_params("SELECT set_config('app.hospital_id', id::text, true) FROM hospitals "
                   "WHERE code = $1",
                   hospital.toStdString());
    return tx
        .exec_params1("SELECT count(*) FROM patient_search_name($1, NULL, NULL, 100)",
                      q.toStdString())[0]
        .as<qint64>();
}

qint64 TestPatients::writeCounts() const
{
    return m_fixture->count("SELECT (SELECT count(*) FROM patients) * 1000000 "
                            "+ (SELECT count(*) FROM audit_log) * 1000 "
                            "+ (SELECT count(*) FROM idempotency_keys)");
}

void TestPatients::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>(u"patients"_s);
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    QVERIFY(m_fixture->createHospital(u"alpha"_s, u"Alpha"_s) > 0);
    QVERIFY(m_fixture->createHospital(u"beta"_s, u"Beta"_s) > 0);
    const auto token = [this](const QString &hospital, const QString &user, Role role) {
        if (m_fixture->createUser(hospital, user, role, Password) <= 0)
            return QByteArray();
        return accessTokenOf(m_fixture->login(hospital, user, Password));
    };
    m_alpha = token(u"alpha"_s, u"desk"_s, Role::Reception);
    m_alphaDoctor = token(u"alpha"_s, u"doc"_s, Role::Doctor);
    m_beta = token(u"beta"_s, u"desk"_s, Role::Reception);
    QVERIFY(!m_alpha.isEmpty() && !m_alphaDoctor.isEmpty() && !m_beta.isEmpty());
}

void TestPatients::registerAssignsMrnAndReadHasEtag()
{
    QJsonObject body = person(u"Amina Okafor"_s, u"1985-03-14"_s, u"+234 803 555 0101"_s);
    body.insert(u"address"_s, QJsonObject{{u"city"_s, u"Lagos"_s}});
    body.insert(u"allergies"_s, QJsonArray{u"penicillin"_s});
    const RawResponse created = post(m_alpha, body);
    QCOMPARE(created.status, 201);
    const QJsonObject patient = created.json();
    const QString id = patient.value(u"id"_s).toString();
    QVERIFY(!id.isEmpty());
    const QString mrn = patient.value(u"mrn"_s).toString();
    QVERIFY2(isValidMrn(mrn), qPrintable(mrn));
    QVERIFY(mrn.startsWith(u"ALPH-"_s));
    QCOMPARE(patient.value(u"phone"_s).toString(), u"+2348035550101"_s);
    QCOMPARE(patient.value(u"birthDateEstimated"_s).toBool(), false);
    QCOMPARE(patient.value(u"version"_s).toInt(), 1);
    QCOMPARE(created.header("etag"), QByteArray("\"1\""));
    QCOMPARE(created.header("location"), QByteArray(api::Patients) + '/' + id.toLatin1());
    QCOMPARE(auditRows("patient.register", id), 1);

    const RawResponse read = get(m_alpha, QByteArray(api::Patients) + '/' + id.toLatin1());
    QCOMPARE(read.status, 200);
    QCOMPARE(read.header("etag"), QByteArray("\"1\""));
    QCOMPARE(read.json(), patient);
    QCOMPARE(auditRows("patient.read", id), 1);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'patient.read' AND "
                              "category = 'demographic' AND entity_id = '"
                              + id.toStdString() + "'"),
             1);

    // An estimated age stores an approximate date and says so.
    QJsonObject estimated = person(u"Unknown Elder"_s, {}, u"0700 000 001"_s);
    estimated.remove(u"birthDate"_s);
    estimated.insert(u"estimatedAgeYears"_s, 70);
    const RawResponse approximate = post(m_alpha, estimated);
    QCOMPARE(approximate.status, 201);
    QCOMPARE(approximate.json().value(u"birthDateEstimated"_s).toBool(), true);
    QCOMPARE(approximate.json().value(u"birthDate"_s).toString(),
             estimatedBirthDate(70, QDate::currentDate()).toString(Qt::ISODate));
    // MRNs are sequential per hospital and year.
    QVERIFY(approximate.json().value(u"mrn"_s).toString() > mrn);
}

void TestPatients::otherHospitalSeesNothing()
{
    QJsonObject body = person(u"Chidi Nwosu"_s, u"1990-07-01"_s, u"+2348035550202"_s);
    body.insert(u"nationalId"_s, u"NG-12345"_s);
    const RawResponse created = post(m_alpha, body);
    QCOMPARE(created.status, 201);
    const QByteArray id = created.json().value(u"id"_s).toString().toLatin1();

    // T2: another hospital's id and an id that exists nowhere answer the same bytes.
    const RawResponse foreign = get(m_beta, QByteArray(api::Patients) + '/' + id);
    const RawResponse missing = get(m_beta, QByteArray(api::Patients) + "/987654321");
    QCOMPARE(foreign.status, 404);
    QCOMPARE(foreign.body, missing.body);
    const RawResponse foreignPatch =
        m_fixture->request("PATCH", QByteArray(api::Patients) + '/' + id, m_beta, QByteArray("{}"));
    QCOMPARE(foreignPatch.status, 428); // If-Match is checked before the lookup
    const QByteArray patchBytes = requestWith("PATCH", QByteArray(api::Patients) + '/' + id, m_beta,
                                              R"({"fullName":"Hijacked"})", "If-Match: \"1\"\r\n");
    const std::optional<RawResponse> patched =
        RawHttpClient::roundTrip(m_fixture->port(), patchBytes, 15'000);
    QVERIFY(patched);
    QCOMPARE(patched->status, 404);
    QCOMPARE(patched->body, missing.body);
    QCOMPARE(get(m_alpha, QByteArray(api::Patients) + '/' + id).json().value(u"fullName"_s),
             QJsonValue(u"Chidi Nwosu"_s));

    // T6: search finds nothing of alpha's, by name, phone or MRN.
    for (const QString &q :
         {u"Chidi"_s, u"2348035550202"_s, created.json().value(u"mrn"_s).toString()}) {
        const RawResponse found = get(m_beta, searchPath(q));
        QCOMPARE(found.status, 200);
        QVERIFY2(idsOf(found.json()).isEmpty(), qPrintable(q));
    }

    // T6: beta registers the same person (same phone, birth date, national id): no warning
    // listing alpha's patient, because uniqueness and duplicates are per hospital.
    const RawResponse betaCopy = post(m_beta, body);
    QCOMPARE(betaCopy.status, 201);
    QVERIFY(betaCopy.json().value(u"mrn"_s).toString().startsWith(u"BETA-"_s));
    QVERIFY(betaCopy.json().value(u"id"_s).toString().toLatin1() != id);
}

void TestPatients::duplicateWarningListsCandidatesAndOverrideIsAudited()
{
    const RawResponse first =
        post(m_alpha, person(u"Grace Adeyemi"_s, u"1972-11-30"_s, u"+2348035550303"_s));
    QCOMPARE(first.status, 201);
    const QString firstId = first.json().value(u"id"_s).toString();
    const qint64 patientsBefore = m_fixture->count("SELECT count(*) FROM patients");

    // Same phone and birth date, other name.
    RawResponse warning =
        post(m_alpha, person(u"G. Adeyemi-Bello"_s, u"1972-11-30"_s, u"+2348035550303"_s));
    QCOMPARE(warning.status, 409);
    QJsonArray candidates = warning.json().value(u"candidates"_s).toArray();
    QCOMPARE(candidates.size(), 1);
    const QJsonObject candidate = candidates.first().toObject();
    QCOMPARE(candidate.value(u"id"_s).toString(), firstId);
    QCOMPARE(candidate.value(u"mrn"_s), first.json().value(u"mrn"_s));
    QCOMPARE(candidate.value(u"birthDate"_s).toString(), u"1972-11-30"_s);

    // Similar name (accents, case, a typo) and the same birth date, other phone.
    warning = post(m_alpha, person(u"grace adéyemi"_s, u"1972-11-30"_s, u"+2348035559999"_s));
    QCOMPARE(warning.status, 409);
    QCOMPARE(warning.json().value(u"candidates"_s).toArray().size(), 1);
    // Same name, other birth date: not a duplicate.
    QCOMPARE(post(m_alpha, person(u"Grace Adeyemi"_s, u"1999-01-01"_s, u"+2348035558888"_s)).status,
             201);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients"), patientsBefore + 1);

    QJsonObject anyway = person(u"grace adéyemi"_s, u"1972-11-30"_s, u"+2348035559999"_s);
    anyway.insert(u"duplicateOverrideReason"_s, u"Twin sister, confirmed with ID card"_s);
    const RawResponse registered = post(m_alpha, anyway);
    QCOMPARE(registered.status, 201);
    const QString id = registered.json().value(u"id"_s).toString();
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'patient.register' "
                              "AND patient_id = "
                              + id.toStdString()
                              + " AND details->>'duplicateOverride' = 'true' "
                                "AND details->'candidateIds' ? '"
                              + firstId.toStdString() + "'"),
             1);
    // The free-text reason is not in the audit log.
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE details::text LIKE '%Twin%'"),
             0);
}

void TestPatients::nationalIdIsUniquePerHospitalEvenWithOverride()
{
    QJsonObject body = person(u"Ife Balogun"_s, u"1960-01-01"_s, u"+2348035550404"_s);
    body.insert(u"nationalId"_s, u"NID-0404"_s);
    QCOMPARE(post(m_alpha, body).status, 201);
    QJsonObject other = person(u"Someone Else"_s, u"2001-02-02"_s, u"+2348035550405"_s);
    other.insert(u"nationalId"_s, u"NID-0404"_s);
    other.insert(u"duplicateOverrideReason"_s, u"desk insists"_s);
    const RawResponse taken = post(m_alpha, other);
    QCOMPARE(taken.status, 409);
    QVERIFY(problemFields(taken.json()).contains(u"nationalId"_s));
    QCOMPARE(taken.json().value(u"candidates"_s).toArray().size(), 1);
    QVERIFY(!taken.body.contains("SQL") && !taken.body.contains("DETAIL")
            && !taken.body.contains("patients_national_id_key"));

    // A registration with a national id runs its own statement: a new id still gets the
    // same-phone, same-birth-date warning, and does not flag the candidate's id as taken.
    QJsonObject twin = person(u"Ife B."_s, u"1960-01-01"_s, u"+2348035550404"_s);
    twin.insert(u"nationalId"_s, u"NID-0405"_s);
    const RawResponse warning = post(m_alpha, twin);
    QCOMPARE(warning.status, 409);
    QVERIFY(!problemFields(warning.json()).contains(u"nationalId"_s));
    QCOMPARE(warning.json().value(u"candidates"_s).toArray().size(), 1);
    twin.insert(u"duplicateOverrideReason"_s, u"desk checked the card"_s);
    QCOMPARE(post(m_alpha, twin).status, 201);
}

void TestPatients::searchFindsByNameIgnoringCaseAndAccents()
{
    const RawResponse jose =
        post(m_alpha, person(u"José Ramírez Núñez"_s, u"1988-04-04"_s, u"+5215550000001"_s));
    QCOMPARE(jose.status, 201);
    const QString id = jose.json().value(u"id"_s).toString();
    for (const QString &q : {u"jose"_s, u"JOSE"_s, u"José"_s, u"ramirez"_s, u"nunez"_s,
                             u"jose ramirez"_s, u"Jose Ramires Nunez"_s}) {
        const RawResponse found = get(m_alpha, searchPath(q));
        QCOMPARE(found.status, 200);
        QVERIFY2(idsOf(found.json()).contains(id), qPrintable(q));
    }
    QVERIFY(!idsOf(get(m_alpha, searchPath(u"Zyxwvut"_s)).json()).contains(id));
    // L1: each search is audited with the ids it returned (and never the query text).
    QVERIFY(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'patient.search' AND "
                             "details->'patientIds' ? '"
                             + id.toStdString() + "'")
            >= 7);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'patient.search' AND "
                              "details::text ILIKE '%ramir%'"),
             0);
}

void TestPatients::searchFindsByPhoneAndMrn()
{
    const RawResponse created =
        post(m_alpha, person(u"Phone Search"_s, u"1977-07-07"_s, u"+44 20 7946 0958"_s));
    QCOMPARE(created.status, 201);
    const QString id = created.json().value(u"id"_s).toString();
    const QString mrn = created.json().value(u"mrn"_s).toString();
    for (const QString &q :
         {u"+442079460958"_s, u"+44 20 7946 0958"_s, u"2079460958"_s, u"7946-0958"_s}) {
        const RawResponse found = get(m_alpha, searchPath(q));
        QCOMPARE(found.status, 200);
        QVERIFY2(idsOf(found.json()).contains(id), qPrintable(q));
    }
    for (const QString &q : QStringList{mrn, mrn.toLower(), QString(u" "_s + mrn + u" "_s)}) {
        const RawResponse found = get(m_alpha, searchPath(q));
        QCOMPARE(found.status, 200);
        QCOMPARE(idsOf(found.json()), QSet<QString>{id});
    }
}

// 0024: the number itself first, then numbers that end with the digits typed (by id), pages of
// two across the boundary; a number holding the digits elsewhere, or one digit off, is no hit;
// fewer than six digits is no phone search.
void TestPatients::phoneSearchRanksTheNumberFirstThenEndingsAcrossPages()
{
    const QString longer = registered(u"Ending Early"_s, u"1961-01-01"_s, u"+4415557770123"_s);
    const QString exact = registered(u"Exact Number"_s, u"1962-02-02"_s, u"+15557770123"_s);
    const QString other = registered(u"Ending Late"_s, u"1963-03-03"_s, u"+9915557770123"_s);
    const QString inside = registered(u"Digits Inside"_s, u"1964-04-04"_s, u"+155577701239"_s);
    const QString offByOne = registered(u"Digit Off"_s, u"1965-05-05"_s, u"+15557770124"_s);
    for (const QString &id : {longer, exact, other, inside, offByOne})
        QVERIFY(!id.isEmpty());

    int pages = 0;
    QCOMPARE(searchAllPages(u"+1 555 777 0123"_s, 2, &pages), (QStringList{exact, longer, other}));
    QCOMPARE(pages, 2);
    // Typed without the country code: every number ending so, by id.
    QCOMPARE(searchAllPages(u"5557770123"_s, 2), (QStringList{longer, exact, other}));
    QCOMPARE(searchAllPages(u"77701239"_s, 2), QStringList{inside});
    // Six digits is the shortest phone query (an ending); five are not a phone search at all,
    // and no name or MRN holds them.
    QCOMPARE(searchAllPages(u"770123"_s, 2), (QStringList{longer, exact, other}));
    QCOMPARE(searchAllPages(u"70123"_s, 2), QStringList{});
}

void TestPatients::searchTreatsWildcardsLiterally()
{
    QCOMPARE(
        post(m_alpha, person(u"Percy 100% Cotton"_s, u"1950-05-05"_s, u"+15550001001"_s)).status,
        201);
    QCOMPARE(post(m_alpha, person(u"Under_Score"_s, u"1951-05-05"_s, u"+15550001002"_s)).status,
             201);
    QCOMPARE(idsOf(get(m_alpha, searchPath(u"100%"_s)).json()).size(), 1);
    QCOMPARE(idsOf(get(m_alpha, searchPath(u"%%"_s)).json()).size(), 0);
    QCOMPARE(idsOf(get(m_alpha, searchPath(u"__"_s)).json()).size(), 0);
    QCOMPARE(idsOf(get(m_alpha, searchPath(u"nde_"_s)).json()).size(), 0); // not "nder"
    QCOMPARE(idsOf(get(m_alpha, searchPath(u"er_sc"_s)).json()).size(), 1);
    QCOMPARE(idsOf(get(m_alpha, searchPath(u"' OR 1=1--"_s)).json()).size(), 0);
}

void TestPatients::searchOfTwoLettersFindsWholeWordsOnly()
{
    // Two letters find a whole word (a family name such as Xu); the start or the middle of a
    // longer word needs a third letter (0026_name_query_length.sql).
    const QString xuId = registered(u"Xu Brennagh"_s, u"1961-06-06"_s, u"+15550002001"_s);
    const QString xunId = registered(u"Xunqiao Merrow"_s, u"1962-06-06"_s, u"+15550002002"_s);
    const QString maxuId = registered(u"Oriel Maxuary"_s, u"1963-06-06"_s, u"+15550002003"_s);
    QVERIFY(!xuId.isEmpty() && !xunId.isEmpty() && !maxuId.isEmpty());
    QCOMPARE(idsOf(get(m_alpha, searchPath(u"xu"_s)).json()), QSet<QString>{xuId});
    QCOMPARE(idsOf(get(m_alpha, searchPath(u"XÜ"_s)).json()), QSet<QString>{xuId});
    QCOMPARE(idsOf(get(m_alpha, searchPath(u"xun"_s)).json()), QSet<QString>{xunId});
    QCOMPARE(idsOf(get(m_alpha, searchPath(u"axu"_s)).json()), QSet<QString>{maxuId});
    // Fewer than three letters or digits, whatever else the query holds.
    QCOMPARE(idsOf(get(m_alpha, searchPath(u"xu."_s)).json()), QSet<QString>{xuId});
}

// From 8 trigrams on, a part of a name is found by word similarity alone (0026): one that
// starts and ends inside words, as long as the similarity threshold allows.
void TestPatients::searchFindsALongPartOfAName()
{
    const QString id =
        registered(u"Bartholomew Quintanillova"_s, u"1964-07-07"_s, u"+15550002101"_s);
    QVERIFY(!id.isEmpty());
    for (const QString &q :
         {u"rtholomew quintanil"_s, u"tholomew quinta"_s, u"olomew quin"_s, u"artholome"_s})
        QVERIFY2(idsOf(get(m_alpha, searchPath(q)).json()).contains(id), qPrintable(q));
}

void TestPatients::searchPagesReturnEveryMatchOnce()
{
    QSet<QString> registered;
    for (int i = 0; i < 7; ++i) {
        const RawResponse created = post(m_alpha,
                                         person(u"Pagina Testperson "_s + QString(QChar(u'A' + i)),
                                                QStringLiteral("1980-01-%1").arg(i + 10),
                                                u"+1555000200"_s + QString::number(i)));
        QCOMPARE(created.status, 201);
        registered.insert(created.json().value(u"id"_s).toString());
    }
    int pages = 0;
    const QStringList order = searchAllPages(u"pagina testperson"_s, 3, &pages);
    const QSet<QString> seen(order.begin(), order.end());
    QCOMPARE(order.size(), seen.size()); // nobody twice
    QCOMPARE(seen, registered);
    QCOMPARE(pages, 3);
}

// 0017: names holding every typed word (any order, accents and hyphens folded) come first,
// by id, read from the word index; trigram matches follow. Pages of two cross the boundary
// between the tiers without losing or repeating anyone.
void TestPatients::searchRanksWholeWordMatchesFirstAcrossPages()
{
    const QStringList wholeWords{u"Quilla Zorander"_s, u"Zorander Quilla"_s,
                                 u"Quilla María Zoránder"_s, u"Quilla Zorander-Vance"_s};
    const QStringList similar{u"Quila Zorander"_s, u"Quillan Zorandez"_s};
    QStringList expectedFirst;
    QSet<QString> expectedSimilar;
    int serial = 0;
    for (const QString &name : wholeWords + similar) {
        ++serial;
        const RawResponse created = post(m_alpha,
                                         person(name, QStringLiteral("1961-02-%1").arg(serial + 10),
                                                u"+1555000300"_s + QString::number(serial)));
        QCOMPARE(created.status, 201);
        const QString id = created.json().value(u"id"_s).toString();
        if (wholeWords.contains(name))
            expectedFirst.append(id);
        else
            expectedSimilar.insert(id);
    }
    const QStringList order = searchAllPages(u"zorander QUILLA"_s, 2);
    QCOMPARE(order.mid(0, 4), expectedFirst); // ids ascend in registration order
    QCOMPARE(QSet<QString>(order.begin() + 4, order.end()), expectedSimilar);
    QCOMPARE(order.size(), 6);
    // 0020: three words look up three word pairs; only the three-word name holds them all.
    QCOMPARE(searchAllPages(u"maría zorander QUILLA"_s, 2).value(0), expectedFirst.value(2));
    // One word typed twice has no pair: the word index answers, as for one word.
    QCOMPARE(searchAllPages(u"quilla Quilla"_s, 2).mid(0, 4), expectedFirst);
}

// 0027: in the trigram tier, names of equal rank come alphabetically, each name's patients
// by id; a more similar name comes before them whatever its spelling. Pages of every size
// cross the boundaries between names and ranks without losing or repeating anyone.
void TestPatients::searchOrdersEquallySimilarNamesAlphabetically()
{
    // Registered out of alphabetical order; "exor" sits inside the first word of all but the
    // first name equally (the same rank), and ends the first one's (a higher rank). No word
    // starts with it, so the prefix tier (0028) has nothing.
    const QStringList names{u"Zavexor Tamblyn"_s, u"Vexorun Tamblyn"_s, u"Vexorin Tamblyn"_s,
                            u"Vexoran Tamblyn"_s, u"Vexorin Tamblyn"_s, u"Vexoran Tamblyn"_s};
    const QStringList ids = registeredAll(names, u"1971-05"_s, u"+1555000500"_s);
    QVERIFY(!ids.contains(QString()));
    const QStringList expected{ids[0], ids[3], ids[5], ids[2], ids[4], ids[1]};
    for (const int limit : {1, 2, 4, 20})
        QCOMPARE(searchAllPages(u"Exor"_s, limit), expected);
}

// 0028: the last word typed may be the start of a word. After the names holding every typed
// word come the names holding the words before it and a word starting with it, by that word
// (the smaller one when two do), then by id; similar names follow. Pages of every size cross
// the tiers without losing or repeating anyone.
void TestPatients::searchListsNamesStartingWithTheLastWordNext()
{
    // "orvath" sorts before "sel": one range of word pairs ("orvath sel...") holds them.
    const QStringList names{u"Orvath Selwyn"_s,         u"Selbeck Orvath"_s, u"Orvath Sel"_s,
                            u"Orvath Selwyn Selbeck"_s, u"Orvath Selwyn"_s,  u"Orvath Salwyn"_s,
                            u"Selwyn Tarrow"_s};
    const QStringList ids = registeredAll(names, u"1972-06"_s, u"+1555000510"_s);
    QVERIFY(!ids.contains(QString()));
    // Every word, then selbeck's, then selwyn's, then the similar "Orvath Salwyn".
    const QStringList expected{ids[2], ids[1], ids[3], ids[0], ids[4], ids[5]};
    for (const int limit : {1, 2, 3, 20})
        QCOMPARE(searchAllPages(u"orvath SEL"_s, limit), expected);
    QCOMPARE(searchAllPages(u"Orvath Selw"_s, 20).mid(0, 3), (QStringList{ids[0], ids[3], ids[4]}));
    QCOMPARE(searchFunctionHits(u"alpha"_s, u"orvath sel"_s), expected.size());
    QCOMPARE(searchFunctionHits(u"beta"_s, u"orvath sel"_s), 0);
}

// 0028: when every word before the last sorts after it, the prefix tier goes through the words
// that start with the last one in order: from the few patients of a rare word, or word by word
// for a common one. Both give the same order; so does the last word typed alone.
void TestPatients::searchListsPrefixMatchesInOrderForRareAndCommonWords()
{
    const QStringList names{u"Vantor Bastien"_s,        u"Balric Vantor"_s, u"Vantor Bastien"_s,
                            u"Bastien Balric Vantor"_s, u"Vantor Ba"_s,     u"Banner Vantor"_s};
    const QStringList ids = registeredAll(names, u"1973-07"_s, u"+1555000520"_s);
    QVERIFY(!ids.contains(QString()));
    // "Vantor Ba" holds both words; then balric, banner, bastien.
    const QStringList expected{ids[4], ids[1], ids[3], ids[5], ids[0], ids[2]};
    for (const int limit : {1, 2, 4, 20})
        QCOMPARE(searchAllPages(u"Vantor Ba"_s, limit), expected);
    // One word: every word starting with it, word by word.
    for (const int limit : {1, 2, 20})
        QCOMPARE(searchAllPages(u"Bastie"_s, limit).mid(0, 3),
                 (QStringList{ids[0], ids[2], ids[3]}));
    QCOMPARE(searchFunctionHits(u"beta"_s, u"Vantor Ba"_s), 0);
    QCOMPARE(searchFunctionHits(u"beta"_s, u"Bastie"_s), 0);

    // 300 more Vantors make "vantor" a common word (more than 256 patients). Their other words
    // ("z1" ...) do not start with "ba": they are only similar, so they come last.
    {
        pqxx::connection connection(m_fixture->superuserUrl());
        pqxx::work tx(connection);
        tx.exec("INSERT INTO patients (hospital_id, mrn, full_name, birth_date, sex, phone) "
                "SELECT h.id, 'V-1974-' || lpad(g::text, 6, '0') || '-0', 'Vantor Z' || g, DATE "
                "'1974-01-01', 'M', "
                "'+1555000600' || g FROM hospitals h, generate_series(1, 300) g "
                "WHERE h.code = 'alpha'");
        tx.commit();
    }
    for (const int limit : {1, 2, 4, 20})
        QCOMPARE(searchAllPages(u"Vantor Ba"_s, limit).mid(0, expected.size()), expected);
    QCOMPARE(searchFunctionHits(u"beta"_s, u"Vantor Ba"_s), 0);
}

// 0029: a page's cursor carries the key its hits were ordered by, so a patient renamed between
// two pages of one search moves nobody: the next page goes on where the last one ended. One
// group of names for each way a page is read: the prefix tier from a range of word pairs, from
// a rare word's patients, word by word, and the trigram tier (names of equal rank by name).
void TestPatients::searchContinuesPastAPatientRenamedBetweenPages()
{
    const QList<std::pair<QString, QStringList>> groups{
        {u"Kemlo Ta"_s, {u"Kemlo Tabar"_s, u"Kemlo Tabis"_s, u"Kemlo Tacon"_s, u"Kemlo Tadri"_s}},
        {u"Renvik Ab"_s,
         {u"Renvik Abalo"_s, u"Renvik Abbet"_s, u"Renvik Abcor"_s, u"Renvik Abdun"_s}},
        {u"Gorvut"_s, {u"Gorvuta Lem"_s, u"Gorvuti Lem"_s, u"Gorvutu Lem"_s, u"Gorvuty Lem"_s}},
        {u"Ixal"_s,
         {u"Dixalan Morrow"_s, u"Dixalen Morrow"_s, u"Dixalin Morrow"_s, u"Dixalon Morrow"_s}}};
    int group = 0;
    for (const auto &[q, names] : groups) {
        ++group;
        const QString tag = QString::number(group);
        const QStringList ids = registeredAll(names, u"1975-0"_s + tag, u"+1555000540"_s + tag);
        QVERIFY(!ids.contains(QString()));
        QCOMPARE(searchAllPages(q, 20), ids);
        QString cursor;
        QCOMPARE(searchPage(q, 2, &cursor), ids.mid(0, 2));
        QVERIFY(!cursor.isEmpty());
        // The last patient of the page is renamed: it leaves the search, the rest still come.
        const QJsonObject rename{{u"fullName"_s, QString(u"Zunder Quill"_s + tag)}};
        QCOMPARE(patched(ids[1], rename, "\"1\""), 200);
        QCOMPARE(searchPage(q, 2, &cursor), ids.mid(2, 2));
        QCOMPARE(cursor, QString());
    }
}

// The longest key a cursor carries: a name of the most characters, each folded into 5 bytes
// ("\u33AE" becomes "rad/s"). The server takes its own cursor back on the next page.
void TestPatients::searchPagesPastTheLongestFoldedNames()
{
    // Ending in "kcal" ("\u3389"): "kca" is inside a word, so both come from the trigram tier,
    // whose key is the whole folded name.
    const QString longest = QString(u"\u33AE"_s).repeated(patientlimits::FullNameMax - 1);
    const QStringList ids = registeredAll(
        {longest + u"\u3389"_s, longest.chopped(1) + u"\u3389x"_s}, u"1976-01"_s, u"+1555000550"_s);
    QVERIFY(!ids.contains(QString()));
    int pages = 0;
    const QStringList found = searchAllPages(u"kca"_s, 1, &pages);
    QCOMPARE(QSet<QString>(found.begin(), found.end()), QSet<QString>(ids.begin(), ids.end()));
    QCOMPARE(found.size(), 2);
}

// Name searches run on a pool of their own (HttpServerOptions::searchPool): with one thread in
// each pool, a name search stuck in the database leaves phone and MRN searches free to answer.
// On one shared thread they would wait for the name search.
void TestPatients::nameSearchesQueueApartFromOtherRequests()
{
    ServerFixture lanes(u"patients_lanes"_s);
    QVERIFY2(lanes.start([](server::ServerConfig &config) {
        config.dbPoolSize = 1;
        config.dbSearchPoolSize = 1;
    }),
             qPrintable(lanes.errorString()));
    QVERIFY(lanes.createHospital(u"alpha"_s, u"Alpha"_s) > 0);
    QVERIFY(lanes.createUser(u"alpha"_s, u"desk"_s, Role::Reception, Password) > 0);
    const QByteArray token = accessTokenOf(lanes.login(u"alpha"_s, u"desk"_s, Password));
    QVERIFY(!token.isEmpty());
    const RawResponse first =
        RawHttpClient::roundTrip(
            lanes.port(),
            requestWith("POST", api::Patients, token,
                        jsonBytes(person(u"Ortolan Quell"_s, u"1966-06-06"_s, u"+15550007001"_s))),
            15'000)
            .value_or(RawResponse());
    QCOMPARE(first.status, 201);
    const QString firstId = first.json().value(u"id"_s).toString();
    const QString firstMrn = first.json().value(u"mrn"_s).toString();

    // Every name search reads patient_name_terms first; a lock held here stops it there (for
    // up to the server's lock_timeout, 5 s: far more than the searches below need).
    pqxx::connection locker(lanes.superuserUrl());
    pqxx::work lock(locker);
    lock.exec0("LOCK TABLE patient_name_terms IN ACCESS EXCLUSIVE MODE");
    RawHttpClient nameSearch;
    QVERIFY(nameSearch.connectTo(lanes.port()));
    nameSearch.send(requestWith("GET", searchPath(u"ortolan"_s), token, {}));
    const auto nameSearchWaits = [&] {
        return lanes.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database()")
            == 1;
    };
    QVERIFY(waitUntil(nameSearchWaits, 15'000));

    // Phone numbers and MRNs are not name searches: they stay on the main pool.
    for (const QString &q : {u"+15550007001"_s, firstMrn}) {
        const std::optional<RawResponse> found = RawHttpClient::roundTrip(
            lanes.port(), requestWith("GET", searchPath(q), token, {}), 15'000);
        QVERIFY2(found, "the search waited for the name search");
        QCOMPARE(found->status, 200);
        QCOMPARE(idsOf(found->json()), QSet<QString>{firstId});
    }
    // Answered while the name search still waits (not after a statement timeout ended it).
    QVERIFY(nameSearchWaits());

    lock.commit();
    const std::optional<RawResponse> byName = nameSearch.readResponse(15'000);
    QVERIFY(byName);
    QCOMPARE(byName->status, 200);
    QCOMPARE(idsOf(byName->json()), QSet<QString>{firstId});
}

// 0022: the first tier of a one- or two-word search reads patient_name_terms, which the
// trigger on patients keeps equal to the name's words and pair, per hospital; the trigram
// tier ranks the distinct names of patient_search_names and joins their active patients.
void TestPatients::nameTermsFollowTheNameAndStayInTheHospital()
{
    const RawResponse alpha =
        post(m_alpha, person(u"Ortolan Wéxley"_s, u"1957-03-14"_s, u"+15550004001"_s));
    const RawResponse beta =
        post(m_beta, person(u"Ortolan Wexley"_s, u"1957-03-14"_s, u"+15550004001"_s));
    QCOMPARE(alpha.status, 201);
    QCOMPARE(beta.status, 201);
    const QString alphaId = alpha.json().value(u"id"_s).toString();
    const QString betaId = beta.json().value(u"id"_s).toString();
    QCOMPARE(nameTerms(alphaId), u"ortolan,ortolan wexley,wexley"_s);
    QCOMPARE(nameTerms(betaId), u"ortolan,ortolan wexley,wexley"_s);
    // Each desk finds its own hospital's patient only, by two words (one pair) or one word.
    // The trigram tier (a typo) ranks patient_search_names, also per hospital.
    for (const QString &q : {u"wexley ORTOLAN"_s, u"ortolan"_s, u"Wexley"_s, u"ortolan wexle"_s}) {
        QCOMPARE(idsOf(get(m_alpha, searchPath(q)).json()), QSet<QString>{alphaId});
        QCOMPARE(idsOf(get(m_beta, searchPath(q)).json()), QSet<QString>{betaId});
    }

    // A rename replaces the terms: the old name no longer finds the patient, the new one does.
    QCOMPARE(patched(alphaId, {{u"fullName"_s, u"Quorrin Brightwater"_s}}, "\"1\""), 200);
    QCOMPARE(nameTerms(alphaId), u"brightwater,brightwater quorrin,quorrin"_s);
    QVERIFY(idsOf(get(m_alpha, searchPath(u"ortolan wexley"_s)).json()).isEmpty());
    // The old folded name stays in patient_search_names but no active patient holds it.
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patient_search_names WHERE search_name = "
                              "'ortolan wexley'"),
             2);
    QVERIFY(idsOf(get(m_alpha, searchPath(u"ortolan wexle"_s)).json()).isEmpty());
    QCOMPARE(idsOf(get(m_alpha, searchPath(u"brightwater quorrin"_s)).json()),
             QSet<QString>{alphaId});
    QCOMPARE(idsOf(get(m_beta, searchPath(u"ortolan wexley"_s)).json()), QSet<QString>{betaId});
    // A change that leaves the name alone leaves the terms alone.
    QCOMPARE(patched(alphaId, {{u"phone"_s, u"+15550004002"_s}}, "\"2\""), 200);
    QCOMPARE(nameTerms(alphaId), u"brightwater,brightwater quorrin,quorrin"_s);
    // Every active patient's folded name is in patient_search_names, with its words.
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients p WHERE p.merged_into IS NULL AND "
                              "NOT EXISTS (SELECT 1 FROM patient_search_names s WHERE "
                              "s.hospital_id = p.hospital_id AND s.search_name = p.search_name "
                              "AND s.search_words = p.search_words)"),
             0);
    // Every active patient has its terms, and no other row exists (the trigger is the writer).
    QCOMPARE(m_fixture->count(
                 "WITH expected AS (SELECT p.hospital_id, t.term, p.id FROM patients p, "
                 "unnest(p.search_words || p.search_pairs) t(term) WHERE p.merged_into IS NULL), "
                 "stored AS (SELECT hospital_id, term, patient_id FROM patient_name_terms) "
                 "SELECT count(*) FROM ((SELECT * FROM expected EXCEPT SELECT * FROM stored) "
                 "UNION ALL (SELECT * FROM stored EXCEPT SELECT * FROM expected)) d"),
             0);
}

void TestPatients::searchRejectsBadParameters_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("field");
    QTest::newRow("missing-q") << QByteArray("") << u"q"_s;
    QTest::newRow("one-character") << QByteArray("q=a") << u"q"_s;
    QTest::newRow("unknown-parameter") << QByteArray("q=ab&sort=name;drop") << u"sort"_s;
    QTest::newRow("fields-parameter") << QByteArray("q=ab&fields=password_hash") << u"fields"_s;
    QTest::newRow("limit-zero") << QByteArray("q=ab&limit=0") << u"limit"_s;
    QTest::newRow("limit-201") << QByteArray("q=ab&limit=201") << u"limit"_s;
    QTest::newRow("forged-cursor") << QByteArray("q=ab&cursor=bm9wZQ") << u"cursor"_s;
    // A name search's cursor is "rank:id:key" (0029), the key UTF-8 text, not empty, no NUL,
    // at most 5 bytes a character of the longest name.
    const auto cursor = [](const QByteArray &raw) -> QByteArray {
        return "q=ab&cursor="
            + raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    };
    const QByteArray longestKey(5 * patientlimits::FullNameMax, 'k');
    QTest::newRow("cursor-key-not-utf8") << cursor("0.5:1:\xff") << u"cursor"_s;
    QTest::newRow("cursor-key-nul") << cursor(QByteArray("0.5:1:a\0b", 9)) << u"cursor"_s;
    QTest::newRow("cursor-key-empty") << cursor("0.5:1:") << u"cursor"_s;
    QTest::newRow("cursor-key-too-long")
        << cursor(QByteArray("0.5:1:").append(longestKey).append('k')) << u"cursor"_s;
    QTest::newRow("cursor-too-long")
        << cursor(QByteArray("0.5:").append(QByteArray(30, '1')).append(':').append(longestKey))
        << u"cursor"_s;
}

void TestPatients::searchRejectsBadParameters()
{
    QFETCH(QByteArray, query);
    QFETCH(QString, field);
    const qint64 before = writeCounts();
    const RawResponse response = get(m_alpha, QByteArray(api::Patients) + '?' + query);
    QCOMPARE(response.status, 422);
    QVERIFY(problemFields(response.json()).contains(field));
    QCOMPARE(writeCounts(), before);
}

void TestPatients::patchNeedsCurrentIfMatch()
{
    const RawResponse created =
        post(m_alpha, person(u"Patch Target"_s, u"1966-06-06"_s, u"+15550003001"_s));
    QCOMPARE(created.status, 201);
    const QByteArray path =
        QByteArray(api::Patients) + '/' + created.json().value(u"id"_s).toString().toLatin1();
    const QByteArray change = R"({"phone":"+1 555 000 3002","address":{"city":"Boston"}})";
    const auto patch = [&](const QByteArray &ifMatch) {
        const QByteArray header =
            ifMatch.isNull() ? QByteArray() : QByteArray("If-Match: " + ifMatch + "\r\n");
        return RawHttpClient::roundTrip(m_fixture->port(),
                                        requestWith("PATCH", path, m_alpha, change, header), 15'000)
            .value_or(RawResponse());
    };
    QCOMPARE(patch(QByteArray()).status, 428);
    QCOMPARE(patch("\"7\"").status, 412);
    QCOMPARE(patch("W/\"1\"").status, 412);
    const RawResponse ok = patch("\"1\"");
    QCOMPARE(ok.status, 200);
    QCOMPARE(ok.header("etag"), QByteArray("\"2\""));
    QCOMPARE(ok.json().value(u"phone"_s).toString(), u"+15550003002"_s);
    QCOMPARE(ok.json().value(u"address"_s).toObject().value(u"city"_s).toString(), u"Boston"_s);
    QCOMPARE(ok.json().value(u"fullName"_s).toString(), u"Patch Target"_s);
    QCOMPARE(patch("\"1\"").status, 412);
    QCOMPARE(auditRows("patient.update", created.json().value(u"id"_s).toString()), 1);
}

void TestPatients::concurrentPatchesWithSameIfMatch()
{
    const RawResponse created =
        post(m_alpha, person(u"Race Target"_s, u"1955-05-05"_s, u"+15550004001"_s));
    QCOMPARE(created.status, 201);
    const QString id = created.json().value(u"id"_s).toString();
    const QByteArray path = QByteArray(api::Patients) + '/' + id.toLatin1();
    RawHttpClient a;
    RawHttpClient b;
    QVERIFY(a.connectTo(m_fixture->port()));
    QVERIFY(b.connectTo(m_fixture->port()));
    a.send(
        requestWith("PATCH", path, m_alpha, R"({"fullName":"Winner A"})", "If-Match: \"1\"\r\n"));
    b.send(
        requestWith("PATCH", path, m_alpha, R"({"fullName":"Winner B"})", "If-Match: \"1\"\r\n"));
    const std::optional<RawResponse> answerA = a.readResponse(15'000);
    const std::optional<RawResponse> answerB = b.readResponse(15'000);
    QVERIFY(answerA && answerB);
    QCOMPARE(QSet<int>({answerA->status, answerB->status}), QSet<int>({200, 412}));
    const RawResponse &winner = answerA->status == 200 ? *answerA : *answerB;
    const RawResponse now = get(m_alpha, path);
    QCOMPARE(now.json().value(u"version"_s).toInt(), 2);
    QCOMPARE(now.json().value(u"fullName"_s), winner.json().value(u"fullName"_s));
}

void TestPatients::idempotencyKeyConcurrentPostsMakeOnePatient()
{
    const QJsonObject body = person(u"Idem Potent"_s, u"1991-09-09"_s, u"+15550005001"_s);
    const QByteArray bytes = requestWith("POST", api::Patients, m_alpha, jsonBytes(body),
                                         "Idempotency-Key: c1-key-1\r\n");
    constexpr int Clients = 20;
    std::vector<std::unique_ptr<RawHttpClient>> clients;
    for (int i = 0; i < Clients; ++i) {
        clients.push_back(std::make_unique<RawHttpClient>());
        QVERIFY(clients.back()->connectTo(m_fixture->port()));
    }
    for (const auto &client : clients)
        client->send(bytes);
    QByteArray createdBody;
    int created = 0;
    int inFlight = 0;
    for (const auto &client : clients) {
        const std::optional<RawResponse> answer = client->readResponse(30'000);
        QVERIFY(answer);
        if (answer->status == 201) {
            ++created;
            if (createdBody.isEmpty())
                createdBody = answer->body;
            QCOMPARE(answer->body, createdBody);
        } else {
            QCOMPARE(answer->status, 409);
            QVERIFY(answer->json().value(u"candidates"_s).isUndefined());
            ++inFlight;
        }
    }
    qInfo("C1: %d x 201 (one original, the rest replays), %d x 409 in flight", created, inFlight);
    QVERIFY(created >= 1);
    QCOMPARE(created + inFlight, Clients);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients WHERE full_name = 'Idem Potent'"), 1);
    QCOMPARE(auditRows("patient.register",
                       QJsonDocument::fromJson(createdBody).object().value(u"id"_s).toString()),
             1);

    // A later retry replays the same answer byte for byte, marked as a replay.
    const std::optional<RawResponse> retry =
        RawHttpClient::roundTrip(m_fixture->port(), bytes, 15'000);
    QVERIFY(retry);
    QCOMPARE(retry->status, 201);
    QCOMPARE(retry->body, createdBody);
    QCOMPARE(retry->header("idempotent-replayed"), QByteArray("true"));
    QCOMPARE(retry->header("etag"), QByteArray("\"1\""));
    QVERIFY(!retry->header("location").isEmpty());
    // Key order and whitespace do not make it another request.
    const QByteArray reordered = R"({ "phone":"+15550005001", "sex":"F", "birthDate":"1991-09-09",
                                      "fullName":"Idem Potent" })";
    const std::optional<RawResponse> same = RawHttpClient::roundTrip(
        m_fixture->port(),
        requestWith("POST", api::Patients, m_alpha, reordered, "Idempotency-Key: c1-key-1\r\n"),
        15'000);
    QVERIFY(same);
    QCOMPARE(same->status, 201);
    QCOMPARE(same->body, createdBody);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients WHERE full_name = 'Idem Potent'"), 1);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM idempotency_keys WHERE key = 'c1-key-1' AND "
                              "created_at > now() - interval '1 hour'"),
             1);
}

void TestPatients::idempotencyKeyScopesAndValidation()
{
    const QJsonObject body = person(u"Scope Person"_s, u"1992-10-10"_s, u"+15550006001"_s);
    const QByteArray key = "Idempotency-Key: scope-key\r\n";
    const RawResponse first = post(m_alpha, body, key);
    QCOMPARE(first.status, 201);

    // Same key, another body: 422, nothing written.
    qint64 before = writeCounts();
    const RawResponse other =
        post(m_alpha, person(u"Scope Other"_s, u"1992-10-10"_s, u"+15550006002"_s), key);
    QCOMPARE(other.status, 422);
    QVERIFY(problemFields(other.json()).contains(u"Idempotency-Key"_s));
    QCOMPARE(writeCounts(), before);

    // Same key from another user of the hospital: an independent operation.
    QJsonObject doctorsBody = body;
    doctorsBody.insert(u"duplicateOverrideReason"_s, u"test: same person, other user"_s);
    const RawResponse doctors = post(m_alphaDoctor, doctorsBody, key);
    QCOMPARE(doctors.status, 201);
    QVERIFY(doctors.json().value(u"id"_s) != first.json().value(u"id"_s));
    // ... and from another hospital (T6).
    const RawResponse beta = post(m_beta, body, key);
    QCOMPARE(beta.status, 201);
    QVERIFY(beta.header("idempotent-replayed").isEmpty());

    // A request refused by validation stores nothing: the key stays usable.
    const QByteArray freshKey = "Idempotency-Key: fix-and-retry\r\n";
    QJsonObject broken = person(u"Fixed Later"_s, u"1993-11-11"_s, u"not a phone"_s);
    before = writeCounts();
    QCOMPARE(post(m_alpha, broken, freshKey).status, 422);
    QCOMPARE(writeCounts(), before);
    broken.insert(u"phone"_s, u"+15550006003"_s);
    QCOMPARE(post(m_alpha, broken, freshKey).status, 201);

    // A malformed key is refused before anything runs.
    before = writeCounts();
    QCOMPARE(post(m_alpha, person(u"Bad Key"_s, u"1993-11-11"_s, u"+15550006004"_s),
                  "Idempotency-Key: " + QByteArray(256, 'k') + "\r\n")
                 .status,
             400);
    QCOMPARE(post(m_alpha, person(u"Bad Key"_s, u"1993-11-11"_s, u"+15550006004"_s),
                  "Idempotency-Key: \xc3\xa9t\xc3\xa9\r\n")
                 .status,
             400);
    QCOMPARE(writeCounts(), before);
}

void TestPatients::badInputWritesNothing_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("field"); // expected in errors[] for 422

    const QByteArray valid =
        R"("fullName":"Bad Input","birthDate":"1980-01-01","sex":"F","phone":"+15550007001")";
    const auto around = [&valid](const char *before, const char *after) -> QByteArray {
        return QByteArray(before) + valid + after;
    };
    QTest::newRow("malformed-json") << QByteArray("{\"fullName\":") << 400 << QString();
    QTest::newRow("trailing-garbage") << around("{", "}x") << 400 << QString();
    QTest::newRow("top-level-array") << around("[{", "}]") << 400 << QString();
    QTest::newRow("duplicate-key") << around("{", R"(,"fullName":"Other"})") << 400 << QString();
    QTest::newRow("empty-body") << QByteArray() << 400 << QString();
    QTest::newRow("unknown-field") << around("{", R"(,"isAdmin":true})") << 422 << u"isAdmin"_s;
    QTest::newRow("missing-sex") << QByteArray(
        R"({"fullName":"Bad Input","birthDate":"1980-01-01","phone":"+15550007001"})")
                                 << 422 << u"sex"_s;
    QTest::newRow("name-is-number")
        << QByteArray(R"({"fullName":5,"birthDate":"1980-01-01","sex":"F","phone":"+15550007001"})")
        << 422 << u"fullName"_s;
    QTest::newRow("allergies-is-object")
        << around("{", R"(,"allergies":{"a":1}})") << 422 << u"allergies"_s;
    QTest::newRow("nul-in-name") << QByteArray(
        R"({"fullName":"Bad\u0000Input","birthDate":"1980-01-01","sex":"F","phone":"+15550007001"})")
                                 << 422 << u"fullName"_s;
    QTest::newRow("name-too-long")
        << QByteArray("{\"fullName\":\"" + QByteArray(201, 'n')
                      + R"(","birthDate":"1980-01-01","sex":"F","phone":"+15550007001"})")
        << 422 << u"fullName"_s;
    QTest::newRow("birth-date-in-future") << QByteArray(
        R"({"fullName":"Bad Input","birthDate":"2999-01-01","sex":"F","phone":"+15550007001"})")
                                          << 422 << u"birthDate"_s;
    QTest::newRow("address-unknown-member")
        << around("{", R"(,"address":{"city":"X","planet":"Mars"}})") << 422 << u"address.planet"_s;
    QTest::newRow("big-number-age") << QByteArray(
        R"({"fullName":"Bad Input","estimatedAgeYears":9007199254740993,"sex":"F","phone":"+15550007001"})")
                                    << 422 << u"estimatedAgeYears"_s;
}

void TestPatients::badInputWritesNothing()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, field);
    const qint64 before = writeCounts();
    const std::optional<RawResponse> response = RawHttpClient::roundTrip(
        m_fixture->port(),
        requestWith("POST", api::Patients, m_alpha, body, "Idempotency-Key: bad-input\r\n"),
        15'000);
    QVERIFY(response);
    QCOMPARE(response->status, status);
    QCOMPARE(response->header("content-type"),
             QByteArray("application/problem+json; charset=utf-8"));
    if (!field.isEmpty())
        QVERIFY2(problemFields(response->json()).contains(field), response->body.constData());
    QCOMPARE(writeCounts(), before);
}

void TestPatients::sqlAndHtmlLookingTextIsStoredVerbatim()
{
    const QString sql = u"Robert'); DROP TABLE patients;-- $$ \\"_s;
    const QString html = u"<script>alert(\"x\")</script> & Co"_s;
    QJsonObject body = person(sql, u"1970-01-01"_s, u"+15550008001"_s);
    body.insert(u"address"_s, QJsonObject{{u"line1"_s, html}});
    body.insert(u"allergies"_s, QJsonArray{u"' OR 1=1--"_s});
    const RawResponse created = post(m_alpha, body);
    QCOMPARE(created.status, 201);
    const RawResponse read =
        get(m_alpha,
            QByteArray(api::Patients) + '/' + created.json().value(u"id"_s).toString().toLatin1());
    QCOMPARE(read.json().value(u"fullName"_s).toString(), sql);
    QCOMPARE(read.json().value(u"address"_s).toObject().value(u"line1"_s).toString(), html);
    QCOMPARE(read.json().value(u"allergies"_s).toArray().first().toString(), u"' OR 1=1--"_s);
    QVERIFY(m_fixture->count("SELECT count(*) FROM patients") > 0);
}

QTEST_GUILESS_MAIN(TestPatients)
#include "tst_patients.moc"
