#include "auth/session.h"

#include "api/apiclient.h"
#include "shared/protocol/apipaths.h"

#include <QLoggingCategory>
#include <QTimer>

#include <algorithm>

namespace hms::client {

static Q_LOGGING_CATEGORY(lcClientSession, "hms.client.session", QtInfoMsg)

    namespace
{
    /// Refresh this long before the access token expires.
    constexpr int RefreshMarginSeconds = 60;
    constexpr int MinimumRefreshSeconds = 5;

    QJsonObject refreshBody(const QByteArray &refreshToken)
    {
        return QJsonObject{{QStringLiteral("refreshToken"), QString::fromUtf8(refreshToken)}};
    }

} // namespace

Session::Session(ApiClient &api, QObject *parent)
    : QObject(parent)
    , m_api(api)
    , m_refreshTimer(new QTimer(this))
{
    m_refreshTimer->setSingleShot(true);
    connect(m_refreshTimer, &QTimer::timeout, this, [this]() {
        refresh();
    });
    m_api.setRefreshHandler([this](std::function<void(bool)> done) {
        if (!isActive()) {
            done(false);
            return;
        }
        refresh(std::move(done));
    });
}

void Session::start(const Tokens &tokens)
{
    adopt(tokens);
    qCInfo(lcClientSession) << "signed in as" << tokens.user.username << "role"
                            << tokens.user.roleName;
    Q_EMIT started();
}

void Session::resume(const QByteArray &refreshToken, std::function<void(const Result<> &)> done)
{
    m_api.postAnonymous(QLatin1String(hms::api::AuthRefresh), refreshBody(refreshToken), this,
                        [this, done = std::move(done)](const Result<QJsonObject> &answer) {
                            if (!answer) {
                                done(answer.problem());
                                return;
                            }
                            Result<Tokens> tokens = tokensFromJson(answer.value());
                            if (!tokens) {
                                done(tokens.problem());
                                return;
                            }
                            start(tokens.value());
                            done(Unit{});
                        });
}

void Session::refresh(std::function<void(bool)> done)
{
    if (done)
        m_waiting.append(std::move(done));
    if (m_refreshing)
        return;
    m_refreshing = true;
    m_api.postAnonymous(QLatin1String(hms::api::AuthRefresh), refreshBody(m_tokens.refreshToken),
                        this, [this](const Result<QJsonObject> &answer) {
                            m_refreshing = false;
                            const QList<std::function<void(bool)>> waiting =
                                std::exchange(m_waiting, {});
                            Result<Tokens> tokens = answer ? tokensFromJson(answer.value())
                                                           : Result<Tokens>(answer.problem());
                            if (tokens) {
                                adopt(tokens.value());
                                qCInfo(lcClientSession) << "tokens refreshed";
                                Q_EMIT tokensRefreshed();
                            } else if (tokens.problem().status == 0) {
                                // No answer: keep the session and try again soon; the API layer
                                // shows the connection state.
                                m_refreshTimer->start(MinimumRefreshSeconds * 1000);
                            } else {
                                qCWarning(lcClientSession)
                                    << "refresh refused:" << tokens.problem().status
                                    << tokens.problem().type;
                                clear();
                                Q_EMIT ended(EndReason::Expired);
                            }
                            for (const std::function<void(bool)> &callback : waiting)
                                callback(tokens.isOk());
                        });
}

void Session::logout()
{
    if (!isActive())
        return;
    // The request carries the current token; the answer does not matter to the user.
    m_api.post(QLatin1String(hms::api::AuthLogout), {}, this, [](const Result<QJsonObject> &) {});
    clear();
    qCInfo(lcClientSession) << "signed out";
    Q_EMIT ended(EndReason::LoggedOut);
}

void Session::adopt(const Tokens &tokens)
{
    m_tokens = tokens;
    m_api.setAccessToken(tokens.accessToken);
    const int seconds = std::max(MinimumRefreshSeconds, tokens.expiresIn - RefreshMarginSeconds);
    m_refreshTimer->start(seconds * 1000);
}

void Session::clear()
{
    m_refreshTimer->stop();
    m_tokens = Tokens();
    m_api.setAccessToken({}); // requests already sent keep the token they were built with
}

} // namespace hms::client
