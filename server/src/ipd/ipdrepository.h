#pragma once

#include <QString>
#include <QStringList>

#include <pqxx/types>

#include <optional>
#include <vector>

namespace hms::server {

/// One ward as stored.
struct WardRow
{
    qint64 id = 0;
    QString code;
    QString name;
    QString kind;
    bool active = true;
};

/// One bed with its ward and room codes. status is the effective status: a reservation
/// past its reserved_until (database clock) reads as free.
struct BedRow
{
    qint64 id = 0;
    qint64 hospitalId = 0;
    qint64 wardId = 0;
    QString wardCode;
    qint64 roomId = 0;
    QString room; ///< the room's code within the ward
    QString code;
    QStringList features;
    qint64 dailyRate = 0;
    QString status;
    std::optional<qint64> reservedFor; ///< only while the reservation holds
    QString reservedUntil; ///< ISO 8601 UTC with Z; empty unless reserved
    int version = 1;
};

/// One admission (a stay).
struct AdmissionRow
{
    qint64 id = 0;
    qint64 hospitalId = 0;
    qint64 patientId = 0;
    qint64 bedId = 0;
    qint64 wardId = 0;
    std::optional<qint64> attendingDoctorId;
    std::optional<qint64> visitId;
    QString reason;
    std::optional<int> expectedStayDays;
    QString status;
    QString admittedAt;
    qint64 admittedBy = 0;
    QString dischargedAt;
    std::optional<qint64> dischargeDocumentId;
    int version = 1;
};

/// What an admission needs written.
struct NewAdmission
{
    qint64 patientId = 0;
    qint64 bedId = 0;
    std::optional<qint64> attendingDoctorId;
    std::optional<qint64> visitId;
    QString reason;
    std::optional<int> expectedStayDays;
    qint64 depositMinor = 0; ///< paid at admission (minor units), for the inpatient account
};

/// Admissions, discharges and transfers of one day (the hospital's local date).
struct CensusRow
{
    QString date;
    qint64 admissions = 0;
    qint64 discharges = 0;
    qint64 transfers = 0;
    qint64 inpatientsAtEndOfDay = 0;
};

/// SQL for wards, rooms, beds, admissions and transfers. Every call borrows the caller's
/// transaction, already bound to the hospital (enterTenant); every query also filters on
/// hospital_id explicitly, under row-level security.
class IpdRepository
{
public:
    /// The SQL expression of a bed's effective status (alias b): an expired reservation is
    /// free. The database clock decides (now(): the transaction's start).
    static constexpr char EffectiveStatusSql[] =
        "CASE WHEN b.status = 'reserved' AND b.reserved_until <= now() THEN 'free' ELSE b.status "
        "END";

    /// nullopt when the code is taken in this hospital.
    static std::optional<WardRow> insertWard(pqxx::transaction_base &tx,
                                             qint64 hospitalId,
                                             const QString &code,
                                             const QString &name,
                                             const QString &kind,
                                             qint64 createdBy);
    static std::vector<WardRow> wards(pqxx::transaction_base &tx, qint64 hospitalId);
    static std::optional<WardRow>
    findWard(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id);

    /// The room of \a wardId called \a code, created when missing.
    static qint64
    roomFor(pqxx::transaction_base &tx, qint64 hospitalId, qint64 wardId, const QString &code);

    /// nullopt when the room already has a bed with this code.
    static std::optional<BedRow> insertBed(pqxx::transaction_base &tx,
                                           qint64 hospitalId,
                                           qint64 wardId,
                                           qint64 roomId,
                                           const QString &code,
                                           const QStringList &features,
                                           qint64 dailyRate,
                                           qint64 createdBy);
    /// \a forUpdate locks the bed row until the transaction ends.
    static std::optional<BedRow>
    findBed(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id, bool forUpdate = false);
    /// Sets the stored status (and the reservation, only for "reserved"), bumps the version.
    /// \a userId empty: the system (the reservation sweep).
    static BedRow setBedStatus(pqxx::transaction_base &tx,
                               qint64 hospitalId,
                               qint64 bedId,
                               const QString &status,
                               std::optional<qint64> userId,
                               std::optional<qint64> reservedFor = std::nullopt,
                               int reservedMinutes = 0);

    /// Inserts an active admission; throws pqxx::unique_violation when the bed or the
    /// patient already has one (the partial unique indexes).
    static AdmissionRow insertAdmission(pqxx::transaction_base &tx,
                                        qint64 hospitalId,
                                        const NewAdmission &admission,
                                        qint64 admittedBy);
    static std::optional<AdmissionRow>
    findAdmission(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id, bool forUpdate = false);
    /// Newest first, at most \a limit.
    static std::vector<AdmissionRow> admissions(pqxx::transaction_base &tx,
                                                qint64 hospitalId,
                                                std::optional<qint64> wardId,
                                                const QString &status,
                                                int limit);
    /// Moves an active admission to \a toBedId and records the transfer; throws
    /// pqxx::unique_violation when the bed has an active admission already.
    static AdmissionRow moveAdmission(pqxx::transaction_base &tx,
                                      qint64 hospitalId,
                                      const AdmissionRow &admission,
                                      qint64 toBedId,
                                      qint64 userId);
    static AdmissionRow discharge(pqxx::transaction_base &tx,
                                  qint64 hospitalId,
                                  qint64 admissionId,
                                  qint64 documentId,
                                  qint64 userId);

    /// True when \a visitId is a visit of \a patientId in this hospital.
    static bool
    visitOfPatient(pqxx::transaction_base &tx, qint64 hospitalId, qint64 visitId, qint64 patientId);

    static CensusRow census(pqxx::transaction_base &tx, qint64 hospitalId, const QString &date);
};

} // namespace hms::server
