#include "users/userrepository.h"

#include "db/pgvalues.h"
#include "db/sql.h"

#include <pqxx/result>
#include <pqxx/transaction_base>

namespace hms::server {

namespace {

constexpr char Columns[] = "id, hospital_id, username, display_name, role, password_hash, "
                           "disabled_at IS NOT NULL AS disabled, "
                           "failed_logins, lockouts, CASE WHEN locked_until > now() THEN "
                           "to_char(locked_until AT TIME ZONE 'UTC', "
                           "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') END AS locked_until, "
                           "version";

UserRow fromRow(const pqxx::row &row)
{
    UserRow user;
    user.id = row["id"].as<qint64>();
    user.hospitalId = row["hospital_id"].as<qint64>();
    user.username = QString::fromUtf8(row["username"].c_str());
    user.displayName = QString::fromUtf8(row["display_name"].c_str());
    user.role = roleFromName(QString::fromUtf8(row["role"].c_str())).value_or(Role::Reception);
    user.passwordHash = row["password_hash"].as<std::string>();
    user.disabled = row["disabled"].as<bool>();
    user.failedLogins = row["failed_logins"].as<int>();
    user.lockouts = row["lockouts"].as<int>();
    if (!row["locked_until"].is_null())
        user.lockedUntil = QDateTime::fromString(QString::fromLatin1(row["locked_until"].c_str()),
                                                 Qt::ISODateWithMs);
    user.version = row["version"].as<int>();
    return user;
}

std::optional<UserRow> first(const pqxx::result &result)
{
    if (result.empty())
        return std::nullopt;
    return fromRow(result[0]);
}

} // namespace

std::optional<UserRow>
UserRepository::findByUsername(pqxx::transaction_base &tx, const QString &username, bool forUpdate)
{
    return first(
        tx.exec_params(sql::Query("SELECT ") + Columns
                           + " FROM users WHERE username = $1 AND hospital_id = app_hospital_id()"
                           + sql::when(forUpdate, " FOR UPDATE"),
                       username.toStdString()));
}

std::optional<UserRow>
UserRepository::findById(pqxx::transaction_base &tx, qint64 id, bool forUpdate)
{
    return first(
        tx.exec_params(sql::Query("SELECT ") + Columns
                           + " FROM users WHERE id = $1 AND hospital_id = app_hospital_id()"
                           + sql::when(forUpdate, " FOR UPDATE"),
                       id));
}

std::vector<UserRow> UserRepository::list(pqxx::transaction_base &tx)
{
    std::vector<UserRow> users;
    for (const pqxx::row &row :
         tx.exec(sql::Query("SELECT ") + Columns
                 + " FROM users WHERE hospital_id = app_hospital_id() ORDER BY username"))
        users.push_back(fromRow(row));
    return users;
}

std::vector<qint64> UserRepository::enabledIdsWithRole(pqxx::transaction_base &tx, Role role)
{
    std::vector<qint64> ids;
    for (const pqxx::row &row :
         tx.exec_params("SELECT id FROM users WHERE hospital_id = app_hospital_id() "
                        "AND role = $1 AND disabled_at IS NULL ORDER BY id",
                        roleName(role).toStdString()))
        ids.push_back(row[0].as<qint64>());
    return ids;
}

QHash<qint64, QString> UserRepository::enabledRoles(pqxx::transaction_base &tx,
                                                    const std::vector<qint64> &ids)
{
    QHash<qint64, QString> roles;
    for (const pqxx::row &row :
         tx.exec_params("SELECT id, role FROM users WHERE hospital_id = app_hospital_id() "
                        "AND id = ANY($1::bigint[]) AND disabled_at IS NULL",
                        arrayParam(ids)))
        roles.insert(row[0].as<qint64>(), fieldText(row[1]));
    return roles;
}

qint64 UserRepository::insert(pqxx::transaction_base &tx, const NewUser &user)
{
    return tx
        .exec_params1(
            "INSERT INTO users (hospital_id, username, display_name, role, password_hash) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
            user.hospitalId, user.username.toStdString(), user.displayName.toStdString(),
            roleName(user.role).toStdString(), user.passwordHash)[0]
        .as<qint64>();
}

void UserRepository::setRole(pqxx::transaction_base &tx, qint64 id, Role role)
{
    tx.exec_params0("UPDATE users SET role = $2, updated_at = now(), version = version + 1 WHERE "
                    "id = $1 AND hospital_id = app_hospital_id()",
                    id, roleName(role).toStdString());
}

void UserRepository::setDisplayName(pqxx::transaction_base &tx,
                                    qint64 id,
                                    const QString &displayName)
{
    tx.exec_params0("UPDATE users SET display_name = $2, updated_at = now(), version = version + 1 "
                    "WHERE id = $1 AND hospital_id = app_hospital_id()",
                    id, displayName.toStdString());
}

void UserRepository::setDisabled(pqxx::transaction_base &tx, qint64 id, bool disabled)
{
    tx.exec_params0(
        "UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END, "
        "updated_at = now(), version = version + 1 WHERE id = $1 AND hospital_id = "
        "app_hospital_id()",
        id, disabled);
}

void UserRepository::setPasswordHash(pqxx::transaction_base &tx, qint64 id, const std::string &hash)
{
    tx.exec_params0("UPDATE users SET password_hash = $2, password_changed_at = now(), "
                    "updated_at = now(), version = version + 1 WHERE id = $1 AND hospital_id = "
                    "app_hospital_id()",
                    id, hash);
}

void UserRepository::unlock(pqxx::transaction_base &tx, qint64 id)
{
    tx.exec_params0("UPDATE users SET failed_logins = 0, lockouts = 0, locked_until = NULL, "
                    "updated_at = now() WHERE id = $1 AND hospital_id = app_hospital_id()",
                    id);
}

std::optional<QDateTime> UserRepository::recordFailedLogin(pqxx::transaction_base &tx,
                                                           qint64 id,
                                                           int threshold,
                                                           int baseSeconds,
                                                           int maxSeconds)
{
    const pqxx::row row = tx.exec_params1(
        "UPDATE users SET "
        "  failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END, "
        "  lockouts = CASE WHEN failed_logins + 1 >= $2 THEN lockouts + 1 ELSE lockouts END, "
        "  locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(secs => "
        "      least($4::float8, $3::float8 * power(2, least(lockouts, 16)))) ELSE locked_until "
        "END "
        "WHERE id = $1 AND hospital_id = app_hospital_id() RETURNING CASE WHEN locked_until > "
        "now() AND failed_logins = 0 THEN "
        "  to_char(locked_until AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') END",
        id, threshold, baseSeconds, maxSeconds);
    if (row[0].is_null())
        return std::nullopt;
    return QDateTime::fromString(QString::fromLatin1(row[0].c_str()), Qt::ISODateWithMs);
}

void UserRepository::recordSuccessfulLogin(pqxx::transaction_base &tx, qint64 id)
{
    tx.exec_params0("UPDATE users SET failed_logins = 0, lockouts = 0, locked_until = NULL "
                    "WHERE id = $1 AND hospital_id = app_hospital_id() AND (failed_logins <> 0 OR "
                    "lockouts <> 0 OR locked_until IS NOT NULL)",
                    id);
}

int UserRepository::revokeSessions(pqxx::transaction_base &tx, qint64 userId, const QString &reason)
{
    const pqxx::result result = tx.exec_params(
        "UPDATE sessions SET revoked_at = now(), revoke_reason = $2 "
        "WHERE user_id = $1 AND hospital_id = app_hospital_id() AND revoked_at IS NULL",
        userId, reason.toStdString());
    tx.exec_params("UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND "
                   "session_id IN (SELECT id FROM sessions WHERE user_id = $1)",
                   userId);
    return int(result.affected_rows());
}

} // namespace hms::server
