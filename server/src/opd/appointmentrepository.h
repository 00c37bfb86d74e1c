#pragma once

#include <QString>
#include <QStringList>

#include <pqxx/types>

#include <optional>
#include <vector>

namespace hms::server {

/// One weekly schedule rule of a doctor in a department.
struct ScheduleRow
{
    qint64 id = 0;
    qint64 departmentId = 0;
    qint64 doctorId = 0;
    int weekday = 1; ///< ISO: 1 = Monday .. 7 = Sunday
    QString startTime; ///< HH:MM, the hospital's local time
    QString endTime;
    int slotMinutes = 0;
};

/// One slot: a doctor's [start, end) as ISO 8601 UTC text with Z.
struct SlotRow
{
    qint64 doctorId = 0;
    QString startsAt;
    QString endsAt;
};

/// One appointment as stored.
struct AppointmentRow
{
    qint64 id = 0;
    qint64 hospitalId = 0;
    qint64 departmentId = 0;
    qint64 doctorId = 0;
    qint64 patientId = 0;
    QString startsAt; ///< ISO 8601 UTC with Z
    QString endsAt;
    QString localDate; ///< YYYY-MM-DD of startsAt in the hospital's time zone
    QString reason;
    QString state; ///< booked | checked_in | cancelled
    QString cancelReason;
    std::optional<qint64> visitId;
    QString createdAt;
    int version = 1;
};

/// SQL for schedules, off days, slots and appointments. Every call borrows the caller's
/// transaction, already bound to the hospital (enterTenant); every query also filters on
/// hospital_id explicitly, under row-level security. Times cross this boundary as ISO 8601
/// text and are compared as timestamptz by PostgreSQL.
class AppointmentRepository
{
public:
    /// SQLSTATE of the appointments_no_double_booking exclusion constraint.
    static bool isOverlap(const std::exception &error);

    static ScheduleRow insertSchedule(pqxx::transaction_base &tx,
                                      qint64 hospitalId,
                                      qint64 departmentId,
                                      qint64 doctorId,
                                      int weekday,
                                      const QString &startTime,
                                      const QString &endTime,
                                      int slotMinutes,
                                      qint64 createdBy);
    /// True when the doctor has a rule on \a weekday overlapping [startTime, endTime).
    static bool scheduleOverlaps(pqxx::transaction_base &tx,
                                 qint64 hospitalId,
                                 qint64 doctorId,
                                 int weekday,
                                 const QString &startTime,
                                 const QString &endTime);
    static std::vector<ScheduleRow>
    schedules(pqxx::transaction_base &tx, qint64 hospitalId, qint64 departmentId);

    /// False when the day was already off.
    static bool insertOffDay(pqxx::transaction_base &tx,
                             qint64 hospitalId,
                             qint64 doctorId,
                             const QString &date,
                             const std::optional<QString> &reason,
                             qint64 createdBy);
    /// False when the day was not off.
    static bool deleteOffDay(pqxx::transaction_base &tx,
                             qint64 hospitalId,
                             qint64 doctorId,
                             const QString &date);
    /// The doctor's off days from \a fromDate on, as ISO dates, ascending.
    static QStringList offDays(pqxx::transaction_base &tx,
                               qint64 hospitalId,
                               qint64 doctorId,
                               const QString &fromDate);
    /// False when the department has no such schedule rule.
    static bool deleteSchedule(pqxx::transaction_base &tx,
                               qint64 hospitalId,
                               qint64 departmentId,
                               qint64 scheduleId);

    /// The slots of \a date (the hospital's local date) that start after now and overlap no
    /// active appointment of their doctor, by start then doctor.
    static std::vector<SlotRow> freeSlots(pqxx::transaction_base &tx,
                                          qint64 hospitalId,
                                          qint64 departmentId,
                                          std::optional<qint64> doctorId,
                                          const QString &date);

    /// The doctor's slot in the department that starts exactly at \a startsAt (any ISO 8601
    /// text PostgreSQL reads as timestamptz), booked or not; nullopt when there is none.
    static std::optional<SlotRow> slotAt(pqxx::transaction_base &tx,
                                         qint64 hospitalId,
                                         qint64 departmentId,
                                         qint64 doctorId,
                                         const QString &startsAt);

    /// True when \a startsAt is later than the transaction's start.
    static bool isFuture(pqxx::transaction_base &tx, const QString &startsAt);

    /// Throws pqxx::sql_error (isOverlap) when the doctor already has an active appointment
    /// overlapping [startsAt, endsAt).
    static AppointmentRow insertAppointment(pqxx::transaction_base &tx,
                                            qint64 hospitalId,
                                            qint64 departmentId,
                                            qint64 doctorId,
                                            qint64 patientId,
                                            const SlotRow &slot,
                                            const std::optional<QString> &reason,
                                            qint64 createdBy);

    static std::optional<AppointmentRow> findAppointment(pqxx::transaction_base &tx,
                                                         qint64 hospitalId,
                                                         qint64 id,
                                                         bool forUpdate = false);

    /// The doctor's appointments (every state) on the hospital's local \a date, by time.
    static std::vector<AppointmentRow> forDoctorDay(pqxx::transaction_base &tx,
                                                    qint64 hospitalId,
                                                    qint64 doctorId,
                                                    const QString &date);
    /// The patient's appointments (every state), latest first, at most \a limit.
    static std::vector<AppointmentRow>
    forPatient(pqxx::transaction_base &tx, qint64 hospitalId, qint64 patientId, int limit);

    /// booked -> cancelled when the version is still \a expectedVersion; nullopt otherwise.
    static std::optional<AppointmentRow> cancel(pqxx::transaction_base &tx,
                                                qint64 hospitalId,
                                                qint64 id,
                                                int expectedVersion,
                                                const QString &reason,
                                                qint64 userId);

    /// Moves a booked appointment to \a slot in one UPDATE (the exclusion constraint sees the
    /// old and new time together: throws pqxx::sql_error isOverlap when the slot is taken).
    static std::optional<AppointmentRow> moveTo(pqxx::transaction_base &tx,
                                                qint64 hospitalId,
                                                qint64 id,
                                                int expectedVersion,
                                                const SlotRow &slot,
                                                qint64 userId);

    /// booked -> checked_in, linked to \a visitId.
    static AppointmentRow markCheckedIn(pqxx::transaction_base &tx,
                                        qint64 hospitalId,
                                        qint64 id,
                                        qint64 visitId,
                                        qint64 userId);

    /// The appointment a visit was checked in from, if any.
    static std::optional<qint64>
    appointmentOfVisit(pqxx::transaction_base &tx, qint64 hospitalId, qint64 visitId);
};

} // namespace hms::server
