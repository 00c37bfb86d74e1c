#pragma once

namespace hms::server {

class NursingService;
class Router;

/// Vitals charting and nursing notes of an admission (API.md; server/openapi.yaml).
void registerNursingRoutes(Router &router, NursingService &service);

} // namespace hms::server
