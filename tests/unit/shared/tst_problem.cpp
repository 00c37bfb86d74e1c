#include "shared/protocol/problem.h"

#include <QJsonArray>
#include <QTest>

using namespace hms;

class TestProblem : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void toJsonCarriesRfc9457Members();
    void roundTripKeepsFieldErrors();
    void emptyDetailIsOmitted();
};

void TestProblem::toJsonCarriesRfc9457Members()
{
    Problem problem = Problem::fromType(problems::ValidationFailed, QStringLiteral("2 fields"));
    problem.errors.append({QStringLiteral("birthDate"), QStringLiteral("must be YYYY-MM-DD")});
    const QJsonObject json = problem.toJson();
    QCOMPARE(json.value(QStringLiteral("type")).toString(),
             QStringLiteral("urn:hms:problem:validation-failed"));
    QCOMPARE(json.value(QStringLiteral("status")).toInt(), 422);
    QCOMPARE(json.value(QStringLiteral("title")).toString(), QStringLiteral("Invalid fields"));
    QCOMPARE(json.value(QStringLiteral("detail")).toString(), QStringLiteral("2 fields"));
    const QJsonArray errors = json.value(QStringLiteral("errors")).toArray();
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().toObject().value(QStringLiteral("field")).toString(),
             QStringLiteral("birthDate"));
}

void TestProblem::roundTripKeepsFieldErrors()
{
    Problem problem = Problem::fromType(problems::Conflict, QStringLiteral("bed B-12 is taken"));
    problem.errors.append({QStringLiteral("bedId"), QStringLiteral("occupied")});
    const Problem back = Problem::fromJson(problem.toJson());
    QCOMPARE(back.type, QStringLiteral("conflict"));
    QCOMPARE(back.status, 409);
    QCOMPARE(back.detail, problem.detail);
    QCOMPARE(back.errors.size(), 1);
    QCOMPARE(back.errors.first().message, QStringLiteral("occupied"));
}

void TestProblem::emptyDetailIsOmitted()
{
    const QJsonObject json = Problem::fromType(problems::NotFound).toJson();
    QVERIFY(!json.contains(QStringLiteral("detail")));
    QVERIFY(!json.contains(QStringLiteral("errors")));
    QCOMPARE(json.value(QStringLiteral("status")).toInt(), 404);
}

QTEST_GUILESS_MAIN(TestProblem)
#include "tst_problem.moc"
