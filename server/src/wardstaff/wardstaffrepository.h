#pragma once

#include <QString>

#include <pqxx/types>

#include <optional>
#include <vector>

namespace hms::server {

/// One user's duty on a ward (table ward_staff, migration 0016).
struct WardStaffMember
{
    qint64 userId = 0;
    QString duty; ///< nurse | supervisor
    QString username;
    QString displayName;
    QString role;
    bool enabled = true;
};

/// SQL for ward_staff. Every call runs in the caller's transaction, bound to the hospital.
class WardStaffRepository
{
public:
    /// Locks the ward row (two replacements of one ward's list queue); false when there is
    /// no such ward in this hospital.
    static bool lockWard(pqxx::transaction_base &tx, qint64 hospitalId, qint64 wardId);
    /// Everyone on the ward, by duty then user id.
    static std::vector<WardStaffMember>
    members(pqxx::transaction_base &tx, qint64 hospitalId, qint64 wardId);
    /// Ids of the enabled users on the ward with \a duty (nurse | supervisor), ascending.
    static std::vector<qint64>
    dutyUserIds(pqxx::transaction_base &tx, qint64 hospitalId, qint64 wardId, const QString &duty);
    /// Replaces the ward's whole list.
    static void replace(pqxx::transaction_base &tx,
                        qint64 hospitalId,
                        qint64 wardId,
                        const std::vector<qint64> &nurses,
                        const std::vector<qint64> &supervisors,
                        std::optional<qint64> createdBy);
};

} // namespace hms::server
