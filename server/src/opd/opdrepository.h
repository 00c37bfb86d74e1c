#pragma once

#include <QString>

#include <pqxx/types>

#include <optional>
#include <vector>

namespace hms::server {

/// One OPD department as stored.
struct DepartmentRow
{
    qint64 id = 0;
    QString code;
    QString name;
    bool active = true;
    int version = 1;
};

/// One visit (a patient in a department's queue on one day).
struct VisitRow
{
    qint64 id = 0;
    qint64 hospitalId = 0;
    qint64 departmentId = 0;
    qint64 patientId = 0;
    QString visitDate; ///< YYYY-MM-DD, the hospital's local date at check-in
    int token = 0;
    QString state;
    QString createdAt; ///< ISO 8601 UTC with Z; the others are empty when not reached
    QString calledAt;
    std::optional<qint64> calledBy;
    QString startedAt;
    QString completedAt;
    std::optional<qint64> appointmentId; ///< the appointment it was checked in from
    int version = 1;
};

/// One line of a department's queue board.
struct QueueItem
{
    qint64 visitId = 0;
    int token = 0;
    QString state;
    qint64 patientId = 0;
    QString mrn;
    QString fullName;
    int waitingMinutes = 0; ///< check-in until called (or ended, or now while waiting)
};

/// SQL for departments, their doctors, visits and token counters. Every call borrows the
/// caller's transaction, already bound to the hospital (enterTenant); every query also
/// filters on hospital_id explicitly, under row-level security.
class OpdRepository
{
public:
    /// nullopt when the code is taken in this hospital.
    static std::optional<DepartmentRow> insertDepartment(pqxx::transaction_base &tx,
                                                         qint64 hospitalId,
                                                         const QString &code,
                                                         const QString &name,
                                                         qint64 createdBy);
    static std::vector<DepartmentRow> departments(pqxx::transaction_base &tx, qint64 hospitalId);
    static std::optional<DepartmentRow>
    findDepartment(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id);
    /// Sets the name and the active flag when the version still is \a expectedVersion;
    /// nullopt when it is not (or the department does not exist).
    static std::optional<DepartmentRow> updateDepartment(pqxx::transaction_base &tx,
                                                         qint64 hospitalId,
                                                         qint64 id,
                                                         int expectedVersion,
                                                         const QString &name,
                                                         bool active,
                                                         qint64 updatedBy);
    /// False when the user was not a doctor of the department.
    static bool
    removeDoctor(pqxx::transaction_base &tx, qint64 hospitalId, qint64 departmentId, qint64 userId);

    /// True when \a userId is an enabled doctor of this hospital.
    static bool isDoctor(pqxx::transaction_base &tx, qint64 hospitalId, qint64 userId);

    /// A department's doctors (users whose role is still doctor) with their display names, by
    /// name; disabled ones included and marked, so old appointments still show who they were.
    struct DoctorRow
    {
        qint64 userId = 0;
        QString displayName;
        bool enabled = true;
    };

    static std::vector<DoctorRow>
    departmentDoctors(pqxx::transaction_base &tx, qint64 hospitalId, qint64 departmentId);
    /// False when the doctor was already assigned.
    static bool
    addDoctor(pqxx::transaction_base &tx, qint64 hospitalId, qint64 departmentId, qint64 userId);
    static bool
    isAssigned(pqxx::transaction_base &tx, qint64 hospitalId, qint64 departmentId, qint64 userId);

    /// Today in the hospital's time zone (YYYY-MM-DD), at the transaction's start time.
    static QString today(pqxx::transaction_base &tx, qint64 hospitalId);

    /// True when the patient exists in this hospital and was not merged away.
    static bool patientExists(pqxx::transaction_base &tx, qint64 hospitalId, qint64 patientId);
    /// True when the patient is waiting, called or in consultation in the department.
    static bool hasOpenVisit(pqxx::transaction_base &tx,
                             qint64 hospitalId,
                             qint64 departmentId,
                             qint64 patientId);

    /// The next token of (department, date); locks the counter row until the transaction
    /// ends, so a rollback gives the number back.
    static int nextToken(pqxx::transaction_base &tx,
                         qint64 hospitalId,
                         qint64 departmentId,
                         const QString &visitDate);

    /// Inserts a waiting visit; throws pqxx::unique_violation when the patient already has
    /// an open visit in the department.
    static VisitRow insertVisit(pqxx::transaction_base &tx,
                                qint64 hospitalId,
                                qint64 departmentId,
                                qint64 patientId,
                                const QString &visitDate,
                                int token,
                                qint64 createdBy);

    static std::optional<VisitRow>
    findVisit(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id, bool forUpdate = false);

    /// Atomically moves the lowest waiting token of (department, date) to "called" by
    /// \a doctorId: `FOR UPDATE SKIP LOCKED`, so concurrent callers never take the same visit.
    /// nullopt when nobody waits.
    static std::optional<VisitRow> callNext(pqxx::transaction_base &tx,
                                            qint64 hospitalId,
                                            qint64 departmentId,
                                            const QString &visitDate,
                                            qint64 doctorId);

    /// Sets the state (and its timestamp) when the version is still \a expectedVersion;
    /// bumps the version. nullopt when the version is stale.
    static std::optional<VisitRow> setState(pqxx::transaction_base &tx,
                                            qint64 hospitalId,
                                            qint64 id,
                                            int expectedVersion,
                                            const QString &state,
                                            qint64 userId);

    /// The department's visits of \a visitDate, by token, with the patients' names.
    static std::vector<QueueItem> queue(pqxx::transaction_base &tx,
                                        qint64 hospitalId,
                                        qint64 departmentId,
                                        const QString &visitDate);
};

} // namespace hms::server
