#pragma once

#include "auth/principal.h"
#include "users/userrepository.h"

#include <QJsonObject>

#include <optional>

namespace hms::server {

class DbSession;
class PasswordHasher;
struct ClientInfo;

/// Staff user administration for admins (user.manage): one transaction per call, each
/// change audited with the acting admin. Another hospital's user is simply not found
/// (row-level security), so it answers 404 like a missing one.
class UserAdminService
{
public:
    /// \a hasher is borrowed and must outlive the service.
    explicit UserAdminService(PasswordHasher &hasher);

    static QJsonObject toJson(const UserRow &user);

    QJsonObject list(DbSession &db, const Principal &actor);
    UserRow get(DbSession &db, const Principal &actor, qint64 userId);
    /// Throws DomainError 422 (policy), 409 (username taken).
    UserRow create(DbSession &db,
                   const Principal &actor,
                   const ClientInfo &client,
                   const NewUser &user,
                   const QString &password);

    struct Changes
    {
        std::optional<Role> role;
        std::optional<QString> displayName;
    };

    /// \a expectedVersion from If-Match; a stale one throws 412.
    UserRow update(DbSession &db,
                   const Principal &actor,
                   const ClientInfo &client,
                   qint64 userId,
                   int expectedVersion,
                   const Changes &changes);

    enum class Action { Disable, Enable, Unlock, EndSessions };
    UserRow apply(DbSession &db,
                  const Principal &actor,
                  const ClientInfo &client,
                  qint64 userId,
                  Action action);
    UserRow resetPassword(DbSession &db,
                          const Principal &actor,
                          const ClientInfo &client,
                          qint64 userId,
                          const QString &password);

private:
    PasswordHasher &m_hasher;
};

} // namespace hms::server
