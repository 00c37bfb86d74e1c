#pragma once

#include "auth/principal.h"
#include "opd/appointmentrepository.h"

#include <QJsonObject>

#include <pqxx/types>

#include <functional>
#include <optional>
#include <vector>

namespace hms::server {

class DbSession;
struct ClientInfo;

/// Doctors' schedules and OPD appointments. Schedule rules (weekday, local start and end,
/// slot length) and off days make the slots of a date in the hospital's time zone; an
/// appointment takes one slot, and PostgreSQL's exclusion constraint guarantees that no two
/// active appointments of a doctor overlap (a lost race is a 409 naming the slot). Every
/// appointment change appends one event (topic "queue:<department id>", type
/// "appointment.*") and one audit row in its own transaction. Another hospital's ids are
/// simply not found (404). Stateless; runs on database pool threads.
class AppointmentService
{
public:
    /// See PatientService::TransactionHooks (idempotency keys).
    struct TransactionHooks
    {
        std::function<bool(pqxx::transaction_base &)> begin;
        std::function<void(pqxx::transaction_base &, const AppointmentRow &)> beforeCommit;
    };

    static QJsonObject toJson(const ScheduleRow &schedule);
    static QJsonObject toJson(const SlotRow &slot);
    static QJsonObject toJson(const AppointmentRow &appointment);

    /// 404 unknown department; 422 (doctorId) when the doctor is not assigned to it.
    ScheduleRow createSchedule(DbSession &db,
                               const Principal &actor,
                               const ClientInfo &client,
                               qint64 departmentId,
                               qint64 doctorId,
                               int weekday,
                               const QString &startTime,
                               const QString &endTime,
                               int slotMinutes);
    std::vector<ScheduleRow> schedules(DbSession &db, const Principal &actor, qint64 departmentId);
    /// Removes a schedule rule: its slots are no longer offered; appointments already booked
    /// in them stay. 404 when the department has no such rule.
    void deleteSchedule(DbSession &db,
                        const Principal &actor,
                        const ClientInfo &client,
                        qint64 departmentId,
                        qint64 scheduleId);

    /// 404 when \a doctorId is not a doctor of this hospital. False when already off.
    bool addOffDay(DbSession &db,
                   const Principal &actor,
                   const ClientInfo &client,
                   qint64 doctorId,
                   const QString &date,
                   const std::optional<QString> &reason);
    /// 404 when \a doctorId is not a doctor of this hospital or the day was not off.
    void removeOffDay(DbSession &db,
                      const Principal &actor,
                      const ClientInfo &client,
                      qint64 doctorId,
                      const QString &date);
    /// The doctor's off days from \a fromDate on; 404 when not a doctor of this hospital.
    QStringList
    offDays(DbSession &db, const Principal &actor, qint64 doctorId, const QString &fromDate);

    /// Free future slots of the department on the local \a date (one doctor or all).
    /// 404 unknown department.
    std::vector<SlotRow> freeSlots(DbSession &db,
                                   const Principal &actor,
                                   qint64 departmentId,
                                   std::optional<qint64> doctorId,
                                   const QString &date);

    /// 404 unknown or inactive department, unknown patient, or a doctor not assigned to the
    /// department; 422 (start) when \a startsAt is not a future slot of the doctor's
    /// schedule; 409 (extension "slot") when the slot is taken. nullopt when hooks.begin()
    /// said stop.
    std::optional<AppointmentRow> book(DbSession &db,
                                       const Principal &actor,
                                       const ClientInfo &client,
                                       qint64 patientId,
                                       qint64 departmentId,
                                       qint64 doctorId,
                                       const QString &startsAt,
                                       const std::optional<QString> &reason,
                                       const TransactionHooks &hooks = {});

    /// Audited read. 404 unknown appointment.
    AppointmentRow
    appointment(DbSession &db, const Principal &actor, const ClientInfo &client, qint64 id);
    /// Audited with the patient ids shown.
    std::vector<AppointmentRow> forDoctorDay(DbSession &db,
                                             const Principal &actor,
                                             const ClientInfo &client,
                                             qint64 doctorId,
                                             const QString &date);
    /// 404 unknown patient. Audited.
    std::vector<AppointmentRow> forPatient(DbSession &db,
                                           const Principal &actor,
                                           const ClientInfo &client,
                                           qint64 patientId,
                                           int limit);

    /// 404 unknown, 412 stale version, 409 invalid-transition unless booked.
    AppointmentRow cancel(DbSession &db,
                          const Principal &actor,
                          const ClientInfo &client,
                          qint64 id,
                          int expectedVersion,
                          const QString &reason);
    /// Same doctor and department, another slot, in one UPDATE. As cancel(), plus 422 (start)
    /// and 409 (slot) like book().
    AppointmentRow reschedule(DbSession &db,
                              const Principal &actor,
                              const ClientInfo &client,
                              qint64 id,
                              int expectedVersion,
                              const QString &startsAt);

    /// Serialises bookings of one doctor (transaction-scoped advisory lock): concurrent
    /// inserts into an exclusion constraint can deadlock each other; queued they get a clean
    /// 409. The constraint stays the guarantee.
    static void lockDoctor(pqxx::transaction_base &tx, qint64 hospitalId, qint64 doctorId);
};

} // namespace hms::server
