#pragma once

#include "auth/principal.h"
#include "opd/opdrepository.h"

#include <QJsonObject>
#include <QStringList>

#include <pqxx/types>

#include <functional>
#include <optional>
#include <vector>

namespace hms::server {

class DbSession;
struct ClientInfo;

/// The OPD queue: departments and their doctors, check-in with a gapless token per
/// department and day, "call next" that never hands one patient to two doctors, state
/// transitions with optimistic locking, and the queue board. One transaction per call;
/// every queue change appends one event (topic "queue:<department id>") and one audit row
/// in it. Another hospital's department, patient or visit is simply not found (404).
/// Stateless; runs on database pool threads.
class OpdService
{
public:
    /// Visit states; the first three are "open".
    static const QStringList States;
    /// What POST /visits/{id}/transition accepts as "to" ("called" only via call-next).
    static const QStringList TransitionTargets;

    /// True when a visit may go from \a from to \a to.
    static bool isAllowedTransition(const QString &from, const QString &to);
    /// True when \a role may move a visit to \a to: in_consultation and completed need
    /// queue.call; waiting (recall), no_show and cancelled need queue.call or queue.manage.
    static bool mayTransitionTo(Role role, const QString &to);

    /// See PatientService::TransactionHooks (idempotency keys).
    struct TransactionHooks
    {
        std::function<bool(pqxx::transaction_base &)> begin;
        std::function<void(pqxx::transaction_base &, const VisitRow &)> beforeCommit;
    };

    static QJsonObject toJson(const DepartmentRow &department);
    static QJsonObject toJson(const VisitRow &visit);
    static QString topicOf(qint64 departmentId);

    /// 409 when the code is taken in this hospital.
    DepartmentRow createDepartment(DbSession &db,
                                   const Principal &actor,
                                   const ClientInfo &client,
                                   const QString &code,
                                   const QString &name);
    std::vector<DepartmentRow> departments(DbSession &db, const Principal &actor);
    /// 404 for an unknown department.
    DepartmentRow department(DbSession &db, const Principal &actor, qint64 departmentId);

    /// What a PATCH may change; unset keeps the current value.
    struct DepartmentChanges
    {
        std::optional<QString> name;
        std::optional<bool> active;
    };

    /// Renames and/or (de)activates; 404 unknown, 412 stale version. Appends
    /// "department.updated" on the department's queue topic so boards show the new name.
    /// A deactivated department takes no new check-ins or bookings; what it has stays.
    DepartmentRow updateDepartment(DbSession &db,
                                   const Principal &actor,
                                   const ClientInfo &client,
                                   qint64 departmentId,
                                   int expectedVersion,
                                   const DepartmentChanges &changes);
    /// The department's doctors with display names, for booking and queue screens. 404 for an
    /// unknown department.
    std::vector<OpdRepository::DoctorRow>
    doctors(DbSession &db, const Principal &actor, qint64 departmentId);
    /// Takes a doctor out of a department; 404 for an unknown department or when the user
    /// is not one of its doctors. Their visits and appointments stay as they are.
    void removeDoctor(DbSession &db,
                      const Principal &actor,
                      const ClientInfo &client,
                      qint64 departmentId,
                      qint64 userId);
    /// 404 for an unknown department, 422 (userId) when the user is not an enabled doctor of
    /// this hospital. False when the doctor was already assigned (nothing written).
    bool assignDoctor(DbSession &db,
                      const Principal &actor,
                      const ClientInfo &client,
                      qint64 departmentId,
                      qint64 userId);

    /// What a check-in names: a walk-in gives patientId and departmentId; a check-in from an
    /// appointment gives appointmentId (patientId and departmentId, when given too, must be
    /// the appointment's).
    struct CheckInRequest
    {
        std::optional<qint64> patientId;
        std::optional<qint64> departmentId;
        std::optional<qint64> appointmentId;
    };

    /// A new waiting visit with the department's next token of today. 404 for an unknown
    /// or inactive department, an unknown patient or appointment, 409 when the patient
    /// already has an open visit there, 409 invalid-transition when the appointment is not
    /// booked (already checked in, cancelled) or not for today, 422 when the ids do not
    /// match the appointment. From an appointment, the appointment becomes checked_in and
    /// names the visit, in the same transaction. nullopt when hooks.begin() said stop.
    std::optional<VisitRow> checkIn(DbSession &db,
                                    const Principal &actor,
                                    const ClientInfo &client,
                                    const CheckInRequest &request,
                                    const TransactionHooks &hooks = {});

    /// One visit; audited as a demographic read. 404 unknown visit.
    VisitRow visit(DbSession &db, const Principal &actor, const ClientInfo &client, qint64 id);

    /// The lowest waiting token of today, now "called" by the actor. 404 for an unknown
    /// department, 403 when the actor is not one of its doctors, 404 queue-empty when
    /// nobody waits.
    VisitRow
    callNext(DbSession &db, const Principal &actor, const ClientInfo &client, qint64 departmentId);

    /// 403 (audited) when the actor's role may not move a visit to \a to, 404 unknown
    /// visit, 412 stale \a expectedVersion, 409 invalid-transition.
    VisitRow transition(DbSession &db,
                        const Principal &actor,
                        const ClientInfo &client,
                        qint64 visitId,
                        int expectedVersion,
                        const QString &to);

    struct Queue
    {
        QString date;
        std::vector<QueueItem> items;
    };

    /// Today's visits of the department by token; audited as a demographic read with the
    /// patient ids it shows. 404 for an unknown department.
    Queue
    queue(DbSession &db, const Principal &actor, const ClientInfo &client, qint64 departmentId);
};

} // namespace hms::server
