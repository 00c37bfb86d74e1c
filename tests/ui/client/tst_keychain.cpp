// SECURITY.md A9 against a real OS keychain: Debian's gnome-keyring, headless, in a private
// D-Bus session. The program re-runs itself under dbus-run-session with a throwaway HOME and
// a gnome-keyring-daemon unlocked with a test password; QtKeychain reaches it through
// libsecret (org.freedesktop.secrets). "Remember me" stores the refresh token in the keychain
// (read back with secret-tool, independently of QtKeychain), no file under HOME (config, data,
// cache; the keyring file is encrypted) holds a token, a new start resumes the session from
// the keychain, and signing out removes the entry.
#include "app/mainwindow.h"
#include "auth/session.h"
#include "clienttestsupport.h"
#include "keychain/credentialstore.h"
#include "screens/login/loginview.h"
#include "support/serverfixture.h"

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QDirIterator>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

#include <cstdlib>
#include <memory>
#include <vector>

#include <unistd.h>

using hms::Role;
using hms::client::CredentialStore;
using hms::client::MainWindow;
using hms::test::ServerFixture;

namespace {

const QString Hospital = QStringLiteral("alpha");
const QString Password = QStringLiteral("Ward-7 night kettle");
constexpr char SessionMarker[] = "HMS_KEYRING_SESSION";
constexpr char KeyringHome[] = "HMS_KEYRING_HOME";

/// Re-executes this program inside `dbus-run-session` with an unlocked gnome-keyring and a
/// fresh HOME; returns only when that is not possible (tools missing).
void reexecInKeyringSession(char **argv)
{
    const QString session = QStandardPaths::findExecutable(QStringLiteral("dbus-run-session"));
    const QString daemon = QStandardPaths::findExecutable(QStringLiteral("gnome-keyring-daemon"));
    const QString secretTool = QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
    if (session.isEmpty() || daemon.isEmpty() || secretTool.isEmpty())
        return;
    char home[] = "/tmp/hms-keyring.XXXXXX";
    if (!mkdtemp(home))
        return;
    const QByteArray runtime = QByteArray(home) + "/run";
    if (!QDir().mkpath(QString::fromLocal8Bit(runtime))
        || !QFile::setPermissions(QString::fromLocal8Bit(runtime),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                      | QFileDevice::ExeOwner))
        return;
    setenv("HOME", home, 1);
    setenv(KeyringHome, home, 1);
    setenv("XDG_RUNTIME_DIR", runtime.constData(), 1);
    for (const char *name : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME",
                             "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL"})
        unsetenv(name);
    setenv(SessionMarker, "1", 1);
    setenv("HMS_KEYRING_UNLOCK", "keyring test password", 1);
    const QByteArray script =
        "printf %s \"$HMS_KEYRING_UNLOCK\" | gnome-keyring-daemon --unlock --components=secrets "
        ">/dev/null || exit 70; unset HMS_KEYRING_UNLOCK; exec \"$0\" \"$@\"";
    const QByteArray sessionPath = session.toLocal8Bit();
    std::vector<char *> args = {const_cast<char *>(sessionPath.constData()),
                                const_cast<char *>("--"), const_cast<char *>("sh"),
                                const_cast<char *>("-c"), const_cast<char *>(script.constData())};
    for (char **arg = argv; *arg; ++arg)
        args.push_back(*arg);
    args.push_back(nullptr);
    execv(sessionPath.constData(), args.data());
    std::perror("execv dbus-run-session"); // only reached when exec failed
}

/// The secret QtKeychain filed under \a key (libsecret schema org.qt.keychain: user = key,
/// server = service), read with secret-tool; empty when there is none.
QByteArray keychainEntry(const QString &key)
{
    QProcess tool;
    tool.start(QStringLiteral("secret-tool"),
               {QStringLiteral("lookup"), QStringLiteral("user"), key, QStringLiteral("server"),
                CredentialStore::serviceName()});
    if (!tool.waitForFinished(10000) || tool.exitCode() != 0)
        return {};
    return tool.readAllStandardOutput().trimmed();
}

/// Every file under HOME (config, data, cache, the keyring directory) that contains \a needle.
QStringList filesUnderHomeContaining(const QByteArray &needle)
{
    return hms::test::ui::filesContaining({QDir::homePath()}, needle);
}

} // namespace

class TestKeychain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rememberMeKeepsTheRefreshTokenInTheKeychainOnly();
    void cleanupTestCase();

private:
    QString serverUrl() const
    {
        return QStringLiteral("http://127.0.0.1:%1").arg(m_fixture->port());
    }

    std::unique_ptr<ServerFixture> m_fixture;
};

void TestKeychain::initTestCase()
{
    if (!qEnvironmentVariableIsSet(SessionMarker))
        QSKIP("no gnome-keyring-daemon, secret-tool or dbus-run-session here "
              "(installer/dev/deps.sh installs them)");
    QVERIFY(qEnvironmentVariableIsSet("DBUS_SESSION_BUS_ADDRESS"));
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("keychain"));
    if (!m_fixture->isValid())
        QSKIP("HMS_TEST_DATABASE_URL not set");
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    QVERIFY(m_fixture->createHospital(Hospital, QStringLiteral("Alpha General")) > 0);
    QVERIFY(m_fixture->createUser(Hospital, QStringLiteral("nurse"), Role::Nurse, Password) > 0);
}

void TestKeychain::rememberMeKeepsTheRefreshTokenInTheKeychainOnly()
{
    const QString key =
        CredentialStore::keyFor(QUrl(serverUrl()), Hospital, QStringLiteral("nurse"));
    QVERIFY(keychainEntry(key).isEmpty());
    QByteArray firstToken;
    {
        MainWindow window(serverUrl());
        window.show();
        window.start();
        QWidget *view = window.loginView();
        view->findChild<QLineEdit *>(QStringLiteral("serverEdit"))->setText(serverUrl());
        view->findChild<QLineEdit *>(QStringLiteral("hospitalEdit"))->setText(Hospital);
        view->findChild<QLineEdit *>(QStringLiteral("usernameEdit"))
            ->setText(QStringLiteral("nurse"));
        view->findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->setText(Password);
        view->findChild<QCheckBox *>(QStringLiteral("rememberCheck"))->setChecked(true);
        QTest::mouseClick(view->findChild<QPushButton *>(QStringLiteral("signInButton")),
                          Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(window.isSignedIn(), 10000);
        firstToken = window.session().refreshToken();
        QVERIFY(firstToken.size() > 16);
        // In the keychain, as the OS keeps it (read without QtKeychain).
        QTRY_COMPARE_WITH_TIMEOUT(keychainEntry(key), firstToken, 10000);
        QVERIFY2(!window.noticeText().contains(QLatin1String("No keychain")),
                 qPrintable(window.noticeText()));
        // Nowhere on disk under HOME: settings, data, caches; the keyring file is encrypted.
        QSettings().sync();
        QCOMPARE(filesUnderHomeContaining(firstToken), QStringList());
        QCOMPARE(filesUnderHomeContaining(window.session().accessToken()), QStringList());
        // The window closes without signing out: the sign-in stays remembered.
    }

    // A new start resumes the session from the keychain (no password typed), and the
    // rotated refresh token replaces the old one there.
    MainWindow second(serverUrl());
    second.show();
    second.start();
    QTRY_VERIFY_WITH_TIMEOUT(second.isSignedIn(), 10000);
    const QByteArray secondToken = second.session().refreshToken();
    QVERIFY(secondToken != firstToken);
    QTRY_COMPARE_WITH_TIMEOUT(keychainEntry(key), secondToken, 10000);
    QCOMPARE(filesUnderHomeContaining(secondToken), QStringList());

    // Signing out removes the entry.
    second.session().logout();
    QTRY_VERIFY(!second.isSignedIn());
    QTRY_VERIFY_WITH_TIMEOUT(keychainEntry(key).isEmpty(), 10000);
}

void TestKeychain::cleanupTestCase()
{
    QSettings().clear();
    m_fixture.reset();
    const QString home = qEnvironmentVariable(KeyringHome);
    if (home.startsWith(QLatin1String("/tmp/hms-keyring.")))
        QDir(home).removeRecursively();
}

int main(int argc, char **argv)
{
    if (!qEnvironmentVariableIsSet(SessionMarker))
        reexecInKeyringSession(argv);
    QApplication app(argc, argv);
    TestKeychain test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_keychain.moc"
