#include "api/apiclient.h"
#include "app/mainwindow.h"
#include "app/navigation.h"
#include "clienttestsupport.h"
#include "live/liveconnection.h"
#include "models/patientsearchmodel.h"
#include "models/queuemodel.h"
#include "screens/reception/duplicatedialog.h"
#include "screens/reception/patientsscreen.h"
#include "screens/reception/queuescreen.h"
#include "screens/reception/registerscreen.h"
#include "shared/protocol/apipaths.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTest>

#include <memory>

using hms::Role;
using hms::client::MainWindow;
using hms::client::PatientSearchModel;
using hms::client::Screen;
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

/// A patient name that would be markup if anything rendered it as rich text (SECURITY I4).
const QString MarkupName = QStringLiteral("<b>Zeb</b> <img src=\"http://127.0.0.1:9/px\"> Okafor");

} // namespace

class TestReception : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void registeringThroughTheFormAddsThePatient();
    void fieldErrorsAppearInline();
    void possibleDuplicateAsksForAReason();
    void checkInShowsTheTokenAndTheBoardFollowsLive();
    void searchLoadsMorePagesAsTheListScrolls();
    void twoLetterSearchSaysItMatchesWholeWords();
    void shortcutsReachTheScreens();
    void cleanupTestCase();

private:
    /// Types \a text into the search field of \a window and waits for a row named \a name.
    bool searchFor(MainWindow &window, const QString &text, const QString &name);
    QByteArray token(const QString &username);

    std::unique_ptr<ServerFixture> m_fixture;
    QString m_departmentId;
    QHash<QString, QByteArray> m_tokens;
};

void TestReception::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    ui::removeOutboxFile();
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("reception"));
    if (!m_fixture->isValid())
        QSKIP("HMS_TEST_DATABASE_URL not set");
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    QVERIFY(m_fixture->createHospital(ui::Hospital, QStringLiteral("Alpha General")) > 0);
    qint64 doctorId = 0;
    for (Role role : {Role::Admin, Role::Reception, Role::Doctor, Role::Nurse}) {
        const qint64 id =
            m_fixture->createUser(ui::Hospital, hms::roleName(role), role, ui::Password);
        QVERIFY(id > 0);
        if (role == Role::Doctor)
            doctorId = id;
    }
    const QJsonObject department =
        ui::call(*m_fixture, "POST", hms::api::Departments, token(QStringLiteral("admin")),
                 {{QStringLiteral("code"), QStringLiteral("GEN")},
                  {QStringLiteral("name"), QStringLiteral("General medicine")}});
    m_departmentId = department.value(QStringLiteral("id")).toString();
    QVERIFY(!m_departmentId.isEmpty());
    // The doctor works in this department (only its doctors may call its queue).
    QVERIFY(
        !ui::call(*m_fixture, "POST",
                  hms::client::ApiClient::pathWithId(hms::api::DepartmentDoctors, m_departmentId)
                      .toLatin1(),
                  token(QStringLiteral("admin")),
                  {{QStringLiteral("userId"), QString::number(doctorId)}})
             .isEmpty());
}

void TestReception::init()
{
    QSettings().clear();
}

QByteArray TestReception::token(const QString &username)
{
    if (!m_tokens.contains(username))
        m_tokens.insert(
            username,
            hms::test::accessTokenOf(m_fixture->login(ui::Hospital, username, ui::Password)));
    return m_tokens.value(username);
}

bool TestReception::searchFor(MainWindow &window, const QString &text, const QString &name)
{
    if (!window.showScreen(Screen::Patients))
        return false;
    auto *screen =
        qobject_cast<hms::client::PatientsScreen *>(window.screenWidget(Screen::Patients));
    auto *search = child<QLineEdit>(screen, "searchEdit");
    search->clear();
    QTest::keyClicks(search, text);
    PatientSearchModel *model = screen->model();
    return QTest::qWaitFor(
        [model, name]() {
            for (int row = 0; row < model->rowCount(); ++row) {
                if (model->index(row, int(PatientSearchModel::Column::FullName)).data() == name)
                    return true;
            }
            return false;
        },
        5000);
}

void TestReception::registeringThroughTheFormAddsThePatient()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    QVERIFY(ui::signIn(window, m_fixture->port(), QStringLiteral("reception")));
    QVERIFY(window.showScreen(Screen::Register));
    QWidget *form = window.screenWidget(Screen::Register);
    QVERIFY(form->isVisible());

    QTest::keyClicks(child<QLineEdit>(form, "fullNameEdit"), MarkupName);
    QTest::keyClicks(child<QLineEdit>(form, "birthDateEdit"), QStringLiteral("1975-11-30"));
    QTest::keyClicks(child<QLineEdit>(form, "phoneEdit"), QStringLiteral("+49 (30) 555-0101"));
    QTest::keyClicks(child<QLineEdit>(form, "allergiesEdit"), QStringLiteral("penicillin, latex"));
    QTest::mouseClick(child<QPushButton>(form, "registerButton"), Qt::LeftButton);

    QLabel *status = child<QLabel>(form, "registerStatus");
    QTRY_VERIFY2(status->text().contains(QLatin1String("Registered")), qPrintable(status->text()));
    QCOMPARE(status->textFormat(), Qt::PlainText);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients WHERE full_name = '<b>Zeb</b> "
                              "<img src=\"http://127.0.0.1:9/px\"> Okafor' AND phone = "
                              "'+49305550101'"),
             qint64(1));
    // The form is empty again for the next patient.
    QVERIFY(child<QLineEdit>(form, "fullNameEdit")->text().isEmpty());

    // ... and the patient is found by name, shown literally in the list and on the card.
    QVERIFY(searchFor(window, QStringLiteral("Okafor"), MarkupName));
    auto *patients = window.screenWidget(Screen::Patients);
    auto *table = child<QTableView>(patients, "patientTable");
    QAbstractItemModelTester tester(table->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    table->selectRow(0);
    QLabel *cardName = child<QLabel>(patients, "cardName");
    QVERIFY(cardName);
    QCOMPARE(cardName->text(), MarkupName);
    QCOMPARE(cardName->textFormat(), Qt::PlainText);
    QCOMPARE(child<QLabel>(patients, "cardAllergies")->text(), QStringLiteral("penicillin, latex"));
    for (QLabel *label : window.findChildren<QLabel *>())
        QVERIFY2(label->textFormat() == Qt::PlainText, qPrintable(label->objectName()));
}

void TestReception::fieldErrorsAppearInline()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    QVERIFY(ui::signIn(window, m_fixture->port(), QStringLiteral("reception")));
    QVERIFY(window.showScreen(Screen::Register));
    QWidget *form = window.screenWidget(Screen::Register);
    QVERIFY(QTest::qWaitForWindowActive(&window));
    const qint64 before = m_fixture->count("SELECT count(*) FROM patients");

    // Client side (shared rules): nothing is sent.
    QTest::keyClicks(child<QLineEdit>(form, "birthDateEdit"), QStringLiteral("2999-01-01"));
    QTest::keyClicks(child<QLineEdit>(form, "phoneEdit"), QStringLiteral("12"));
    QTest::mouseClick(child<QPushButton>(form, "registerButton"), Qt::LeftButton);
    QLabel *nameError = child<QLabel>(form, "fullNameError");
    QLabel *dateError = child<QLabel>(form, "birthDateError");
    QLabel *phoneError = child<QLabel>(form, "phoneError");
    QVERIFY(nameError->isVisible());
    QVERIFY2(dateError->isVisible() && dateError->text().contains(QLatin1String("future")),
             qPrintable(dateError->text()));
    QVERIFY2(phoneError->isVisible() && phoneError->text().contains(QLatin1String("phone")),
             qPrintable(phoneError->text()));
    QVERIFY(!child<QLabel>(form, "sexError")->isVisible());
    QVERIFY(child<QLineEdit>(form, "fullNameEdit")->hasFocus());
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients"), before);

    // Server side: a national id already registered comes back as a field error.
    QVERIFY(!ui::call(*m_fixture, "POST", hms::api::Patients, token(QStringLiteral("reception")),
                      [] {
                          QJsonObject body = ui::patientBody(QStringLiteral("Ada Field"),
                                                             QStringLiteral("+15550000001"),
                                                             QStringLiteral("1961-01-01"));
                          body.insert(QStringLiteral("nationalId"), QStringLiteral("NID-4711"));
                          return body;
                      }())
                 .isEmpty());
    const qint64 withAda = m_fixture->count("SELECT count(*) FROM patients");
    for (const char *name : {"fullNameEdit", "birthDateEdit", "phoneEdit"})
        child<QLineEdit>(form, name)->clear();
    QTest::keyClicks(child<QLineEdit>(form, "fullNameEdit"), QStringLiteral("Bea Other"));
    QTest::keyClicks(child<QLineEdit>(form, "birthDateEdit"), QStringLiteral("1990-02-03"));
    QTest::keyClicks(child<QLineEdit>(form, "phoneEdit"), QStringLiteral("+15550000002"));
    QTest::keyClicks(child<QLineEdit>(form, "nationalIdEdit"), QStringLiteral("NID-4711"));
    QTest::mouseClick(child<QPushButton>(form, "registerButton"), Qt::LeftButton);
    QLabel *nationalIdError = child<QLabel>(form, "nationalIdError");
    QTRY_VERIFY(nationalIdError->isVisible());
    QVERIFY2(nationalIdError->text().contains(QLatin1String("already registered")),
             qPrintable(nationalIdError->text()));
    QVERIFY(!nameError->isVisible());
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients"), withAda);
    // The candidates dialog came up, without "register anyway" for a national id.
    auto *dialog =
        window.findChild<hms::client::DuplicateDialog *>(QStringLiteral("duplicateDialog"));
    QVERIFY(dialog);
    QVERIFY(!dialog->findChild<QPushButton *>(QStringLiteral("registerAnywayButton")));
    dialog->reject();
}

void TestReception::possibleDuplicateAsksForAReason()
{
    QVERIFY(!ui::call(*m_fixture, "POST", hms::api::Patients, token(QStringLiteral("reception")),
                      ui::patientBody(QStringLiteral("Carla Twin"), QStringLiteral("+15550000003"),
                                      QStringLiteral("1970-07-07")))
                 .isEmpty());
    const qint64 before = m_fixture->count("SELECT count(*) FROM patients");
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    QVERIFY(ui::signIn(window, m_fixture->port(), QStringLiteral("reception")));
    QVERIFY(window.showScreen(Screen::Register));
    QWidget *form = window.screenWidget(Screen::Register);
    QTest::keyClicks(child<QLineEdit>(form, "fullNameEdit"), QStringLiteral("Carla Twin"));
    QTest::keyClicks(child<QLineEdit>(form, "birthDateEdit"), QStringLiteral("1970-07-07"));
    QTest::keyClicks(child<QLineEdit>(form, "phoneEdit"), QStringLiteral("+15550000003"));
    QTest::mouseClick(child<QPushButton>(form, "registerButton"), Qt::LeftButton);

    hms::client::DuplicateDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<hms::client::DuplicateDialog *>(
                     QStringLiteral("duplicateDialog"))));
    auto *candidates = dialog->findChild<QTableView *>(QStringLiteral("candidateTable"));
    QVERIFY(candidates);
    QCOMPARE(candidates->model()->rowCount(), 1);
    QCOMPARE(candidates->model()->index(0, 1).data().toString(), QStringLiteral("Carla Twin"));
    auto *registerAnyway = dialog->findChild<QPushButton *>(QStringLiteral("registerAnywayButton"));
    QVERIFY(!registerAnyway->isEnabled()); // a reason first
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("overrideReasonEdit")),
                     QStringLiteral("twin sister, same phone"));
    QVERIFY(registerAnyway->isEnabled());
    QTest::mouseClick(registerAnyway, Qt::LeftButton);

    QLabel *status = child<QLabel>(form, "registerStatus");
    QTRY_VERIFY2(status->text().contains(QLatin1String("Registered")), qPrintable(status->text()));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients"), before + 1);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM patients WHERE full_name = 'Carla Twin'"),
             qint64(2));
}

void TestReception::checkInShowsTheTokenAndTheBoardFollowsLive()
{
    const QJsonObject first =
        ui::call(*m_fixture, "POST", hms::api::Patients, token(QStringLiteral("reception")),
                 ui::patientBody(QStringLiteral("Dora Queue"), QStringLiteral("+15550000004"),
                                 QStringLiteral("1985-05-05")));
    const QJsonObject second =
        ui::call(*m_fixture, "POST", hms::api::Patients, token(QStringLiteral("reception")),
                 ui::patientBody(QStringLiteral("Emil Later"), QStringLiteral("+15550000005"),
                                 QStringLiteral("1986-06-06")));
    QVERIFY(!first.isEmpty() && !second.isEmpty());

    MainWindow reception(ui::serverUrlOf(m_fixture->port()));
    reception.show();
    QVERIFY(ui::signIn(reception, m_fixture->port(), QStringLiteral("reception")));
    QVERIFY(searchFor(reception, QStringLiteral("Dora Queue"), QStringLiteral("Dora Queue")));
    QWidget *patients = reception.screenWidget(Screen::Patients);
    auto *table = child<QTableView>(patients, "patientTable");
    table->selectRow(0);
    auto *department = child<QComboBox>(patients, "departmentCombo");
    QTRY_VERIFY(department->count() > 0);
    QCOMPARE(department->currentData().toString(), m_departmentId);
    QPushButton *checkIn = child<QPushButton>(patients, "checkInButton");
    QTRY_VERIFY(checkIn->isEnabled());
    QTest::mouseClick(checkIn, Qt::LeftButton);
    QLabel *tokenLabel = child<QLabel>(patients, "tokenLabel");
    QTRY_COMPARE(tokenLabel->text(), QStringLiteral("1"));
    QCOMPARE(tokenLabel->textFormat(), Qt::PlainText);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM visits"), qint64(1));

    // The board of this department shows the visit, then follows another client live.
    QVERIFY(reception.showScreen(Screen::Queue));
    auto *queue = qobject_cast<hms::client::QueueScreen *>(reception.screenWidget(Screen::Queue));
    QVERIFY(queue);
    queue->showDepartment(m_departmentId);
    QAbstractItemModelTester tester(queue->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(queue->model()->rowCount(), 1);
    // Subscribed: the server has acknowledged the topic.
    QTRY_VERIFY(
        reception.live().confirmedTopics().contains(QStringLiteral("queue:") + m_departmentId));

    QVERIFY(!ui::call(*m_fixture, "POST", hms::api::Visits, token(QStringLiteral("nurse")),
                      {{QStringLiteral("patientId"), second.value(QStringLiteral("id"))},
                       {QStringLiteral("departmentId"), m_departmentId}})
                 .isEmpty());
    QElapsedTimer sinceCommit;
    sinceCommit.start();
    QTRY_COMPARE_WITH_TIMEOUT(queue->model()->rowCount(), 2, 1000);
    qInfo("check-in by another client on the board %lld ms after its 201", sinceCommit.elapsed());
    QCOMPARE(queue->model()->rows().at(1).fullName, QStringLiteral("Emil Later"));
    QCOMPARE(queue->model()->rows().at(1).token, 2);

    // A doctor calls the next patient with F9; the reception board changes that row live.
    MainWindow doctor(ui::serverUrlOf(m_fixture->port()));
    doctor.show();
    QVERIFY(ui::signIn(doctor, m_fixture->port(), QStringLiteral("doctor")));
    QVERIFY(doctor.showScreen(Screen::Queue));
    auto *doctorQueue =
        qobject_cast<hms::client::QueueScreen *>(doctor.screenWidget(Screen::Queue));
    QTRY_COMPARE(doctorQueue->departmentId(), m_departmentId);
    QTRY_COMPARE(doctorQueue->model()->rowCount(), 2);
    QVERIFY(QTest::qWaitForWindowActive(&doctor));
    QTest::keyClick(&doctor, Qt::Key_F9);
    QTRY_COMPARE(child<QLabel>(doctorQueue, "callingLabel")->text(),
                 QStringLiteral("Now calling: 1"));
    QTRY_COMPARE_WITH_TIMEOUT(queue->model()->rows().at(0).state, QStringLiteral("called"), 1000);
    QCOMPARE(queue->model()->rows().at(1).state, QStringLiteral("waiting"));

    // Reception may not call: no button, and F9 does nothing.
    QVERIFY(!child<QPushButton>(queue, "callNextButton")->isVisible());
}

void TestReception::twoLetterSearchSaysItMatchesWholeWords()
{
    for (const QString &name : {QStringLiteral("Wu Sorrelby"), QStringLiteral("Wubbo Tarrant")})
        QVERIFY(!ui::call(*m_fixture, "POST", hms::api::Patients,
                          token(QStringLiteral("reception")),
                          ui::patientBody(name, QStringLiteral("+15557771%1").arg(name.size()),
                                          QStringLiteral("1970-02-02")))
                     .isEmpty());
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    QVERIFY(ui::signIn(window, m_fixture->port(), QStringLiteral("reception")));
    // Two letters: the whole word only, and the desk is told why Wubbo is missing.
    QVERIFY(searchFor(window, QStringLiteral("wu"), QStringLiteral("Wu Sorrelby")));
    auto *screen =
        qobject_cast<hms::client::PatientsScreen *>(window.screenWidget(Screen::Patients));
    QLabel *status = child<QLabel>(screen, "searchStatus");
    QTRY_VERIFY2(status->text().contains(QLatin1String("whole words only")),
                 qPrintable(status->text()));
    QCOMPARE(screen->model()->rowCount(), 1);
    // A third letter matches the start of a name, and the hint is gone.
    QVERIFY(searchFor(window, QStringLiteral("wub"), QStringLiteral("Wubbo Tarrant")));
    QTRY_VERIFY2(status->text().contains(QLatin1String("shown")), qPrintable(status->text()));
    QVERIFY2(!status->text().contains(QLatin1String("whole words")), qPrintable(status->text()));
}

void TestReception::searchLoadsMorePagesAsTheListScrolls()
{
    const int count = PatientSearchModel::PageSize + 10;
    for (int i = 0; i < count; ++i)
        QVERIFY(
            !ui::call(*m_fixture, "POST", hms::api::Patients, token(QStringLiteral("reception")),
                      ui::patientBody(QStringLiteral("Pager Quill %1").arg(i),
                                      QStringLiteral("+1555777%1").arg(i, 4, 10, QLatin1Char('0')),
                                      QDate(1940, 1, 1).addDays(i * 40).toString(Qt::ISODate)))
                 .isEmpty());
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    QVERIFY(ui::signIn(window, m_fixture->port(), QStringLiteral("reception")));
    QVERIFY(searchFor(window, QStringLiteral("Pager Quill"), QStringLiteral("Pager Quill 0")));
    auto *screen =
        qobject_cast<hms::client::PatientsScreen *>(window.screenWidget(Screen::Patients));
    PatientSearchModel *model = screen->model();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(model->rowCount(), PatientSearchModel::PageSize);
    QVERIFY(model->canFetchMore({}) || model->isLoading()); // the view may have asked already
    // Scrolling to the end asks for the next page (QAbstractItemView calls fetchMore()).
    auto *table = child<QTableView>(screen, "patientTable");
    table->scrollToBottom();
    QTRY_COMPARE(model->rowCount(), count);
    QTRY_VERIFY(!model->canFetchMore({}));
    QSet<QString> ids;
    for (int row = 0; row < model->rowCount(); ++row)
        ids.insert(model->index(row, 0).data(PatientSearchModel::IdRole).toString());
    QCOMPARE(ids.size(), count); // no row twice across the page boundary
}

void TestReception::shortcutsReachTheScreens()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    QVERIFY(ui::signIn(window, m_fixture->port(), QStringLiteral("reception")));
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QWidget *form = window.screenWidget(Screen::Register);
    QWidget *patients = window.screenWidget(Screen::Patients);

    QTest::keyClick(&window, Qt::Key_N, Qt::ControlModifier);
    QTRY_VERIFY(form->isVisible());
    QVERIFY(child<QLineEdit>(form, "fullNameEdit")->hasFocus());
    // Tab walks the form top to bottom.
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QVERIFY(child<QLineEdit>(form, "birthDateEdit")->hasFocus());

    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(patients->isVisible());
    QVERIFY(child<QLineEdit>(patients, "searchEdit")->hasFocus());

    QTest::keyClick(&window, Qt::Key_U, Qt::ControlModifier);
    QTRY_VERIFY(window.screenWidget(Screen::Queue)->isVisible());
}

void TestReception::cleanupTestCase()
{
    QSettings().clear();
    m_fixture.reset();
}

QTEST_MAIN(TestReception)
#include "tst_reception.moc"
