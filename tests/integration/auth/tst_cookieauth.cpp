// Browser clients (API.md "Auth"): tokens as HttpOnly; Secure; SameSite=Strict cookies, and
// a CSRF check on every cookie-authenticated write (SECURITY.md T7).
#include "support/serverfixture.h"

#include <QJsonDocument>
#include <QTest>

using namespace hms;
using namespace hms::test;

namespace {

const QString Password = QStringLiteral("cookie jar horse 2024!");

QList<QByteArray> setCookies(const RawResponse &response)
{
    QList<QByteArray> cookies;
    for (const auto &[name, value] : response.headers) {
        if (name == "set-cookie")
            cookies.append(value);
    }
    return cookies;
}

QByteArray cookieValue(const RawResponse &response, const QByteArray &name)
{
    for (const QByteArray &cookie : setCookies(response)) {
        if (cookie.startsWith(QByteArray(name + "=")))
            return cookie.mid(name.size() + 1).split(';').first();
    }
    return {};
}

} // namespace

class TestCookieAuth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void loginSetsHardenedCookiesAndNoTokensInTheBody();
    void cookieReadsWorkWithoutCsrf();
    void cookieWritesNeedCsrfAndSameOrigin();
    void cookieRefreshRotatesAndLogoutClears();

private:
    RawResponse send(const QByteArray &method,
                     const QByteArray &path,
                     const QByteArray &extraHeaders,
                     const QByteArray &body = {});
    RawResponse cookieLogin();

    std::unique_ptr<ServerFixture> m_fixture;
};

void TestCookieAuth::initTestCase()
{
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("cookies"));
    if (!m_fixture->isValid())
        QSKIP(TestDatabase::skipReason());
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    QVERIFY(m_fixture->createHospital(QStringLiteral("alpha"), QStringLiteral("Alpha")) > 0);
    QVERIFY(
        m_fixture->createUser(QStringLiteral("alpha"), QStringLiteral("ada"), Role::Admin, Password)
        > 0);
}

RawResponse TestCookieAuth::send(const QByteArray &method,
                                 const QByteArray &path,
                                 const QByteArray &extraHeaders,
                                 const QByteArray &body)
{
    QByteArray request = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders;
    if (!body.isEmpty())
        request += "Content-Type: application/json\r\n";
    request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    const auto response = RawHttpClient::roundTrip(m_fixture->port(), request, 10000);
    return response.value_or(RawResponse());
}

RawResponse TestCookieAuth::cookieLogin()
{
    return send("POST", "/api/v1/auth/login", {},
                R"({"hospital":"alpha","username":"ada","password":")" + Password.toUtf8()
                    + R"(","tokenDelivery":"cookie"})");
}

void TestCookieAuth::loginSetsHardenedCookiesAndNoTokensInTheBody()
{
    const RawResponse login = cookieLogin();
    QCOMPARE(login.status, 200);
    const QJsonObject body = login.json();
    QVERIFY(!body.contains(QStringLiteral("accessToken")));
    QVERIFY(!body.contains(QStringLiteral("refreshToken")));
    QCOMPARE(body.value(QStringLiteral("tokenType")).toString(), QStringLiteral("Cookie"));
    QVERIFY(!body.value(QStringLiteral("csrfToken")).toString().isEmpty());
    const QList<QByteArray> cookies = setCookies(login);
    QCOMPARE(cookies.size(), 3);
    for (const QByteArray &cookie : cookies) {
        QVERIFY2(cookie.contains("; Secure") && cookie.contains("; SameSite=Strict"),
                 cookie.constData());
        if (!cookie.startsWith("hms_csrf="))
            QVERIFY2(cookie.contains("; HttpOnly"), cookie.constData());
    }
    QVERIFY(!cookieValue(login, "hms_access").isEmpty());
    QCOMPARE(cookieValue(login, "hms_csrf"),
             body.value(QStringLiteral("csrfToken")).toString().toLatin1());
}

void TestCookieAuth::cookieReadsWorkWithoutCsrf()
{
    const RawResponse login = cookieLogin();
    const QByteArray cookie = "Cookie: hms_access=" + cookieValue(login, "hms_access") + "\r\n";
    const RawResponse me = send("GET", "/api/v1/auth/me", cookie);
    QCOMPARE(me.status, 200);
    QCOMPARE(me.json().value(QStringLiteral("username")).toString(), QStringLiteral("ada"));
}

void TestCookieAuth::cookieWritesNeedCsrfAndSameOrigin()
{
    const RawResponse login = cookieLogin();
    const QByteArray csrf = cookieValue(login, "hms_csrf");
    const QByteArray cookies =
        "Cookie: hms_access=" + cookieValue(login, "hms_access") + "; hms_csrf=" + csrf + "\r\n";
    const QByteArray newUser =
        R"({"username":"bob","displayName":"Bob","role":"nurse","password":"another fine horse 77"})";
    const qint64 usersBefore = m_fixture->count("SELECT count(*) FROM users");

    QCOMPARE(send("POST", "/api/v1/admin/users", cookies, newUser).status, 403); // no token
    QCOMPARE(send("POST", "/api/v1/admin/users",
                  cookies + "X-CSRF-Token: " + QByteArray(43, 'x') + "\r\n", newUser)
                 .status,
             403); // wrong token
    QCOMPARE(send("POST", "/api/v1/admin/users",
                  cookies + "X-CSRF-Token: " + csrf + "\r\nOrigin: https://evil.example\r\n",
                  newUser)
                 .status,
             403); // foreign origin
    QCOMPARE(m_fixture->count("SELECT count(*) FROM users"), usersBefore);

    const RawResponse ok =
        send("POST", "/api/v1/admin/users",
             cookies + "X-CSRF-Token: " + csrf + "\r\nOrigin: http://127.0.0.1\r\n", newUser);
    QCOMPARE(ok.status, 201);
    QCOMPARE(m_fixture->count("SELECT count(*) FROM users"), usersBefore + 1);
}

void TestCookieAuth::cookieRefreshRotatesAndLogoutClears()
{
    const RawResponse login = cookieLogin();
    const QByteArray csrf = cookieValue(login, "hms_csrf");
    const QByteArray refreshCookies =
        "Cookie: hms_refresh=" + cookieValue(login, "hms_refresh") + "; hms_csrf=" + csrf + "\r\n";
    QCOMPARE(send("POST", "/api/v1/auth/refresh", refreshCookies).status, 403); // CSRF missing
    const RawResponse refreshed =
        send("POST", "/api/v1/auth/refresh", refreshCookies + "X-CSRF-Token: " + csrf + "\r\n");
    QCOMPARE(refreshed.status, 200);
    QVERIFY(!cookieValue(refreshed, "hms_refresh").isEmpty());
    QVERIFY(cookieValue(refreshed, "hms_refresh") != cookieValue(login, "hms_refresh"));

    const QByteArray newCsrf = cookieValue(refreshed, "hms_csrf");
    const QByteArray access = "Cookie: hms_access=" + cookieValue(refreshed, "hms_access")
        + "; hms_csrf=" + newCsrf + "\r\n";
    const RawResponse logout =
        send("POST", "/api/v1/auth/logout", access + "X-CSRF-Token: " + newCsrf + "\r\n");
    QCOMPARE(logout.status, 204);
    const QList<QByteArray> cleared = setCookies(logout);
    QCOMPARE(cleared.size(), 3);
    for (const QByteArray &cookie : cleared)
        QVERIFY2(cookie.contains("Max-Age=0"), cookie.constData());
    QCOMPARE(send("GET", "/api/v1/auth/me", access).status, 401);
}

QTEST_GUILESS_MAIN(TestCookieAuth)
#include "tst_cookieauth.moc"
