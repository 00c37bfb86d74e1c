#include "screens/login/logincontroller.h"

#include "api/apiclient.h"
#include "auth/session.h"
#include "keychain/credentialstore.h"
#include "screens/login/loginview.h"
#include "shared/protocol/apipaths.h"

#include <QLoggingCategory>
#include <QSettings>

#include <optional>

namespace hms::client {

static Q_LOGGING_CATEGORY(lcClientLogin, "hms.client.login", QtInfoMsg)

    namespace
{
    const QString ServerKey = QStringLiteral("login/server");
    const QString HospitalKey = QStringLiteral("login/hospital");
    const QString UsernameKey = QStringLiteral("login/username");
    const QString RememberKey = QStringLiteral("login/remember");

    std::optional<LoginView::Field> fieldOf(const QString &name)
    {
        if (name == QLatin1String("hospital"))
            return LoginView::Field::Hospital;
        if (name == QLatin1String("username"))
            return LoginView::Field::Username;
        if (name == QLatin1String("password"))
            return LoginView::Field::Password;
        return std::nullopt;
    }

} // namespace

LoginController::LoginController(LoginView &view,
                                 ApiClient &api,
                                 Session &session,
                                 CredentialStore &store,
                                 QObject *parent)
    : QObject(parent)
    , m_view(view)
    , m_api(api)
    , m_session(session)
    , m_store(store)
{
    connect(&m_view, &LoginView::signInRequested, this, &LoginController::signIn);
    connect(&m_session, &Session::tokensRefreshed, this, &LoginController::onTokensRefreshed);
    connect(&m_session, &Session::ended, this, [this](Session::EndReason reason) {
        onSessionEnded(int(reason));
    });
}

void LoginController::restore()
{
    const QSettings settings;
    m_view.setServerUrl(settings.value(ServerKey).toString());
    m_view.setHospital(settings.value(HospitalKey).toString());
    m_view.setUsername(settings.value(UsernameKey).toString());
    const bool remembered = settings.value(RememberKey, false).toBool();
    m_view.setRememberMe(remembered);
    m_view.focusFirstEmptyField();
    if (!remembered || m_view.serverUrl().isEmpty() || m_view.username().isEmpty())
        return;

    m_server = QUrl(m_view.serverUrl(), QUrl::StrictMode);
    m_hospital = m_view.hospital();
    m_username = m_view.username();
    m_remember = true;
    m_view.setBusy(true);
    m_store.read(currentKey(), this, [this](const CredentialStore::Outcome &outcome) {
        if (outcome.status != CredentialStore::Status::Ok || outcome.secret.isEmpty()) {
            // qtkeychain#242: a secret can vanish with a backend change; just ask again.
            m_view.setBusy(false);
            m_remember = false;
            m_view.setNotice(tr("Your saved sign-in could not be read. Please sign in."));
            m_view.focusFirstEmptyField();
            return;
        }
        m_api.setBaseUrl(m_server);
        m_session.resume(outcome.secret.toUtf8(), [this](const Result<> &resumed) {
            m_view.setBusy(false);
            if (resumed) {
                // Resuming used the saved refresh token, and the server rotated it: keep the
                // keychain copy current, or the next start would present a spent token.
                onTokensRefreshed();
                return;
            }
            qCInfo(lcClientLogin) << "saved session not accepted:" << resumed.problem().status
                                  << resumed.problem().type;
            m_remember = false;
            if (resumed.problem().status != 0)
                m_store.remove(currentKey(), this, [](const CredentialStore::Outcome &) {});
            m_view.setNotice(tr("Your saved sign-in has expired. Please sign in."));
            m_view.focusField(LoginView::Field::Password);
        });
    });
}

void LoginController::signIn()
{
    m_view.clearErrors();
    m_view.setNotice({});
    std::optional<LoginView::Field> firstError;
    const auto fail = [&](LoginView::Field field, const QString &message) {
        m_view.setFieldError(field, message);
        if (!firstError)
            firstError = field;
    };

    const QUrl server(m_view.serverUrl(), QUrl::StrictMode);
    if (m_view.serverUrl().isEmpty())
        fail(LoginView::Field::Server, tr("Enter the server address."));
    else if (!server.isValid() || server.host().isEmpty()
             || (server.scheme() != QLatin1String("https")
                 && server.scheme() != QLatin1String("http")))
        fail(LoginView::Field::Server, tr("Use an address like https://hms.example.org:8443."));
    if (m_view.hospital().isEmpty())
        fail(LoginView::Field::Hospital, tr("Enter the hospital code."));
    if (m_view.username().isEmpty())
        fail(LoginView::Field::Username, tr("Enter your user name."));
    if (m_view.password().isEmpty())
        fail(LoginView::Field::Password, tr("Enter your password."));
    if (firstError) {
        m_view.focusField(*firstError);
        return;
    }

    m_server = server;
    m_hospital = m_view.hospital();
    m_username = m_view.username();
    m_remember = m_view.rememberMe();
    m_api.setBaseUrl(m_server);
    m_view.setBusy(true);
    const QJsonObject body{{QStringLiteral("hospital"), m_hospital},
                           {QStringLiteral("username"), m_username},
                           {QStringLiteral("password"), m_view.password()}};
    m_api.postAnonymous(QLatin1String(hms::api::AuthLogin), body, this,
                        [this](const Result<QJsonObject> &answer) {
                            onLoginAnswered(answer);
                        });
}

void LoginController::onLoginAnswered(const Result<QJsonObject> &answer)
{
    m_view.setBusy(false);
    m_view.clearPassword();
    Result<Tokens> tokens =
        answer ? tokensFromJson(answer.value()) : Result<Tokens>(answer.problem());
    if (!tokens) {
        showProblem(tokens.problem());
        return;
    }
    saveForm();
    const QByteArray refreshToken = tokens.value().refreshToken;
    m_session.start(tokens.value());
    if (!m_remember) {
        // A sign-in without "remember me" forgets an older remembered one.
        m_store.remove(currentKey(), this, [](const CredentialStore::Outcome &) {});
        return;
    }
    m_store.write(
        currentKey(), QString::fromUtf8(refreshToken), this,
        [this](const CredentialStore::Outcome &outcome) {
            switch (outcome.status) {
            case CredentialStore::Status::Ok:
                Q_EMIT rememberFinished(true,
                                        tr("You will stay signed in on this "
                                           "computer."));
                return;
            case CredentialStore::Status::NoBackend:
                m_remember = false;
                saveForm();
                Q_EMIT rememberFinished(false,
                                        tr("No keychain service is available on this computer, so "
                                           "your sign-in was not remembered. Nothing was saved."));
                return;
            case CredentialStore::Status::NotFound:
            case CredentialStore::Status::Failed:
                m_remember = false;
                saveForm();
                Q_EMIT rememberFinished(false,
                                        tr("The keychain refused to keep your sign-in, so it was "
                                           "not remembered. Nothing was saved. (%1)")
                                            .arg(outcome.errorString));
                return;
            }
        });
}

void LoginController::onTokensRefreshed()
{
    if (!m_remember)
        return;
    // The refresh token rotates: keep the keychain copy current.
    m_store.write(currentKey(), QString::fromUtf8(m_session.refreshToken()), this,
                  [](const CredentialStore::Outcome &) {});
}

void LoginController::onSessionEnded(int reason)
{
    if (!m_server.isEmpty())
        m_store.remove(currentKey(), this, [](const CredentialStore::Outcome &) {});
    m_remember = false;
    saveForm();
    m_view.clearPassword();
    m_view.clearErrors();
    if (Session::EndReason(reason) == Session::EndReason::Expired)
        m_view.setError(tr("Your session has ended. Please sign in again."));
    else
        m_view.setNotice(tr("You have signed out."));
    m_view.focusField(LoginView::Field::Password);
}

void LoginController::showProblem(const Problem &problem)
{
    qCInfo(lcClientLogin) << "sign-in failed:" << problem.status << problem.type;
    if (problem.type == QLatin1String(TlsErrorType)) {
        m_view.setError(tr("Secure connection refused: %1 Nothing was sent. (%2)")
                            .arg(problem.title, problem.detail));
        m_view.focusField(LoginView::Field::Server);
        return;
    }
    if (problem.type == QLatin1String(NetworkErrorType)) {
        m_view.setError(tr("Cannot reach the server at %1. (%2)")
                            .arg(m_server.toDisplayString(), problem.detail));
        m_view.focusField(LoginView::Field::Server);
        return;
    }
    switch (problem.status) {
    case 401:
        m_view.setError(tr("Sign-in failed: the hospital code, user name or password is "
                           "wrong."));
        m_view.focusField(LoginView::Field::Password);
        return;
    case 429:
        m_view.setError(tr("Too many sign-in attempts. Wait a minute and try again."));
        return;
    case 422:
    case 400: {
        bool shown = false;
        for (const FieldError &error : problem.errors) {
            if (const std::optional<LoginView::Field> field = fieldOf(error.field)) {
                m_view.setFieldError(*field, error.message);
                shown = true;
            }
        }
        m_view.setError(shown ? tr("Check the marked fields.") : problem.title);
        return;
    }
    case 503:
        m_view.setError(tr("The server is temporarily unavailable. Try again shortly."));
        return;
    default:
        m_view.setError(tr("Sign-in failed: %1").arg(problem.title));
        return;
    }
}

void LoginController::saveForm() const
{
    QSettings settings;
    settings.setValue(ServerKey, m_server.toString());
    settings.setValue(HospitalKey, m_hospital);
    settings.setValue(UsernameKey, m_username);
    settings.setValue(RememberKey, m_remember);
}

QString LoginController::currentKey() const
{
    return CredentialStore::keyFor(m_server, m_hospital, m_username);
}

} // namespace hms::client
