#include "db/tenant.h"

#include <pqxx/transaction_base>

#include <string>

namespace hms::server {

void enterTenant(pqxx::transaction_base &tx, qint64 hospitalId)
{
    tx.exec_params("SELECT set_config('app.hospital_id', $1, true)", std::to_string(hospitalId));
}

} // namespace hms::server
