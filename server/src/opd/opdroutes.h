#pragma once

namespace hms::server {

class Router;
class OpdService;

/// The OPD queue routes: /api/v1/departments (list: patient.read; create and assign doctors:
/// department.manage), /api/v1/visits (check-in: queue.manage, Idempotency-Key honoured),
/// /api/v1/departments/{id}/queue (board: patient.read), .../queue/call-next (queue.call)
/// and /api/v1/visits/{id}/transition (any signed-in user; the service checks the role
/// against the target state). \a service must outlive the router.
void registerOpdRoutes(Router &router, OpdService &service);

} // namespace hms::server
