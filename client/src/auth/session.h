#pragma once

#include "api/apitypes.h"

#include <QObject>

#include <functional>

class QTimer;

namespace hms::client {

class ApiClient;

/// The signed-in session: tokens in memory only, a silent refresh shortly before the access
/// token expires, and logout. Installs itself as \a api's refresh handler; \a api is
/// borrowed and must outlive the session. Lives on the UI thread.
class Session : public QObject
{
    Q_OBJECT

public:
    enum class EndReason { LoggedOut, Expired };
    Q_ENUM(EndReason)

    explicit Session(ApiClient &api, QObject *parent = nullptr);

    bool isActive() const { return !m_tokens.accessToken.isEmpty(); }

    const SessionUser &user() const { return m_tokens.user; }

    QByteArray accessToken() const { return m_tokens.accessToken; }

    QByteArray refreshToken() const { return m_tokens.refreshToken; }

    /// Takes the tokens of a successful login and schedules the refresh.
    void start(const Tokens &tokens);
    /// Exchanges \a refreshToken (e.g. from the keychain) for a session; \a done gets the
    /// outcome. Does not emit ended() on failure: there was no session.
    void resume(const QByteArray &refreshToken, std::function<void(const Result<> &)> done);
    /// Rotates the tokens now; ends the session (Expired) when the server refuses.
    void refresh(std::function<void(bool)> done = {});
    /// Tells the server, then forgets the tokens whatever it answers.
    void logout();

Q_SIGNALS:
    void started();
    /// New tokens arrived; the refresh token has rotated.
    void tokensRefreshed();
    void ended(hms::client::Session::EndReason reason);

private:
    void adopt(const Tokens &tokens);
    void clear();

    ApiClient &m_api;
    QTimer *m_refreshTimer = nullptr;
    Tokens m_tokens;
    bool m_refreshing = false;
    QList<std::function<void(bool)>> m_waiting;
};

} // namespace hms::client
