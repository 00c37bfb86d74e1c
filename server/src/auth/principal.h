#pragma once

#include "shared/auth/permissions.h"

#include <QString>

namespace hms::server {

/// The authenticated caller of one request: from a verified access token, with the role as
/// it is in the database now (a role change or a disable acts on the next request).
struct Principal
{
    qint64 userId = 0;
    qint64 hospitalId = 0;
    Role role = Role::Reception;
    QString username;
    QString displayName;
    QString sessionId;
};

/// Where a request comes from, for the audit log and the login limits.
struct ClientInfo
{
    QString address;
    QString requestId;
};

} // namespace hms::server
