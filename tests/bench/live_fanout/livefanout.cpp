// Load generator for tests/bench/live_fanout.sh (a benchmark, never a test): opens N
// WebSocket subscribers to /api/v1/live on topic `beds`, then changes beds through REST at
// each requested rate and prints, per rate, the latency from commit to receipt over every
// subscriber (p50/p99/max), the events lost, and the highest rate with none lost.
//
// Subscribers are plain sockets speaking RFC 6455 themselves on an epoll thread of their own
// (epollsubscribers.h): QWebSocket or QTcpSocket would cost the load process as much CPU as the
// server it measures (both share this 2-core machine) and queue receipts behind the REST calls.
//
// Latency runs from the event's commit to its receipt. With --database-url (and the cluster's
// track_commit_timestamp on) the commit is each event row's commit timestamp, read after each
// rate; it includes the commit's WAL flush, NOTIFY, the server's fetch and fan-out, the socket
// and this process's own event loop. Without it, the event's `at` (the start of the writing
// transaction: later work in that transaction counts too) stands in for the commit.
#include "epollsubscribers.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSet>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>
#include <vector>

#include <unistd.h>

namespace {

struct Options
{
    QUrl base;
    QByteArray token;
    int subscribers = 1000;
    QList<int> rates;
    int seconds = 10;
    QStringList bedIds;
    qint64 serverPid = 0;
    QString databaseUrl; ///< for commit timestamps; empty: the events' `at`
};

/// seq -> commit time (µs since the epoch) of the events with seq in [first, last], read with
/// psql from \a databaseUrl; empty when that fails or track_commit_timestamp is off.
QHash<qint64, qint64> commitTimes(const QString &databaseUrl, qint64 first, qint64 last)
{
    QHash<qint64, qint64> times;
    if (databaseUrl.isEmpty() || first > last)
        return times;
    QProcess psql;
    psql.start(QStringLiteral("psql"),
               {QStringLiteral("-XAtq"), QStringLiteral("-F"), QStringLiteral(" "),
                QStringLiteral("-d"), databaseUrl, QStringLiteral("-c"),
                QStringLiteral("SELECT seq, (extract(epoch FROM pg_xact_commit_timestamp(xmin)) "
                               "* 1000000)::bigint FROM events WHERE seq BETWEEN %1 AND %2 "
                               "AND pg_xact_commit_timestamp(xmin) IS NOT NULL")
                    .arg(first)
                    .arg(last)});
    if (!psql.waitForFinished(60'000) || psql.exitCode() != 0) {
        std::fprintf(stderr, "commit timestamps unavailable: %s\n",
                     psql.readAllStandardError().trimmed().constData());
        return {};
    }
    for (const QByteArray &line : psql.readAllStandardOutput().split('\n')) {
        const QList<QByteArray> fields = line.split(' ');
        if (fields.size() == 2)
            times.insert(fields[0].toLongLong(), fields[1].toLongLong());
    }
    return times;
}

qint64 residentKib(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (pid <= 0 || !status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

/// CPU seconds (user + system) used so far by \a pid (0: this process).
double cpuSeconds(qint64 pid)
{
    QFile stat(pid > 0 ? QStringLiteral("/proc/%1/stat").arg(pid)
                       : QStringLiteral("/proc/self/stat"));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    // Fields 14 and 15 (utime, stime) in clock ticks, counted after the ")" that ends the name.
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return 0;
    const double ticks = double(fields[11].toLongLong() + fields[12].toLongLong());
    return ticks / double(sysconf(_SC_CLK_TCK));
}

class Bench : public QObject
{
public:
    explicit Bench(Options options)
        : m_options(std::move(options))
    {}

    void start()
    {
        m_rssBefore = residentKib(m_options.serverPid);
        if (m_options.base.scheme() != QLatin1String("http")) {
            std::fprintf(stderr, "only http:// is supported by the raw subscribers\n");
            QCoreApplication::exit(2);
            return;
        }
        const QByteArray upgrade =
            "GET /api/v1/live HTTP/1.1\r\nHost: " + m_options.base.host().toUtf8()
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
              "Authorization: Bearer "
            + m_options.token + "\r\n\r\n";
        m_subscribers = std::make_unique<hms::bench::EpollSubscribers>(
            m_options.base.host(), quint16(m_options.base.port(80)), upgrade,
            hms::bench::clientFrame(0x1, "{\"type\":\"subscribe\",\"topics\":[\"beds\"]}"),
            m_options.subscribers);
        if (!m_subscribers->start()) {
            QCoreApplication::exit(1);
            return;
        }
        m_waitStarted.start();
        loadBedVersions();
    }

private:
    // Status changes need If-Match: learn each bed's version once, then follow the ETags.
    void loadBedVersions()
    {
        QUrl url = m_options.base;
        url.setPath(QStringLiteral("/api/v1/beds"));
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", "Bearer " + m_options.token);
        QNetworkReply *reply = m_network.get(request);
        QObject::connect(reply, &QNetworkReply::finished, this, [this, reply] {
            reply->deleteLater();
            const QJsonArray items = QJsonDocument::fromJson(reply->readAll())
                                         .object()
                                         .value(QStringLiteral("items"))
                                         .toArray();
            for (const QJsonValue &item : items) {
                const QJsonObject bed = item.toObject();
                m_etags.insert(
                    bed.value(QStringLiteral("id")).toString(),
                    '"' + QByteArray::number(bed.value(QStringLiteral("version")).toInt()) + '"');
                m_inMaintenance.insert(bed.value(QStringLiteral("id")).toString(),
                                       bed.value(QStringLiteral("status")).toString()
                                           == QLatin1String("maintenance"));
            }
            for (const QString &bed : std::as_const(m_options.bedIds)) {
                if (!m_etags.contains(bed)) {
                    std::fprintf(stderr, "bed %s not found in GET /api/v1/beds\n", qPrintable(bed));
                    QCoreApplication::exit(1);
                    return;
                }
            }
            waitForSubscribers();
        });
    }

    void waitForSubscribers()
    {
        if (m_subscribers->subscribed() < m_options.subscribers) {
            if (m_waitStarted.elapsed() > 120'000) {
                std::fprintf(stderr, "only %d of %d subscribers came up\n",
                             m_subscribers->subscribed(), m_options.subscribers);
                QCoreApplication::exit(1);
                return;
            }
            QTimer::singleShot(100, this, [this] {
                waitForSubscribers();
            });
            return;
        }
        const qint64 rss = residentKib(m_options.serverPid);
        std::printf("subscribers: %d connected in %.1f s; server RSS %lld -> %lld KiB "
                    "(%.1f KiB per connection)\n",
                    m_subscribers->subscribed(), double(m_waitStarted.elapsed()) / 1000.0,
                    static_cast<long long>(m_rssBefore), static_cast<long long>(rss),
                    double(rss - m_rssBefore) / m_options.subscribers);
        std::printf("%8s %10s %8s %8s %8s %8s %10s %11s %11s\n", "rate/s", "changes/s", "p50 ms",
                    "p99 ms", "max ms", "lost", "delivered", "server cpu", "load cpu");
        std::fflush(stdout);
        runRate(0);
    }

    void runRate(int index)
    {
        if (index >= m_options.rates.size()) {
            std::printf("highest achieved rate with zero lost events: %.1f changes/s with %d "
                        "subscribers\n",
                        m_bestRate, m_options.subscribers);
            std::printf("server RSS at the end: %lld KiB; disconnects: %d\n",
                        static_cast<long long>(residentKib(m_options.serverPid)),
                        m_subscribers->disconnects());
            QCoreApplication::exit(0);
            return;
        }
        m_subscribers->beginMeasuring();
        m_sent = 0;
        m_answered = 0;
        m_failed = 0;
        const int rate = m_options.rates[index];
        const int total = rate * m_options.seconds;
        m_clock.start();
        m_serverCpuAtStart = cpuSeconds(m_options.serverPid);
        m_ownCpuAtStart = cpuSeconds(0);
        // Requests go out on a schedule (not when the previous answers), so a slow server
        // shows up as latency instead of a lower offered rate.
        auto *tick = new QTimer(this);
        tick->setTimerType(Qt::PreciseTimer);
        tick->setInterval(5);
        QObject::connect(tick, &QTimer::timeout, this, [this, tick, rate, total, index] {
            const qint64 due = std::min<qint64>(total, m_clock.elapsed() * rate / 1000);
            while (m_sent < due && changeBed())
                ++m_sent;
            if (m_sent >= total) {
                tick->deleteLater();
                finishRate(index, rate, total);
            }
        });
        tick->start();
    }

    /// False when every bed has a change in flight (the server is behind): try next tick.
    bool changeBed()
    {
        // The next bed without a change in flight (two at once would race on If-Match).
        QString bed;
        for (qsizetype tried = 0; tried < m_options.bedIds.size() && bed.isEmpty(); ++tried) {
            const QString candidate = m_options.bedIds[m_nextBed++ % m_options.bedIds.size()];
            if (!m_inFlight.contains(candidate))
                bed = candidate;
        }
        if (bed.isEmpty())
            return false;
        m_inFlight.insert(bed);
        // Each bed alternates free -> maintenance -> free, one change per request.
        const bool toMaintenance = !m_inMaintenance.value(bed);
        m_inMaintenance.insert(bed, toMaintenance);
        QUrl url = m_options.base;
        url.setPath(QStringLiteral("/api/v1/beds/%1/status").arg(bed));
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", "Bearer " + m_options.token);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        request.setRawHeader("If-Match", m_etags.value(bed));
        const QByteArray body =
            QJsonDocument(QJsonObject{{QStringLiteral("status"),
                                       toMaintenance ? QStringLiteral("maintenance")
                                                     : QStringLiteral("free")}})
                .toJson(QJsonDocument::Compact);
        QNetworkReply *reply = m_network.post(request, body);
        QObject::connect(reply, &QNetworkReply::finished, this, [this, reply, bed, toMaintenance] {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status < 200 || status > 299) {
                m_inMaintenance.insert(bed, !toMaintenance); // it did not change
                if (m_failed++ < 3)
                    std::fprintf(stderr, "change failed: HTTP %d %s\n", status,
                                 reply->readAll().left(300).constData());
            } else {
                m_etags.insert(bed, reply->rawHeader("ETag"));
            }
            m_inFlight.remove(bed);
            ++m_answered;
            reply->deleteLater();
        });
        return true;
    }

    void finishRate(int index, int rate, int total)
    {
        // Wait for the answers, then a moment for the last events to reach everyone.
        if (m_answered < total) {
            QTimer::singleShot(20, this, [this, index, rate, total] {
                finishRate(index, rate, total);
            });
            return;
        }
        const double seconds = double(m_clock.elapsed()) / 1000.0;
        // Share of one core while the changes went out (the drain below is not counted).
        const double serverCpu = m_options.serverPid > 0
            ? (cpuSeconds(m_options.serverPid) - m_serverCpuAtStart) / seconds
            : -1;
        const double ownCpu = (cpuSeconds(0) - m_ownCpuAtStart) / seconds;
        QTimer::singleShot(2000, this, [this, index, rate, total, seconds, serverCpu, ownCpu] {
            const hms::bench::EpollSubscribers::Results results = m_subscribers->endMeasuring();
            const qint64 committed = total - m_failed;
            qint64 lost = 0;
            qint64 delivered = 0;
            for (const std::vector<qint64> &received : results.seqsBySubscriber) {
                std::vector<qint64> seqs = received;
                std::sort(seqs.begin(), seqs.end());
                seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
                delivered += qint64(received.size());
                lost += std::max<qint64>(0, committed - qint64(seqs.size()));
                // A duplicate is as wrong as a loss.
                lost += qint64(received.size() - seqs.size());
            }
            // Commit to receipt, in µs; the events' `at` where a commit time is missing.
            qint64 first = std::numeric_limits<qint64>::max();
            qint64 last = 0;
            for (const auto &[seq, received] : results.receipts) {
                first = std::min(first, seq);
                last = std::max(last, seq);
            }
            const QHash<qint64, qint64> committedAt =
                commitTimes(m_options.databaseUrl, first, last);
            std::vector<qint64> latencies;
            latencies.reserve(results.receipts.size());
            qint64 fromAt = 0;
            for (const auto &[seq, received] : results.receipts) {
                const auto commit = committedAt.constFind(seq);
                if (commit != committedAt.cend()) {
                    latencies.push_back(received - *commit);
                } else {
                    latencies.push_back(received - results.atBySeq.value(seq) * 1000);
                    ++fromAt;
                }
            }
            std::sort(latencies.begin(), latencies.end());
            const auto at = [&](double q) {
                return latencies.empty()
                    ? -1.0
                    : double(latencies[std::min(latencies.size() - 1,
                                                size_t(q * double(latencies.size())))])
                        / 1000.0;
            };
            std::printf("%8d %10.1f %8.1f %8.1f %8.1f %8lld %10lld %10.0f%% %10.0f%%\n", rate,
                        double(committed) / seconds, at(0.50), at(0.99),
                        latencies.empty() ? -1.0 : double(latencies.back()) / 1000.0,
                        static_cast<long long>(lost), static_cast<long long>(delivered),
                        serverCpu * 100, ownCpu * 100);
            if (fromAt > 0)
                std::printf("         (%lld receipts timed from the event's `at`: no commit "
                            "timestamp)\n",
                            static_cast<long long>(fromAt));
            if (m_failed > 0)
                std::printf("         (%d changes failed)\n", m_failed);
            std::fflush(stdout);
            if (lost == 0 && m_failed == 0)
                m_bestRate = std::max(m_bestRate, double(committed) / seconds);
            runRate(index + 1);
        });
    }

    Options m_options;
    QNetworkAccessManager m_network;
    std::unique_ptr<hms::bench::EpollSubscribers> m_subscribers;
    QElapsedTimer m_waitStarted;
    QElapsedTimer m_clock;
    qint64 m_rssBefore = 0;
    double m_serverCpuAtStart = 0;
    double m_ownCpuAtStart = 0;
    qint64 m_sent = 0;
    int m_answered = 0;
    int m_failed = 0;
    double m_bestRate = 0;
    QHash<QString, bool> m_inMaintenance;
    QHash<QString, QByteArray> m_etags;
    QSet<QString> m_inFlight;
    qint64 m_nextBed = 0;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Live fan-out load generator (benchmark)."));
    parser.addHelpOption();
    const QCommandLineOption url(QStringLiteral("url"), QStringLiteral("Server base URL."),
                                 QStringLiteral("url"));
    const QCommandLineOption token(QStringLiteral("token-file"),
                                   QStringLiteral("File holding an access token (bed.manage)."),
                                   QStringLiteral("path"));
    const QCommandLineOption beds(QStringLiteral("beds"),
                                  QStringLiteral("Comma-separated bed ids to change."),
                                  QStringLiteral("ids"));
    const QCommandLineOption subscribers(QStringLiteral("subscribers"),
                                         QStringLiteral("WebSocket subscribers (1000)."),
                                         QStringLiteral("n"), QStringLiteral("1000"));
    const QCommandLineOption rates(QStringLiteral("rates"),
                                   QStringLiteral("Comma-separated changes per second."),
                                   QStringLiteral("list"), QStringLiteral("25,50,100,200,400"));
    const QCommandLineOption seconds(QStringLiteral("seconds"),
                                     QStringLiteral("Seconds per rate (10)."), QStringLiteral("s"),
                                     QStringLiteral("10"));
    const QCommandLineOption serverPid(QStringLiteral("server-pid"),
                                       QStringLiteral("hms-server pid, for its memory."),
                                       QStringLiteral("pid"), QStringLiteral("0"));
    const QCommandLineOption databaseUrl(
        QStringLiteral("database-url"),
        QStringLiteral("PostgreSQL URL to read the events' commit timestamps from "
                       "(track_commit_timestamp on); without it, latency starts at `at`."),
        QStringLiteral("url"));
    parser.addOptions({url, token, beds, subscribers, rates, seconds, serverPid, databaseUrl});
    parser.process(app);

    Options options;
    options.base = QUrl(parser.value(url));
    QFile tokenFile(parser.value(token));
    if (!tokenFile.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read the token file\n");
        return 2;
    }
    options.token = tokenFile.readAll().trimmed();
    options.bedIds = parser.value(beds).split(QLatin1Char(','), Qt::SkipEmptyParts);
    options.subscribers = parser.value(subscribers).toInt();
    for (const QString &rate : parser.value(rates).split(QLatin1Char(','), Qt::SkipEmptyParts))
        options.rates.append(rate.toInt());
    options.seconds = parser.value(seconds).toInt();
    options.serverPid = parser.value(serverPid).toLongLong();
    options.databaseUrl = parser.value(databaseUrl);
    if (!options.base.isValid() || options.bedIds.isEmpty() || options.subscribers <= 0
        || options.rates.isEmpty() || options.seconds <= 0) {
        parser.showHelp(2);
    }
    Bench bench(options);
    QTimer::singleShot(0, &bench, [&bench] {
        bench.start();
    });
    return app.exec();
}
