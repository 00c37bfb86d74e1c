#pragma once

namespace hms::server {

class Router;

/// GET and PUT /api/v1/wards/{id}/staff (ward.manage): the ward's nurses and supervisors.
/// PUT {"nurses": [ids], "supervisors": [ids]} replaces both lists (audited); see
/// WardStaffService for who may take which duty.
void registerWardStaffRoutes(Router &router);

} // namespace hms::server
