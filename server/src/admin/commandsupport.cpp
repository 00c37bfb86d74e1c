#include "admin/commandsupport.h"

#include "audit/auditlog.h"
#include "auth/passwordhasher.h"
#include "db/dberrors.h"
#include "db/dbsession.h"
#include "db/postcommitnotify.h"
#include "db/tenant.h"
#include "hospitals/hospitalrepository.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/transaction_base>

namespace hms::server::admin {

std::optional<int> parseCommand(CommandContext &context,
                                QCommandLineParser &parser,
                                const QString &usage,
                                const QString &description,
                                const QList<QCommandLineOption> &options,
                                const QStringList &required)
{
    parser.setApplicationDescription(description);
    parser.addHelpOption();
    parser.addOptions(options);
    if (!parser.parse(QStringList{QStringLiteral("hms-admin ") + usage} + context.arguments)) {
        context.err << "hms-admin " << usage << ": " << parser.errorText() << Qt::endl;
        return UsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        context.out << "usage: hms-admin " << usage << "\n" << parser.helpText();
        context.out.flush();
        return Ok;
    }
    if (!parser.positionalArguments().isEmpty()) {
        context.err << "hms-admin " << usage << ": unexpected argument "
                    << parser.positionalArguments().first() << Qt::endl;
        return UsageError;
    }
    for (const QString &name : required) {
        if (parser.value(name).isEmpty()) {
            context.err << "hms-admin " << usage << ": --" << name << " is required" << Qt::endl;
            return UsageError;
        }
    }
    return std::nullopt;
}

QString readSecretLine(CommandContext &context)
{
    QString line = context.in.readLine();
    if (line.endsWith(QLatin1Char('\r'))) // typed on Windows or piped from a CRLF file
        line.chop(1);
    return line;
}

qint64 enterHospital(pqxx::transaction_base &tx, const QString &code)
{
    const std::optional<HospitalRow> hospital = HospitalRepository::findByCode(tx, code);
    if (!hospital)
        throw CommandFailure(QStringLiteral("no hospital with code %1").arg(code));
    enterTenant(tx, hospital->id);
    // The console logs in as the owner (often a superuser), which bypasses row-level
    // security: act as the application role so the policies scope every statement.
    tx.exec0(SetLocalRoleApplication);
    return hospital->id;
}

AuditEntry consoleAudit(qint64 hospitalId,
                        const QString &action,
                        const QString &entity,
                        const QString &entityId)
{
    AuditEntry entry;
    entry.hospitalId = hospitalId;
    entry.actorRole = QStringLiteral("console");
    entry.action = action;
    entry.entity = entity;
    entry.entityId = entityId;
    entry.category = QStringLiteral("admin");
    entry.clientAddress = QStringLiteral("hms-admin");
    return entry;
}

void printTable(CommandContext &context,
                bool json,
                const QStringList &columns,
                const QList<QStringList> &rows)
{
    if (json) {
        QJsonArray array;
        for (const QStringList &row : rows) {
            QJsonObject object;
            for (qsizetype i = 0; i < columns.size(); ++i)
                object.insert(columns[i], row.value(i));
            array.append(object);
        }
        context.out << QJsonDocument(array).toJson(QJsonDocument::Indented);
        context.out.flush();
        return;
    }
    QList<qsizetype> widths;
    for (const QString &column : columns)
        widths.append(column.size());
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = qMax(widths[i], row[i].size());
    }
    auto line = [&](const QStringList &cells) {
        QString text;
        for (qsizetype i = 0; i < columns.size(); ++i)
            text += cells.value(i).leftJustified(widths[i] + 2);
        context.out << text.trimmed() << '\n';
    };
    line(columns);
    for (const QStringList &row : rows)
        line(row);
    context.out.flush();
}

int runGuarded(CommandContext &context, const QString &command, const std::function<int()> &body)
{
    try {
        const int status = body();
        // The command's audit rows go into the chain now, not at the server's next sweep, so
        // `audit verify` right after it sees them sealed.
        // Wake-up hints its transactions queued go out too (db/postcommitnotify.h); one
        // connection serves both.
        const std::vector<qint64> appended = AuditLog::takeAppended();
        if (!appended.empty() || hasQueuedNotifications()) {
            const auto connection = connectConsole(context);
            if (!appended.empty())
                AuditLog::seal(*connection, appended);
            sendQueuedNotifications(*connection);
        }
        return status;
    } catch (const CommandFailure &failure) {
        context.err << "hms-admin " << command << ": " << failure.what() << Qt::endl;
    } catch (const pqxx::unique_violation &) {
        context.err << "hms-admin " << command << ": already exists" << Qt::endl;
    } catch (const pqxx::check_violation &) {
        context.err << "hms-admin " << command << ": a value breaks a data rule" << Qt::endl;
    } catch (...) {
        const DbFailure failure = classifyDbFailure(std::current_exception());
        if (failure.kind == DbFailure::Kind::Unavailable)
            context.err << "hms-admin " << command << ": cannot connect to PostgreSQL" << Qt::endl;
        else
            context.err << "hms-admin " << command << ": failed (" << failure.logText << ")"
                        << Qt::endl;
    }
    return Failure;
}

std::unique_ptr<pqxx::connection_base> connectConsole(const CommandContext &context)
{
    return std::make_unique<pqxx::connection>(
        withSessionDefaults(context.databaseUrl, "hms-admin"));
}

std::unique_ptr<PasswordHasher> consoleHasher()
{
    auto hasher = std::make_unique<PasswordHasher>();
    const QString pepperFile = qEnvironmentVariable("HMS_PASSWORD_PEPPER_FILE");
    if (!pepperFile.isEmpty()) {
        const Result<> loaded = hasher->loadPepperFile(pepperFile);
        if (!loaded)
            throw CommandFailure(loaded.problem().detail);
    }
    return hasher;
}

} // namespace hms::server::admin
