#include "users/userroutes.h"

#include "auth/authservice.h"
#include "http/jsonrequest.h"
#include "http/router.h"
#include "shared/protocol/apipaths.h"
#include "users/useradminservice.h"

#include <QRegularExpression>

namespace hms::server {

namespace {

const QStringList &roleNames()
{
    static const QStringList names = [] {
        QStringList list;
        for (const Role role : AllRoles)
            list.append(roleName(role));
        return list;
    }();
    return names;
}

ClientInfo clientOf(const RequestContext &context)
{
    return {context.clientAddress(), QString::fromLatin1(context.requestId)};
}

HttpResponse userResponse(int status, const UserRow &user)
{
    HttpResponse response = HttpResponse::json(status, UserAdminService::toJson(user));
    response.setHeader("ETag", etagFor(user.version));
    return response;
}

QString userPath(const char *suffix)
{
    return QLatin1String(api::AdminUser) + QLatin1String(suffix);
}

} // namespace

void registerUserRoutes(Router &router, UserAdminService &service)
{
    const RouteAccess access = RouteAccess::require(Permission::UserManage);

    router.add({"GET", QLatin1String(api::AdminUsers), access, [&service](RequestContext &context) {
                    return HttpResponse::json(200, service.list(context.db, context.caller()));
                }});

    router.add(
        {"POST", QLatin1String(api::AdminUsers), access, [&service](RequestContext &context) {
             FieldReader reader(jsonBody(context.request));
             const auto username = reader.requiredString(QStringLiteral("username"), 64);
             const auto displayName = reader.requiredString(QStringLiteral("displayName"), 200);
             const auto role = reader.requiredEnum(QStringLiteral("role"), roleNames());
             const auto password = reader.requiredString(QStringLiteral("password"), 1024);
             static const QRegularExpression format(QStringLiteral("^[a-z0-9][a-z0-9._-]{1,63}$"));
             if (username && !format.match(*username).hasMatch())
                 reader.addError(QStringLiteral("username"),
                                 QStringLiteral("must be 2-64 of a-z, 0-9, '.', '_' and '-', "
                                                "starting with a letter or digit"));
             requireValid(reader);
             NewUser user;
             user.username = *username;
             user.displayName = displayName->trimmed();
             user.role = *roleFromName(*role);
             return userResponse(
                 201,
                 service.create(context.db, context.caller(), clientOf(context), user, *password));
         }});

    router.add({"GET", QLatin1String(api::AdminUser), access, [&service](RequestContext &context) {
                    return userResponse(
                        200,
                        service.get(context.db, context.caller(),
                                    pathId(context.pathParam(QStringLiteral("id")))));
                }});

    router.add(
        {"PATCH", QLatin1String(api::AdminUser), access, [&service](RequestContext &context) {
             const qint64 id = pathId(context.pathParam(QStringLiteral("id")));
             FieldReader reader(jsonBody(context.request));
             UserAdminService::Changes changes;
             if (const auto role = reader.optionalEnum(QStringLiteral("role"), roleNames()))
                 changes.role = roleFromName(*role);
             if (const auto name = reader.optionalString(QStringLiteral("displayName"), 200))
                 changes.displayName = name->trimmed();
             requireValid(reader);
             const int version = requireIfMatchVersion(context.request);
             return userResponse(200,
                                 service.update(context.db, context.caller(), clientOf(context), id,
                                                version, changes));
         }});

    const std::pair<const char *, UserAdminService::Action> actions[] = {
        {"/disable", UserAdminService::Action::Disable},
        {"/enable", UserAdminService::Action::Enable},
        {"/unlock", UserAdminService::Action::Unlock},
        {"/end-sessions", UserAdminService::Action::EndSessions},
    };
    for (const auto &[suffix, action] : actions) {
        router.add({"POST", userPath(suffix), access,
                    [&service, action = action](RequestContext &context) {
                        const qint64 id = pathId(context.pathParam(QStringLiteral("id")));
                        return userResponse(200,
                                            service.apply(context.db, context.caller(),
                                                          clientOf(context), id, action));
                    }});
    }

    router.add({"POST", userPath("/reset-password"), access, [&service](RequestContext &context) {
                    const qint64 id = pathId(context.pathParam(QStringLiteral("id")));
                    FieldReader reader(jsonBody(context.request));
                    const auto password = reader.requiredString(QStringLiteral("password"), 1024);
                    requireValid(reader);
                    return userResponse(200,
                                        service.resetPassword(context.db, context.caller(),
                                                              clientOf(context), id, *password));
                }});
}

} // namespace hms::server
