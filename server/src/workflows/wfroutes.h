#pragma once

namespace hms::server {

class Router;

/// Admin-only workflow operator view (Permission::WorkflowManage), bound to the caller's
/// hospital: GET /api/v1/admin/workflows (?status=&type=&queue=&limit=), GET .../{id} with
/// the step journal, POST .../{id}/retry and .../{id}/cancel (audited).
void registerWorkflowAdminRoutes(Router &router);

} // namespace hms::server
