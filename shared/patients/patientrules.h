#pragma once

#include "shared/core/result.h"

#include <QDate>
#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace hms {

/// JSON keys of a patient (request and response), defined once for server and client.
namespace patientkeys {
inline constexpr char Id[] = "id";
inline constexpr char Mrn[] = "mrn";
inline constexpr char FullName[] = "fullName";
inline constexpr char BirthDate[] = "birthDate";
inline constexpr char BirthDateEstimated[] = "birthDateEstimated";
inline constexpr char EstimatedAgeYears[] = "estimatedAgeYears";
inline constexpr char Sex[] = "sex";
inline constexpr char Phone[] = "phone";
inline constexpr char Address[] = "address";
inline constexpr char EmergencyContact[] = "emergencyContact";
inline constexpr char NationalId[] = "nationalId";
inline constexpr char Allergies[] = "allergies";
inline constexpr char DuplicateOverrideReason[] = "duplicateOverrideReason";
inline constexpr char Version[] = "version";
inline constexpr char CreatedAt[] = "createdAt";
inline constexpr char UpdatedAt[] = "updatedAt";
} // namespace patientkeys

/// A validated patient registration or update (the DTO both sides share).
///
/// For a registration every field is set (optional ones may be empty: an empty address
/// or emergency contact object, nationalId or list means "none"). For an update only the
/// keys in `fields` were sent; a sent `null` for address, emergencyContact, nationalId or
/// allergies clears it. `fields` holds JSON key names; estimatedAgeYears shows up as
/// birthDate (+ birthDateEstimated).
struct PatientInput
{
    QString fullName; ///< trimmed, inner whitespace runs collapsed to one space
    QDate birthDate;
    bool birthDateEstimated = false;
    QString sex; ///< F | M | X | U
    QString phone; ///< normalised: optional leading '+', then 7..15 digits
    QJsonObject address; ///< {line1, line2, city, district, state, postalCode, country}
    QJsonObject emergencyContact; ///< {name, relation, phone (normalised)}
    QString nationalId;
    QStringList allergies;
    QString duplicateOverrideReason; ///< registration only: register despite a warning
    QSet<QString> fields;

    bool has(const char *key) const { return fields.contains(QLatin1String(key)); }
};

/// Limits of the patient fields (code points).
namespace patientlimits {
inline constexpr int FullNameMax = 200;
inline constexpr int AddressFieldMax = 200;
inline constexpr int NationalIdMax = 64;
inline constexpr int AllergiesMax = 50;
inline constexpr int AllergyMax = 200;
inline constexpr int OverrideReasonMax = 500;
inline constexpr int EstimatedAgeMax = 130;
inline constexpr int PhoneDigitsMin = 7;
inline constexpr int PhoneDigitsMax = 15; ///< E.164
} // namespace patientlimits

/// Validates a registration (\a forUpdate false) or a PATCH body (true, every field optional).
///
/// Rules: fullName 1..200 after trimming; exactly one of birthDate (YYYY-MM-DD, from
/// 1900-01-01 to \a today) and estimatedAgeYears (0..130); an estimated age N stores the
/// middle of the year of possible birth dates, `today - N years - 6 months`, with
/// birthDateEstimated = true (and must not fall before 1900); sex F|M|X|U; phone required:
/// digits, spaces, dashes, dots, parentheses and one leading '+', normalised to '+' and
/// 7..15 digits; address optional with optional strings ≤200; emergencyContact optional
/// {name, relation, phone}; nationalId optional ≤64 (trimmed); allergies optional, ≤50
/// distinct non-empty strings ≤200; duplicateOverrideReason optional ≤500 (registration only).
/// Unknown keys are errors. Returns a 422 problem listing every field error.
Result<PatientInput>
patientFromJson(const QJsonObject &json, bool forUpdate, const QDate &today = QDate::currentDate());

/// "+49 (30) 123-456" -> "+4930123456"; nullopt when it is not a phone number by the rules
/// above.
std::optional<QString> normalizePhone(const QString &text);

/// The birth date stored for an estimated age (see patientFromJson).
QDate estimatedBirthDate(int ageYears, const QDate &today);

/// Medical record numbers: `<PREFIX>-<YYYY>-<NNNNNN>-<C>`, e.g. "ALPH-2024-000123-6".
/// PREFIX is 1..4 of A-Z0-9 starting with a letter (mrnPrefixFor() derives it from the
/// hospital code), YYYY the registration year, NNNNNN the hospital's sequence number in
/// that year (at least 6 digits, zero-padded), C a Luhn (mod 10) check digit computed over
/// the digits of YYYY followed by NNNNNN: it catches every single-digit typo and most
/// adjacent transpositions. The 4-digit year keeps numbers unique for ever.
QString computeMrn(const QString &prefix, int year, qint64 sequence);

/// True for a well-formed MRN with a correct check digit (after normalizeMrn()).
bool isValidMrn(const QString &text);

/// Trims and upper-cases what a user typed ("alph-2024-000123-6" -> "ALPH-2024-000123-6").
QString normalizeMrn(const QString &text);

/// The MRN prefix of a hospital code: its first 4 letters/digits, upper-cased, with a
/// leading 'H' when it would not start with a letter ("alpha" -> "ALPH", "9north" -> "H9NO").
QString mrnPrefixFor(const QString &hospitalCode);

/// The Luhn check digit (0..9) of a string of ASCII digits.
int luhnCheckDigit(const QString &digits);

} // namespace hms
