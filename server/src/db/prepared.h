#pragma once

#include <pqxx/connection_base>
#include <pqxx/result>
#include <pqxx/transaction_base>

#include <string>
#include <utility>

namespace hms::server {

/// Runs \a definition as the prepared statement \a name on \a tx's connection: declared on
/// the connection at first use (again after a reconnect, which gives a new connection), so a
/// hot statement is parsed and planned once per connection instead of on every call.
/// \a definition must be built from constants (sql::Query) and be the only one ever used
/// with \a name: libpqxx refuses a redefinition.
template<typename... Args>
pqxx::result execPrepared(pqxx::transaction_base &tx,
                          const std::string &name,
                          const std::string &definition,
                          Args &&...args)
{
    tx.conn().prepare(name, definition);
    return tx.exec_prepared(name, std::forward<Args>(args)...);
}

} // namespace hms::server
