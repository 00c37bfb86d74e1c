#include "http/router.h"

#include <QTest>

using namespace hms;
using namespace hms::server;

class TestRouter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesTemplatesAndCapturesParameters();
    void literalSegmentBeatsParameter();
    void reportsAllowedMethodsForWrongMethod();
    void headFallsBackToGet();
    void unknownPathHasNoMatch();
    void rejectsDuplicatesAndBadTemplates();
    void routeAccessIsExplicit();
    void queryParametersAreDeclaredPerRoute();
};

static RouteHandler answer(int status)
{
    return [status](RequestContext &) {
        return HttpResponse::json(status, {});
    };
}

static QList<QString> split(const char *path)
{
    QList<QString> parts = QString::fromLatin1(path).mid(1).split(QLatin1Char('/'));
    if (parts.size() == 1 && parts.first().isEmpty())
        parts.clear();
    return parts;
}

void TestRouter::matchesTemplatesAndCapturesParameters()
{
    Router router;
    router.add({"GET", QStringLiteral("/api/v1/patients/{id}"),
                RouteAccess::require(Permission::PatientRead), answer(200)});
    const Router::Match match = router.match("GET", split("/api/v1/patients/42"));
    QVERIFY(match.route);
    QCOMPARE(match.route->pathTemplate, QStringLiteral("/api/v1/patients/{id}"));
    QCOMPARE(match.pathParams.value(QStringLiteral("id")), QStringLiteral("42"));
}

void TestRouter::literalSegmentBeatsParameter()
{
    Router router;
    router.add({"GET", QStringLiteral("/api/v1/patients/{id}"),
                RouteAccess::require(Permission::PatientRead), answer(200)});
    router.add({"GET", QStringLiteral("/api/v1/patients/duplicates"),
                RouteAccess::require(Permission::PatientRead), answer(201)});
    const Router::Match match = router.match("GET", split("/api/v1/patients/duplicates"));
    QVERIFY(match.route);
    QCOMPARE(match.route->pathTemplate, QStringLiteral("/api/v1/patients/duplicates"));
    QVERIFY(match.pathParams.isEmpty());
}

void TestRouter::reportsAllowedMethodsForWrongMethod()
{
    Router router;
    router.add({"GET", QStringLiteral("/api/v1/beds"), RouteAccess::require(Permission::BedRead),
                answer(200)});
    router.add({"POST", QStringLiteral("/api/v1/beds"),
                RouteAccess::require(Permission::WardManage), answer(201)});
    const Router::Match match = router.match("DELETE", split("/api/v1/beds"));
    QVERIFY(!match.route);
    QCOMPARE(match.allowedMethods, (QList<QByteArray>{"GET", "POST"}));
}

void TestRouter::headFallsBackToGet()
{
    Router router;
    router.add({"GET", QStringLiteral("/api/v1/health"), RouteAccess::publicRoute(), answer(200)});
    QVERIFY(router.match("HEAD", split("/api/v1/health")).route);
}

void TestRouter::unknownPathHasNoMatch()
{
    Router router;
    router.add({"GET", QStringLiteral("/api/v1/health"), RouteAccess::publicRoute(), answer(200)});
    const Router::Match match = router.match("GET", split("/api/v1/nothing"));
    QVERIFY(!match.route);
    QVERIFY(match.allowedMethods.isEmpty());
    QVERIFY(!router.match("GET", split("/api/v1")).route);
    QVERIFY(!router.match("GET", split("/api/v1/health/extra")).route);
}

void TestRouter::rejectsDuplicatesAndBadTemplates()
{
    Router router;
    router.add({"GET", QStringLiteral("/a/{id}"), RouteAccess::publicRoute(), answer(200)});
    QVERIFY_THROWS_EXCEPTION(
        std::logic_error,
        router.add({"GET", QStringLiteral("/a/{id}"), RouteAccess::publicRoute(), answer(200)}));
    QVERIFY_THROWS_EXCEPTION(
        std::logic_error,
        router.add({"GET", QStringLiteral("no-slash"), RouteAccess::publicRoute(), answer(200)}));
    QVERIFY_THROWS_EXCEPTION(
        std::logic_error,
        router.add({"GET", QStringLiteral("/b"), RouteAccess::publicRoute(), RouteHandler()}));
    QCOMPARE(router.routes().size(), 1);
}

void TestRouter::queryParametersAreDeclaredPerRoute()
{
    Router router;
    router.add({"GET", QStringLiteral("/a"), RouteAccess::publicRoute(), answer(200)});
    router.add({"POST", QStringLiteral("/a"), RouteAccess::publicRoute(), answer(201)});
    QVERIFY(!router.routes().at(0).readsQuery); // refusing is the default
    router.acceptQuery("GET", QStringLiteral("/a"));
    QVERIFY(router.routes().at(0).readsQuery);
    QVERIFY(!router.routes().at(1).readsQuery); // per method, not per path
    QVERIFY_THROWS_EXCEPTION(std::logic_error, router.acceptQuery("GET", QStringLiteral("/b")));
    QVERIFY_THROWS_EXCEPTION(std::logic_error, router.acceptQuery("PUT", QStringLiteral("/a")));
}

void TestRouter::routeAccessIsExplicit()
{
    QVERIFY(RouteAccess::publicRoute().isPublic());
    QVERIFY(!RouteAccess::publicRoute().permission());
    const RouteAccess access = RouteAccess::require(Permission::AuditRead);
    QVERIFY(!access.isPublic());
    QCOMPARE(*access.permission(), Permission::AuditRead);
}

QTEST_GUILESS_MAIN(TestRouter)
#include "tst_router.moc"
