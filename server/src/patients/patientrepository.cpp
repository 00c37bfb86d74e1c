#include "patients/patientrepository.h"

#include "db/pgvalues.h"
#include "db/prepared.h"
#include "db/sql.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <pqxx/result>
#include <pqxx/transaction_base>

namespace hms::server {

namespace {

constexpr char Columns[] =
    "id, hospital_id, mrn, full_name, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, "
    "birth_date_estimated, sex, phone, address::text AS address, "
    "emergency_contact::text AS emergency_contact, national_id, allergies::text AS allergies, "
    "version, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS "
    "created_at, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS "
    "updated_at";

QJsonObject jsonObject(const pqxx::field &field)
{
    if (field.is_null())
        return {};
    return QJsonDocument::fromJson(QByteArray(field.c_str())).object();
}

PatientRow fromRow(const pqxx::row &row)
{
    PatientRow patient;
    patient.id = row["id"].as<qint64>();
    patient.hospitalId = row["hospital_id"].as<qint64>();
    patient.mrn = fieldText(row["mrn"]);
    patient.fullName = fieldText(row["full_name"]);
    patient.birthDate = QDate::fromString(fieldText(row["birth_date"]), Qt::ISODate);
    patient.birthDateEstimated = row["birth_date_estimated"].as<bool>();
    patient.sex = fieldText(row["sex"]);
    patient.phone = fieldText(row["phone"]);
    patient.address = jsonObject(row["address"]);
    patient.emergencyContact = jsonObject(row["emergency_contact"]);
    patient.nationalId = fieldText(row["national_id"]);
    const QJsonArray allergies =
        QJsonDocument::fromJson(QByteArray(row["allergies"].c_str())).array();
    for (const QJsonValue &allergy : allergies)
        patient.allergies.append(allergy.toString());
    patient.version = row["version"].as<int>();
    patient.createdAt = fieldText(row["created_at"]);
    patient.updatedAt = fieldText(row["updated_at"]);
    return patient;
}

std::optional<std::string> optionalJson(const QJsonObject &object)
{
    if (object.isEmpty())
        return std::nullopt;
    return QJsonDocument(object).toJson(QJsonDocument::Compact).toStdString();
}

std::string jsonArray(const QStringList &items)
{
    return QJsonDocument(QJsonArray::fromStringList(items))
        .toJson(QJsonDocument::Compact)
        .toStdString();
}

std::optional<std::string> optionalText(const QString &value)
{
    if (value.isEmpty())
        return std::nullopt;
    return value.toStdString();
}

std::optional<std::string> optionalDate(const QDate &date)
{
    if (!date.isValid())
        return std::nullopt;
    return date.toString(Qt::ISODate).toStdString();
}

std::vector<PatientHit> hits(const pqxx::result &result, bool keyed = false)
{
    std::vector<PatientHit> found;
    found.reserve(result.size());
    for (const pqxx::row &row : result)
        found.push_back({fromRow(row), row["rank"].as<std::string>(),
                         keyed && !row["key"].is_null()
                             ? std::optional<std::string>(row["key"].as<std::string>())
                             : std::nullopt});
    return found;
}

// The keyset condition shared by the searches, on a subquery that exposes `rank`.
constexpr char AfterCursor[] =
    " WHERE ($2::real IS NULL OR rank < $2::real OR (rank = $2::real AND id > $3::bigint)) "
    "ORDER BY rank DESC, id LIMIT $4";

// Name and phone-suffix search run in SECURITY DEFINER functions that can use their indexes
// under row-level security (0012_patient_search.sql); they return (hit_id, hit_rank) in keyset
// order (the name search also its hit_key, 0029), joined back to patients here under this
// transaction's own tenant policy. The order is the function's (for names of equal rank it is
// alphabetical, 0027), kept by its ordinality.
constexpr char SearchHitJoin[] = ", s.hit_rank AS rank FROM patients JOIN ";
constexpr char SearchHitOrder[] = " WITH ORDINALITY s ON s.hit_id = patients.id "
                                  "WHERE patients.hospital_id = $1 ORDER BY s.ordinality";

std::optional<std::string> cursorRank(const std::optional<SearchCursor> &after)
{
    return after ? std::optional<std::string>(after->rank) : std::nullopt;
}

qint64 cursorId(const std::optional<SearchCursor> &after)
{
    return after ? after->id : 0;
}

} // namespace

PatientRepository::MrnParts PatientRepository::nextMrnParts(pqxx::transaction_base &tx,
                                                            qint64 hospitalId)
{
    const pqxx::row row = execPrepared(
        tx, "hms_patient_mrn",
        "SELECT code, timezone, nextval('patient_mrn_numbers') FROM hospitals WHERE id = $1",
        hospitalId)[0];
    return {fieldText(row[0]), fieldText(row[1]), row[2].as<qint64>()};
}

PatientRow PatientRepository::insert(pqxx::transaction_base &tx,
                                     qint64 hospitalId,
                                     const QString &mrn,
                                     const PatientInput &input,
                                     qint64 createdBy)
{
    // A registration's statements are prepared once per connection (db/prepared.h): parsing
    // and planning were a fifth of PostgreSQL's time per registration.
    return fromRow(execPrepared(
        tx, "hms_patient_insert",
        sql::Query(
            "INSERT INTO patients (hospital_id, mrn, full_name, birth_date, "
            "birth_date_estimated, sex, phone, address, emergency_contact, national_id, "
            "allergies, duplicate_override_reason, created_by, updated_by) VALUES ($1, $2, "
            "$3, $4::date, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11::jsonb, $12, $13, $13) "
            "RETURNING ")
            + Columns,
        hospitalId, mrn.toStdString(), input.fullName.toStdString(),
        input.birthDate.toString(Qt::ISODate).toStdString(), input.birthDateEstimated,
        input.sex.toStdString(), input.phone.toStdString(), optionalJson(input.address),
        optionalJson(input.emergencyContact), optionalText(input.nationalId),
        jsonArray(input.allergies), optionalText(input.duplicateOverrideReason), createdBy)[0]);
}

std::optional<PatientRow> PatientRepository::findById(pqxx::transaction_base &tx,
                                                      qint64 hospitalId,
                                                      qint64 id,
                                                      bool forUpdate)
{
    const pqxx::result result = tx.exec_params(
        sql::Query("SELECT ") + Columns
            + " FROM patients WHERE hospital_id = $1 AND id = $2 AND merged_into IS NULL"
            + sql::when(forUpdate, " FOR UPDATE"),
        hospitalId, id);
    if (result.empty())
        return std::nullopt;
    return fromRow(result[0]);
}

std::optional<qint64>
PatientRepository::survivorOf(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id)
{
    const pqxx::result result =
        tx.exec_params("SELECT merged_into FROM patients WHERE hospital_id = $1 AND id = $2 AND "
                       "merged_into IS NOT NULL",
                       hospitalId, id);
    if (result.empty())
        return std::nullopt;
    return result[0][0].as<qint64>();
}

std::optional<QStringList>
PatientRepository::missingDemographics(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id)
{
    const pqxx::result result =
        tx.exec_params("SELECT phone IS NULL OR phone = '', "
                       "address IS NULL OR address = '{}'::jsonb, "
                       "emergency_contact IS NULL OR emergency_contact = '{}'::jsonb "
                       "FROM patients WHERE hospital_id = $1 AND id = $2",
                       hospitalId, id);
    if (result.empty())
        return std::nullopt;
    QStringList missing;
    if (result[0][0].as<bool>())
        missing.append(QStringLiteral("phone"));
    if (result[0][1].as<bool>())
        missing.append(QStringLiteral("address"));
    if (result[0][2].as<bool>())
        missing.append(QStringLiteral("emergencyContact"));
    return missing;
}

std::vector<DuplicateCandidate> PatientRepository::findDuplicates(pqxx::transaction_base &tx,
                                                                  qint64 hospitalId,
                                                                  const PatientInput &input,
                                                                  int limit)
{
    // Same birth date, then same phone or a similar name: $1..$4. The folded name is an
    // InitPlan, computed once, not once per patient born that day.
    static const sql::Query SameBirthDate(
        "SELECT id, mrn, full_name, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, phone, "
        "coalesce(national_id = $5, false) AS same_national_id FROM patients "
        "WHERE hospital_id = $1 AND merged_into IS NULL AND birth_date = $2::date "
        "  AND (phone = $3 OR similarity(search_name, (SELECT hms_fold($4))) >= 0.6) ");
    // One statement with and one without a national id, each with one plan for every
    // registration. As one OR with "national_id = $5", a registration without one ($5 null)
    // was planned anew every time (~300 µs, half of the check's PostgreSQL time); as a UNION,
    // its plan for the null became a parallel sequential scan of the patients (~12 ms).
    static const sql::Query WithoutNationalId = SameBirthDate + "ORDER BY id LIMIT $6";
    static const sql::Query WithNationalId = SameBirthDate
        + "UNION SELECT id, mrn, full_name, to_char(birth_date, 'YYYY-MM-DD'), phone, true "
          "FROM patients WHERE hospital_id = $1 AND merged_into IS NULL AND national_id = $5 "
          "ORDER BY id LIMIT $6";
    const bool byNationalId = !input.nationalId.isEmpty();
    const pqxx::result result = execPrepared(
        tx, byNationalId ? "hms_patient_duplicates_national_id" : "hms_patient_duplicates",
        byNationalId ? WithNationalId : WithoutNationalId, hospitalId,
        input.birthDate.toString(Qt::ISODate).toStdString(), input.phone.toStdString(),
        input.fullName.toStdString(), optionalText(input.nationalId), limit);
    std::vector<DuplicateCandidate> candidates;
    for (const pqxx::row &row : result) {
        DuplicateCandidate candidate;
        candidate.id = row["id"].as<qint64>();
        candidate.mrn = fieldText(row["mrn"]);
        candidate.fullName = fieldText(row["full_name"]);
        candidate.birthDate = QDate::fromString(fieldText(row["birth_date"]), Qt::ISODate);
        candidate.phone = fieldText(row["phone"]);
        candidate.sameNationalId = row["same_national_id"].as<bool>();
        candidates.push_back(candidate);
    }
    return candidates;
}

bool PatientRepository::nationalIdTaken(pqxx::transaction_base &tx,
                                        qint64 hospitalId,
                                        const QString &nationalId,
                                        qint64 exceptId)
{
    return !tx.exec_params("SELECT 1 FROM patients WHERE hospital_id = $1 AND national_id = $2 "
                           "AND id <> $3",
                           hospitalId, nationalId.toStdString(), exceptId)
                .empty();
}

bool PatientRepository::update(pqxx::transaction_base &tx,
                               qint64 hospitalId,
                               qint64 id,
                               int expectedVersion,
                               const PatientInput &input,
                               qint64 updatedBy)
{
    namespace K = patientkeys;
    // Fixed SQL: each column keeps its value unless its "set" flag is true.
    const pqxx::result result = tx.exec_params(
        "UPDATE patients SET "
        "full_name = CASE WHEN $4 THEN $5 ELSE full_name END, "
        "birth_date = CASE WHEN $6 THEN $7::date ELSE birth_date END, "
        "birth_date_estimated = CASE WHEN $6 THEN $8 ELSE birth_date_estimated END, "
        "sex = CASE WHEN $9 THEN $10 ELSE sex END, "
        "phone = CASE WHEN $11 THEN $12 ELSE phone END, "
        "address = CASE WHEN $13 THEN $14::jsonb ELSE address END, "
        "emergency_contact = CASE WHEN $15 THEN $16::jsonb ELSE emergency_contact END, "
        "national_id = CASE WHEN $17 THEN $18 ELSE national_id END, "
        "allergies = CASE WHEN $19 THEN $20::jsonb ELSE allergies END, "
        "version = version + 1, updated_at = now(), updated_by = $21 "
        "WHERE hospital_id = $1 AND id = $2 AND version = $3 AND merged_into IS NULL",
        hospitalId, id, expectedVersion, input.has(K::FullName), input.fullName.toStdString(),
        input.has(K::BirthDate), optionalDate(input.birthDate), input.birthDateEstimated,
        input.has(K::Sex), input.sex.toStdString(), input.has(K::Phone), input.phone.toStdString(),
        input.has(K::Address), optionalJson(input.address), input.has(K::EmergencyContact),
        optionalJson(input.emergencyContact), input.has(K::NationalId),
        optionalText(input.nationalId), input.has(K::Allergies), jsonArray(input.allergies),
        updatedBy);
    return result.affected_rows() == 1;
}

std::vector<PatientHit> PatientRepository::searchByMrn(pqxx::transaction_base &tx,
                                                       qint64 hospitalId,
                                                       const QString &mrn,
                                                       const std::optional<SearchCursor> &after,
                                                       int limit)
{
    // The desks' searches: prepared once per connection (a plan per call cost more than the
    // index lookups it planned).
    return hits(execPrepared(tx, "hms_patient_search_mrn",
                             sql::Query("SELECT * FROM (SELECT ") + Columns
                                 + ", 1::real AS rank FROM patients WHERE hospital_id = $1 "
                                   "AND merged_into IS NULL AND (mrn = $5 OR id = (SELECT "
                                   "g.merged_into FROM patients g WHERE g.hospital_id = $1 "
                                   "AND g.mrn = $5))) m"
                                 + AfterCursor,
                             hospitalId, cursorRank(after), cursorId(after), limit,
                             mrn.toStdString()));
}

std::vector<PatientHit> PatientRepository::searchByPhone(pqxx::transaction_base &tx,
                                                         qint64 hospitalId,
                                                         const QString &phone,
                                                         const std::optional<SearchCursor> &after,
                                                         int limit)
{
    // Exact numbers first, then numbers that end with what was typed (local vs +country).
    QString digits = phone;
    if (digits.startsWith(QLatin1Char('+')))
        digits.remove(0, 1);
    return hits(execPrepared(tx, "hms_patient_search_phone",
                             sql::Query("SELECT ") + Columns + SearchHitJoin
                                 + "patient_search_phone($5, $6, $2::real, $3, $4)"
                                 + SearchHitOrder,
                             hospitalId, cursorRank(after), cursorId(after), limit,
                             phone.toStdString(), digits.toStdString()));
}

std::vector<PatientHit> PatientRepository::searchByName(pqxx::transaction_base &tx,
                                                        qint64 hospitalId,
                                                        const QString &text,
                                                        const std::optional<SearchCursor> &after,
                                                        int limit)
{
    // Every word, then the last word as the start of a word (0028), then substring matches
    // and word-trigram matches (<%, pg_trgm.word_similarity_threshold, 0.6 by default) of the
    // folded text, ranked by word similarity (0012_patient_search.sql).
    return hits(execPrepared(tx, "hms_patient_search_name",
                             sql::Query("SELECT ") + Columns + ", s.hit_key AS key" + SearchHitJoin
                                 + "patient_search_name($5, $2::real, $3, $4, $6)" + SearchHitOrder,
                             hospitalId, cursorRank(after), cursorId(after), limit,
                             text.toStdString(), after ? after->key : std::nullopt),
                true);
}

} // namespace hms::server
