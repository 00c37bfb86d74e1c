#pragma once

#include "config/serverconfig.h"
#include "http/router.h"

#include <QObject>
#include <QSslConfiguration>

#include <memory>

namespace hms::server {

class AuditSealer;
class AuthService;
class BedBoard;
class DbWorkerPool;
class DocumentService;
class DocumentStore;
class HttpServer;
class IpdService;
class JwtKeyRing;
class LiveHub;
class MedicationService;
class NursingService;
class ReservationSweep;
class PasswordHasher;
class PatientService;
class OpdService;
class AppointmentService;
class UserAdminService;

/// hms-server as an object: migrations, the database pool, the route table and the HTTP
/// front door, wired from a ServerConfig. main() and the integration tests both use it.
/// Lives on the event-loop thread.
class ServerApp : public QObject
{
    Q_OBJECT

public:
    explicit ServerApp(ServerConfig config, QObject *parent = nullptr);
    ~ServerApp() override;

    /// Applies pending migrations (unless disabled), registers the routes and listens.
    /// False with errorString() set when any of that fails.
    bool start();

    /// Graceful stop; stopped() follows once in-flight requests are answered.
    void shutdown();

    quint16 port() const;

    /// The WebSocket side (tests count subscribers).
    LiveHub *live() const { return m_live.get(); }

    QString errorString() const { return m_error; }

    /// The route table; tests may add routes before start().
    Router &router() { return m_router; }

Q_SIGNALS:
    void stopped();

private:
    bool checkProductionDatabase(const std::string &connectionString);
    bool startAuth();
    bool loadTls(std::optional<QSslConfiguration> &tls);

    ServerConfig m_config;
    Router m_router;
    std::unique_ptr<JwtKeyRing> m_keys;
    std::unique_ptr<PasswordHasher> m_hasher;
    std::unique_ptr<AuthService> m_auth;
    std::unique_ptr<UserAdminService> m_userAdmin;
    std::unique_ptr<PatientService> m_patients;
    std::unique_ptr<DocumentStore> m_documentStore;
    std::unique_ptr<DocumentService> m_documents;
    std::unique_ptr<OpdService> m_opd;
    std::unique_ptr<IpdService> m_ipd;
    std::unique_ptr<BedBoard> m_bedBoard;
    std::unique_ptr<MedicationService> m_medications;
    std::unique_ptr<NursingService> m_nursing;
    std::unique_ptr<AppointmentService> m_appointments;
    /// Before m_pool and m_http: destroyed after them (replies held for sealing come back
    /// through it while m_http waits for them).
    std::unique_ptr<AuditSealer> m_sealer;
    std::unique_ptr<DbWorkerPool> m_pool;
    std::unique_ptr<DbWorkerPool> m_readPool; ///< Route::cachedRead routes (GET /beds)
    std::unique_ptr<DbWorkerPool> m_searchPool; ///< Route::costlySearch requests (names)
    std::unique_ptr<LiveHub> m_live;
    std::unique_ptr<HttpServer> m_http;
    std::unique_ptr<ReservationSweep> m_sweep; ///< after m_pool: destroyed first
    QString m_error;
};

} // namespace hms::server
