#include "admin/commandsupport.h"
#include "db/tenant.h"
#include "hospitals/hospitalrepository.h"

#include <QRegularExpression>

#include <pqxx/connection>
#include <pqxx/transaction>

namespace hms::server::admin {

namespace {

int hospitalAdd(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption code(QStringLiteral("code"),
                                  QStringLiteral("Short code used at login, e.g. city-general."),
                                  QStringLiteral("code"));
    const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("Full name."),
                                  QStringLiteral("name"));
    const QCommandLineOption timezone(QStringLiteral("timezone"),
                                      QStringLiteral("IANA time zone (default UTC)."),
                                      QStringLiteral("tz"), QStringLiteral("UTC"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    if (auto exit = parseCommand(context, parser, QStringLiteral("hospital add"),
                                 QStringLiteral("Create a hospital (tenant)."),
                                 {code, name, timezone, json},
                                 {QStringLiteral("code"), QStringLiteral("name")}))
        return *exit;

    static const QRegularExpression codeFormat(QStringLiteral("^[a-z0-9][a-z0-9-]{1,31}$"));
    if (!codeFormat.match(parser.value(code)).hasMatch()) {
        context.err << "hms-admin hospital add: --code must be 2-32 of a-z, 0-9 and '-'"
                    << Qt::endl;
        return UsageError;
    }
    const QString hospitalName = parser.value(name).trimmed();
    if (hospitalName.isEmpty() || hospitalName.size() > 200) {
        context.err << "hms-admin hospital add: --name must be 1-200 characters" << Qt::endl;
        return UsageError;
    }
    return runGuarded(context, QStringLiteral("hospital add"), [&] {
        auto connection = connectConsole(context);
        pqxx::work tx(*connection);
        if (!HospitalRepository::isKnownTimezone(tx, parser.value(timezone)))
            throw CommandFailure(
                QStringLiteral("unknown time zone %1").arg(parser.value(timezone)));
        if (HospitalRepository::findByCode(tx, parser.value(code)))
            throw CommandFailure(
                QStringLiteral("a hospital with code %1 exists").arg(parser.value(code)));
        const HospitalRow row = HospitalRepository::insert(tx, parser.value(code), hospitalName,
                                                           parser.value(timezone));
        enterTenant(tx, row.id);
        AuditLog::append(tx,
                         consoleAudit(row.id, QStringLiteral("hospital.create"),
                                      QStringLiteral("hospital"), QString::number(row.id)));
        tx.commit();
        printTable(context, parser.isSet(json),
                   {QStringLiteral("id"), QStringLiteral("code"), QStringLiteral("name"),
                    QStringLiteral("timezone")},
                   {{QString::number(row.id), row.code, row.name, row.timezone}});
        return int(Ok);
    });
}

int hospitalList(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    if (auto exit = parseCommand(context, parser, QStringLiteral("hospital list"),
                                 QStringLiteral("List hospitals."), {json}))
        return *exit;
    return runGuarded(context, QStringLiteral("hospital list"), [&] {
        auto connection = connectConsole(context);
        pqxx::read_transaction tx(*connection);
        QList<QStringList> rows;
        for (const HospitalRow &row : HospitalRepository::list(tx))
            rows.append({QString::number(row.id), row.code, row.name, row.timezone});
        printTable(context, parser.isSet(json),
                   {QStringLiteral("id"), QStringLiteral("code"), QStringLiteral("name"),
                    QStringLiteral("timezone")},
                   rows);
        return int(Ok);
    });
}

} // namespace

void addHospitalCommands(QList<Command> &commands)
{
    commands.append({{QStringLiteral("hospital"), QStringLiteral("add")},
                     QStringLiteral("create a hospital"),
                     hospitalAdd});
    commands.append({{QStringLiteral("hospital"), QStringLiteral("list")},
                     QStringLiteral("list hospitals"),
                     hospitalList});
}

} // namespace hms::server::admin
