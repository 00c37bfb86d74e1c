#include "patients/patientservice.h"

#include "audit/auditlog.h"
#include "auth/authservice.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "db/dbsession.h"
#include "db/tenant.h"
#include "opd/opdrepository.h"
#include "workflows/definitions/productworkflows.h"
#include "workflows/wfapi.h"

#include <QJsonArray>
#include <QTimeZone>

#include <pqxx/transaction>

#include <algorithm>

namespace hms::server {

namespace {

namespace K = patientkeys;

AuditEntry patientAudit(const Principal &actor,
                        const ClientInfo &client,
                        const QString &action,
                        std::optional<qint64> patientId)
{
    AuditEntry entry = AuditEntry::forActor(actor, client, QStringLiteral("demographic"), action,
                                            QStringLiteral("patient"),
                                            patientId ? QString::number(*patientId) : QString());
    entry.patientId = patientId;
    return entry;
}

[[noreturn]] void notFound()
{
    // No detail: absent, merged and another hospital's patient answer the same bytes (T2).
    throw DomainError(problems::NotFound);
}

/// Audits a read or write of a patient id this hospital does not have, commits that, and
/// answers 404 (SECURITY.md T2: the denial is audited, nothing else is written).
[[noreturn]] void auditMissAndThrow(pqxx::work &tx,
                                    const Principal &actor,
                                    const ClientInfo &client,
                                    const QString &action,
                                    qint64 id)
{
    AuditEntry entry = patientAudit(actor, client, action, std::nullopt);
    entry.entityId = QString::number(id);
    entry.outcome = QStringLiteral("failure");
    entry.details = {{QStringLiteral("reason"), QStringLiteral("not-found")}};
    AuditLog::append(tx, entry);
    tx.commit();
    notFound();
}

/// The calendar year at the hospital now (its time zone; UTC when unknown).
int registrationYear(const QString &timezone)
{
    const QTimeZone zone(timezone.toLatin1());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    return (zone.isValid() ? now.toTimeZone(zone) : now).date().year();
}

QJsonArray candidatesJson(const std::vector<DuplicateCandidate> &candidates)
{
    QJsonArray array;
    for (const DuplicateCandidate &candidate : candidates)
        array.append(QJsonObject{{key(K::Id), QString::number(candidate.id)},
                                 {key(K::Mrn), candidate.mrn},
                                 {key(K::FullName), candidate.fullName},
                                 {key(K::BirthDate), candidate.birthDate.toString(Qt::ISODate)},
                                 {key(K::Phone), candidate.phone}});
    return array;
}

QJsonArray idsJson(const std::vector<DuplicateCandidate> &candidates)
{
    QJsonArray ids;
    for (const DuplicateCandidate &candidate : candidates)
        ids.append(QString::number(candidate.id));
    return ids;
}

PatientRow requirePatient(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id)
{
    std::optional<PatientRow> patient = PatientRepository::findById(tx, hospitalId, id);
    if (!patient)
        notFound();
    return *patient;
}

qint64 reminderAfterMs()
{
    bool ok = false;
    const qint64 value = qEnvironmentVariable("HMS_REGISTRATION_REMINDER_MS").toLongLong(&ok);
    return ok && value > 0 ? value : wf::registerpatient::DefaultReminderAfterMs;
}

/// Ids only (no PHI in workflow inputs); a replayed registration finds the run it started.
void startRegistrationWorkflow(pqxx::transaction_base &tx,
                               const Principal &actor,
                               qint64 patientId,
                               std::optional<qint64> departmentId)
{
    QJsonObject input{{QStringLiteral("patientId"), QString::number(patientId)},
                      {QStringLiteral("actorUserId"), QString::number(actor.userId)},
                      {QStringLiteral("reminderAfterMs"), double(reminderAfterMs())}};
    if (departmentId)
        input.insert(QStringLiteral("departmentId"), QString::number(*departmentId));
    wf::start(tx, actor.hospitalId, QLatin1String(wf::registerpatient::Type),
              wf::registerpatient::Version, QString::number(patientId), input);
}

enum class SearchKind { Mrn, Phone, Name };

/// A query that is only digits and phone punctuation with 6..15 digits is a phone number.
std::optional<QString> phoneQuery(const QString &text)
{
    QString normalized;
    int digits = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        if (c >= u'0' && c <= u'9') {
            normalized.append(QChar(c));
            ++digits;
        } else if (c == u'+' && i == 0) {
            normalized.append(QChar(c));
        } else if (c != u' ' && c != u'-' && c != u'(' && c != u')' && c != u'.') {
            return std::nullopt;
        }
    }
    if (digits < 6 || digits > patientlimits::PhoneDigitsMax)
        return std::nullopt;
    return normalized;
}

/// What a trimmed search text is looked up as.
SearchKind searchKindOf(const QString &query)
{
    if (isValidMrn(query))
        return SearchKind::Mrn;
    return phoneQuery(query) ? SearchKind::Phone : SearchKind::Name;
}

} // namespace

QJsonObject PatientService::toJson(const PatientRow &patient)
{
    const auto objectOrNull = [](const QJsonObject &object) {
        return object.isEmpty() ? QJsonValue() : QJsonValue(object);
    };
    return {{key(K::Id), QString::number(patient.id)},
            {key(K::Mrn), patient.mrn},
            {key(K::FullName), patient.fullName},
            {key(K::BirthDate), patient.birthDate.toString(Qt::ISODate)},
            {key(K::BirthDateEstimated), patient.birthDateEstimated},
            {key(K::Sex), patient.sex},
            {key(K::Phone), patient.phone},
            {key(K::Address), objectOrNull(patient.address)},
            {key(K::EmergencyContact), objectOrNull(patient.emergencyContact)},
            {key(K::NationalId),
             patient.nationalId.isEmpty() ? QJsonValue() : QJsonValue(patient.nationalId)},
            {key(K::Allergies), QJsonArray::fromStringList(patient.allergies)},
            {key(K::Version), patient.version},
            {key(K::CreatedAt), patient.createdAt},
            {key(K::UpdatedAt), patient.updatedAt}};
}

std::optional<PatientRow> PatientService::registerPatient(DbSession &db,
                                                          const Principal &actor,
                                                          const ClientInfo &client,
                                                          const PatientInput &input,
                                                          const TransactionHooks &hooks,
                                                          std::optional<qint64> checkInDepartmentId)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (hooks.begin && !hooks.begin(tx))
        return std::nullopt;

    const std::vector<DuplicateCandidate> candidates =
        PatientRepository::findDuplicates(tx, actor.hospitalId, input, MaxCandidates);
    const bool nationalIdTaken = std::any_of(candidates.cbegin(), candidates.cend(),
                                             [](const DuplicateCandidate &candidate) {
                                                 return candidate.sameNationalId;
                                             });
    if (nationalIdTaken) {
        Problem problem = Problem::fromType(
            problems::AlreadyRegistered,
            QStringLiteral("A patient with this national id is already registered"));
        problem.errors.append({key(K::NationalId), QStringLiteral("is already registered")});
        problem.extensions.insert(QStringLiteral("candidates"), candidatesJson(candidates));
        throw DomainError(problem);
    }
    const bool override = !input.duplicateOverrideReason.isEmpty();
    if (!candidates.empty() && !override) {
        Problem problem = Problem::fromType(
            problems::PossibleDuplicate,
            QStringLiteral("Possible duplicate registration; check the candidates, or register "
                           "anyway with duplicateOverrideReason"));
        problem.extensions.insert(QStringLiteral("candidates"), candidatesJson(candidates));
        throw DomainError(problem);
    }

    if (checkInDepartmentId) {
        const std::optional<DepartmentRow> department =
            OpdRepository::findDepartment(tx, actor.hospitalId, *checkInDepartmentId);
        if (!department || !department->active) {
            Problem problem = Problem::fromType(problems::ValidationFailed);
            problem.errors.append({QStringLiteral("checkIn.departmentId"),
                                   QStringLiteral("is not an active department")});
            throw DomainError(problem);
        }
    }

    const PatientRepository::MrnParts parts = PatientRepository::nextMrnParts(tx, actor.hospitalId);
    const int year = registrationYear(parts.timezone);
    const QString mrn = computeMrn(mrnPrefixFor(parts.hospitalCode), year, parts.number);
    const PatientRow created =
        PatientRepository::insert(tx, actor.hospitalId, mrn, input, actor.userId);
    startRegistrationWorkflow(tx, actor, created.id, checkInDepartmentId);
    if (hooks.beforeCommit)
        hooks.beforeCommit(tx, created);

    // The audit row commits with the patient (pending; sealed into the chain after commit).
    AuditEntry audit = patientAudit(actor, client, QStringLiteral("patient.register"), created.id);
    if (override && !candidates.empty()) {
        // The reason is free text (it may name people), so it stays on the patient row.
        audit.details = {{QStringLiteral("duplicateOverride"), true},
                         {QStringLiteral("candidateIds"), idsJson(candidates)}};
    }
    AuditLog::append(tx, audit);
    tx.commit();
    return created;
}

PatientRow
PatientService::get(DbSession &db, const Principal &actor, const ClientInfo &client, qint64 id)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    std::optional<PatientRow> patient = PatientRepository::findById(tx, actor.hospitalId, id);
    if (!patient) {
        // A merged record reads as its survivor (one hop: merges re-point earlier ones).
        const std::optional<qint64> survivor =
            PatientRepository::survivorOf(tx, actor.hospitalId, id);
        if (survivor)
            patient = PatientRepository::findById(tx, actor.hospitalId, *survivor);
        if (!patient)
            auditMissAndThrow(tx, actor, client, QStringLiteral("patient.read"), id);
        AuditEntry redirect =
            patientAudit(actor, client, QStringLiteral("patient.read.redirect"), id);
        redirect.details = {{QStringLiteral("mergedInto"), QString::number(patient->id)}};
        AuditLog::append(tx, redirect);
    }
    AuditLog::append(tx, patientAudit(actor, client, QStringLiteral("patient.read"), patient->id));
    tx.commit();
    return *patient;
}

PatientRow PatientService::update(DbSession &db,
                                  const Principal &actor,
                                  const ClientInfo &client,
                                  qint64 id,
                                  int expectedVersion,
                                  const PatientInput &changes)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    // Locks the row: a concurrent update with the same If-Match waits, then sees the new
    // version and gets 412 (SECURITY.md C2).
    const std::optional<PatientRow> current =
        PatientRepository::findById(tx, actor.hospitalId, id, true);
    if (!current)
        auditMissAndThrow(tx, actor, client, QStringLiteral("patient.update"), id);
    if (current->version != expectedVersion)
        throw DomainError(problems::PreconditionFailed,
                          QStringLiteral("The patient changed since you read it; reload and "
                                         "retry"));
    if (changes.has(K::NationalId) && !changes.nationalId.isEmpty()
        && PatientRepository::nationalIdTaken(tx, actor.hospitalId, changes.nationalId, id)) {
        Problem problem = Problem::fromType(
            problems::AlreadyRegistered,
            QStringLiteral("A patient with this national id is already registered"));
        problem.errors.append({key(K::NationalId), QStringLiteral("is already registered")});
        throw DomainError(problem);
    }
    if (!PatientRepository::update(tx, actor.hospitalId, id, expectedVersion, changes,
                                   actor.userId))
        throw DomainError(problems::PreconditionFailed,
                          QStringLiteral("The patient changed since you read it; reload and "
                                         "retry"));
    AuditEntry audit = patientAudit(actor, client, QStringLiteral("patient.update"), id);
    QJsonArray fields;
    QStringList sorted(changes.fields.cbegin(), changes.fields.cend());
    sorted.sort();
    for (const QString &field : std::as_const(sorted))
        fields.append(field);
    audit.details = {{QStringLiteral("fields"), fields}};
    AuditLog::append(tx, audit);
    const PatientRow updated = requirePatient(tx, actor.hospitalId, id);
    tx.commit();
    return updated;
}

bool PatientService::isNameSearch(const QString &text)
{
    return searchKindOf(text.trimmed()) == SearchKind::Name;
}

PatientService::SearchPage PatientService::search(DbSession &db,
                                                  const Principal &actor,
                                                  const ClientInfo &client,
                                                  const QString &text,
                                                  const std::optional<SearchCursor> &after,
                                                  int limit)
{
    const QString query = text.trimmed();
    const SearchKind kind = searchKindOf(query);

    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    std::vector<PatientHit> hits;
    QString kindName;
    switch (kind) {
    case SearchKind::Mrn:
        hits = PatientRepository::searchByMrn(tx, actor.hospitalId, normalizeMrn(query), after,
                                              limit + 1);
        kindName = QStringLiteral("mrn");
        break;
    case SearchKind::Phone:
        hits = PatientRepository::searchByPhone(tx, actor.hospitalId, *phoneQuery(query), after,
                                                limit + 1);
        kindName = QStringLiteral("phone");
        break;
    case SearchKind::Name:
        hits = PatientRepository::searchByName(tx, actor.hospitalId, query, after, limit + 1);
        kindName = QStringLiteral("name");
        break;
    }

    SearchPage page;
    QJsonArray ids;
    for (qsizetype i = 0; i < qsizetype(hits.size()) && i < limit; ++i) {
        page.items.push_back(hits[size_t(i)].patient);
        ids.append(QString::number(hits[size_t(i)].patient.id));
    }
    if (qsizetype(hits.size()) > limit) {
        const PatientHit &last = hits[size_t(limit - 1)];
        page.next = SearchCursor{last.rank, last.patient.id, last.key};
    }
    // SECURITY.md L1: a search records the ids it returned (never the query text: PHI).
    AuditEntry audit = patientAudit(actor, client, QStringLiteral("patient.search"), std::nullopt);
    audit.details = {
        {QStringLiteral("kind"), kindName},
        {QStringLiteral("patientIds"), ids},
        {QStringLiteral("page"), after ? QStringLiteral("next") : QStringLiteral("first")}};
    AuditLog::append(tx, audit);
    tx.commit();
    return page;
}

} // namespace hms::server
