#include "ipd/ipdrepository.h"

#include "db/pgvalues.h"
#include "db/prepared.h"
#include "db/sql.h"

#include <pqxx/result>
#include <pqxx/transaction_base>

#include <string_view>

namespace hms::server {

namespace {

#define HMS_IPD_EFFECTIVE_STATUS                                                                   \
    "CASE WHEN b.status = 'reserved' AND b.reserved_until <= now() THEN 'free' ELSE b.status END"

// Timestamps as ISO 8601 UTC text with milliseconds and Z, like the other tables' JSON.
#define HMS_IPD_UTC(column)                                                                        \
    "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

constexpr char BedColumns[] =
    "b.id, b.hospital_id, b.ward_id, w.code AS ward_code, b.room_id, r.code AS room, b.code, "
    "array_to_string(b.features, ',') AS features, b.daily_rate, " HMS_IPD_EFFECTIVE_STATUS
    " AS status, "
    "CASE WHEN " HMS_IPD_EFFECTIVE_STATUS " = 'reserved' THEN b.reserved_for END AS reserved_for, "
    "CASE WHEN " HMS_IPD_EFFECTIVE_STATUS
    " = 'reserved' THEN " HMS_IPD_UTC("b.reserved_until") " END AS reserved_until, b.version";

constexpr char BedJoins[] = " FROM beds b JOIN wards w ON w.hospital_id = b.hospital_id AND w.id = "
                            "b.ward_id JOIN rooms r ON r.hospital_id = b.hospital_id AND r.id = "
                            "b.room_id ";

constexpr char AdmissionColumns[] =
    "a.id, a.hospital_id, a.patient_id, a.bed_id, b.ward_id, a.attending_doctor_id, a.visit_id, "
    "a.reason, a.expected_stay_days, a.status, " HMS_IPD_UTC(
        "a.admitted_at") " AS admitted_at, "
                         "a.admitted_by, " HMS_IPD_UTC(
                             "a.discharged_at") " AS discharged_at, "
                                                "a.discharge_document_id, a.version";

WardRow wardFromRow(const pqxx::row &row)
{
    return {row["id"].as<qint64>(), fieldText(row["code"]), fieldText(row["name"]),
            fieldText(row["kind"]), row["active"].as<bool>()};
}

BedRow bedFromRow(const pqxx::row &row)
{
    BedRow bed;
    bed.id = row["id"].as<qint64>();
    bed.hospitalId = row["hospital_id"].as<qint64>();
    bed.wardId = row["ward_id"].as<qint64>();
    bed.wardCode = fieldText(row["ward_code"]);
    bed.roomId = row["room_id"].as<qint64>();
    bed.room = fieldText(row["room"]);
    bed.code = fieldText(row["code"]);
    const QString features = fieldText(row["features"]);
    if (!features.isEmpty())
        bed.features = features.split(QLatin1Char(','));
    bed.dailyRate = row["daily_rate"].as<qint64>();
    bed.status = fieldText(row["status"]);
    bed.reservedFor = optionalId(row["reserved_for"]);
    bed.reservedUntil = fieldText(row["reserved_until"]);
    bed.version = row["version"].as<int>();
    return bed;
}

AdmissionRow admissionFromRow(const pqxx::row &row)
{
    AdmissionRow admission;
    admission.id = row["id"].as<qint64>();
    admission.hospitalId = row["hospital_id"].as<qint64>();
    admission.patientId = row["patient_id"].as<qint64>();
    admission.bedId = row["bed_id"].as<qint64>();
    admission.wardId = row["ward_id"].as<qint64>();
    admission.attendingDoctorId = optionalId(row["attending_doctor_id"]);
    admission.visitId = optionalId(row["visit_id"]);
    admission.reason = fieldText(row["reason"]);
    if (!row["expected_stay_days"].is_null())
        admission.expectedStayDays = row["expected_stay_days"].as<int>();
    admission.status = fieldText(row["status"]);
    admission.admittedAt = fieldText(row["admitted_at"]);
    admission.admittedBy = row["admitted_by"].as<qint64>();
    admission.dischargedAt = fieldText(row["discharged_at"]);
    admission.dischargeDocumentId = optionalId(row["discharge_document_id"]);
    admission.version = row["version"].as<int>();
    return admission;
}

/// An admission row joined with its bed (for the ward id), by id.
AdmissionRow reloadAdmission(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id)
{
    return admissionFromRow(tx.exec_params1(
        sql::Query("SELECT ") + AdmissionColumns
            + " FROM admissions a JOIN beds b ON b.hospital_id = a.hospital_id AND b.id = "
              "a.bed_id WHERE a.hospital_id = $1 AND a.id = $2",
        hospitalId, id));
}

} // namespace

static_assert(std::string_view(IpdRepository::EffectiveStatusSql) == HMS_IPD_EFFECTIVE_STATUS);

std::optional<WardRow> IpdRepository::insertWard(pqxx::transaction_base &tx,
                                                 qint64 hospitalId,
                                                 const QString &code,
                                                 const QString &name,
                                                 const QString &kind,
                                                 qint64 createdBy)
{
    const pqxx::result result = tx.exec_params(
        "INSERT INTO wards (hospital_id, code, name, kind, created_by) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (hospital_id, code) DO NOTHING RETURNING id, code, name, kind, active",
        hospitalId, code.toStdString(), name.toStdString(), kind.toStdString(), createdBy);
    if (result.empty())
        return std::nullopt;
    return wardFromRow(result[0]);
}

std::vector<WardRow> IpdRepository::wards(pqxx::transaction_base &tx, qint64 hospitalId)
{
    const pqxx::result result =
        tx.exec_params("SELECT id, code, name, kind, active FROM wards WHERE hospital_id = $1 "
                       "ORDER BY code",
                       hospitalId);
    std::vector<WardRow> rows;
    rows.reserve(result.size());
    for (const pqxx::row &row : result)
        rows.push_back(wardFromRow(row));
    return rows;
}

std::optional<WardRow>
IpdRepository::findWard(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id)
{
    const pqxx::result result = tx.exec_params(
        "SELECT id, code, name, kind, active FROM wards WHERE hospital_id = $1 AND id = $2",
        hospitalId, id);
    if (result.empty())
        return std::nullopt;
    return wardFromRow(result[0]);
}

qint64 IpdRepository::roomFor(pqxx::transaction_base &tx,
                              qint64 hospitalId,
                              qint64 wardId,
                              const QString &code)
{
    // Insert-or-find: a concurrent first bed of the same room waits on the unique index,
    // then finds the other transaction's row.
    const pqxx::result inserted =
        tx.exec_params("INSERT INTO rooms (hospital_id, ward_id, code) VALUES ($1, $2, $3) "
                       "ON CONFLICT (hospital_id, ward_id, code) DO NOTHING RETURNING id",
                       hospitalId, wardId, code.toStdString());
    if (!inserted.empty())
        return inserted[0][0].as<qint64>();
    return tx
        .exec_params1("SELECT id FROM rooms WHERE hospital_id = $1 AND ward_id = $2 AND code = $3",
                      hospitalId, wardId, code.toStdString())[0]
        .as<qint64>();
}

std::optional<BedRow> IpdRepository::insertBed(pqxx::transaction_base &tx,
                                               qint64 hospitalId,
                                               qint64 wardId,
                                               qint64 roomId,
                                               const QString &code,
                                               const QStringList &features,
                                               qint64 dailyRate,
                                               qint64 createdBy)
{
    const pqxx::result result = tx.exec_params(
        "INSERT INTO beds (hospital_id, ward_id, room_id, code, features, daily_rate, created_by, "
        "updated_by) VALUES ($1, $2, $3, $4, string_to_array($5, ','), $6, $7, $7) "
        "ON CONFLICT (hospital_id, room_id, code) DO NOTHING RETURNING id",
        hospitalId, wardId, roomId, code.toStdString(),
        features.join(QLatin1Char(',')).toStdString(), dailyRate, createdBy);
    if (result.empty())
        return std::nullopt;
    return findBed(tx, hospitalId, result[0][0].as<qint64>());
}

std::optional<BedRow>
IpdRepository::findBed(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id, bool forUpdate)
{
    // Read on every bed change (the reply and its live event): prepared, one per lock mode.
    const pqxx::result result = execPrepared(tx, forUpdate ? "hms_bed_for_update" : "hms_bed",
                                             sql::Query("SELECT ") + BedColumns + BedJoins
                                                 + "WHERE b.hospital_id = $1 AND b.id = $2"
                                                 + sql::when(forUpdate, " FOR UPDATE OF b"),
                                             hospitalId, id);
    if (result.empty())
        return std::nullopt;
    return bedFromRow(result[0]);
}

BedRow IpdRepository::setBedStatus(pqxx::transaction_base &tx,
                                   qint64 hospitalId,
                                   qint64 bedId,
                                   const QString &status,
                                   std::optional<qint64> userId,
                                   std::optional<qint64> reservedFor,
                                   int reservedMinutes)
{
    const bool reserving = status == QLatin1String("reserved");
    execPrepared(tx, "hms_bed_status",
                 "UPDATE beds SET status = $3, reserved_for = $4, "
                 "reserved_until = CASE WHEN $4::bigint IS NULL THEN NULL "
                 "ELSE now() + make_interval(mins => $5::integer) END, "
                 "reserved_by = CASE WHEN $4::bigint IS NULL THEN NULL ELSE $6::bigint END, "
                 "version = version + 1, updated_at = now(), updated_by = $6 "
                 "WHERE hospital_id = $1 AND id = $2",
                 hospitalId, bedId, status.toStdString(), reserving ? reservedFor : std::nullopt,
                 reservedMinutes, userId);
    return *findBed(tx, hospitalId, bedId);
}

AdmissionRow IpdRepository::insertAdmission(pqxx::transaction_base &tx,
                                            qint64 hospitalId,
                                            const NewAdmission &admission,
                                            qint64 admittedBy)
{
    const qint64 id =
        tx.exec_params1("INSERT INTO admissions (hospital_id, patient_id, bed_id, "
                        "attending_doctor_id, visit_id, reason, expected_stay_days, admitted_by) "
                        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                        hospitalId, admission.patientId, admission.bedId,
                        admission.attendingDoctorId, admission.visitId,
                        admission.reason.toStdString(), admission.expectedStayDays, admittedBy)[0]
            .as<qint64>();
    return reloadAdmission(tx, hospitalId, id);
}

std::optional<AdmissionRow> IpdRepository::findAdmission(pqxx::transaction_base &tx,
                                                         qint64 hospitalId,
                                                         qint64 id,
                                                         bool forUpdate)
{
    const pqxx::result result = tx.exec_params(
        sql::Query("SELECT ") + AdmissionColumns
            + " FROM admissions a JOIN beds b ON b.hospital_id = a.hospital_id AND b.id = "
              "a.bed_id WHERE a.hospital_id = $1 AND a.id = $2"
            + sql::when(forUpdate, " FOR UPDATE OF a"),
        hospitalId, id);
    if (result.empty())
        return std::nullopt;
    return admissionFromRow(result[0]);
}

std::vector<AdmissionRow> IpdRepository::admissions(pqxx::transaction_base &tx,
                                                    qint64 hospitalId,
                                                    std::optional<qint64> wardId,
                                                    const QString &status,
                                                    int limit)
{
    const pqxx::result result = tx.exec_params(
        sql::Query("SELECT ") + AdmissionColumns
            + " FROM admissions a JOIN beds b ON b.hospital_id = a.hospital_id AND b.id = "
              "a.bed_id WHERE a.hospital_id = $1 AND ($2::bigint IS NULL OR b.ward_id = $2) "
              "AND ($3::text = '' OR a.status = $3) ORDER BY a.admitted_at DESC, a.id DESC "
              "LIMIT $4",
        hospitalId, wardId, status.toStdString(), limit);
    std::vector<AdmissionRow> rows;
    rows.reserve(result.size());
    for (const pqxx::row &row : result)
        rows.push_back(admissionFromRow(row));
    return rows;
}

AdmissionRow IpdRepository::moveAdmission(pqxx::transaction_base &tx,
                                          qint64 hospitalId,
                                          const AdmissionRow &admission,
                                          qint64 toBedId,
                                          qint64 userId)
{
    tx.exec_params0("UPDATE admissions SET bed_id = $3, version = version + 1 "
                    "WHERE hospital_id = $1 AND id = $2",
                    hospitalId, admission.id, toBedId);
    tx.exec_params0("INSERT INTO bed_transfers (hospital_id, admission_id, from_bed_id, to_bed_id, "
                    "transferred_by) VALUES ($1, $2, $3, $4, $5)",
                    hospitalId, admission.id, admission.bedId, toBedId, userId);
    return reloadAdmission(tx, hospitalId, admission.id);
}

AdmissionRow IpdRepository::discharge(pqxx::transaction_base &tx,
                                      qint64 hospitalId,
                                      qint64 admissionId,
                                      qint64 documentId,
                                      qint64 userId)
{
    tx.exec_params0("UPDATE admissions SET status = 'discharged', discharged_at = now(), "
                    "discharged_by = $3, discharge_document_id = $4, version = version + 1 "
                    "WHERE hospital_id = $1 AND id = $2",
                    hospitalId, admissionId, userId, documentId);
    return reloadAdmission(tx, hospitalId, admissionId);
}

bool IpdRepository::visitOfPatient(pqxx::transaction_base &tx,
                                   qint64 hospitalId,
                                   qint64 visitId,
                                   qint64 patientId)
{
    return tx
        .exec_params1("SELECT EXISTS (SELECT 1 FROM visits WHERE hospital_id = $1 AND id = $2 "
                      "AND patient_id = $3)",
                      hospitalId, visitId, patientId)[0]
        .as<bool>();
}

CensusRow IpdRepository::census(pqxx::transaction_base &tx, qint64 hospitalId, const QString &date)
{
    // The day's bounds in the hospital's time zone, as instants.
    const pqxx::row row = tx.exec_params1(
        "WITH day AS (SELECT ($2::date)::timestamp AT TIME ZONE h.timezone AS start_at, "
        "($2::date + 1)::timestamp AT TIME ZONE h.timezone AS end_at FROM hospitals h "
        "WHERE h.id = $1) "
        "SELECT "
        "(SELECT count(*) FROM admissions a, day WHERE a.hospital_id = $1 "
        " AND a.admitted_at >= day.start_at AND a.admitted_at < day.end_at), "
        "(SELECT count(*) FROM admissions a, day WHERE a.hospital_id = $1 "
        " AND a.discharged_at >= day.start_at AND a.discharged_at < day.end_at), "
        "(SELECT count(*) FROM bed_transfers t, day WHERE t.hospital_id = $1 "
        " AND t.transferred_at >= day.start_at AND t.transferred_at < day.end_at), "
        "(SELECT count(*) FROM admissions a, day WHERE a.hospital_id = $1 "
        " AND a.admitted_at < day.end_at "
        " AND (a.discharged_at IS NULL OR a.discharged_at >= day.end_at))",
        hospitalId, date.toStdString());
    CensusRow census;
    census.date = date;
    census.admissions = row[0].as<qint64>();
    census.discharges = row[1].as<qint64>();
    census.transfers = row[2].as<qint64>();
    census.inpatientsAtEndOfDay = row[3].as<qint64>();
    return census;
}

} // namespace hms::server
