#include "admin/commandsupport.h"
#include "auth/passwordhasher.h"
#include "auth/passwordpolicy.h"
#include "db/tenant.h"
#include "users/userrepository.h"

#include <QRegularExpression>

#include <pqxx/connection>
#include <pqxx/transaction>

namespace hms::server::admin {

namespace {

const QCommandLineOption &hospitalOption()
{
    static const QCommandLineOption option(
        QStringLiteral("hospital"), QStringLiteral("Hospital code."), QStringLiteral("code"));
    return option;
}

const QCommandLineOption &usernameOption()
{
    static const QCommandLineOption option(QStringLiteral("username"),
                                           QStringLiteral("Login name."), QStringLiteral("name"));
    return option;
}

const QCommandLineOption &roleOption()
{
    static const QCommandLineOption option(
        QStringLiteral("role"), QStringLiteral("admin, doctor, nurse, reception, pharmacy or lab."),
        QStringLiteral("role"));
    return option;
}

const QCommandLineOption &passwordStdinOption()
{
    static const QCommandLineOption option(
        QStringLiteral("password-stdin"),
        QStringLiteral("Read the password from standard input (one line)."));
    return option;
}

const QCommandLineOption &jsonOption()
{
    static const QCommandLineOption option(QStringLiteral("json"), QStringLiteral("Print JSON."));
    return option;
}

std::optional<Role> parseRole(CommandContext &context, const QString &text)
{
    const std::optional<Role> role = roleFromName(text);
    if (!role)
        context.err << "hms-admin: unknown role " << text
                    << " (admin, doctor, nurse, reception, pharmacy, lab)" << Qt::endl;
    return role;
}

// Reads and checks a new password; prints the policy's reason when it is refused.
std::optional<QString>
readNewPassword(CommandContext &context, const QString &username, const QString &hospitalCode)
{
    const QString password = readSecretLine(context);
    const Result<> policy = checkPasswordPolicy(password, username, hospitalCode);
    if (!policy) {
        const QString reason = policy.problem().errors.isEmpty()
            ? policy.problem().detail
            : policy.problem().errors.first().message;
        context.err << "hms-admin: password refused: " << reason << Qt::endl;
        return std::nullopt;
    }
    return password;
}

std::string hashOrFail(const QString &password)
{
    const std::unique_ptr<PasswordHasher> hasher = consoleHasher();
    const std::optional<std::string> hash = hasher->hash(password);
    if (!hash)
        throw CommandFailure(QStringLiteral("password hashing is busy; try again"));
    return *hash;
}

UserRow requireUser(pqxx::transaction_base &tx, const QString &username)
{
    const std::optional<UserRow> user = UserRepository::findByUsername(tx, username, true);
    if (!user)
        throw CommandFailure(QStringLiteral("no user %1 in that hospital").arg(username));
    return *user;
}

int userAdd(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption displayName(QStringLiteral("display-name"),
                                         QStringLiteral("Name shown in the client."),
                                         QStringLiteral("name"));
    if (auto exit = parseCommand(
            context, parser, QStringLiteral("user add"), QStringLiteral("Create a staff user."),
            {hospitalOption(), usernameOption(), roleOption(), displayName, passwordStdinOption(),
             jsonOption()},
            {QStringLiteral("hospital"), QStringLiteral("username"), QStringLiteral("role")}))
        return *exit;
    if (!parser.isSet(passwordStdinOption())) {
        context.err << "hms-admin user add: --password-stdin is required (passwords never go on "
                       "the command line)"
                    << Qt::endl;
        return UsageError;
    }
    static const QRegularExpression usernameFormat(QStringLiteral("^[a-z0-9][a-z0-9._-]{1,63}$"));
    const QString username = parser.value(usernameOption());
    if (!usernameFormat.match(username).hasMatch()) {
        context.err << "hms-admin user add: --username must be 2-64 of a-z, 0-9, '.', '_' and '-'"
                    << Qt::endl;
        return UsageError;
    }
    const std::optional<Role> role = parseRole(context, parser.value(roleOption()));
    if (!role)
        return UsageError;
    const QString name = parser.value(displayName).trimmed().isEmpty()
        ? username
        : parser.value(displayName).trimmed();
    const std::optional<QString> password =
        readNewPassword(context, username, parser.value(hospitalOption()));
    if (!password)
        return Failure;

    return runGuarded(context, QStringLiteral("user add"), [&] {
        const std::string hash = hashOrFail(*password);
        auto connection = connectConsole(context);
        pqxx::work tx(*connection);
        const qint64 hospitalId = enterHospital(tx, parser.value(hospitalOption()));
        if (UserRepository::findByUsername(tx, username))
            throw CommandFailure(QStringLiteral("user %1 exists").arg(username));
        const qint64 id = UserRepository::insert(tx, {hospitalId, username, name, *role, hash});
        AuditEntry audit = consoleAudit(hospitalId, QStringLiteral("user.create"),
                                        QStringLiteral("user"), QString::number(id));
        audit.details = {{QStringLiteral("role"), roleName(*role)}};
        AuditLog::append(tx, audit);
        tx.commit();
        printTable(context, parser.isSet(jsonOption()),
                   {QStringLiteral("id"), QStringLiteral("username"), QStringLiteral("role"),
                    QStringLiteral("displayName")},
                   {{QString::number(id), username, roleName(*role), name}});
        return int(Ok);
    });
}

int userList(CommandContext &context)
{
    QCommandLineParser parser;
    if (auto exit = parseCommand(context, parser, QStringLiteral("user list"),
                                 QStringLiteral("List a hospital's users."),
                                 {hospitalOption(), jsonOption()}, {QStringLiteral("hospital")}))
        return *exit;
    return runGuarded(context, QStringLiteral("user list"), [&] {
        auto connection = connectConsole(context);
        pqxx::read_transaction tx(*connection);
        enterHospital(tx, parser.value(hospitalOption()));
        QList<QStringList> rows;
        for (const UserRow &user : UserRepository::list(tx)) {
            const QString state = user.disabled ? QStringLiteral("disabled")
                : user.lockedUntil              ? QStringLiteral("locked")
                                                : QStringLiteral("active");
            rows.append({QString::number(user.id), user.username, roleName(user.role), state,
                         user.displayName});
        }
        printTable(context, parser.isSet(jsonOption()),
                   {QStringLiteral("id"), QStringLiteral("username"), QStringLiteral("role"),
                    QStringLiteral("state"), QStringLiteral("displayName")},
                   rows);
        return int(Ok);
    });
}

// set-role, disable, enable, unlock, reset-password: find the user, change, audit, commit.
int userChange(CommandContext &context, const QString &verb)
{
    QCommandLineParser parser;
    QList<QCommandLineOption> options{hospitalOption(), usernameOption()};
    if (verb == QLatin1String("set-role"))
        options.append(roleOption());
    if (verb == QLatin1String("reset-password"))
        options.append(passwordStdinOption());
    QStringList required{QStringLiteral("hospital"), QStringLiteral("username")};
    if (verb == QLatin1String("set-role"))
        required.append(QStringLiteral("role"));
    const QString usage = QStringLiteral("user ") + verb;
    if (auto exit =
            parseCommand(context, parser, usage,
                         QStringLiteral("Change a staff user (%1).").arg(verb), options, required))
        return *exit;

    std::optional<Role> role;
    if (verb == QLatin1String("set-role")
        && !(role = parseRole(context, parser.value(roleOption()))))
        return UsageError;
    std::optional<QString> password;
    if (verb == QLatin1String("reset-password")) {
        if (!parser.isSet(passwordStdinOption())) {
            context.err << "hms-admin user reset-password: --password-stdin is required"
                        << Qt::endl;
            return UsageError;
        }
        password = readNewPassword(context, parser.value(usernameOption()),
                                   parser.value(hospitalOption()));
        if (!password)
            return Failure;
    }

    return runGuarded(context, usage, [&] {
        const std::string hash = password ? hashOrFail(*password) : std::string();
        auto connection = connectConsole(context);
        pqxx::work tx(*connection);
        const qint64 hospitalId = enterHospital(tx, parser.value(hospitalOption()));
        const UserRow user = requireUser(tx, parser.value(usernameOption()));
        AuditEntry audit =
            consoleAudit(hospitalId, QString(), QStringLiteral("user"), QString::number(user.id));
        if (verb == QLatin1String("set-role")) {
            UserRepository::setRole(tx, user.id, *role);
            audit.action = QStringLiteral("user.role.change");
            audit.details = {{QStringLiteral("from"), roleName(user.role)},
                             {QStringLiteral("to"), roleName(*role)}};
        } else if (verb == QLatin1String("disable")) {
            UserRepository::setDisabled(tx, user.id, true);
            UserRepository::revokeSessions(tx, user.id, QStringLiteral("disabled"));
            audit.action = QStringLiteral("user.disable");
        } else if (verb == QLatin1String("enable")) {
            UserRepository::setDisabled(tx, user.id, false);
            audit.action = QStringLiteral("user.enable");
        } else if (verb == QLatin1String("unlock")) {
            UserRepository::unlock(tx, user.id);
            audit.action = QStringLiteral("user.unlock");
        } else {
            UserRepository::setPasswordHash(tx, user.id, hash);
            UserRepository::unlock(tx, user.id);
            UserRepository::revokeSessions(tx, user.id, QStringLiteral("password reset"));
            audit.action = QStringLiteral("user.password.reset");
        }
        AuditLog::append(tx, audit);
        tx.commit();
        context.out << "ok: " << audit.action << ' ' << user.username << Qt::endl;
        return int(Ok);
    });
}

} // namespace

void addUserCommands(QList<Command> &commands)
{
    commands.append({{QStringLiteral("user"), QStringLiteral("add")},
                     QStringLiteral("create a staff user"),
                     userAdd});
    commands.append({{QStringLiteral("user"), QStringLiteral("list")},
                     QStringLiteral("list a hospital's users"),
                     userList});
    for (const QString &verb :
         {QStringLiteral("set-role"), QStringLiteral("disable"), QStringLiteral("enable"),
          QStringLiteral("unlock"), QStringLiteral("reset-password")}) {
        commands.append({{QStringLiteral("user"), verb},
                         QStringLiteral("user ") + verb,
                         [verb](CommandContext &context) {
                             return userChange(context, verb);
                         }});
    }
}

} // namespace hms::server::admin
