#include "wardstaff/wardstaffservice.h"

#include "audit/auditlog.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "db/dbsession.h"
#include "db/sql.h"
#include "db/tenant.h"
#include "ipd/ipdrepository.h"
#include "ipd/ipdservice.h"
#include "live/eventlog.h"

#include <QHash>
#include <QJsonArray>

#include <pqxx/result>
#include <pqxx/transaction>

namespace hms::server {

const char *const WardStaffService::DutyUsersSql =
    "SELECT u.id FROM ward_staff s JOIN users u ON u.hospital_id = s.hospital_id "
    "AND u.id = s.user_id WHERE s.hospital_id = $1 AND s.ward_id = $2 AND s.duty = $3 "
    "AND u.disabled_at IS NULL ORDER BY u.id";

namespace {

QString text(const pqxx::field &field)
{
    return field.is_null() ? QString() : QString::fromUtf8(field.c_str());
}

std::vector<WardStaffMember> load(pqxx::transaction_base &tx, qint64 hospitalId, qint64 wardId)
{
    std::vector<WardStaffMember> members;
    for (const pqxx::row &row : tx.exec_params(
             "SELECT s.user_id, s.duty, u.username, u.display_name, u.role, "
             "u.disabled_at IS NULL FROM ward_staff s JOIN users u ON u.hospital_id = "
             "s.hospital_id AND u.id = s.user_id WHERE s.hospital_id = $1 AND s.ward_id = $2 "
             "ORDER BY s.duty, s.user_id",
             hospitalId, wardId))
        members.push_back({row[0].as<qint64>(), text(row[1]), text(row[2]), text(row[3]),
                           text(row[4]), row[5].as<bool>()});
    return members;
}

void requireWard(pqxx::transaction_base &tx, qint64 hospitalId, qint64 wardId, bool lock)
{
    const pqxx::result ward =
        tx.exec_params(sql::Query("SELECT id FROM wards WHERE hospital_id = $1 AND id = $2")
                           + sql::when(lock, " FOR UPDATE"),
                       hospitalId, wardId);
    if (ward.empty())
        throw DomainError(problems::NotFound, QStringLiteral("No such ward"));
}

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
    requireWard(tx, actor.hospitalId, wardId, false);
    return load(tx, actor.hospitalId, wardId);
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
    requireWard(tx, actor.hospitalId, wardId, true);

    QHash<qint64, QString> roles; // enabled users of this hospital named in the request
    {
        QStringList ids;
        for (const qint64 id : nurses)
            ids.append(QString::number(id));
        for (const qint64 id : supervisors)
            ids.append(QString::number(id));
        const std::string array = "{" + ids.join(QLatin1Char(',')).toStdString() + "}";
        for (const pqxx::row &row :
             tx.exec_params("SELECT id, role FROM users WHERE hospital_id = $1 "
                            "AND id = ANY($2::bigint[]) AND disabled_at IS NULL",
                            actor.hospitalId, array))
            roles.insert(row[0].as<qint64>(), text(row[1]));
    }
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

    tx.exec_params0("DELETE FROM ward_staff WHERE hospital_id = $1 AND ward_id = $2",
                    actor.hospitalId, wardId);
    const auto insert = [&](const std::vector<qint64> &ids, const char *duty) {
        for (const qint64 id : ids)
            tx.exec_params0("INSERT INTO ward_staff (hospital_id, ward_id, user_id, duty, "
                            "created_by) VALUES ($1, $2, $3, $4, $5)",
                            actor.hospitalId, wardId, id, duty, actor.userId);
    };
    insert(nurses, "nurse");
    insert(supervisors, "supervisor");

    EventLog::append(tx, actor.hospitalId, IpdService::topicOf(wardId),
                     QStringLiteral("ward.staff_changed"), {{key("wardId"), idText(wardId)}});
    AuditEntry audit = AuditEntry::forActor(actor, client, QStringLiteral("admin"),
                                            QStringLiteral("ward.staff.set"),
                                            QStringLiteral("ward"), idText(wardId));
    audit.details = {{key("nurses"), idArray(nurses)}, {key("supervisors"), idArray(supervisors)}};
    AuditLog::append(tx, audit);
    std::vector<WardStaffMember> members = load(tx, actor.hospitalId, wardId);
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
