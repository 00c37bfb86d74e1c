#pragma once

namespace hms::server {

class BedBoard;
class IpdService;
class Router;

/// The inpatient routes: /api/v1/wards (list: bed.read; create: ward.manage), /api/v1/beds
/// (list: bed.read, from BedBoard's cache; create: ward.manage), /beds/{id}/status
/// (housekeeping and maintenance, If-Match: bed.manage), /beds/{id}/reservation (POST and
/// DELETE: admission.manage), /api/v1/admissions (admit: admission.manage, Idempotency-Key;
/// list and read: clinical.read, audited),
/// /admissions/{id}/transfer (admission.manage), /admissions/{id}/discharge
/// (admission.manage + clinical.write), /api/v1/bed-board and /api/v1/census (bed.read).
/// \a service and \a board must outlive the router.
void registerIpdRoutes(Router &router, IpdService &service, BedBoard &board);

} // namespace hms::server
