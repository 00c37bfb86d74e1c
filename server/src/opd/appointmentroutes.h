#pragma once

namespace hms::server {

class Router;
class AppointmentService;

/// Schedules and appointments: /api/v1/departments/{id}/schedules (list: patient.read;
/// create: department.manage), /api/v1/doctors/{id}/off-days (department.manage),
/// /api/v1/departments/{id}/slots?date=&doctorId= (free slots: patient.read) and
/// /api/v1/appointments[/{id}[/cancel|/reschedule]] (appointment.manage; booking honours
/// Idempotency-Key, changes need If-Match). \a service must outlive the router.
void registerAppointmentRoutes(Router &router, AppointmentService &service);

} // namespace hms::server
