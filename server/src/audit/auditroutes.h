#pragma once

namespace hms::server {

class Router;

/// GET /api/v1/audit (audit.read): who did what, filtered by actor, entity, patient, action,
/// outcome and time, newest first with a keyset cursor. The query itself is audited.
void registerAuditRoutes(Router &router);

} // namespace hms::server
