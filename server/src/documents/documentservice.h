#pragma once

#include "auth/principal.h"
#include "documents/documentstore.h"

#include <QJsonObject>

#include <pqxx/types>

#include <functional>
#include <optional>

namespace hms::server {

class DbSession;
struct ClientInfo;

/// Clinical documents of a patient: business rules over a DocumentStore. Every call is one
/// PostgreSQL transaction bound to the caller's hospital, holding the store's unit of work
/// and the audit row (category "clinical", patientId set), so the read or write and its
/// audit commit together (SECURITY.md L1). A patient or document that is absent, of another
/// hospital, or (for documents) of another patient answers the same 404, and the miss is
/// audited (T2). Stateless; runs on database pool threads.
class DocumentService
{
public:
    static constexpr int DefaultPageSize = 20;
    static constexpr int MaxPageSize = 200;

    /// \a store must outlive the service. Today: PgDocumentStore (needs the PostgreSQL unit).
    explicit DocumentService(DocumentStore &store)
        : m_store(store)
    {}

    static QJsonObject toJson(const DocumentVersion &version);

    /// Version 1 of a document of \a kind with \a body (validated), filed under the body's
    /// admissionId and, for vitals, its takenAt (both fixed from then on: a new version must
    /// keep them, 422).
    static NewDocument
    newDocument(qint64 patientId, const QString &kind, const QJsonObject &body, qint64 authorId);

    /// Lets the route take part in a create's transaction without the service knowing HTTP
    /// (Idempotency-Key): begin() runs right after the tenant is set and returns false to
    /// stop without writing anything; beforeCommit() runs last.
    struct TransactionHooks
    {
        std::function<bool(pqxx::transaction_base &)> begin;
        std::function<void(pqxx::transaction_base &, const DocumentVersion &)> beforeCommit;
    };

    /// \a body already validated for \a kind (validateClinicalBody). nullopt when
    /// hooks.begin() said stop.
    std::optional<DocumentVersion> create(DbSession &db,
                                          const Principal &actor,
                                          const ClientInfo &client,
                                          qint64 patientId,
                                          const QString &kind,
                                          const QJsonObject &body,
                                          const TransactionHooks &hooks = {});

    /// Latest version of each document, newest first; audited with the returned ids.
    /// 422 for a cursor that is not from a previous page.
    DocumentPage list(DbSession &db,
                      const Principal &actor,
                      const ClientInfo &client,
                      qint64 patientId,
                      const QString &kind,
                      int limit,
                      const QString &cursor);

    DocumentVersion get(DbSession &db,
                        const Principal &actor,
                        const ClientInfo &client,
                        qint64 patientId,
                        const QString &documentId);

    std::vector<DocumentVersion> history(DbSession &db,
                                         const Principal &actor,
                                         const ClientInfo &client,
                                         qint64 patientId,
                                         const QString &documentId);

    /// A new version (never an overwrite). \a body is validated here against the document's
    /// kind (422); 412 when \a expectedVersion is not the latest.
    DocumentVersion addVersion(DbSession &db,
                               const Principal &actor,
                               const ClientInfo &client,
                               qint64 patientId,
                               const QString &documentId,
                               int expectedVersion,
                               const QJsonObject &body,
                               const QString &reason);

private:
    DocumentStore &m_store;
};

} // namespace hms::server
