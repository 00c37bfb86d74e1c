#pragma once

#include "auth/principal.h"
#include "medications/medicationrepository.h"

#include <QJsonObject>

#include <optional>
#include <vector>

namespace hms::server {

class DbSession;

/// What a ward's medication round shows: the doses due (scheduled slots and STAT doses) and,
/// apart from them and never "due", the as-needed (PRN) orders.
struct WardMedications
{
    std::vector<DueDose> due;
    std::vector<AsNeededOrder> asNeeded;
};

/// Inpatient prescriptions and the medication administration record (MAR). One transaction
/// per call holding its audit row (category "clinical", patient set) and, for writes, one
/// event on the ward's topic "beds:<ward id>" (ids only) so ward boards refresh their due
/// list. Prescribing and stopping are a doctor's (clinical.write alone is not enough: nurses
/// have it to chart; 403, audited). The prescription row lock (FOR UPDATE) serialises every
/// change of one prescription; the unique partial index on (prescription, due_at) backs the
/// one-record-per-slot rule up. Another hospital's admission, prescription or ward is an
/// audited 404 with the same body as an absent one. Stateless; runs on database pool threads.
class MedicationService
{
public:
    /// How far ahead of its slot a dose may be recorded.
    static constexpr int MaxEarlyMinutes = 120;
    /// Widest due-list window.
    static constexpr int MaxWindowHours = 48;

    static QJsonObject toJson(const PrescriptionRow &prescription);
    static QJsonObject toJson(const AdministrationRow &administration);
    static QJsonObject toJson(const DueDose &dose);
    static QJsonObject toJson(const AsNeededOrder &order);
    static QJsonObject toJson(const WardAdministration &record);

    /// 404 unknown admission, 409 when it is not active, 422 when the period is empty.
    PrescriptionRow prescribe(DbSession &db,
                              const Principal &actor,
                              const ClientInfo &client,
                              qint64 admissionId,
                              NewPrescription prescription);
    /// Audited read (prescription ids and the patient).
    std::vector<PrescriptionRow> prescriptions(DbSession &db,
                                               const Principal &actor,
                                               const ClientInfo &client,
                                               qint64 admissionId);
    /// active -> stopped; 409 when it is not active.
    PrescriptionRow stop(DbSession &db,
                         const Principal &actor,
                         const ClientInfo &client,
                         qint64 prescriptionId,
                         const QString &reason);
    /// Records one administration (or corrects one). 409 when the prescription is not active
    /// or the slot already has a record; 422 for a slot not on the schedule.
    ///
    /// The one-current-record-per-slot rule for doses without a schedule: a STAT order has one
    /// slot, its start (dueAt absent or exactly that), so a second STAT record is a 409 like a
    /// second record of a scheduled slot (a held or refused STAT dose given later is a
    /// correction of that record). A PRN dose's slot is the time it is recorded (dueAt must be
    /// absent): every PRN dose is a slot of its own, so any number may be recorded, each
    /// correctable on its own; it must be inside the prescription's period (409 else).
    AdministrationRow administer(DbSession &db,
                                 const Principal &actor,
                                 const ClientInfo &client,
                                 NewAdministration administration);
    /// Doses due on a ward in [from, to] (UTC ISO text; empty: now - 2 h .. now + 1 h), STAT
    /// doses not yet recorded however old, and the PRN orders whose period overlaps the window.
    /// The ward's medication round for handover: every record (given, held, refused, and
    /// corrections, each marked when corrected) written in [from, to] (UTC ISO text; empty:
    /// now - 12 h .. now; at most 48 h) for the stays on the ward. A clinical read, audited
    /// with the patients and record ids shown.
    std::vector<WardAdministration> administrations(DbSession &db,
                                                    const Principal &actor,
                                                    const ClientInfo &client,
                                                    qint64 wardId,
                                                    QString from,
                                                    QString to);
    WardMedications due(DbSession &db,
                        const Principal &actor,
                        const ClientInfo &client,
                        qint64 wardId,
                        QString from,
                        QString to);
};

} // namespace hms::server
