#include "users/useradminservice.h"

#include "audit/auditlog.h"
#include "auth/authservice.h"
#include "auth/passwordhasher.h"
#include "auth/passwordpolicy.h"
#include "common/domainerror.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "hospitals/hospitalrepository.h"

#include <QJsonArray>

#include <pqxx/transaction>

namespace hms::server {

namespace {

AuditEntry
adminAudit(const Principal &actor, const ClientInfo &client, const QString &action, qint64 userId)
{
    return AuditEntry::forActor(actor, client, QStringLiteral("admin"), action,
                                QStringLiteral("user"), QString::number(userId));
}

UserRow requireUser(pqxx::transaction_base &tx, qint64 userId)
{
    std::optional<UserRow> user = UserRepository::findById(tx, userId, true);
    if (!user)
        throw DomainError(problems::NotFound, QStringLiteral("No such user"));
    return *user;
}

void refuseSelf(const Principal &actor, qint64 userId, const QString &what)
{
    // An admin locking themselves out leaves the hospital without one; another admin may.
    if (actor.userId == userId)
        throw DomainError(problems::Conflict,
                          QStringLiteral("You cannot %1 your own account").arg(what));
}

QString
checkedPassword(const QString &password, const QString &username, const QString &hospitalCode)
{
    const Result<> policy = checkPasswordPolicy(password, username, hospitalCode);
    if (!policy)
        throw DomainError(policy.problem());
    return password;
}

std::string hashOrBusy(PasswordHasher &hasher, const QString &password)
{
    const std::optional<std::string> hash = hasher.hash(password);
    if (!hash)
        throw std::move(DomainError(problems::ServiceUnavailable,
                                    QStringLiteral("Password hashing is busy; retry shortly"))
                            .withRetryAfter(1));
    return *hash;
}

} // namespace

UserAdminService::UserAdminService(PasswordHasher &hasher)
    : m_hasher(hasher)
{}

QJsonObject UserAdminService::toJson(const UserRow &user)
{
    QString state = QStringLiteral("active");
    if (user.disabled)
        state = QStringLiteral("disabled");
    else if (user.lockedUntil)
        state = QStringLiteral("locked");
    QJsonObject json{{QStringLiteral("id"), QString::number(user.id)},
                     {QStringLiteral("username"), user.username},
                     {QStringLiteral("displayName"), user.displayName},
                     {QStringLiteral("role"), roleName(user.role)},
                     {QStringLiteral("state"), state},
                     {QStringLiteral("version"), user.version}};
    if (user.lockedUntil)
        json.insert(QStringLiteral("lockedUntil"), user.lockedUntil->toString(Qt::ISODate));
    return json;
}

QJsonObject UserAdminService::list(DbSession &db, const Principal &actor)
{
    pqxx::read_transaction tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    QJsonArray items;
    for (const UserRow &user : UserRepository::list(tx))
        items.append(toJson(user));
    return {{QStringLiteral("items"), items}};
}

UserRow UserAdminService::get(DbSession &db, const Principal &actor, qint64 userId)
{
    pqxx::read_transaction tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const std::optional<UserRow> user = UserRepository::findById(tx, userId);
    if (!user)
        throw DomainError(problems::NotFound, QStringLiteral("No such user"));
    return *user;
}

UserRow UserAdminService::create(DbSession &db,
                                 const Principal &actor,
                                 const ClientInfo &client,
                                 const NewUser &newUser,
                                 const QString &password)
{
    QString hospitalCode;
    {
        pqxx::read_transaction tx(db.connection());
        hospitalCode =
            HospitalRepository::findById(tx, actor.hospitalId).value_or(HospitalRow()).code;
    }
    NewUser user = newUser;
    user.hospitalId = actor.hospitalId;
    user.passwordHash =
        hashOrBusy(m_hasher, checkedPassword(password, user.username, hospitalCode));

    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (UserRepository::findByUsername(tx, user.username)) {
        Problem problem =
            Problem::fromType(problems::Conflict, QStringLiteral("That username is taken"));
        problem.errors.append({QStringLiteral("username"), QStringLiteral("is taken")});
        throw DomainError(problem);
    }
    const qint64 id = UserRepository::insert(tx, user);
    AuditEntry audit = adminAudit(actor, client, QStringLiteral("user.create"), id);
    audit.details = {{QStringLiteral("role"), roleName(user.role)}};
    AuditLog::append(tx, audit);
    const UserRow created = requireUser(tx, id);
    tx.commit();
    return created;
}

UserRow UserAdminService::update(DbSession &db,
                                 const Principal &actor,
                                 const ClientInfo &client,
                                 qint64 userId,
                                 int expectedVersion,
                                 const Changes &changes)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const UserRow user = requireUser(tx, userId);
    if (user.version != expectedVersion)
        throw DomainError(problems::PreconditionFailed,
                          QStringLiteral("The user changed since you read it; reload and retry"));
    if (changes.role && *changes.role != user.role) {
        refuseSelf(actor, userId, QStringLiteral("change the role of"));
        UserRepository::setRole(tx, userId, *changes.role);
        AuditEntry audit = adminAudit(actor, client, QStringLiteral("user.role.change"), userId);
        audit.details = {{QStringLiteral("from"), roleName(user.role)},
                         {QStringLiteral("to"), roleName(*changes.role)}};
        AuditLog::append(tx, audit);
    }
    if (changes.displayName && *changes.displayName != user.displayName) {
        UserRepository::setDisplayName(tx, userId, *changes.displayName);
        AuditLog::append(tx, adminAudit(actor, client, QStringLiteral("user.update"), userId));
    }
    const UserRow updated = requireUser(tx, userId);
    tx.commit();
    return updated;
}

UserRow UserAdminService::apply(DbSession &db,
                                const Principal &actor,
                                const ClientInfo &client,
                                qint64 userId,
                                Action action)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    requireUser(tx, userId);
    QString auditAction;
    switch (action) {
    case Action::Disable:
        refuseSelf(actor, userId, QStringLiteral("disable"));
        UserRepository::setDisabled(tx, userId, true);
        UserRepository::revokeSessions(tx, userId, QStringLiteral("disabled"));
        auditAction = QStringLiteral("user.disable");
        break;
    case Action::Enable:
        UserRepository::setDisabled(tx, userId, false);
        auditAction = QStringLiteral("user.enable");
        break;
    case Action::Unlock:
        UserRepository::unlock(tx, userId);
        auditAction = QStringLiteral("user.unlock");
        break;
    case Action::EndSessions:
        UserRepository::revokeSessions(tx, userId, QStringLiteral("ended by an admin"));
        auditAction = QStringLiteral("user.sessions.end");
        break;
    }
    AuditLog::append(tx, adminAudit(actor, client, auditAction, userId));
    const UserRow updated = requireUser(tx, userId);
    tx.commit();
    return updated;
}

UserRow UserAdminService::resetPassword(DbSession &db,
                                        const Principal &actor,
                                        const ClientInfo &client,
                                        qint64 userId,
                                        const QString &password)
{
    QString hospitalCode;
    UserRow user;
    {
        pqxx::read_transaction tx(db.connection());
        enterTenant(tx, actor.hospitalId);
        hospitalCode =
            HospitalRepository::findById(tx, actor.hospitalId).value_or(HospitalRow()).code;
        const std::optional<UserRow> found = UserRepository::findById(tx, userId);
        if (!found)
            throw DomainError(problems::NotFound, QStringLiteral("No such user"));
        user = *found;
    }
    const std::string hash =
        hashOrBusy(m_hasher, checkedPassword(password, user.username, hospitalCode));
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    requireUser(tx, userId);
    UserRepository::setPasswordHash(tx, userId, hash);
    UserRepository::unlock(tx, userId);
    UserRepository::revokeSessions(tx, userId, QStringLiteral("password reset"));
    AuditLog::append(tx, adminAudit(actor, client, QStringLiteral("user.password.reset"), userId));
    const UserRow updated = requireUser(tx, userId);
    tx.commit();
    return updated;
}

} // namespace hms::server
