#pragma once

namespace hms::server {

class Router;

/// GET /api/v1/health: {"status","database","schemaVersion","version"}; 503 problem+json
/// with "database":"down" while PostgreSQL cannot be reached. Public: load balancers and
/// systemd checks call it without a token, and it reveals no data.
void registerHealthRoutes(Router &router);

} // namespace hms::server
