#pragma once

#include <QJsonObject>
#include <QString>

#include <pqxx/types>

#include <optional>
#include <vector>

namespace hms::server {

/// One inpatient account (table inpatient_accounts, migration 0014). Amounts in minor units.
struct AccountRow
{
    qint64 id = 0;
    qint64 hospitalId = 0;
    qint64 admissionId = 0;
    qint64 patientId = 0;
    qint64 depositMinor = 0;
    QString status;
    QString openedAt;
    QString closedAt; ///< empty while open
    qint64 chargesMinor = 0;
    qint64 creditsMinor = 0;
    int bedDays = 0;
    int version = 0;

    qint64 balanceMinor() const { return chargesMinor - creditsMinor; }
};

struct ChargeRow
{
    qint64 id = 0;
    QString kind;
    qint64 amountMinor = 0;
    QString serviceDate;
    std::optional<qint64> bedId;
    QString description;
    std::optional<qint64> createdByRun;
    QString createdAt;
};

/// What one bed-day pass charged.
struct BedDayCharges
{
    int inserted = 0; ///< new bed-day rows (0 on a repeat: the unique index keeps one per day)
    qint64 amountMinor = 0; ///< their total
    QString lastDay; ///< the last day charged now, YYYY-MM-DD; empty when none
};

/// SQL of inpatient accounts and their charges. Charges are append-only: every insert goes
/// through here and moves the account's totals in the same transaction.
///
/// Bed-day pricing: one charge per hospital-local calendar day of the stay, from the day of
/// admission to today (or to the day of discharge once discharged), both included, at the
/// daily rate of the bed the patient was in at the start of that day (local midnight; on the
/// day of admission, the bed of admission). A transfer during a day is priced from the next
/// day on. The rate is the bed's daily_rate when the day is charged.
class AccountRepository
{
public:
    /// The account of \a admissionId; with \a lock, SELECT ... FOR UPDATE.
    static std::optional<AccountRow>
    findByAdmission(pqxx::transaction_base &tx, qint64 hospitalId, qint64 admissionId, bool lock);

    /// Opens the admission's account with \a depositMinor (a 'deposit' credit line when > 0,
    /// dated the hospital's local today). An account that already exists is returned as it is
    /// (created = false).
    static std::pair<AccountRow, bool> open(pqxx::transaction_base &tx,
                                            qint64 hospitalId,
                                            qint64 admissionId,
                                            qint64 depositMinor,
                                            std::optional<qint64> runId);

    /// Inserts the missing bed-day charges of the account's admission (see the class
    /// comment), each at most once (ON CONFLICT on the one-per-day index). The caller holds
    /// the account row lock and has checked it is open.
    static BedDayCharges chargeBedDays(pqxx::transaction_base &tx,
                                       const AccountRow &account,
                                       std::optional<qint64> runId);

    /// Closes an open account (status, closed_at = now()); returns the closed row.
    static AccountRow close(pqxx::transaction_base &tx,
                            qint64 hospitalId,
                            qint64 accountId,
                            std::optional<qint64> runId);

    static std::vector<ChargeRow>
    charges(pqxx::transaction_base &tx, qint64 hospitalId, qint64 accountId);

    /// The ward of the admission's current bed (the live topic a billing screen follows);
    /// nullopt when there is no such admission.
    static std::optional<qint64>
    wardOfAdmission(pqxx::transaction_base &tx, qint64 hospitalId, qint64 admissionId);

    /// Milliseconds from now (database clock) to the hospital's next local midnight.
    static qint64 msUntilNextLocalMidnight(pqxx::transaction_base &tx, qint64 hospitalId);

    static QJsonObject toJson(const AccountRow &account);
    static QJsonObject toJson(const ChargeRow &charge);
};

} // namespace hms::server
