#pragma once

namespace hms::server {

class Router;

/// GET /api/v1/notifications (the caller's own, ?unread=true, ?limit=) and
/// POST /api/v1/notifications/{id}/read. Any signed-in user; another user's or another
/// hospital's notification is not found (404).
void registerNotificationRoutes(Router &router);

} // namespace hms::server
