#pragma once

#include "auth/principal.h"
#include "patients/patientrepository.h"

#include <QJsonObject>

#include <pqxx/types>

#include <functional>
#include <optional>

namespace hms::server {

class DbSession;
struct ClientInfo;

/// The patient register: registration with duplicate warning and MRN, reads, updates with
/// optimistic locking, and search. One transaction per call, every call audited in it
/// (category "demographic"; ids only, never names or numbers). Another hospital's patient
/// is simply not found. Stateless apart from configuration; runs on database pool threads.
class PatientService
{
public:
    static constexpr int MaxCandidates = 10;
    static constexpr int DefaultPageSize = 20;
    static constexpr int MaxPageSize = 200;

    /// Lets the caller take part in a registration's transaction without the service
    /// knowing HTTP (idempotency keys): begin() runs right after the tenant is set and
    /// returns false to stop without writing anything; beforeCommit() runs last.
    struct TransactionHooks
    {
        std::function<bool(pqxx::transaction_base &)> begin;
        std::function<void(pqxx::transaction_base &, const PatientRow &)> beforeCommit;
    };

    static QJsonObject toJson(const PatientRow &patient);

    /// True when search() looks \a text up as (part of) a name, not as an MRN or a phone
    /// number: the search that can take tens of milliseconds of database time.
    static bool isNameSearch(const QString &text);

    /// Throws DomainError 409 with a `candidates` member when possible duplicates exist and
    /// no override reason was given, and 409 (nationalId) when the national id is already
    /// registered in this hospital, override or not. nullopt when hooks.begin() said stop.
    ///
    /// Every registration starts the registerPatient workflow (hms-worker) in the same
    /// transaction, keyed by the patient id: it notifies the doctors of \a checkInDepartmentId
    /// and queues the OPD visit there when one was requested, and reminds reception after
    /// 24 h (HMS_REGISTRATION_REMINDER_MS overrides, for tests and demos) when address or
    /// emergency contact are still missing. 422 (checkIn.departmentId) for an unknown or
    /// inactive department.
    std::optional<PatientRow> registerPatient(DbSession &db,
                                              const Principal &actor,
                                              const ClientInfo &client,
                                              const PatientInput &input,
                                              const TransactionHooks &hooks = {},
                                              std::optional<qint64> checkInDepartmentId = {});

    /// Throws DomainError 404 (audited as a failed read) when absent or another hospital's.
    PatientRow get(DbSession &db, const Principal &actor, const ClientInfo &client, qint64 id);

    /// Applies the fields of \a changes. 404 as get(), 412 when \a expectedVersion is stale,
    /// 409 when the new national id is taken.
    PatientRow update(DbSession &db,
                      const Principal &actor,
                      const ClientInfo &client,
                      qint64 id,
                      int expectedVersion,
                      const PatientInput &changes);

    struct SearchPage
    {
        std::vector<PatientRow> items;
        std::optional<SearchCursor> next;
    };

    /// \a text is an MRN (exact, check digit valid), a phone number (6+ digits, exact or
    /// suffix) or a name (accent/case-insensitive, trigram-ranked). Audited with the ids
    /// it returns.
    SearchPage search(DbSession &db,
                      const Principal &actor,
                      const ClientInfo &client,
                      const QString &text,
                      const std::optional<SearchCursor> &after,
                      int limit);
};

} // namespace hms::server
