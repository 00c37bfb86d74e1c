#include "admin/admincli.h"
#include "db/dbsession.h"
#include "db/migrator.h"

#include <QCommandLineParser>

#include <pqxx/connection>

namespace hms::server::admin {

namespace {

// Prints PostgreSQL's own message for a failed migration: the operator needs it, and the
// console is interactive (the server never logs it).
void printNested(QTextStream &err, const std::exception &error)
{
    try {
        std::rethrow_if_nested(error);
    } catch (const std::exception &inner) {
        err << "  caused by: " << QString::fromStdString(inner.what()).trimmed() << '\n';
    }
}

int migrate(CommandContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Apply pending schema migrations."));
    parser.addHelpOption();
    const QCommandLineOption checkOption(
        QStringLiteral("check"),
        QStringLiteral("Only verify the schema is current (exit 1 if not)."));
    parser.addOption(checkOption);
    if (!parser.parse(QStringList{QStringLiteral("hms-admin migrate")} + context.arguments)) {
        context.err << parser.errorText() << Qt::endl;
        return UsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        context.out << parser.helpText();
        return Ok;
    }
    try {
        pqxx::connection connection(withSessionDefaults(context.databaseUrl, "hms-admin"));
        Migrator migrator(Migrator::embedded());
        if (parser.isSet(checkOption)) {
            migrator.verify(connection);
            context.out << "schema is current at version " << migrator.latestVersion() << Qt::endl;
            return Ok;
        }
        const Migrator::Report report = migrator.migrate(connection);
        for (const QString &name : report.applied)
            context.out << "applied " << name << '\n';
        context.out << "schema version " << report.schemaVersion
                    << (report.applied.isEmpty() ? " (nothing to apply)" : "") << Qt::endl;
        return Ok;
    } catch (const MigrationError &error) {
        context.err << "hms-admin migrate: " << error.what() << '\n';
        printNested(context.err, error);
        context.err.flush();
        return Failure;
    } catch (const pqxx::broken_connection &) {
        context.err << "hms-admin migrate: cannot connect to PostgreSQL" << Qt::endl;
        return Failure;
    }
}

} // namespace

void addMigrateCommands(QList<Command> &commands)
{
    commands.append(
        {{QStringLiteral("migrate")}, QStringLiteral("apply pending schema migrations"), migrate});
}

} // namespace hms::server::admin
