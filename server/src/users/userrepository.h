#pragma once

#include "shared/auth/permissions.h"

#include <QDateTime>
#include <QHash>
#include <QString>

#include <pqxx/types>

#include <optional>
#include <string>
#include <vector>

namespace hms::server {

struct UserRow
{
    qint64 id = 0;
    qint64 hospitalId = 0;
    QString username;
    QString displayName;
    Role role = Role::Reception;
    std::string passwordHash;
    bool disabled = false;
    int failedLogins = 0;
    int lockouts = 0;
    std::optional<QDateTime> lockedUntil; ///< only when in the future
    int version = 1;
};

struct NewUser
{
    qint64 hospitalId = 0;
    QString username;
    QString displayName;
    Role role = Role::Reception;
    std::string passwordHash;
};

/// SQL for staff users. Every call runs in the caller's transaction, which must already be
/// bound to the user's hospital (enterTenant): row-level security scopes what it sees.
class UserRepository
{
public:
    static std::optional<UserRow>
    findByUsername(pqxx::transaction_base &tx, const QString &username, bool forUpdate = false);
    static std::optional<UserRow>
    findById(pqxx::transaction_base &tx, qint64 id, bool forUpdate = false);
    static std::vector<UserRow> list(pqxx::transaction_base &tx);
    /// Ids of the enabled users with \a role, ascending (who a workflow notifies).
    static std::vector<qint64> enabledIdsWithRole(pqxx::transaction_base &tx, Role role);
    /// The role of each enabled user among \a ids (unknown, disabled and other hospitals'
    /// users are simply absent).
    static QHash<qint64, QString> enabledRoles(pqxx::transaction_base &tx,
                                               const std::vector<qint64> &ids);
    /// Throws pqxx::unique_violation when the username is taken in that hospital.
    static qint64 insert(pqxx::transaction_base &tx, const NewUser &user);

    static void setRole(pqxx::transaction_base &tx, qint64 id, Role role);
    static void setDisplayName(pqxx::transaction_base &tx, qint64 id, const QString &displayName);
    static void setDisabled(pqxx::transaction_base &tx, qint64 id, bool disabled);
    static void setPasswordHash(pqxx::transaction_base &tx, qint64 id, const std::string &hash);
    static void unlock(pqxx::transaction_base &tx, qint64 id);

    /// Counts a failed login; locks the account once \a threshold consecutive failures are
    /// reached, for base * 2^lockouts seconds, at most \a maxSeconds. Returns the lock end
    /// when this failure locked the account.
    static std::optional<QDateTime> recordFailedLogin(pqxx::transaction_base &tx,
                                                      qint64 id,
                                                      int threshold,
                                                      int baseSeconds,
                                                      int maxSeconds);
    static void recordSuccessfulLogin(pqxx::transaction_base &tx, qint64 id);

    /// Revokes every open session of the user (disable, role change, password reset).
    static int revokeSessions(pqxx::transaction_base &tx, qint64 userId, const QString &reason);
};

} // namespace hms::server
