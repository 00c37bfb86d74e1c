#include "config/serverconfig.h"

#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QThread>

#include <functional>

namespace hms::server {

namespace {

using Setter = std::function<bool(ServerConfig &, const QString &)>;

struct Setting
{
    const char *key; ///< config-file key; the environment name is HMS_ + upper-case key
    const char *help;
    Setter apply;
};

bool parseListen(const QString &value, QHostAddress &address, quint16 &port)
{
    const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    QString host = value.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint number = value.mid(colon + 1).toUInt(&ok);
    if (!ok || number > 65535)
        return false;
    QHostAddress parsed;
    if (host == QLatin1String("localhost"))
        parsed = QHostAddress::LocalHost;
    else if (!parsed.setAddress(host))
        return false;
    address = parsed;
    port = quint16(number);
    return true;
}

Setter intSetter(int ServerConfig::*member, int minimum, int maximum)
{
    return [=](ServerConfig &config, const QString &value) {
        bool ok = false;
        const int number = value.toInt(&ok);
        if (!ok || number < minimum || number > maximum)
            return false;
        config.*member = number;
        return true;
    };
}

Setter limitSetter(int HttpLimits::*member, int minimum, int maximum)
{
    return [=](ServerConfig &config, const QString &value) {
        bool ok = false;
        const int number = value.toInt(&ok);
        if (!ok || number < minimum || number > maximum)
            return false;
        config.limits.*member = number;
        return true;
    };
}

const QList<Setting> &settings()
{
    static const QList<Setting> table = {
        {"listen", "address:port to serve HTTP on (default 127.0.0.1:8080)",
         [](ServerConfig &c, const QString &v) {
             return parseListen(v, c.listenAddress, c.listenPort);
         }},
        {"database_url", "libpq URL of PostgreSQL (environment or config file only)",
         [](ServerConfig &c, const QString &v) {
             c.databaseUrl = v;
             return !v.isEmpty();
         }},
        {"db_pool_size", "database threads, one connection each (default max(8, 2 x cores))",
         intSetter(&ServerConfig::dbPoolSize, 1, 256)},
        {"db_read_pool_size",
         "database threads for cached reads such as GET /beds (default: cores)",
         intSetter(&ServerConfig::dbReadPoolSize, 1, 256)},
        {"db_search_pool_size",
         "database threads for name searches, which queue there when many arrive at once "
         "(default: cores, at least 2)",
         intSetter(&ServerConfig::dbSearchPoolSize, 1, 256)},
        {"db_queue_limit", "requests waiting for a database thread before 503 (default 1000)",
         intSetter(&ServerConfig::dbQueueLimit, 1, 1'000'000)},
        {"reservation_sweep_ms", "how often expired bed reservations are freed (default 60000)",
         intSetter(&ServerConfig::reservationSweepMs, 100, 3'600'000)},
        {"max_body_bytes", "largest request body accepted (default 1048576)",
         [](ServerConfig &c, const QString &v) {
             bool ok = false;
             const qint64 n = v.toLongLong(&ok);
             if (!ok || n < 1024 || n > (qint64(1) << 32))
                 return false;
             c.limits.maxBodyBytes = n;
             return true;
         }},
        {"header_timeout_ms", "time to receive a request's headers (default 10000)",
         limitSetter(&HttpLimits::headerTimeoutMs, 100, 600'000)},
        {"body_timeout_ms", "time to receive a request's body (default 30000)",
         limitSetter(&HttpLimits::bodyTimeoutMs, 100, 600'000)},
        {"keepalive_timeout_ms", "idle time before a connection is closed (default 60000)",
         limitSetter(&HttpLimits::keepAliveTimeoutMs, 100, 3'600'000)},
        {"max_connections", "open connections at most (default 10000)",
         limitSetter(&HttpLimits::maxConnections, 1, 1'000'000)},
        {"cors_origins", "comma-separated browser origins allowed to call the API (default none)",
         [](ServerConfig &c, const QString &v) {
             c.corsOrigins.clear();
             for (const QString &origin : v.split(QLatin1Char(','), Qt::SkipEmptyParts))
                 c.corsOrigins.append(origin.trimmed());
             return true;
         }},
        {"tls_cert", "PEM certificate chain; TLS is on when tls_cert and tls_key are set",
         [](ServerConfig &c, const QString &v) {
             c.tlsCertificatePath = v;
             return true;
         }},
        {"jwt_key_file",
         "HS256 signing keys (kid:key lines), created 0600 when missing; "
         "share it between server instances",
         [](ServerConfig &c, const QString &v) {
             c.jwtKeyFile = v;
             return !v.isEmpty();
         }},
        {"password_pepper_file",
         "optional secret mixed into every password hash (kid:key lines, 0600, created when "
         "missing); hms-admin needs the same file (HMS_PASSWORD_PEPPER_FILE). Existing hashes "
         "move to it at the users' next login; keep old keys in the file until then",
         [](ServerConfig &c, const QString &v) {
             c.passwordPepperFile = v;
             return !v.isEmpty();
         }},
        {"argon2_iterations", "Argon2id passes for new password hashes (default 3, minimum 2)",
         intSetter(&ServerConfig::argon2Iterations, 2, 10)},
        {"argon2_memory_kib",
         "Argon2id memory for new password hashes (default 65536, minimum 19456)",
         intSetter(&ServerConfig::argon2MemoryKib, 19456, 1 << 20)},
        {"mode",
         "development (default) or production: production refuses the demo hospital "
         "and a PostgreSQL without fsync, synchronous_commit, full_page_writes or checksums",
         [](ServerConfig &c, const QString &v) {
             if (v != QLatin1String("development") && v != QLatin1String("production"))
                 return false;
             c.production = v == QLatin1String("production");
             return true;
         }},
        {"allow_unsafe_database", "true to start in production mode on an unsafe PostgreSQL anyway",
         [](ServerConfig &c, const QString &v) {
             if (v != QLatin1String("true") && v != QLatin1String("false"))
                 return false;
             c.allowUnsafeDatabase = v == QLatin1String("true");
             return true;
         }},
        {"tls_key", "PEM private key for tls_cert",
         [](ServerConfig &c, const QString &v) {
             c.tlsKeyPath = v;
             return true;
         }},
    };
    return table;
}

QString environmentName(const char *key)
{
    return QStringLiteral("HMS_") + QString::fromLatin1(key).toUpper();
}

Problem badSetting(const QString &name, const QString &source)
{
    Problem problem =
        Problem::fromType(problems::ValidationFailed,
                          QStringLiteral("Invalid value for %1 (from %2)").arg(name, source));
    problem.errors.append({name, QStringLiteral("invalid value")});
    return problem;
}

} // namespace

Result<ServerConfig> ServerConfig::load(const Overrides &overrides,
                                        const QProcessEnvironment &environment)
{
    ServerConfig config;

    if (!overrides.configFile.isEmpty()) {
        if (!QFileInfo(overrides.configFile).isReadable())
            return Problem::fromType(
                problems::ValidationFailed,
                QStringLiteral("Cannot read config file %1").arg(overrides.configFile));
        QSettings file(overrides.configFile, QSettings::IniFormat);
        if (file.status() != QSettings::NoError)
            return Problem::fromType(
                problems::ValidationFailed,
                QStringLiteral("Cannot parse config file %1").arg(overrides.configFile));
        const QStringList knownKeys = [] {
            QStringList keys;
            for (const Setting &setting : settings())
                keys.append(QString::fromLatin1(setting.key));
            return keys;
        }();
        for (const QString &key : file.allKeys()) {
            if (!knownKeys.contains(key))
                return Problem::fromType(
                    problems::ValidationFailed,
                    QStringLiteral("Unknown setting %1 in %2").arg(key, overrides.configFile));
        }
        for (const Setting &setting : settings()) {
            const QString key = QString::fromLatin1(setting.key);
            if (!file.contains(key))
                continue;
            // QSettings splits "a, b" into a list; the setters take the text as written.
            const QVariant value = file.value(key);
            const QString text = value.typeId() == QMetaType::QStringList
                ? value.toStringList().join(QLatin1Char(','))
                : value.toString();
            if (!setting.apply(config, text))
                return badSetting(key, overrides.configFile);
        }
    }

    for (const Setting &setting : settings()) {
        const QString name = environmentName(setting.key);
        if (environment.contains(name) && !setting.apply(config, environment.value(name)))
            return badSetting(name, QStringLiteral("environment"));
    }

    if (!overrides.listen.isEmpty()
        && !parseListen(overrides.listen, config.listenAddress, config.listenPort))
        return badSetting(QStringLiteral("--listen"), QStringLiteral("command line"));
    if (overrides.noMigrate)
        config.migrateOnStart = false;

    if (config.databaseUrl.isEmpty())
        return Problem::fromType(
            problems::ValidationFailed,
            QStringLiteral("No database: set HMS_DATABASE_URL or database_url"));
    if (config.tlsCertificatePath.isEmpty() != config.tlsKeyPath.isEmpty())
        return Problem::fromType(problems::ValidationFailed,
                                 QStringLiteral("Set both tls_cert and tls_key, or neither"));
    return config;
}

QString ServerConfig::settingsHelp()
{
    QString text = QStringLiteral("Settings (config file key / environment variable):\n");
    for (const Setting &setting : settings()) {
        text += QStringLiteral("  %1 / %2\n      %3\n")
                    .arg(QString::fromLatin1(setting.key), environmentName(setting.key),
                         QString::fromLatin1(setting.help));
    }
    return text;
}

QString ServerConfig::effectiveJwtKeyFile() const
{
    if (!jwtKeyFile.isEmpty())
        return jwtKeyFile;
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        + QStringLiteral("/jwt.key");
}

int ServerConfig::effectiveReadPoolSize() const
{
    // Cached reads only wait for one short round trip: one thread per core keeps them busy.
    return dbReadPoolSize > 0 ? dbReadPoolSize : qMax(1, QThread::idealThreadCount());
}

int ServerConfig::effectiveSearchPoolSize() const
{
    // An expensive name search keeps a core busy for its whole run: more of them at once than
    // cores only makes each one slower (measured in server/THREADING.md).
    return dbSearchPoolSize > 0 ? dbSearchPoolSize : qMax(2, QThread::idealThreadCount());
}

int ServerConfig::effectivePoolSize() const
{
    // Threads mostly wait on PostgreSQL or Argon2, so more than cores; enough that logins
    // (bounded separately) never take every thread from the rest of the API.
    return dbPoolSize > 0 ? dbPoolSize : qMax(8, 2 * QThread::idealThreadCount());
}

} // namespace hms::server
