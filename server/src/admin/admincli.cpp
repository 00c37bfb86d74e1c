#include "admin/admincli.h"

#include "shared/core/buildinfo.h"

namespace hms::server::admin {

namespace {

QList<Command> allCommands()
{
    QList<Command> commands;
    addMigrateCommands(commands);
    addHospitalCommands(commands);
    addUserCommands(commands);
    addAuditCommands(commands);
    addDemoCommands(commands);
    addEventCommands(commands);
    addWorkflowCommands(commands);
    addWardCommands(commands);
    return commands;
}

void printUsage(QTextStream &stream, const QList<Command> &commands)
{
    stream << "usage: hms-admin [--database URL] COMMAND [ARGS] (COMMAND --help for details)\n"
              "The database URL defaults to $HMS_DATABASE_URL.\n\nCommands:\n";
    for (const Command &command : commands)
        stream << "  " << command.words.join(QLatin1Char(' ')).leftJustified(24) << command.summary
               << '\n';
    stream.flush();
}

} // namespace

int runAdminCli(const QStringList &arguments, QTextStream &out, QTextStream &err, QTextStream &in)
{
    const QList<Command> commands = allCommands();
    QStringList args = arguments;
    std::string databaseUrl = qEnvironmentVariable("HMS_DATABASE_URL").toStdString();

    while (!args.isEmpty() && args.first().startsWith(QLatin1String("--"))) {
        const QString option = args.takeFirst();
        if (option == QLatin1String("--help")) {
            printUsage(out, commands);
            return Ok;
        }
        if (option == QLatin1String("--version")) {
            out << "hms-admin " << Version << Qt::endl;
            return Ok;
        }
        if (option == QLatin1String("--database") && !args.isEmpty()) {
            databaseUrl = args.takeFirst().toStdString();
            continue;
        }
        err << "hms-admin: unknown option " << option << Qt::endl;
        return UsageError;
    }

    // The longest command whose words start the argument list.
    const Command *found = nullptr;
    for (const Command &command : commands) {
        if (args.mid(0, command.words.size()) == command.words
            && (!found || command.words.size() > found->words.size()))
            found = &command;
    }
    if (!found) {
        printUsage(err, commands);
        return UsageError;
    }
    CommandContext context{args.mid(found->words.size()), out, err, in, databaseUrl};
    if (context.databaseUrl.empty() && !context.arguments.contains(QLatin1String("--help"))) {
        err << "hms-admin: no database: set HMS_DATABASE_URL or pass --database URL" << Qt::endl;
        return UsageError;
    }
    return found->run(context);
}

} // namespace hms::server::admin
