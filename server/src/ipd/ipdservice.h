#pragma once

#include "auth/principal.h"
#include "ipd/ipdrepository.h"

#include <QJsonObject>
#include <QStringList>

#include <pqxx/types>

#include <functional>
#include <optional>
#include <vector>

namespace hms::server {

class DbSession;
class DocumentStore;
struct ClientInfo;

/// What a discharge writes into its discharge summary document.
struct DischargeInput
{
    QString summary;
    QString followUp; ///< empty: none
    QString outcome; ///< empty: none; one of IpdService::DischargeOutcomes
};

/// Inpatient wards, beds and stays: ward and bed set-up, admission, reservation, transfer,
/// discharge (with a discharge summary through the DocumentStore), housekeeping and
/// maintenance. One transaction per call; every bed change takes the bed row lock
/// (SELECT ... FOR UPDATE) so its status and the admissions agree, appends one event per bed
/// on topic "beds:<ward id>" (ids and states only) and one audit row, in that transaction.
/// The database's unique partial indexes back the one-active-admission rules up (C3).
/// Another hospital's ward, bed, patient or admission is simply not found (404).
/// Stateless apart from the document store; runs on database pool threads.
class IpdService
{
public:
    static const QStringList WardKinds;
    static const QStringList BedFeatures;
    static const QStringList BedStatuses;
    static const QStringList AdmissionStatuses;
    static const QStringList DischargeOutcomes;
    static constexpr int MaxReservationMinutes = 24 * 60;

    /// The whole bed state machine: free -> reserved | occupied | maintenance;
    /// reserved -> free | occupied | reserved; occupied -> cleaning; cleaning -> free |
    /// maintenance; maintenance -> free.
    static bool isAllowedTransition(const QString &from, const QString &to);
    /// The part of it a person sets directly (POST /beds/{id}/status): housekeeping
    /// (cleaning -> free) and maintenance on and off. The rest goes through admissions and
    /// reservations.
    static bool isManualTransition(const QString &from, const QString &to);

    static QString topicOf(qint64 wardId);
    static QJsonObject toJson(const WardRow &ward);
    static QJsonObject toJson(const AdmissionRow &admission);
    static QByteArray bedJson(const BedRow &bed);

    /// \a store must outlive the service.
    explicit IpdService(DocumentStore &store)
        : m_store(store)
    {}

    /// 409 when the code is taken in this hospital.
    WardRow createWard(DbSession &db,
                       const Principal &actor,
                       const ClientInfo &client,
                       const QString &code,
                       const QString &name,
                       const QString &kind);
    std::vector<WardRow> wards(DbSession &db, const Principal &actor);

    /// 404 for an unknown ward, 409 when the room has a bed with this code.
    BedRow createBed(DbSession &db,
                     const Principal &actor,
                     const ClientInfo &client,
                     qint64 wardId,
                     const QString &room,
                     const QString &code,
                     const QStringList &features,
                     qint64 dailyRate);

    /// See PatientService::TransactionHooks (idempotency keys).
    struct TransactionHooks
    {
        std::function<bool(pqxx::transaction_base &)> begin;
        std::function<void(pqxx::transaction_base &, const AdmissionRow &)> beforeCommit;
    };

    /// 404 unknown patient or bed, 422 attendingDoctorId/visitId, 409 when the bed is not
    /// free (nor reserved for this patient) or the patient is already admitted. nullopt when
    /// hooks.begin() said stop.
    std::optional<AdmissionRow> admit(DbSession &db,
                                      const Principal &actor,
                                      const ClientInfo &client,
                                      const NewAdmission &admission,
                                      const TransactionHooks &hooks = {});

    /// free -> reserved for \a patientId, expiring after \a minutes (database clock).
    BedRow reserve(DbSession &db,
                   const Principal &actor,
                   const ClientInfo &client,
                   qint64 bedId,
                   qint64 patientId,
                   int minutes);
    /// reserved -> free.
    BedRow cancelReservation(DbSession &db,
                             const Principal &actor,
                             const ClientInfo &client,
                             qint64 bedId);
    /// Housekeeping and maintenance (isManualTransition); 412 on a stale version.
    BedRow setStatus(DbSession &db,
                     const Principal &actor,
                     const ClientInfo &client,
                     qint64 bedId,
                     int expectedVersion,
                     const QString &to);

    /// Atomic: the old bed -> cleaning, \a toBedId -> occupied, a bed_transfers row.
    AdmissionRow transfer(DbSession &db,
                          const Principal &actor,
                          const ClientInfo &client,
                          qint64 admissionId,
                          qint64 toBedId);
    /// The bed -> cleaning, the admission discharged, a discharge_summary document written.
    /// Needs clinical.write as well (403, audited).
    AdmissionRow discharge(DbSession &db,
                           const Principal &actor,
                           const ClientInfo &client,
                           qint64 admissionId,
                           const DischargeInput &input);

    /// Audited clinical reads (the reason is clinical content); a miss is audited too.
    AdmissionRow
    admission(DbSession &db, const Principal &actor, const ClientInfo &client, qint64 id);
    std::vector<AdmissionRow> admissions(DbSession &db,
                                         const Principal &actor,
                                         const ClientInfo &client,
                                         std::optional<qint64> wardId,
                                         const QString &status,
                                         int limit);

    /// Admissions, discharges and transfers of \a date (YYYY-MM-DD; empty: today, the
    /// hospital's local date).
    CensusRow census(DbSession &db, const Principal &actor, const QString &date);

    /// The reservation sweep: every reserved bed whose reservation ran out (database clock)
    /// goes back to free, with event "bed.reservation_expired" and an audit row whose actor
    /// is the system (no user, role "system"). Runs across hospitals, one transaction per
    /// hospital bound to it (row-level security applies), at most \a batch beds each; the
    /// beds are taken FOR UPDATE SKIP LOCKED, so several server instances sweeping at once,
    /// or a bed being admitted to right now, never collide. Returns the beds freed.
    static int expireReservations(DbSession &db, int batch = 500);

private:
    DocumentStore &m_store;
};

} // namespace hms::server
