// The nurse's screens against a real hms-server: vitals entered through the form land on the
// server and in the chart; values outside the shared clinical rules are refused inline before
// anything is sent; the server's own 422 shows next to its field; the due medication list
// loses a dose recorded here or by another client (live, within a second); doctors and
// receptionists do not get these screens.
#include "app/mainwindow.h"
#include "app/navigation.h"
#include "clienttestsupport.h"
#include "live/liveconnection.h"
#include "models/asneededmodel.h"
#include "models/duedosemodel.h"
#include "models/vitalsmodel.h"
#include "screens/nurse/duemedicationsscreen.h"
#include "screens/nurse/vitalsscreen.h"
#include "shared/protocol/apipaths.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QJsonArray>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTest>

#include <memory>

using hms::Role;
using hms::client::AsNeededModel;
using hms::client::DueDoseModel;
using hms::client::DueMedicationsScreen;
using hms::client::MainWindow;
using hms::client::Screen;
using hms::client::VitalsModel;
using hms::client::VitalsScreen;
using hms::test::ServerFixture;
namespace ui = hms::test::ui;

namespace {

QByteArray pathOf(const char *pathTemplate, const QString &id)
{
    return QByteArray(pathTemplate).replace("{id}", id.toUtf8());
}

} // namespace

class TestNurseScreens : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void onlyNursesGetTheNurseScreens_data();
    void onlyNursesGetTheNurseScreens();
    void vitalsFromTheFormLandOnTheServerAndInTheChart();
    void outOfRangeValuesAreRefusedInlineAndNothingIsSent();
    void theServersRefusalShowsNextToTheField();
    void aDoseRecordedAsGivenLeavesTheDueList();
    void aHeldDoseNeedsAReasonFirst();
    void aDoseRecordedByAnotherClientLeavesWithinASecond();
    void aPrnDoseIsRecordedWithItsIndication();
    void aPrnDoseOfAStoppedOrderShowsTheServersRefusal();
    void cleanupTestCase();

private:
    QByteArray tokenOf(const QString &username) const;
    /// A signed-in nurse window showing \a screen; nullptr (with a failure) otherwise.
    template<typename T>
    T *openAsNurse(MainWindow &window, Screen screen);
    QJsonArray vitalsOnServer() const;
    /// The ward's due list as the server has it.
    QJsonArray dueOnServer() const;
    /// The ward's as-needed order of \a prescriptionId as the server lists it.
    QJsonObject asNeededOnServer(const QString &prescriptionId) const;

    std::unique_ptr<ServerFixture> m_fixture;
    QString m_wardId;
    QString m_admissionId;
    QString m_prescriptionId;
    QString m_prnId; ///< an as-needed (PRN) order of the same stay
    QByteArray m_nurse; ///< another nurse client's access token
};

void TestNurseScreens::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("nursescreens"));
    if (!m_fixture->isValid())
        QSKIP("HMS_TEST_DATABASE_URL not set");
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    QVERIFY(m_fixture->createHospital(ui::Hospital, QStringLiteral("Alpha General")) > 0);
    for (Role role : {Role::Admin, Role::Doctor, Role::Nurse, Role::Reception})
        QVERIFY(m_fixture->createUser(ui::Hospital, hms::roleName(role), role, ui::Password) > 0);

    // A ward with two beds, one patient admitted, and a doctor's Q4H prescription that
    // started yesterday: several doses fall in the screen's window whatever the time.
    const QByteArray admin = tokenOf(QStringLiteral("admin"));
    m_wardId = ui::call(*m_fixture, "POST", hms::api::Wards, admin,
                        {{QStringLiteral("code"), QStringLiteral("N1")},
                         {QStringLiteral("name"), QStringLiteral("Nightingale")},
                         {QStringLiteral("kind"), QStringLiteral("general")}})
                   .value(QStringLiteral("id"))
                   .toString();
    QVERIFY(!m_wardId.isEmpty());
    QString bedId;
    for (const char *code : {"N1-01", "N1-02"}) {
        bedId = ui::call(*m_fixture, "POST", hms::api::Beds, admin,
                         {{QStringLiteral("wardId"), m_wardId},
                          {QStringLiteral("room"), QStringLiteral("7")},
                          {QStringLiteral("code"), QLatin1String(code)}})
                    .value(QStringLiteral("id"))
                    .toString();
        QVERIFY(!bedId.isEmpty());
    }
    const QByteArray reception = tokenOf(QStringLiteral("reception"));
    const QJsonObject patient =
        ui::call(*m_fixture, "POST", hms::api::Patients, reception,
                 ui::patientBody(QStringLiteral("Edith Vitals"), QStringLiteral("+15553330001")));
    m_admissionId = ui::call(*m_fixture, "POST", hms::api::Admissions, reception,
                             {{QStringLiteral("patientId"), patient.value(QStringLiteral("id"))},
                              {QStringLiteral("bedId"), bedId},
                              {QStringLiteral("reason"), QStringLiteral("observation")}})
                        .value(QStringLiteral("id"))
                        .toString();
    QVERIFY(!m_admissionId.isEmpty());
    const QDateTime yesterday(QDateTime::currentDateTimeUtc().date().addDays(-1), QTime(0, 0),
                              Qt::UTC);
    m_prescriptionId =
        ui::call(*m_fixture, "POST", pathOf(hms::api::AdmissionPrescriptions, m_admissionId),
                 tokenOf(QStringLiteral("doctor")),
                 {{QStringLiteral("drug"), QStringLiteral("Paracetamol")},
                  {QStringLiteral("dose"), QStringLiteral("1 g")},
                  {QStringLiteral("route"), QStringLiteral("oral")},
                  {QStringLiteral("frequency"), QStringLiteral("Q4H")},
                  {QStringLiteral("startAt"), yesterday.toString(Qt::ISODate)}})
            .value(QStringLiteral("id"))
            .toString();
    QVERIFY(!m_prescriptionId.isEmpty());
    m_prnId = ui::call(*m_fixture, "POST", pathOf(hms::api::AdmissionPrescriptions, m_admissionId),
                       tokenOf(QStringLiteral("doctor")),
                       {{QStringLiteral("drug"), QStringLiteral("Ibuprofen")},
                        {QStringLiteral("dose"), QStringLiteral("400 mg")},
                        {QStringLiteral("route"), QStringLiteral("oral")},
                        {QStringLiteral("frequency"), QStringLiteral("PRN")},
                        {QStringLiteral("instructions"), QStringLiteral("pain score 4 or more")},
                        {QStringLiteral("startAt"), yesterday.toString(Qt::ISODate)}})
                  .value(QStringLiteral("id"))
                  .toString();
    QVERIFY(!m_prnId.isEmpty());
    m_nurse = tokenOf(QStringLiteral("nurse"));
    QVERIFY(!m_nurse.isEmpty());
}

void TestNurseScreens::init()
{
    QSettings().clear();
}

QByteArray TestNurseScreens::tokenOf(const QString &username) const
{
    return hms::test::accessTokenOf(m_fixture->login(ui::Hospital, username, ui::Password));
}

template<typename T>
T *TestNurseScreens::openAsNurse(MainWindow &window, Screen screen)
{
    window.show();
    if (!ui::signIn(window, m_fixture->port(), QStringLiteral("nurse"))) {
        qWarning("the nurse could not sign in");
        return nullptr;
    }
    if (!window.showScreen(screen)) {
        qWarning("the nurse has no such screen");
        return nullptr;
    }
    return qobject_cast<T *>(window.screenWidget(screen));
}

QJsonArray TestNurseScreens::vitalsOnServer() const
{
    return ui::call(*m_fixture, "GET", pathOf(hms::api::AdmissionVitals, m_admissionId), m_nurse)
        .value(QStringLiteral("items"))
        .toArray();
}

QJsonArray TestNurseScreens::dueOnServer() const
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QByteArray query =
        "?from=" + QUrl::toPercentEncoding(now.addSecs(-24 * 3600).toString(Qt::ISODate))
        + "&to=" + QUrl::toPercentEncoding(now.addSecs(2 * 3600).toString(Qt::ISODate));
    return ui::call(*m_fixture, "GET", pathOf(hms::api::WardMedicationsDue, m_wardId) + query,
                    m_nurse)
        .value(QStringLiteral("items"))
        .toArray();
}

void TestNurseScreens::onlyNursesGetTheNurseScreens_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<bool>("hasThem");
    QTest::newRow("nurse") << QStringLiteral("nurse") << true;
    QTest::newRow("doctor") << QStringLiteral("doctor") << false;
    QTest::newRow("reception") << QStringLiteral("reception") << false;
    QTest::newRow("admin") << QStringLiteral("admin") << false;
}

void TestNurseScreens::onlyNursesGetTheNurseScreens()
{
    QFETCH(QString, username);
    QFETCH(bool, hasThem);
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    QVERIFY(ui::signIn(window, m_fixture->port(), username));
    for (Screen screen : {Screen::Vitals, Screen::DueMedications}) {
        const QString title = hms::client::screenTitle(screen);
        QCOMPARE(window.navigationEntries().contains(title), hasThem);
        QCOMPARE(window.showScreen(screen), hasThem);
        QCOMPARE(window.screenWidget(screen) != nullptr, hasThem);
    }
}

void TestNurseScreens::vitalsFromTheFormLandOnTheServerAndInTheChart()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    auto *screen = openAsNurse<VitalsScreen>(window, Screen::Vitals);
    QVERIFY(screen);
    QAbstractItemModelTester tester(screen->chart(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(screen->wardCombo()->currentData().toString(), m_wardId);
    QTRY_COMPARE(screen->patientList()->count(), 1);
    QVERIFY(screen->patientList()->item(0)->text().contains(QStringLiteral("Edith Vitals")));
    QVERIFY(screen->selectAdmission(m_admissionId));
    QCOMPARE(screen->admissionId(), m_admissionId);
    const qsizetype before = vitalsOnServer().size();

    const QList<QPair<QString, QString>> values = {
        {QStringLiteral("temperatureC"), QStringLiteral("38.4")},
        {QStringLiteral("pulse"), QStringLiteral("104")},
        {QStringLiteral("systolic"), QStringLiteral("132")},
        {QStringLiteral("diastolic"), QStringLiteral("84")},
        {QStringLiteral("spo2"), QStringLiteral("95")},
        {QStringLiteral("respiration"), QStringLiteral("22")},
        {QStringLiteral("painScore"), QStringLiteral("3")}};
    for (const auto &[key, text] : values) {
        QLineEdit *edit = screen->field(key);
        QVERIFY2(edit, qPrintable(key));
        edit->setFocus();
        QTest::keyClicks(edit, text);
    }
    QTRY_VERIFY(screen->recordButton()->isEnabled());
    QTest::mouseClick(screen->recordButton(), Qt::LeftButton);

    // On the server: one more vitals document of this stay, with exactly these values.
    QTRY_COMPARE(vitalsOnServer().size(), before + 1);
    const QJsonObject body =
        vitalsOnServer().first().toObject().value(QStringLiteral("body")).toObject();
    QCOMPARE(body.value(QStringLiteral("temperatureC")).toDouble(), 38.4);
    QCOMPARE(body.value(QStringLiteral("pulse")).toInt(), 104);
    QCOMPARE(body.value(QStringLiteral("systolic")).toInt(), 132);
    QCOMPARE(body.value(QStringLiteral("diastolic")).toInt(), 84);
    QCOMPARE(body.value(QStringLiteral("spo2")).toInt(), 95);
    QCOMPARE(body.value(QStringLiteral("respiration")).toInt(), 22);
    QCOMPARE(body.value(QStringLiteral("painScore")).toInt(), 3);

    // In the chart, newest first, and the form is empty for the next round.
    QTRY_COMPARE(screen->chart()->rowCount(), int(before + 1));
    const auto cell = [screen](VitalsModel::Column column) {
        return screen->chart()->index(0, int(column)).data().toString();
    };
    QCOMPARE(cell(VitalsModel::Column::Temperature), QStringLiteral("38.4"));
    QCOMPARE(cell(VitalsModel::Column::Pulse), QStringLiteral("104"));
    QCOMPARE(cell(VitalsModel::Column::BloodPressure), QStringLiteral("132/84"));
    QCOMPARE(cell(VitalsModel::Column::SpO2), QStringLiteral("95"));
    QCOMPARE(cell(VitalsModel::Column::Pain), QStringLiteral("3"));
    QVERIFY(screen->field(QStringLiteral("pulse"))->text().isEmpty());

    // Vitals charted by another client show up in this chart live (vitals.recorded on
    // beds:<ward>), on top.
    QTRY_VERIFY(window.live().confirmedTopics().contains(QStringLiteral("beds:") + m_wardId));
    QVERIFY(!ui::call(*m_fixture, "POST", pathOf(hms::api::AdmissionVitals, m_admissionId), m_nurse,
                      {{QStringLiteral("pulse"), 61}})
                 .isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(screen->chart()->rowCount(), int(before + 2), 2000);
    QCOMPARE(cell(VitalsModel::Column::Pulse), QStringLiteral("61"));
    QVERIFY(cell(VitalsModel::Column::Temperature).isEmpty());
}

void TestNurseScreens::outOfRangeValuesAreRefusedInlineAndNothingIsSent()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    auto *screen = openAsNurse<VitalsScreen>(window, Screen::Vitals);
    QVERIFY(screen);
    QTRY_COMPARE(screen->patientList()->count(), 1);
    QVERIFY(screen->selectAdmission(m_admissionId));
    const qsizetype before = vitalsOnServer().size();

    screen->field(QStringLiteral("pulse"))->setText(QStringLiteral("300"));
    screen->field(QStringLiteral("temperatureC"))->setText(QStringLiteral("hot"));
    screen->field(QStringLiteral("systolic"))->setText(QStringLiteral("90"));
    screen->field(QStringLiteral("diastolic"))->setText(QStringLiteral("95"));
    QTest::mouseClick(screen->recordButton(), Qt::LeftButton);
    QCOMPARE(screen->fieldError(QStringLiteral("temperatureC")),
             QStringLiteral("must be a number"));
    QVERIFY(screen->fieldError(QStringLiteral("spo2")).isEmpty());
    QCOMPARE(screen->requestsSent(), 0);

    // The number parses now; the shared clinical rules judge the rest.
    screen->field(QStringLiteral("temperatureC"))->setText(QStringLiteral("37"));
    QTest::mouseClick(screen->recordButton(), Qt::LeftButton);
    QVERIFY(screen->fieldError(QStringLiteral("temperatureC")).isEmpty());
    QVERIFY2(screen->fieldError(QStringLiteral("pulse")).contains(QStringLiteral("between")),
             qPrintable(screen->fieldError(QStringLiteral("pulse"))));
    // diastolic vs systolic is only judged once every value is in range
    screen->field(QStringLiteral("pulse"))->setText(QStringLiteral("80"));
    QTest::mouseClick(screen->recordButton(), Qt::LeftButton);
    QVERIFY(screen->fieldError(QStringLiteral("pulse")).isEmpty());
    QCOMPARE(screen->fieldError(QStringLiteral("diastolic")),
             QStringLiteral("must be below systolic"));
    QCOMPARE(screen->focusWidget(), screen->field(QStringLiteral("diastolic")));

    // An empty form is refused too.
    for (const QString &key : {QStringLiteral("temperatureC"), QStringLiteral("pulse"),
                               QStringLiteral("systolic"), QStringLiteral("diastolic")})
        screen->field(key)->clear();
    QTest::mouseClick(screen->recordButton(), Qt::LeftButton);
    QVERIFY(screen->statusText().startsWith(QStringLiteral("Not recorded")));

    QCOMPARE(screen->requestsSent(), 0);
    QTest::qWait(200);
    QCOMPARE(vitalsOnServer().size(), before);
}

void TestNurseScreens::theServersRefusalShowsNextToTheField()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    auto *screen = openAsNurse<VitalsScreen>(window, Screen::Vitals);
    QVERIFY(screen);
    QTRY_COMPARE(screen->patientList()->count(), 1);
    QVERIFY(screen->selectAdmission(m_admissionId));

    // The shared rules take any free text; the server keeps nursing notes to 10,000
    // characters and answers 422 on "text": the client shows that next to the note.
    screen->noteField()->setPlainText(QString(10001, QLatin1Char('x')));
    QVERIFY(screen->noteButton()->isEnabled());
    QTest::mouseClick(screen->noteButton(), Qt::LeftButton);
    QCOMPARE(screen->requestsSent(), 1);
    QTRY_VERIFY(!screen->fieldError(QStringLiteral("text")).isEmpty());
    QVERIFY2(screen->fieldError(QStringLiteral("text")).contains(QStringLiteral("10000")),
             qPrintable(screen->fieldError(QStringLiteral("text"))));
    QVERIFY(screen->statusText().startsWith(QStringLiteral("Note not saved")));
    QCOMPARE(screen->noteField()->toPlainText().size(), 10001); // kept for correcting

    // A note within the limit is saved and the error goes away.
    screen->noteField()->setPlainText(QStringLiteral("Slept well; mobilising with a frame."));
    QTest::mouseClick(screen->noteButton(), Qt::LeftButton);
    QTRY_COMPARE(screen->statusText(), QStringLiteral("Nursing note saved."));
    QVERIFY(screen->fieldError(QStringLiteral("text")).isEmpty());
    const QJsonArray notes =
        ui::call(*m_fixture, "GET", pathOf(hms::api::AdmissionNursingNotes, m_admissionId), m_nurse)
            .value(QStringLiteral("items"))
            .toArray();
    QCOMPARE(notes.size(), 1);
    QCOMPARE(notes.first()
                 .toObject()
                 .value(QStringLiteral("body"))
                 .toObject()
                 .value(QStringLiteral("text"))
                 .toString(),
             QStringLiteral("Slept well; mobilising with a frame."));
}

void TestNurseScreens::aDoseRecordedAsGivenLeavesTheDueList()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    auto *screen = openAsNurse<DueMedicationsScreen>(window, Screen::DueMedications);
    QVERIFY(screen);
    QAbstractItemModelTester tester(screen->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(screen->wardCombo()->currentData().toString(), m_wardId);
    QTRY_VERIFY(screen->model()->rowCount() >= 2);
    const int rows = screen->model()->rowCount();
    // The oldest dose (first row) is selected; Q4H from yesterday: it is overdue.
    QTRY_VERIFY(screen->table()->currentIndex().isValid());
    const QModelIndex current = screen->table()->currentIndex();
    QCOMPARE(current.row(), 0);
    QCOMPARE(current.data(DueDoseModel::PrescriptionIdRole).toString(), m_prescriptionId);
    const QString dueAt = current.data(DueDoseModel::DueAtRole).toString();
    QVERIFY(current.data(DueDoseModel::OverdueRole).toBool());
    QCOMPARE(screen->model()->index(0, 0).data(Qt::BackgroundRole).value<QColor>(),
             DueDoseModel::overdueColor());
    QVERIFY(screen->model()
                ->index(0, int(DueDoseModel::Column::Patient))
                .data()
                .toString()
                .contains(QStringLiteral("Edith Vitals")));

    // Keyboard: Ctrl+G records the selected dose as given.
    QVERIFY(QTest::qWaitForWindowActive(&window));
    screen->table()->setFocus();
    QTest::keyClick(screen->table(), Qt::Key_G, Qt::ControlModifier);
    QTRY_COMPARE(screen->model()->rowOf(m_prescriptionId, dueAt), -1);
    QCOMPARE(screen->model()->rowCount(), rows - 1);
    QVERIFY2(screen->statusText().contains(QStringLiteral("given")),
             qPrintable(screen->statusText()));

    // The server has it as given for that slot.
    bool found = false;
    for (const QJsonValue &value : dueOnServer()) {
        const QJsonObject dose = value.toObject();
        if (dose.value(QStringLiteral("dueAt")).toString() != dueAt)
            continue;
        found = true;
        QCOMPARE(dose.value(QStringLiteral("administration"))
                     .toObject()
                     .value(QStringLiteral("outcome"))
                     .toString(),
                 QStringLiteral("given"));
    }
    QVERIFY(found);
}

void TestNurseScreens::aHeldDoseNeedsAReasonFirst()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    auto *screen = openAsNurse<DueMedicationsScreen>(window, Screen::DueMedications);
    QVERIFY(screen);
    QTRY_VERIFY(screen->model()->rowCount() >= 1);
    QTRY_VERIFY(screen->table()->currentIndex().isValid());
    const QModelIndex current = screen->table()->currentIndex();
    const QString prescriptionId = current.data(DueDoseModel::PrescriptionIdRole).toString();
    const QString dueAt = current.data(DueDoseModel::DueAtRole).toString();
    const int rows = screen->model()->rowCount();

    QTest::mouseClick(screen->heldButton(), Qt::LeftButton);
    QCOMPARE(screen->reasonError(), QStringLiteral("A held or refused dose needs the reason."));
    QCOMPARE(screen->focusWidget(), screen->reasonField());
    QTest::qWait(200);
    QCOMPARE(screen->model()->rowCount(), rows); // nothing sent, nothing changed

    QTest::keyClicks(screen->reasonField(), QStringLiteral("nil by mouth before theatre"));
    QTest::mouseClick(screen->heldButton(), Qt::LeftButton);
    QTRY_COMPARE(screen->model()->rowOf(prescriptionId, dueAt), -1);
    QVERIFY(screen->reasonError().isEmpty());
    QVERIFY(screen->reasonField()->text().isEmpty());
    for (const QJsonValue &value : dueOnServer()) {
        const QJsonObject dose = value.toObject();
        if (dose.value(QStringLiteral("prescriptionId")).toString() != prescriptionId
            || dose.value(QStringLiteral("dueAt")).toString() != dueAt)
            continue;
        const QJsonObject record = dose.value(QStringLiteral("administration")).toObject();
        QCOMPARE(record.value(QStringLiteral("outcome")).toString(), QStringLiteral("held"));
        QCOMPARE(record.value(QStringLiteral("reason")).toString(),
                 QStringLiteral("nil by mouth before theatre"));
    }
}

void TestNurseScreens::aDoseRecordedByAnotherClientLeavesWithinASecond()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    auto *screen = openAsNurse<DueMedicationsScreen>(window, Screen::DueMedications);
    QVERIFY(screen);
    QTRY_VERIFY(screen->model()->rowCount() >= 1);
    QTRY_VERIFY(window.live().confirmedTopics().contains(QStringLiteral("beds:") + m_wardId));
    const int last = screen->model()->rowCount() - 1;
    const QModelIndex dose = screen->model()->index(last, 0);
    const QString prescriptionId = dose.data(DueDoseModel::PrescriptionIdRole).toString();
    const QString dueAt = dose.data(DueDoseModel::DueAtRole).toString();

    // Another nurse's client records it.
    QVERIFY(!ui::call(*m_fixture, "POST",
                      pathOf(hms::api::PrescriptionAdministrations, prescriptionId), m_nurse,
                      {{QStringLiteral("dueAt"), dueAt},
                       {QStringLiteral("outcome"), QStringLiteral("refused")},
                       {QStringLiteral("reason"), QStringLiteral("patient declined")}})
                 .isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(screen->model()->rowOf(prescriptionId, dueAt), -1, 1000);
}

QJsonObject TestNurseScreens::asNeededOnServer(const QString &prescriptionId) const
{
    const QJsonObject due =
        ui::call(*m_fixture, "GET", pathOf(hms::api::WardMedicationsDue, m_wardId), m_nurse);
    for (const QJsonValue &value : due.value(QStringLiteral("asNeeded")).toArray()) {
        if (value.toObject().value(QStringLiteral("prescriptionId")).toString() == prescriptionId)
            return value.toObject();
    }
    return {};
}

void TestNurseScreens::aPrnDoseIsRecordedWithItsIndication()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    auto *screen = openAsNurse<DueMedicationsScreen>(window, Screen::DueMedications);
    QVERIFY(screen);
    // The PRN order is listed in its own table, not among the scheduled doses.
    QTRY_VERIFY(screen->asNeededModel()->rowOf(m_prnId) >= 0);
    QCOMPARE(screen->model()->rowOf(m_prnId, QString()), -1);
    const int row = screen->asNeededModel()->rowOf(m_prnId);
    const auto cell = [screen, this](AsNeededModel::Column column) {
        return screen->asNeededModel()
            ->index(screen->asNeededModel()->rowOf(m_prnId), int(column))
            .data()
            .toString();
    };
    QCOMPARE(cell(AsNeededModel::Column::Drug), QStringLiteral("Ibuprofen"));
    QCOMPARE(cell(AsNeededModel::Column::Instructions), QStringLiteral("pain score 4 or more"));
    QCOMPARE(cell(AsNeededModel::Column::LastGiven), QStringLiteral("not given yet"));
    QCOMPARE(asNeededOnServer(m_prnId).value(QStringLiteral("givenLast24h")).toInt(), 0);

    // Without an indication nothing is sent.
    screen->asNeededTable()->selectRow(row);
    QVERIFY(screen->prnGivenButton()->isEnabled());
    QTest::mouseClick(screen->prnGivenButton(), Qt::LeftButton);
    QCOMPARE(screen->indicationError(),
             QStringLiteral("A PRN dose needs its indication (why it is given now)."));
    QCOMPARE(screen->focusWidget(), screen->indicationField());
    QTest::qWait(200);
    QCOMPARE(asNeededOnServer(m_prnId).value(QStringLiteral("givenLast24h")).toInt(), 0);

    // With it, the dose is recorded now (Ctrl+P from the keyboard).
    QTest::keyClicks(screen->indicationField(), QStringLiteral("pain 6/10 after physiotherapy"));
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTest::keyClick(screen->indicationField(), Qt::Key_P, Qt::ControlModifier);
    QTRY_VERIFY2(screen->statusText().contains(QStringLiteral("PRN dose of Ibuprofen recorded")),
                 qPrintable(screen->statusText()));
    QVERIFY(screen->indicationError().isEmpty());
    QVERIFY(screen->indicationField()->text().isEmpty());
    const QJsonObject order = asNeededOnServer(m_prnId);
    QCOMPARE(order.value(QStringLiteral("givenLast24h")).toInt(), 1);
    QVERIFY(order.value(QStringLiteral("lastGivenAt")).isString());
    // The list is read again: the row shows the dose.
    QTRY_COMPARE(cell(AsNeededModel::Column::Given24h), AsNeededModel::tr("%n dose(s)", "", 1));
    QVERIFY(cell(AsNeededModel::Column::LastGiven) != QStringLiteral("not given yet"));
    // The record carries the indication as its reason.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QJsonObject records =
        ui::call(*m_fixture, "GET",
                 pathOf(hms::api::WardMedicationAdministrations, m_wardId)
                     + "?from=" + now.addSecs(-600).toString(Qt::ISODate).toUtf8()
                     + "&to=" + now.addSecs(60).toString(Qt::ISODate).toUtf8(),
                 m_nurse);
    bool found = false;
    for (const QJsonValue &value : records.value(QStringLiteral("items")).toArray()) {
        const QJsonObject item = value.toObject();
        if (item.value(QStringLiteral("prescriptionId")).toString() != m_prnId)
            continue;
        found = true;
        const QJsonObject record = item.value(QStringLiteral("administration")).toObject();
        QCOMPARE(record.value(QStringLiteral("outcome")).toString(), QStringLiteral("given"));
        QCOMPARE(record.value(QStringLiteral("reason")).toString(),
                 QStringLiteral("pain 6/10 after physiotherapy"));
    }
    QVERIFY(found);
}

void TestNurseScreens::aPrnDoseOfAStoppedOrderShowsTheServersRefusal()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    auto *screen = openAsNurse<DueMedicationsScreen>(window, Screen::DueMedications);
    QVERIFY(screen);
    QTRY_VERIFY(screen->asNeededModel()->rowOf(m_prnId) >= 0);
    screen->asNeededTable()->selectRow(screen->asNeededModel()->rowOf(m_prnId));
    // The doctor stops the order through the API directly (as if this screen missed the event,
    // the request goes out with the stale row).
    window.live().stop();
    QVERIFY(!ui::call(*m_fixture, "POST", pathOf(hms::api::PrescriptionStop, m_prnId),
                      tokenOf(QStringLiteral("doctor")),
                      {{QStringLiteral("reason"), QStringLiteral("pain controlled")}})
                 .isEmpty());
    QTest::keyClicks(screen->indicationField(), QStringLiteral("headache"));
    QTest::mouseClick(screen->prnGivenButton(), Qt::LeftButton);
    QTRY_VERIFY2(!screen->prnError().isEmpty(), qPrintable(screen->statusText()));
    QVERIFY2(screen->prnError().contains(QStringLiteral("stopped")),
             qPrintable(screen->prnError()));
    // The 409 reads the list again: the stopped order leaves it.
    QTRY_COMPARE(screen->asNeededModel()->rowOf(m_prnId), -1);
}

void TestNurseScreens::cleanupTestCase()
{
    QSettings().clear();
    m_fixture.reset();
}

QTEST_MAIN(TestNurseScreens)
#include "tst_nursescreens.moc"
