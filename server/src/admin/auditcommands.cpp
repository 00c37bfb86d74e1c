#include "admin/commandsupport.h"
#include "audit/auditcheckpoint.h"

#include <QDate>
#include <QDateTime>
#include <QElapsedTimer>
#include <QTime>

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction>

namespace hms::server::admin {

namespace {

const QCommandLineOption &hospitalOption()
{
    static const QCommandLineOption option(
        QStringLiteral("hospital"), QStringLiteral("Hospital code."), QStringLiteral("code"));
    return option;
}

const QCommandLineOption &keyFileOption()
{
    static const QCommandLineOption option(
        QStringLiteral("key-file"),
        QStringLiteral("Ed25519 checkpoint key file (default: $HMS_AUDIT_KEY_FILE, else %1).")
            .arg(QLatin1String(AuditSigningKeys::DefaultPath)),
        QStringLiteral("path"));
    return option;
}

QString keyFilePath(const QCommandLineParser &parser)
{
    return parser.isSet(keyFileOption()) ? parser.value(keyFileOption())
                                         : AuditSigningKeys::defaultPath();
}

AuditSigningKeys keysOrThrow(Result<AuditSigningKeys> loaded)
{
    if (!loaded)
        throw CommandFailure(loaded.problem().detail);
    return std::move(loaded).value();
}

void printBroken(CommandContext &context, const AuditLog::Verification &result)
{
    context.out << "BROKEN at seq " << result.firstBrokenSeq << ": " << result.reason << " ("
                << result.rows << " rows verified before it)" << Qt::endl;
}

// One snapshot for a whole walk: a row appended meanwhile cannot look like a broken head.
using SnapshotReadTransaction = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;
using SnapshotWriteTransaction = pqxx::transaction<pqxx::repeatable_read>;

int auditVerify(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption since(
        QStringLiteral("since-checkpoint"),
        QStringLiteral("Walk only the rows after the newest signed checkpoint (after checking its "
                       "signature and that its row still has the signed hash)."));
    if (auto exit = parseCommand(
            context, parser, QStringLiteral("audit verify"),
            QStringLiteral("Walk a hospital's audit hash chain and report the first broken row. "
                           "Signed checkpoints, when there are any, are checked with the public "
                           "keys of the key file."),
            {hospitalOption(), keyFileOption(), since}, {QStringLiteral("hospital")}))
        return *exit;
    return runGuarded(context, QStringLiteral("audit verify"), [&] {
        auto connection = connectConsole(context);
        SnapshotReadTransaction tx(*connection);
        const qint64 hospitalId = enterHospital(tx, parser.value(hospitalOption()));
        QElapsedTimer clock;
        clock.start();
        std::optional<AuditCheckpoint> newest;
        QList<AuditCheckpoint> checkpoints;
        if (parser.isSet(since))
            newest = AuditCheckpoints::newest(tx, hospitalId);
        else
            checkpoints = AuditCheckpoints::all(tx, hospitalId);
        // The key file is needed only to check signatures, and is never created here.
        std::optional<AuditSigningKeys> keys;
        if (newest || !checkpoints.isEmpty())
            keys.emplace(keysOrThrow(AuditSigningKeys::load(keyFilePath(parser))));

        const AuditLog::Verification result = newest
            ? AuditCheckpoints::verifySince(tx, hospitalId, *newest, *keys)
            : AuditCheckpoints::verifyAll(tx, hospitalId, checkpoints, keys ? &*keys : nullptr);
        const qint64 elapsedMs = clock.elapsed();
        if (!result.ok) {
            printBroken(context, result);
            return int(Failure);
        }
        context.out << "OK " << result.rows << " rows";
        if (newest) {
            context.out << " after the signed checkpoint at seq " << newest->seq << " (signed "
                        << newest->signedAt << " by key " << newest->keyId
                        << "); the chain ends at seq " << result.lastSeq << "; " << elapsedMs
                        << " ms";
        } else if (!checkpoints.isEmpty()) {
            const AuditCheckpoint &last = checkpoints.constLast();
            context.out << "; " << checkpoints.size() << " signed checkpoint(s), the newest at seq "
                        << last.seq << " (signed " << last.signedAt << " by key " << last.keyId
                        << "); " << elapsedMs << " ms";
        } else if (parser.isSet(since)) {
            context.out << " (no signed checkpoint yet: walked the whole chain)";
        }
        if (result.pendingRows > 0)
            context.out << "; " << result.pendingRows
                        << " newer row(s) appended but not sealed into the chain yet (hms-server "
                           "seals them within a second)";
        context.out << Qt::endl;
        return int(Ok);
    });
}

int auditCheckpoint(CommandContext &context)
{
    QCommandLineParser parser;
    if (auto exit = parseCommand(
            context, parser, QStringLiteral("audit checkpoint"),
            QStringLiteral("Verify a hospital's audit chain since its newest checkpoint (the whole "
                           "chain the first time), then sign its head with the first key of the "
                           "key file (created, mode 0600, when it does not exist). Run it from "
                           "cron or a systemd timer, as the operator who owns the key file."),
            {hospitalOption(), keyFileOption()}, {QStringLiteral("hospital")}))
        return *exit;
    return runGuarded(context, QStringLiteral("audit checkpoint"), [&] {
        const QString path = keyFilePath(parser);
        const AuditSigningKeys keys = keysOrThrow(AuditSigningKeys::loadOrCreate(path));
        if (!keys.canSign())
            throw CommandFailure(
                QStringLiteral("the first key of %1 is a public key; signing needs the secret key")
                    .arg(path));
        auto connection = connectConsole(context);
        SnapshotWriteTransaction tx(*connection);
        const qint64 hospitalId = enterHospital(tx, parser.value(hospitalOption()));
        const std::optional<AuditCheckpoint> newest = AuditCheckpoints::newest(tx, hospitalId);
        const AuditLog::Verification verification = newest
            ? AuditCheckpoints::verifySince(tx, hospitalId, *newest, keys)
            : AuditCheckpoints::verifyAll(tx, hospitalId, {}, nullptr);
        if (!verification.ok) {
            printBroken(context, verification);
            context.err << "hms-admin audit checkpoint: the chain is broken; nothing was signed"
                        << Qt::endl;
            return int(Failure);
        }
        const std::optional<AuditCheckpoint> signedNow =
            AuditCheckpoints::sign(tx, hospitalId, keys);
        tx.commit();
        if (!signedNow) {
            if (verification.lastSeq == 0)
                context.out << "nothing to sign: the chain is empty" << Qt::endl;
            else
                context.out << "nothing to sign: the checkpoint at seq " << verification.lastSeq
                            << " is current" << Qt::endl;
            return int(Ok);
        }
        context.out << "signed checkpoint at seq " << signedNow->seq << " with key "
                    << signedNow->keyId << " (" << verification.rows
                    << " rows verified since the previous checkpoint)" << Qt::endl;
        return int(Ok);
    });
}

int auditPublicKey(CommandContext &context)
{
    QCommandLineParser parser;
    if (auto exit = parseCommand(
            context, parser, QStringLiteral("audit public-key"),
            QStringLiteral(
                "Print the public half of the checkpoint key file (kid:base64url lines), "
                "a key file for verifying elsewhere that holds no secret."),
            {keyFileOption()}))
        return *exit;
    return runGuarded(context, QStringLiteral("audit public-key"), [&] {
        const AuditSigningKeys keys = keysOrThrow(AuditSigningKeys::load(keyFilePath(parser)));
        context.out << keys.publicKeyFile();
        context.out.flush();
        return int(Ok);
    });
}

/// An ISO 8601 instant with Z or an offset, or a date (midnight UTC), as UTC text for SQL.
std::optional<std::string> reportInstant(const QString &value)
{
    QDateTime time;
    if (value.size() == 10) { // a date alone: its midnight in UTC
        const QDate date = QDate::fromString(value, Qt::ISODate);
        if (date.isValid())
            time = QDateTime(date, QTime(0, 0), Qt::UTC);
    } else {
        time = QDateTime::fromString(value, Qt::ISODateWithMs);
    }
    if (!time.isValid() || time.timeSpec() == Qt::LocalTime)
        return std::nullopt;
    return time.toUTC().toString(Qt::ISODateWithMs).toStdString();
}

int auditReport(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption patient(QStringLiteral("patient"),
                                     QStringLiteral("Only accesses to this patient id."),
                                     QStringLiteral("id"));
    const QCommandLineOption actor(QStringLiteral("actor"),
                                   QStringLiteral("Only what this user id did."),
                                   QStringLiteral("id"));
    const QCommandLineOption from(
        QStringLiteral("from"),
        QStringLiteral("From this instant on (ISO 8601 with Z or an offset, or a UTC date)."),
        QStringLiteral("time"));
    const QCommandLineOption to(QStringLiteral("to"),
                                QStringLiteral("Before this instant (exclusive)."),
                                QStringLiteral("time"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    if (auto exit = parseCommand(
            context, parser, QStringLiteral("audit report"),
            QStringLiteral("Every audited access in a window (who, when, action, entity, outcome), "
                           "oldest first. The report itself is audited (audit.report)."),
            {hospitalOption(), patient, actor, from, to, json}, {QStringLiteral("hospital")}))
        return *exit;

    auto id = [&](const QCommandLineOption &option, std::optional<qint64> &target) {
        if (!parser.isSet(option))
            return true;
        bool ok = false;
        const QString value = parser.value(option);
        const qint64 number = value.toLongLong(&ok);
        if (!ok || number <= 0 || value.size() > 18) {
            context.err << "hms-admin audit report: --" << option.names().constFirst()
                        << " takes an id (digits)" << Qt::endl;
            return false;
        }
        target = number;
        return true;
    };
    auto instant = [&](const QCommandLineOption &option, std::optional<std::string> &target) {
        if (!parser.isSet(option))
            return true;
        target = reportInstant(parser.value(option));
        if (!target) {
            context.err << "hms-admin audit report: --" << option.names().constFirst()
                        << " takes an ISO 8601 time with Z or an offset, or a date" << Qt::endl;
            return false;
        }
        return true;
    };
    std::optional<qint64> patientId;
    std::optional<qint64> actorId;
    std::optional<std::string> fromTime;
    std::optional<std::string> toTime;
    if (!id(patient, patientId) || !id(actor, actorId) || !instant(from, fromTime)
        || !instant(to, toTime))
        return UsageError;

    return runGuarded(context, QStringLiteral("audit report"), [&] {
        auto connection = connectConsole(context);
        pqxx::work tx(*connection);
        const qint64 hospitalId = enterHospital(tx, parser.value(hospitalOption()));
        // Fixed SQL; absent filters are NULL parameters that match everything. A patient's
        // accesses are the rows naming it, either as patient_id or as the entity itself.
        const pqxx::result rows = tx.exec_params(
            "SELECT coalesce(seq::text, 'pending'), to_char(at AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
            "coalesce(actor_user_id::text, ''), coalesce(actor_role, ''), action, "
            "coalesce(entity, ''), coalesce(entity_id, ''), coalesce(patient_id::text, ''), "
            "category, outcome, coalesce(request_id, ''), coalesce(client_address, '') "
            "FROM audit_log WHERE hospital_id = $1 "
            "AND ($2::bigint IS NULL OR patient_id = $2::bigint "
            "OR (entity = 'patient' AND entity_id = $2::bigint::text)) "
            "AND ($3::bigint IS NULL OR actor_user_id = $3::bigint) "
            "AND ($4::timestamptz IS NULL OR at >= $4::timestamptz) "
            "AND ($5::timestamptz IS NULL OR at < $5::timestamptz) "
            "ORDER BY at, seq",
            hospitalId, patientId, actorId, fromTime, toTime);
        QList<QStringList> table;
        table.reserve(qsizetype(rows.size()));
        for (const pqxx::row &row : rows) {
            QStringList cells;
            for (const pqxx::field &field : row)
                cells.append(QString::fromUtf8(field.c_str()));
            table.append(cells);
        }

        // Reading the audit trail is itself audited (SECURITY.md L5), in the same transaction:
        // nothing is printed unless this row is committed.
        AuditEntry audit = consoleAudit(hospitalId, QStringLiteral("audit.report"),
                                        patientId ? QStringLiteral("patient") : QString(),
                                        patientId ? QString::number(*patientId) : QString());
        audit.category = QStringLiteral("audit");
        audit.patientId = patientId;
        QJsonObject details{{QStringLiteral("rows"), qint64(rows.size())}};
        if (actorId)
            details.insert(QStringLiteral("actor"), QString::number(*actorId));
        if (fromTime)
            details.insert(QStringLiteral("from"), QString::fromStdString(*fromTime));
        if (toTime)
            details.insert(QStringLiteral("to"), QString::fromStdString(*toTime));
        audit.details = details;
        AuditLog::append(tx, audit);
        tx.commit();

        printTable(context, parser.isSet(json),
                   {QStringLiteral("seq"), QStringLiteral("at"), QStringLiteral("actor"),
                    QStringLiteral("role"), QStringLiteral("action"), QStringLiteral("entity"),
                    QStringLiteral("entityId"), QStringLiteral("patient"),
                    QStringLiteral("category"), QStringLiteral("outcome"),
                    QStringLiteral("requestId"), QStringLiteral("client")},
                   table);
        return int(Ok);
    });
}

int auditTail(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption count(QStringList{QStringLiteral("n"), QStringLiteral("lines")},
                                   QStringLiteral("How many of the newest rows (default 20)."),
                                   QStringLiteral("n"), QStringLiteral("20"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    if (auto exit = parseCommand(context, parser, QStringLiteral("audit tail"),
                                 QStringLiteral("Show the newest audit rows of a hospital."),
                                 {hospitalOption(), count, json}, {QStringLiteral("hospital")}))
        return *exit;
    bool ok = false;
    const int limit = parser.value(count).toInt(&ok);
    if (!ok || limit < 1 || limit > 10000) {
        context.err << "hms-admin audit tail: -n takes 1 to 10000" << Qt::endl;
        return UsageError;
    }
    return runGuarded(context, QStringLiteral("audit tail"), [&] {
        auto connection = connectConsole(context);
        pqxx::read_transaction tx(*connection);
        const qint64 hospitalId = enterHospital(tx, parser.value(hospitalOption()));
        const pqxx::result rows = tx.exec_params(
            "SELECT coalesce(seq::text, 'pending'), "
            "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
            "coalesce(actor_user_id::text, ''), coalesce(actor_role, ''), action, "
            "coalesce(entity, ''), coalesce(entity_id, ''), outcome, coalesce(request_id, '') "
            "FROM (SELECT * FROM audit_log WHERE hospital_id = $1 ORDER BY id DESC LIMIT $2) "
            "newest "
            "ORDER BY id",
            hospitalId, limit);
        QList<QStringList> table;
        for (const pqxx::row &row : rows) {
            QStringList cells;
            for (const pqxx::field &field : row)
                cells.append(QString::fromUtf8(field.c_str()));
            table.append(cells);
        }
        printTable(context, parser.isSet(json),
                   {QStringLiteral("seq"), QStringLiteral("at"), QStringLiteral("actor"),
                    QStringLiteral("role"), QStringLiteral("action"), QStringLiteral("entity"),
                    QStringLiteral("entityId"), QStringLiteral("outcome"),
                    QStringLiteral("requestId")},
                   table);
        return int(Ok);
    });
}

} // namespace

void addAuditCommands(QList<Command> &commands)
{
    commands.append({{QStringLiteral("audit"), QStringLiteral("verify")},
                     QStringLiteral("verify a hospital's audit hash chain"),
                     auditVerify});
    commands.append({{QStringLiteral("audit"), QStringLiteral("tail")},
                     QStringLiteral("show the newest audit rows"),
                     auditTail});
    commands.append({{QStringLiteral("audit"), QStringLiteral("checkpoint")},
                     QStringLiteral("verify and sign a hospital's audit chain head (Ed25519)"),
                     auditCheckpoint});
    commands.append({{QStringLiteral("audit"), QStringLiteral("report")},
                     QStringLiteral("every audited access in a window, oldest first"),
                     auditReport});
    commands.append({{QStringLiteral("audit"), QStringLiteral("public-key")},
                     QStringLiteral("print the public half of the checkpoint key file"),
                     auditPublicKey});
}

} // namespace hms::server::admin
