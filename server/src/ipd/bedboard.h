#pragma once

#include "auth/principal.h"
#include "http/router.h"

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QMutex>
#include <QString>

#include <memory>
#include <optional>

namespace hms::server {

class DbSession;
struct ClientInfo;

/// The bed list (GET /beds) and the bed board (GET /bed-board) as ready JSON bytes, cached
/// per (hospital, view) and revalidated on every request with one cheap query: the
/// hospital's event sequence (every bed, ward, admission change appends an event in its own
/// transaction, so an unchanged seq means unchanged beds) and the database clock (a
/// reservation that expires turns its bed free without an event: an entry is only good
/// until the earliest reservation it shows runs out). The occupant view also compares the
/// occupants' patient record versions and update times (names, MRNs). Serialized with
/// JsonWriter, not QJsonDocument (PERFORMANCE.md). Thread-safe; one per server.
class BedBoard
{
public:
    /// True when \a role sees who lies in a bed (MRN, name, admission day): doctors and
    /// nurses (patient.read + clinical.read) and admission desks (admission.manage).
    static bool seesOccupants(Role role);

    /// {"items":[bed...]} of the hospital, or of one ward (404 when it is not the
    /// hospital's). No patient data.
    QByteArray beds(DbSession &db,
                    const Principal &actor,
                    std::optional<qint64> wardId,
                    const std::optional<CompanionRow> &companion = std::nullopt);

    /// {"seq","occupantsShown","wards":[... occupancy ...],"beds":[...]} with occupants for
    /// seesOccupants() roles; that view is audited (category demographic) with the patient
    /// ids it shows.
    QByteArray board(DbSession &db,
                     const Principal &actor,
                     const ClientInfo &client,
                     const std::optional<CompanionRow> &companion = std::nullopt);

    /// The routes' SessionCompanion: the cache check read with the session check, in one
    /// round trip (the list never shows occupants; the board's view follows the role).
    static std::shared_ptr<const SessionCompanion> bedsCompanion();
    static std::shared_ptr<const SessionCompanion> boardCompanion();

    /// Entries built so far (tests and diagnostics).
    qint64 builds() const;

private:
    struct Entry
    {
        qint64 seq = 0;
        double validUntil = 0; ///< epoch seconds, database clock
        QString patientStamp; ///< occupant view only
        QByteArray bytes;
        QJsonArray patientIds; ///< occupant view only
    };

    std::shared_ptr<const Entry> lookup(const QString &key) const;
    void store(const QString &key, std::shared_ptr<const Entry> entry);

    mutable QMutex m_mutex;
    QHash<QString, std::shared_ptr<const Entry>> m_entries;
    qint64 m_builds = 0;
};

} // namespace hms::server
