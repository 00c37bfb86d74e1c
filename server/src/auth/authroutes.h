#pragma once

namespace hms::server {

class AuthService;
class Router;

/// POST /auth/login, /auth/refresh, /auth/logout and GET /auth/me (API.md "Auth").
/// \a service is borrowed and must outlive the router.
void registerAuthRoutes(Router &router, AuthService &service);

} // namespace hms::server
