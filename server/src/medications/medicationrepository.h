#pragma once

#include <QJsonObject>
#include <QString>

#include <pqxx/types>

#include <optional>
#include <vector>

namespace hms::server {

/// One prescription (times: ISO 8601 UTC with milliseconds and Z; empty when absent).
struct PrescriptionRow
{
    qint64 id = 0;
    qint64 patientId = 0;
    std::optional<qint64> admissionId;
    QString drug;
    QString dose;
    QString route;
    QString frequency;
    QString startAt;
    QString endAt;
    QString instructions;
    QString status; ///< active | stopped | completed
    QString prescribedAt;
    qint64 prescribedBy = 0;
    QString stoppedAt;
    std::optional<qint64> stoppedBy;
    QString stopReason;
    int version = 1;
};

/// What a prescription needs written (times as UTC ISO text; empty: now / open-ended).
struct NewPrescription
{
    qint64 patientId = 0;
    std::optional<qint64> admissionId;
    QString drug;
    QString dose;
    QString route;
    QString frequency;
    QString startAt;
    QString endAt;
    std::optional<int> durationDays; ///< instead of endAt: start + n days
    QString instructions;
};

/// One row of the medication administration record.
struct AdministrationRow
{
    qint64 id = 0;
    qint64 prescriptionId = 0;
    QString dueAt; ///< empty: an ad hoc dose (PRN, STAT)
    QString outcome; ///< given | held | refused
    QString dose;
    QString reason;
    QString administeredAt;
    qint64 nurseId = 0;
    std::optional<qint64> correctsId;
};

/// Which slot a new record takes when it is not a scheduled one (a correction always takes
/// the exact slot of the record it corrects).
enum class AdHocSlot {
    None, ///< NewAdministration::dueAt (a scheduled slot)
    PrescriptionStart, ///< STAT: the one dose, due at the prescription's start
    Now, ///< PRN: every dose is its own slot, the time it was recorded (database clock)
};

struct NewAdministration
{
    qint64 prescriptionId = 0;
    QString dueAt; ///< UTC ISO text or empty
    AdHocSlot adHocSlot = AdHocSlot::None;
    QString outcome;
    QString dose;
    QString reason;
    std::optional<qint64> correctsId;
};

/// Where, for whom and what: the context every ward medication list shows with a row.
struct WardPrescription
{
    qint64 admissionId = 0;
    qint64 bedId = 0;
    QString room;
    QString bed;
    qint64 patientId = 0;
    QString mrn;
    QString fullName;
    qint64 prescriptionId = 0;
    QString drug;
    QString dose;
    QString route;
    QString frequency;
};

/// One dose due on a ward: where, who, what, when, and what was recorded.
struct DueDose
{
    WardPrescription order;
    QString dueAt;
    bool overdue = false;
    std::optional<AdministrationRow> administration; ///< the slot's current record
};

/// An as-needed (PRN) order on a ward: never due, listed with when it was last given.
struct AsNeededOrder
{
    WardPrescription order;
    QString instructions;
    QString startAt;
    QString endAt;
    QString lastGivenAt; ///< slot of the newest current "given" record; empty: never given
    int givenLast24h = 0; ///< current "given" records with a slot in the last 24 h
};

/// One record of the ward's medication administration record, with what it was for.
struct WardAdministration
{
    WardPrescription order;
    AdministrationRow record;
    std::optional<qint64> correctedById; ///< the record that corrects this one, if any
};

/// SQL for prescriptions and administrations. Every call borrows the caller's transaction,
/// bound to the hospital (enterTenant); every query also filters on hospital_id.
class MedicationRepository
{
public:
    /// Minutes after its slot an unrecorded dose counts as overdue.
    static constexpr int OverdueAfterMinutes = 30;

    static PrescriptionRow insertPrescription(pqxx::transaction_base &tx,
                                              qint64 hospitalId,
                                              const NewPrescription &prescription,
                                              qint64 prescribedBy);
    static std::optional<PrescriptionRow>
    findPrescription(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id, bool forUpdate);
    /// Newest first.
    static std::vector<PrescriptionRow>
    prescriptionsOfAdmission(pqxx::transaction_base &tx, qint64 hospitalId, qint64 admissionId);
    /// active -> \a status (stopped | completed) with who, when (database clock) and why.
    static PrescriptionRow endPrescription(pqxx::transaction_base &tx,
                                           qint64 hospitalId,
                                           qint64 id,
                                           const QString &status,
                                           qint64 userId,
                                           const QString &reason);
    /// Every active prescription of the admission -> completed; their ids.
    static std::vector<qint64> completeForAdmission(pqxx::transaction_base &tx,
                                                    qint64 hospitalId,
                                                    qint64 admissionId,
                                                    qint64 userId,
                                                    const QString &reason);

    /// True when \a dueAt (UTC ISO text) is one of the prescription's scheduled slots in the
    /// hospital's time zone, within its period.
    static bool isSlot(pqxx::transaction_base &tx,
                       qint64 hospitalId,
                       qint64 prescriptionId,
                       const QString &dueAt);
    /// True when \a dueAt is the prescription's start, to the millisecond (STAT).
    static bool isStart(pqxx::transaction_base &tx,
                        qint64 hospitalId,
                        qint64 prescriptionId,
                        const QString &dueAt);
    /// True when now (database clock) + \a earlyMinutes is past the prescription's start and
    /// now is before its end.
    static bool isInPeriodNow(pqxx::transaction_base &tx,
                              qint64 hospitalId,
                              qint64 prescriptionId,
                              int earlyMinutes);
    /// True when \a dueAt is later than now + \a minutes (database clock).
    static bool isAfterNowPlus(pqxx::transaction_base &tx, const QString &dueAt, int minutes);

    /// The current (uncorrected) record of a slot; for an empty \a dueAt, the newest current
    /// ad hoc record.
    static std::optional<AdministrationRow> currentRecord(pqxx::transaction_base &tx,
                                                          qint64 hospitalId,
                                                          qint64 prescriptionId,
                                                          const QString &dueAt);
    static std::optional<AdministrationRow>
    findAdministration(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id);
    /// True when some record corrects \a id.
    static bool isCorrected(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id);
    /// The slot: a correction's is the corrected record's, else per \a administration.adHocSlot.
    /// Throws pqxx::unique_violation when the slot (or the corrected row) already has one.
    static AdministrationRow insertAdministration(pqxx::transaction_base &tx,
                                                  qint64 hospitalId,
                                                  const NewAdministration &administration,
                                                  qint64 nurseId);

    /// Every scheduled slot in [from, to] of the active prescriptions of the active
    /// admissions in \a wardId, and every unrecorded STAT dose due by \a to (however long
    /// ago), by time then bed.
    static std::vector<DueDose> dueOnWard(pqxx::transaction_base &tx,
                                          qint64 hospitalId,
                                          qint64 wardId,
                                          const QString &from,
                                          const QString &to);
    /// The active PRN prescriptions of the active admissions in \a wardId whose period
    /// overlaps [from, to], by bed then prescription.
    static std::vector<AsNeededOrder> asNeededOnWard(pqxx::transaction_base &tx,
                                                     qint64 hospitalId,
                                                     qint64 wardId,
                                                     const QString &from,
                                                     const QString &to);
    /// Every record (corrected ones too) written in [from, to] for the stays whose bed is
    /// (or, once ended, was last) in \a wardId, by the time written.
    static std::vector<WardAdministration> administrationsOnWard(pqxx::transaction_base &tx,
                                                                 qint64 hospitalId,
                                                                 qint64 wardId,
                                                                 const QString &from,
                                                                 const QString &to);
};

} // namespace hms::server
