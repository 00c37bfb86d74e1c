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
    return staffIn(tx, actor.hospitalId, wardId);
}

std::vector<WardStaffMember>
WardStaffService::staffIn(pqxx::transaction_base &tx, qint64 hospitalId, qint64 wardId)
{
    if (!IpdRepository::findWard(tx, hospitalId, wardId))
        throw DomainError(problems::NotFound, QStringLiteral("No such ward"));
    return WardStaffRepository::members(tx, hospitalId, wardId);
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
    std::vector<WardStaffMember> members =
        replaceIn(tx, actor.hospitalId, wardId, nurses, supervisors, actor.userId,
                  AuditEntry::forActor(actor, client, QStringLiteral("admin"),
                                       QStringLiteral("ward.staff.set"), QStringLiteral("ward"),
                                       idText(wardId)));
    tx.commit();
    return members;
}

std::vector<WardStaffMember> WardStaffService::replaceIn(pqxx::transaction_base &tx,
                                                         qint64 hospitalId,
                                                         qint64 wardId,
                                                         const std::vector<qint64> &nurses,
                                                         const std::vector<qint64> &supervisors,
                                                         std::optional<qint64> createdBy,
                                                         AuditEntry audit)
{
    // The ward row lock serializes two concurrent replacements of one ward's list.
    if (!WardStaffRepository::lockWard(tx, hospitalId, wardId))
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

    WardStaffRepository::replace(tx, hospitalId, wardId, nurses, supervisors, createdBy);

    EventLog::append(tx, hospitalId, IpdService::topicOf(wardId),
                     QStringLiteral("ward.staff_changed"), {{key("wardId"), idText(wardId)}});
    audit.hospitalId = hospitalId;
    audit.details = {{key("nurses"), idArray(nurses)}, {key("supervisors"), idArray(supervisors)}};
    AuditLog::append(tx, audit);
    return WardStaffRepository::members(tx, hospitalId, wardId);
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
