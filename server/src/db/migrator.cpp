#include "db/migrator.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QStringList>

#include <pqxx/connection_base>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <algorithm>
#include <exception>

namespace hms::server {

static Q_LOGGING_CATEGORY(lcMigrate, "hms.server.migrate", QtInfoMsg)

    namespace
{
    /// A row of schema_migrations.
    struct AppliedMigration
    {
        int version = 0;
        QString name;
        QByteArray checksum;
    };

    /// What the database holds: whether schema_migrations exists and its rows by version.
    struct DatabaseState
    {
        bool hasTable = false;
        QList<AppliedMigration> applied; ///< sorted by version

        int version() const { return applied.isEmpty() ? 0 : applied.constLast().version; }
    };

    QString migrationName(int version)
    {
        return QStringLiteral("%1").arg(version, 4, 10, QLatin1Char('0'));
    }

    QByteArray sha256Hex(const QByteArray &data)
    {
        return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
    }

    DatabaseState readState(pqxx::transaction_base & tx)
    {
        DatabaseState state;
        state.hasTable =
            tx.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL")[0].as<bool>();
        if (!state.hasTable)
            return state;
        const pqxx::result rows =
            tx.exec("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
        for (const pqxx::row &row : rows) {
            state.applied.append({row[0].as<int>(),
                                  QString::fromStdString(row[1].as<std::string>()),
                                  QByteArray::fromStdString(row[2].as<std::string>())});
        }
        return state;
    }

    DatabaseState readState(pqxx::connection_base & connection)
    {
        pqxx::read_transaction tx(connection, "migration_state");
        return readState(tx);
    }

    /// Throws MigrationError when \a state cannot be brought to \a migrations (sorted) by
    /// applying the missing ones.
    void checkCompatible(const QList<Migration> &migrations, const DatabaseState &state)
    {
        QHash<int, const Migration *> byVersion;
        for (const Migration &migration : migrations)
            byVersion.insert(migration.version, &migration);
        const int latest = migrations.isEmpty() ? 0 : migrations.constLast().version;

        if (state.version() > latest) {
            throw MigrationError(
                QStringLiteral("database schema version %1 (migration %2) is newer than this build "
                               "(%3); run a build that includes it")
                    .arg(state.version())
                    .arg(state.applied.constLast().name)
                    .arg(latest));
        }
        for (const AppliedMigration &applied : state.applied) {
            const Migration *ours = byVersion.value(applied.version);
            if (!ours) {
                throw MigrationError(
                    QStringLiteral("migration %1 is recorded in the database but is not part of "
                                   "this build; released migrations must never be removed")
                        .arg(applied.name));
            }
            if (ours->name != applied.name) {
                throw MigrationError(
                    QStringLiteral("migration %1 was applied as %2 and renamed afterwards; restore "
                                   "the released file name")
                        .arg(ours->name, applied.name));
            }
            if (ours->checksum != applied.checksum) {
                throw MigrationError(
                    QStringLiteral("migration %1 was changed after it was applied (checksum "
                                   "mismatch); restore the released file and add a new migration "
                                   "instead")
                        .arg(ours->name));
            }
        }
        QHash<int, bool> appliedVersions;
        for (const AppliedMigration &applied : state.applied)
            appliedVersions.insert(applied.version, true);
        for (const Migration &migration : migrations) {
            if (migration.version < state.version()
                && !appliedVersions.contains(migration.version)) {
                throw MigrationError(
                    QStringLiteral("migration %1 was never applied but is numbered below the "
                                   "database schema version %2; released migrations are applied "
                                   "in order, so renumber it above %2")
                        .arg(migration.name)
                        .arg(state.version()));
            }
        }
    }

    QList<Migration> pendingIn(const QList<Migration> &migrations, const DatabaseState &state)
    {
        QList<Migration> result;
        for (const Migration &migration : migrations) {
            const bool applied = std::any_of(state.applied.cbegin(), state.applied.cend(),
                                             [&](const AppliedMigration &a) {
                                                 return a.version == migration.version;
                                             });
            if (!applied)
                result.append(migration);
        }
        return result;
    }

    /// Holds the session-level advisory lock that serialises migrators, from construction to
    /// destruction. Waiting for it ignores the session's lock and statement timeouts: the holder
    /// is another migrator that finishes or dies (which releases the lock with its session).
    class MigrationLock
    {
    public:
        explicit MigrationLock(pqxx::connection_base &connection)
            : m_connection(connection)
        {
            pqxx::work tx(connection, "migration_lock");
            tx.exec0("SET LOCAL lock_timeout = 0");
            tx.exec0("SET LOCAL statement_timeout = 0");
            const bool locked =
                tx.exec_params1("SELECT pg_try_advisory_lock($1)", Migrator::AdvisoryLockKey)[0]
                    .as<bool>();
            if (!locked) {
                qCInfo(lcMigrate) << "another migrator is running; waiting for it to finish";
                tx.exec_params1("SELECT pg_advisory_lock($1)", Migrator::AdvisoryLockKey);
            }
            // A session-level advisory lock outlives the transaction that took it.
            tx.commit();
        }

        ~MigrationLock()
        {
            if (!m_connection.is_open())
                return; // the session ended, and its locks with it
            try {
                pqxx::nontransaction tx(m_connection, "migration_unlock");
                tx.exec_params1("SELECT pg_advisory_unlock($1)", Migrator::AdvisoryLockKey);
            } catch (const std::exception &) {
                qCWarning(lcMigrate) << "could not release the migration lock; PostgreSQL releases "
                                        "it when the connection closes";
            }
        }

        MigrationLock(const MigrationLock &) = delete;
        MigrationLock &operator=(const MigrationLock &) = delete;

    private:
        pqxx::connection_base &m_connection;
    };

    void apply(pqxx::connection_base & connection, const Migration &migration)
    {
        QElapsedTimer timer;
        timer.start();
        qCInfo(lcMigrate).noquote() << "applying migration" << migration.name;
        try {
            pqxx::work tx(connection, "migration");
            // Migrations may legitimately run long (index builds, backfills).
            tx.exec0("SET LOCAL statement_timeout = 0");
            tx.exec(migration.sql.toStdString());
            tx.exec_params0("INSERT INTO schema_migrations (version, name, checksum) "
                            "VALUES ($1, $2, $3)",
                            migration.version, migration.name.toStdString(),
                            migration.checksum.toStdString());
            tx.commit();
        } catch (const pqxx::in_doubt_error &) {
            qCWarning(lcMigrate).noquote()
                << "connection lost while committing migration" << migration.name;
            std::throw_with_nested(MigrationError(
                QStringLiteral("the connection was lost while committing migration %1; run the "
                               "migration again, it is applied at most once")
                    .arg(migration.name)));
        } catch (const pqxx::sql_error &error) {
            // PostgreSQL's message may quote row data (DETAIL), so only the SQLSTATE is logged and
            // put into what(); the original exception stays nested for interactive tools.
            const QString sqlState = QString::fromStdString(error.sqlstate());
            qCWarning(lcMigrate).noquote() << "migration" << migration.name
                                           << "failed and was rolled back, SQLSTATE" << sqlState;
            std::throw_with_nested(MigrationError(
                QStringLiteral("migration %1 failed and was rolled back (SQLSTATE %2)")
                    .arg(migration.name, sqlState)));
        } catch (const std::exception &) {
            qCWarning(lcMigrate).noquote()
                << "migration" << migration.name << "failed and was rolled back";
            std::throw_with_nested(MigrationError(
                QStringLiteral("migration %1 failed and was rolled back").arg(migration.name)));
        }
        qCInfo(lcMigrate).noquote()
            << "applied migration" << migration.name << "in" << timer.elapsed() << "ms";
    }

} // namespace

MigrationError::MigrationError(const QString &message)
    : std::runtime_error(message.toStdString())
{}

Migration Migration::fromFile(const QString &fileName, const QByteArray &sql)
{
    static const QRegularExpression pattern(
        QStringLiteral("^([0-9]{4})_([a-z0-9][a-z0-9_]*)\\.sql$"));
    const QRegularExpressionMatch match = pattern.match(fileName);
    if (!match.hasMatch()) {
        throw MigrationError(QStringLiteral("migration file %1 is not named "
                                            "NNNN_description.sql (a-z, 0-9 and _)")
                                 .arg(fileName));
    }
    Migration migration;
    migration.version = match.captured(1).toInt();
    if (migration.version == 0) {
        throw MigrationError(
            QStringLiteral("migration file %1: versions start at 0001").arg(fileName));
    }
    migration.name = fileName.chopped(4);
    if (sql.trimmed().isEmpty())
        throw MigrationError(QStringLiteral("migration file %1 is empty").arg(fileName));
    migration.sql = sql;
    migration.checksum = sha256Hex(sql);
    return migration;
}

QList<Migration> Migrator::embedded()
{
    QList<Migration> migrations = fromDirectory(QStringLiteral(":/migrations"));
    if (migrations.isEmpty())
        throw MigrationError(QStringLiteral("this build embeds no migrations (:/migrations)"));
    return migrations;
}

QList<Migration> Migrator::fromDirectory(const QString &directory)
{
    const QDir dir(directory);
    if (!dir.exists()) {
        throw MigrationError(
            QStringLiteral("migration directory %1 does not exist").arg(directory));
    }
    QList<Migration> migrations;
    const QStringList files =
        dir.entryList({QStringLiteral("*.sql")}, QDir::Files | QDir::Readable, QDir::Name);
    for (const QString &fileName : files) {
        QFile file(dir.filePath(fileName));
        if (!file.open(QIODevice::ReadOnly)) {
            throw MigrationError(QStringLiteral("cannot read migration file %1: %2")
                                     .arg(file.fileName(), file.errorString()));
        }
        migrations.append(Migration::fromFile(fileName, file.readAll()));
    }
    // Validates and sorts the same way the constructor does.
    return Migrator(std::move(migrations)).migrations();
}

Migrator::Migrator(QList<Migration> migrations)
    : m_migrations(std::move(migrations))
{
    std::sort(m_migrations.begin(), m_migrations.end(), [](const Migration &a, const Migration &b) {
        return a.version < b.version;
    });
    for (qsizetype i = 0; i < m_migrations.size(); ++i) {
        const Migration &migration = m_migrations.at(i);
        if (migration.version <= 0
            || !migration.name.startsWith(migrationName(migration.version) + QLatin1Char('_'))) {
            throw MigrationError(QStringLiteral("migration %1 does not start with its version %2")
                                     .arg(migration.name)
                                     .arg(migration.version));
        }
        if (migration.checksum != sha256Hex(migration.sql)) {
            throw MigrationError(QStringLiteral("migration %1: checksum does not match its SQL")
                                     .arg(migration.name));
        }
        if (i > 0 && m_migrations.at(i - 1).version == migration.version) {
            throw MigrationError(QStringLiteral("migrations %1 and %2 share version %3")
                                     .arg(m_migrations.at(i - 1).name, migration.name)
                                     .arg(migration.version));
        }
    }
}

Migrator::Report Migrator::migrate(pqxx::connection_base &connection)
{
    const MigrationLock lock(connection);

    DatabaseState state = readState(connection);
    if (!state.hasTable) {
        // Created only when missing, under the lock: CREATE TABLE IF NOT EXISTS would still
        // need CREATE rights on the schema, and races without the lock.
        pqxx::work tx(connection, "migration_table");
        tx.exec0("CREATE TABLE schema_migrations ("
                 " version integer PRIMARY KEY CHECK (version > 0),"
                 " name text NOT NULL,"
                 " checksum text NOT NULL,"
                 " applied_at timestamptz NOT NULL DEFAULT now())");
        tx.commit();
        qCInfo(lcMigrate) << "created schema_migrations";
    }
    checkCompatible(m_migrations, state);

    Report report;
    report.schemaVersion = state.version();
    const QList<Migration> toApply = pendingIn(m_migrations, state);
    for (const Migration &migration : toApply) {
        apply(connection, migration);
        report.applied.append(migration.name);
        report.schemaVersion = migration.version;
    }
    if (report.applied.isEmpty()) {
        qCInfo(lcMigrate) << "database schema is up to date at version" << report.schemaVersion;
    } else {
        qCInfo(lcMigrate) << "applied" << report.applied.size()
                          << "migration(s); database schema version" << report.schemaVersion;
    }
    return report;
}

void Migrator::verify(pqxx::connection_base &connection) const
{
    const DatabaseState state = readState(connection);
    checkCompatible(m_migrations, state);
    const QList<Migration> missing = pendingIn(m_migrations, state);
    if (missing.isEmpty())
        return;
    QStringList names;
    for (const Migration &migration : missing)
        names.append(migration.name);
    throw MigrationError(QStringLiteral("database schema version %1 is older than this build "
                                        "(%2); pending: %3; run hms-admin migrate")
                             .arg(state.version())
                             .arg(latestVersion())
                             .arg(names.join(QStringLiteral(", "))));
}

QList<Migration> Migrator::pending(pqxx::connection_base &connection) const
{
    return pendingIn(m_migrations, readState(connection));
}

int Migrator::schemaVersion(pqxx::connection_base &connection)
{
    pqxx::read_transaction tx(connection, "schema_version");
    if (!tx.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL")[0].as<bool>())
        return 0;
    return tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
}

int Migrator::latestVersion() const
{
    return m_migrations.isEmpty() ? 0 : m_migrations.constLast().version;
}

} // namespace hms::server
