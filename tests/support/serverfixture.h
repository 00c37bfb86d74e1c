#pragma once

#include "app/serverapp.h"
#include "shared/auth/permissions.h"
#include "support/rawhttpclient.h"
#include "support/testdatabase.h"

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>
#include <QTemporaryDir>

#include <functional>
#include <memory>
#include <string>

namespace hms::test {

/// What a finished hms-admin run left behind.
struct AdminRun
{
    int exitCode = -1; ///< -1 when it crashed or did not finish in time
    QByteArray out;
    QByteArray err;
};

/// Runs the real `hms-admin` from HMS_BIN_DIR with `--database URL` before \a arguments and
/// \a input on its standard input (closed afterwards), and waits up to 60 s.
AdminRun runAdmin(const std::string &databaseUrl,
                  const QStringList &arguments,
                  const QByteArray &input = {});

/// An integration-test world: a database of the test's own (TestDatabase) and an in-process
/// hms-server (ServerApp) on 127.0.0.1:<free port> against it, with migrations applied at
/// start, the JWT key file in a temporary directory and Argon2 at the floor (t=2, m=19 MiB)
/// so logins stay fast. Client and server share the test's thread: every helper that waits
/// for the server spins the event loop.
///
/// Typical use:
/// \code
///     ServerFixture f(QStringLiteral("auth"));
///     if (!f.isValid()) QSKIP(TestDatabase::skipReason());
///     QVERIFY2(f.start(), qPrintable(f.errorString()));
///     f.createHospital("alpha", "Alpha");
///     f.createUser("alpha", "nurse", Role::Nurse, password);
///     const QJsonObject tokens = f.login("alpha", "nurse", password);
///     QCOMPARE(f.request("GET", "/api/v1/auth/me", accessTokenOf(tokens)).status, 200);
/// \endcode
class ServerFixture
{
public:
    /// Creates the database `hms_test_<prefix>_<random>` (nothing when isValid() is false).
    explicit ServerFixture(const QString &prefix);
    ~ServerFixture();

    ServerFixture(const ServerFixture &) = delete;
    ServerFixture &operator=(const ServerFixture &) = delete;

    /// False when HMS_TEST_DATABASE_URL is unset: QSKIP(TestDatabase::skipReason()).
    bool isValid() const { return m_db.isValid(); }

    /// Starts the server. \a configure may change the ServerConfig (pool size, limits) and
    /// \a addRoutes may add test routes; both are kept and applied again by restart().
    bool start(std::function<void(hms::server::ServerConfig &)> configure = {},
               std::function<void(hms::server::Router &)> addRoutes = {});
    /// A new ServerApp on the same database and key file: in-memory state (login throttle,
    /// refresh grace cache) starts empty; tokens issued before stay valid.
    bool restart();
    void stop();

    QString errorString() const { return m_error; }

    quint16 port() const;

    hms::server::ServerApp *app() { return m_app.get(); }

    TestDatabase &database() { return m_db; }

    /// The HS256 key file the server signs with (for JwtKeyRing::loadOrCreate in tests).
    QString jwtKeyFile() const;

    /// libpq URL of the test database as the superuser (bypasses row-level security).
    std::string superuserUrl() const { return m_db.url(); }

    /// `SELECT count(*) ...` (or any query with one integer) as the superuser.
    qint64 count(const std::string &sql) const;

    /// A hospital, as `hms-admin hospital add` makes it (with its audit row). 0 on failure.
    qint64 createHospital(const QString &code, const QString &name);
    /// \a count patients straight into the table (as the superuser) to keep tests fast;
    /// registration itself is tested in integration.Patients. Named "<tag> Patient <n>" with
    /// MRN "<first letter of tag>-2026-<n>-0" for n = firstSerial ... (unique per tag).
    /// Their ids, in order.
    QStringList insertPatients(qint64 hospitalId, const QString &tag, int firstSerial, int count);
    /// A user through the product's UserRepository, password policy and PasswordHasher at
    /// the server's floor cost, with the same `user.create` audit row as hms-admin.
    /// 0 (and a warning) on failure.
    qint64 createUser(const QString &hospitalCode,
                      const QString &username,
                      hms::Role role,
                      const QString &password);

    /// POST /auth/login; the body on 200, an empty object (and a warning) otherwise.
    QJsonObject login(const QString &hospital, const QString &username, const QString &password);

    /// One request on a fresh connection (see httpRequest()). status 0 when no answer came.
    RawResponse request(const QByteArray &method,
                        const QByteArray &path,
                        const QByteArray &token = {},
                        const QByteArray &body = {},
                        const QByteArray &contentType = "application/json");
    RawResponse request(const QByteArray &method,
                        const QByteArray &path,
                        const QByteArray &token,
                        const QJsonObject &body);

    /// The bytes of one request: Host, Content-Type (when there is a body), Content-Length
    /// and, when \a token is not empty, Authorization: Bearer.
    static QByteArray httpRequest(const QByteArray &method,
                                  const QByteArray &path,
                                  const QByteArray &token = {},
                                  const QByteArray &body = {},
                                  const QByteArray &contentType = "application/json");

private:
    TestDatabase m_db;
    QTemporaryDir m_keyDir;
    std::function<void(hms::server::ServerConfig &)> m_configure;
    std::function<void(hms::server::Router &)> m_addRoutes;
    std::unique_ptr<hms::server::ServerApp> m_app;
    QString m_error;
};

/// accessToken / refreshToken of a login or refresh body, as bytes for request().
QByteArray accessTokenOf(const QJsonObject &tokens);
QByteArray refreshTokenOf(const QJsonObject &tokens);

/// ServerFixture::httpRequest() plus \a extraHeaders lines ("Name: value\r\n...").
QByteArray requestWith(const QByteArray &method,
                       const QByteArray &path,
                       const QByteArray &token,
                       const QByteArray &body,
                       const QByteArray &extraHeaders = {});

/// \a pathTemplate with its {id} replaced by \a id.
QByteArray withId(const char *pathTemplate, const QString &id);

/// \a object as compact JSON bytes, for request bodies.
QByteArray jsonBytes(const QJsonObject &object);

/// The `field` of each entry of a problem+json body's `errors`, in order.
QStringList problemFields(const QJsonObject &problem);

/// {"refreshToken": token} as JSON bytes.
QByteArray refreshBody(const QByteArray &refreshToken);

} // namespace hms::test
