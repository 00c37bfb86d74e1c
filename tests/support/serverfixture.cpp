#include "support/serverfixture.h"

#include "audit/auditlog.h"
#include "auth/passwordhasher.h"
#include "auth/passwordpolicy.h"
#include "db/tenant.h"
#include "hospitals/hospitalrepository.h"
#include "shared/protocol/apipaths.h"
#include "users/userrepository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>

#include <pqxx/pqxx>

namespace hms::test {

using namespace hms::server;

namespace {

// The audit row hms-admin writes for a console action (admin/commandsupport.cpp).
AuditEntry consoleEntry(qint64 hospitalId, const QString &action, const QString &entity, qint64 id)
{
    AuditEntry entry;
    entry.hospitalId = hospitalId;
    entry.actorRole = QStringLiteral("console");
    entry.action = action;
    entry.entity = entity;
    entry.entityId = QString::number(id);
    entry.category = QStringLiteral("admin");
    entry.clientAddress = QStringLiteral("hms-admin");
    return entry;
}

} // namespace

AdminRun
runAdmin(const std::string &databaseUrl, const QStringList &arguments, const QByteArray &input)
{
    AdminRun run;
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("HMS_DATABASE_URL")); // only --database counts
    process.setProcessEnvironment(env);
    process.start(qEnvironmentVariable("HMS_BIN_DIR") + QStringLiteral("/hms-admin"),
                  QStringList{QStringLiteral("--database"), QString::fromStdString(databaseUrl)}
                      + arguments);
    if (!process.waitForStarted(10'000)) {
        qWarning("hms-admin did not start (HMS_BIN_DIR=%s)", qgetenv("HMS_BIN_DIR").constData());
        return run;
    }
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished(5000);
        return run;
    }
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    if (process.exitStatus() == QProcess::NormalExit)
        run.exitCode = process.exitCode();
    return run;
}

ServerFixture::ServerFixture(const QString &prefix)
    : m_db(prefix)
{}

ServerFixture::~ServerFixture()
{
    stop(); // before the database is dropped
}

bool ServerFixture::start(std::function<void(ServerConfig &)> configure,
                          std::function<void(Router &)> addRoutes)
{
    m_configure = std::move(configure);
    m_addRoutes = std::move(addRoutes);
    return restart();
}

bool ServerFixture::restart()
{
    stop();
    ServerConfig config;
    config.listenAddress = QHostAddress::LocalHost;
    config.listenPort = 0;
    config.databaseUrl = m_db.qurl();
    config.migrateOnStart = true;
    config.jwtKeyFile = jwtKeyFile();
    config.argon2Iterations = 2;
    config.argon2MemoryKib = 19456;
    if (m_configure)
        m_configure(config);
    m_app = std::make_unique<ServerApp>(config);
    if (m_addRoutes)
        m_addRoutes(m_app->router());
    if (!m_app->start()) {
        m_error = m_app->errorString();
        m_app.reset();
        return false;
    }
    return true;
}

void ServerFixture::stop()
{
    m_app.reset();
}

quint16 ServerFixture::port() const
{
    return m_app ? m_app->port() : 0;
}

QString ServerFixture::jwtKeyFile() const
{
    return m_keyDir.filePath(QStringLiteral("jwt.key"));
}

qint64 ServerFixture::count(const std::string &sql) const
{
    const std::string value = m_db.scalar(sql);
    return value.empty() ? 0 : std::stoll(value);
}

QStringList
ServerFixture::insertPatients(qint64 hospitalId, const QString &tag, int firstSerial, int count)
{
    pqxx::connection connection(superuserUrl());
    pqxx::work tx(connection);
    const pqxx::result rows = tx.exec_params(
        "INSERT INTO patients (hospital_id, mrn, full_name, birth_date, sex, phone) "
        "SELECT $1, upper(left($2, 1)) || '-2026-' || lpad(g::text, 6, '0') || '-0', "
        "$2 || ' Patient ' || g, '1975-01-01', 'U', '+1555' || lpad(g::text, 7, '0') "
        "FROM generate_series($3::integer, $4::integer) g ORDER BY g RETURNING id",
        hospitalId, tag.toStdString(), firstSerial, firstSerial + count - 1);
    tx.commit();
    QStringList ids;
    for (const pqxx::row &row : rows)
        ids.append(QString::fromStdString(row[0].as<std::string>()));
    return ids;
}

qint64 ServerFixture::createHospital(const QString &code, const QString &name)
{
    try {
        pqxx::connection connection(m_db.url());
        pqxx::work tx(connection);
        const HospitalRow row = HospitalRepository::insert(tx, code, name, QStringLiteral("UTC"));
        enterTenant(tx, row.id);
        AuditLog::append(tx,
                         consoleEntry(row.id, QStringLiteral("hospital.create"),
                                      QStringLiteral("hospital"), row.id));
        tx.commit();
        AuditLog::seal(connection, AuditLog::takeAppended()); // as hms-admin does after it
        return row.id;
    } catch (const std::exception &error) {
        qWarning("createHospital(%s) failed: %s", qPrintable(code), error.what());
        return 0;
    }
}

qint64 ServerFixture::createUser(const QString &hospitalCode,
                                 const QString &username,
                                 Role role,
                                 const QString &password)
{
    const Result<> policy = checkPasswordPolicy(password, username, hospitalCode);
    if (!policy) {
        qWarning("createUser(%s): password refused by the policy", qPrintable(username));
        return 0;
    }
    PasswordHasher hasher(Argon2Params::floor());
    const std::optional<std::string> hash = hasher.hash(password);
    if (!hash)
        return 0;
    try {
        pqxx::connection connection(m_db.url());
        pqxx::work tx(connection);
        const std::optional<HospitalRow> hospital =
            HospitalRepository::findByCode(tx, hospitalCode);
        if (!hospital) {
            qWarning("createUser: no hospital %s", qPrintable(hospitalCode));
            return 0;
        }
        enterTenant(tx, hospital->id);
        const qint64 id =
            UserRepository::insert(tx, {hospital->id, username, username, role, *hash});
        AuditEntry audit =
            consoleEntry(hospital->id, QStringLiteral("user.create"), QStringLiteral("user"), id);
        audit.details = {{QStringLiteral("role"), roleName(role)}};
        AuditLog::append(tx, audit);
        tx.commit();
        AuditLog::seal(connection, AuditLog::takeAppended()); // as hms-admin does after it
        return id;
    } catch (const std::exception &error) {
        qWarning("createUser(%s) failed: %s", qPrintable(username), error.what());
        return 0;
    }
}

QJsonObject
ServerFixture::login(const QString &hospital, const QString &username, const QString &password)
{
    const QJsonObject body{{QStringLiteral("hospital"), hospital},
                           {QStringLiteral("username"), username},
                           {QStringLiteral("password"), password}};
    const RawResponse response = request("POST", api::AuthLogin, {}, body);
    if (response.status != 200) {
        qWarning("login %s/%s: HTTP %d %s", qPrintable(hospital), qPrintable(username),
                 response.status, response.body.constData());
        return {};
    }
    return response.json();
}

QByteArray ServerFixture::httpRequest(const QByteArray &method,
                                      const QByteArray &path,
                                      const QByteArray &token,
                                      const QByteArray &body,
                                      const QByteArray &contentType)
{
    QByteArray bytes = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!token.isEmpty())
        bytes += "Authorization: Bearer " + token + "\r\n";
    if (!body.isEmpty() && !contentType.isEmpty())
        bytes += "Content-Type: " + contentType + "\r\n";
    bytes += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    bytes += body;
    return bytes;
}

RawResponse ServerFixture::request(const QByteArray &method,
                                   const QByteArray &path,
                                   const QByteArray &token,
                                   const QByteArray &body,
                                   const QByteArray &contentType)
{
    const std::optional<RawResponse> response = RawHttpClient::roundTrip(
        port(), httpRequest(method, path, token, body, contentType), 15'000);
    return response ? *response : RawResponse();
}

RawResponse ServerFixture::request(const QByteArray &method,
                                   const QByteArray &path,
                                   const QByteArray &token,
                                   const QJsonObject &body)
{
    return request(method, path, token, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

QByteArray accessTokenOf(const QJsonObject &tokens)
{
    return tokens.value(QStringLiteral("accessToken")).toString().toLatin1();
}

QByteArray refreshTokenOf(const QJsonObject &tokens)
{
    return tokens.value(QStringLiteral("refreshToken")).toString().toLatin1();
}

QByteArray refreshBody(const QByteArray &refreshToken)
{
    return QJsonDocument(
               QJsonObject{{QStringLiteral("refreshToken"), QString::fromLatin1(refreshToken)}})
        .toJson(QJsonDocument::Compact);
}

QByteArray requestWith(const QByteArray &method,
                       const QByteArray &path,
                       const QByteArray &token,
                       const QByteArray &body,
                       const QByteArray &extraHeaders)
{
    QByteArray bytes = ServerFixture::httpRequest(method, path, token, body);
    const qsizetype firstLineEnd = bytes.indexOf("\r\n") + 2;
    bytes.insert(firstLineEnd, extraHeaders);
    return bytes;
}

QByteArray withId(const char *pathTemplate, const QString &id)
{
    QByteArray path(pathTemplate);
    path.replace("{id}", id.toLatin1());
    return path;
}

QStringList problemFields(const QJsonObject &problem)
{
    QStringList fields;
    for (const QJsonValue &error : problem.value(QLatin1String("errors")).toArray())
        fields.append(error.toObject().value(QLatin1String("field")).toString());
    return fields;
}

QByteArray jsonBytes(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace hms::test
