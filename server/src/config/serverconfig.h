#pragma once

#include "http/httplimits.h"
#include "shared/core/result.h"

#include <QHostAddress>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace hms::server {

/// Settings of hms-server (and hms-worker). Precedence, lowest first: built-in defaults,
/// the `--config` file (INI, `key = value`), HMS_* environment variables, command-line
/// options. Secrets (the database URL) are never taken from the command line, where `ps`
/// would show them (SECURITY.md X4).
struct ServerConfig
{
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 listenPort = 8080;
    QString databaseUrl;
    int dbPoolSize = 0; ///< 0 = max(8, 2 x cores)
    int dbReadPoolSize = 0; ///< threads for cached reads (Route::cachedRead); 0 = cores
    int dbSearchPoolSize =
        0; ///< threads for name searches (Route::costlySearch); 0 = cores (at least 2)
    int dbQueueLimit = 1000; ///< requests waiting for a pool thread before 503
    HttpLimits limits;
    QStringList corsOrigins;
    QString tlsCertificatePath;
    QString tlsKeyPath;
    QString jwtKeyFile; ///< HS256 keys; created 0600 when absent. Empty = app data dir
    QString passwordPepperFile; ///< optional Argon2 pepper keys (kid:key, 0600); empty = none
    int argon2Iterations = 3; ///< Argon2id t; never below 2
    int argon2MemoryKib = 65536; ///< Argon2id m; never below 19456 (19 MiB)
    bool migrateOnStart = true;
    int reservationSweepMs = 60'000; ///< how often expired bed reservations are freed
    bool production = false; ///< refuse demo data and an unsafe PostgreSQL (F3, A2)
    bool allowUnsafeDatabase = false; ///< production only: start despite fsync=off etc.

    struct Overrides
    {
        QString configFile; ///< --config
        QString listen; ///< --listen
        bool noMigrate = false;
    };

    /// Builds the configuration from the config file, \a environment and \a overrides.
    /// A Problem names the first bad setting and where it came from.
    static Result<ServerConfig> load(const Overrides &overrides,
                                     const QProcessEnvironment &environment);

    /// Documents every setting for `--help`.
    static QString settingsHelp();

    int effectivePoolSize() const;
    int effectiveReadPoolSize() const;
    int effectiveSearchPoolSize() const;
    QString effectiveJwtKeyFile() const;
};

} // namespace hms::server
