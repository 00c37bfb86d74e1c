#pragma once

#include <QtGlobal>

#include <pqxx/types>

#include <string_view>

namespace hms::server {

/// Binds the open transaction \a tx to hospital \a hospitalId for row-level security
/// (`set_config('app.hospital_id', id, true)`: transaction-local, so a pooled connection
/// never carries a tenant into its next transaction; SECURITY.md T5).
void enterTenant(pqxx::transaction_base &tx, qint64 hospitalId);

/// The role every pooled server connection switches to (SET ROLE), so row-level security
/// applies even when the configured login is the schema owner.
inline constexpr char ApplicationDbRole[] = "hms_app";
inline constexpr char SetRoleApplication[] = "SET ROLE hms_app";
inline constexpr char SetLocalRoleApplication[] = "SET LOCAL ROLE hms_app";
static_assert(std::string_view(SetRoleApplication).ends_with(ApplicationDbRole)
              && std::string_view(SetLocalRoleApplication).ends_with(ApplicationDbRole));

} // namespace hms::server
