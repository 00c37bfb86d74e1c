#pragma once

#include "auth/principal.h"
#include "documents/documentstore.h"

#include <QJsonObject>

#include <vector>

namespace hms::server {

class DbSession;

/// Vitals and nursing notes of an inpatient stay, kept as clinical documents (kinds "vitals"
/// and "nursing_note") in the DocumentStore, each carrying its admissionId (and for vitals
/// takenAt). One transaction per call holds the store's unit of work, the audit row and (for
/// a write) the event "vitals.recorded" / "nursing_note.recorded" on "beds:<ward id>" (ids
/// only). Another hospital's or an absent admission is the same audited 404. Stateless apart
/// from the store; runs on database pool threads.
class NursingService
{
public:
    /// Documents per chart page: the default and the most a caller may ask for.
    static constexpr int DefaultPageSize = 500;
    static constexpr int MaxPageSize = 500;

    /// \a store must outlive the service.
    explicit NursingService(DocumentStore &store)
        : m_store(store)
    {}

    /// \a body already validated for \a kind (validateClinicalBody) and free of admissionId;
    /// vitals without takenAt are taken now (database clock). 409 when the stay has ended.
    DocumentVersion record(DbSession &db,
                           const Principal &actor,
                           const ClientInfo &client,
                           qint64 admissionId,
                           const QString &kind,
                           QJsonObject body);

    /// One page of the stay's documents of \a kind, newest first (vitals by takenAt, notes by
    /// when they were written), read by admission from the store (listByAdmission); audited
    /// with the ids. \a cursor: a nextCursor of a previous page or empty (422 otherwise).
    DocumentPage chart(DbSession &db,
                       const Principal &actor,
                       const ClientInfo &client,
                       qint64 admissionId,
                       const QString &kind,
                       int limit,
                       const QString &cursor);

private:
    DocumentStore &m_store;
};

} // namespace hms::server
