#pragma once

#include "shared/auth/permissions.h"
#include "shared/core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace hms::client {

/// The signed-in user as the server describes it (login, refresh and /auth/me).
struct SessionUser
{
    QString id;
    QString username;
    QString displayName;
    QString roleName; ///< wire spelling, e.g. "nurse"
    QString hospital; ///< hospital code
    QStringList permissions;

    std::optional<hms::Role> role() const { return hms::roleFromName(roleName); }
};

/// The answer of POST /auth/login and POST /auth/refresh.
struct Tokens
{
    QByteArray accessToken;
    QByteArray refreshToken;
    int expiresIn = 0; ///< seconds the access token stays valid
    SessionUser user;
};

Result<SessionUser> sessionUserFromJson(const QJsonObject &json);
Result<Tokens> tokensFromJson(const QJsonObject &json);

} // namespace hms::client
