#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <pqxx/types>

#include <stdexcept>

namespace hms::server {

/// One numbered schema migration: the file `server/migrations/NNNN_description.sql`.
struct Migration
{
    int version = 0; ///< NNNN, > 0
    QString name; ///< file name without ".sql", e.g. "0001_foundation"
    QByteArray sql; ///< the file's bytes, run as one transaction
    QByteArray checksum; ///< lower-case SHA-256 hex of sql, recorded in schema_migrations

    /// Builds a migration from a file name like "0001_foundation.sql" and its contents.
    /// Throws MigrationError when the name is not `NNNN_description.sql` (four digits, not
    /// 0000; description of a-z, 0-9 and '_') or the SQL is empty.
    static Migration fromFile(const QString &fileName, const QByteArray &sql);
};

/// A migration cannot be applied, or the database's schema does not match this build.
/// what() names the migration and never carries row data; when a migration's SQL failed,
/// the libpqxx exception (with PostgreSQL's full message) is nested: an interactive tool
/// such as hms-admin may print it with std::rethrow_if_nested, hms-server should not log it.
class MigrationError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
    explicit MigrationError(const QString &message);
};

/// Applies numbered SQL migrations to a PostgreSQL database and records each in
/// `schema_migrations(version, name, checksum, applied_at)`.
///
/// Rules, checked before anything is applied (a refusal changes nothing):
/// - an applied migration whose SQL changed (checksum) or that was renamed is refused;
/// - a database with a migration this build does not know (a newer schema) is refused;
/// - a pending migration numbered below the newest applied one is refused (released
///   migrations are ordered; a late branch must be renumbered).
///
/// Migrations must not contain transaction control (BEGIN/COMMIT) or statements that cannot
/// run in a transaction (CREATE INDEX CONCURRENTLY, VACUUM).
///
/// Not thread-safe per connection; any number of migrators may run at once on separate
/// connections (processes or threads): a session-level advisory lock serialises them.
class Migrator
{
public:
    /// The key of the session-level advisory lock held while migrating ("HMS_MIGR").
    static constexpr long long AdvisoryLockKey = 0x484D'535F'4D49'4752LL;

    /// The migrations embedded in this build (resource directory ":/migrations"), sorted.
    /// Throws MigrationError on a misnamed file or a version used twice.
    static QList<Migration> embedded();

    /// Reads every `*.sql` file of \a directory (a path or a resource directory), sorted by
    /// version. Throws MigrationError as embedded() does, or when a file cannot be read.
    static QList<Migration> fromDirectory(const QString &directory);

    /// Takes the migrations of this build, in any order. Throws MigrationError when two share
    /// a version, a name does not start with its zero-padded version, or a checksum does not
    /// match its SQL.
    explicit Migrator(QList<Migration> migrations);

    struct Report
    {
        QList<QString> applied; ///< names, in the order they were applied
        int schemaVersion = 0; ///< highest applied version afterwards
    };

    /// Brings the database up to this build's schema. Holds the advisory lock for the whole
    /// run (waiting for it without a time limit while another migrator works), creates
    /// schema_migrations when missing, checks the rules above, then applies each pending
    /// migration in its own transaction together with its schema_migrations row.
    /// statement_timeout is lifted inside those transactions; the session's lock_timeout
    /// stays, so a migration does not queue behind live traffic forever.
    /// Precondition: no transaction is open on \a connection. The lock is released on
    /// return and on every exception. Throws MigrationError (a failed migration is rolled
    /// back, earlier ones stay applied) or a libpqxx exception when the connection fails.
    Report migrate(pqxx::connection_base &connection);

    /// Checks without changing anything that the database is exactly at this build's
    /// schema: nothing pending and none of the refusals above. For a server started with
    /// --no-migrate. Throws MigrationError naming what is wrong.
    void verify(pqxx::connection_base &connection) const;

    /// Migrations of this build not yet recorded in the database (no lock taken).
    QList<Migration> pending(pqxx::connection_base &connection) const;

    /// The highest applied version; 0 when schema_migrations does not exist.
    static int schemaVersion(pqxx::connection_base &connection);

    const QList<Migration> &migrations() const { return m_migrations; }

    /// Highest version of this build; 0 without migrations.
    int latestVersion() const;

private:
    QList<Migration> m_migrations; ///< sorted by version
};

} // namespace hms::server
