// SECURITY.md A5: 200 concurrent wrong-password logins against a real hms-server with the
// production Argon2 cost, each from its own loopback address so the per-address limit does
// not hide the load. The hasher is bounded: memory stays flat, excess logins get a fast
// 503/429, and /api/v1/health keeps answering quickly throughout.
#include "support/serverfixture.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTest>

#include <algorithm>

using namespace hms;
using namespace hms::test;

namespace {

qint64 residentKib(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

} // namespace

class TestLoginFlood : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void floodIsBoundedAndHealthStaysFast();
};

void TestLoginFlood::floodIsBoundedAndHealthStaysFast()
{
    TestDatabase db(QStringLiteral("flood"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    QTemporaryDir keys;
    QProcessEnvironment env;
    env.insert(QStringLiteral("HMS_DATABASE_URL"), db.qurl());
    env.insert(QStringLiteral("HMS_JWT_KEY_FILE"), keys.filePath(QStringLiteral("jwt.key")));
    ServerProcess server; // default Argon2 target: t=3, m=64 MiB
    QVERIFY(server.start({}, env));
    QCOMPARE(runAdmin(db.url(),
                      {QStringLiteral("hospital"), QStringLiteral("add"), QStringLiteral("--code"),
                       QStringLiteral("flood"), QStringLiteral("--name"), QStringLiteral("Flood")})
                 .exitCode,
             0);
    QCOMPARE(runAdmin(db.url(),
                      {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("--hospital"),
                       QStringLiteral("flood"), QStringLiteral("--username"),
                       QStringLiteral("victim"), QStringLiteral("--role"), QStringLiteral("nurse"),
                       QStringLiteral("--password-stdin")},
                      "purple tractor horse 99\n")
                 .exitCode,
             0);

    const qint64 pid = server.process().processId();
    const qint64 rssBefore = residentKib(pid);
    QVERIFY(rssBefore > 0);

    constexpr int Clients = 200;
    const QByteArray body =
        R"({"hospital":"flood","username":"victim","password":"not the password at all"})";
    const QByteArray request = ServerFixture::httpRequest("POST", "/api/v1/auth/login", {}, body);
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < Clients; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        // Each its own source address (127.0.0.0/8 is all loopback): a spray, not one client.
        socket->bind(QHostAddress(QStringLiteral("127.0.%1.%2").arg(1 + i / 250).arg(2 + i % 250)));
        socket->connectToHost(QHostAddress::LocalHost, server.port());
        sockets.push_back(std::move(socket));
    }
    QVERIFY(waitUntil([&] {
        return std::all_of(sockets.begin(), sockets.end(), [](const auto &s) {
            return s->state() == QAbstractSocket::ConnectedState;
        });
    }));
    for (auto &socket : sockets)
        socket->write(request);

    // Poll health while the flood is being worked off.
    QList<qint64> healthMs;
    qint64 peakRss = rssBefore;
    std::vector<QByteArray> answers(Clients);
    QElapsedTimer flood;
    flood.start();
    auto answered = [&] {
        int done = 0;
        for (int i = 0; i < Clients; ++i) {
            answers[size_t(i)] += sockets[size_t(i)]->readAll();
            done += answers[size_t(i)].contains("\r\n\r\n") ? 1 : 0;
        }
        return done;
    };
    while (answered() < Clients && flood.elapsed() < 60'000) {
        QElapsedTimer one;
        one.start();
        const auto health =
            RawHttpClient::roundTrip(server.port(), RawHttpClient::get("/api/v1/health"), 5000);
        QVERIFY(health);
        QCOMPARE(health->status, 200);
        healthMs.append(one.elapsed());
        peakRss = qMax(peakRss, residentKib(pid));
        QTest::qWait(20);
    }
    QCOMPARE(answered(), Clients);

    int unauthorized = 0;
    int refused = 0;
    for (const QByteArray &answer : answers) {
        const int status = answer.mid(9, 3).toInt();
        QVERIFY2(status == 401 || status == 429 || status == 503, answer.left(80).constData());
        (status == 401 ? unauthorized : refused) += 1;
    }
    std::sort(healthMs.begin(), healthMs.end());
    const qint64 p99 = healthMs.isEmpty() ? 0 : healthMs.at(qsizetype(healthMs.size() * 0.99));
    qInfo("flood of %d logins: %d answered 401 after Argon2, %d refused fast (503/429) in %lld ms; "
          "health p99 %lld ms over %lld polls; RSS %lld -> peak %lld KiB",
          Clients, unauthorized, refused, qint64(flood.elapsed()), p99, qint64(healthMs.size()),
          rssBefore, peakRss);
    QVERIFY(refused > 0); // the bound is real
    QVERIFY(unauthorized > 0); // and some were really checked
    QVERIFY(peakRss - rssBefore < 512 * 1024); // at most a few Argon2 buffers at once
    // Every health poll above was answered 200 within its 5 s timeout while the flood ran:
    // that is the property. The p99 is printed, not asserted (a loaded CI box moves it; the
    // figure belongs in a benchmark, PERFORMANCE.md).
    QCOMPARE(server.process().state(), QProcess::Running);
}

QTEST_GUILESS_MAIN(TestLoginFlood)
#include "tst_loginflood.moc"
