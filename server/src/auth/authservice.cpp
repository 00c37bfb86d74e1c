#include "auth/authservice.h"

#include "audit/auditlog.h"
#include "auth/passwordhasher.h"
#include "common/domainerror.h"
#include "db/dbsession.h"
#include "db/prepared.h"
#include "db/tenant.h"
#include "hospitals/hospitalrepository.h"
#include "http/cookies.h"
#include "users/userrepository.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QUuid>

#include <pqxx/connection_base>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <sodium.h>

namespace hms::server {

static Q_LOGGING_CATEGORY(lcAuth, "hms.server.auth", QtInfoMsg);

namespace {

constexpr char RefreshPrefix[] = "hms1";
constexpr int RefreshRandomBytes = 32;

DomainError invalidCredentials()
{
    // One answer for unknown hospital, unknown user, disabled user and wrong password (A3).
    return DomainError(problems::Unauthenticated,
                       QStringLiteral("Invalid hospital, username or password"));
}

DomainError invalidRefreshToken()
{
    return DomainError(problems::Unauthenticated,
                       QStringLiteral("The refresh token is not valid; sign in again"));
}

DomainError locked(int seconds)
{
    return std::move(DomainError(problems::RateLimited,
                                 QStringLiteral("Too many failed sign-ins; try again later"))
                         .withRetryAfter(seconds));
}

DomainError hashingBusy()
{
    return std::move(
        DomainError(problems::ServiceUnavailable, QStringLiteral("Sign-in is busy; retry shortly"))
            .withRetryAfter(1));
}

QByteArray sha256(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
}

QString newRefreshToken(qint64 hospitalId)
{
    unsigned char random[RefreshRandomBytes];
    randombytes_buf(random, sizeof random);
    const QByteArray encoded =
        QByteArray(reinterpret_cast<const char *>(random), sizeof random)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    sodium_memzero(random, sizeof random);
    return QStringLiteral("%1.%2.%3")
        .arg(QLatin1String(RefreshPrefix))
        .arg(hospitalId)
        .arg(QString::fromLatin1(encoded));
}

// "hms1.<hospital id>.<43 base64url chars>" -> hospital id, or nothing for anything else.
std::optional<qint64> hospitalOfRefreshToken(const QString &token)
{
    const QStringList parts = token.split(QLatin1Char('.'));
    if (parts.size() != 3 || parts[0] != QLatin1String(RefreshPrefix) || parts[2].size() != 43)
        return std::nullopt;
    bool ok = false;
    const qint64 id = parts[1].toLongLong(&ok);
    if (!ok || id <= 0 || parts[1].size() > 18)
        return std::nullopt;
    return id;
}

AuditEntry authAudit(qint64 hospitalId,
                     const QString &action,
                     const QString &outcome,
                     const ClientInfo &client)
{
    AuditEntry entry;
    entry.hospitalId = hospitalId;
    entry.action = action;
    entry.category = QStringLiteral("auth");
    entry.outcome = outcome;
    entry.requestId = client.requestId;
    entry.clientAddress = client.address;
    return entry;
}

AuditEntry principalAudit(const Principal &principal,
                          const QString &action,
                          const QString &outcome,
                          const ClientInfo &client)
{
    AuditEntry entry = authAudit(principal.hospitalId, action, outcome, client);
    entry.actorUserId = principal.userId;
    entry.actorRole = roleName(principal.role);
    entry.entity = QStringLiteral("user");
    entry.entityId = QString::number(principal.userId);
    return entry;
}

Principal principalOf(const UserRow &user)
{
    return {user.id, user.hospitalId, user.role, user.username, user.displayName, QString()};
}

std::string unknownUserKey(qint64 hospitalId, const QString &username)
{
    return std::to_string(hospitalId) + '/' + username.toLower().toStdString();
}

} // namespace

AuthService::AuthService(const JwtKeyRing &keys, PasswordHasher &hasher, AuthSettings settings)
    : m_keys(keys)
    , m_hasher(hasher)
    , m_settings(settings)
    , m_throttle(settings.throttle)
{}

QJsonObject AuthService::userJson(const Principal &principal, const QString &hospitalCode)
{
    QJsonArray permissions;
    for (const Permission permission : permissionsOf(principal.role))
        permissions.append(permissionName(permission));
    return {{QStringLiteral("id"), QString::number(principal.userId)},
            {QStringLiteral("username"), principal.username},
            {QStringLiteral("displayName"), principal.displayName},
            {QStringLiteral("role"), roleName(principal.role)},
            {QStringLiteral("hospital"), hospitalCode},
            {QStringLiteral("permissions"), permissions}};
}

QJsonObject AuthService::issueTokens(pqxx::transaction_base &tx,
                                     const Principal &principal,
                                     const QString &hospitalCode,
                                     QByteArray *refreshHash)
{
    const QString refreshToken = newRefreshToken(principal.hospitalId);
    const QByteArray hash = sha256(refreshToken.toLatin1());
    tx.exec_params0(
        "INSERT INTO refresh_tokens (hospital_id, session_id, token_hash, expires_at) "
        "SELECT $1, id, decode($3, 'hex'), absolute_expires_at FROM sessions WHERE id = $2::uuid",
        principal.hospitalId, principal.sessionId.toStdString(), hash.toHex().toStdString());
    if (refreshHash)
        *refreshHash = hash;
    return tokensBody(principal, hospitalCode, refreshToken);
}

QJsonObject AuthService::tokensBody(const Principal &principal,
                                    const QString &hospitalCode,
                                    const QString &refreshToken) const
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const AccessClaims claims = m_keys.newAccessClaims(
        QString::number(principal.userId), QString::number(principal.hospitalId),
        roleName(principal.role), principal.sessionId, now);
    return {{QStringLiteral("accessToken"), QString::fromLatin1(m_keys.signAccessToken(claims))},
            {QStringLiteral("refreshToken"), refreshToken},
            {QStringLiteral("tokenType"), QStringLiteral("Bearer")},
            {QStringLiteral("expiresIn"), claims.expiresAt - now},
            {QStringLiteral("user"), userJson(principal, hospitalCode)}};
}

QJsonObject AuthService::login(DbSession &db,
                               const QString &hospitalCode,
                               const QString &username,
                               const QString &password,
                               const ClientInfo &client)
{
    const std::string address = client.address.toStdString();
    if (const std::optional<int> wait = m_throttle.addressRetryAfter(address))
        throw locked(*wait);

    // 1. Look the user up (no lock held while Argon2 runs).
    std::optional<HospitalRow> hospital;
    std::optional<UserRow> user;
    {
        pqxx::work tx(db.connection());
        hospital = HospitalRepository::findByCode(tx, hospitalCode);
        if (hospital) {
            enterTenant(tx, hospital->id);
            user = UserRepository::findByUsername(tx, username.toLower());
        }
        tx.commit();
    }

    if (!user) {
        // Unknown hospital or user: same cost, same answer, and a lock after the same number
        // of failures as a real account would get.
        const std::string key = unknownUserKey(hospital ? hospital->id : 0, username);
        if (const std::optional<int> wait = m_throttle.unknownUserRetryAfter(key))
            throw locked(*wait);
        if (m_hasher.dummyVerify(password) == PasswordHasher::Verdict::Busy)
            throw hashingBusy();
        m_throttle.recordAddressFailure(address);
        m_throttle.recordUnknownUserFailure(key);
        if (hospital) {
            pqxx::work tx(db.connection());
            enterTenant(tx, hospital->id);
            AuditEntry audit = authAudit(hospital->id, QStringLiteral("auth.login"),
                                         QStringLiteral("failure"), client);
            audit.details = {{QStringLiteral("reason"), QStringLiteral("unknown-user")}};
            AuditLog::append(tx, audit);
            tx.commit();
        }
        throw invalidCredentials();
    }

    if (user->lockedUntil) {
        pqxx::work tx(db.connection());
        enterTenant(tx, hospital->id);
        AuditEntry audit = principalAudit(principalOf(*user), QStringLiteral("auth.login"),
                                          QStringLiteral("denied"), client);
        audit.details = {{QStringLiteral("reason"), QStringLiteral("locked")}};
        AuditLog::append(tx, audit);
        tx.commit();
        const qint64 seconds = QDateTime::currentDateTimeUtc().secsTo(*user->lockedUntil);
        throw locked(int(qMax<qint64>(1, seconds + 1)));
    }

    const PasswordHasher::Verdict verdict = m_hasher.verify(user->passwordHash, password);
    if (verdict == PasswordHasher::Verdict::Busy)
        throw hashingBusy();

    // 2. Record the outcome under the row lock.
    pqxx::work tx(db.connection());
    enterTenant(tx, hospital->id);
    const std::optional<UserRow> current = UserRepository::findByUsername(tx, user->username, true);
    if (!current)
        throw invalidCredentials();
    Principal principal = principalOf(*current);

    if (verdict == PasswordHasher::Verdict::Mismatch || current->disabled || current->lockedUntil) {
        if (verdict == PasswordHasher::Verdict::Mismatch)
            m_throttle.recordAddressFailure(address);
        AuditEntry audit = principalAudit(principal, QStringLiteral("auth.login"),
                                          QStringLiteral("failure"), client);
        QString reason = QStringLiteral("password");
        if (current->disabled)
            reason = QStringLiteral("disabled");
        else if (current->lockedUntil)
            reason = QStringLiteral("locked");
        audit.details = {{QStringLiteral("reason"), reason}};
        AuditLog::append(tx, audit);
        if (verdict == PasswordHasher::Verdict::Mismatch && !current->disabled) {
            const std::optional<QDateTime> lockedUntil = UserRepository::recordFailedLogin(
                tx, current->id, m_settings.lockThreshold, m_settings.lockBaseSeconds,
                m_settings.lockMaxSeconds);
            if (lockedUntil) {
                AuditEntry lockAudit = principalAudit(principal, QStringLiteral("auth.lockout"),
                                                      QStringLiteral("success"), client);
                lockAudit.details = {{QStringLiteral("until"), lockedUntil->toString(Qt::ISODate)}};
                AuditLog::append(tx, lockAudit);
                qCInfo(lcAuth) << "user" << current->id << "of hospital" << current->hospitalId
                               << "locked";
            }
        }
        tx.commit();
        throw invalidCredentials();
    }

    UserRepository::recordSuccessfulLogin(tx, current->id);
    if (m_hasher.needsRehash(current->passwordHash)) {
        if (const std::optional<std::string> rehashed = m_hasher.hash(password))
            UserRepository::setPasswordHash(tx, current->id, *rehashed);
    }
    principal.sessionId = QString::fromStdString(
        tx.exec_params1(
              "INSERT INTO sessions (hospital_id, user_id, absolute_expires_at, client_address) "
              "VALUES ($1, $2, now() + make_interval(secs => $3), $4) RETURNING id::text",
              principal.hospitalId, principal.userId, m_settings.sessionAbsoluteSeconds,
              client.address.toStdString())[0]
            .as<std::string>());
    AuditEntry audit =
        principalAudit(principal, QStringLiteral("auth.login"), QStringLiteral("success"), client);
    audit.details = {{QStringLiteral("session"), principal.sessionId}};
    AuditLog::append(tx, audit);
    const QJsonObject body = issueTokens(tx, principal, hospital->code, nullptr);
    tx.commit();
    return body;
}

QJsonObject
AuthService::refresh(DbSession &db, const QString &refreshToken, const ClientInfo &client)
{
    const std::optional<qint64> hospitalId = hospitalOfRefreshToken(refreshToken);
    if (!hospitalId)
        throw invalidRefreshToken();
    const QByteArray hash = sha256(refreshToken.toLatin1());

    pqxx::work tx(db.connection());
    enterTenant(tx, *hospitalId);
    const pqxx::result rows = tx.exec_params(
        "SELECT t.id, t.session_id::text, t.rotated_at IS NOT NULL, "
        "       t.rotated_at > now() - make_interval(secs => $2), t.revoked_at IS NOT NULL OR "
        "t.expires_at <= now(), "
        "       s.revoked_at IS NULL AND s.absolute_expires_at > now() "
        "         AND s.last_seen_at > now() - make_interval(secs => $3) AND u.disabled_at IS "
        "NULL, "
        "       u.id, u.role, u.username, u.display_name, h.code, t.successor_id, "
        "       t.successor_sealed, t.successor_seal_kid "
        "FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id "
        "JOIN users u ON u.hospital_id = s.hospital_id AND u.id = s.user_id "
        "JOIN hospitals h ON h.id = s.hospital_id "
        "WHERE t.token_hash = decode($1, 'hex') FOR UPDATE OF t, s",
        hash.toHex().toStdString(), m_settings.refreshGraceSeconds, m_settings.sessionIdleSeconds);
    if (rows.empty())
        throw invalidRefreshToken();
    const pqxx::row row = rows[0];
    Principal principal;
    principal.hospitalId = *hospitalId;
    principal.sessionId = QString::fromStdString(row[1].as<std::string>());
    principal.userId = row[6].as<qint64>();
    principal.role = roleFromName(QString::fromUtf8(row[7].c_str())).value_or(Role::Reception);
    principal.username = QString::fromUtf8(row[8].c_str());
    principal.displayName = QString::fromUtf8(row[9].c_str());
    const QString hospitalCode = QString::fromUtf8(row[10].c_str());
    const bool rotated = row[2].as<bool>();
    const bool withinGrace = !row[3].is_null() && row[3].as<bool>();
    const bool revoked = row[4].as<bool>();
    const bool sessionUsable = row[5].as<bool>();

    // Read in a statement of its own: after waiting for the row lock a concurrent refresh
    // must see the successor that the other transaction just committed (READ COMMITTED takes a
    // new snapshot per statement; the locked row itself is re-read, joined rows are not).
    const bool successorUnused = !row[11].is_null()
        && !tx.exec_params("SELECT 1 FROM refresh_tokens WHERE id = $1 AND rotated_at IS NULL "
                           "AND revoked_at IS NULL",
                           row[11].as<qint64>())
                .empty();

    if (rotated) {
        if (!sessionUsable)
            throw invalidRefreshToken(); // the family already ended: nothing left to protect
        // Grace covers only the immediate predecessor of a token not yet used itself.
        if (withinGrace && successorUnused && !revoked) {
            // A retry after a lost answer, or a concurrent refresh (on any instance): the same
            // successor, with a fresh access token, and no alarm.
            tx.commit();
            const std::optional<QByteArray> successor = row[12].is_null()
                ? std::nullopt
                : m_keys.open(QString::fromUtf8(row[13].c_str()),
                              QByteArray::fromStdString(pqxx::binarystring(row[12]).str()));
            if (!successor)
                throw invalidRefreshToken(); // sealed with a key no longer in the file
            return tokensBody(principal, hospitalCode, QString::fromLatin1(*successor));
        }
        // Reuse of a rotated token: assume it was stolen and end the whole family.
        tx.exec_params0(
            "UPDATE sessions SET revoked_at = now(), revoke_reason = 'refresh token reuse' "
            "WHERE id = $1::uuid AND revoked_at IS NULL",
            principal.sessionId.toStdString());
        tx.exec_params0("UPDATE refresh_tokens SET revoked_at = now() WHERE session_id = $1::uuid "
                        "AND revoked_at IS NULL",
                        principal.sessionId.toStdString());
        AuditEntry audit = principalAudit(principal, QStringLiteral("auth.refresh_token_reuse"),
                                          QStringLiteral("denied"), client);
        audit.details = {{QStringLiteral("session"), principal.sessionId}};
        AuditLog::append(tx, audit);
        tx.commit();
        qCWarning(lcAuth) << "refresh token reuse; session of user" << principal.userId
                          << "revoked";
        throw invalidRefreshToken();
    }
    if (revoked || !sessionUsable)
        throw invalidRefreshToken();

    QByteArray successorHash;
    const QJsonObject body = issueTokens(tx, principal, hospitalCode, &successorHash);
    QString sealKid;
    const QByteArray sealed =
        m_keys.seal(body.value(QStringLiteral("refreshToken")).toString().toLatin1(), &sealKid);
    tx.exec_params0(
        "UPDATE refresh_tokens SET rotated_at = now(), "
        "successor_id = (SELECT id FROM refresh_tokens WHERE token_hash = decode($2, 'hex')), "
        "successor_sealed = $3, successor_seal_kid = $4 WHERE id = $1",
        row[0].as<qint64>(), successorHash.toHex().toStdString(),
        pqxx::binarystring(sealed.constData(), std::size_t(sealed.size())), sealKid.toStdString());
    // This token's own predecessor no longer has a grace to give: drop its sealed copy.
    tx.exec_params0("UPDATE refresh_tokens SET successor_sealed = NULL, successor_seal_kid = NULL "
                    "WHERE successor_id = $1 AND successor_sealed IS NOT NULL",
                    row[0].as<qint64>());
    tx.exec_params0("UPDATE sessions SET last_seen_at = now() WHERE id = $1::uuid",
                    principal.sessionId.toStdString());
    tx.commit();
    return body;
}

void AuthService::logout(DbSession &db, const Principal &principal, const ClientInfo &client)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, principal.hospitalId);
    tx.exec_params0("UPDATE sessions SET revoked_at = now(), revoke_reason = 'logout' "
                    "WHERE id = $1::uuid AND revoked_at IS NULL",
                    principal.sessionId.toStdString());
    tx.exec_params0("UPDATE refresh_tokens SET revoked_at = now() WHERE session_id = $1::uuid AND "
                    "revoked_at IS NULL",
                    principal.sessionId.toStdString());
    AuditLog::append(tx,
                     principalAudit(principal, QStringLiteral("auth.logout"),
                                    QStringLiteral("success"), client));
    tx.commit();
}

QJsonObject AuthService::me(DbSession &db, const Principal &principal)
{
    pqxx::read_transaction tx(db.connection());
    const std::optional<HospitalRow> hospital =
        HospitalRepository::findById(tx, principal.hospitalId);
    return userJson(principal, hospital ? hospital->code : QString());
}

bool AuthService::csrfCheckPasses(const HttpRequest &request)
{
    // Double submit: a page of ours can read hms_csrf and echo it; another site cannot, and
    // SameSite=Strict keeps the cookies off cross-site requests in the first place.
    const QByteArray cookie = requestCookie(request, CsrfCookie);
    const QByteArray header = request.header("x-csrf-token");
    if (cookie.size() < 32 || cookie.size() != header.size()
        || sodium_memcmp(cookie.constData(), header.constData(), size_t(cookie.size())) != 0)
        return false;
    // A browser says where the request comes from; it must be this server (same Host).
    const QByteArray origin = request.header("origin");
    if (!origin.isNull()) {
        const QByteArray host = request.header("host");
        if (origin != "http://" + host && origin != "https://" + host)
            return false;
    }
    return true;
}

std::optional<HttpResponse> AuthService::authorize(RequestContext &context, const Route &route)
{
    const QByteArray header = context.request.header("authorization");
    QByteArray token;
    if (!header.isNull()) {
        if (header.size() < 8 || header.left(7).compare("Bearer ", Qt::CaseInsensitive) != 0)
            return HttpResponse::problem(
                problems::Unauthenticated,
                QStringLiteral("Send Authorization: Bearer <access token>"));
        token = header.mid(7).trimmed();
    } else {
        token = requestCookie(context.request, AccessCookie);
        if (token.isEmpty())
            return HttpResponse::problem(
                problems::Unauthenticated,
                QStringLiteral("Send Authorization: Bearer <access token>"));
        const QByteArray &method = context.request.method;
        if (method != "GET" && method != "HEAD" && !csrfCheckPasses(context.request))
            return HttpResponse::problem(
                problems::Forbidden,
                QStringLiteral("Cookie-authenticated writes need X-CSRF-Token from this origin"));
    }
    const std::optional<Principal> principal =
        authenticateToken(context.db, token, nullptr, route.companion.get(), &context.companion);
    if (!principal)
        return HttpResponse::problem(
            problems::Unauthenticated,
            QStringLiteral("The access token or its session is not valid"));

    if (const std::optional<Permission> needed = route.access.permission();
        needed && !roleHas(principal->role, *needed)) {
        pqxx::work tx(context.db.connection());
        enterTenant(tx, principal->hospitalId);
        AuditEntry audit =
            principalAudit(*principal, QStringLiteral("access.denied"), QStringLiteral("denied"),
                           {context.clientAddress(), QString::fromLatin1(context.requestId)});
        audit.category = QStringLiteral("access");
        audit.entity = QStringLiteral("route");
        audit.entityId = QString::fromLatin1(route.method) + QLatin1Char(' ') + route.pathTemplate;
        audit.details = {{QStringLiteral("permission"), permissionName(*needed)}};
        AuditLog::append(tx, audit);
        tx.commit();
        return HttpResponse::problem(
            problems::Forbidden,
            QStringLiteral("Your role may not do this (%1)").arg(permissionName(*needed)));
    }
    context.principal = principal;
    return std::nullopt;
}

std::optional<Principal> AuthService::authenticateToken(DbSession &db,
                                                        QByteArrayView token,
                                                        qint64 *expiresAt,
                                                        const SessionCompanion *companion,
                                                        std::optional<CompanionRow> *companionRow)
{
    const Result<AccessClaims> claims =
        m_keys.verifyAccessToken(token, QDateTime::currentSecsSinceEpoch());
    if (!claims) {
        qCInfo(lcAuth) << "rejected access token:" << claims.problem().detail; // never the token
        return std::nullopt;
    }
    bool hospitalOk = false;
    bool userOk = false;
    const qint64 hospitalId = claims.value().hospital.toLongLong(&hospitalOk);
    const qint64 userId = claims.value().subject.toLongLong(&userOk);
    if (!hospitalOk || !userOk || QUuid::fromString(claims.value().sessionId).isNull())
        return std::nullopt;

    // The session must be open and the user enabled; the role is today's, not the token's.
    // One statement outside a transaction block: one round trip (0013_request_path.sql).
    // A companion read joins it: no session row, no companion row either.
    // Columns: r_role, r_username, r_display_name, then the companion's.
    static const sql::Query SessionSql("SELECT * FROM hms_session_principal($1, $2::uuid, $3, $4)");
    // Prepared once per connection: parsing and planning it cost PostgreSQL about as much as
    // running it, on every request.
    pqxx::nontransaction tx(db.connection());
    pqxx::result rows;
    bool flag = false;
    if (companion) {
        flag = companion->flag(roleFromName(claims.value().role).value_or(Role::Reception));
        const sql::Query joined = SessionSql + " CROSS JOIN " + companion->call;
        rows = execPrepared(tx, companion->statementName(), joined, hospitalId,
                            claims.value().sessionId.toStdString(), userId,
                            m_settings.sessionIdleSeconds, flag);
    } else {
        rows = execPrepared(tx, "hms_session", SessionSql, hospitalId,
                            claims.value().sessionId.toStdString(), userId,
                            m_settings.sessionIdleSeconds);
    }
    if (rows.empty())
        return std::nullopt;
    Principal principal;
    principal.userId = userId;
    principal.hospitalId = hospitalId;
    principal.role = roleFromName(QString::fromUtf8(rows[0][0].c_str())).value_or(Role::Reception);
    principal.username = QString::fromUtf8(rows[0][1].c_str());
    principal.displayName = QString::fromUtf8(rows[0][2].c_str());
    principal.sessionId = claims.value().sessionId;
    if (companion && companionRow) {
        CompanionRow &row = companionRow->emplace();
        row.flag = flag;
        for (pqxx::row::size_type i = 3; i < rows[0].size(); ++i)
            row.columns.append(rows[0][i].is_null()
                                   ? QByteArray()
                                   : QByteArray(rows[0][i].c_str(), qsizetype(rows[0][i].size())));
    }
    if (expiresAt)
        *expiresAt = claims.value().expiresAt;
    return principal;
}

} // namespace hms::server
