#pragma once

namespace hms::server {

class Router;

/// GET /api/v1/admissions/{id}/account (billing.read, audited): the admission's inpatient
/// account, its charges and the balance (minor units; > 0: the patient owes).
void registerAccountRoutes(Router &router);

} // namespace hms::server
