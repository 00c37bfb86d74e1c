#pragma once

#include "api/apitypes.h"

#include <QObject>
#include <QUrl>

namespace hms::client {

class ApiClient;
class CredentialStore;
class LoginView;
class Session;

/// Drives the sign-in: validates the form, calls POST /auth/login asynchronously, shows
/// problem+json field errors next to their fields, starts the Session, and keeps the refresh
/// token in the keychain when "remember me" is on (never on disk otherwise). All
/// collaborators are borrowed and must outlive the controller.
class LoginController : public QObject
{
    Q_OBJECT

public:
    LoginController(LoginView &view,
                    ApiClient &api,
                    Session &session,
                    CredentialStore &store,
                    QObject *parent = nullptr);

    /// Fills the form from the last sign-in (no secrets) and, when it was remembered, tries to
    /// resume the session with the keychain's refresh token. Any failure leaves a clean login
    /// prompt.
    void restore();

    /// Signs in with what the form holds (the button does the same).
    void signIn();

Q_SIGNALS:
    /// After a sign-in with "remember me": whether the keychain kept the refresh token, and a
    /// sentence for the user.
    void rememberFinished(bool remembered, const QString &message);

private:
    void onLoginAnswered(const Result<QJsonObject> &answer);
    void onTokensRefreshed();
    void onSessionEnded(int reason);
    void showProblem(const Problem &problem);
    void saveForm() const;
    QString currentKey() const;

    LoginView &m_view;
    ApiClient &m_api;
    Session &m_session;
    CredentialStore &m_store;
    bool m_remember = false;
    QUrl m_server;
    QString m_hospital;
    QString m_username;
};

} // namespace hms::client
