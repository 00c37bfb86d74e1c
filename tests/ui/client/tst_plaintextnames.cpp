// SECURITY.md I4 for hms-client: a patient whose name is HTML is shown as plain text in the
// patient search, the card, the queue board, the bed board, the appointment and admission
// desks; no label or tool tip renders it as rich text, and a canary HTTP listener at the
// image's address receives no connection.

#include "app/mainwindow.h"
#include "app/navigation.h"
#include "clienttestsupport.h"
#include "models/patientsearchmodel.h"
#include "models/queuemodel.h"
#include "screens/common/patientpicker.h"
#include "screens/reception/admissionscreen.h"
#include "screens/reception/appointmentsscreen.h"
#include "screens/reception/patientsscreen.h"
#include "screens/reception/queuescreen.h"

#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QTableView>
#include <QTcpServer>
#include <QTest>

#include <memory>

using hms::Role;
using hms::client::MainWindow;
using hms::client::PatientSearchModel;
using hms::client::QueueModel;
using hms::client::Screen;
using hms::test::ServerFixture;
namespace ui = hms::test::ui;

class TestPlainTextNames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void htmlNameIsShownLiterallyEverywhere();
    void cleanupTestCase();

private:
    /// Every label and tool tip of \a root that shows \a text must do so as plain text.
    static void verifyNoRichText(QWidget *root, const QString &text);

    std::unique_ptr<ServerFixture> m_fixture;
    QTcpServer m_canary;
    int m_canaryHits = 0;
};

void TestPlainTextNames::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY(m_canary.listen(QHostAddress::LocalHost, 0));
    connect(&m_canary, &QTcpServer::newConnection, this, [this]() {
        ++m_canaryHits;
        delete m_canary.nextPendingConnection();
    });
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("plaintextnames"));
    if (!m_fixture->isValid())
        QSKIP("HMS_TEST_DATABASE_URL not set");
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    QVERIFY(m_fixture->createHospital(ui::Hospital, QStringLiteral("Alpha General")) > 0);
    for (Role role : {Role::Admin, Role::Reception})
        QVERIFY(m_fixture->createUser(ui::Hospital, hms::roleName(role), role, ui::Password) > 0);
}

void TestPlainTextNames::verifyNoRichText(QWidget *root, const QString &text)
{
    for (QLabel *label : root->findChildren<QLabel *>()) {
        if (label->text().contains(text))
            QVERIFY2(label->textFormat() == Qt::PlainText, qPrintable(label->objectName()));
    }
    for (QWidget *widget : root->findChildren<QWidget *>())
        QVERIFY2(!widget->toolTip().contains(QLatin1String("<img")),
                 qPrintable(widget->objectName()));
}

void TestPlainTextNames::htmlNameIsShownLiterallyEverywhere()
{
    const QString name =
        QStringLiteral("<img src=http://127.0.0.1:%1/x><b>x</b>").arg(m_canary.serverPort());
    const QString phone = QStringLiteral("+15556660001");
    const QByteArray admin = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("admin"), ui::Password));
    const QByteArray reception = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("reception"), ui::Password));
    const QString departmentId = ui::call(*m_fixture, "POST", "/api/v1/departments", admin,
                                          {{QStringLiteral("code"), QStringLiteral("ER")},
                                           {QStringLiteral("name"), QStringLiteral("Emergency")}})
                                     .value(QStringLiteral("id"))
                                     .toString();
    const QString wardId = ui::call(*m_fixture, "POST", "/api/v1/wards", admin,
                                    {{QStringLiteral("code"), QStringLiteral("W")},
                                     {QStringLiteral("name"), QStringLiteral("Ward")},
                                     {QStringLiteral("kind"), QStringLiteral("general")}})
                               .value(QStringLiteral("id"))
                               .toString();
    const QString bedId = ui::call(*m_fixture, "POST", "/api/v1/beds", admin,
                                   {{QStringLiteral("wardId"), wardId},
                                    {QStringLiteral("room"), QStringLiteral("1")},
                                    {QStringLiteral("code"), QStringLiteral("W-1")}})
                              .value(QStringLiteral("id"))
                              .toString();
    const QString patientId =
        ui::call(*m_fixture, "POST", "/api/v1/patients", reception, ui::patientBody(name, phone))
            .value(QStringLiteral("id"))
            .toString();
    QVERIFY(!departmentId.isEmpty() && !bedId.isEmpty() && !patientId.isEmpty());
    QVERIFY(!ui::call(*m_fixture, "POST", "/api/v1/visits", reception,
                      {{QStringLiteral("patientId"), patientId},
                       {QStringLiteral("departmentId"), departmentId}})
                 .isEmpty());
    QVERIFY(!ui::call(*m_fixture, "POST", "/api/v1/admissions", reception,
                      {{QStringLiteral("patientId"), patientId},
                       {QStringLiteral("bedId"), bedId},
                       {QStringLiteral("reason"), QStringLiteral("observation")}})
                 .isEmpty());

    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    QVERIFY(ui::signIn(window, m_fixture->port(), QStringLiteral("reception")));

    // Search and card.
    QVERIFY(window.showScreen(Screen::Patients));
    auto *patients =
        qobject_cast<hms::client::PatientsScreen *>(window.screenWidget(Screen::Patients));
    QVERIFY(patients);
    QTest::keyClicks(patients->findChild<QLineEdit *>(QStringLiteral("searchEdit")), phone);
    PatientSearchModel *found = patients->model();
    QTRY_COMPARE(found->rowCount(), 1);
    const QModelIndex nameCell = found->index(0, int(PatientSearchModel::Column::FullName));
    QCOMPARE(nameCell.data().toString(), name);
    patients->findChild<QTableView *>(QStringLiteral("patientTable"))->setCurrentIndex(nameCell);
    QLabel *cardName = nullptr;
    QTRY_VERIFY((cardName = patients->findChild<QLabel *>(QStringLiteral("cardName"))));
    QCOMPARE(cardName->text(), name);
    QCOMPARE(cardName->textFormat(), Qt::PlainText);
    QVERIFY(window.grab().width() > 0); // paint it all once

    // Queue board.
    QVERIFY(window.showScreen(Screen::Queue));
    auto *queue = qobject_cast<hms::client::QueueScreen *>(window.screenWidget(Screen::Queue));
    QVERIFY(queue);
    queue->showDepartment(departmentId);
    QTRY_COMPARE(queue->model()->rowCount(), 1);
    QCOMPARE(queue->model()->index(0, int(QueueModel::Column::FullName)).data().toString(), name);
    QVERIFY(window.grab().width() > 0);

    // Appointment and admission desks: the patient pickers and their summaries.
    QVERIFY(window.showScreen(Screen::Appointments));
    auto *appointments =
        qobject_cast<hms::client::AppointmentsScreen *>(window.screenWidget(Screen::Appointments));
    QVERIFY(appointments);
    QVERIFY(ui::pickPatient(appointments->patientPicker(), name, phone));
    QVERIFY(window.grab().width() > 0);
    QVERIFY(window.showScreen(Screen::Admissions));
    auto *desk =
        qobject_cast<hms::client::AdmissionScreen *>(window.screenWidget(Screen::Admissions));
    QVERIFY(desk);
    QVERIFY(ui::pickPatient(desk->patientPicker(), name, phone));
    auto *summary = desk->findChild<QLabel *>(QStringLiteral("admitSelection"));
    QVERIFY(summary);
    QTRY_VERIFY(summary->text().contains(name));
    QCOMPARE(summary->textFormat(), Qt::PlainText);
    // The bed board (same board as the nurse's) with the patient's bed occupied.
    QVERIFY(window.showScreen(Screen::BedBoard));
    QVERIFY(window.grab().width() > 0);

    verifyNoRichText(&window, name);
    QTest::qWait(200); // a fetch, were one started, would connect by now
    QCOMPARE(m_canaryHits, 0);
}

void TestPlainTextNames::cleanupTestCase()
{
    QSettings().clear();
    m_fixture.reset();
}

QTEST_MAIN(TestPlainTextNames)
#include "tst_plaintextnames.moc"
