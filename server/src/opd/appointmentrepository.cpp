#include "opd/appointmentrepository.h"

#include "db/pgvalues.h"
#include "db/sql.h"

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/transaction_base>

namespace hms::server {

namespace {

// Timestamps as ISO 8601 UTC text with milliseconds and Z, like the other tables' JSON.
constexpr char AppointmentColumns[] =
    "a.id, a.hospital_id, a.department_id, a.doctor_id, a.patient_id, "
    "to_char(a.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS starts_at, "
    "to_char(a.ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS ends_at, "
    "to_char((a.starts_at AT TIME ZONE (SELECT timezone FROM hospitals WHERE id = "
    "a.hospital_id))::date, 'YYYY-MM-DD') AS local_date, "
    "a.reason, a.state, a.cancel_reason, a.visit_id, "
    "to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created_at, "
    "a.version";

constexpr char SlotColumns[] =
    "doctor_id, "
    "to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS starts_at, "
    "to_char(ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS ends_at";

std::optional<std::string> optionalText(const std::optional<QString> &value)
{
    if (!value)
        return std::nullopt;
    return value->toStdString();
}

AppointmentRow appointmentFromRow(const pqxx::row &row)
{
    AppointmentRow a;
    a.id = row["id"].as<qint64>();
    a.hospitalId = row["hospital_id"].as<qint64>();
    a.departmentId = row["department_id"].as<qint64>();
    a.doctorId = row["doctor_id"].as<qint64>();
    a.patientId = row["patient_id"].as<qint64>();
    a.startsAt = fieldText(row["starts_at"]);
    a.endsAt = fieldText(row["ends_at"]);
    a.localDate = fieldText(row["local_date"]);
    a.reason = fieldText(row["reason"]);
    a.state = fieldText(row["state"]);
    a.cancelReason = fieldText(row["cancel_reason"]);
    if (!row["visit_id"].is_null())
        a.visitId = row["visit_id"].as<qint64>();
    a.createdAt = fieldText(row["created_at"]);
    a.version = row["version"].as<int>();
    return a;
}

std::vector<AppointmentRow> appointmentsFrom(const pqxx::result &result)
{
    std::vector<AppointmentRow> rows;
    rows.reserve(result.size());
    for (const pqxx::row &row : result)
        rows.push_back(appointmentFromRow(row));
    return rows;
}

SlotRow slotFromRow(const pqxx::row &row)
{
    return {row["doctor_id"].as<qint64>(), fieldText(row["starts_at"]), fieldText(row["ends_at"])};
}

ScheduleRow scheduleFromRow(const pqxx::row &row)
{
    ScheduleRow s;
    s.id = row["id"].as<qint64>();
    s.departmentId = row["department_id"].as<qint64>();
    s.doctorId = row["doctor_id"].as<qint64>();
    s.weekday = row["weekday"].as<int>();
    s.startTime = fieldText(row["start_time"]);
    s.endTime = fieldText(row["end_time"]);
    s.slotMinutes = row["slot_minutes"].as<int>();
    return s;
}

constexpr char ScheduleColumns[] =
    "id, department_id, doctor_id, weekday, to_char(start_time, 'HH24:MI') AS start_time, "
    "to_char(end_time, 'HH24:MI') AS end_time, slot_minutes";

/// Updates go through this CTE so the RETURNING list can use the AppointmentColumns alias "a".
sql::Query returningAppointment(sql::Fragment update)
{
    return sql::Query("WITH changed AS (") + update + " RETURNING *) SELECT " + AppointmentColumns
        + " FROM changed a";
}

} // namespace

bool AppointmentRepository::isOverlap(const std::exception &error)
{
    const auto *sql = dynamic_cast<const pqxx::sql_error *>(&error);
    return sql && sql->sqlstate() == "23P01";
}

ScheduleRow AppointmentRepository::insertSchedule(pqxx::transaction_base &tx,
                                                  qint64 hospitalId,
                                                  qint64 departmentId,
                                                  qint64 doctorId,
                                                  int weekday,
                                                  const QString &startTime,
                                                  const QString &endTime,
                                                  int slotMinutes,
                                                  qint64 createdBy)
{
    return scheduleFromRow(tx.exec_params1(
        sql::Query("INSERT INTO doctor_schedules (hospital_id, department_id, doctor_id, "
                   "weekday, start_time, end_time, slot_minutes, created_by) VALUES ($1, $2, "
                   "$3, $4, $5::time, $6::time, $7, $8) RETURNING ")
            + ScheduleColumns,
        hospitalId, departmentId, doctorId, weekday, startTime.toStdString(), endTime.toStdString(),
        slotMinutes, createdBy));
}

bool AppointmentRepository::scheduleOverlaps(pqxx::transaction_base &tx,
                                             qint64 hospitalId,
                                             qint64 doctorId,
                                             int weekday,
                                             const QString &startTime,
                                             const QString &endTime)
{
    return tx
        .exec_params1("SELECT EXISTS (SELECT 1 FROM doctor_schedules WHERE hospital_id = $1 AND "
                      "doctor_id = $2 AND weekday = $3 AND start_time < $5::time AND "
                      "end_time > $4::time)",
                      hospitalId, doctorId, weekday, startTime.toStdString(),
                      endTime.toStdString())[0]
        .as<bool>();
}

std::vector<ScheduleRow>
AppointmentRepository::schedules(pqxx::transaction_base &tx, qint64 hospitalId, qint64 departmentId)
{
    const pqxx::result result =
        tx.exec_params(sql::Query("SELECT ") + ScheduleColumns
                           + " FROM doctor_schedules WHERE hospital_id = $1 AND department_id = "
                             "$2 ORDER BY doctor_id, weekday, start_time, id",
                       hospitalId, departmentId);
    std::vector<ScheduleRow> rows;
    rows.reserve(result.size());
    for (const pqxx::row &row : result)
        rows.push_back(scheduleFromRow(row));
    return rows;
}

bool AppointmentRepository::insertOffDay(pqxx::transaction_base &tx,
                                         qint64 hospitalId,
                                         qint64 doctorId,
                                         const QString &date,
                                         const std::optional<QString> &reason,
                                         qint64 createdBy)
{
    return !tx.exec_params("INSERT INTO doctor_off_days (hospital_id, doctor_id, off_date, "
                           "reason, created_by) VALUES ($1, $2, $3::date, $4, $5) "
                           "ON CONFLICT DO NOTHING RETURNING doctor_id",
                           hospitalId, doctorId, date.toStdString(), optionalText(reason),
                           createdBy)
                .empty();
}

bool AppointmentRepository::deleteOffDay(pqxx::transaction_base &tx,
                                         qint64 hospitalId,
                                         qint64 doctorId,
                                         const QString &date)
{
    return tx.exec_params("DELETE FROM doctor_off_days WHERE hospital_id = $1 AND "
                          "doctor_id = $2 AND off_date = $3::date",
                          hospitalId, doctorId, date.toStdString())
               .affected_rows()
        == 1;
}

QStringList AppointmentRepository::offDays(pqxx::transaction_base &tx,
                                           qint64 hospitalId,
                                           qint64 doctorId,
                                           const QString &fromDate)
{
    QStringList days;
    for (const pqxx::row &row :
         tx.exec_params("SELECT to_char(off_date, 'YYYY-MM-DD') FROM doctor_off_days "
                        "WHERE hospital_id = $1 AND doctor_id = $2 AND off_date >= $3::date "
                        "ORDER BY off_date",
                        hospitalId, doctorId, fromDate.toStdString()))
        days.append(fieldText(row[0]));
    return days;
}

bool AppointmentRepository::deleteSchedule(pqxx::transaction_base &tx,
                                           qint64 hospitalId,
                                           qint64 departmentId,
                                           qint64 scheduleId)
{
    return tx.exec_params("DELETE FROM doctor_schedules WHERE hospital_id = $1 AND "
                          "department_id = $2 AND id = $3",
                          hospitalId, departmentId, scheduleId)
               .affected_rows()
        == 1;
}

std::vector<SlotRow> AppointmentRepository::freeSlots(pqxx::transaction_base &tx,
                                                      qint64 hospitalId,
                                                      qint64 departmentId,
                                                      std::optional<qint64> doctorId,
                                                      const QString &date)
{
    const pqxx::result result = tx.exec_params(
        sql::Query("SELECT ") + SlotColumns
            + " FROM hms_doctor_slots($1, $2, $3, $4::date) s WHERE s.starts_at > now() AND "
              "NOT EXISTS (SELECT 1 FROM appointments a WHERE a.hospital_id = $1 AND "
              "a.doctor_id = s.doctor_id AND a.state IN ('booked', 'checked_in') AND "
              "tstzrange(a.starts_at, a.ends_at) && tstzrange(s.starts_at, s.ends_at)) "
              "ORDER BY s.starts_at, s.doctor_id",
        hospitalId, departmentId, doctorId, date.toStdString());
    std::vector<SlotRow> rows;
    rows.reserve(result.size());
    for (const pqxx::row &row : result)
        rows.push_back(slotFromRow(row));
    return rows;
}

std::optional<SlotRow> AppointmentRepository::slotAt(pqxx::transaction_base &tx,
                                                     qint64 hospitalId,
                                                     qint64 departmentId,
                                                     qint64 doctorId,
                                                     const QString &startsAt)
{
    const pqxx::result result = tx.exec_params(
        sql::Query("WITH t AS (SELECT $4::timestamptz AS at, (SELECT timezone FROM hospitals "
                   "WHERE id = $1) AS tz) SELECT ")
            + SlotColumns
            + " FROM t, hms_doctor_slots($1, $2, $3, (t.at AT TIME ZONE t.tz)::date) s "
              "WHERE s.starts_at = t.at",
        hospitalId, departmentId, doctorId, startsAt.toStdString());
    if (result.empty())
        return std::nullopt;
    return slotFromRow(result[0]);
}

bool AppointmentRepository::isFuture(pqxx::transaction_base &tx, const QString &startsAt)
{
    return tx.exec_params1("SELECT $1::timestamptz > now()", startsAt.toStdString())[0].as<bool>();
}

AppointmentRow AppointmentRepository::insertAppointment(pqxx::transaction_base &tx,
                                                        qint64 hospitalId,
                                                        qint64 departmentId,
                                                        qint64 doctorId,
                                                        qint64 patientId,
                                                        const SlotRow &slot,
                                                        const std::optional<QString> &reason,
                                                        qint64 createdBy)
{
    return appointmentFromRow(tx.exec_params1(
        returningAppointment(
            "INSERT INTO appointments (hospital_id, department_id, doctor_id, patient_id, "
            "starts_at, ends_at, reason, created_by, updated_by) VALUES ($1, $2, $3, $4, "
            "$5::timestamptz, $6::timestamptz, $7, $8, $8)"),
        hospitalId, departmentId, doctorId, patientId, slot.startsAt.toStdString(),
        slot.endsAt.toStdString(), optionalText(reason), createdBy));
}

std::optional<AppointmentRow> AppointmentRepository::findAppointment(pqxx::transaction_base &tx,
                                                                     qint64 hospitalId,
                                                                     qint64 id,
                                                                     bool forUpdate)
{
    const pqxx::result result =
        tx.exec_params(sql::Query("SELECT ") + AppointmentColumns
                           + " FROM appointments a WHERE a.hospital_id = $1 AND a.id = $2"
                           + sql::when(forUpdate, " FOR UPDATE"),
                       hospitalId, id);
    if (result.empty())
        return std::nullopt;
    return appointmentFromRow(result[0]);
}

std::vector<AppointmentRow> AppointmentRepository::forDoctorDay(pqxx::transaction_base &tx,
                                                                qint64 hospitalId,
                                                                qint64 doctorId,
                                                                const QString &date)
{
    return appointmentsFrom(tx.exec_params(
        sql::Query("WITH tz AS (SELECT timezone FROM hospitals WHERE id = $1) SELECT ")
            + AppointmentColumns
            + " FROM appointments a, tz WHERE a.hospital_id = $1 AND a.doctor_id = $2 AND "
              "a.starts_at >= ($3::date::timestamp AT TIME ZONE tz.timezone) AND a.starts_at < "
              "(($3::date + 1)::timestamp AT TIME ZONE tz.timezone) ORDER BY a.starts_at, a.id",
        hospitalId, doctorId, date.toStdString()));
}

std::vector<AppointmentRow> AppointmentRepository::forPatient(pqxx::transaction_base &tx,
                                                              qint64 hospitalId,
                                                              qint64 patientId,
                                                              int limit)
{
    return appointmentsFrom(
        tx.exec_params(sql::Query("SELECT ") + AppointmentColumns
                           + " FROM appointments a WHERE a.hospital_id = $1 AND a.patient_id = $2 "
                             "ORDER BY a.starts_at DESC, a.id DESC LIMIT $3",
                       hospitalId, patientId, limit));
}

std::optional<AppointmentRow> AppointmentRepository::cancel(pqxx::transaction_base &tx,
                                                            qint64 hospitalId,
                                                            qint64 id,
                                                            int expectedVersion,
                                                            const QString &reason,
                                                            qint64 userId)
{
    const pqxx::result result = tx.exec_params(
        returningAppointment("UPDATE appointments SET state = 'cancelled', cancel_reason = $4, "
                             "updated_at = now(), updated_by = $5, version = version + 1 "
                             "WHERE hospital_id = $1 AND id = $2 AND version = $3 AND "
                             "state = 'booked'"),
        hospitalId, id, expectedVersion, reason.toStdString(), userId);
    if (result.empty())
        return std::nullopt;
    return appointmentFromRow(result[0]);
}

std::optional<AppointmentRow> AppointmentRepository::moveTo(pqxx::transaction_base &tx,
                                                            qint64 hospitalId,
                                                            qint64 id,
                                                            int expectedVersion,
                                                            const SlotRow &slot,
                                                            qint64 userId)
{
    const pqxx::result result = tx.exec_params(
        returningAppointment("UPDATE appointments SET starts_at = $4::timestamptz, ends_at = "
                             "$5::timestamptz, updated_at = now(), updated_by = $6, "
                             "version = version + 1 WHERE hospital_id = $1 AND id = $2 AND "
                             "version = $3 AND state = 'booked'"),
        hospitalId, id, expectedVersion, slot.startsAt.toStdString(), slot.endsAt.toStdString(),
        userId);
    if (result.empty())
        return std::nullopt;
    return appointmentFromRow(result[0]);
}

AppointmentRow AppointmentRepository::markCheckedIn(pqxx::transaction_base &tx,
                                                    qint64 hospitalId,
                                                    qint64 id,
                                                    qint64 visitId,
                                                    qint64 userId)
{
    return appointmentFromRow(tx.exec_params1(
        returningAppointment("UPDATE appointments SET state = 'checked_in', visit_id = $3, "
                             "updated_at = now(), updated_by = $4, version = version + 1 "
                             "WHERE hospital_id = $1 AND id = $2 AND state = 'booked'"),
        hospitalId, id, visitId, userId));
}

std::optional<qint64> AppointmentRepository::appointmentOfVisit(pqxx::transaction_base &tx,
                                                                qint64 hospitalId,
                                                                qint64 visitId)
{
    const pqxx::result result =
        tx.exec_params("SELECT id FROM appointments WHERE hospital_id = $1 AND visit_id = $2",
                       hospitalId, visitId);
    if (result.empty())
        return std::nullopt;
    return result[0][0].as<qint64>();
}

} // namespace hms::server
