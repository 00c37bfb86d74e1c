#include "db/tenant.h"

#include "db/prepared.h"

#include <pqxx/transaction_base>

#include <string>

namespace hms::server {

void enterTenant(pqxx::transaction_base &tx, qint64 hospitalId)
{
    // Sent in every transaction (the binding is transaction-local, SECURITY.md T5), so it is
    // prepared once per connection and only executed after that.
    execPrepared(tx, "hms_tenant", "SELECT set_config('app.hospital_id', $1, true)",
                 std::to_string(hospitalId));
}

} // namespace hms::server
