#pragma once

namespace hms::server {

class Router;
class PatientService;

/// /api/v1/patients: register (POST, Idempotency-Key honoured), search (GET ?q=), read,
/// update (PATCH with If-Match). patient.read for GET, patient.write for POST and PATCH.
/// \a service must outlive the router.
void registerPatientRoutes(Router &router, PatientService &service);

} // namespace hms::server
