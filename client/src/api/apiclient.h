#pragma once

#include "shared/core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace hms::client {

/// Client-side problem types (never sent by the server): the request got no HTTP answer.
inline constexpr char NetworkErrorType[] = "client-network-error";
inline constexpr char TlsErrorType[] = "client-tls-error";

/// Asynchronous REST client over QNetworkAccessManager. Every call returns at once; its
/// callback runs later on the UI thread, and only while the \a context object still lives.
/// Authenticated calls carry `Authorization: Bearer`; a 401 asks the refresh handler once and
/// retries. TLS errors are reported, never ignored. Lives on the UI thread.
class ApiClient : public QObject
{
    Q_OBJECT

public:
    enum class ConnectionState { Offline, Reconnecting, Online };
    Q_ENUM(ConnectionState)

    using JsonCallback = std::function<void(const Result<QJsonObject> &)>;
    /// Refreshes the access token and calls `done(true)` when a new one is set.
    using RefreshHandler = std::function<void(std::function<void(bool)> done)>;

    explicit ApiClient(QObject *parent = nullptr);
    ~ApiClient() override;

    void setBaseUrl(const QUrl &baseUrl);

    QUrl baseUrl() const { return m_baseUrl; }

    void setAccessToken(const QByteArray &token) { m_accessToken = token; }

    void setRefreshHandler(RefreshHandler handler) { m_refreshHandler = std::move(handler); }

    /// Authenticated GET/POST of \a path (e.g. hms::api::AuthMe).
    void get(const QString &path, QObject *context, JsonCallback callback);
    void
    post(const QString &path, const QJsonObject &body, QObject *context, JsonCallback callback);
    /// Extra request headers, e.g. {"Idempotency-Key", key} or {"If-Match", etag}.
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    /// Authenticated request of any method with a query and extra headers; \a body is sent
    /// (as JSON) unless it is std::nullopt.
    void request(const QByteArray &method,
                 const QString &path,
                 const QUrlQuery &query,
                 const std::optional<QJsonObject> &body,
                 const Headers &headers,
                 QObject *context,
                 JsonCallback callback);
    /// Authenticated GET with query parameters.
    void get(const QString &path, const QUrlQuery &query, QObject *context, JsonCallback callback);

    /// Adds the CA certificates of the PEM file \a path to those this process trusts for TLS
    /// (the system's stay trusted): a hospital CA. Applies to REST and the live connection
    /// alike. False with \a error (for people) when the file holds no valid certificate.
    static bool trustCaCertificates(const QString &path, QString *error = nullptr);

    /// True when \a problem says the request got no HTTP answer (server unreachable).
    static bool isUnreachable(const Problem &problem);

    /// \a pathTemplate with "{id}" replaced, e.g. pathWithId(api::Patient, "42").
    static QString pathWithId(const char *pathTemplate, const QString &id);

    /// POST without a token and without the 401 retry (login, refresh).
    void postAnonymous(const QString &path,
                       const QJsonObject &body,
                       QObject *context,
                       JsonCallback callback);

    ConnectionState connectionState() const { return m_state; }

Q_SIGNALS:
    void connectionStateChanged(hms::client::ApiClient::ConnectionState state);

private:
    struct Call
    {
        QByteArray method;
        QString path;
        QJsonObject body;
        bool hasBody = false;
        QUrlQuery query;
        Headers headers;
        bool authenticated = true;
        bool retried = false;
        QPointer<QObject> context;
        JsonCallback callback;
    };

    void send(Call call);
    void onFinished(QNetworkReply *reply, Call call);
    void deliver(const Call &call, const Result<QJsonObject> &result);
    void setState(ConnectionState state);
    void noteReachable();
    void noteUnreachable();
    void probe();

    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_probeTimer = nullptr;
    QUrl m_baseUrl;
    QByteArray m_accessToken;
    RefreshHandler m_refreshHandler;
    ConnectionState m_state = ConnectionState::Offline;
    int m_failedProbes = 0;
};

} // namespace hms::client
