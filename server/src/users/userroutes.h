#pragma once

namespace hms::server {

class Router;
class UserAdminService;

/// /api/v1/admin/users: list, create, read, update (If-Match), disable, enable, unlock,
/// reset password, end sessions. All need user.manage. \a service must outlive the router.
void registerUserRoutes(Router &router, UserAdminService &service);

} // namespace hms::server
