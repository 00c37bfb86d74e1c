#pragma once

#include "admin/admincli.h"
#include "audit/auditlog.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QJsonArray>

#include <pqxx/types>

#include <memory>
#include <optional>

namespace hms::server {
class PasswordHasher;
}

namespace hms::server::admin {

/// Parses a subcommand's options. Returns an exit code to stop with (help printed, usage
/// error reported) or nullopt to go on.
std::optional<int> parseCommand(CommandContext &context,
                                QCommandLineParser &parser,
                                const QString &usage,
                                const QString &description,
                                const QList<QCommandLineOption> &options,
                                const QStringList &required = {});

/// Reads one line from standard input (the password), without its line break.
QString readSecretLine(CommandContext &context);

/// Resolves --hospital CODE, binds \a tx to it and switches to the application role, so
/// row-level security holds for the rest of the transaction. Throws CommandFailure when unknown.
qint64 enterHospital(pqxx::transaction_base &tx, const QString &code);

/// An audit entry for a console action (no user: the actor is the host's operator).
AuditEntry consoleAudit(qint64 hospitalId,
                        const QString &action,
                        const QString &entity,
                        const QString &entityId);

/// Prints rows as an aligned table for people, or as a JSON array with --json.
void printTable(CommandContext &context,
                bool json,
                const QStringList &columns,
                const QList<QStringList> &rows);

/// A failure to report in one line and exit 1.
class CommandFailure : public std::runtime_error
{
public:
    explicit CommandFailure(const QString &message)
        : std::runtime_error(message.toStdString())
    {}
};

/// The hasher for passwords set from the console: the server's default cost and, when
/// HMS_PASSWORD_PEPPER_FILE names one, the server's pepper file (the same file the server
/// uses, or hashes made here would not verify there). Throws CommandFailure when it is bad.
std::unique_ptr<PasswordHasher> consoleHasher();

/// Runs \a body, turning CommandFailure and database errors into a one-line message and
/// exit code 1 (no SQL or row data is printed for database errors, only the kind).
int runGuarded(CommandContext &context, const QString &command, const std::function<int()> &body);

/// Opens a connection for the console (HMS_DATABASE_URL or --database).
std::unique_ptr<pqxx::connection_base> connectConsole(const CommandContext &context);

} // namespace hms::server::admin
