// hms-bench-desks: the search desks of tests/bench/patients_bench.sh. N desks, each with one
// keep-alive HTTP/1.1 connection, send GET requests read from a file and time every answer.
//
// Why not Python threads (what the bench used first): the load shares this 2-core machine with
// the server it measures, and 70 interpreter threads waking on a schedule compete for one
// lock and for the cores. Here one thread drives every desk through epoll and times an answer
// when its last byte is read. In an A/B against the same server (1,000,000 patients, paced
// runs) both tools gave the same p50 within 0.5 ms and p99s within the run-to-run noise: the
// figures of earlier runs stand, this tool just takes less of the machine.
//
//   hms-bench-desks PORT TOKEN TARGETS_FILE DESKS PACE_MS LABEL
//
// TARGETS_FILE holds one request target per line (/api/v1/patients?q=...); target i goes to
// desk i % DESKS. PACE_MS 0: a desk sends its next request as soon as the last one is answered
// (capacity). PACE_MS > 0: each desk sends once every PACE_MS on a fixed schedule (a random
// phase per desk), and latency counts from the scheduled time, so a slow answer also delays
// and penalises the requests queued behind it.
//
// Prints one line: LABEL p50_ms p99_ms max_ms non200 hits req_per_s, where a hit is an answer
// whose "items" array is not empty.
#include <queue>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

double msBetween(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double, std::milli>(to - from).count();
}

struct Desk
{
    int fd = -1;
    std::vector<std::string> targets;
    size_t next = 0; ///< index of the next target to send
    bool busy = false; ///< a request is in flight
    Clock::time_point started; ///< scheduled (paced) or sent (flat out) time of the request
    std::string out; ///< request bytes the socket did not take yet
    std::string in; ///< answer bytes read so far
};

struct Totals
{
    std::vector<double> latencies;
    int failures = 0;
    int hits = 0;
};

int connectTo(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) < 0
        && errno != EINPROGRESS) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// Bytes of a complete answer at the start of \a in (headers and Content-Length body), 0 while
/// it is incomplete, -1 when it cannot be parsed. \a status gets the status code.
long completeAnswer(const std::string &in, int &status)
{
    const size_t headerEnd = in.find("\r\n\r\n");
    if (headerEnd == std::string::npos)
        return 0;
    if (in.compare(0, 9, "HTTP/1.1 ") != 0 || in.size() < 12)
        return -1;
    status = std::atoi(in.c_str() + 9);
    std::string headers = in.substr(0, headerEnd);
    std::transform(headers.begin(), headers.end(), headers.begin(), [](unsigned char c) {
        return static_cast<char>(std::tolower(c));
    });
    const size_t length = headers.find("\r\ncontent-length:");
    if (length == std::string::npos)
        return -1; // both servers measured here answer with a Content-Length
    const long body = std::atol(headers.c_str() + length + 17);
    const size_t total = headerEnd + 4 + static_cast<size_t>(body);
    return in.size() >= total ? static_cast<long>(total) : 0;
}

/// Whether the answer's "items" array has an element.
bool hasItems(const std::string &answer)
{
    size_t at = answer.find("\"items\":");
    if (at == std::string::npos)
        return false;
    at = answer.find('[', at);
    if (at == std::string::npos)
        return false;
    at = answer.find_first_not_of(" \r\n\t", at + 1);
    return at != std::string::npos && answer[at] != ']';
}

class Desks
{
public:
    Desks(int port, std::string token, int pacingMs)
        : m_port(port)
        , m_token(std::move(token))
        , m_pace(std::chrono::milliseconds(pacingMs))
    {}

    /// Seconds from the first scheduled request to the last answer; nothing on failure.
    std::optional<double> run(std::vector<Desk> &desks, Totals &totals)
    {
        m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
        if (m_epoll < 0)
            return std::nullopt;
        std::mt19937 random(11);
        // Connections open during the first 200 ms; the requests (and the rate) start here.
        const Clock::time_point begin = Clock::now() + std::chrono::milliseconds(200);
        // (scheduled time, desk): the next request each desk has to send, earliest first.
        using Due = std::pair<Clock::time_point, size_t>;
        std::priority_queue<Due, std::vector<Due>, std::greater<>> due;
        for (size_t d = 0; d < desks.size(); ++d) {
            if (desks[d].targets.empty())
                continue;
            if (!open(desks[d], d))
                return std::nullopt;
            const auto phase = m_pace.count() > 0
                ? std::chrono::microseconds(random() % (m_pace.count() * 1000))
                : std::chrono::microseconds(0);
            due.push({begin + phase, d});
            ++m_pending;
        }
        std::vector<epoll_event> events(64);
        while (m_pending > 0) {
            Clock::time_point now = Clock::now();
            while (!due.empty() && due.top().first <= now) {
                const auto [at, d] = due.top();
                due.pop();
                if (!send(desks[d], d, at))
                    return std::nullopt; // a desk that cannot connect measures nothing
            }
            int timeoutMs = -1;
            if (!due.empty()) {
                const auto wait =
                    std::chrono::duration_cast<std::chrono::microseconds>(due.top().first - now);
                timeoutMs = static_cast<int>((wait.count() + 999) / 1000);
            }
            const int ready =
                ::epoll_wait(m_epoll, events.data(), static_cast<int>(events.size()), timeoutMs);
            if (ready < 0 && errno != EINTR)
                return std::nullopt;
            for (int e = 0; e < ready; ++e) {
                const size_t d = events[e].data.u64;
                Desk &desk = desks[d];
                if (events[e].events & EPOLLOUT)
                    flush(desk);
                if (!(events[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
                    continue;
                const std::optional<Clock::time_point> nextAt = receive(desk, totals);
                if (nextAt)
                    due.push({*nextAt, d});
            }
        }
        for (Desk &desk : desks) {
            if (desk.fd >= 0)
                ::close(desk.fd);
        }
        ::close(m_epoll);
        return msBetween(begin, Clock::now()) / 1000.0;
    }

private:
    bool open(Desk &desk, size_t d)
    {
        desk.fd = connectTo(m_port);
        if (desk.fd < 0)
            return false;
        epoll_event event{};
        event.events = EPOLLIN | EPOLLOUT | EPOLLET;
        event.data.u64 = d;
        return ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, desk.fd, &event) == 0;
    }

    bool send(Desk &desk, size_t d, Clock::time_point scheduled)
    {
        if (desk.fd < 0 && !open(desk, d))
            return false;
        desk.busy = true;
        desk.started = m_pace.count() > 0 ? scheduled : Clock::now();
        desk.in.clear();
        desk.out = "GET " + desk.targets[desk.next] + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer " + m_token + "\r\n\r\n";
        flush(desk);
        return true;
    }

    void flush(Desk &desk)
    {
        while (!desk.out.empty()) {
            const ssize_t sent = ::send(desk.fd, desk.out.data(), desk.out.size(), MSG_NOSIGNAL);
            if (sent < 0)
                return; // EAGAIN (EPOLLOUT resumes) or an error (the read side sees it)
            desk.out.erase(0, static_cast<size_t>(sent));
        }
    }

    /// Reads what arrived; when an answer completed, records it and returns when the desk's
    /// next request is due (nothing when the desk is done or still waiting).
    std::optional<Clock::time_point> receive(Desk &desk, Totals &totals)
    {
        char buffer[64 * 1024];
        bool closed = false;
        for (;;) {
            const ssize_t got = ::read(desk.fd, buffer, sizeof buffer);
            if (got > 0) {
                desk.in.append(buffer, static_cast<size_t>(got));
                continue;
            }
            closed = got == 0 || errno != EAGAIN;
            break;
        }
        if (!desk.busy) { // the server closed an idle connection: the next request reopens
            if (closed) {
                ::close(desk.fd);
                desk.fd = -1;
            }
            return std::nullopt;
        }
        int status = 0;
        const long size = completeAnswer(desk.in, status);
        if (size == 0 && !closed)
            return std::nullopt;
        const Clock::time_point now = Clock::now();
        totals.latencies.push_back(msBetween(desk.started, now));
        if (size > 0 && status == 200) {
            if (hasItems(desk.in.substr(0, static_cast<size_t>(size))))
                ++totals.hits;
        } else {
            ++totals.failures;
        }
        if (size <= 0 || closed) { // a new connection for the next request
            ::close(desk.fd);
            desk.fd = -1;
        }
        desk.busy = false;
        if (++desk.next == desk.targets.size()) {
            --m_pending;
            return std::nullopt;
        }
        if (m_pace.count() == 0)
            return now;
        return desk.started + m_pace;
    }

    int m_port;
    std::string m_token;
    std::chrono::milliseconds m_pace;
    int m_epoll = -1;
    int m_pending = 0; ///< desks with targets left
};

} // namespace

int main(int argc, char **argv)
{
    if (argc != 7) {
        std::fprintf(stderr, "usage: %s PORT TOKEN TARGETS_FILE DESKS PACE_MS LABEL\n", argv[0]);
        return 2;
    }
    const int port = std::atoi(argv[1]);
    const int deskCount = std::atoi(argv[4]);
    const int paceMs = std::atoi(argv[5]);
    std::ifstream file(argv[3]);
    std::vector<std::string> targets;
    for (std::string line; std::getline(file, line);) {
        if (!line.empty())
            targets.push_back(line);
    }
    if (targets.empty() || deskCount <= 0 || paceMs < 0) {
        std::fprintf(stderr, "no targets, or a bad desk count or pace\n");
        return 2;
    }
    std::vector<Desk> desks(static_cast<size_t>(deskCount));
    for (size_t i = 0; i < targets.size(); ++i)
        desks[i % desks.size()].targets.push_back(targets[i]);

    Totals totals;
    Desks driver(port, argv[2], paceMs);
    const std::optional<double> seconds = driver.run(desks, totals);
    if (!seconds) {
        std::fprintf(stderr, "%s: %s\n", argv[0], std::strerror(errno));
        return 1;
    }
    std::vector<double> &l = totals.latencies;
    std::sort(l.begin(), l.end());
    const auto at = [&l](double p) {
        return l[std::min(l.size() - 1, static_cast<size_t>(p * static_cast<double>(l.size())))];
    };
    std::printf("%s %.1f %.1f %.1f %d %d %.0f\n", argv[6], at(0.50), at(0.99), l.back(),
                totals.failures, totals.hits, static_cast<double>(l.size()) / *seconds);
    return 0;
}
