#pragma once

#include "shared/patients/patientrules.h"

#include <QDate>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <pqxx/types>

#include <optional>
#include <vector>

namespace hms::server {

/// One patient as stored (merged records are not returned by the finders).
struct PatientRow
{
    qint64 id = 0;
    qint64 hospitalId = 0;
    QString mrn;
    QString fullName;
    QDate birthDate;
    bool birthDateEstimated = false;
    QString sex;
    QString phone;
    QJsonObject address; ///< empty: none
    QJsonObject emergencyContact; ///< empty: none
    QString nationalId; ///< empty: none
    QStringList allergies;
    int version = 1;
    QString createdAt; ///< ISO 8601 UTC with Z
    QString updatedAt;
};

/// A possible duplicate shown to the desk (this hospital's rows only).
struct DuplicateCandidate
{
    qint64 id = 0;
    QString mrn;
    QString fullName;
    QDate birthDate;
    QString phone;
    bool sameNationalId = false;
};

/// One search hit with the rank it was ordered by (kept as text so a cursor round-trips
/// the exact float), and for a name search the key that ordered hits of equal rank (0029).
struct PatientHit
{
    PatientRow patient;
    std::string rank;
    std::optional<std::string> key;
};

/// Keyset position of a search page: after (rank, key, id) in "rank DESC, key, id" order.
/// The key is the last hit's own (its word or folded name as the page was read), so a
/// patient renamed before the next page does not move the cursor (0029).
struct SearchCursor
{
    std::string rank;
    qint64 id = 0;
    std::optional<std::string> key;
};

/// SQL for patients and their MRN counters. Every call borrows the caller's transaction,
/// which must already be bound to the hospital (enterTenant); each query also filters on
/// hospital_id explicitly, under row-level security.
class PatientRepository
{
public:
    /// What a new MRN is made of, in one round trip: the hospital's code and time zone and a
    /// fresh number from the patient_mrn_numbers sequence (never waits, never handed out
    /// twice; a rollback leaves a gap).
    struct MrnParts
    {
        QString hospitalCode;
        QString timezone;
        qint64 number = 0;
    };

    static MrnParts nextMrnParts(pqxx::transaction_base &tx, qint64 hospitalId);

    /// Inserts a registration and returns it as stored. Throws pqxx::unique_violation when
    /// the national id (or MRN) is taken in this hospital.
    static PatientRow insert(pqxx::transaction_base &tx,
                             qint64 hospitalId,
                             const QString &mrn,
                             const PatientInput &input,
                             qint64 createdBy);

    static std::optional<PatientRow>
    findById(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id, bool forUpdate = false);
    /// The record \a id was merged into, when it was.
    static std::optional<qint64>
    survivorOf(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id);
    /// The recommended demographics the record still lacks, as API field names ("phone",
    /// "address", "emergencyContact"; empty when complete); nullopt when there is no record.
    static std::optional<QStringList>
    missingDemographics(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id);

    /// Same phone and birth date, a similar folded name (trigram similarity >= 0.6) with the
    /// same birth date, or the same national id; at most \a limit, by id.
    static std::vector<DuplicateCandidate> findDuplicates(pqxx::transaction_base &tx,
                                                          qint64 hospitalId,
                                                          const PatientInput &input,
                                                          int limit);

    /// True when another patient (not \a exceptId) of this hospital has \a nationalId.
    static bool nationalIdTaken(pqxx::transaction_base &tx,
                                qint64 hospitalId,
                                const QString &nationalId,
                                qint64 exceptId);

    /// Applies the fields \a input carries; bumps version. False when \a expectedVersion
    /// is no longer current.
    static bool update(pqxx::transaction_base &tx,
                       qint64 hospitalId,
                       qint64 id,
                       int expectedVersion,
                       const PatientInput &input,
                       qint64 updatedBy);

    static std::vector<PatientHit> searchByMrn(pqxx::transaction_base &tx,
                                               qint64 hospitalId,
                                               const QString &mrn,
                                               const std::optional<SearchCursor> &after,
                                               int limit);
    /// \a phone is normalised; matches it exactly or as the end of a stored number.
    static std::vector<PatientHit> searchByPhone(pqxx::transaction_base &tx,
                                                 qint64 hospitalId,
                                                 const QString &phone,
                                                 const std::optional<SearchCursor> &after,
                                                 int limit);
    /// Folded (accent/case-insensitive) match on the name, in tiers: names holding every
    /// word (0017), then names holding the words before the last and a word starting with
    /// the last (0028), then substring or word-trigram matches ranked by word similarity
    /// (0012, 0027). LIKE wildcards in \a text are literal.
    static std::vector<PatientHit> searchByName(pqxx::transaction_base &tx,
                                                qint64 hospitalId,
                                                const QString &text,
                                                const std::optional<SearchCursor> &after,
                                                int limit);
};

} // namespace hms::server
