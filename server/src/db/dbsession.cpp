#include "db/dbsession.h"

#include <pqxx/connection>
#include <pqxx/nontransaction>

namespace hms::server {

DbSession::DbSession(std::string connectionString, std::string setupSql)
    : m_connectionString(std::move(connectionString))
    , m_setupSql(std::move(setupSql))
{}

DbSession::~DbSession() = default;

pqxx::connection_base &DbSession::connection()
{
    if (m_connection && !m_connection->is_open())
        m_connection.reset();
    if (!m_connection) {
        auto connection = std::make_unique<pqxx::connection>(m_connectionString);
        if (!m_setupSql.empty()) {
            pqxx::nontransaction setup(*connection);
            setup.exec0(m_setupSql);
        }
        m_connection = std::move(connection);
    }
    return *m_connection;
}

void DbSession::reset()
{
    m_connection.reset();
}

bool DbSession::isConnected() const
{
    return m_connection && m_connection->is_open();
}

std::string withSessionDefaults(const std::string &connectionString, const char *applicationName)
{
    // libpq accepts both URIs and key=value strings; extra parameters go after '?' or '&' in a
    // URI and as more key=value pairs otherwise.
    const bool isUri = connectionString.rfind("postgresql://", 0) == 0
        || connectionString.rfind("postgres://", 0) == 0;
    std::string result = connectionString;
    auto add = [&](const std::string &key, const std::string &value) {
        if (connectionString.find(key + "=") != std::string::npos)
            return;
        if (isUri) {
            result += result.find('?') == std::string::npos ? '?' : '&';
            result += key + "=" + value;
        } else {
            result += " " + key + "='" + value + "'";
        }
    };
    add("connect_timeout", "5");
    add("application_name", applicationName);
    // statement_timeout 10 s, lock_timeout 5 s, idle_in_transaction_session_timeout 60 s
    add("options",
        isUri ? "-c%20statement_timeout%3D10000%20-c%20lock_timeout%3D5000%20-c%20"
                "idle_in_transaction_session_timeout%3D60000"
              : "-c statement_timeout=10000 -c lock_timeout=5000 -c "
                "idle_in_transaction_session_timeout=60000");
    return result;
}

} // namespace hms::server
