#include "admin/commandsupport.h"

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

int auditVerify(CommandContext &context)
{
    QCommandLineParser parser;
    if (auto exit = parseCommand(
            context, parser, QStringLiteral("audit verify"),
            QStringLiteral("Walk a hospital's audit hash chain and report the first broken row."),
            {hospitalOption()}, {QStringLiteral("hospital")}))
        return *exit;
    return runGuarded(context, QStringLiteral("audit verify"), [&] {
        auto connection = connectConsole(context);
        pqxx::read_transaction tx(*connection);
        const qint64 hospitalId = enterHospital(tx, parser.value(hospitalOption()));
        const AuditLog::Verification result = AuditLog::verify(tx, hospitalId);
        if (!result.ok) {
            context.out << "BROKEN at seq " << result.firstBrokenSeq << ": " << result.reason
                        << " (" << result.rows << " rows verified before it)" << Qt::endl;
            return int(Failure);
        }
        context.out << "OK " << result.rows << " rows" << Qt::endl;
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
            "SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
            "coalesce(actor_user_id::text, ''), coalesce(actor_role, ''), action, "
            "coalesce(entity, ''), coalesce(entity_id, ''), outcome, coalesce(request_id, '') "
            "FROM (SELECT * FROM audit_log WHERE hospital_id = $1 ORDER BY seq DESC LIMIT $2) "
            "newest "
            "ORDER BY seq",
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
}

} // namespace hms::server::admin
