#pragma once

#include <QString>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <string>

namespace hms::server::admin {

/// Exit codes of every hms-admin subcommand.
enum ExitCode { Ok = 0, Failure = 1, UsageError = 2 };

/// What a subcommand gets: its arguments (after the subcommand words), where to write,
/// and the database URL (from --database or HMS_DATABASE_URL).
struct CommandContext
{
    QStringList arguments;
    QTextStream &out;
    QTextStream &err;
    QTextStream &in;
    std::string databaseUrl;
};

/// One subcommand: "migrate", "hospital add", ...
struct Command
{
    QStringList words; ///< {"hospital", "add"}
    QString summary;
    std::function<int(CommandContext &)> run;
};

/// The hms-admin console: finds the subcommand in \a arguments (argv without the program
/// name) and runs it. Returns the process exit code.
int runAdminCli(const QStringList &arguments, QTextStream &out, QTextStream &err, QTextStream &in);

// Each area registers its commands (defined next to their code).
void addMigrateCommands(QList<Command> &commands);
void addHospitalCommands(QList<Command> &commands);
void addUserCommands(QList<Command> &commands);
void addAuditCommands(QList<Command> &commands);
void addDemoCommands(QList<Command> &commands);
void addEventCommands(QList<Command> &commands);
void addWorkflowCommands(QList<Command> &commands);
void addWardCommands(QList<Command> &commands);

} // namespace hms::server::admin
