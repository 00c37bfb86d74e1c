#pragma once

#include "audit/auditlog.h"
#include "auth/principal.h"
#include "wardstaff/wardstaffrepository.h"

#include <QJsonObject>
#include <QString>

#include <pqxx/types>

#include <optional>
#include <vector>

namespace hms::server {

class DbSession;
struct ClientInfo;

/// Who works on a ward: its nurses (told about admissions and beds to clean by the
/// admitPatient and dischargePatient workflows) and its supervisors (the escalation when a
/// bed is not cleaned in time). A nurse duty needs a nurse; a supervisor duty a nurse or a
/// doctor (the ward sister or the consultant in charge): admins run the system but are not
/// on a ward, and other roles are refused. Disabled users are refused too. 422 names each
/// refused entry (nurses[i], supervisors[i]); a user of another hospital is refused exactly
/// like an unknown id.
class WardStaffService
{
public:
    static constexpr int MaxPerDuty = 200;

    /// 404 for an unknown or another hospital's ward.
    static std::vector<WardStaffMember> staff(DbSession &db, const Principal &actor, qint64 wardId);

    /// Replaces the ward's whole list in one transaction (audited, live event
    /// "ward.staff_changed" on topic "beds:<ward id>" with ids only).
    static std::vector<WardStaffMember> replace(DbSession &db,
                                                const Principal &actor,
                                                const ClientInfo &client,
                                                qint64 wardId,
                                                const std::vector<qint64> &nurses,
                                                const std::vector<qint64> &supervisors);

    /// What staff() and replace() do, in the caller's transaction (already bound to
    /// \a hospitalId), for callers without a request (hms-admin): \a audit is the entry to
    /// append (its details are filled in here), \a createdBy the user recorded on the rows.
    static std::vector<WardStaffMember>
    staffIn(pqxx::transaction_base &tx, qint64 hospitalId, qint64 wardId);
    static std::vector<WardStaffMember> replaceIn(pqxx::transaction_base &tx,
                                                  qint64 hospitalId,
                                                  qint64 wardId,
                                                  const std::vector<qint64> &nurses,
                                                  const std::vector<qint64> &supervisors,
                                                  std::optional<qint64> createdBy,
                                                  AuditEntry audit);

    static QJsonObject toJson(qint64 wardId, const std::vector<WardStaffMember> &staff);
};

} // namespace hms::server
