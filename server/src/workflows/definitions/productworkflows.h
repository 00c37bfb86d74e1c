#pragma once

#include <QString>

namespace hms::server::wf {

class Registry;

/// The workflows hms-worker ships (WORKER.md): registered as (type, version).
void registerProductWorkflows(Registry &registry);

/// registerPatient v1 (started by PatientService in the registration's transaction, key =
/// patient id). Input: {patientId, actorUserId, departmentId?, reminderAfterMs}.
/// 1. notifyDoctors: a notification (+ live event user:<id>) for each enabled doctor of the
///    requested check-in department; nobody without a department.
/// 2. checkIn: the OPD visit in that department (skipped when the patient already has an
///    open visit there or the department was deactivated meanwhile).
/// 3. sleep reminderAfterMs (24 h) on the database clock.
/// 4. remindReception: when address or emergency contact are still missing, a notification
///    for each enabled reception user.
namespace registerpatient {
inline constexpr char Type[] = "registerPatient";
inline constexpr int Version = 1;
inline constexpr qint64 DefaultReminderAfterMs = 24LL * 60 * 60 * 1000;
} // namespace registerpatient

} // namespace hms::server::wf
