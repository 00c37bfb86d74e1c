#include "models/queuemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using hms::client::QueueModel;
using hms::client::QueueRow;

namespace {

QueueRow visit(int token, const QString &state = QStringLiteral("waiting"))
{
    QueueRow row;
    row.visitId = QString::number(100 + token);
    row.token = token;
    row.state = state;
    row.patientId = QString::number(token);
    row.mrn = QStringLiteral("ALPH-2026-%1-0").arg(token, 6, 10, QLatin1Char('0'));
    row.fullName = QStringLiteral("Patient %1").arg(token);
    return row;
}

} // namespace

class TestQueueModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mergeInsertsChangesAndRemovesRowByRow();
    void liveStateChangeTouchesOneRow();
};

void TestQueueModel::mergeInsertsChangesAndRemovesRowByRow()
{
    QueueModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removals(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);

    model.mergeSnapshot({visit(1), visit(3)});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(inserts.count(), 2);

    // 2 arrives late (token order kept), 3 is called, 1 is gone.
    model.mergeSnapshot({visit(2), visit(3, QStringLiteral("called")), visit(4)});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.rows().at(0).token, 2);
    QCOMPARE(model.rows().at(1).token, 3);
    QCOMPARE(model.rows().at(2).token, 4);
    QCOMPARE(model.index(1, int(QueueModel::Column::State)).data().toString(),
             QStringLiteral("Called"));
    QCOMPARE(
        model.index(1, int(QueueModel::Column::State)).data(QueueModel::RawValueRole).toString(),
        QStringLiteral("called"));
    QCOMPARE(removals.count(), 1);
    QCOMPARE(changes.count(), 1);
    QCOMPARE(inserts.count(), 4);

    // The same snapshot again changes nothing.
    model.mergeSnapshot(model.rows());
    QCOMPARE(changes.count(), 1);
    QCOMPARE(inserts.count(), 4);
    QCOMPARE(resets.count(), 0);
}

void TestQueueModel::liveStateChangeTouchesOneRow()
{
    QueueModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.mergeSnapshot({visit(1), visit(2)});
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(model.applyState(QStringLiteral("102"), QStringLiteral("in_consultation")));
    QCOMPARE(changes.count(), 1);
    QCOMPARE(changes.at(0).at(0).value<QModelIndex>().row(), 1);
    QCOMPARE(changes.at(0).at(1).value<QModelIndex>().row(), 1);
    QVERIFY(!model.applyState(QStringLiteral("999"), QStringLiteral("called")));
    QCOMPARE(model.rows().at(0).state, QStringLiteral("waiting"));
}

QTEST_MAIN(TestQueueModel)
#include "tst_queuemodel.moc"
