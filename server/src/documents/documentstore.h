#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace hms::server {

/// One version of a clinical document, with its document's header.
struct DocumentVersion
{
    QString documentId; ///< opaque to callers (PostgreSQL: decimal bigint)
    qint64 patientId = 0;
    QString kind; ///< one of clinicalDocumentKinds()
    int version = 1;
    QJsonObject body;
    qint64 authorId = 0;
    QString authoredAt; ///< ISO 8601 UTC with Z, microseconds
    QString createdAt; ///< when version 1 was written
    QString supersedesReason; ///< empty on version 1
    std::optional<qint64> admissionId; ///< the stay it is filed under (NewDocument)
    QString occurredAt; ///< ISO 8601 UTC with Z, microseconds (NewDocument)
};

/// A document's first version.
struct NewDocument
{
    NewDocument() = default;

    NewDocument(qint64 patientId,
                QString kind,
                QJsonObject body,
                qint64 authorId,
                std::optional<qint64> admissionId = std::nullopt,
                QString occurredAt = {})
        : patientId(patientId)
        , kind(std::move(kind))
        , body(std::move(body))
        , authorId(authorId)
        , admissionId(admissionId)
        , occurredAt(std::move(occurredAt))
    {}

    qint64 patientId = 0;
    QString kind;
    QJsonObject body;
    qint64 authorId = 0;
    /// The inpatient stay the document is filed under (vitals, nursing notes), for
    /// listByAdmission(); fixed with version 1.
    std::optional<qint64> admissionId;
    /// When what it records happened (an RFC 3339 instant, e.g. a vitals' takenAt); empty:
    /// when it is written. Orders listByAdmission(); fixed with version 1.
    QString occurredAt;
};

/// One page of listByPatient() or listByAdmission(): latest version of each document, newest
/// document first.
struct DocumentPage
{
    std::vector<DocumentVersion> items;
    QString nextCursor; ///< empty: no more
};

/// addVersion() with an expectedVersion that is no longer the latest one.
class DocumentConflict : public std::runtime_error
{
public:
    DocumentConflict()
        : std::runtime_error("stale document version")
    {}
};

/// listByPatient() or listByAdmission() with a cursor this backend did not hand out (for that
/// list).
class InvalidDocumentCursor : public std::invalid_argument
{
public:
    InvalidDocumentCursor()
        : std::invalid_argument("invalid document cursor")
    {}
};

/// The unit of work a DocumentStore call runs in: one hospital and, for backends that can,
/// one transaction shared with the caller's other writes. Each backend defines its own
/// concrete type (PgDocumentStore: PgDocumentUnitOfWork around a libpqxx transaction) and
/// refuses others, so no database library type leaks through this interface.
///
/// Atomicity (why a handle and not a connection string): a clinical read or write and its
/// audit row must commit together or not at all (SECURITY.md L1). The service opens one
/// PostgreSQL transaction, binds the tenant, hands the store a unit of work around it and
/// appends the audit row in the same transaction; the PostgreSQL backend therefore writes
/// the document, the version and the audit row atomically. A MongoDB backend would get a
/// unit of work holding both the PostgreSQL transaction (audit) and a MongoDB session
/// transaction; it writes the document in its session and commits it only from a
/// beforeCommit hook of the PostgreSQL transaction (or via an outbox row in PostgreSQL),
/// which is that backend's job to get right; the interface does not change.
class DocumentUnitOfWork
{
public:
    virtual ~DocumentUnitOfWork() = default;

    /// The tenant every call of this unit is confined to.
    virtual qint64 hospitalId() const = 0;
};

/// Clinical documents: append-only versions, each with author and time; never overwritten
/// (ARCHITECTURE.md "Data"). Every call is confined to \a unit's hospital: a document of
/// another hospital is simply not found. Implementations are stateless apart from
/// configuration and may be called from several database threads at once (each with its
/// own unit of work). Parent checks (does this document belong to that patient?) are the
/// caller's: the store returns patientId with every version.
class DocumentStore
{
public:
    virtual ~DocumentStore() = default;

    /// Writes version 1 of a new document; the patient must exist in the unit's hospital
    /// (else the backend throws).
    virtual DocumentVersion append(DocumentUnitOfWork &unit, const NewDocument &document) = 0;

    /// Writes version expectedVersion + 1 of \a documentId. nullopt when the document does
    /// not exist (in this hospital). Throws DocumentConflict when \a expectedVersion is not
    /// the latest version (also when a concurrent writer got there first).
    virtual std::optional<DocumentVersion> addVersion(DocumentUnitOfWork &unit,
                                                      const QString &documentId,
                                                      int expectedVersion,
                                                      const QJsonObject &body,
                                                      qint64 authorId,
                                                      const QString &reason) = 0;

    /// The latest version; nullopt when absent.
    virtual std::optional<DocumentVersion> latest(DocumentUnitOfWork &unit,
                                                  const QString &documentId) = 0;

    /// Every version, oldest first; empty when absent.
    virtual std::vector<DocumentVersion> history(DocumentUnitOfWork &unit,
                                                 const QString &documentId) = 0;

    /// The latest version of each document of \a patientId (of \a kind when not empty),
    /// newest document first (creation time, then id), at most \a limit. \a cursor is a
    /// nextCursor of a previous page or empty; throws InvalidDocumentCursor otherwise.
    virtual DocumentPage listByPatient(DocumentUnitOfWork &unit,
                                       qint64 patientId,
                                       const QString &kind,
                                       int limit,
                                       const QString &cursor) = 0;

    /// The latest version of each document of \a patientId (or of a record merged into it)
    /// and \a kind filed under \a admissionId (NewDocument::admissionId), newest first
    /// (occurredAt, then id), at most \a limit; nothing else is read on the way (PostgreSQL:
    /// an index range scan). \a cursor is a nextCursor of a previous page of this list or
    /// empty; throws InvalidDocumentCursor otherwise.
    virtual DocumentPage listByAdmission(DocumentUnitOfWork &unit,
                                         qint64 patientId,
                                         const QString &kind,
                                         qint64 admissionId,
                                         int limit,
                                         const QString &cursor) = 0;
};

} // namespace hms::server
