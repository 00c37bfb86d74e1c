#include "ipd/bedboard.h"

#include "audit/auditlog.h"
#include "common/domainerror.h"
#include "db/dbsession.h"
#include "db/sql.h"
#include "db/tenant.h"
#include "ipd/ipdrepository.h"
#include "ipd/jsonwriter.h"
#include "shared/auth/permissions.h"

#include <QMutexLocker>

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <cstring>
#include <limits>
#include <string>

namespace hms::server {

namespace {

constexpr double Forever = std::numeric_limits<double>::infinity();

// Column order matters: rows are read by index on the hot path.
const sql::Query BedListSql = sql::Query("SELECT b.id, b.ward_id, w.code, r.id, r.code, b.code, "
                                         "array_to_string(b.features, ','), b.daily_rate, ")
    + IpdRepository::EffectiveStatusSql + ", b.version, CASE WHEN "
    + IpdRepository::EffectiveStatusSql
    + " = 'reserved' THEN extract(epoch FROM b.reserved_until)::float8 END, CASE WHEN "
    + IpdRepository::EffectiveStatusSql
    + " = 'reserved' THEN to_char(b.reserved_until AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') END";

constexpr char BedJoinSql[] =
    " FROM beds b JOIN wards w ON w.hospital_id = b.hospital_id AND w.id = b.ward_id "
    "JOIN rooms r ON r.hospital_id = b.hospital_id AND r.id = b.room_id ";

const sql::Query BedsQuery = BedListSql + BedJoinSql
    + "WHERE b.hospital_id = $1 AND ($2::bigint IS NULL OR "
      "b.ward_id = $2) ORDER BY w.code, r.code, b.code";

const sql::Query BoardQuery = BedListSql
    + ", a.id, a.patient_id, p.mrn, p.full_name, "
      "to_char((a.admitted_at AT TIME ZONE h.timezone)::date, 'YYYY-MM-DD') "
    + BedJoinSql
    + "JOIN hospitals h ON h.id = b.hospital_id "
      "LEFT JOIN admissions a ON a.hospital_id = b.hospital_id AND a.bed_id = b.id "
      "AND a.status = 'active' "
      "LEFT JOIN patients p ON p.hospital_id = a.hospital_id AND p.id = a.patient_id "
      "WHERE b.hospital_id = $1 ORDER BY w.code, r.code, b.code";

enum Col {
    ColId,
    ColWardId,
    ColWardCode,
    ColRoomId,
    ColRoom,
    ColCode,
    ColFeatures,
    ColDailyRate,
    ColStatus,
    ColVersion,
    ColReservedEpoch,
    ColReservedUntil,
    ColAdmissionId,
    ColPatientId,
    ColMrn,
    ColName,
    ColAdmittedOn,
};

void rawString(JsonWriter &out, const pqxx::field &field)
{
    out.string(field.c_str(), qsizetype(field.size()));
}

void rawId(JsonWriter &out, const pqxx::field &field)
{
    // bigint text is already the decimal id.
    out.string(field.c_str(), qsizetype(field.size()));
}

void features(JsonWriter &out, const pqxx::field &field)
{
    out.beginArray();
    const char *text = field.c_str();
    const qsizetype size = qsizetype(field.size());
    qsizetype start = 0;
    for (qsizetype i = 0; i <= size; ++i) {
        if (i == size || text[i] == ',') {
            if (i > start)
                out.string(text + start, i - start);
            start = i + 1;
        }
    }
    out.endArray();
}

/// The common members of one bed; returns the reservation expiry (Forever when none).
double writeBedMembers(JsonWriter &out, const pqxx::row &row, bool withWardCode)
{
    out.key("id");
    rawId(out, row[ColId]);
    out.key("wardId");
    rawId(out, row[ColWardId]);
    if (withWardCode) {
        out.key("ward");
        rawString(out, row[ColWardCode]);
    }
    out.key("roomId");
    rawId(out, row[ColRoomId]);
    out.key("room");
    rawString(out, row[ColRoom]);
    out.key("code");
    rawString(out, row[ColCode]);
    out.key("status");
    rawString(out, row[ColStatus]);
    out.key("features");
    features(out, row[ColFeatures]);
    out.key("dailyRate");
    out.number(row[ColDailyRate].as<qint64>());
    out.key("reservedUntil");
    if (row[ColReservedUntil].is_null())
        out.null();
    else
        rawString(out, row[ColReservedUntil]);
    out.key("version");
    out.number(row[ColVersion].as<qint64>());
    return row[ColReservedEpoch].is_null() ? Forever : row[ColReservedEpoch].as<double>();
}

struct Validator
{
    qint64 seq = 0;
    double now = 0;
    QString patientStamp;
};

/// What decides whether a cached entry still holds (0013_request_path.sql): read with the
/// session check when the route's companion asked for the same view, else in a round trip of
/// its own (one statement outside a transaction block, which sets the tenant for its own
/// transaction only).
Validator validate(pqxx::connection_base &connection,
                   qint64 hospitalId,
                   bool occupants,
                   const std::optional<CompanionRow> &companion)
{
    if (companion && companion->flag == occupants && companion->columns.size() == 3) {
        Validator validator;
        validator.seq = companion->columns[0].toLongLong();
        validator.now = companion->columns[1].toDouble();
        if (occupants && !companion->columns[2].isNull())
            validator.patientStamp = QString::fromUtf8(companion->columns[2]);
        return validator;
    }
    pqxx::nontransaction tx(connection);
    const pqxx::result result =
        tx.exec_params("SELECT r_seq, r_now, r_occupants FROM hms_bed_board_version($1, $2)",
                       hospitalId, occupants);
    const pqxx::row row = result.at(0);
    Validator validator;
    validator.seq = row[0].as<qint64>();
    validator.now = row[1].as<double>();
    if (occupants && !row[2].is_null())
        validator.patientStamp = QString::fromUtf8(row[2].c_str());
    return validator;
}

struct WardCount
{
    qint64 total = 0;
    qint64 free = 0;
    qint64 reserved = 0;
    qint64 occupied = 0;
    qint64 cleaning = 0;
    qint64 maintenance = 0;
};

} // namespace

std::shared_ptr<const SessionCompanion> BedBoard::bedsCompanion()
{
    static const auto companion = std::make_shared<const SessionCompanion>(
        SessionCompanion{"hms_bed_board_version($1, $5)", [](Role) {
                             return false;
                         }});
    return companion;
}

std::shared_ptr<const SessionCompanion> BedBoard::boardCompanion()
{
    static const auto companion = std::make_shared<const SessionCompanion>(
        SessionCompanion{"hms_bed_board_version($1, $5)", &BedBoard::seesOccupants});
    return companion;
}

bool BedBoard::seesOccupants(Role role)
{
    return (roleHas(role, Permission::PatientRead) && roleHas(role, Permission::ClinicalRead))
        || roleHas(role, Permission::AdmissionManage);
}

std::shared_ptr<const BedBoard::Entry> BedBoard::lookup(const QString &key) const
{
    QMutexLocker lock(&m_mutex);
    return m_entries.value(key);
}

void BedBoard::store(const QString &key, std::shared_ptr<const Entry> entry)
{
    QMutexLocker lock(&m_mutex);
    ++m_builds;
    const std::shared_ptr<const Entry> current = m_entries.value(key);
    // Never replace a newer entry with an older one built concurrently.
    if (!current || current->seq <= entry->seq)
        m_entries.insert(key, std::move(entry));
}

qint64 BedBoard::builds() const
{
    QMutexLocker lock(&m_mutex);
    return m_builds;
}

QByteArray BedBoard::beds(DbSession &db,
                          const Principal &actor,
                          std::optional<qint64> wardId,
                          const std::optional<CompanionRow> &companion)
{
    const QString key = QStringLiteral("beds:%1:%2").arg(actor.hospitalId).arg(wardId.value_or(0));
    const Validator validator = validate(db.connection(), actor.hospitalId, false, companion);
    if (const auto entry = lookup(key);
        entry && entry->seq == validator.seq && validator.now < entry->validUntil)
        return entry->bytes;
    // Built from rows at least as new as validator.seq: a change in between only makes the
    // next request rebuild once more.
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    if (wardId && !IpdRepository::findWard(tx, actor.hospitalId, *wardId))
        throw DomainError(problems::NotFound, QStringLiteral("No such ward"));
    const pqxx::result rows = tx.exec_params(BedsQuery, actor.hospitalId, wardId);
    tx.commit();

    auto entry = std::make_shared<Entry>();
    entry->seq = validator.seq;
    entry->validUntil = Forever;
    JsonWriter out(qsizetype(rows.size()) * 200 + 16);
    out.beginObject();
    out.key("items");
    out.beginArray();
    for (const pqxx::row &row : rows) {
        out.beginObject();
        entry->validUntil = std::min(entry->validUntil, writeBedMembers(out, row, false));
        out.endObject();
    }
    out.endArray();
    out.endObject();
    entry->bytes = out.take();
    QByteArray bytes = entry->bytes;
    store(key, std::move(entry));
    return bytes;
}

QByteArray BedBoard::board(DbSession &db,
                           const Principal &actor,
                           const ClientInfo &client,
                           const std::optional<CompanionRow> &companion)
{
    const bool occupants = seesOccupants(actor.role);
    const QString key = QStringLiteral("board:%1:%2").arg(actor.hospitalId).arg(occupants ? 1 : 0);
    const Validator validator = validate(db.connection(), actor.hospitalId, occupants, companion);
    std::shared_ptr<const Entry> entry = lookup(key);
    if (!entry || entry->seq != validator.seq || validator.now >= entry->validUntil
        || entry->patientStamp != validator.patientStamp) {
        pqxx::work tx(db.connection());
        enterTenant(tx, actor.hospitalId);
        const pqxx::result wards = tx.exec_params(
            "SELECT id, code, name, kind FROM wards WHERE hospital_id = $1 ORDER BY code",
            actor.hospitalId);
        const pqxx::result rows = tx.exec_params(BoardQuery, actor.hospitalId);

        auto built = std::make_shared<Entry>();
        built->seq = validator.seq;
        built->validUntil = Forever;
        built->patientStamp = validator.patientStamp;
        QHash<qint64, WardCount> counts;
        JsonWriter out(qsizetype(rows.size()) * 260 + qsizetype(wards.size()) * 160 + 64);
        out.beginObject();
        out.key("seq");
        out.number(validator.seq);
        out.key("occupantsShown");
        out.boolean(occupants);
        out.key("beds");
        out.beginArray();
        for (const pqxx::row &row : rows) {
            out.beginObject();
            built->validUntil = std::min(built->validUntil, writeBedMembers(out, row, true));
            WardCount &count = counts[row[ColWardId].as<qint64>()];
            ++count.total;
            const char *status = row[ColStatus].c_str();
            if (std::strcmp(status, "free") == 0)
                ++count.free;
            else if (std::strcmp(status, "reserved") == 0)
                ++count.reserved;
            else if (std::strcmp(status, "occupied") == 0)
                ++count.occupied;
            else if (std::strcmp(status, "cleaning") == 0)
                ++count.cleaning;
            else
                ++count.maintenance;
            if (occupants && !row[ColAdmissionId].is_null()) {
                out.key("occupant");
                out.beginObject();
                out.key("admissionId");
                rawId(out, row[ColAdmissionId]);
                out.key("patientId");
                rawId(out, row[ColPatientId]);
                out.key("mrn");
                rawString(out, row[ColMrn]);
                out.key("fullName");
                rawString(out, row[ColName]);
                out.key("admittedOn");
                rawString(out, row[ColAdmittedOn]);
                out.endObject();
                built->patientIds.append(QString::fromLatin1(row[ColPatientId].c_str()));
            }
            out.endObject();
        }
        out.endArray();
        out.key("wards");
        out.beginArray();
        for (const pqxx::row &ward : wards) {
            const WardCount count = counts.value(ward[0].as<qint64>());
            out.beginObject();
            out.key("id");
            rawId(out, ward[0]);
            out.key("code");
            rawString(out, ward[1]);
            out.key("name");
            rawString(out, ward[2]);
            out.key("kind");
            rawString(out, ward[3]);
            out.key("beds");
            out.number(count.total);
            out.key("free");
            out.number(count.free);
            out.key("reserved");
            out.number(count.reserved);
            out.key("occupied");
            out.number(count.occupied);
            out.key("cleaning");
            out.number(count.cleaning);
            out.key("maintenance");
            out.number(count.maintenance);
            out.key("occupancyPercent");
            out.number(count.total ? count.occupied * 100 / count.total : 0);
            out.endObject();
        }
        out.endArray();
        out.endObject();
        built->bytes = out.take();
        tx.commit();
        entry = built;
        store(key, std::move(built));
    }
    if (occupants) {
        pqxx::work tx(db.connection());
        enterTenant(tx, actor.hospitalId);
        // SECURITY.md L1: the board shows names and MRNs, so the ids shown are audited.
        AuditEntry audit = AuditEntry::forActor(actor, client, QStringLiteral("demographic"),
                                                QStringLiteral("bedboard.read"),
                                                QStringLiteral("bed_board"), QString());
        audit.details = {{QStringLiteral("patientIds"), entry->patientIds},
                         {QStringLiteral("seq"), entry->seq}};
        AuditLog::append(tx, audit);
        tx.commit();
    }
    return entry->bytes;
}

} // namespace hms::server
