#include "documents/pgdocumentstore.h"

#include "db/sql.h"

#include <QJsonDocument>
#include <QRegularExpression>

#include <pqxx/result>
#include <pqxx/transaction_base>

namespace hms::server {

namespace {

#define HMS_UTC(column)                                                                            \
    "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

// The columns every read returns, in the order rowToVersion() expects.
constexpr char Columns[] =
    "d.id, d.patient_id, d.kind, v.version, v.body::text, v.author_id, " HMS_UTC(
        "v.authored_at") ", " HMS_UTC("d.created_at") ", coalesce(v.supersedes_reason, ''), "
                                                      "d.admission_id, " HMS_UTC("d.occurred_at");

pqxx::transaction_base &txOf(DocumentUnitOfWork &unit)
{
    auto *pg = dynamic_cast<PgDocumentUnitOfWork *>(&unit);
    if (!pg)
        throw std::invalid_argument("PgDocumentStore needs a PgDocumentUnitOfWork");
    return pg->transaction();
}

QString text(const pqxx::field &field)
{
    return QString::fromStdString(field.as<std::string>());
}

DocumentVersion rowToVersion(const pqxx::row &row)
{
    DocumentVersion version;
    version.documentId = text(row[0]);
    version.patientId = row[1].as<qint64>();
    version.kind = text(row[2]);
    version.version = row[3].as<int>();
    version.body =
        QJsonDocument::fromJson(QByteArray::fromStdString(row[4].as<std::string>())).object();
    version.authorId = row[5].as<qint64>();
    version.authoredAt = text(row[6]);
    version.createdAt = text(row[7]);
    version.supersedesReason = text(row[8]);
    if (!row[9].is_null())
        version.admissionId = row[9].as<qint64>();
    version.occurredAt = text(row[10]);
    return version;
}

std::string jsonText(const QJsonObject &body)
{
    return QJsonDocument(body).toJson(QJsonDocument::Compact).toStdString();
}

/// Our ids are positive bigints; anything else names no document.
std::optional<qint64> parseId(const QString &documentId)
{
    if (documentId.isEmpty() || documentId.size() > 18)
        return std::nullopt;
    for (const QChar c : documentId)
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return std::nullopt;
    const qint64 id = documentId.toLongLong();
    return id > 0 ? std::optional<qint64>(id) : std::nullopt;
}

std::optional<DocumentVersion> latestById(pqxx::transaction_base &tx, qint64 hospitalId, qint64 id)
{
    const pqxx::result result = tx.exec_params(
        sql::Query("SELECT ") + Columns
            + " FROM clinical_documents d JOIN clinical_document_versions v "
              "ON v.hospital_id = d.hospital_id AND v.document_id = d.id "
              "WHERE d.hospital_id = $1 AND d.id = $2 ORDER BY v.version DESC LIMIT 1",
        hospitalId, id);
    if (result.empty())
        return std::nullopt;
    return rowToVersion(result[0]);
}

struct Cursor
{
    std::string at;
    qint64 id = 0;
};

/// A page's last item as "<tag><time>|<id>", base64url: listByPatient's tag is empty (its
/// cursors predate the other list), listByAdmission's "a|" so neither takes the other's.
QString encodeCursor(const char *tag, const QString &at, const QString &documentId)
{
    const QByteArray raw = QByteArray(tag) + at.toLatin1() + '|' + documentId.toLatin1();
    return QString::fromLatin1(
        raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

Cursor decodeCursor(const char *tag, const QString &cursor)
{
    if (cursor.size() > 100)
        throw InvalidDocumentCursor();
    const QByteArray::FromBase64Result decoded = QByteArray::fromBase64Encoding(
        cursor.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || !decoded.decoded.startsWith(tag))
        throw InvalidDocumentCursor();
    static const QRegularExpression pattern(
        QStringLiteral("^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z)\\|"
                       "([0-9]{1,18})$"));
    const QRegularExpressionMatch match =
        pattern.match(QString::fromLatin1(decoded.decoded.mid(qsizetype(qstrlen(tag)))));
    if (!match.hasMatch())
        throw InvalidDocumentCursor();
    const std::optional<qint64> id = parseId(match.captured(2));
    if (!id)
        throw InvalidDocumentCursor();
    return {match.captured(1).toStdString(), *id};
}

constexpr char PatientCursorTag[] = "";
constexpr char AdmissionCursorTag[] = "a|";

/// At most \a limit rows of \a result (which asked for limit + 1) and the next cursor.
DocumentPage pageOf(const pqxx::result &result, int limit, bool byAdmission)
{
    DocumentPage page;
    for (const pqxx::row &row : result) {
        if (int(page.items.size()) == limit) {
            const DocumentVersion &last = page.items.back();
            page.nextCursor = byAdmission
                ? encodeCursor(AdmissionCursorTag, last.occurredAt, last.documentId)
                : encodeCursor(PatientCursorTag, last.createdAt, last.documentId);
            break;
        }
        page.items.push_back(rowToVersion(row));
    }
    return page;
}

} // namespace

DocumentVersion PgDocumentStore::append(DocumentUnitOfWork &unit, const NewDocument &document)
{
    pqxx::transaction_base &tx = txOf(unit);
    const qint64 hospitalId = unit.hospitalId();
    const qint64 id =
        tx.exec_params1(
              "INSERT INTO clinical_documents "
              "(hospital_id, patient_id, kind, created_by, admission_id, occurred_at) "
              "VALUES ($1, $2, $3, $4, $5, COALESCE($6::timestamptz, now())) RETURNING id",
              hospitalId, document.patientId, document.kind.toStdString(), document.authorId,
              document.admissionId,
              document.occurredAt.isEmpty()
                  ? std::optional<std::string>()
                  : std::optional<std::string>(document.occurredAt.toStdString()))[0]
            .as<qint64>();
    tx.exec_params0("INSERT INTO clinical_document_versions "
                    "(hospital_id, document_id, version, body, author_id) "
                    "VALUES ($1, $2, 1, $3::jsonb, $4)",
                    hospitalId, id, jsonText(document.body), document.authorId);
    return *latestById(tx, hospitalId, id);
}

std::optional<DocumentVersion> PgDocumentStore::addVersion(DocumentUnitOfWork &unit,
                                                           const QString &documentId,
                                                           int expectedVersion,
                                                           const QJsonObject &body,
                                                           qint64 authorId,
                                                           const QString &reason)
{
    pqxx::transaction_base &tx = txOf(unit);
    const qint64 hospitalId = unit.hospitalId();
    const std::optional<qint64> id = parseId(documentId);
    if (!id)
        return std::nullopt;
    const std::optional<DocumentVersion> current = latestById(tx, hospitalId, *id);
    if (!current)
        return std::nullopt;
    if (current->version != expectedVersion)
        throw DocumentConflict();
    // hms_app has no UPDATE (so no SELECT ... FOR UPDATE): the primary key decides a race.
    // A concurrent writer of the same version number makes this insert wait for its commit,
    // then do nothing, which is a conflict too.
    const pqxx::result inserted = tx.exec_params(
        "INSERT INTO clinical_document_versions "
        "(hospital_id, document_id, version, body, author_id, supersedes_reason) "
        "VALUES ($1, $2, $3, $4::jsonb, $5, $6) ON CONFLICT DO NOTHING RETURNING version",
        hospitalId, *id, expectedVersion + 1, jsonText(body), authorId, reason.toStdString());
    if (inserted.empty())
        throw DocumentConflict();
    return latestById(tx, hospitalId, *id);
}

std::optional<DocumentVersion> PgDocumentStore::latest(DocumentUnitOfWork &unit,
                                                       const QString &documentId)
{
    const std::optional<qint64> id = parseId(documentId);
    if (!id)
        return std::nullopt;
    return latestById(txOf(unit), unit.hospitalId(), *id);
}

std::vector<DocumentVersion> PgDocumentStore::history(DocumentUnitOfWork &unit,
                                                      const QString &documentId)
{
    std::vector<DocumentVersion> versions;
    const std::optional<qint64> id = parseId(documentId);
    if (!id)
        return versions;
    const pqxx::result result =
        txOf(unit).exec_params(sql::Query("SELECT ") + Columns
                                   + " FROM clinical_documents d JOIN clinical_document_versions v "
                                     "ON v.hospital_id = d.hospital_id AND v.document_id = d.id "
                                     "WHERE d.hospital_id = $1 AND d.id = $2 ORDER BY v.version",
                               unit.hospitalId(), *id);
    for (const pqxx::row &row : result)
        versions.push_back(rowToVersion(row));
    return versions;
}

DocumentPage PgDocumentStore::listByPatient(DocumentUnitOfWork &unit,
                                            qint64 patientId,
                                            const QString &kind,
                                            int limit,
                                            const QString &cursor)
{
    std::optional<std::string> afterAt;
    qint64 afterId = 0;
    if (!cursor.isEmpty()) {
        const Cursor decoded = decodeCursor(PatientCursorTag, cursor);
        afterAt = decoded.at;
        afterId = decoded.id;
    }
    const std::optional<std::string> kindFilter =
        kind.isEmpty() ? std::nullopt : std::optional<std::string>(kind.toStdString());
    const pqxx::result result = txOf(unit).exec_params(
        sql::Query("SELECT ") + Columns
            + " FROM clinical_documents d CROSS JOIN LATERAL ("
              "SELECT * FROM clinical_document_versions x WHERE x.hospital_id = d.hospital_id "
              "AND x.document_id = d.id ORDER BY x.version DESC LIMIT 1) v "
              // A merged record's documents are listed under its survivor (0008).
              "WHERE d.hospital_id = $1 AND d.patient_id IN (SELECT p.id FROM patients p "
              "WHERE p.hospital_id = $1 AND (p.id = $2 OR p.merged_into = $2)) "
              "AND ($3::text IS NULL OR d.kind = $3::text) "
              "AND ($4::timestamptz IS NULL OR (d.created_at, d.id) < ($4::timestamptz, $5)) "
              "ORDER BY d.created_at DESC, d.id DESC LIMIT $6",
        unit.hospitalId(), patientId, kindFilter, afterAt, afterId, limit + 1);
    return pageOf(result, limit, false);
}

DocumentPage PgDocumentStore::listByAdmission(DocumentUnitOfWork &unit,
                                              qint64 patientId,
                                              const QString &kind,
                                              qint64 admissionId,
                                              int limit,
                                              const QString &cursor)
{
    std::optional<std::string> afterAt;
    qint64 afterId = 0;
    if (!cursor.isEmpty()) {
        const Cursor decoded = decodeCursor(AdmissionCursorTag, cursor);
        afterAt = decoded.at;
        afterId = decoded.id;
    }
    // clinical_documents_admission_idx (0019): a range scan in the list's order.
    const pqxx::result result = txOf(unit).exec_params(
        sql::Query("SELECT ") + Columns
            + " FROM clinical_documents d CROSS JOIN LATERAL ("
              "SELECT * FROM clinical_document_versions x WHERE x.hospital_id = d.hospital_id "
              "AND x.document_id = d.id ORDER BY x.version DESC LIMIT 1) v "
              "WHERE d.hospital_id = $1 AND d.admission_id = $3 AND d.kind = $4 "
              "AND d.patient_id IN (SELECT p.id FROM patients p "
              "WHERE p.hospital_id = $1 AND (p.id = $2 OR p.merged_into = $2)) "
              "AND ($5::timestamptz IS NULL OR (d.occurred_at, d.id) < ($5::timestamptz, $6)) "
              "ORDER BY d.occurred_at DESC, d.id DESC LIMIT $7",
        unit.hospitalId(), patientId, admissionId, kind.toStdString(), afterAt, afterId, limit + 1);
    return pageOf(result, limit, true);
}

} // namespace hms::server
