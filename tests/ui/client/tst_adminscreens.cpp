#include "app/mainwindow.h"
#include "app/navigation.h"
#include "clienttestsupport.h"
#include "models/auditmodel.h"
#include "models/usermodel.h"
#include "screens/admin/auditscreen.h"
#include "screens/admin/usersscreen.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTest>

#include <memory>

using hms::Role;
using hms::client::MainWindow;
using hms::client::Screen;
using hms::client::UserModel;
using hms::test::ServerFixture;
namespace ui = hms::test::ui;

namespace {

template<typename T>
T *child(QWidget *parent, const char *name)
{
    T *widget = parent->findChild<T *>(QLatin1String(name));
    if (!widget)
        qWarning("no child %s", name);
    return widget;
}

} // namespace

class TestAdminScreens : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void usersScreenAddsDisablesAndChangesRoles();
    void auditViewerFilters();
    void cleanupTestCase();

private:
    std::unique_ptr<ServerFixture> m_fixture;
};

void TestAdminScreens::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("adminui"));
    if (!m_fixture->isValid())
        QSKIP("HMS_TEST_DATABASE_URL not set");
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    QVERIFY(m_fixture->createHospital(ui::Hospital, QStringLiteral("Alpha General")) > 0);
    QVERIFY(m_fixture->createUser(ui::Hospital, QStringLiteral("admin"), Role::Admin, ui::Password)
            > 0);
}

void TestAdminScreens::init()
{
    QSettings().clear();
}

void TestAdminScreens::usersScreenAddsDisablesAndChangesRoles()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    QVERIFY(ui::signIn(window, m_fixture->port(), QStringLiteral("admin")));
    QVERIFY(window.showScreen(Screen::Users));
    auto *screen = qobject_cast<hms::client::UsersScreen *>(window.screenWidget(Screen::Users));
    QVERIFY(screen);
    QAbstractItemModelTester tester(screen->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(screen->model()->rowCount(), 1); // the admin

    // A weak password is refused next to its field.
    QTest::keyClicks(child<QLineEdit>(screen, "usernameEdit"), QStringLiteral("nina.nurse"));
    QTest::keyClicks(child<QLineEdit>(screen, "displayNameEdit"), QStringLiteral("Nina Nurse"));
    auto *role = child<QComboBox>(screen, "roleEdit");
    role->setCurrentIndex(role->findData(QStringLiteral("nurse")));
    QTest::keyClicks(child<QLineEdit>(screen, "passwordEdit"), QStringLiteral("short"));
    QTest::mouseClick(child<QPushButton>(screen, "addUserButton"), Qt::LeftButton);
    QLabel *passwordError = child<QLabel>(screen, "passwordError");
    QLabel *status = child<QLabel>(screen, "usersStatus");
    QTRY_VERIFY2(passwordError->isVisible() || !status->text().isEmpty(),
                 qPrintable(status->text()));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM users WHERE username = 'nina.nurse'"),
             qint64(0));

    child<QLineEdit>(screen, "passwordEdit")->clear();
    QTest::keyClicks(child<QLineEdit>(screen, "passwordEdit"),
                     QStringLiteral("Corridor lamp 42 blue"));
    QTest::mouseClick(child<QPushButton>(screen, "addUserButton"), Qt::LeftButton);
    QTRY_COMPARE(screen->model()->rowCount(), 2);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM users WHERE username = 'nina.nurse' AND "
                              "role = 'nurse' AND disabled_at IS NULL"),
             qint64(1));
    QVERIFY2(status->text().contains(QLatin1String("nina.nurse")), qPrintable(status->text()));
    // The new user can sign in.
    QVERIFY(!m_fixture
                 ->login(ui::Hospital, QStringLiteral("nina.nurse"),
                         QStringLiteral("Corridor lamp 42 blue"))
                 .isEmpty());

    // Select her (through the filter), disable, then make her reception.
    QTest::keyClicks(child<QLineEdit>(screen, "userFilter"), QStringLiteral("nina"));
    auto *table = child<QTableView>(screen, "userTable");
    QCOMPARE(table->model()->rowCount(), 1);
    table->selectRow(0);
    QPushButton *disable = child<QPushButton>(screen, "disableButton");
    QVERIFY(disable->isEnabled());
    QTest::mouseClick(disable, Qt::LeftButton);
    QTRY_COMPARE(m_fixture->count("SELECT count(*) FROM users WHERE username = 'nina.nurse' AND "
                                  "disabled_at IS NOT NULL"),
                 qint64(1));
    const int row = screen->model()->rowOfUsername(QStringLiteral("nina.nurse"));
    QTRY_COMPARE(screen->model()
                     ->index(row, int(UserModel::Column::State))
                     .data(UserModel::RawValueRole)
                     .toString(),
                 QStringLiteral("disabled"));
    QVERIFY(child<QPushButton>(screen, "enableButton")->isEnabled());

    auto *newRole = child<QComboBox>(screen, "roleForUserCombo");
    newRole->setCurrentIndex(newRole->findData(QStringLiteral("reception")));
    QTest::mouseClick(child<QPushButton>(screen, "setRoleButton"), Qt::LeftButton);
    QTRY_COMPARE(m_fixture->count("SELECT count(*) FROM users WHERE username = 'nina.nurse' AND "
                                  "role = 'reception'"),
                 qint64(1));

    // Enable her again with a new password; she signs in with it.
    QTest::mouseClick(child<QPushButton>(screen, "enableButton"), Qt::LeftButton);
    QTRY_COMPARE(m_fixture->count("SELECT count(*) FROM users WHERE username = 'nina.nurse' AND "
                                  "disabled_at IS NULL"),
                 qint64(1));
    QTest::keyClicks(child<QLineEdit>(screen, "newPasswordEdit"),
                     QStringLiteral("Window frost 77 green"));
    QTest::mouseClick(child<QPushButton>(screen, "resetPasswordButton"), Qt::LeftButton);
    QVERIFY(child<QLineEdit>(screen, "newPasswordEdit")->text().isEmpty());
    QTRY_COMPARE(m_fixture->count("SELECT count(*) FROM audit_log WHERE action = "
                                  "'user.password.reset'"),
                 qint64(1));
    QVERIFY(!m_fixture
                 ->login(ui::Hospital, QStringLiteral("nina.nurse"),
                         QStringLiteral("Window frost 77 green"))
                 .isEmpty());
}

void TestAdminScreens::auditViewerFilters()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    QVERIFY(ui::signIn(window, m_fixture->port(), QStringLiteral("admin")));
    QVERIFY(window.showScreen(Screen::Audit));
    auto *screen = qobject_cast<hms::client::AuditScreen *>(window.screenWidget(Screen::Audit));
    QVERIFY(screen);
    QAbstractItemModelTester tester(screen->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_VERIFY(screen->model()->rowCount() > 0);

    QTest::keyClicks(child<QLineEdit>(screen, "actionFilter"), QStringLiteral("user.create"));
    QTest::mouseClick(child<QPushButton>(screen, "applyFilters"), Qt::LeftButton);
    const qint64 expected =
        m_fixture->count("SELECT count(*) FROM audit_log WHERE action = 'user.create'");
    QVERIFY(expected >= 2);
    QTRY_COMPARE(qint64(screen->model()->rowCount()), expected);
    for (int row = 0; row < screen->model()->rowCount(); ++row)
        QCOMPARE(screen->model()
                     ->index(row, int(hms::client::AuditModel::Column::Action))
                     .data()
                     .toString(),
                 QStringLiteral("user.create"));
    // A bad filter shows the server's reason.
    QTest::keyClicks(child<QLineEdit>(screen, "actorFilter"), QStringLiteral("abc"));
    QTest::mouseClick(child<QPushButton>(screen, "applyFilters"), Qt::LeftButton);
    QLabel *status = child<QLabel>(screen, "auditStatus");
    QTRY_VERIFY2(status->text().contains(QLatin1String("actor")), qPrintable(status->text()));
}

void TestAdminScreens::cleanupTestCase()
{
    QSettings().clear();
    m_fixture.reset();
}

QTEST_MAIN(TestAdminScreens)
#include "tst_adminscreens.moc"
