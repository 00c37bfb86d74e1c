// Walks the server's registered route table (not a hand-written list) against anonymous
// callers and all six roles (SECURITY.md T1), checks that every route is described in
// server/openapi.yaml, and that GET routes change no rows (T7).
#include "support/serverfixture.h"

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

using namespace hms;
using namespace hms::server;
using namespace hms::test;

namespace {

const QString Password = QStringLiteral("route-walk correct horse 7");
constexpr char UnknownId[] = "987654321";

// Path parameters get an id that exists nowhere, so permitted callers reach the handler
// without changing anyone (a 404 or 4xx is fine; the point is 401/403 or not).
QByteArray concretePath(const QString &pathTemplate)
{
    QString path = pathTemplate;
    static const QRegularExpression parameter(QStringLiteral("\\{[^}]+\\}"));
    path.replace(parameter, QLatin1String(UnknownId));
    return path.toUtf8();
}

QByteArray bodyFor(const QByteArray &method)
{
    return (method == "POST" || method == "PUT" || method == "PATCH") ? QByteArray("{}")
                                                                      : QByteArray();
}

} // namespace

class TestRouteTable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyRouteHasAnAccessRule();
    void anonymousGets401OnEveryProtectedRoute();
    void eachRoleGets403ExactlyWhereTheMatrixDenies();
    void undeclaredMethodsGet405();
    void everyRouteIsInOpenApi();
    void getRoutesChangeNoRows();
    void unknownQueryParametersAreRefused();
    void everyGetRouteRefusesAnUnknownQueryParameter();
    void badBodiesAreRefusedOnEveryWriteRoute_data();
    void badBodiesAreRefusedOnEveryWriteRoute();

private:
    std::unique_ptr<ServerFixture> m_fixture;
    QHash<Role, QByteArray> m_tokens;
};

void TestRouteTable::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("routes"));
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    QVERIFY(m_fixture->createHospital(QStringLiteral("alpha"), QStringLiteral("Alpha")) > 0);
    for (const Role role : AllRoles) {
        const QString username = QStringLiteral("walk-") + roleName(role);
        QVERIFY(m_fixture->createUser(QStringLiteral("alpha"), username, role, Password) > 0);
        const QJsonObject tokens = m_fixture->login(QStringLiteral("alpha"), username, Password);
        QVERIFY(!tokens.isEmpty());
        m_tokens.insert(role, accessTokenOf(tokens));
    }
}

void TestRouteTable::everyRouteHasAnAccessRule()
{
    const QList<Route> &routes = m_fixture->app()->router().routes();
    QVERIFY(routes.size() >= 10);
    for (const Route &route : routes) {
        // Public routes are the deliberate exceptions; everything else names a permission
        // or at least requires a signed-in user.
        if (route.access.isPublic()) {
            QVERIFY2(route.pathTemplate == QLatin1String("/api/v1/health")
                         || route.pathTemplate.startsWith(QLatin1String("/api/v1/auth/login"))
                         || route.pathTemplate.startsWith(QLatin1String("/api/v1/auth/refresh")),
                     qPrintable(QStringLiteral("unexpected public route ") + route.pathTemplate));
        }
    }
}

void TestRouteTable::anonymousGets401OnEveryProtectedRoute()
{
    for (const Route &route : m_fixture->app()->router().routes()) {
        if (route.access.isPublic())
            continue;
        const RawResponse response = m_fixture->request(
            route.method, concretePath(route.pathTemplate), {}, bodyFor(route.method));
        QVERIFY2(response.status == 401,
                 qPrintable(QStringLiteral("%1 %2 -> %3")
                                .arg(QString::fromLatin1(route.method), route.pathTemplate)
                                .arg(response.status)));
        QCOMPARE(response.header("content-type"),
                 QByteArray("application/problem+json; charset=utf-8"));
    }
}

void TestRouteTable::eachRoleGets403ExactlyWhereTheMatrixDenies()
{
    int denied = 0;
    int allowed = 0;
    for (const Route &route : m_fixture->app()->router().routes()) {
        if (route.access.isPublic() || route.pathTemplate.endsWith(QLatin1String("/logout")))
            continue; // logout would end the session the walk uses
        for (const Role role : AllRoles) {
            const bool permitted =
                !route.access.permission() || roleHas(role, *route.access.permission());
            const RawResponse response =
                m_fixture->request(route.method, concretePath(route.pathTemplate),
                                   m_tokens.value(role), bodyFor(route.method));
            const QString what =
                QStringLiteral("%1 %2 as %3 -> %4")
                    .arg(QString::fromLatin1(route.method), route.pathTemplate, roleName(role))
                    .arg(response.status);
            QVERIFY2(response.status != 401, qPrintable(what));
            QVERIFY2(response.status < 500, qPrintable(what));
            if (permitted) {
                QVERIFY2(response.status != 403, qPrintable(what));
                ++allowed;
            } else {
                QVERIFY2(response.status == 403, qPrintable(what));
                ++denied;
            }
        }
    }
    QVERIFY(denied > 0);
    QVERIFY(allowed > 0);
    // Every denial is in the audit trail.
    QCOMPARE(
        m_fixture->count(
            "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND outcome = 'denied'"),
        qint64(denied));
}

void TestRouteTable::undeclaredMethodsGet405()
{
    for (const Route &route : m_fixture->app()->router().routes()) {
        for (const QByteArray &method : {QByteArray("GET"), QByteArray("POST"), QByteArray("PUT"),
                                         QByteArray("PATCH"), QByteArray("DELETE")}) {
            bool declared = false;
            for (const Route &other : m_fixture->app()->router().routes())
                declared |= other.method == method && other.pathTemplate == route.pathTemplate;
            if (declared)
                continue;
            const RawResponse response =
                m_fixture->request(method, concretePath(route.pathTemplate),
                                   m_tokens.value(Role::Admin), bodyFor(method));
            QVERIFY2(
                response.status == 405,
                qPrintable(QString::fromLatin1(method) + QLatin1Char(' ') + route.pathTemplate));
            QVERIFY(!response.header("allow").isEmpty());
        }
    }
}

void TestRouteTable::everyRouteIsInOpenApi()
{
    QFile file(QStringLiteral(HMS_SOURCE_DIR "/server/openapi.yaml"));
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    // paths: is a map of "  /path:" blocks holding "    method:" keys (2-space YAML indents).
    QHash<QString, QStringList> documented;
    QString current;
    bool inPaths = false;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).chopped(1);
        if (!line.startsWith(QLatin1Char(' ')) && !line.isEmpty())
            inPaths = line == QLatin1String("paths:");
        if (!inPaths)
            continue;
        if (line.startsWith(QLatin1String("  /")) && line.endsWith(QLatin1Char(':')))
            current = line.trimmed().chopped(1);
        else if (line.startsWith(QLatin1String("    ")) && !line.startsWith(QLatin1String("     "))
                 && line.endsWith(QLatin1Char(':')) && !current.isEmpty())
            documented[current].append(line.trimmed().chopped(1).toUpper());
    }
    for (const Route &route : m_fixture->app()->router().routes()) {
        QVERIFY2(documented.value(route.pathTemplate).contains(QString::fromLatin1(route.method)),
                 qPrintable(QStringLiteral("server/openapi.yaml lacks %1 %2")
                                .arg(QString::fromLatin1(route.method), route.pathTemplate)));
    }
}

void TestRouteTable::getRoutesChangeNoRows()
{
    const std::string counts =
        "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM sessions) "
        "+ (SELECT count(*) FROM refresh_tokens) + (SELECT count(*) FROM hospitals) "
        "+ (SELECT count(*) FROM users WHERE disabled_at IS NOT NULL OR locked_until IS NOT NULL)";
    const qint64 before = m_fixture->count(counts);
    for (const Route &route : m_fixture->app()->router().routes()) {
        if (route.method != "GET")
            continue;
        for (const Role role : AllRoles)
            m_fixture->request("GET", concretePath(route.pathTemplate), m_tokens.value(role));
    }
    QCOMPARE(m_fixture->count(counts), before);
}

void TestRouteTable::unknownQueryParametersAreRefused()
{
    // SECURITY.md I3: sort/field parameters are allowlisted; anything else is a 422.
    const QList<QByteArray> paths = {
        "/api/v1/audit?sort=name%3Bdrop", "/api/v1/audit?fields=password_hash",
        "/api/v1/audit?limit=(select%201)", "/api/v1/patients?q=ab&sort=name%3Bdrop",
        "/api/v1/departments?sort=(select%201)"};
    for (const QByteArray &path : paths) {
        const Role caller = path.startsWith("/api/v1/audit") ? Role::Admin : Role::Reception;
        const RawResponse response = m_fixture->request("GET", path, m_tokens.value(caller));
        QVERIFY2(response.status == 422, path.constData());
        QVERIFY(!response.json().value(QStringLiteral("errors")).toArray().isEmpty());
    }
}

void TestRouteTable::everyGetRouteRefusesAnUnknownQueryParameter()
{
    // I3 for the whole table: routes that read parameters refuse unknown ones themselves,
    // every other route refuses any parameter before its handler runs.
    int checked = 0;
    for (const Route &route : m_fixture->app()->router().routes()) {
        if (route.method != "GET" || route.pathTemplate == QLatin1String("/api/v1/live"))
            continue;
        Role caller = Role::Admin;
        for (const Role role : AllRoles) {
            if (!route.access.permission() || roleHas(role, *route.access.permission())) {
                caller = role;
                break;
            }
        }
        const QByteArray path = concretePath(route.pathTemplate) + "?bogus=1";
        const RawResponse response = m_fixture->request("GET", path, m_tokens.value(caller));
        const QString what = QStringLiteral("GET %1?bogus=1 as %2 -> %3")
                                 .arg(route.pathTemplate, roleName(caller))
                                 .arg(response.status);
        QVERIFY2(response.status == 422, qPrintable(what));
        bool named = false;
        for (const QJsonValue &error : response.json().value(QStringLiteral("errors")).toArray())
            named = named
                || error.toObject().value(QStringLiteral("field")).toString()
                    == QLatin1String("bogus");
        QVERIFY2(named, qPrintable(what));
        ++checked;
    }
    QVERIFY(checked > 10);
}

void TestRouteTable::badBodiesAreRefusedOnEveryWriteRoute_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::newRow("invalid-json") << QByteArray("{\"a\":") << QByteArray("application/json");
    QTest::newRow("trailing-garbage") << QByteArray("{} x") << QByteArray("application/json");
    QTest::newRow("top-level-array") << QByteArray("[]") << QByteArray("application/json");
    QTest::newRow("duplicate-key")
        << QByteArray(R"({"username":"a","username":"b"})") << QByteArray("application/json");
    QTest::newRow("depth-33")
        << QByteArray(32, '[').prepend("{\"a\":").append(QByteArray(32, ']')).append('}')
        << QByteArray("application/json");
    QTest::newRow("nan") << QByteArray(R"({"a":NaN})") << QByteArray("application/json");
    QTest::newRow("huge-number") << QByteArray(R"({"a":1e400})") << QByteArray("application/json");
    QTest::newRow("invalid-utf8") << QByteArray("{\"a\":\"\xff\"}")
                                  << QByteArray("application/json");
    QTest::newRow("lone-surrogate")
        << QByteArray(R"({"a":"\ud800"})") << QByteArray("application/json");
    QTest::newRow("unknown-field")
        << QByteArray(R"({"surprise":true})") << QByteArray("application/json");
    QTest::newRow("wrong-types") << QByteArray(R"({"username":1,"password":[],"hospital":{}})")
                                 << QByteArray("application/json");
    QTest::newRow("text-plain") << QByteArray("{}") << QByteArray("text/plain");
    QTest::newRow("form") << QByteArray("a=b") << QByteArray("application/x-www-form-urlencoded");
}

void TestRouteTable::badBodiesAreRefusedOnEveryWriteRoute()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    const std::string counts =
        "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM sessions) "
        "+ (SELECT count(*) FROM refresh_tokens) + (SELECT count(*) FROM hospitals) "
        "+ (SELECT count(*) FROM audit_log)";
    for (const Route &route : m_fixture->app()->router().routes()) {
        if (route.method != "POST" && route.method != "PUT" && route.method != "PATCH")
            continue;
        if (route.pathTemplate.endsWith(QLatin1String("/logout")))
            continue;
        // A role that may call the route, so the body is what gets judged.
        Role caller = Role::Admin;
        for (const Role role : AllRoles) {
            if (route.access.permission() && roleHas(role, *route.access.permission())) {
                caller = role;
                break;
            }
        }
        const qint64 before = m_fixture->count(counts);
        const RawResponse response = m_fixture->request(
            route.method, concretePath(route.pathTemplate),
            route.access.isPublic() ? QByteArray() : m_tokens.value(caller), body, contentType);
        const QString what = QStringLiteral("%1 %2 -> %3 %4")
                                 .arg(QString::fromLatin1(route.method), route.pathTemplate)
                                 .arg(response.status)
                                 .arg(QString::fromUtf8(response.body.left(200)));
        // 404: the id in the path exists nowhere, which is checked before or after the body.
        QVERIFY2(response.status == 400 || response.status == 415 || response.status == 422
                     || response.status == 404,
                 qPrintable(what));
        QCOMPARE(response.header("content-type"),
                 QByteArray("application/problem+json; charset=utf-8"));
        QVERIFY2(m_fixture->count(counts) == before,
                 qPrintable(QStringLiteral("rows written: ") + what));
    }
}

QTEST_GUILESS_MAIN(TestRouteTable)
#include "tst_routetable.moc"
