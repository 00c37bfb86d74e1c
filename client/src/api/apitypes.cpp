#include "api/apitypes.h"

#include <QJsonArray>
#include <QJsonValue>

namespace hms::client {

namespace {

Problem malformed(const QString &field)
{
    Problem problem =
        Problem::fromType(problems::MalformedJson, QStringLiteral("unexpected server answer"));
    problem.errors.append(FieldError{field, QStringLiteral("missing or of the wrong type")});
    return problem;
}

} // namespace

Result<SessionUser> sessionUserFromJson(const QJsonObject &json)
{
    SessionUser user;
    const QJsonValue id = json.value(QLatin1String("id"));
    user.id = id.isDouble() ? QString::number(id.toInteger()) : id.toString();
    user.username = json.value(QLatin1String("username")).toString();
    user.displayName = json.value(QLatin1String("displayName")).toString();
    user.roleName = json.value(QLatin1String("role")).toString();
    user.hospital = json.value(QLatin1String("hospital")).toString();
    const QJsonArray permissions = json.value(QLatin1String("permissions")).toArray();
    for (const QJsonValue &permission : permissions)
        user.permissions.append(permission.toString());
    if (user.username.isEmpty())
        return malformed(QStringLiteral("user.username"));
    if (!user.role())
        return malformed(QStringLiteral("user.role"));
    return user;
}

Result<Tokens> tokensFromJson(const QJsonObject &json)
{
    Tokens tokens;
    tokens.accessToken = json.value(QLatin1String("accessToken")).toString().toUtf8();
    tokens.refreshToken = json.value(QLatin1String("refreshToken")).toString().toUtf8();
    tokens.expiresIn = json.value(QLatin1String("expiresIn")).toInt();
    if (tokens.accessToken.isEmpty())
        return malformed(QStringLiteral("accessToken"));
    if (tokens.refreshToken.isEmpty())
        return malformed(QStringLiteral("refreshToken"));
    Result<SessionUser> user = sessionUserFromJson(json.value(QLatin1String("user")).toObject());
    if (!user)
        return user.problem();
    tokens.user = std::move(user).value();
    return tokens;
}

} // namespace hms::client
