// The reception's appointment booking screen against a real hms-server and PostgreSQL:
// department -> doctor -> date -> free slots, book / move / cancel / check in, live updates
// from queue:<department> events and the server's 409 for a slot taken meanwhile.

#include "app/mainwindow.h"
#include "app/navigation.h"
#include "clienttestsupport.h"
#include "live/liveconnection.h"
#include "models/appointmentmodel.h"
#include "models/patientsearchmodel.h"
#include "models/slotmodel.h"
#include "screens/common/patientpicker.h"
#include "screens/reception/appointmentsscreen.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDateEdit>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTest>

#include <pqxx/pqxx>

#include <memory>

using hms::Role;
using hms::client::AppointmentModel;
using hms::client::AppointmentsScreen;
using hms::client::MainWindow;
using hms::client::Screen;
using hms::client::SlotModel;
using hms::test::ServerFixture;
namespace ui = hms::test::ui;

class TestAppointmentsScreen : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void bookMoveAndCancelThroughTheScreen();
    void slotTakenByAnotherClientIsRefusedClearly();
    void checkInFromAnAppointment();
    void cleanupTestCase();

private:
    /// Signs in as reception and opens the screen on the department, its doctor and \a date
    /// (each test its own date, so their bookings never meet).
    AppointmentsScreen *openScreen(MainWindow &window, const QDate &date);
    QString newPatient(const QString &name, const QString &phone);
    QJsonObject bookByRest(const QString &patientId, const QString &start, int expectedStatus);
    qint64 appointmentsAt(const QString &start, const QString &state) const;

    std::unique_ptr<ServerFixture> m_fixture;
    QByteArray m_reception;
    QString m_departmentId;
    QString m_doctorId;
    QDate m_tomorrow;
};

void TestAppointmentsScreen::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("appointmentsscreen"));
    if (!m_fixture->isValid())
        QSKIP("HMS_TEST_DATABASE_URL not set");
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    QVERIFY(m_fixture->createHospital(ui::Hospital, QStringLiteral("Alpha General")) > 0);
    for (Role role : {Role::Admin, Role::Reception})
        QVERIFY(m_fixture->createUser(ui::Hospital, hms::roleName(role), role, ui::Password) > 0);
    const qint64 doctor =
        m_fixture->createUser(ui::Hospital, QStringLiteral("doctor"), Role::Doctor, ui::Password);
    QVERIFY(doctor > 0);
    m_doctorId = QString::number(doctor);
    m_reception = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("reception"), ui::Password));
    const QByteArray admin = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("admin"), ui::Password));

    const QJsonObject department =
        ui::call(*m_fixture, "POST", "/api/v1/departments", admin,
                 {{QStringLiteral("code"), QStringLiteral("GEN")},
                  {QStringLiteral("name"), QStringLiteral("General medicine")}});
    m_departmentId = department.value(QStringLiteral("id")).toString();
    QVERIFY(!m_departmentId.isEmpty());
    const QByteArray base = "/api/v1/departments/" + m_departmentId.toLatin1();
    QVERIFY(!ui::call(*m_fixture, "POST", base + "/doctors", admin,
                      {{QStringLiteral("userId"), m_doctorId}})
                 .isEmpty());
    // Every day 08:00-10:00 (UTC, the hospital's zone), 30-minute slots: 4 a day.
    for (int weekday = 1; weekday <= 7; ++weekday) {
        QVERIFY(!ui::call(*m_fixture, "POST", base + "/schedules", admin,
                          {{QStringLiteral("doctorId"), m_doctorId},
                           {QStringLiteral("weekday"), weekday},
                           {QStringLiteral("start"), QStringLiteral("08:00")},
                           {QStringLiteral("end"), QStringLiteral("10:00")},
                           {QStringLiteral("slotMinutes"), 30}})
                     .isEmpty());
    }
    m_tomorrow = QDateTime::currentDateTimeUtc().date().addDays(1);
}

void TestAppointmentsScreen::init()
{
    QSettings().clear();
}

QString TestAppointmentsScreen::newPatient(const QString &name, const QString &phone)
{
    return ui::call(*m_fixture, "POST", "/api/v1/patients", m_reception,
                    ui::patientBody(name, phone))
        .value(QStringLiteral("id"))
        .toString();
}

QJsonObject TestAppointmentsScreen::bookByRest(const QString &patientId,
                                               const QString &start,
                                               int expectedStatus)
{
    return ui::call(*m_fixture, "POST", "/api/v1/appointments", m_reception,
                    {{QStringLiteral("patientId"), patientId},
                     {QStringLiteral("departmentId"), m_departmentId},
                     {QStringLiteral("doctorId"), m_doctorId},
                     {QStringLiteral("start"), start}},
                    expectedStatus);
}

qint64 TestAppointmentsScreen::appointmentsAt(const QString &start, const QString &state) const
{
    return m_fixture->count("SELECT count(*) FROM appointments WHERE starts_at = '"
                            + start.toStdString() + "'::timestamptz AND state = '"
                            + state.toStdString() + "'");
}

AppointmentsScreen *TestAppointmentsScreen::openScreen(MainWindow &window, const QDate &date)
{
    window.show();
    if (!ui::signIn(window, m_fixture->port(), QStringLiteral("reception")))
        return nullptr;
    if (!window.showScreen(Screen::Appointments))
        return nullptr;
    auto *screen = qobject_cast<AppointmentsScreen *>(window.screenWidget(Screen::Appointments));
    if (!screen)
        return nullptr;
    if (!QTest::qWaitFor(
            [&]() {
                return screen->departmentCombo()->currentData().toString() == m_departmentId
                    && screen->doctorCombo()->findData(m_doctorId) >= 0
                    && window.live().confirmedTopics().contains(QStringLiteral("queue:")
                                                                + m_departmentId);
            },
            10000))
        return nullptr;
    screen->dateEdit()->setDate(date);
    screen->doctorCombo()->setCurrentIndex(screen->doctorCombo()->findData(m_doctorId));
    // The screen first shows today's slots; between midnight and the first slot of the day
    // (UTC) today has as many free slots as tomorrow, so wait for the list of \a date itself
    // (a date without slots just times out here and the test judges the empty list).
    const bool onDate = QTest::qWaitFor(
        [screen, date]() {
            const SlotModel *slots = screen->slotModel();
            return slots->rowCount() > 0
                && QDateTime::fromString(slots->index(0).data(SlotModel::StartRole).toString(),
                                         Qt::ISODateWithMs)
                       .toUTC()
                       .date()
                == date;
        },
        5000);
    Q_UNUSED(onDate);
    return screen;
}

void TestAppointmentsScreen::bookMoveAndCancelThroughTheScreen()
{
    const QString ada = newPatient(QStringLiteral("Ada Slotbook"), QStringLiteral("+15553330001"));
    const QString other = newPatient(QStringLiteral("Otto Other"), QStringLiteral("+15553330002"));
    QVERIFY(!ada.isEmpty() && !other.isEmpty());

    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    AppointmentsScreen *screen = openScreen(window, m_tomorrow);
    QVERIFY(screen);
    QAbstractItemModelTester slotTester(screen->slotModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
    SlotModel *slots = screen->slotModel();
    QTRY_COMPARE(slots->rowCount(), 4);

    // Another client books the last slot: it leaves this screen's free list live.
    const QString taken = slots->index(3).data(SlotModel::StartRole).toString();
    QVERIFY(!bookByRest(other, taken, 201).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(slots->rowCount(), 3, 2000);
    QCOMPARE(slots->rowOf(m_doctorId, taken), -1);
    // The doctor by name (GET /departments/{id}/doctors; the fixture names users by their
    // username), not "Doctor #<id>".
    QTRY_VERIFY2(slots->index(0).data().toString().endsWith(QStringLiteral("  doctor")),
                 qPrintable(slots->index(0).data().toString()));

    // Book the first slot for Ada through the form.
    QVERIFY(ui::pickPatient(screen->patientPicker(), QStringLiteral("Ada Slotbook")));
    screen->slotList()->setCurrentIndex(slots->index(0));
    const QString first = slots->index(0).data(SlotModel::StartRole).toString();
    const QString second = slots->index(1).data(SlotModel::StartRole).toString();
    auto *book = screen->findChild<QPushButton *>(QStringLiteral("bookButton"));
    QVERIFY(book && book->isEnabled());
    QTest::mouseClick(book, Qt::LeftButton);
    QTRY_VERIFY2(screen->statusText().startsWith(QStringLiteral("Booked")),
                 qPrintable(screen->statusText()));
    QCOMPARE(appointmentsAt(first, QStringLiteral("booked")), 1);
    QTRY_COMPARE(slots->rowCount(), 2);
    QCOMPARE(slots->rowOf(m_doctorId, first), -1);
    AppointmentModel *list = screen->appointmentModel();
    QTRY_COMPARE(list->rowCount(), 1);
    QCOMPARE(list->index(0, int(AppointmentModel::Column::State)).data().toString(),
             QStringLiteral("Booked"));
    QTRY_COMPARE(list->index(0, int(AppointmentModel::Column::Doctor)).data().toString(),
                 QStringLiteral("doctor"));

    // Move it to the second slot: the first is free again, the second taken.
    const int bookedVersion = list->appointmentAt(0).value(QStringLiteral("version")).toInt();
    screen->appointmentTable()->setCurrentIndex(list->index(0, 0));
    screen->slotList()->setCurrentIndex(slots->index(slots->rowOf(m_doctorId, second)));
    auto *move = screen->findChild<QPushButton *>(QStringLiteral("rescheduleButton"));
    QVERIFY(move && move->isEnabled());
    QTest::mouseClick(move, Qt::LeftButton);
    QTRY_VERIFY2(screen->statusText().contains(QStringLiteral("moved")),
                 qPrintable(screen->statusText()));
    QCOMPARE(appointmentsAt(first, QStringLiteral("booked")), 0);
    QCOMPARE(appointmentsAt(second, QStringLiteral("booked")), 1);
    QTRY_VERIFY(slots->rowOf(m_doctorId, first) >= 0 && slots->rowOf(m_doctorId, second) < 0);

    // Cancel it: needs a reason; the slot is free again. (The list holds the moved version
    // once its reload arrived: the cancel sends that version as If-Match.)
    QTRY_VERIFY(list->rowCount() == 1
                && list->appointmentAt(0).value(QStringLiteral("version")).toInt() > bookedVersion);
    screen->appointmentTable()->setCurrentIndex(list->index(0, 0));
    auto *cancel = screen->findChild<QPushButton *>(QStringLiteral("cancelAppointmentButton"));
    QVERIFY(cancel);
    QVERIFY(!cancel->isEnabled()); // no reason yet
    screen->cancelReasonField()->setText(QStringLiteral("patient called"));
    QVERIFY(cancel->isEnabled());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_VERIFY2(screen->statusText().contains(QStringLiteral("cancelled")),
                 qPrintable(screen->statusText()));
    QCOMPARE(appointmentsAt(second, QStringLiteral("cancelled")), 1);
    QTRY_VERIFY(slots->rowOf(m_doctorId, second) >= 0);
    QTRY_COMPARE(list->index(0, int(AppointmentModel::Column::State)).data().toString(),
                 QStringLiteral("Cancelled"));
}

void TestAppointmentsScreen::slotTakenByAnotherClientIsRefusedClearly()
{
    newPatient(QStringLiteral("Bea Racer"), QStringLiteral("+15553330011"));
    const QString rival = newPatient(QStringLiteral("Rita Rival"), QStringLiteral("+15553330012"));
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    AppointmentsScreen *screen = openScreen(window, m_tomorrow.addDays(1));
    QVERIFY(screen);
    SlotModel *slots = screen->slotModel();
    QTRY_COMPARE(slots->rowCount(), 4);
    QVERIFY(ui::pickPatient(screen->patientPicker(), QStringLiteral("Bea Racer")));
    screen->slotList()->setCurrentIndex(slots->index(2));
    const QString start = slots->index(2).data(SlotModel::StartRole).toString();

    // The other client is faster, and its event has not reached this screen yet.
    window.live().stop();
    QVERIFY(!bookByRest(rival, start, 201).isEmpty());
    QCOMPARE(slots->rowOf(m_doctorId, start), 2); // still shown as free here

    const qint64 before = m_fixture->count("SELECT count(*) FROM appointments");
    screen->book();
    QTRY_VERIFY2(screen->statusText().startsWith(QStringLiteral("Not done")),
                 qPrintable(screen->statusText()));
    QVERIFY2(screen->statusText().contains(QStringLiteral("already booked")),
             qPrintable(screen->statusText()));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM appointments"), before);
    QCOMPARE(appointmentsAt(start, QStringLiteral("booked")), 1); // the rival's only
    // The screen read the free slots again: the taken one is gone.
    QTRY_COMPARE(slots->rowCount(), 3);
    QCOMPARE(slots->rowOf(m_doctorId, start), -1);
}

void TestAppointmentsScreen::checkInFromAnAppointment()
{
    const QString cleo = newPatient(QStringLiteral("Cleo Arrives"), QStringLiteral("+15553330021"));
    QVERIFY(!cleo.isEmpty());
    // Today's slots may all be past: the appointment goes straight into the table.
    QString appointmentId;
    {
        pqxx::connection connection(m_fixture->superuserUrl());
        pqxx::work tx(connection);
        const pqxx::row row = tx.exec_params1(
            "INSERT INTO appointments (hospital_id, department_id, doctor_id, patient_id, "
            "starts_at, ends_at, created_by) SELECT d.hospital_id, d.id, $2, $3, t, "
            "t + interval '1 second', $2 FROM departments d, (SELECT least(now() + interval "
            "'5 minutes', (date_trunc('day', now() AT TIME ZONE 'UTC') + interval '1 day' "
            "- interval '1 minute') AT TIME ZONE 'UTC') AS t) x WHERE d.id = $1 RETURNING id",
            m_departmentId.toLongLong(), m_doctorId.toLongLong(), cleo.toLongLong());
        tx.commit();
        appointmentId = QString::fromStdString(row[0].as<std::string>());
    }
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    AppointmentsScreen *screen = openScreen(window, QDateTime::currentDateTimeUtc().date());
    QVERIFY(screen);
    QVERIFY(ui::pickPatient(screen->patientPicker(), QStringLiteral("Cleo Arrives")));
    AppointmentModel *list = screen->appointmentModel();
    QTRY_COMPARE(list->rowCount(), 1);
    screen->appointmentTable()->setCurrentIndex(list->index(0, 0));
    auto *checkIn = screen->findChild<QPushButton *>(QStringLiteral("appointmentCheckIn"));
    QVERIFY(checkIn && checkIn->isEnabled());
    QTest::mouseClick(checkIn, Qt::LeftButton);
    QTRY_VERIFY2(screen->tokenText().startsWith(QStringLiteral("Token ")),
                 qPrintable(screen->statusText()));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM appointments WHERE id = "
                              + appointmentId.toStdString()
                              + " AND state = 'checked_in' AND visit_id IS NOT NULL"),
             1);
    QTRY_COMPARE(list->index(0, int(AppointmentModel::Column::State)).data().toString(),
                 QStringLiteral("Checked in"));
    QVERIFY(!checkIn->isEnabled());
}

void TestAppointmentsScreen::cleanupTestCase()
{
    QSettings().clear();
    m_fixture.reset();
}

QTEST_MAIN(TestAppointmentsScreen)
#include "tst_appointments.moc"
