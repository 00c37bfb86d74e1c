#pragma once

#include "shared/core/result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace hms {

/// Kinds of clinical documents (the `kind` column and JSON value), defined once.
namespace clinicalkinds {
inline constexpr char Consultation[] = "consultation";
inline constexpr char Vitals[] = "vitals";
inline constexpr char NursingNote[] = "nursing_note";
inline constexpr char LabReport[] = "lab_report";
inline constexpr char DischargeSummary[] = "discharge_summary";
} // namespace clinicalkinds

/// JSON keys of a clinical document as the API sends it.
namespace documentkeys {
inline constexpr char Id[] = "id";
inline constexpr char PatientId[] = "patientId";
inline constexpr char Kind[] = "kind";
inline constexpr char Version[] = "version";
inline constexpr char Body[] = "body";
inline constexpr char AuthorId[] = "authorId";
inline constexpr char AuthoredAt[] = "authoredAt";
inline constexpr char CreatedAt[] = "createdAt";
inline constexpr char Reason[] = "reason";
} // namespace documentkeys

namespace clinicallimits {
inline constexpr int ListMax = 100; ///< diagnoses, prescriptions, lab orders per document
inline constexpr int ShortTextMax = 200; ///< drug, dose, route, test names ...
inline constexpr int InstructionsMax = 2000;
inline constexpr int ReasonMax = 2000; ///< why a new version supersedes the previous one
inline constexpr int DurationDaysMax = 365;
} // namespace clinicallimits

/// Every kind the store knows (the database CHECK lists the same).
QStringList clinicalDocumentKinds();

/// The kinds a client may write through the REST API today (lab reports and discharge
/// summaries are produced by their own workflows later).
QStringList writableClinicalDocumentKinds();

/// True when \a code looks like an ICD-10 code: ^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$.
bool isValidIcd10(const QString &code);

/// Validates the body of a clinical document of \a kind and returns it unchanged (values
/// verbatim); 422 with every field error otherwise. Field names in errors are prefixed with
/// \a pathPrefix ("body"). Unknown keys are errors at every level.
///
///  - consultation: visitId? (id string), vitals? (as below), subjective?, objective?,
///    assessment?, plan? (free text up to 64 KiB; at least one of the four),
///    diagnoses? [{icd10, text}], prescriptions? [{drug, dose, route, frequency,
///    durationDays? (1..365), instructions?}], labOrders? [{test, priority? routine|urgent|stat,
///    notes?}] (at most 100 items each).
///  - vitals: temperatureC (25..45, decimals allowed), pulse 20..250, systolic 50..260,
///    diastolic 20..160, spo2 50..100, respiration 4..60, painScore 0..10 (integers), all
///    optional but at least one.
///  - nursing_note: text (free text, required).
///  - other kinds: refused (not writable through the API).
Result<QJsonObject> validateClinicalBody(const QString &kind,
                                         const QJsonObject &body,
                                         const QString &pathPrefix = QStringLiteral("body"));

} // namespace hms
