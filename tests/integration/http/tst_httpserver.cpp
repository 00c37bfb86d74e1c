// The HTTP front door against real sockets. Each of the seven measured defects of Debian's
// Qt HttpServer 6.4.2 (PERFORMANCE.md) has a test here that a naive QHttpServer::route
// server fails: crash on disconnect, out-of-order pipelining, no limits, no timeouts,
// Content-Length smuggling, ignored Connection: close, upgrades that cannot be refused.
#include "app/serverapp.h"
#include "support/rawhttpclient.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <stdexcept>

using namespace hms;
using namespace hms::server;
using namespace hms::test;

class TestHttpServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void clientDisconnectDuringHandlerDoesNotCrash();
    void pipelinedAnswersKeepRequestOrder();
    void oversizedBodyIsRefusedBeforeItIsRead();
    void bodyOverLimitByOneByteIs413();
    void oversizedHeadersAndUrlAreRefused_data();
    void oversizedHeadersAndUrlAreRefused();
    void slowlorisIsCutOffByHeaderTimeout();
    void idleKeepAliveConnectionIsClosed();
    void invalidContentLengthCannotSmuggleARequest();
    void connectionCloseAndHttp10AreHonoured();
    void upgradeRequestIsAnsweredAsPlainHttp();

    void unknownRouteIs404ProblemJson();
    void wrongMethodIs405WithAllow();
    void handlerFailureIs500WithoutInternals();
    void securityHeadersOnEveryResponse();
    void corsOnlyForAllowedOrigins();
    void nonJsonBodyIs415();
    void headHasNoBody();
    void manyIdleConnectionsDoNotBlockOthers();
    void gracefulShutdownAnswersInFlightRequests();
    void cachedReadsRunOnTheirOwnPool();

private:
    ServerConfig testConfig() const;
    QTemporaryDir m_keyDir;
    std::unique_ptr<ServerApp> m_app;
    quint16 m_port = 0;
};

ServerConfig TestHttpServer::testConfig() const
{
    ServerConfig config;
    config.listenAddress = QHostAddress::LocalHost;
    config.listenPort = 0;
    // No database is needed by these routes; the health route reports it down.
    config.databaseUrl = QStringLiteral("postgresql://nobody@127.0.0.1:1/none");
    config.migrateOnStart = false;
    config.dbPoolSize = 4;
    config.dbReadPoolSize = 1;
    config.limits.headerTimeoutMs = 800;
    config.limits.bodyTimeoutMs = 800;
    config.limits.keepAliveTimeoutMs = 1000;
    config.corsOrigins = {QStringLiteral("https://desk.hospital.example")};
    config.jwtKeyFile = m_keyDir.filePath(QStringLiteral("jwt.key"));
    config.argon2Iterations = 2;
    config.argon2MemoryKib = 19456;
    return config;
}

static void addTestRoutes(Router &router)
{
    // GET /test/sleep/{ms}: answers after ms milliseconds with {"slept":ms}
    router.add({"GET", QStringLiteral("/test/sleep/{ms}"), RouteAccess::publicRoute(),
                [](RequestContext &context) {
                    const int ms = context.pathParam(QStringLiteral("ms")).toInt();
                    QThread::msleep(ulong(ms));
                    return HttpResponse::json(200, {{QStringLiteral("slept"), ms}});
                }});
    // GET /test/thread[-cached]/{ms}: which pool thread ran it, after ms milliseconds.
    const auto threadName = [](RequestContext &context) {
        QThread::msleep(ulong(context.pathParam(QStringLiteral("ms")).toInt()));
        return HttpResponse::json(
            200,
            {{QStringLiteral("thread"), QString::number(quintptr(QThread::currentThread()), 16)}});
    };
    router.add(
        {"GET", QStringLiteral("/test/thread/{ms}"), RouteAccess::publicRoute(), threadName});
    router.add({"GET", QStringLiteral("/test/thread-cached/{ms}"), RouteAccess::publicRoute(),
                threadName, false, nullptr, true});
    router.add({"POST", QStringLiteral("/test/echo"), RouteAccess::publicRoute(),
                [](RequestContext &context) {
                    return HttpResponse::json(
                        200, {{QStringLiteral("bytes"), context.request.body.size()}});
                }});
    router.add({"GET", QStringLiteral("/test/boom"), RouteAccess::publicRoute(),
                [](RequestContext &) -> HttpResponse {
                    throw std::runtime_error("SELECT secret FROM patients WHERE name='Zeb'");
                }});
}

void TestHttpServer::initTestCase()
{
    m_app = std::make_unique<ServerApp>(testConfig());
    addTestRoutes(m_app->router());
    QVERIFY2(m_app->start(), qPrintable(m_app->errorString()));
    m_port = m_app->port();
    QVERIFY(m_port != 0);
}

void TestHttpServer::cleanupTestCase()
{
    m_app.reset();
}

void TestHttpServer::clientDisconnectDuringHandlerDoesNotCrash()
{
    for (int i = 0; i < 20; ++i) {
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(RawHttpClient::get("/test/sleep/50"));
        client.socket().abort(); // gone before the handler finishes
    }
    QTest::qWait(300); // the handlers finish and post back to dead connections
    const auto response = RawHttpClient::roundTrip(m_port, RawHttpClient::get("/test/sleep/0"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
}

void TestHttpServer::pipelinedAnswersKeepRequestOrder()
{
    RawHttpClient client;
    QVERIFY(client.connectTo(m_port));
    // The first request takes longest; its answer must still come first.
    client.send(RawHttpClient::get("/test/sleep/300") + RawHttpClient::get("/test/sleep/100")
                + RawHttpClient::get("/test/sleep/0"));
    QList<int> order;
    for (int i = 0; i < 3; ++i) {
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        order.append(response->json().value(QStringLiteral("slept")).toInt());
    }
    QCOMPARE(order, (QList<int>{300, 100, 0}));
}

void TestHttpServer::oversizedBodyIsRefusedBeforeItIsRead()
{
    RawHttpClient client;
    QVERIFY(client.connectTo(m_port));
    // Declares 10 GiB but sends only headers: the 413 must come without waiting for a body.
    client.send("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 10737418240\r\n\r\n");
    const auto response = client.readResponse(2000);
    QVERIFY(response);
    QCOMPARE(response->status, 413);
    QCOMPARE(response->header("content-type"),
             QByteArray("application/problem+json; charset=utf-8"));
    QCOMPARE(response->json().value(QStringLiteral("status")).toInt(), 413);
    QVERIFY(client.waitForClosed());
}

void TestHttpServer::bodyOverLimitByOneByteIs413()
{
    const QByteArray atLimit(1024 * 1024, 'a');
    auto request = [](const QByteArray &body) -> QByteArray {
        return "POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Content-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    };
    auto response = RawHttpClient::roundTrip(m_port, request(atLimit));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->json().value(QStringLiteral("bytes")).toInt(), atLimit.size());
    response = RawHttpClient::roundTrip(m_port, request(atLimit + 'b'));
    QVERIFY(response);
    QCOMPARE(response->status, 413);
}

void TestHttpServer::oversizedHeadersAndUrlAreRefused_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::newRow("64-kib-url") << RawHttpClient::get("/test/" + QByteArray(64 * 1024, 'a')) << 414;
    QTest::newRow("1-mib-header") << RawHttpClient::get(
        "/test/sleep/0", "X-Big: " + QByteArray(1024 * 1024, 'a') + "\r\n")
                                  << 431;
    QByteArray many;
    for (int i = 0; i < 101; ++i)
        many += "X-H" + QByteArray::number(i) + ": 1\r\n";
    QTest::newRow("101-headers") << RawHttpClient::get("/test/sleep/0", many) << 431;
    QTest::newRow("content-length-and-transfer-encoding")
        << QByteArray("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n{}")
        << 400;
    QTest::newRow("two-content-lengths") << QByteArray(
        "POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}")
                                         << 400;
}

void TestHttpServer::oversizedHeadersAndUrlAreRefused()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    RawHttpClient client;
    QVERIFY(client.connectTo(m_port));
    client.socket().write(request); // may be cut off by the server mid-way: that is fine
    const auto response = client.readResponse();
    QVERIFY(response);
    QCOMPARE(response->status, status);
    QCOMPARE(response->json().value(QStringLiteral("status")).toInt(), status);
    QVERIFY(client.waitForClosed());
}

void TestHttpServer::slowlorisIsCutOffByHeaderTimeout()
{
    RawHttpClient client;
    QVERIFY(client.connectTo(m_port));
    QElapsedTimer clock;
    clock.start();
    const QByteArray request = RawHttpClient::get("/test/sleep/0");
    // One byte every 100 ms: each byte arrives well within any per-read timeout, but the
    // whole head would take seconds; the header timeout (800 ms) counts from the first byte.
    for (int i = 0; i < 30 && client.socket().state() == QAbstractSocket::ConnectedState; ++i) {
        client.socket().write(request.mid(i, 1));
        QTest::qWait(100);
    }
    const auto response = client.readResponse(3000);
    QVERIFY(response);
    QCOMPARE(response->status, 408);
    QVERIFY(client.waitForClosed());
    QVERIFY2(clock.elapsed() < 3000, "slow client held the connection too long");
}

void TestHttpServer::idleKeepAliveConnectionIsClosed()
{
    RawHttpClient client;
    QVERIFY(client.connectTo(m_port));
    client.send(RawHttpClient::get("/test/sleep/0"));
    QVERIFY(client.readResponse());
    QElapsedTimer clock;
    clock.start();
    QVERIFY(client.waitForClosed(5000));
    QVERIFY(clock.elapsed() >= 700); // kept alive for a while (1 s configured)...
    QVERIFY(clock.elapsed() < 4000); // ...but not forever
}

void TestHttpServer::invalidContentLengthCannotSmuggleARequest()
{
    RawHttpClient client;
    QVERIFY(client.connectTo(m_port));
    // A naive server takes "abc" as "no body" and runs the body as a second request.
    const QByteArray smuggled = RawHttpClient::get("/test/sleep/0");
    client.send("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: abc\r\n\r\n"
                + smuggled);
    const auto first = client.readResponse();
    QVERIFY(first);
    QCOMPARE(first->status, 400);
    QVERIFY(client.waitForClosed());
    QVERIFY(!client.readResponse(300)); // nothing answered the smuggled request
}

void TestHttpServer::connectionCloseAndHttp10AreHonoured()
{
    {
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send(RawHttpClient::get("/test/sleep/0", "Connection: close\r\n")
                    + RawHttpClient::get("/test/sleep/1"));
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->header("connection"), QByteArray("close"));
        QVERIFY(client.waitForClosed(3000));
        QVERIFY(!client.readResponse(200)); // the request after close is not served
    }
    {
        RawHttpClient client;
        QVERIFY(client.connectTo(m_port));
        client.send("GET /test/sleep/0 HTTP/1.0\r\n\r\n");
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QVERIFY(client.waitForClosed(3000));
    }
}

void TestHttpServer::upgradeRequestIsAnsweredAsPlainHttp()
{
    // Only /api/v1/live upgrades; elsewhere the server must refuse with an ordinary
    // HTTP answer (never 101) and keep speaking HTTP on the same connection.
    RawHttpClient client;
    QVERIFY(client.connectTo(m_port));
    client.send(RawHttpClient::get("/api/v1/other",
                                   "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                                   "Sec-WebSocket-Version: 13\r\n"
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
    auto response = client.readResponse();
    QVERIFY(response);
    QCOMPARE(response->status, 404);
    client.send(RawHttpClient::get("/test/sleep/0"));
    response = client.readResponse();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
}

void TestHttpServer::unknownRouteIs404ProblemJson()
{
    const auto response =
        RawHttpClient::roundTrip(m_port, RawHttpClient::get("/api/v1/nothing-here"));
    QVERIFY(response);
    QCOMPARE(response->status, 404);
    QCOMPARE(response->header("content-type"),
             QByteArray("application/problem+json; charset=utf-8"));
    const QJsonObject json = response->json();
    QCOMPARE(json.value(QStringLiteral("type")).toString(),
             QStringLiteral("urn:hms:problem:not-found"));
    QCOMPARE(json.value(QStringLiteral("status")).toInt(), 404);
    QVERIFY(!json.value(QStringLiteral("title")).toString().isEmpty());
}

void TestHttpServer::wrongMethodIs405WithAllow()
{
    const auto response =
        RawHttpClient::roundTrip(m_port, "DELETE /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 405);
    QCOMPARE(response->header("allow"), QByteArray("GET"));
    QCOMPARE(response->json().value(QStringLiteral("status")).toInt(), 405);
}

void TestHttpServer::handlerFailureIs500WithoutInternals()
{
    const auto response = RawHttpClient::roundTrip(m_port, RawHttpClient::get("/test/boom"));
    QVERIFY(response);
    QCOMPARE(response->status, 500);
    QVERIFY(!response->body.contains("SELECT"));
    QVERIFY(!response->body.contains("Zeb"));
    QCOMPARE(response->json().value(QStringLiteral("type")).toString(),
             QStringLiteral("urn:hms:problem:internal-error"));
    QVERIFY(!response->header("x-request-id").isEmpty());
}

void TestHttpServer::securityHeadersOnEveryResponse()
{
    for (const QByteArray &path : {QByteArray("/test/sleep/0"), QByteArray("/nope")}) {
        const auto response = RawHttpClient::roundTrip(m_port, RawHttpClient::get(path));
        QVERIFY(response);
        QCOMPARE(response->header("x-content-type-options"), QByteArray("nosniff"));
        QCOMPARE(response->header("cache-control"), QByteArray("no-store"));
        QVERIFY(response->header("content-security-policy").startsWith("default-src 'none'"));
        QVERIFY(response->header("content-type").contains("charset=utf-8"));
        QVERIFY(response->header("strict-transport-security").isEmpty()); // plain HTTP here
        QVERIFY(response->header("server").isEmpty()); // no version banner
    }
}

void TestHttpServer::corsOnlyForAllowedOrigins()
{
    auto response = RawHttpClient::roundTrip(
        m_port, RawHttpClient::get("/test/sleep/0", "Origin: https://desk.hospital.example\r\n"));
    QVERIFY(response);
    QCOMPARE(response->header("access-control-allow-origin"),
             QByteArray("https://desk.hospital.example"));

    response = RawHttpClient::roundTrip(
        m_port, RawHttpClient::get("/test/sleep/0", "Origin: https://evil.example\r\n"));
    QVERIFY(response);
    QVERIFY(response->header("access-control-allow-origin").isEmpty());

    response = RawHttpClient::roundTrip(
        m_port,
        "OPTIONS /test/echo HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n"
        "Access-Control-Request-Method: POST\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 403);

    response = RawHttpClient::roundTrip(
        m_port,
        "OPTIONS /test/echo HTTP/1.1\r\nHost: x\r\nOrigin: https://desk.hospital.example\r\n"
        "Access-Control-Request-Method: POST\r\n\r\n");
    QVERIFY(response);
    QCOMPARE(response->status, 204);
    QVERIFY(response->header("access-control-allow-methods").contains("POST"));
}

void TestHttpServer::nonJsonBodyIs415()
{
    for (const QByteArray &type : {QByteArray("text/plain"), QByteArray("application/xml"),
                                   QByteArray("application/x-www-form-urlencoded"),
                                   QByteArray("application/json; charset=latin1")}) {
        const auto response =
            RawHttpClient::roundTrip(m_port,
                                     "POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: " + type
                                         + "\r\nContent-Length: 2\r\n\r\n{}");
        QVERIFY(response);
        QCOMPARE(response->status, 415);
    }
    const auto missing = RawHttpClient::roundTrip(
        m_port, "POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    QVERIFY(missing);
    QCOMPARE(missing->status, 415);
    const auto xmlOnly = RawHttpClient::roundTrip(
        m_port, RawHttpClient::get("/test/sleep/0", "Accept: application/xml\r\n"));
    QVERIFY(xmlOnly);
    QCOMPARE(xmlOnly->status, 406);
}

void TestHttpServer::headHasNoBody()
{
    RawHttpClient client;
    QVERIFY(client.connectTo(m_port));
    client.send("HEAD /test/sleep/0 HTTP/1.1\r\nHost: x\r\n\r\n"
                + RawHttpClient::get("/test/sleep/1"));
    QVERIFY(waitUntil([&] {
        return client.socket().bytesAvailable() > 0;
    }));
    QTest::qWait(100);
    const QByteArray all = client.socket().readAll();
    // Two status lines, and the HEAD answer's Content-Length describes a body not sent.
    QCOMPARE(all.count("HTTP/1.1 200"), 2);
    QVERIFY(all.contains("{\"slept\":1}"));
    QVERIFY(!all.contains("{\"slept\":0}"));
}

void TestHttpServer::manyIdleConnectionsDoNotBlockOthers()
{
    std::vector<std::unique_ptr<RawHttpClient>> idle;
    for (int i = 0; i < 300; ++i) {
        idle.push_back(std::make_unique<RawHttpClient>());
        idle.back()->socket().connectToHost(QHostAddress::LocalHost, m_port);
    }
    QVERIFY(waitUntil([&] {
        return std::all_of(idle.begin(), idle.end(), [](const auto &c) {
            return c->socket().state() == QAbstractSocket::ConnectedState;
        });
    }));
    QElapsedTimer clock;
    clock.start();
    const auto response = RawHttpClient::roundTrip(m_port, RawHttpClient::get("/test/sleep/0"));
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QVERIFY(clock.elapsed() < 2000);
}

void TestHttpServer::gracefulShutdownAnswersInFlightRequests()
{
    // A server of its own: this one is shut down.
    ServerApp app(testConfig());
    addTestRoutes(app.router());
    QVERIFY2(app.start(), qPrintable(app.errorString()));
    QSignalSpy stopped(&app, &ServerApp::stopped);

    RawHttpClient busy;
    QVERIFY(busy.connectTo(app.port()));
    busy.send(RawHttpClient::get("/test/sleep/500"));
    QTest::qWait(100); // the handler is running
    app.shutdown();

    const auto response = busy.readResponse(3000);
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->header("connection"), QByteArray("close"));
    QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, 5000);

    RawHttpClient late;
    QVERIFY(!late.connectTo(app.port(), 500)); // no longer accepting
}

// Route::cachedRead routes run on the read pool (one thread here), never on the main pool's
// four: four at once share that one thread, while four ordinary ones spread out.
void TestHttpServer::cachedReadsRunOnTheirOwnPool()
{
    const auto threadsOf = [this](const QByteArray &path) {
        const QList<QByteArray> requests(4, RawHttpClient::get(path));
        QSet<QString> threads;
        for (const RawResponse &answer : concurrently(m_port, requests)) {
            if (answer.status != 200)
                return QSet<QString>{QStringLiteral("failed")};
            threads.insert(answer.json().value(QStringLiteral("thread")).toString());
        }
        return threads;
    };
    const QSet<QString> cached = threadsOf("/test/thread-cached/150");
    const QSet<QString> ordinary = threadsOf("/test/thread/150");
    QCOMPARE(cached.size(), 1);
    QCOMPARE(ordinary.size(), 4);
    QVERIFY(!ordinary.contains(*cached.begin()));
}

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
