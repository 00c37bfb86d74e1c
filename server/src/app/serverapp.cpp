#include "app/serverapp.h"

#include "audit/auditlog.h"
#include "audit/auditroutes.h"
#include "audit/auditsealer.h"
#include "auth/authroutes.h"
#include "auth/authservice.h"
#include "auth/jwt.h"
#include "auth/passwordhasher.h"
#include "billing/accountroutes.h"
#include "db/dbsession.h"
#include "db/dbworkerpool.h"
#include "db/migrator.h"
#include "db/tenant.h"
#include "documents/documentroutes.h"
#include "documents/documentservice.h"
#include "documents/pgdocumentstore.h"
#include "health/healthroutes.h"
#include "http/httpserver.h"
#include "ipd/bedboard.h"
#include "ipd/ipdroutes.h"
#include "ipd/ipdservice.h"
#include "ipd/reservationsweep.h"
#include "live/livehub.h"
#include "medications/medicationroutes.h"
#include "medications/medicationservice.h"
#include "notifications/notificationroutes.h"
#include "nursing/nursingroutes.h"
#include "nursing/nursingservice.h"
#include "opd/appointmentroutes.h"
#include "opd/appointmentservice.h"
#include "opd/opdroutes.h"
#include "opd/opdservice.h"
#include "patients/patientroutes.h"
#include "patients/patientservice.h"
#include "shared/protocol/apipaths.h"
#include "users/useradminservice.h"
#include "users/userroutes.h"
#include "wardstaff/wardstaffroutes.h"
#include "workflows/wfroutes.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSslCertificate>
#include <QSslKey>

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction>

namespace hms::server {

static Q_LOGGING_CATEGORY(lcServer, "hms.server", QtInfoMsg);

namespace {

// Mozilla "intermediate": TLS 1.2 with ECDHE and AEAD only; TLS 1.3 suites are all fine.
constexpr char Tls12Ciphers[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

} // namespace

ServerApp::ServerApp(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{}

ServerApp::~ServerApp()
{
    m_http.reset(); // waits for handlers still posting back to it
    if (m_pool)
        m_pool->shutdown(); // before the services its jobs use go away
    if (m_readPool)
        m_readPool->shutdown();
    if (m_searchPool)
        m_searchPool->shutdown();
}

bool ServerApp::start()
{
    const std::string connectionString =
        withSessionDefaults(m_config.databaseUrl.toStdString(), "hms-server");

    if (m_config.migrateOnStart) {
        try {
            pqxx::connection connection(connectionString);
            const Migrator::Report report = Migrator(Migrator::embedded()).migrate(connection);
            qCInfo(lcServer) << "schema version" << report.schemaVersion << "(applied"
                             << report.applied.size() << "migrations)";
        } catch (const MigrationError &error) {
            m_error = QString::fromStdString(error.what());
            return false;
        } catch (const std::exception &) {
            // libpq's message may carry the host and user; say what to check instead.
            m_error = QStringLiteral("Cannot connect to PostgreSQL to apply migrations; check "
                                     "HMS_DATABASE_URL and that the database is running");
            return false;
        }
    } else {
        // Without migrating, still refuse a schema this build does not match; but a database
        // that is down only means 503s until it is back.
        try {
            pqxx::connection connection(connectionString);
            Migrator(Migrator::embedded()).verify(connection);
        } catch (const MigrationError &error) {
            m_error = QString::fromStdString(error.what());
            return false;
        } catch (const std::exception &) {
            qCWarning(lcServer) << "database unreachable at start; answering 503 until it is back";
        }
    }

    if (m_config.production && !checkProductionDatabase(connectionString))
        return false;

    HttpServerOptions options;
    options.limits = m_config.limits;
    options.corsOrigins = m_config.corsOrigins;
    if (!loadTls(options.tls))
        return false;

    if (!startAuth())
        return false;
    options.authorize = [auth = m_auth.get()](RequestContext &context, const Route &route) {
        return auth->authorize(context, route);
    };
    registerHealthRoutes(m_router);
    registerAuthRoutes(m_router, *m_auth);
    registerUserRoutes(m_router, *m_userAdmin);
    registerAuditRoutes(m_router);
    m_patients = std::make_unique<PatientService>();
    registerPatientRoutes(m_router, *m_patients);
    m_documentStore = std::make_unique<PgDocumentStore>();
    m_documents = std::make_unique<DocumentService>(*m_documentStore);
    registerDocumentRoutes(m_router, *m_documents);
    m_opd = std::make_unique<OpdService>();
    registerOpdRoutes(m_router, *m_opd);
    m_ipd = std::make_unique<IpdService>(*m_documentStore);
    m_bedBoard = std::make_unique<BedBoard>();
    registerIpdRoutes(m_router, *m_ipd, *m_bedBoard);
    m_medications = std::make_unique<MedicationService>();
    registerMedicationRoutes(m_router, *m_medications);
    m_nursing = std::make_unique<NursingService>(*m_documentStore);
    registerNursingRoutes(m_router, *m_nursing);
    registerWardStaffRoutes(m_router);
    registerAccountRoutes(m_router);
    registerNotificationRoutes(m_router);
    registerWorkflowAdminRoutes(m_router);
    m_appointments = std::make_unique<AppointmentService>();
    registerAppointmentRoutes(m_router, *m_appointments);

    // Rows a crash left pending are sealed before the first request; then every reply waits
    // until the audit rows its request appended are sealed (0018_audit_sealing.sql).
    m_sealer = std::make_unique<AuditSealer>(connectionString, SetRoleApplication,
                                             AuditSealer::DefaultSweepMs);
    if (!m_sealer->sweepNow())
        qCWarning(lcServer) << "could not seal pending audit rows at start; the sweep retries";
    m_sealer->start();
    options.beforeReply = [sealer = m_sealer.get()](std::function<void()> send) {
        sealer->whenSealed(AuditLog::takeAppended(), std::move(send));
    };
    m_pool = std::make_unique<DbWorkerPool>(connectionString, m_config.effectivePoolSize(),
                                            m_config.dbQueueLimit, SetRoleApplication);
    m_readPool = std::make_unique<DbWorkerPool>(connectionString, m_config.effectiveReadPoolSize(),
                                                m_config.dbQueueLimit, SetRoleApplication);
    options.cachedReadPool = m_readPool.get();
    m_searchPool =
        std::make_unique<DbWorkerPool>(connectionString, m_config.effectiveSearchPoolSize(),
                                       m_config.dbQueueLimit, SetRoleApplication);
    options.searchPool = m_searchPool.get();
    m_live = std::make_unique<LiveHub>(*m_pool, *m_auth, connectionString);
    options.upgradePath = QLatin1String(api::Live);
    options.upgrade = [live = m_live.get()](QTcpSocket *socket, const HttpRequest &head) {
        live->acceptUpgrade(socket, head.header("authorization"));
    };
    m_live->start();
    m_sweep = std::make_unique<ReservationSweep>(*m_pool, m_config.reservationSweepMs);
    m_sweep->start();
    m_http = std::make_unique<HttpServer>(m_router, *m_pool, options);
    connect(m_http.get(), &HttpServer::stopped, this, &ServerApp::stopped);
    if (!m_http->listen(m_config.listenAddress, m_config.listenPort)) {
        m_error = QStringLiteral("Cannot listen on %1:%2: %3")
                      .arg(m_config.listenAddress.toString())
                      .arg(m_config.listenPort)
                      .arg(m_http->errorString());
        return false;
    }
    qCInfo(lcServer).noquote() << "listening on"
                               << QStringLiteral("%1://%2:%3")
                                      .arg(options.tls ? QStringLiteral("https")
                                                       : QStringLiteral("http"),
                                           m_config.listenAddress.toString())
                                      .arg(m_http->serverPort())
                               << "with" << m_pool->threadCount() << "database threads and"
                               << m_readPool->threadCount() << "for cached reads and"
                               << m_searchPool->threadCount() << "for name searches";
    return true;
}

void ServerApp::shutdown()
{
    if (m_http)
        m_http->shutdown();
    else
        Q_EMIT stopped();
}

quint16 ServerApp::port() const
{
    return m_http ? m_http->serverPort() : 0;
}

bool ServerApp::checkProductionDatabase(const std::string &connectionString)
{
    try {
        pqxx::connection connection(connectionString);
        pqxx::read_transaction tx(connection);
        QStringList unsafe;
        for (const char *setting :
             {"fsync", "synchronous_commit", "full_page_writes", "data_checksums"}) {
            const std::string value =
                tx.exec_params1("SELECT current_setting($1)", setting)[0].as<std::string>();
            if (value == "off")
                unsafe.append(QString::fromLatin1(setting) + QStringLiteral("=off"));
        }
        if (!unsafe.isEmpty() && !m_config.allowUnsafeDatabase) {
            m_error =
                QStringLiteral("Refusing production mode: PostgreSQL runs with %1 (acknowledged "
                               "writes could be lost); fix it or set allow_unsafe_database=true")
                    .arg(unsafe.join(QStringLiteral(", ")));
            return false;
        }
        if (!tx.exec("SELECT 1 FROM hospitals WHERE code = 'demo'").empty()) {
            m_error = QStringLiteral(
                "Refusing production mode: the demo hospital and its accounts exist");
            return false;
        }
    } catch (const std::exception &) {
        m_error = QStringLiteral("Cannot check the database for production mode");
        return false;
    }
    return true;
}

bool ServerApp::startAuth()
{
    const QString keyFile = m_config.effectiveJwtKeyFile();
    QDir().mkpath(QFileInfo(keyFile).absolutePath());
    Result<JwtKeyRing> keys = JwtKeyRing::loadOrCreate(keyFile);
    if (!keys) {
        m_error = keys.problem().detail;
        return false;
    }
    m_keys = std::make_unique<JwtKeyRing>(std::move(keys).value());
    // Logins wait for Argon2 on pool threads: keep at least two threads free for the rest
    // of the API while a login flood is refused with 503 (SECURITY.md A5).
    const int hashers = PasswordHasher::defaultMaxConcurrent();
    const int waiting = qMax(1, m_config.effectivePoolSize() - hashers - 2);
    m_hasher = std::make_unique<PasswordHasher>(
        Argon2Params{static_cast<unsigned long long>(m_config.argon2Iterations),
                     static_cast<std::size_t>(m_config.argon2MemoryKib) * 1024},
        hashers, waiting);
    if (!m_config.passwordPepperFile.isEmpty()) {
        const Result<> pepper = m_hasher->loadPepperFile(m_config.passwordPepperFile);
        if (!pepper) {
            m_error = pepper.problem().detail;
            return false;
        }
    }
    m_auth = std::make_unique<AuthService>(*m_keys, *m_hasher);
    m_userAdmin = std::make_unique<UserAdminService>(*m_hasher);
    return true;
}

bool ServerApp::loadTls(std::optional<QSslConfiguration> &tls)
{
    if (m_config.tlsCertificatePath.isEmpty())
        return true;
    const QFileInfo keyInfo(m_config.tlsKeyPath);
    if (keyInfo.permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup)) {
        m_error = QStringLiteral("Refusing TLS key %1: it is readable by others (chmod 600)")
                      .arg(m_config.tlsKeyPath);
        return false;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(m_config.tlsCertificatePath);
    QFile keyFile(m_config.tlsKeyPath);
    if (chain.isEmpty() || !keyFile.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("Cannot read TLS certificate or key");
        return false;
    }
    const QByteArray keyPem = keyFile.readAll();
    QSslKey key(keyPem, QSsl::Ec);
    if (key.isNull())
        key = QSslKey(keyPem, QSsl::Rsa);
    if (key.isNull()) {
        m_error =
            QStringLiteral("Cannot parse TLS key %1 (PEM, EC or RSA)").arg(m_config.tlsKeyPath);
        return false;
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setCiphers(QLatin1String(Tls12Ciphers) + QStringLiteral(":")
                             + QStringLiteral("TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                                              "TLS_CHACHA20_POLY1305_SHA256"));
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone); // clients authenticate by token
    tls = configuration;
    return true;
}

} // namespace hms::server
