#include "opd/opdrepository.h"

#include "db/pgvalues.h"
#include "db/sql.h"

#include <pqxx/result>
#include <pqxx/transaction_base>

#include <algorithm>

namespace hms::server {

namespace {

// Timestamps as ISO 8601 UTC text with milliseconds and Z, like the other tables' JSON.
constexpr char VisitColumns[] =
    "id, hospital_id, department_id, patient_id, to_char(visit_date, 'YYYY-MM-DD') AS visit_date, "
    "token, state, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS created_at, "
    "to_char(called_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS called_at, "
    "called_by, "
    "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS started_at, "
    "to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS "
    "completed_at, version, (SELECT ap.id FROM appointments ap WHERE ap.hospital_id = "
    "visits.hospital_id AND ap.visit_id = visits.id) AS appointment_id";

VisitRow visitFromRow(const pqxx::row &row)
{
    VisitRow visit;
    visit.id = row["id"].as<qint64>();
    visit.hospitalId = row["hospital_id"].as<qint64>();
    visit.departmentId = row["department_id"].as<qint64>();
    visit.patientId = row["patient_id"].as<qint64>();
    visit.visitDate = fieldText(row["visit_date"]);
    visit.token = row["token"].as<int>();
    visit.state = fieldText(row["state"]);
    visit.createdAt = fieldText(row["created_at"]);
    visit.calledAt = fieldText(row["called_at"]);
    if (!row["called_by"].is_null())
        visit.calledBy = row["called_by"].as<qint64>();
    visit.startedAt = fieldText(row["started_at"]);
    visit.completedAt = fieldText(row["completed_at"]);
    if (!row["appointment_id"].is_null())
        visit.appointmentId = row["appointment_id"].as<qint64>();
    visit.version = row["version"].as<int>();
    return visit;
}

DepartmentRow departmentFromRow(const pqxx::row &row)
{
    return {row["id"].as<qint64>(), fieldText(row["code"]), fieldText(row["name"]),
            row["active"].as<bool>(), row["version"].as<int>()};
}

} // namespace

std::optional<DepartmentRow> OpdRepository::insertDepartment(pqxx::transaction_base &tx,
                                                             qint64 hospitalId,
                                                             const QString &code,
                                                             const QString &name,
                                                             qint64 createdBy)
{
    const pqxx::result result = tx.exec_params(
        "INSERT INTO departments (hospital_id, code, name, created_by) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (hospital_id, code) DO NOTHING RETURNING id, code, name, active, version",
        hospitalId, code.toStdString(), name.toStdString(), createdBy);
    if (result.empty())
        return std::nullopt;
    return departmentFromRow(result[0]);
}

std::vector<DepartmentRow> OpdRepository::departments(pqxx::transaction_base &tx, qint64 hospitalId)
{
    const pqxx::result result = tx.exec_params(
        "SELECT id, code, name, active, version FROM departments WHERE hospital_id = $1 "
        "ORDER BY code",
        hospitalId);
    std::vector<DepartmentRow> rows;
    rows.reserve(result.size());
    for (const pqxx::row &row : result)
        rows.push_back(departmentFromRow(row));
    return rows;
}

std::optional<DepartmentRow>
OpdRepository::findDepartment(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id)
{
    const pqxx::result result = tx.exec_params(
        "SELECT id, code, name, active, version FROM departments WHERE hospital_id = $1 "
        "AND id = $2",
        hospitalId, id);
    if (result.empty())
        return std::nullopt;
    return departmentFromRow(result[0]);
}

std::optional<DepartmentRow> OpdRepository::updateDepartment(pqxx::transaction_base &tx,
                                                             qint64 hospitalId,
                                                             qint64 id,
                                                             int expectedVersion,
                                                             const QString &name,
                                                             bool active,
                                                             qint64 updatedBy)
{
    const pqxx::result result = tx.exec_params(
        "UPDATE departments SET name = $4, active = $5, version = version + 1, "
        "updated_at = now(), updated_by = $6 WHERE hospital_id = $1 AND id = $2 AND version = $3 "
        "RETURNING id, code, name, active, version",
        hospitalId, id, expectedVersion, name.toStdString(), active, updatedBy);
    if (result.empty())
        return std::nullopt;
    return departmentFromRow(result[0]);
}

bool OpdRepository::removeDoctor(pqxx::transaction_base &tx,
                                 qint64 hospitalId,
                                 qint64 departmentId,
                                 qint64 userId)
{
    return tx.exec_params("DELETE FROM department_doctors WHERE hospital_id = $1 AND "
                          "department_id = $2 AND user_id = $3",
                          hospitalId, departmentId, userId)
               .affected_rows()
        == 1;
}

std::vector<OpdRepository::DoctorRow>
OpdRepository::departmentDoctors(pqxx::transaction_base &tx, qint64 hospitalId, qint64 departmentId)
{
    std::vector<DoctorRow> doctors;
    for (const pqxx::row &row : tx.exec_params(
             "SELECT u.id, u.display_name, u.disabled_at IS NULL FROM department_doctors d "
             "JOIN users u ON u.hospital_id = d.hospital_id AND u.id = d.user_id "
             "WHERE d.hospital_id = $1 AND d.department_id = $2 AND u.role = 'doctor' "
             "ORDER BY u.display_name, u.id",
             hospitalId, departmentId))
        doctors.push_back({row[0].as<qint64>(), fieldText(row[1]), row[2].as<bool>()});
    return doctors;
}

bool OpdRepository::isDoctor(pqxx::transaction_base &tx, qint64 hospitalId, qint64 userId)
{
    return tx
        .exec_params1("SELECT EXISTS (SELECT 1 FROM users WHERE hospital_id = $1 AND id = $2 "
                      "AND role = 'doctor' AND disabled_at IS NULL)",
                      hospitalId, userId)[0]
        .as<bool>();
}

bool OpdRepository::addDoctor(pqxx::transaction_base &tx,
                              qint64 hospitalId,
                              qint64 departmentId,
                              qint64 userId)
{
    return !tx.exec_params("INSERT INTO department_doctors (hospital_id, department_id, user_id) "
                           "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING user_id",
                           hospitalId, departmentId, userId)
                .empty();
}

bool OpdRepository::isAssigned(pqxx::transaction_base &tx,
                               qint64 hospitalId,
                               qint64 departmentId,
                               qint64 userId)
{
    return tx
        .exec_params1("SELECT EXISTS (SELECT 1 FROM department_doctors WHERE hospital_id = $1 "
                      "AND department_id = $2 AND user_id = $3)",
                      hospitalId, departmentId, userId)[0]
        .as<bool>();
}

QString OpdRepository::today(pqxx::transaction_base &tx, qint64 hospitalId)
{
    const pqxx::result result = tx.exec_params(
        "SELECT to_char((now() AT TIME ZONE timezone)::date, 'YYYY-MM-DD') FROM hospitals "
        "WHERE id = $1",
        hospitalId);
    if (result.empty())
        return QString::fromStdString(
            tx.exec1("SELECT to_char((now() AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD')")[0]
                .as<std::string>());
    return fieldText(result[0][0]);
}

bool OpdRepository::patientExists(pqxx::transaction_base &tx, qint64 hospitalId, qint64 patientId)
{
    return tx
        .exec_params1("SELECT EXISTS (SELECT 1 FROM patients WHERE hospital_id = $1 AND id = $2 "
                      "AND merged_into IS NULL)",
                      hospitalId, patientId)[0]
        .as<bool>();
}

bool OpdRepository::hasOpenVisit(pqxx::transaction_base &tx,
                                 qint64 hospitalId,
                                 qint64 departmentId,
                                 qint64 patientId)
{
    return tx
        .exec_params1("SELECT EXISTS (SELECT 1 FROM visits WHERE hospital_id = $1 AND "
                      "department_id = $2 AND patient_id = $3 AND state IN ('waiting', 'called', "
                      "'in_consultation'))",
                      hospitalId, departmentId, patientId)[0]
        .as<bool>();
}

int OpdRepository::nextToken(pqxx::transaction_base &tx,
                             qint64 hospitalId,
                             qint64 departmentId,
                             const QString &visitDate)
{
    return tx
        .exec_params1("INSERT INTO visit_token_counters AS c (hospital_id, department_id, "
                      "visit_date, next) VALUES ($1, $2, $3::date, 2) ON CONFLICT (hospital_id, "
                      "department_id, visit_date) DO UPDATE SET next = c.next + 1 "
                      "RETURNING next - 1",
                      hospitalId, departmentId, visitDate.toStdString())[0]
        .as<int>();
}

VisitRow OpdRepository::insertVisit(pqxx::transaction_base &tx,
                                    qint64 hospitalId,
                                    qint64 departmentId,
                                    qint64 patientId,
                                    const QString &visitDate,
                                    int token,
                                    qint64 createdBy)
{
    return visitFromRow(tx.exec_params1(
        sql::Query("INSERT INTO visits (hospital_id, department_id, patient_id, visit_date, token, "
                   "created_by, updated_by) VALUES ($1, $2, $3, $4::date, $5, $6, $6) RETURNING ")
            + VisitColumns,
        hospitalId, departmentId, patientId, visitDate.toStdString(), token, createdBy));
}

std::optional<VisitRow>
OpdRepository::findVisit(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id, bool forUpdate)
{
    const pqxx::result result = tx.exec_params(
        sql::Query("SELECT ") + VisitColumns + " FROM visits WHERE hospital_id = $1 AND id = $2"
            + sql::when(forUpdate, " FOR UPDATE"),
        hospitalId, id);
    if (result.empty())
        return std::nullopt;
    return visitFromRow(result[0]);
}

std::optional<VisitRow> OpdRepository::callNext(pqxx::transaction_base &tx,
                                                qint64 hospitalId,
                                                qint64 departmentId,
                                                const QString &visitDate,
                                                qint64 doctorId)
{
    const pqxx::result result = tx.exec_params(
        sql::Query(
            "WITH next AS (SELECT id AS next_id FROM visits WHERE hospital_id = $1 AND "
            "department_id = $2 AND visit_date = $3::date AND state = 'waiting' ORDER BY token "
            "LIMIT 1 FOR UPDATE SKIP LOCKED) "
            "UPDATE visits SET state = 'called', called_at = now(), called_by = $4, "
            "updated_at = now(), updated_by = $4, version = version + 1 FROM next "
            "WHERE hospital_id = $1 AND id = next.next_id RETURNING ")
            + VisitColumns,
        hospitalId, departmentId, visitDate.toStdString(), doctorId);
    if (result.empty())
        return std::nullopt;
    return visitFromRow(result[0]);
}

std::optional<VisitRow> OpdRepository::setState(pqxx::transaction_base &tx,
                                                qint64 hospitalId,
                                                qint64 id,
                                                int expectedVersion,
                                                const QString &state,
                                                qint64 userId)
{
    const pqxx::result result = tx.exec_params(
        sql::Query(
            "UPDATE visits SET state = $4::text, version = version + 1, updated_at = now(), "
            "updated_by = $5, "
            "started_at = CASE WHEN $4::text = 'in_consultation' THEN now() ELSE started_at END, "
            "completed_at = CASE WHEN $4::text IN ('completed', 'no_show', 'cancelled') "
            "THEN now() ELSE completed_at END, "
            "called_at = CASE WHEN $4::text = 'waiting' THEN NULL ELSE called_at END, "
            "called_by = CASE WHEN $4::text = 'waiting' THEN NULL ELSE called_by END "
            "WHERE hospital_id = $1 AND id = $2 AND version = $3 RETURNING ")
            + VisitColumns,
        hospitalId, id, expectedVersion, state.toStdString(), userId);
    if (result.empty())
        return std::nullopt;
    return visitFromRow(result[0]);
}

std::vector<QueueItem> OpdRepository::queue(pqxx::transaction_base &tx,
                                            qint64 hospitalId,
                                            qint64 departmentId,
                                            const QString &visitDate)
{
    const pqxx::result result = tx.exec_params(
        "SELECT v.id, v.token, v.state, v.patient_id, p.mrn, p.full_name, "
        "floor(extract(epoch FROM coalesce(v.called_at, v.completed_at, now()) - v.created_at) "
        "/ 60)::integer AS waiting_minutes "
        "FROM visits v JOIN patients p ON p.hospital_id = v.hospital_id AND p.id = v.patient_id "
        "WHERE v.hospital_id = $1 AND v.department_id = $2 AND v.visit_date = $3::date "
        "ORDER BY v.token",
        hospitalId, departmentId, visitDate.toStdString());
    std::vector<QueueItem> items;
    items.reserve(result.size());
    for (const pqxx::row &row : result) {
        QueueItem item;
        item.visitId = row["id"].as<qint64>();
        item.token = row["token"].as<int>();
        item.state = fieldText(row["state"]);
        item.patientId = row["patient_id"].as<qint64>();
        item.mrn = fieldText(row["mrn"]);
        item.fullName = fieldText(row["full_name"]);
        item.waitingMinutes = std::max(0, row["waiting_minutes"].as<int>());
        items.push_back(item);
    }
    return items;
}

} // namespace hms::server
