#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTime>
#include <QTimeZone>

#include <optional>

namespace hms {

/// Prescriptions and the medication administration record: closed lists and the dosing
/// schedule, defined once for the server (validation, due slots) and the client.
namespace medication {

/// Routes of administration (the prescriptions_route_known CHECK lists the same).
QStringList routes();

/// One frequency and the hospital-local times its doses are due.
struct Frequency
{
    QString code;
    QList<QTime> localTimes; ///< empty: not scheduled (STAT, PRN): recorded ad hoc
};

/// THE schedule table (hospital-local time, hospitals.timezone):
///   OD 08:00; BD 08:00 20:00; TDS 08:00 14:00 20:00; QID 06:00 12:00 18:00 22:00;
///   Q4H, Q6H, Q8H, Q12H from 00:00 every n hours; QHS 22:00; STAT and PRN: no schedule.
/// A scheduled prescription is due at each of these times from its start (inclusive) to its
/// end (exclusive) while it is active.
const QList<Frequency> &frequencies();
QStringList frequencyCodes();
/// True when \a code has due times (not STAT or PRN).
bool isScheduled(const QString &code);
/// The frequency \a code, or nullptr for an unknown code.
const Frequency *findFrequency(const QString &code);
/// The due instants (UTC, ascending, no duplicates) of \a code in [from, to] (both included):
/// each of its local times on every local day of \a zone, the same expansion the server's SQL
/// does with the hospital's time zone (a local time keeps its wall-clock time across a
/// daylight-saving change, so the gap between two slots may be an hour shorter or longer).
/// Empty for STAT, PRN and unknown codes. A prescription's period is the caller's to apply.
QList<QDateTime>
dueSlots(const QString &code, const QTimeZone &zone, const QDateTime &from, const QDateTime &to);
/// {"OD":["08:00"],...}: the table as the SQL that expands slots takes it.
QJsonObject scheduleJson();

/// given | held | refused; held and refused need a reason.
QStringList outcomes();

inline constexpr int DrugMax = 200;
inline constexpr int DoseMax = 200;
inline constexpr int InstructionsMax = 2000;
inline constexpr int ReasonMax = 2000;

/// An RFC 3339 instant with a date, hours and minutes (seconds and up to 6 fractional
/// digits optional) and an explicit offset (Z or +hh:mm); nullopt otherwise.
std::optional<QDateTime> parseInstant(const QString &text);

} // namespace medication
} // namespace hms
