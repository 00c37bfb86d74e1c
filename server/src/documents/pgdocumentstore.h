#pragma once

#include "documents/documentstore.h"

#include <pqxx/types>

namespace hms::server {

/// The PostgreSQL unit of work: the caller's open transaction, already bound to
/// \a hospitalId with enterTenant(). The caller commits (or not); the store never does.
class PgDocumentUnitOfWork final : public DocumentUnitOfWork
{
public:
    PgDocumentUnitOfWork(pqxx::transaction_base &tx, qint64 hospitalId)
        : m_tx(tx)
        , m_hospitalId(hospitalId)
    {}

    qint64 hospitalId() const override { return m_hospitalId; }

    pqxx::transaction_base &transaction() const { return m_tx; }

private:
    pqxx::transaction_base &m_tx;
    qint64 m_hospitalId;
};

/// The default DocumentStore: clinical_documents + clinical_document_versions (JSONB) in the
/// system-of-record database (migration 0007), under row-level security; hms_app may only
/// SELECT and INSERT there. Takes PgDocumentUnitOfWork only (std::invalid_argument else).
class PgDocumentStore final : public DocumentStore
{
public:
    DocumentVersion append(DocumentUnitOfWork &unit, const NewDocument &document) override;
    std::optional<DocumentVersion> addVersion(DocumentUnitOfWork &unit,
                                              const QString &documentId,
                                              int expectedVersion,
                                              const QJsonObject &body,
                                              qint64 authorId,
                                              const QString &reason) override;
    std::optional<DocumentVersion> latest(DocumentUnitOfWork &unit,
                                          const QString &documentId) override;
    std::vector<DocumentVersion> history(DocumentUnitOfWork &unit,
                                         const QString &documentId) override;
    DocumentPage listByPatient(DocumentUnitOfWork &unit,
                               qint64 patientId,
                               const QString &kind,
                               int limit,
                               const QString &cursor) override;
    DocumentPage listByAdmission(DocumentUnitOfWork &unit,
                                 qint64 patientId,
                                 const QString &kind,
                                 qint64 admissionId,
                                 int limit,
                                 const QString &cursor) override;
};

} // namespace hms::server
