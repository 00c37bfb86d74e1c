#include "wardstaff/wardstaffservice.h"

#include "audit/auditlog.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "ipd/ipdrepository.h"
#include "ipd/ipdservice.h"
#include "live/eventlog.h"
#include "users/userrepository.h"

#include <QHash>
#include <QJsonArray>

#include <pqxx/result>
#include <pqxx/transaction>

namespace hms::server {

namespace {

QJsonArray idArray(const std::vector<qint64> &ids)
{
    QJsonArray array;
    for (const qint64 id : ids)
        array.append(idText(id));
    return array;
}

} // namespace

std::vector<WardStaffMember>
WardStaffService::staff(DbSession &db, const Principal &actor, qint64 wardId)
{
    pqxx::read_transaction tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (!IpdRepository::findWard(tx, actor.hospitalId, wardId))
        throw DomainError(problems::NotFound, QStringLiteral("No such ward"));
    return WardStaffRepository::members(tx, actor.hospitalId, wardId);
}

std::vector<WardStaffMember> WardStaffService::replace(DbSession &db,
                                                       const Principal &actor,
                                                       const ClientInfo &client,
                                                       qint64 wardId,
                                                       const std::vector<qint64> &nurses,
                                                       const std::vector<qint64> &supervisors)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    // The ward row lock serializes two concurrent replacements of one ward's list.
    if (!WardStaffRepository::lockWard(tx, actor.hospitalId, wardId))
        throw DomainError(problems::NotFound, QStringLiteral("No such ward"));

    std::vector<qint64> named = nurses;
    named.insert(named.end(), supervisors.begin(), supervisors.end());
    const QHash<qint64, QString> roles = UserRepository::enabledRoles(tx, named);
    Problem problem =
        Problem::fromType(problems::ValidationFailed, QStringLiteral("Invalid ward staff"));
    for (size_t i = 0; i < nurses.size(); ++i)
        if (roles.value(nurses[i]) != QLatin1String("nurse"))
            problem.errors.append({QStringLiteral("nurses[%1]").arg(i),
                                   QStringLiteral("is not an enabled nurse of this hospital")});
    for (size_t i = 0; i < supervisors.size(); ++i) {
        const QString role = roles.value(supervisors[i]);
        if (role != QLatin1String("nurse") && role != QLatin1String("doctor"))
            problem.errors.append(
                {QStringLiteral("supervisors[%1]").arg(i),
                 QStringLiteral("is not an enabled nurse or doctor of this hospital")});
    }
    if (!problem.errors.isEmpty())
        throw DomainError(problem);

    WardStaffRepository::replace(tx, actor.hospitalId, wardId, nurses, supervisors, actor.userId);

    EventLog::append(tx, actor.hospitalId, IpdService::topicOf(wardId),
                     QStringLiteral("ward.staff_changed"), {{key("wardId"), idText(wardId)}});
    AuditEntry audit = AuditEntry::forActor(actor, client, QStringLiteral("admin"),
                                            QStringLiteral("ward.staff.set"),
                                            QStringLiteral("ward"), idText(wardId));
    audit.details = {{key("nurses"), idArray(nurses)}, {key("supervisors"), idArray(supervisors)}};
    AuditLog::append(tx, audit);
    std::vector<WardStaffMember> members =
        WardStaffRepository::members(tx, actor.hospitalId, wardId);
    tx.commit();
    return members;
}

QJsonObject WardStaffService::toJson(qint64 wardId, const std::vector<WardStaffMember> &staff)
{
    QJsonArray nurses;
    QJsonArray supervisors;
    for (const WardStaffMember &member : staff) {
        const QJsonObject item{{key("userId"), idText(member.userId)},
                               {key("username"), member.username},
                               {key("displayName"), member.displayName},
                               {key("role"), member.role},
                               {key("enabled"), member.enabled}};
        (member.duty == QLatin1String("nurse") ? nurses : supervisors).append(item);
    }
    return {{key("wardId"), idText(wardId)},
            {key("nurses"), nurses},
            {key("supervisors"), supervisors}};
}

} // namespace hms::server
