#include "http/httprequestparser.h"

#include <QTest>

using namespace hms::server;
using Outcome = HttpRequestParser::Outcome;

class TestHttpRequestParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesSimpleGet();
    void decodesPathAndQuery();
    void needsMoreUntilBlankLine();
    void refusesBadFraming_data();
    void refusesBadFraming();
    void enforcesLimits_data();
    void enforcesLimits();
    void keepAliveFollowsVersionAndConnection_data();
    void keepAliveFollowsVersionAndConnection();
    void skipsLeadingEmptyLines();
};

static HttpLimits smallLimits()
{
    HttpLimits limits;
    limits.maxRequestLineBytes = 100;
    limits.maxHeaderBytes = 200;
    limits.maxHeaderCount = 5;
    limits.maxBodyBytes = 1000;
    return limits;
}

void TestHttpRequestParser::parsesSimpleGet()
{
    HttpRequestParser parser{HttpLimits()};
    const QByteArray raw = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\nNEXT";
    const auto result = parser.parseHead(raw);
    QCOMPARE(result.outcome, Outcome::Complete);
    QCOMPARE(result.headLength, raw.size() - 4);
    QCOMPARE(result.request.method, QByteArray("GET"));
    QCOMPARE(result.request.segments, (QList<QString>{"api", "v1", "health"}));
    QCOMPARE(result.request.header("accept"), QByteArray("*/*"));
    QCOMPARE(result.contentLength, 0);
    QVERIFY(result.request.keepAlive);
}

void TestHttpRequestParser::decodesPathAndQuery()
{
    HttpRequestParser parser{HttpLimits()};
    const auto result = parser.parseHead(
        "GET /api/v1/patients/Jos%C3%A9/?q=a%20b&limit=5 HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(result.outcome, Outcome::Complete);
    QCOMPARE(result.request.segments.last(), QStringLiteral("José"));
    QCOMPARE(result.request.query.queryItemValue(QStringLiteral("q"), QUrl::FullyDecoded),
             QStringLiteral("a b"));
    QCOMPARE(result.request.query.queryItemValue(QStringLiteral("limit")), QStringLiteral("5"));
}

void TestHttpRequestParser::needsMoreUntilBlankLine()
{
    HttpRequestParser parser{HttpLimits()};
    QCOMPARE(parser.parseHead("GET / HT").outcome, Outcome::NeedMore);
    QCOMPARE(parser.parseHead("GET / HTTP/1.1\r\nHost: x\r\n").outcome, Outcome::NeedMore);
}

void TestHttpRequestParser::refusesBadFraming_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");
    const QByteArray start = "POST /x HTTP/1.1\r\nHost: x\r\n";
    QTest::newRow("non-numeric-content-length") << start + "Content-Length: abc\r\n\r\n" << 400;
    QTest::newRow("signed-content-length") << start + "Content-Length: +5\r\n\r\n" << 400;
    QTest::newRow("two-content-lengths") << start + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n"
                                         << 400;
    QTest::newRow("content-length-and-chunked")
        << start + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        << 400;
    QTest::newRow("chunked-only") << start + "Transfer-Encoding: chunked\r\n\r\n" << 501;
    QTest::newRow("obsolete-folding") << start + "X-A: 1\r\n  folded\r\n\r\n" << 400;
    QTest::newRow("space-before-colon") << start + "X-A : 1\r\n\r\n" << 400;
    QTest::newRow("bare-lf") << QByteArray("GET / HTTP/1.1\nHost: x\n\n") << 400;
    QTest::newRow("nul-in-value") << start + QByteArray("X-A: a\0b\r\n\r\n", 14) << 400;
    QTest::newRow("http-2") << QByteArray("GET / HTTP/2.0\r\nHost: x\r\n\r\n") << 505;
    QTest::newRow("garbage-version") << QByteArray("GET / FOO\r\nHost: x\r\n\r\n") << 400;
    QTest::newRow("absolute-form")
        << QByteArray("GET http://a/ HTTP/1.1\r\nHost: x\r\n\r\n") << 400;
    QTest::newRow("missing-host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("encoded-slash") << QByteArray("GET /a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n") << 400;
    QTest::newRow("encoded-nul") << QByteArray("GET /a%00 HTTP/1.1\r\nHost: x\r\n\r\n") << 400;
    QTest::newRow("invalid-utf8") << QByteArray("GET /%FF HTTP/1.1\r\nHost: x\r\n\r\n") << 400;
    QTest::newRow("unknown-expect") << start + "Expect: magic\r\n\r\n" << 417;
}

void TestHttpRequestParser::refusesBadFraming()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);
    HttpRequestParser parser{HttpLimits()};
    const auto result = parser.parseHead(raw);
    QCOMPARE(result.outcome, Outcome::Error);
    QCOMPARE(result.errorStatus, status);
    QVERIFY(!result.errorDetail.isEmpty());
}

void TestHttpRequestParser::enforcesLimits_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");
    QTest::newRow("long-url-complete")
        << "GET /" + QByteArray(120, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"
        << 414;
    QTest::newRow("long-url-partial") << "GET /" + QByteArray(120, 'a') << 414;
    QTest::newRow("headers-too-big-partial")
        << "GET / HTTP/1.1\r\nHost: x\r\nX-A: " + QByteArray(300, 'a') << 431;
    QTest::newRow("too-many-headers")
        << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n")
        << 431;
    QTest::newRow("body-too-large")
        << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n") << 413;
    QTest::newRow("body-10-gib") << QByteArray(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10737418240\r\n\r\n")
                                 << 413;
}

void TestHttpRequestParser::enforcesLimits()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);
    HttpRequestParser parser(smallLimits());
    const auto result = parser.parseHead(raw);
    QCOMPARE(result.outcome, Outcome::Error);
    QCOMPARE(result.errorStatus, status);
}

void TestHttpRequestParser::keepAliveFollowsVersionAndConnection_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<bool>("keepAlive");
    QTest::newRow("http11-default") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n") << true;
    QTest::newRow("http11-close") << QByteArray(
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n")
                                  << false;
    QTest::newRow("http11-close-in-list")
        << QByteArray("GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, close\r\n\r\n") << false;
    QTest::newRow("http10-default") << QByteArray("GET / HTTP/1.0\r\n\r\n") << false;
    QTest::newRow("http10-keep-alive")
        << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << true;
}

void TestHttpRequestParser::keepAliveFollowsVersionAndConnection()
{
    QFETCH(QByteArray, raw);
    QFETCH(bool, keepAlive);
    HttpRequestParser parser{HttpLimits()};
    const auto result = parser.parseHead(raw);
    QCOMPARE(result.outcome, Outcome::Complete);
    QCOMPARE(result.request.keepAlive, keepAlive);
}

void TestHttpRequestParser::skipsLeadingEmptyLines()
{
    HttpRequestParser parser{HttpLimits()};
    const QByteArray raw = "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    const auto result = parser.parseHead(raw);
    QCOMPARE(result.outcome, Outcome::Complete);
    QCOMPARE(result.headLength, raw.size());
}

QTEST_GUILESS_MAIN(TestHttpRequestParser)
#include "tst_httprequestparser.moc"
