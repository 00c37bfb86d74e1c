#include "api/apiclient.h"

#include "shared/protocol/apipaths.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>

namespace hms::client {

static Q_LOGGING_CATEGORY(lcClientApi, "hms.client.api", QtInfoMsg)

    namespace
{
    constexpr char TlsErrorsProperty[] = "hmsTlsErrors";

    /// Why the handshake was refused, for people: the first that applies of an unknown issuer,
    /// an expired or not yet valid certificate, and another host name.
    QString tlsRefusal(const QList<int> &errors, const QString &host)
    {
        const auto has = [&errors](std::initializer_list<QSslError::SslError> kinds) {
            for (QSslError::SslError kind : kinds) {
                if (errors.contains(int(kind)))
                    return true;
            }
            return false;
        };
        using E = QSslError;
        if (has({E::UnableToGetIssuerCertificate, E::UnableToGetLocalIssuerCertificate,
                 E::SelfSignedCertificate, E::SelfSignedCertificateInChain, E::CertificateUntrusted,
                 E::UnableToVerifyFirstCertificate, E::CertificateRejected,
                 E::CertificateSignatureFailed}))
            return ApiClient::tr("The server's certificate is not trusted.");
        if (has({E::CertificateExpired}))
            return ApiClient::tr("The server's certificate has expired.");
        if (has({E::CertificateNotYetValid}))
            return ApiClient::tr("The server's certificate is not valid yet.");
        if (has({E::HostNameMismatch}))
            return ApiClient::tr("The server's certificate is not for %1: the host name does "
                                 "not match.")
                .arg(host);
        return ApiClient::tr("The server's certificate is not trusted.");
    }

    constexpr int TransferTimeoutMs = 15000;
    constexpr int ProbeIntervalMs = 3000;
    constexpr int ProbesBeforeOffline = 3;

    Problem clientProblem(const char *type, const QString &title, const QString &detail)
    {
        Problem problem;
        problem.type = QLatin1String(type);
        problem.status = 0;
        problem.title = title;
        problem.detail = detail;
        return problem;
    }

} // namespace

ApiClient::ApiClient(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
    , m_probeTimer(new QTimer(this))
{
    m_network->setStrictTransportSecurityEnabled(true);
    m_probeTimer->setInterval(ProbeIntervalMs);
    connect(m_probeTimer, &QTimer::timeout, this, &ApiClient::probe);
}

ApiClient::~ApiClient() = default;

void ApiClient::setBaseUrl(const QUrl &baseUrl)
{
    if (baseUrl == m_baseUrl)
        return;
    m_baseUrl = baseUrl;
    m_probeTimer->stop();
    m_failedProbes = 0;
    setState(ConnectionState::Offline);
}

void ApiClient::get(const QString &path, QObject *context, JsonCallback callback)
{
    request("GET", path, {}, std::nullopt, {}, context, std::move(callback));
}

void ApiClient::get(const QString &path,
                    const QUrlQuery &query,
                    QObject *context,
                    JsonCallback callback)
{
    request("GET", path, query, std::nullopt, {}, context, std::move(callback));
}

void ApiClient::post(const QString &path,
                     const QJsonObject &body,
                     QObject *context,
                     JsonCallback callback)
{
    request("POST", path, {}, body, {}, context, std::move(callback));
}

void ApiClient::request(const QByteArray &method,
                        const QString &path,
                        const QUrlQuery &query,
                        const std::optional<QJsonObject> &body,
                        const Headers &headers,
                        QObject *context,
                        JsonCallback callback)
{
    Call call;
    call.method = method;
    call.path = path;
    call.body = body.value_or(QJsonObject());
    call.hasBody = body.has_value();
    call.query = query;
    call.headers = headers;
    call.context = context;
    call.callback = std::move(callback);
    send(std::move(call));
}

void ApiClient::postAnonymous(const QString &path,
                              const QJsonObject &body,
                              QObject *context,
                              JsonCallback callback)
{
    Call call;
    call.method = "POST";
    call.path = path;
    call.body = body;
    call.hasBody = true;
    call.authenticated = false;
    call.context = context;
    call.callback = std::move(callback);
    send(std::move(call));
}

bool ApiClient::trustCaCertificates(const QString &path, QString *error)
{
    const QList<QSslCertificate> certificates =
        QSslCertificate::fromPath(path, QSsl::Pem, QSslCertificate::PatternSyntax::FixedString);
    QList<QSslCertificate> usable;
    for (const QSslCertificate &certificate : certificates) {
        if (!certificate.isNull())
            usable.append(certificate);
    }
    if (usable.isEmpty()) {
        if (error)
            *error = tr("%1 holds no PEM certificate.").arg(path);
        return false;
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.addCaCertificates(usable);
    QSslConfiguration::setDefaultConfiguration(configuration);
    qCInfo(lcClientApi) << "trusting" << usable.size() << "CA certificate(s) from" << path;
    return true;
}

bool ApiClient::isUnreachable(const Problem &problem)
{
    return problem.status == 0 && problem.type == QLatin1String(NetworkErrorType);
}

QString ApiClient::pathWithId(const char *pathTemplate, const QString &id)
{
    QString path = QLatin1String(pathTemplate);
    path.replace(QLatin1String("{id}"), id);
    return path;
}

void ApiClient::send(Call call)
{
    QUrl url = m_baseUrl;
    url.setPath(call.path);
    if (!call.query.isEmpty())
        url.setQuery(call.query);
    QNetworkRequest request(url);
    request.setTransferTimeout(TransferTimeoutMs);
    request.setRawHeader("Accept", "application/json, application/problem+json");
    if (call.authenticated && !m_accessToken.isEmpty())
        request.setRawHeader("Authorization", QByteArray("Bearer ") + m_accessToken);
    for (const auto &[name, value] : std::as_const(call.headers))
        request.setRawHeader(name, value);
    QByteArray payload;
    if (call.hasBody) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        payload = QJsonDocument(call.body).toJson(QJsonDocument::Compact);
    }
    QNetworkReply *reply = m_network->sendCustomRequest(request, call.method, payload);
    // TLS errors end the request (they are never ignored); they are logged here and
    // shown to the user through the callback.
    connect(reply, &QNetworkReply::sslErrors, this,
            [reply, method = call.method, path = call.path](const QList<QSslError> &errors) {
                QList<int> kinds;
                for (const QSslError &error : errors) {
                    qCWarning(lcClientApi) << method << path << "TLS error:" << error.errorString();
                    kinds.append(int(error.error()));
                }
                reply->setProperty(TlsErrorsProperty, QVariant::fromValue(kinds));
            });
    connect(reply, &QNetworkReply::finished, this, [this, reply, call = std::move(call)]() {
        onFinished(reply, call);
    });
}

void ApiClient::onFinished(QNetworkReply *reply, Call call)
{
    reply->deleteLater();
    const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusAttribute.isValid()) {
        const QNetworkReply::NetworkError error = reply->error();
        qCWarning(lcClientApi) << call.method << call.path << "no answer:" << error;
        if (error == QNetworkReply::SslHandshakeFailedError) {
            // TLS failures are not "offline": the server answered with a certificate we refuse.
            deliver(call,
                    clientProblem(TlsErrorType,
                                  tlsRefusal(reply->property(TlsErrorsProperty).value<QList<int>>(),
                                             reply->url().host()),
                                  reply->errorString()));
            return;
        }
        noteUnreachable();
        deliver(call,
                clientProblem(NetworkErrorType, tr("The server cannot be reached."),
                              reply->errorString()));
        return;
    }
    noteReachable();
    const int status = statusAttribute.toInt();
    const QByteArray bytes = reply->readAll();
    QJsonParseError parseError{};
    const QJsonDocument document = bytes.isEmpty() ? QJsonDocument(QJsonObject())
                                                   : QJsonDocument::fromJson(bytes, &parseError);
    if (status == 401 && call.authenticated && !call.retried && m_refreshHandler) {
        qCInfo(lcClientApi) << call.method << call.path << "401; refreshing the token once";
        call.retried = true;
        m_refreshHandler([this, call = std::move(call)](bool refreshed) mutable {
            if (refreshed) {
                send(std::move(call));
            } else {
                deliver(call, Problem::fromType(problems::Unauthenticated));
            }
        });
        return;
    }
    if (status >= 200 && status < 300) {
        if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
            qCWarning(lcClientApi) << call.method << call.path << status << "unparsable body";
            deliver(call,
                    Problem::fromType(problems::MalformedJson,
                                      QStringLiteral("unparsable server answer")));
            return;
        }
        deliver(call, document.object());
        return;
    }
    Problem problem = document.isObject() ? Problem::fromJson(document.object()) : Problem();
    if (document.isObject()) {
        // Extension members (e.g. "candidates" of a possible duplicate) for the screens.
        static const QStringList standard = {QStringLiteral("type"),   QStringLiteral("status"),
                                             QStringLiteral("title"),  QStringLiteral("detail"),
                                             QStringLiteral("errors"), QStringLiteral("instance")};
        const QJsonObject object = document.object();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!standard.contains(it.key()))
                problem.extensions.insert(it.key(), it.value());
        }
    }
    problem.status = status;
    if (problem.title.isEmpty())
        problem.title = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    qCWarning(lcClientApi) << call.method << call.path << status << problem.type;
    deliver(call, problem);
}

void ApiClient::deliver(const Call &call, const Result<QJsonObject> &result)
{
    if (call.context && call.callback)
        call.callback(result);
}

void ApiClient::setState(ConnectionState state)
{
    if (state == m_state)
        return;
    m_state = state;
    qCInfo(lcClientApi) << "connection state" << state;
    Q_EMIT connectionStateChanged(state);
}

void ApiClient::noteReachable()
{
    m_failedProbes = 0;
    m_probeTimer->stop();
    setState(ConnectionState::Online);
}

void ApiClient::noteUnreachable()
{
    if (m_state == ConnectionState::Online)
        setState(ConnectionState::Reconnecting);
    if (!m_probeTimer->isActive() && m_baseUrl.isValid())
        m_probeTimer->start();
}

void ApiClient::probe()
{
    ++m_failedProbes;
    if (m_failedProbes > ProbesBeforeOffline)
        setState(ConnectionState::Offline);
    // The health answer itself (any HTTP status) marks the server reachable in onFinished().
    Call call;
    call.method = "GET";
    call.path = QLatin1String(hms::api::Health);
    call.authenticated = false;
    call.context = this;
    send(std::move(call));
}

} // namespace hms::client
