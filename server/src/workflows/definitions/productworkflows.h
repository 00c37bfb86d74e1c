#pragma once

#include <QJsonObject>
#include <QString>

#include <pqxx/types>

namespace hms::server::wf {

class Registry;
class WorkflowContext;

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

/// admitPatient v1 (started by IpdService::admit in the admission's transaction, key =
/// admission id). Input: {admissionId, patientId, bedId, wardId, actorUserId, depositMinor,
/// chargeCheckMs?}.
/// 1. notifyNurses: a notification "admission.created" (+ live event user:<id>) for each
///    enabled nurse on the ward's staff (ward_staff duty nurse).
/// 2. openAccount: the admission's inpatient account with the deposit (a credit line).
/// 3. chargeBedDays, then sleep until a second past the hospital's next local midnight
///    (database clock; at most chargeCheckMs when given, so tests need not wait a day),
///    repeated while the admission is active and its account open. Each pass charges every
///    missing day of the stay up to today (AccountRepository: one row per local day, unique
///    index), so a worker that was down catches up and nothing is charged twice.
namespace admitpatient {
inline constexpr char Type[] = "admitPatient";
inline constexpr int Version = 1;

/// Starts the run in \a tx (the admission's transaction). HMS_BED_CHARGE_CHECK_MS (server
/// environment, > 0) caps the wait between passes.
void start(pqxx::transaction_base &tx,
           qint64 hospitalId,
           qint64 admissionId,
           qint64 patientId,
           qint64 bedId,
           qint64 wardId,
           qint64 actorUserId,
           qint64 depositMinor);
} // namespace admitpatient

/// dischargePatient v1 (started by IpdService::discharge in the discharge's transaction,
/// which also puts the bed into cleaning; key = admission id). Input: {admissionId,
/// patientId, bedId, wardId, actorUserId, escalateAfterMs, accountPollMs?}.
/// 1. closeAccount: the last bed-day charges (up to and including the discharge day), the
///    account closed with its balance. Waits (accountPollMs: 30 s, or a tenth of
///    escalateAfterMs when shorter) while admitPatient has not opened the account yet.
/// 2. checkBed: the bed's status now (cleaning unless already cleaned or under maintenance).
/// 3. notifyHousekeeping: "bed.cleaning_needed" for each enabled nurse of the ward.
/// 4. waits for signal "bedCleaned" (IpdService::setStatus cleaning -> free) at most
///    escalateAfterMs (2 h) on the database clock; then
/// 5. escalate: "bed.cleaning_overdue" for each enabled supervisor of the ward, unless the
///    bed left cleaning meanwhile (maintenance).
namespace dischargepatient {
inline constexpr char Type[] = "dischargePatient";
inline constexpr int Version = 1;
inline constexpr char BedCleanedSignal[] = "bedCleaned";
inline constexpr qint64 DefaultEscalateAfterMs = 2LL * 60 * 60 * 1000;

/// Starts the run in \a tx (the discharge's transaction). HMS_BED_CLEANING_ESCALATION_MS
/// (server environment, > 0) replaces the 2 h.
void start(pqxx::transaction_base &tx,
           qint64 hospitalId,
           qint64 admissionId,
           qint64 patientId,
           qint64 bedId,
           qint64 wardId,
           qint64 actorUserId);

/// Sends "bedCleaned" to the discharge run of the bed's last discharged admission, in \a tx
/// (the cleaning -> free change's transaction). A bed that was cleaned after a transfer, or
/// whose run already ended, signals nothing.
void signalBedCleaned(pqxx::transaction_base &tx, qint64 hospitalId, qint64 bedId, qint64 userId);
} // namespace dischargepatient

QJsonObject admitPatient(WorkflowContext &ctx);
QJsonObject dischargePatient(WorkflowContext &ctx);

} // namespace hms::server::wf
