#pragma once

#include "app/navigation.h"

#include <QHash>
#include <QMainWindow>

class QAction;
class QLabel;
class QListView;
class QMenu;
class QStackedWidget;

namespace hms::client {

class ApiClient;
class CredentialStore;
class LiveConnection;
class Outbox;
class LoginController;
class LoginView;
class NavigationModel;
class Session;

/// The one window of hms-client: the sign-in page, then the shell (navigation of the
/// role's screens, status bar with connection state, user, role and hospital). Owns the
/// API client, session, keychain wrapper and controllers as QObject children.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// \a defaultServerUrl fills the server field when no earlier sign-in is remembered.
    explicit MainWindow(const QString &defaultServerUrl, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Restores the last sign-in form and resumes a remembered session (asynchronously).
    void start();
    /// Fills the form and signs in (used by --login-as for screenshots).
    void signInWith(const QString &server,
                    const QString &hospital,
                    const QString &username,
                    const QString &password);

    bool isSignedIn() const;
    /// The titles of the navigation entries, in order.
    QStringList navigationEntries() const;
    /// Shows \a screen when the role has it; false otherwise.
    bool showScreen(Screen screen);

    QString connectionStateText() const;
    QString userText() const;
    QString roleText() const;
    QString hospitalText() const;
    QString noticeText() const;

    LoginView *loginView() const { return m_loginView; }

    Session &session() const { return *m_session; }

    ApiClient &api() const { return *m_api; }

    LiveConnection &live() const { return *m_live; }

    Outbox &outbox() const { return *m_outbox; }

    /// The page of \a screen, nullptr when the role has no such screen.
    QWidget *screenWidget(Screen screen) const { return m_screenPages.value(int(screen)); }

    /// "3 waiting to be sent" in the status bar (empty when the outbox is empty).
    QString pendingText() const;

Q_SIGNALS:
    /// The shell is up for a signed-in user.
    void shellShown();

private:
    QWidget *createShell();
    void onSessionStarted();
    void onSessionEnded();
    /// The language chosen in the login view: remembered, applied at once (the login view
    /// and this window's menus retranslate; the screens are built at sign-in, in it).
    void onLanguageChosen(const QString &code);
    /// The texts of the menus and the signed-out title in the current language.
    void retranslateChrome();
    void onConnectionStateChanged();
    void onNavigationActivated();
    void rebuildScreens();
    QWidget *createScreen(Screen screen);
    void updatePending();
    bool screenCallsNext() const;
    void showNotice(const QString &text);

    ApiClient *m_api = nullptr;
    Session *m_session = nullptr;
    CredentialStore *m_store = nullptr;
    NavigationModel *m_navigationModel = nullptr;
    LoginView *m_loginView = nullptr;
    LoginController *m_loginController = nullptr;
    LiveConnection *m_live = nullptr;
    Outbox *m_outbox = nullptr;
    QString m_defaultServerUrl;

    QStackedWidget *m_pages = nullptr;
    QWidget *m_shell = nullptr;
    QLabel *m_notice = nullptr;
    QListView *m_navigation = nullptr;
    QStackedWidget *m_screens = nullptr;
    QHash<int, QWidget *> m_screenPages; ///< Screen -> page in m_screens
    QMenu *m_fileMenu = nullptr;
    QMenu *m_goMenu = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_signOutAction = nullptr;
    QAction *m_callNextAction = nullptr;

    QLabel *m_state = nullptr;
    QLabel *m_user = nullptr;
    QLabel *m_role = nullptr;
    QLabel *m_hospital = nullptr;
    QLabel *m_pending = nullptr;
};

} // namespace hms::client
