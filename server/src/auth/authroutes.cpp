#include "auth/authroutes.h"

#include "auth/authservice.h"
#include "common/domainerror.h"
#include "http/cookies.h"
#include "http/jsonrequest.h"
#include "http/router.h"
#include "shared/protocol/apipaths.h"

#include <QJsonArray>

#include <sodium.h>

namespace hms::server {

namespace {

// Browser clients: access token for the API, refresh token only for /auth, and a CSRF
// token the page can read. Lifetimes follow the tokens (15 min) and the session (12 h).
constexpr char AccessCookiePath[] = "/api/v1";
constexpr char RefreshCookiePath[] = "/api/v1/auth";
constexpr char CsrfCookiePath[] = "/";
constexpr int SessionCookieSeconds = 12 * 60 * 60;

ClientInfo clientOf(const RequestContext &context)
{
    return {context.clientAddress(), QString::fromLatin1(context.requestId)};
}

QByteArray newCsrfToken()
{
    unsigned char random[32];
    randombytes_buf(random, sizeof random);
    return QByteArray(reinterpret_cast<const char *>(random), sizeof random)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// Moves the tokens of a login/refresh answer into cookies; the body keeps the user.
HttpResponse cookieAnswer(QJsonObject tokens)
{
    const QByteArray access = tokens.take(QStringLiteral("accessToken")).toString().toLatin1();
    const QByteArray refresh = tokens.take(QStringLiteral("refreshToken")).toString().toLatin1();
    const QByteArray csrf = newCsrfToken();
    tokens.insert(QStringLiteral("tokenType"), QStringLiteral("Cookie"));
    tokens.insert(QStringLiteral("csrfToken"), QString::fromLatin1(csrf));
    HttpResponse response = HttpResponse::json(200, tokens);
    const int expiresIn = tokens.value(QStringLiteral("expiresIn")).toInt();
    response.addHeader("Set-Cookie",
                       authCookie(AuthService::AccessCookie, access, AccessCookiePath, expiresIn));
    response.addHeader(
        "Set-Cookie",
        authCookie(AuthService::RefreshCookie, refresh, RefreshCookiePath, SessionCookieSeconds));
    response.addHeader(
        "Set-Cookie",
        authCookie(AuthService::CsrfCookie, csrf, CsrfCookiePath, SessionCookieSeconds, true));
    return response;
}

void clearCookies(HttpResponse &response)
{
    response.addHeader("Set-Cookie",
                       authCookie(AuthService::AccessCookie, {}, AccessCookiePath, 0));
    response.addHeader("Set-Cookie",
                       authCookie(AuthService::RefreshCookie, {}, RefreshCookiePath, 0));
    response.addHeader("Set-Cookie",
                       authCookie(AuthService::CsrfCookie, {}, CsrfCookiePath, 0, true));
}

} // namespace

void registerAuthRoutes(Router &router, AuthService &service)
{
    router.add({"POST", QLatin1String(api::AuthLogin), RouteAccess::publicRoute(),
                [&service](RequestContext &context) {
                    FieldReader reader(jsonBody(context.request));
                    const auto hospital = reader.requiredString(QStringLiteral("hospital"), 32);
                    const auto username = reader.requiredString(QStringLiteral("username"), 64);
                    // Long enough for any valid password, short enough to bound Argon2's input.
                    const auto password = reader.requiredString(QStringLiteral("password"), 1024);
                    const auto delivery =
                        reader.optionalEnum(QStringLiteral("tokenDelivery"),
                                            {QStringLiteral("body"), QStringLiteral("cookie")});
                    requireValid(reader);
                    const QJsonObject tokens = service.login(context.db, *hospital, *username,
                                                             *password, clientOf(context));
                    if (delivery == QLatin1String("cookie"))
                        return cookieAnswer(tokens);
                    return HttpResponse::json(200, tokens);
                }});

    router.add(
        {"POST", QLatin1String(api::AuthRefresh), RouteAccess::publicRoute(),
         [&service](RequestContext &context) {
             // A browser sends nothing in the body: its refresh token is a cookie, and
             // then the write needs the CSRF token like any cookie-authenticated write.
             const QByteArray cookie = requestCookie(context.request, AuthService::RefreshCookie);
             if (context.request.body.isEmpty() && !cookie.isEmpty()) {
                 if (!AuthService::csrfCheckPasses(context.request))
                     throw DomainError(
                         problems::Forbidden,
                         QStringLiteral("Cookie refresh needs X-CSRF-Token from this origin"));
                 return cookieAnswer(
                     service.refresh(context.db, QString::fromLatin1(cookie), clientOf(context)));
             }
             FieldReader reader(jsonBody(context.request));
             const auto token = reader.requiredString(QStringLiteral("refreshToken"), 128);
             requireValid(reader);
             return HttpResponse::json(200, service.refresh(context.db, *token, clientOf(context)));
         }});

    router.add({"POST", QLatin1String(api::AuthLogout), RouteAccess::authenticated(),
                [&service](RequestContext &context) {
                    service.logout(context.db, context.caller(), clientOf(context));
                    HttpResponse response = HttpResponse::noContent();
                    if (!requestCookie(context.request, AuthService::AccessCookie).isNull())
                        clearCookies(response);
                    return response;
                }});

    router.add({"GET", QLatin1String(api::AuthMe), RouteAccess::authenticated(),
                [&service](RequestContext &context) {
                    return HttpResponse::json(200, service.me(context.db, context.caller()));
                }});
}

} // namespace hms::server
