// The admission desk against a real hms-server and PostgreSQL: admit through the form (the
// bed turns occupied on every open board), and a bed taken meanwhile by another client is
// refused with the server's 409 naming the bed, admitting nobody.

#include "app/mainwindow.h"
#include "app/navigation.h"
#include "clienttestsupport.h"
#include "live/liveconnection.h"
#include "models/bedmodel.h"
#include "models/patientsearchmodel.h"
#include "screens/common/patientpicker.h"
#include "screens/nurse/bedboardscreen.h"
#include "screens/reception/admissionscreen.h"

#include <QComboBox>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSettings>
#include <QTest>

#include <memory>

using hms::Role;
using hms::client::AdmissionScreen;
using hms::client::BedBoardScreen;
using hms::client::BedModel;
using hms::client::MainWindow;
using hms::client::Screen;
using hms::test::ServerFixture;
namespace ui = hms::test::ui;

class TestAdmissionDesk : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void admitThroughTheForm();
    void bedTakenMeanwhileIsRefusedNamingTheBed();
    void cleanupTestCase();

private:
    AdmissionScreen *openDesk(MainWindow &window);
    static QString statusOf(BedBoardScreen *board, const QString &bedId);
    QString newPatient(const QString &name, const QString &phone);

    std::unique_ptr<ServerFixture> m_fixture;
    QByteArray m_reception;
    QString m_wardId;
    QStringList m_bedIds;
};

void TestAdmissionDesk::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("admissiondesk"));
    if (!m_fixture->isValid())
        QSKIP("HMS_TEST_DATABASE_URL not set");
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    QVERIFY(m_fixture->createHospital(ui::Hospital, QStringLiteral("Alpha General")) > 0);
    for (Role role : {Role::Admin, Role::Nurse, Role::Reception})
        QVERIFY(m_fixture->createUser(ui::Hospital, hms::roleName(role), role, ui::Password) > 0);
    m_reception = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("reception"), ui::Password));
    const QByteArray admin = hms::test::accessTokenOf(
        m_fixture->login(ui::Hospital, QStringLiteral("admin"), ui::Password));
    const QJsonObject ward = ui::call(*m_fixture, "POST", "/api/v1/wards", admin,
                                      {{QStringLiteral("code"), QStringLiteral("MED")},
                                       {QStringLiteral("name"), QStringLiteral("Medical ward")},
                                       {QStringLiteral("kind"), QStringLiteral("general")}});
    m_wardId = ward.value(QStringLiteral("id")).toString();
    QVERIFY(!m_wardId.isEmpty());
    for (const char *code : {"M-01", "M-02", "M-03"}) {
        const QJsonObject bed = ui::call(*m_fixture, "POST", "/api/v1/beds", admin,
                                         {{QStringLiteral("wardId"), m_wardId},
                                          {QStringLiteral("room"), QStringLiteral("12")},
                                          {QStringLiteral("code"), QLatin1String(code)}});
        m_bedIds.append(bed.value(QStringLiteral("id")).toString());
        QVERIFY(!m_bedIds.last().isEmpty());
    }
}

void TestAdmissionDesk::init()
{
    QSettings().clear();
}

QString TestAdmissionDesk::newPatient(const QString &name, const QString &phone)
{
    return ui::call(*m_fixture, "POST", "/api/v1/patients", m_reception,
                    ui::patientBody(name, phone))
        .value(QStringLiteral("id"))
        .toString();
}

QString TestAdmissionDesk::statusOf(BedBoardScreen *board, const QString &bedId)
{
    const int row = board->model()->rowOf(bedId);
    return row < 0 ? QString() : board->model()->index(row).data(BedModel::StatusRole).toString();
}

AdmissionScreen *TestAdmissionDesk::openDesk(MainWindow &window)
{
    window.show();
    if (!ui::signIn(window, m_fixture->port(), QStringLiteral("reception"))
        || !window.showScreen(Screen::Admissions))
        return nullptr;
    auto *desk = qobject_cast<AdmissionScreen *>(window.screenWidget(Screen::Admissions));
    if (!desk)
        return nullptr;
    const bool ready = QTest::qWaitFor(
        [&]() {
            return desk->board()->wardId() == m_wardId
                && desk->board()->model()->rowCount() == m_bedIds.size()
                && window.live().confirmedTopics().contains(QStringLiteral("beds:") + m_wardId);
        },
        10000);
    return ready ? desk : nullptr;
}

void TestAdmissionDesk::admitThroughTheForm()
{
    const QString patient = newPatient(QStringLiteral("Ines Ward"), QStringLiteral("+15554440001"));
    QVERIFY(!patient.isEmpty());
    // A nurse's bed board is open in another window.
    MainWindow nurseWindow(ui::serverUrlOf(m_fixture->port()));
    nurseWindow.show();
    QVERIFY(ui::signIn(nurseWindow, m_fixture->port(), QStringLiteral("nurse")));
    QVERIFY(nurseWindow.showScreen(Screen::BedBoard));
    auto *nurseBoard = qobject_cast<BedBoardScreen *>(nurseWindow.screenWidget(Screen::BedBoard));
    QVERIFY(nurseBoard);
    QTRY_COMPARE(nurseBoard->model()->rowCount(), m_bedIds.size());
    QTRY_VERIFY(nurseWindow.live().confirmedTopics().contains(QStringLiteral("beds:") + m_wardId));

    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    AdmissionScreen *desk = openDesk(window);
    QVERIFY(desk);
    const QString bed = m_bedIds.at(0);
    QVERIFY(BedModel::isFree(statusOf(desk->board(), bed)));
    QVERIFY(!desk->admitButton()->isEnabled());
    QVERIFY(ui::pickPatient(desk->patientPicker(), QStringLiteral("Ines Ward")));
    QVERIFY(desk->board()->selectBedById(bed));
    QVERIFY(!desk->admitButton()->isEnabled()); // the reason is required
    desk->reasonField()->setText(QStringLiteral("pneumonia, IV antibiotics"));
    QVERIFY(desk->admitButton()->isEnabled());
    QTest::mouseClick(desk->admitButton(), Qt::LeftButton);
    QTRY_VERIFY2(desk->statusText().contains(QStringLiteral("admitted")),
                 qPrintable(desk->statusText()));

    QCOMPARE(m_fixture->count("SELECT count(*) FROM admissions WHERE status = 'active' AND "
                              "patient_id = "
                              + patient.toStdString() + " AND bed_id = " + bed.toStdString()
                              + " AND reason = 'pneumonia, IV antibiotics'"),
             1);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM beds WHERE status = 'occupied' AND id = "
                              + bed.toStdString()),
             1);
    // Every open board shows it: this desk's and the nurse's.
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(desk->board(), bed), QStringLiteral("occupied"), 2000);
    QTRY_COMPARE_WITH_TIMEOUT(statusOf(nurseBoard, bed), QStringLiteral("occupied"), 2000);
    QVERIFY(!desk->admitButton()->isEnabled()); // the selected bed is no longer free
}

void TestAdmissionDesk::bedTakenMeanwhileIsRefusedNamingTheBed()
{
    const QString ours = newPatient(QStringLiteral("Jon Late"), QStringLiteral("+15554440011"));
    const QString theirs = newPatient(QStringLiteral("Kim Fast"), QStringLiteral("+15554440012"));
    QVERIFY(!ours.isEmpty() && !theirs.isEmpty());
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    AdmissionScreen *desk = openDesk(window);
    QVERIFY(desk);
    const QString bed = m_bedIds.at(1);
    QVERIFY(BedModel::isFree(statusOf(desk->board(), bed)));
    QVERIFY(ui::pickPatient(desk->patientPicker(), QStringLiteral("Jon Late")));
    QVERIFY(desk->board()->selectBedById(bed));
    desk->reasonField()->setText(QStringLiteral("observation"));

    // Another client admits to that bed, and its event has not reached this desk yet.
    window.live().stop();
    QVERIFY(!ui::call(*m_fixture, "POST", "/api/v1/admissions", m_reception,
                      {{QStringLiteral("patientId"), theirs},
                       {QStringLiteral("bedId"), bed},
                       {QStringLiteral("reason"), QStringLiteral("chest pain")}})
                 .isEmpty());
    QVERIFY(BedModel::isFree(statusOf(desk->board(), bed)));
    QVERIFY(desk->admitButton()->isEnabled());

    QTest::mouseClick(desk->admitButton(), Qt::LeftButton);
    QTRY_VERIFY2(desk->statusText().startsWith(QStringLiteral("Not admitted")),
                 qPrintable(desk->statusText()));
    QVERIFY2(desk->statusText().contains(QStringLiteral("M-02")), qPrintable(desk->statusText()));
    QCOMPARE(m_fixture->count("SELECT count(*) FROM admissions WHERE patient_id = "
                              + ours.toStdString()),
             0);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM admissions WHERE status = 'active' AND "
                              "bed_id = "
                              + bed.toStdString()),
             1);
    // The desk read the ward again: the bed shows occupied and cannot be picked.
    QTRY_COMPARE(statusOf(desk->board(), bed), QStringLiteral("occupied"));
    QVERIFY(!desk->admitButton()->isEnabled());
}

void TestAdmissionDesk::cleanupTestCase()
{
    QSettings().clear();
    m_fixture.reset();
}

QTEST_MAIN(TestAdmissionDesk)
#include "tst_admissiondesk.moc"
