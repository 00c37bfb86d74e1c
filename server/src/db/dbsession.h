#pragma once

#include <pqxx/types>

#include <memory>
#include <string>

namespace hms::server {

/// The database connection of one pool thread. Connects lazily, so a server can start
/// while PostgreSQL is down, and reconnects after the connection broke.
/// Only ever used by the thread that owns it (libpqxx connections are not thread-safe).
class DbSession
{
public:
    /// \a setupSql runs once on every new connection (e.g. "SET ROLE hms_app"); may be empty.
    explicit DbSession(std::string connectionString, std::string setupSql = {});
    ~DbSession();

    DbSession(const DbSession &) = delete;
    DbSession &operator=(const DbSession &) = delete;

    /// The open connection; connects first when needed.
    /// Throws pqxx::broken_connection when PostgreSQL cannot be reached.
    pqxx::connection_base &connection();

    /// Drops the connection after a failure, so the next use reconnects.
    void reset();

    bool isConnected() const;

private:
    std::string m_connectionString;
    std::string m_setupSql;
    std::unique_ptr<pqxx::connection_base> m_connection;
};

/// Adds the session settings every server connection needs (SECURITY.md "DB timeouts")
/// unless the URL already sets them.
std::string withSessionDefaults(const std::string &connectionString, const char *applicationName);

} // namespace hms::server
