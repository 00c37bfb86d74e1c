#include "admin/commandsupport.h"

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction>

namespace hms::server::admin {

namespace {

// Live clients resume from the events table; past the retention window they get "resync"
// and reload snapshots, so older rows only cost space. Run daily (systemd timer or cron).
int eventsPrune(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption days(QStringLiteral("days"),
                                  QStringLiteral("Keep this many days (default 7)."),
                                  QStringLiteral("n"), QStringLiteral("7"));
    if (auto exit = parseCommand(
            context, parser, QStringLiteral("events prune"),
            QStringLiteral("Delete live events older than the retention window."), {days}))
        return *exit;
    bool ok = false;
    const int keep = parser.value(days).toInt(&ok);
    if (!ok || keep < 1 || keep > 3650) {
        context.err << "hms-admin events prune: --days takes 1 to 3650" << Qt::endl;
        return UsageError;
    }
    return runGuarded(context, QStringLiteral("events prune"), [&] {
        auto connection = connectConsole(context);
        pqxx::work tx(*connection);
        // As the owner, across hospitals: this is housekeeping, not a tenant's action.
        const pqxx::result deleted =
            tx.exec_params("DELETE FROM events WHERE at < now() - make_interval(days => $1)", keep);
        tx.commit();
        context.out << "pruned " << deleted.affected_rows() << " events older than " << keep
                    << " days" << Qt::endl;
        return int(Ok);
    });
}

} // namespace

void addEventCommands(QList<Command> &commands)
{
    commands.append({{QStringLiteral("events"), QStringLiteral("prune")},
                     QStringLiteral("delete live events past retention"),
                     eventsPrune});
}

} // namespace hms::server::admin
