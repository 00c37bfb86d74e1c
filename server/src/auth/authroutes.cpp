#include "auth/authroutes.h"

#include "auth/authservice.h"
#include "http/jsonrequest.h"
#include "http/router.h"
#include "shared/protocol/apipaths.h"

namespace hms::server {

namespace {

ClientInfo clientOf(const RequestContext &context)
{
    return {context.clientAddress(), QString::fromLatin1(context.requestId)};
}

} // namespace

void registerAuthRoutes(Router &router, AuthService &service)
{
    router.add({"POST", QLatin1String(api::AuthLogin), RouteAccess::publicRoute(),
                [&service](RequestContext &context) {
                    FieldReader reader(jsonBody(context.request));
                    const auto hospital = reader.requiredString(QStringLiteral("hospital"), 32);
                    const auto username = reader.requiredString(QStringLiteral("username"), 64);
                    // Long enough for any valid password, short enough to bound the Argon2 input.
                    const auto password = reader.requiredString(QStringLiteral("password"), 1024);
                    requireValid(reader);
                    return HttpResponse::json(200,
                                              service.login(context.db, *hospital, *username,
                                                            *password, clientOf(context)));
                }});
    router.add({"POST", QLatin1String(api::AuthRefresh), RouteAccess::publicRoute(),
                [&service](RequestContext &context) {
                    FieldReader reader(jsonBody(context.request));
                    const auto token = reader.requiredString(QStringLiteral("refreshToken"), 128);
                    requireValid(reader);
                    return HttpResponse::json(
                        200, service.refresh(context.db, *token, clientOf(context)));
                }});
    router.add({"POST", QLatin1String(api::AuthLogout), RouteAccess::authenticated(),
                [&service](RequestContext &context) {
                    service.logout(context.db, context.caller(), clientOf(context));
                    return HttpResponse::noContent();
                }});
    router.add({"GET", QLatin1String(api::AuthMe), RouteAccess::authenticated(),
                [&service](RequestContext &context) {
                    return HttpResponse::json(200, service.me(context.db, context.caller()));
                }});
}

} // namespace hms::server
