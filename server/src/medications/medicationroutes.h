#pragma once

namespace hms::server {

class MedicationService;
class Router;

/// Prescriptions of an admission, stopping one, the medication administration record and a
/// ward's due list (API.md; server/openapi.yaml).
void registerMedicationRoutes(Router &router, MedicationService &service);

} // namespace hms::server
