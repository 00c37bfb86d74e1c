#pragma once

namespace hms::api {

/// Every REST path template, defined once for the server's route table and the client.
inline constexpr char Base[] = "/api/v1";
inline constexpr char Health[] = "/api/v1/health";
inline constexpr char Live[] = "/api/v1/live";

inline constexpr char AuthLogin[] = "/api/v1/auth/login";
inline constexpr char AuthRefresh[] = "/api/v1/auth/refresh";
inline constexpr char AuthLogout[] = "/api/v1/auth/logout";
inline constexpr char AuthMe[] = "/api/v1/auth/me";

inline constexpr char AdminUsers[] = "/api/v1/admin/users";
inline constexpr char AdminUser[] = "/api/v1/admin/users/{id}";
inline constexpr char Audit[] = "/api/v1/audit";

inline constexpr char Patients[] = "/api/v1/patients";
inline constexpr char Patient[] = "/api/v1/patients/{id}";
inline constexpr char PatientMerge[] = "/api/v1/patients/{id}/merge";

inline constexpr char Departments[] = "/api/v1/departments";
inline constexpr char Department[] = "/api/v1/departments/{id}";
inline constexpr char DepartmentDoctors[] = "/api/v1/departments/{id}/doctors";
inline constexpr char DepartmentDoctor[] = "/api/v1/departments/{id}/doctors/{userId}";
inline constexpr char DepartmentQueue[] = "/api/v1/departments/{id}/queue";
inline constexpr char DepartmentCallNext[] = "/api/v1/departments/{id}/queue/call-next";
inline constexpr char Visits[] = "/api/v1/visits";
inline constexpr char VisitTransition[] = "/api/v1/visits/{id}/transition";
inline constexpr char Visit[] = "/api/v1/visits/{id}";

inline constexpr char DepartmentSchedules[] = "/api/v1/departments/{id}/schedules";
inline constexpr char DepartmentSlots[] = "/api/v1/departments/{id}/slots";
inline constexpr char DepartmentSchedule[] = "/api/v1/departments/{id}/schedules/{scheduleId}";
inline constexpr char DoctorOffDays[] = "/api/v1/doctors/{id}/off-days";
inline constexpr char DoctorOffDay[] = "/api/v1/doctors/{id}/off-days/{date}";
inline constexpr char Appointments[] = "/api/v1/appointments";
inline constexpr char Appointment[] = "/api/v1/appointments/{id}";
inline constexpr char AppointmentCancel[] = "/api/v1/appointments/{id}/cancel";
inline constexpr char AppointmentReschedule[] = "/api/v1/appointments/{id}/reschedule";

inline constexpr char PatientDocuments[] = "/api/v1/patients/{id}/documents";
inline constexpr char PatientDocument[] = "/api/v1/patients/{id}/documents/{docId}";
inline constexpr char PatientDocumentVersions[] =
    "/api/v1/patients/{id}/documents/{docId}/versions";

inline constexpr char Wards[] = "/api/v1/wards";
inline constexpr char Beds[] = "/api/v1/beds";
inline constexpr char BedStatus[] = "/api/v1/beds/{id}/status";
inline constexpr char BedReservation[] = "/api/v1/beds/{id}/reservation";
inline constexpr char BedBoard[] = "/api/v1/bed-board";
inline constexpr char Census[] = "/api/v1/census";
inline constexpr char Admissions[] = "/api/v1/admissions";
inline constexpr char Admission[] = "/api/v1/admissions/{id}";
inline constexpr char AdmissionTransfer[] = "/api/v1/admissions/{id}/transfer";
inline constexpr char AdmissionDischarge[] = "/api/v1/admissions/{id}/discharge";
inline constexpr char AdmissionPrescriptions[] = "/api/v1/admissions/{id}/prescriptions";
inline constexpr char PrescriptionStop[] = "/api/v1/prescriptions/{id}/stop";
inline constexpr char PrescriptionAdministrations[] = "/api/v1/prescriptions/{id}/administrations";
inline constexpr char WardMedicationsDue[] = "/api/v1/wards/{id}/medications/due";
inline constexpr char WardMedicationAdministrations[] =
    "/api/v1/wards/{id}/medications/administrations";
inline constexpr char AdmissionVitals[] = "/api/v1/admissions/{id}/vitals";
inline constexpr char AdmissionNursingNotes[] = "/api/v1/admissions/{id}/nursing-notes";
inline constexpr char AdmissionAccount[] = "/api/v1/admissions/{id}/account";
inline constexpr char WardStaff[] = "/api/v1/wards/{id}/staff";
inline constexpr char Notifications[] = "/api/v1/notifications";
inline constexpr char NotificationRead[] = "/api/v1/notifications/{id}/read";

inline constexpr char AdminWorkflows[] = "/api/v1/admin/workflows";
inline constexpr char AdminWorkflow[] = "/api/v1/admin/workflows/{id}";
inline constexpr char AdminWorkflowRetry[] = "/api/v1/admin/workflows/{id}/retry";
inline constexpr char AdminWorkflowCancel[] = "/api/v1/admin/workflows/{id}/cancel";

} // namespace hms::api
