#pragma once

#include "auth/jwt.h"
#include "auth/loginthrottle.h"
#include "auth/principal.h"
#include "http/router.h"

#include <QJsonObject>
#include <QString>

#include <pqxx/types>

namespace hms::server {

class DbSession;
class PasswordHasher;

/// Lifetimes and limits of logins (SECURITY.md "Passwords and login", "Tokens and sessions").
struct AuthSettings
{
    int sessionIdleSeconds = 30 * 60;
    int sessionAbsoluteSeconds = 12 * 60 * 60;
    int refreshGraceSeconds = 30;
    int lockThreshold = 5;
    int lockBaseSeconds = 15 * 60;
    int lockMaxSeconds = 60 * 60;
    LoginThrottle::Settings throttle;
};

/// Logins, token refresh and logout, and the per-request check of a bearer token.
/// Runs on database pool threads; each call is one or two short transactions, and the
/// Argon2 work happens outside any transaction. Thread-safe.
/// \a keys and \a hasher are borrowed and must outlive the service.
class AuthService
{
public:
    AuthService(const JwtKeyRing &keys, PasswordHasher &hasher, AuthSettings settings = {});

    /// {"accessToken","refreshToken","expiresIn","tokenType","user":{...}}.
    /// Throws DomainError: 401 (same answer for unknown user and wrong password), 429 with
    /// Retry-After (locked account or address), 503 (hashing saturated).
    QJsonObject login(DbSession &db,
                      const QString &hospitalCode,
                      const QString &username,
                      const QString &password,
                      const ClientInfo &client);

    /// Rotates \a refreshToken. Reuse of a rotated token outside the grace window revokes the
    /// whole session (its family) and is audited; inside it, the same successor is returned.
    QJsonObject refresh(DbSession &db, const QString &refreshToken, const ClientInfo &client);

    /// Ends the caller's session: its access tokens and refresh tokens stop working.
    void logout(DbSession &db, const Principal &principal, const ClientInfo &client);

    /// The user object of login and GET /auth/me.
    static QJsonObject userJson(const Principal &principal, const QString &hospitalCode);
    QJsonObject me(DbSession &db, const Principal &principal);

    /// Cookie names for browser clients (API.md): HttpOnly access and refresh tokens, and a
    /// script-readable CSRF token to echo in X-CSRF-Token on writes.
    static constexpr char AccessCookie[] = "hms_access";
    static constexpr char RefreshCookie[] = "hms_refresh";
    static constexpr char CsrfCookie[] = "hms_csrf";

    /// True when a cookie-authenticated write carries the CSRF token and comes from this origin.
    static bool csrfCheckPasses(const HttpRequest &request);

    /// Verifies \a token and checks its session and user in the database (one transaction):
    /// the principal with today's role, or nothing. \a expiresAt receives the token's exp.
    /// With \a companion, its read travels in the same statement and lands in \a companionRow.
    std::optional<Principal> authenticateToken(DbSession &db,
                                               QByteArrayView token,
                                               qint64 *expiresAt = nullptr,
                                               const SessionCompanion *companion = nullptr,
                                               std::optional<CompanionRow> *companionRow = nullptr);

    /// HttpServerOptions::authorize: verifies the bearer token (or the access cookie), checks the
    /// session and the user in the database, then the route's permission; a refusal is audited.
    std::optional<HttpResponse> authorize(RequestContext &context, const Route &route);

private:
    QJsonObject issueTokens(pqxx::transaction_base &tx,
                            const Principal &principal,
                            const QString &hospitalCode,
                            QByteArray *refreshHash);
    /// The login/refresh answer: a new access token for \a principal and \a refreshToken.
    QJsonObject tokensBody(const Principal &principal,
                           const QString &hospitalCode,
                           const QString &refreshToken) const;

    const JwtKeyRing &m_keys;
    PasswordHasher &m_hasher;
    AuthSettings m_settings;
    LoginThrottle m_throttle;
};

} // namespace hms::server
