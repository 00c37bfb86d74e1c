#include "app/mainwindow.h"

#include "api/apiclient.h"
#include "app/language.h"
#include "auth/session.h"
#include "keychain/credentialstore.h"
#include "live/liveconnection.h"
#include "models/navigationmodel.h"
#include "outbox/outbox.h"
#include "screens/admin/auditscreen.h"
#include "screens/admin/usersscreen.h"
#include "screens/login/logincontroller.h"
#include "screens/login/loginview.h"
#include "screens/nurse/bedboardscreen.h"
#include "screens/nurse/duemedicationsscreen.h"
#include "screens/nurse/vitalsscreen.h"
#include "screens/placeholder/placeholderscreen.h"
#include "screens/reception/admissionscreen.h"
#include "screens/reception/appointmentsscreen.h"
#include "screens/reception/patientsscreen.h"
#include "screens/reception/queuescreen.h"
#include "screens/reception/registerscreen.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMenuBar>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace hms::client {

namespace {

QLabel *plainLabel(const QString &accessibleName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText); // SECURITY I4: server data is never rich text
    label->setAccessibleName(accessibleName);
    return label;
}

} // namespace

MainWindow::MainWindow(const QString &defaultServerUrl, QWidget *parent)
    : QMainWindow(parent)
    , m_api(new ApiClient(this))
    , m_session(new Session(*m_api, this))
    , m_store(new CredentialStore(this))
    , m_navigationModel(new NavigationModel(this))
    , m_defaultServerUrl(defaultServerUrl)
{
    m_live = new LiveConnection(
        [this]() {
            return m_session->accessToken();
        },
        this);
    m_outbox = new Outbox(*m_api, QString(), this);
    setWindowTitle(tr("HMS"));

    m_pages = new QStackedWidget(this);
    m_loginView = new LoginView(m_pages);
    m_loginView->setObjectName(QStringLiteral("loginView"));
    m_shell = createShell();
    m_pages->addWidget(m_loginView);
    m_pages->addWidget(m_shell);
    setCentralWidget(m_pages);
    m_loginController = new LoginController(*m_loginView, *m_api, *m_session, *m_store, this);

    m_fileMenu = menuBar()->addMenu(QString());
    m_signOutAction = m_fileMenu->addAction(QString());
    m_signOutAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Q));
    m_signOutAction->setEnabled(false);
    connect(m_signOutAction, &QAction::triggered, m_session, &Session::logout);
    m_fileMenu->addSeparator();
    m_quitAction = m_fileMenu->addAction(QString());
    m_quitAction->setShortcut(QKeySequence::Quit);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);
    m_goMenu = menuBar()->addMenu(QString());
    m_goMenu->setEnabled(false);
    connect(m_loginView, &LoginView::languageChosen, this, &MainWindow::onLanguageChosen);

    m_state = plainLabel(tr("Connection state"), this);
    m_user = plainLabel(tr("Signed-in user"), this);
    m_role = plainLabel(tr("Role"), this);
    m_hospital = plainLabel(tr("Hospital"), this);
    m_pending = plainLabel(tr("Waiting to be sent"), this);
    m_pending->setObjectName(QStringLiteral("pendingLabel"));
    m_pending->setVisible(false);
    for (QLabel *label : {m_pending, m_user, m_role, m_hospital, m_state})
        statusBar()->addPermanentWidget(label);
    connect(m_live, &LiveConnection::stateChanged, this, &MainWindow::onConnectionStateChanged);
    // The live stream coming back is also news for the outbox: the server answers again.
    connect(m_live, &LiveConnection::stateChanged, m_outbox, [this](LiveConnection::State state) {
        if (state == LiveConnection::State::Online)
            m_outbox->replay();
    });
    connect(m_session, &Session::tokensRefreshed, this, [this]() {
        m_live->renewToken(m_session->accessToken());
    });
    connect(m_outbox, &Outbox::changed, this, &MainWindow::updatePending);

    connect(m_session, &Session::started, this, &MainWindow::onSessionStarted);
    connect(m_session, &Session::ended, this, &MainWindow::onSessionEnded);
    connect(m_api, &ApiClient::connectionStateChanged, this, &MainWindow::onConnectionStateChanged);
    connect(m_loginController, &LoginController::rememberFinished, this,
            [this](bool, const QString &message) {
                m_notice->setText(message);
                m_notice->setVisible(!message.isEmpty());
            });

    onConnectionStateChanged();
    onSessionEnded();
    resize(1024, 680);
}

MainWindow::~MainWindow()
{
    // The screens first: they borrow the live connection and the outbox (ClientContext).
    delete m_pages;
}

QWidget *MainWindow::createShell()
{
    auto *shell = new QWidget(m_pages);
    shell->setObjectName(QStringLiteral("shell"));
    auto *layout = new QVBoxLayout(shell);
    m_notice = plainLabel(tr("Notice"), shell);
    m_notice->setObjectName(QStringLiteral("shellNotice"));
    m_notice->setWordWrap(true);
    m_notice->setFrameShape(QFrame::StyledPanel);
    m_notice->setVisible(false);
    layout->addWidget(m_notice);

    auto *row = new QHBoxLayout;
    m_navigation = new QListView(shell);
    m_navigation->setObjectName(QStringLiteral("navigation"));
    m_navigation->setAccessibleName(tr("Navigation"));
    m_navigation->setModel(m_navigationModel);
    m_navigation->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_navigation->setFixedWidth(200);
    m_navigation->setSpacing(2);
    connect(m_navigation->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::onNavigationActivated);
    m_screens = new QStackedWidget(shell);
    m_screens->setObjectName(QStringLiteral("screens"));
    row->addWidget(m_navigation);
    row->addWidget(m_screens, 1);
    layout->addLayout(row, 1);
    return shell;
}

void MainWindow::start()
{
    m_loginController->restore();
    if (m_loginView->serverUrl().isEmpty())
        m_loginView->setServerUrl(m_defaultServerUrl);
    m_loginView->focusFirstEmptyField();
}

void MainWindow::signInWith(const QString &server,
                            const QString &hospital,
                            const QString &username,
                            const QString &password)
{
    m_loginView->setServerUrl(server);
    m_loginView->setHospital(hospital);
    m_loginView->setUsername(username);
    m_loginView->setPassword(password);
    m_loginController->signIn();
}

bool MainWindow::isSignedIn() const
{
    return m_pages->currentWidget() == m_shell;
}

QStringList MainWindow::navigationEntries() const
{
    QStringList titles;
    for (int row = 0; row < m_navigationModel->rowCount(); ++row)
        titles.append(m_navigationModel->index(row).data().toString());
    return titles;
}

bool MainWindow::showScreen(Screen screen)
{
    const int row = m_navigationModel->rowOf(screen);
    if (row < 0)
        return false;
    m_navigation->setCurrentIndex(m_navigationModel->index(row));
    return true;
}

QString MainWindow::connectionStateText() const
{
    return m_state->text();
}

QString MainWindow::userText() const
{
    return m_user->text();
}

QString MainWindow::roleText() const
{
    return m_role->text();
}

QString MainWindow::hospitalText() const
{
    return m_hospital->text();
}

QString MainWindow::noticeText() const
{
    return m_notice->isVisibleTo(m_shell) ? m_notice->text() : QString();
}

void MainWindow::onSessionStarted()
{
    const SessionUser &user = m_session->user();
    const std::optional<hms::Role> role = user.role();
    m_navigationModel->setRole(role);
    rebuildScreens();
    m_user->setText(user.displayName.isEmpty()
                        ? user.username
                        : tr("%1 (%2)").arg(user.displayName, user.username));
    m_role->setText(role ? roleTitle(*role) : user.roleName);
    m_hospital->setText(tr("Hospital: %1").arg(user.hospital));
    for (QLabel *label : {m_user, m_role, m_hospital})
        label->setVisible(true);
    m_notice->clear();
    m_notice->setVisible(false);
    m_live->start(m_api->baseUrl());
    m_outbox->setOwner(m_api->baseUrl().toString(), user.hospital, user.username);
    if (!m_outbox->isOpen())
        showNotice(tr("The offline outbox cannot be used (%1): without the server, nothing "
                      "can be kept.")
                       .arg(m_outbox->errorString()));
    m_signOutAction->setEnabled(true);
    m_goMenu->setEnabled(true);
    m_pages->setCurrentWidget(m_shell);
    if (m_navigationModel->rowCount() > 0)
        m_navigation->setCurrentIndex(m_navigationModel->index(0));
    m_navigation->setFocus(Qt::OtherFocusReason);
    setWindowTitle(tr("HMS — %1").arg(user.hospital));
    Q_EMIT shellShown();
}

void MainWindow::onSessionEnded()
{
    m_live->stop();
    m_outbox->setOwner({}, {}, {});
    m_navigationModel->setRole(std::nullopt);
    rebuildScreens();
    for (QLabel *label : {m_user, m_role, m_hospital}) {
        label->clear();
        label->setVisible(false);
    }
    m_notice->clear();
    m_notice->setVisible(false);
    m_signOutAction->setEnabled(false);
    m_goMenu->setEnabled(false);
    m_pages->setCurrentWidget(m_loginView);
    retranslateChrome();
}

void MainWindow::onLanguageChosen(const QString &code)
{
    language::save(code);
    if (!language::apply(code))
        return;
    retranslateChrome();
    onConnectionStateChanged();
}

void MainWindow::retranslateChrome()
{
    m_fileMenu->setTitle(tr("&File"));
    m_signOutAction->setText(tr("Sign &out"));
    m_quitAction->setText(tr("&Quit"));
    m_goMenu->setTitle(tr("&Go"));
    if (!isSignedIn())
        setWindowTitle(tr("HMS — Sign in"));
}

void MainWindow::onConnectionStateChanged()
{
    switch (m_api->connectionState()) {
    case ApiClient::ConnectionState::Online:
        // The REST side answers; a dropped live stream is still "reconnecting".
        m_state->setText(m_live->state() == LiveConnection::State::Reconnecting ? tr("reconnecting")
                                                                                : tr("online"));
        break;
    case ApiClient::ConnectionState::Reconnecting:
        m_state->setText(tr("reconnecting"));
        break;
    case ApiClient::ConnectionState::Offline:
        m_state->setText(tr("offline"));
        break;
    }
}

void MainWindow::onNavigationActivated()
{
    const QModelIndex current = m_navigation->currentIndex();
    if (!current.isValid())
        return;
    if (QWidget *page = m_screenPages.value(int(m_navigationModel->screenAt(current.row()))))
        m_screens->setCurrentWidget(page);
}

void MainWindow::rebuildScreens()
{
    for (QWidget *page : std::as_const(m_screenPages)) {
        m_screens->removeWidget(page);
        page->deleteLater();
    }
    m_screenPages.clear();
    m_goMenu->clear();
    m_callNextAction = nullptr;

    const QList<Screen> screens = m_navigationModel->screens();
    for (Screen screen : screens) {
        QWidget *page = createScreen(screen);
        m_screens->addWidget(page);
        m_screenPages.insert(int(screen), page);

        QAction *go = m_goMenu->addAction(screenTitle(screen));
        for (const ScreenEntry &entry : screenTable()) {
            if (entry.screen == screen)
                go->setShortcut(entry.shortcut);
        }
        connect(go, &QAction::triggered, this, [this, screen]() {
            showScreen(screen);
            if (auto *patients = qobject_cast<PatientsScreen *>(screenWidget(screen)))
                patients->focusSearch();
            if (auto *registration = qobject_cast<RegisterScreen *>(screenWidget(screen)))
                registration->focusFirstField();
        });
    }
    if (screens.contains(Screen::Queue)) {
        m_goMenu->addSeparator();
        m_callNextAction = m_goMenu->addAction(tr("&Call next patient"));
        m_callNextAction->setShortcut(callNextShortcut());
        m_callNextAction->setEnabled(screenCallsNext());
        connect(m_callNextAction, &QAction::triggered, this, [this]() {
            showScreen(Screen::Queue);
            if (auto *queue = qobject_cast<QueueScreen *>(screenWidget(Screen::Queue)))
                queue->callNext();
        });
    }
}

QWidget *MainWindow::createScreen(Screen screen)
{
    const ClientContext context{*m_api, *m_live, *m_session, *m_outbox};
    const std::optional<hms::Role> role = m_session->user().role();
    const auto has = [&role](hms::Permission permission) {
        return role && hms::roleHas(*role, permission);
    };
    QWidget *page = nullptr;
    switch (screen) {
    case Screen::Patients:
        page = new PatientsScreen(context, has(hms::Permission::QueueManage), m_screens);
        break;
    case Screen::Register:
        page = new RegisterScreen(context, m_screens);
        break;
    case Screen::Queue:
        page = new QueueScreen(context, has(hms::Permission::QueueCall), m_screens);
        break;
    case Screen::Appointments:
        page = new AppointmentsScreen(context, m_screens);
        break;
    case Screen::Admissions:
        page = new AdmissionScreen(context, m_screens);
        break;
    case Screen::BedBoard:
        page = new BedBoardScreen(context, m_screens);
        break;
    case Screen::Vitals:
        page = new VitalsScreen(context, m_screens);
        break;
    case Screen::DueMedications:
        page = new DueMedicationsScreen(context, m_screens);
        break;
    case Screen::Users:
        page = new UsersScreen(context, m_screens);
        break;
    case Screen::Audit:
        page = new AuditScreen(context, m_screens);
        break;
    case Screen::Pharmacy:
    case Screen::Lab:
        page = new PlaceholderScreen(screenTitle(screen), screenDescription(screen), m_screens);
        break;
    }
    page->setObjectName(QStringLiteral("screen%1").arg(int(screen)));
    return page;
}

bool MainWindow::screenCallsNext() const
{
    const std::optional<hms::Role> role = m_session->user().role();
    return role && hms::roleHas(*role, hms::Permission::QueueCall);
}

void MainWindow::showNotice(const QString &text)
{
    m_notice->setText(text);
    m_notice->setVisible(!text.isEmpty());
}

void MainWindow::updatePending()
{
    const int pending = m_outbox->pendingCount();
    m_pending->setText(pending > 0 ? tr("%n waiting to be sent", "", pending) : QString());
    m_pending->setVisible(pending > 0);
}

QString MainWindow::pendingText() const
{
    return m_pending->text();
}

} // namespace hms::client
