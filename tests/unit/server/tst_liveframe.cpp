// Live events are framed once and the same bytes written to every subscriber's TCP socket,
// under the QWebSocket that owns it. A real QWebSocket client must read each of the three
// RFC 6455 length forms as the exact text, in order with QWebSocket's own messages.

#include "live/liveclient.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace hms::server;

class TestLiveFrame : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void headerForEachLengthForm();
    void qwebsocketClientReadsFramesWrittenToTheTransport();
};

namespace {

QByteArray payloadOfSize(qsizetype size)
{
    // Multi-byte UTF-8 included: the frame length counts bytes, not characters.
    QByteArray json = "{\"text\":\"\xc3\xa9";
    while (json.size() < size - 2)
        json.append('x');
    json.append("\"}");
    return json;
}

} // namespace

void TestLiveFrame::headerForEachLengthForm()
{
    const QByteArray small = payloadOfSize(100);
    const LiveEvent a = LiveEvent::framed(1, 1, QStringLiteral("beds"), small);
    QCOMPARE(quint8(a.frame[0]), quint8(0x81));
    QCOMPARE(quint8(a.frame[1]), quint8(small.size()));
    QCOMPARE(a.json(), small);

    const QByteArray medium = payloadOfSize(300);
    const LiveEvent b = LiveEvent::framed(1, 2, QStringLiteral("beds"), medium);
    QCOMPARE(quint8(b.frame[1]), quint8(126));
    QCOMPARE((quint8(b.frame[2]) << 8) | quint8(b.frame[3]), int(medium.size()));
    QCOMPARE(b.json(), medium);

    const QByteArray large = payloadOfSize(70'000);
    const LiveEvent c = LiveEvent::framed(1, 3, QStringLiteral("beds"), large);
    QCOMPARE(quint8(c.frame[1]), quint8(127));
    QCOMPARE(c.frame.size(), large.size() + 10);
    QCOMPARE(c.json(), large);
}

void TestLiveFrame::qwebsocketClientReadsFramesWrittenToTheTransport()
{
    QTcpServer tcp;
    QVERIFY(tcp.listen(QHostAddress::LocalHost));
    QWebSocketServer webSockets(QStringLiteral("test"), QWebSocketServer::NonSecureMode);
    QPointer<QTcpSocket> transport;
    connect(&tcp, &QTcpServer::newConnection, this, [&] {
        transport = tcp.nextPendingConnection();
        webSockets.handleConnection(transport);
    });

    QWebSocket client;
    QStringList received;
    connect(&client, &QWebSocket::textMessageReceived, this, [&](const QString &text) {
        received.append(text);
    });
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(tcp.serverPort())));
    QTRY_VERIFY(webSockets.hasPendingConnections());
    QWebSocket *server = webSockets.nextPendingConnection();
    QVERIFY(server);
    QVERIFY(transport);
    QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);

    const QList<QByteArray> payloads{payloadOfSize(20), payloadOfSize(300), payloadOfSize(70'000)};
    server->sendTextMessage(QStringLiteral("before"));
    for (const QByteArray &payload : payloads) {
        transport->write(LiveEvent::framed(1, 1, QStringLiteral("beds"), payload).frame);
        transport->flush();
    }
    server->sendTextMessage(QStringLiteral("after"));

    QTRY_COMPARE(received.size(), 5);
    QCOMPARE(received[0], QStringLiteral("before"));
    for (int i = 0; i < payloads.size(); ++i)
        QCOMPARE(received[i + 1].toUtf8(), payloads[i]);
    QCOMPARE(received[4], QStringLiteral("after"));
    server->deleteLater();
}

QTEST_GUILESS_MAIN(TestLiveFrame)
#include "tst_liveframe.moc"
