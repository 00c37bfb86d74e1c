#include "medications/medicationrepository.h"

#include "db/pgvalues.h"
#include "db/sql.h"
#include "shared/clinical/medicationrules.h"

#include <QJsonDocument>

#include <pqxx/result>
#include <pqxx/transaction_base>

namespace hms::server {

namespace {

// Timestamps as ISO 8601 UTC text with milliseconds and Z, like the other tables' JSON.
#define HMS_MED_UTC(column)                                                                        \
    "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

// The scheduled slot times of prescription rx (joined with its hospital h) between the
// instants FROM and TO: every local time of its frequency (SCHEDULE: medication::scheduleJson())
// on every local day around the window, in the hospital's time zone, as one SELECT of
// "due_at". Callers keep the slots in [FROM, TO] and in the prescription's period.
#define HMS_MED_SLOT_TIMES(SCHEDULE, FROM, TO)                                                     \
    "SELECT DISTINCT (d.slot_day::date + t.slot_time::time) AT TIME ZONE h.timezone AS due_at "    \
    "FROM jsonb_array_elements_text(" SCHEDULE "::jsonb -> rx.frequency) AS t(slot_time), "        \
    "generate_series(((" FROM "::timestamptz AT TIME ZONE h.timezone)::date - 1)::timestamp, "     \
    "((" TO "::timestamptz AT TIME ZONE h.timezone)::date + 1)::timestamp, interval '1 day') "     \
    "AS d(slot_day)"

#define HMS_MED_SLOTS(SCHEDULE, FROM, TO)                                                          \
    "CROSS JOIN LATERAL (" HMS_MED_SLOT_TIMES(SCHEDULE, FROM, TO) ") s "

#define HMS_MED_IN_PERIOD "s.due_at >= rx.start_at AND (rx.end_at IS NULL OR s.due_at < rx.end_at)"

// The record of a slot that no later row corrects.
#define HMS_MED_UNCORRECTED(alias)                                                                 \
    "NOT EXISTS (SELECT 1 FROM medication_administrations c WHERE c.hospital_id = " alias          \
    ".hospital_id AND c.corrects_id = " alias ".id)"

constexpr char PrescriptionColumns[] =
    "rx.id, rx.patient_id, rx.admission_id, rx.drug, rx.dose, rx.route, "
    "rx.frequency, " HMS_MED_UTC("rx.start_at") " AS start_at, " HMS_MED_UTC(
        "rx.end_at") " AS end_at, rx.instructions, "
                     "rx.status, " HMS_MED_UTC(
                         "rx.prescribed_at") " AS "
                                             "prescribed_at, rx.prescribed_by, " HMS_MED_UTC(
                                                 "rx.stopped_at") " AS stopped_at, "
                                                                  "rx.stopped_by, "
                                                                  "rx.stop_reason, rx.version";

constexpr char AdministrationColumns[] = "m.id, m.prescription_id, " HMS_MED_UTC(
    "m.due_at") " AS due_at, m.outcome, m.dose, m.reason, "
                "" HMS_MED_UTC(
                    "m.administered_at") " AS administered_at, m.nurse_id, m.corrects_id";

std::optional<std::string> optionalText(const QString &value)
{
    if (value.isEmpty())
        return std::nullopt;
    return value.toStdString();
}

std::string scheduleParameter()
{
    static const std::string schedule =
        QJsonDocument(medication::scheduleJson()).toJson(QJsonDocument::Compact).toStdString();
    return schedule;
}

PrescriptionRow prescriptionFromRow(const pqxx::row &row)
{
    PrescriptionRow p;
    p.id = row["id"].as<qint64>();
    p.patientId = row["patient_id"].as<qint64>();
    p.admissionId = optionalId(row["admission_id"]);
    p.drug = fieldText(row["drug"]);
    p.dose = fieldText(row["dose"]);
    p.route = fieldText(row["route"]);
    p.frequency = fieldText(row["frequency"]);
    p.startAt = fieldText(row["start_at"]);
    p.endAt = fieldText(row["end_at"]);
    p.instructions = fieldText(row["instructions"]);
    p.status = fieldText(row["status"]);
    p.prescribedAt = fieldText(row["prescribed_at"]);
    p.prescribedBy = row["prescribed_by"].as<qint64>();
    p.stoppedAt = fieldText(row["stopped_at"]);
    p.stoppedBy = optionalId(row["stopped_by"]);
    p.stopReason = fieldText(row["stop_reason"]);
    p.version = row["version"].as<int>();
    return p;
}

/// \a prefix: "" for AdministrationColumns, "m_" for the due list's columns.
AdministrationRow administrationFromRow(const pqxx::row &row, const std::string &prefix = {})
{
    AdministrationRow a;
    a.id = row[prefix + "id"].as<qint64>();
    a.prescriptionId = row[prefix + "prescription_id"].as<qint64>();
    a.dueAt = fieldText(row[prefix + "due_at"]);
    a.outcome = fieldText(row[prefix + "outcome"]);
    a.dose = fieldText(row[prefix + "dose"]);
    a.reason = fieldText(row[prefix + "reason"]);
    a.administeredAt = fieldText(row[prefix + "administered_at"]);
    a.nurseId = row[prefix + "nurse_id"].as<qint64>();
    a.correctsId = optionalId(row[prefix + "corrects_id"]);
    return a;
}

} // namespace

PrescriptionRow MedicationRepository::insertPrescription(pqxx::transaction_base &tx,
                                                         qint64 hospitalId,
                                                         const NewPrescription &p,
                                                         qint64 prescribedBy)
{
    const qint64 id =
        tx.exec_params1(
              "INSERT INTO prescriptions (hospital_id, patient_id, admission_id, drug, dose, "
              "route, frequency, start_at, end_at, instructions, prescribed_by) "
              "SELECT $1, $2, $3, $4, $5, $6, $7, s.start_at, "
              "COALESCE($9::timestamptz, s.start_at + make_interval(days => $10::integer)), $11, "
              "$12 FROM (SELECT COALESCE($8::timestamptz, now()) AS start_at) s RETURNING id",
              hospitalId, p.patientId, p.admissionId, p.drug.toStdString(), p.dose.toStdString(),
              p.route.toStdString(), p.frequency.toStdString(), optionalText(p.startAt),
              optionalText(p.endAt), p.durationDays, optionalText(p.instructions), prescribedBy)[0]
            .as<qint64>();
    return *findPrescription(tx, hospitalId, id, false);
}

std::optional<PrescriptionRow> MedicationRepository::findPrescription(pqxx::transaction_base &tx,
                                                                      qint64 hospitalId,
                                                                      qint64 id,
                                                                      bool forUpdate)
{
    const pqxx::result result = forUpdate
        ? tx.exec_params(sql::Query("SELECT ") + PrescriptionColumns
                             + " FROM prescriptions rx WHERE rx.hospital_id = $1 AND "
                               "rx.id = $2 FOR UPDATE",
                         hospitalId, id)
        : tx.exec_params(sql::Query("SELECT ") + PrescriptionColumns
                             + " FROM prescriptions rx WHERE rx.hospital_id = $1 AND "
                               "rx.id = $2",
                         hospitalId, id);
    if (result.empty())
        return std::nullopt;
    return prescriptionFromRow(result[0]);
}

std::vector<PrescriptionRow>
MedicationRepository::prescriptionsOfAdmission(pqxx::transaction_base &tx,
                                               qint64 hospitalId,
                                               qint64 admissionId)
{
    std::vector<PrescriptionRow> rows;
    for (const pqxx::row &row :
         tx.exec_params(sql::Query("SELECT ") + PrescriptionColumns
                            + " FROM prescriptions rx WHERE rx.hospital_id = $1 AND "
                              "rx.admission_id = $2 ORDER BY rx.prescribed_at DESC, rx.id DESC",
                        hospitalId, admissionId))
        rows.push_back(prescriptionFromRow(row));
    return rows;
}

PrescriptionRow MedicationRepository::endPrescription(pqxx::transaction_base &tx,
                                                      qint64 hospitalId,
                                                      qint64 id,
                                                      const QString &status,
                                                      qint64 userId,
                                                      const QString &reason)
{
    tx.exec_params0("UPDATE prescriptions SET status = $3, stopped_at = now(), stopped_by = $4, "
                    "stop_reason = $5, version = version + 1 "
                    "WHERE hospital_id = $1 AND id = $2 AND status = 'active'",
                    hospitalId, id, status.toStdString(), userId, reason.toStdString());
    return *findPrescription(tx, hospitalId, id, false);
}

std::vector<qint64> MedicationRepository::completeForAdmission(pqxx::transaction_base &tx,
                                                               qint64 hospitalId,
                                                               qint64 admissionId,
                                                               qint64 userId,
                                                               const QString &reason)
{
    std::vector<qint64> ids;
    for (const pqxx::row &row : tx.exec_params(
             "UPDATE prescriptions SET status = 'completed', stopped_at = now(), stopped_by = $3, "
             "stop_reason = $4, version = version + 1 "
             "WHERE hospital_id = $1 AND admission_id = $2 AND status = 'active' RETURNING id",
             hospitalId, admissionId, userId, reason.toStdString()))
        ids.push_back(row[0].as<qint64>());
    return ids;
}

bool MedicationRepository::isSlot(pqxx::transaction_base &tx,
                                  qint64 hospitalId,
                                  qint64 prescriptionId,
                                  const QString &dueAt)
{
    return tx
        .exec_params1(
            "SELECT EXISTS (SELECT 1 FROM prescriptions rx "
            "JOIN hospitals h ON h.id = rx.hospital_id " HMS_MED_SLOTS(
                "$4", "$3",
                "$3") "WHERE rx.hospital_id = $1 AND rx.id = $2 AND s.due_at = $3::timestamptz "
                      "AND " HMS_MED_IN_PERIOD ")",
            hospitalId, prescriptionId, dueAt.toStdString(), scheduleParameter())[0]
        .as<bool>();
}

bool MedicationRepository::isAfterNowPlus(pqxx::transaction_base &tx,
                                          const QString &dueAt,
                                          int minutes)
{
    return tx
        .exec_params1("SELECT $1::timestamptz > now() + make_interval(mins => $2)",
                      dueAt.toStdString(), minutes)[0]
        .as<bool>();
}

bool MedicationRepository::isStart(pqxx::transaction_base &tx,
                                   qint64 hospitalId,
                                   qint64 prescriptionId,
                                   const QString &dueAt)
{
    return tx
        .exec_params1("SELECT EXISTS (SELECT 1 FROM prescriptions WHERE hospital_id = $1 AND "
                      "id = $2 AND date_trunc('milliseconds', start_at) = "
                      "date_trunc('milliseconds', $3::timestamptz))",
                      hospitalId, prescriptionId, dueAt.toStdString())[0]
        .as<bool>();
}

bool MedicationRepository::isInPeriodNow(pqxx::transaction_base &tx,
                                         qint64 hospitalId,
                                         qint64 prescriptionId,
                                         int earlyMinutes)
{
    return tx
        .exec_params1("SELECT EXISTS (SELECT 1 FROM prescriptions WHERE hospital_id = $1 AND "
                      "id = $2 AND start_at <= now() + make_interval(mins => $3) AND "
                      "(end_at IS NULL OR now() < end_at))",
                      hospitalId, prescriptionId, earlyMinutes)[0]
        .as<bool>();
}

std::optional<AdministrationRow> MedicationRepository::currentRecord(pqxx::transaction_base &tx,
                                                                     qint64 hospitalId,
                                                                     qint64 prescriptionId,
                                                                     const QString &dueAt)
{
    const pqxx::result result = tx.exec_params(
        sql::Query("SELECT ") + AdministrationColumns
            + " FROM medication_administrations m WHERE m.hospital_id = $1 AND "
              "m.prescription_id = $2 AND m.due_at IS NOT DISTINCT FROM $3::timestamptz AND "
              "" HMS_MED_UNCORRECTED("m") " ORDER BY m.id DESC LIMIT 1",
        hospitalId, prescriptionId, optionalText(dueAt));
    if (result.empty())
        return std::nullopt;
    return administrationFromRow(result[0]);
}

std::optional<AdministrationRow>
MedicationRepository::findAdministration(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id)
{
    const pqxx::result result =
        tx.exec_params(sql::Query("SELECT ") + AdministrationColumns
                           + " FROM medication_administrations m WHERE m.hospital_id = $1 AND "
                             "m.id = $2",
                       hospitalId, id);
    if (result.empty())
        return std::nullopt;
    return administrationFromRow(result[0]);
}

bool MedicationRepository::isCorrected(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id)
{
    return tx
        .exec_params1("SELECT EXISTS (SELECT 1 FROM medication_administrations WHERE "
                      "hospital_id = $1 AND corrects_id = $2)",
                      hospitalId, id)[0]
        .as<bool>();
}

AdministrationRow MedicationRepository::insertAdministration(pqxx::transaction_base &tx,
                                                             qint64 hospitalId,
                                                             const NewAdministration &a,
                                                             qint64 nurseId)
{
    std::optional<std::string> adHoc;
    if (a.adHocSlot == AdHocSlot::PrescriptionStart)
        adHoc = "start";
    else if (a.adHocSlot == AdHocSlot::Now)
        adHoc = "now";
    // The slot comes from the rows themselves (exact to the microsecond), never from text.
    const qint64 id =
        tx.exec_params1("INSERT INTO medication_administrations (hospital_id, prescription_id, "
                        "due_at, outcome, dose, reason, nurse_id, corrects_id) "
                        "SELECT rx.hospital_id, rx.id, CASE WHEN $8::bigint IS NOT NULL THEN "
                        "c.due_at WHEN $9::text = 'start' THEN rx.start_at "
                        "WHEN $9::text = 'now' THEN now() ELSE $3::timestamptz END, "
                        "$4, $5, $6, $7, $8 FROM prescriptions rx "
                        "LEFT JOIN medication_administrations c ON c.hospital_id = rx.hospital_id "
                        "AND c.id = $8::bigint AND c.prescription_id = rx.id "
                        "WHERE rx.hospital_id = $1 AND rx.id = $2 RETURNING id",
                        hospitalId, a.prescriptionId, optionalText(a.dueAt),
                        a.outcome.toStdString(), optionalText(a.dose), optionalText(a.reason),
                        nurseId, a.correctsId, adHoc)[0]
            .as<qint64>();
    return *findAdministration(tx, hospitalId, id);
}

namespace {

// The WardPrescription columns (wardPrescriptionFromRow).
#define HMS_MED_WARD_COLUMNS                                                                       \
    "a.id AS admission_id, b.id AS bed_id, r.code AS room, b.code AS bed, p.id AS patient_id, "    \
    "p.mrn, p.full_name, rx.id AS prescription_id, rx.drug, rx.dose, rx.route, rx.frequency, "

// The stay, bed, room and patient (a, b, r, p) of prescription rx.
#define HMS_MED_STAY_OF_RX                                                                         \
    "JOIN admissions a ON a.hospital_id = rx.hospital_id AND a.id = rx.admission_id "              \
    "JOIN beds b ON b.hospital_id = a.hospital_id AND b.id = a.bed_id "                            \
    "JOIN rooms r ON r.hospital_id = b.hospital_id AND r.id = b.room_id "                          \
    "JOIN patients p ON p.hospital_id = a.hospital_id AND p.id = a.patient_id "

WardPrescription wardPrescriptionFromRow(const pqxx::row &row)
{
    WardPrescription order;
    order.admissionId = row["admission_id"].as<qint64>();
    order.bedId = row["bed_id"].as<qint64>();
    order.room = fieldText(row["room"]);
    order.bed = fieldText(row["bed"]);
    order.patientId = row["patient_id"].as<qint64>();
    order.mrn = fieldText(row["mrn"]);
    order.fullName = fieldText(row["full_name"]);
    order.prescriptionId = row["prescription_id"].as<qint64>();
    order.drug = fieldText(row["drug"]);
    order.dose = fieldText(row["dose"]);
    order.route = fieldText(row["route"]);
    order.frequency = fieldText(row["frequency"]);
    return order;
}

// The ward's active admissions with bed, room and patient (a, b, r, p), as the due list and
// the as-needed list select them; $1 hospital, $2 ward.
#define HMS_MED_WARD_STAYS                                                                         \
    "FROM admissions a "                                                                           \
    "JOIN beds b ON b.hospital_id = a.hospital_id AND b.id = a.bed_id "                            \
    "JOIN rooms r ON r.hospital_id = b.hospital_id AND r.id = b.room_id "                          \
    "JOIN patients p ON p.hospital_id = a.hospital_id AND p.id = a.patient_id "                    \
    "JOIN prescriptions rx ON rx.hospital_id = a.hospital_id AND rx.admission_id = a.id "          \
    "AND rx.status = 'active' "                                                                    \
    "JOIN hospitals h ON h.id = a.hospital_id "

#define HMS_MED_WARD_STAYS_WHERE "a.hospital_id = $1 AND b.ward_id = $2 AND a.status = 'active' "

// The SQL below is written out by hand: clang-format would break it at every macro.
// clang-format off

// $3 from, $4 to, $5 schedule, $6 overdue minutes. A STAT prescription's one slot is its start:
// listed while it has no current record, however long ago (overdue), once it is due by $4.
constexpr char DueOnWardSql[] =
    "SELECT " HMS_MED_WARD_COLUMNS HMS_MED_UTC("s.due_at") " AS due_at, "
    "(m.id IS NULL AND s.due_at < now() - make_interval(mins => $6)) AS overdue, "
    "m.id AS m_id, m.prescription_id AS m_prescription_id, "
    HMS_MED_UTC("m.due_at") " AS m_due_at, m.outcome AS m_outcome, m.dose AS m_dose, "
    "m.reason AS m_reason, " HMS_MED_UTC("m.administered_at") " AS m_administered_at, "
    "m.nurse_id AS m_nurse_id, m.corrects_id AS m_corrects_id "
    HMS_MED_WARD_STAYS
    "CROSS JOIN LATERAL (" HMS_MED_SLOT_TIMES("$5", "$3", "$4") " "
    "UNION ALL SELECT rx.start_at WHERE rx.frequency = 'STAT') s "
    "LEFT JOIN LATERAL (SELECT * FROM medication_administrations m0 "
    "WHERE m0.hospital_id = rx.hospital_id AND m0.prescription_id = rx.id "
    "AND m0.due_at = s.due_at AND " HMS_MED_UNCORRECTED("m0") " "
    "ORDER BY m0.id DESC LIMIT 1) m ON true "
    "WHERE " HMS_MED_WARD_STAYS_WHERE "AND " HMS_MED_IN_PERIOD " "
    "AND CASE WHEN rx.frequency = 'STAT' THEN m.id IS NULL AND s.due_at <= $4::timestamptz "
    "ELSE s.due_at BETWEEN $3::timestamptz AND $4::timestamptz END "
    "ORDER BY s.due_at, r.code, b.code, rx.id";

// $3 from, $4 to. The slot of a PRN dose is when it was given (legacy rows without one: when
// it was recorded); only current (uncorrected) "given" records count.
constexpr char AsNeededOnWardSql[] =
    "SELECT " HMS_MED_WARD_COLUMNS "rx.instructions, "
    HMS_MED_UTC("rx.start_at") " AS start_at, " HMS_MED_UTC("rx.end_at") " AS end_at, "
    HMS_MED_UTC("g.last_given_at") " AS last_given_at, g.given_last_24h "
    HMS_MED_WARD_STAYS
    "CROSS JOIN LATERAL (SELECT max(COALESCE(m.due_at, m.administered_at)) AS last_given_at, "
    "count(*) FILTER (WHERE COALESCE(m.due_at, m.administered_at) > now() - interval '24 hours') "
    "AS given_last_24h FROM medication_administrations m WHERE m.hospital_id = rx.hospital_id "
    "AND m.prescription_id = rx.id AND m.outcome = 'given' AND " HMS_MED_UNCORRECTED("m") ") g "
    "WHERE " HMS_MED_WARD_STAYS_WHERE "AND rx.frequency = 'PRN' "
    "AND rx.start_at <= $4::timestamptz AND (rx.end_at IS NULL OR rx.end_at > $3::timestamptz) "
    "ORDER BY r.code, b.code, rx.id";

// $3 from, $4 to: every record written then (medication_administrations_time_idx, 0019).
constexpr char AdministrationsOnWardSql[] =
    "SELECT " HMS_MED_WARD_COLUMNS
    "m.id AS m_id, m.prescription_id AS m_prescription_id, "
    HMS_MED_UTC("m.due_at") " AS m_due_at, m.outcome AS m_outcome, m.dose AS m_dose, "
    "m.reason AS m_reason, " HMS_MED_UTC("m.administered_at") " AS m_administered_at, "
    "m.nurse_id AS m_nurse_id, m.corrects_id AS m_corrects_id, "
    "(SELECT c.id FROM medication_administrations c "
    "WHERE c.hospital_id = m.hospital_id AND c.corrects_id = m.id) AS corrected_by "
    "FROM medication_administrations m "
    "JOIN prescriptions rx ON rx.hospital_id = m.hospital_id AND rx.id = m.prescription_id "
    HMS_MED_STAY_OF_RX
    "WHERE m.hospital_id = $1 AND b.ward_id = $2 "
    "AND m.administered_at BETWEEN $3::timestamptz AND $4::timestamptz "
    "ORDER BY m.administered_at, m.id";

// clang-format on

} // namespace

std::vector<DueDose> MedicationRepository::dueOnWard(pqxx::transaction_base &tx,
                                                     qint64 hospitalId,
                                                     qint64 wardId,
                                                     const QString &from,
                                                     const QString &to)
{
    const pqxx::result result =
        tx.exec_params(DueOnWardSql, hospitalId, wardId, from.toStdString(), to.toStdString(),
                       scheduleParameter(), OverdueAfterMinutes);
    std::vector<DueDose> doses;
    doses.reserve(result.size());
    for (const pqxx::row &row : result) {
        DueDose dose;
        dose.order = wardPrescriptionFromRow(row);
        dose.dueAt = fieldText(row["due_at"]);
        dose.overdue = row["overdue"].as<bool>();
        if (!row["m_id"].is_null())
            dose.administration = administrationFromRow(row, "m_");
        doses.push_back(std::move(dose));
    }
    return doses;
}

std::vector<AsNeededOrder> MedicationRepository::asNeededOnWard(pqxx::transaction_base &tx,
                                                                qint64 hospitalId,
                                                                qint64 wardId,
                                                                const QString &from,
                                                                const QString &to)
{
    std::vector<AsNeededOrder> orders;
    for (const pqxx::row &row : tx.exec_params(AsNeededOnWardSql, hospitalId, wardId,
                                               from.toStdString(), to.toStdString())) {
        AsNeededOrder order;
        order.order = wardPrescriptionFromRow(row);
        order.instructions = fieldText(row["instructions"]);
        order.startAt = fieldText(row["start_at"]);
        order.endAt = fieldText(row["end_at"]);
        order.lastGivenAt = fieldText(row["last_given_at"]);
        order.givenLast24h = row["given_last_24h"].as<int>();
        orders.push_back(std::move(order));
    }
    return orders;
}

std::vector<WardAdministration>
MedicationRepository::administrationsOnWard(pqxx::transaction_base &tx,
                                            qint64 hospitalId,
                                            qint64 wardId,
                                            const QString &from,
                                            const QString &to)
{
    std::vector<WardAdministration> records;
    for (const pqxx::row &row : tx.exec_params(AdministrationsOnWardSql, hospitalId, wardId,
                                               from.toStdString(), to.toStdString())) {
        WardAdministration record;
        record.order = wardPrescriptionFromRow(row);
        record.record = administrationFromRow(row, "m_");
        record.correctedById = optionalId(row["corrected_by"]);
        records.push_back(std::move(record));
    }
    return records;
}

} // namespace hms::server
