#include "wardstaff/wardstaffrepository.h"

#include "db/pgvalues.h"

#include <pqxx/result>
#include <pqxx/transaction_base>

namespace hms::server {

bool WardStaffRepository::lockWard(pqxx::transaction_base &tx, qint64 hospitalId, qint64 wardId)
{
    return !tx.exec_params("SELECT id FROM wards WHERE hospital_id = $1 AND id = $2 FOR UPDATE",
                           hospitalId, wardId)
                .empty();
}

std::vector<WardStaffMember>
WardStaffRepository::members(pqxx::transaction_base &tx, qint64 hospitalId, qint64 wardId)
{
    std::vector<WardStaffMember> members;
    for (const pqxx::row &row : tx.exec_params(
             "SELECT s.user_id, s.duty, u.username, u.display_name, u.role, "
             "u.disabled_at IS NULL FROM ward_staff s JOIN users u ON u.hospital_id = "
             "s.hospital_id AND u.id = s.user_id WHERE s.hospital_id = $1 AND s.ward_id = $2 "
             "ORDER BY s.duty, s.user_id",
             hospitalId, wardId))
        members.push_back({row[0].as<qint64>(), fieldText(row[1]), fieldText(row[2]),
                           fieldText(row[3]), fieldText(row[4]), row[5].as<bool>()});
    return members;
}

std::vector<qint64> WardStaffRepository::dutyUserIds(pqxx::transaction_base &tx,
                                                     qint64 hospitalId,
                                                     qint64 wardId,
                                                     const QString &duty)
{
    std::vector<qint64> ids;
    for (const pqxx::row &row : tx.exec_params(
             "SELECT u.id FROM ward_staff s JOIN users u ON u.hospital_id = s.hospital_id "
             "AND u.id = s.user_id WHERE s.hospital_id = $1 AND s.ward_id = $2 AND s.duty = $3 "
             "AND u.disabled_at IS NULL ORDER BY u.id",
             hospitalId, wardId, duty.toStdString()))
        ids.push_back(row[0].as<qint64>());
    return ids;
}

void WardStaffRepository::replace(pqxx::transaction_base &tx,
                                  qint64 hospitalId,
                                  qint64 wardId,
                                  const std::vector<qint64> &nurses,
                                  const std::vector<qint64> &supervisors,
                                  std::optional<qint64> createdBy)
{
    tx.exec_params0("DELETE FROM ward_staff WHERE hospital_id = $1 AND ward_id = $2", hospitalId,
                    wardId);
    // One statement per duty: the ids arrive as an array parameter.
    for (const auto &[ids, duty] : {std::pair{&nurses, "nurse"}, {&supervisors, "supervisor"}})
        tx.exec_params0("INSERT INTO ward_staff (hospital_id, ward_id, user_id, duty, created_by) "
                        "SELECT $1, $2, id, $4, $5 FROM unnest($3::bigint[]) AS id",
                        hospitalId, wardId, arrayParam(*ids), duty, createdBy);
}

} // namespace hms::server
