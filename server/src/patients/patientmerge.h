#pragma once

#include "auth/principal.h"

#include <QString>

#include <optional>

namespace hms::server {

class DbSession;
struct ClientInfo;

/// What a merge did.
struct MergeResult
{
    qint64 mergedId = 0;
    qint64 survivorId = 0;
    int mergedVersion = 0; ///< the merged record's version after the merge
    int survivorVersion = 0;
    int movedVisits = 0;
    int movedAppointments = 0;
};

/// Admin merge of two patient records of one hospital (patient.merge). The merged record is
/// kept, never deleted: merged_into names the survivor (records merged into it earlier are
/// re-pointed to the survivor, so one hop always resolves), its visits and appointments move
/// to the survivor, and its clinical documents (append-only) stay on their record and are
/// listed and read under the survivor. Its MRN finds the survivor in search; GET of its id
/// answers 308 to the survivor. One transaction with its audit row.
class PatientMergeService
{
public:
    /// 404 when either record is unknown, another hospital's or already merged; 422 when
    /// \a mergedId == \a survivorId; 412 when either version is stale; 409 when both have an
    /// open visit in the same department (finish one first).
    static MergeResult merge(DbSession &db,
                             const Principal &actor,
                             const ClientInfo &client,
                             qint64 mergedId,
                             int mergedVersion,
                             qint64 survivorId,
                             int survivorVersion,
                             const QString &reason);
};

} // namespace hms::server
