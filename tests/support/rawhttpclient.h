#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QProcess>
#include <QTcpSocket>

#include <functional>
#include <optional>
#include <vector>

namespace hms::test {

/// Spins the event loop until \a condition holds or \a timeoutMs pass. Lets a test client
/// and an in-process server share one thread.
bool waitUntil(const std::function<bool()> &condition, int timeoutMs = 5000);

/// One parsed HTTP response as the client saw it.
struct RawResponse
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers; ///< names lower-cased
    QByteArray body;

    QByteArray header(const QByteArray &lowerName) const;
    QJsonObject json() const;
};

/// A deliberately low-level HTTP/1.1 client over a plain socket: sends exactly the bytes a
/// test gives it (pipelined, malformed, slow) and parses what comes back.
class RawHttpClient
{
public:
    bool connectTo(quint16 port, int timeoutMs = 5000);
    void send(const QByteArray &bytes);
    /// Reads one response (Content-Length framed). nullopt on timeout or close.
    std::optional<RawResponse> readResponse(int timeoutMs = 5000);
    /// True once the server closed the connection.
    bool waitForClosed(int timeoutMs = 5000);

    QTcpSocket &socket() { return m_socket; }

    /// Convenience: a GET with Host and optional extra header lines ("Name: value\r\n").
    static QByteArray get(const QByteArray &path, const QByteArray &extraHeaders = {});
    /// One request on a fresh connection.
    static std::optional<RawResponse>
    roundTrip(quint16 port, const QByteArray &request, int timeoutMs = 5000);

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
};

/// A real hms-server process (from HMS_BIN_DIR) on a free port, for black-box tests.
class ServerProcess
{
public:
    ~ServerProcess();
    /// Starts `hms-server --listen 127.0.0.1:0 [extraArgs]` with \a environment added;
    /// waits for its "listening on" line. False with the log printed when it does not come.
    bool start(const QStringList &extraArgs, const QProcessEnvironment &environment);

    quint16 port() const { return m_port; }

    QProcess &process() { return m_process; }

    /// SIGTERM and wait; returns the exit code (-1 when it did not exit in time).
    int terminate(int timeoutMs = 15000);
    QByteArray log();

private:
    QProcess m_process;
    QByteArray m_log;
    quint16 m_port = 0;
};

/// Sends every request on its own connection first, then reads every answer: the requests
/// really are in the server at the same time (client and server share this thread).
std::vector<RawResponse> concurrently(quint16 port, const QList<QByteArray> &requests);

} // namespace hms::test
