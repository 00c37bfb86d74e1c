#include "app/navigation.h"
#include "models/navigationmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using hms::Permission;
using hms::Role;
using hms::client::NavigationModel;
using hms::client::Screen;

Q_DECLARE_METATYPE(hms::Role)

class TestNavigationModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void screensFollowTheMatrix_data();
    void screensFollowTheMatrix();
    void signedOutIsEmpty();
    void everyScreenNeedsAPermission();
};

void TestNavigationModel::screensFollowTheMatrix_data()
{
    QTest::addColumn<Role>("role");
    QTest::addColumn<QStringList>("expected");
    // Written out by hand from the shared matrix, so a change to either side shows here.
    QTest::newRow("admin") << Role::Admin
                           << QStringList{QStringLiteral("Patients"), QStringLiteral("Bed board"),
                                          QStringLiteral("Users"), QStringLiteral("Audit")};
    QTest::newRow("doctor") << Role::Doctor
                            << QStringList{
                                   QStringLiteral("Patients"),       QStringLiteral("Register"),
                                   QStringLiteral("Queue"),          QStringLiteral("Appointments"),
                                   QStringLiteral("Admission desk"), QStringLiteral("Bed board")};
    QTest::newRow("nurse") << Role::Nurse
                           << QStringList{QStringLiteral("Patients"), QStringLiteral("Queue"),
                                          QStringLiteral("Bed board"), QStringLiteral("Vitals"),
                                          QStringLiteral("Due medications")};
    QTest::newRow("reception") << Role::Reception << QStringList{QStringLiteral("Patients"),
                                                                 QStringLiteral("Register"),
                                                                 QStringLiteral("Queue"),
                                                                 QStringLiteral("Appointments"),
                                                                 QStringLiteral("Admission desk"),
                                                                 QStringLiteral("Bed board")};
    QTest::newRow("pharmacy") << Role::Pharmacy << QStringList{QStringLiteral("Patients")};
    QTest::newRow("lab") << Role::Lab << QStringList{QStringLiteral("Patients")};
}

void TestNavigationModel::screensFollowTheMatrix()
{
    QFETCH(Role, role);
    QFETCH(QStringList, expected);
    NavigationModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.setRole(role);
    QCOMPARE(resets.count(), 1);
    QStringList titles;
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex index = model.index(row);
        titles.append(index.data().toString());
        QCOMPARE(index.data(NavigationModel::ScreenRole).toInt(), int(model.screenAt(row)));
    }
    QCOMPARE(titles, expected);
}

void TestNavigationModel::signedOutIsEmpty()
{
    NavigationModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRole(Role::Admin);
    model.setRole(std::nullopt);
    QCOMPARE(model.rowCount(), 0);
}

void TestNavigationModel::everyScreenNeedsAPermission()
{
    for (const hms::client::ScreenEntry &entry : hms::client::screenTable())
        QVERIFY2(!entry.anyOf.isEmpty(), entry.title);
}

QTEST_MAIN(TestNavigationModel)
#include "tst_navigationmodel.moc"
