#include "support/rawhttpclient.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QRegularExpression>

#include <csignal>
#include <memory>

namespace hms::test {

bool waitUntil(const std::function<bool()> &condition, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
    return true;
}

QByteArray RawResponse::header(const QByteArray &lowerName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerName)
            return value;
    }
    return {};
}

QJsonObject RawResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

bool RawHttpClient::connectTo(quint16 port, int timeoutMs)
{
    m_socket.connectToHost(QHostAddress::LocalHost, port);
    return waitUntil(
        [this] {
            return m_socket.state() == QAbstractSocket::ConnectedState;
        },
        timeoutMs);
}

void RawHttpClient::send(const QByteArray &bytes)
{
    m_socket.write(bytes);
    waitUntil(
        [this] {
            return m_socket.bytesToWrite() == 0;
        },
        5000);
}

std::optional<RawResponse> RawHttpClient::readResponse(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        m_buffer += m_socket.readAll();
        const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
            RawResponse response;
            const QList<QByteArray> lines = m_buffer.left(headEnd).split('\n');
            const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
            response.status = statusLine.value(1).toInt();
            qint64 length = 0;
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines[i].trimmed();
                const qsizetype colon = line.indexOf(':');
                const QByteArray name = line.left(colon).trimmed().toLower();
                const QByteArray value = line.mid(colon + 1).trimmed();
                response.headers.append({name, value});
                if (name == "content-length")
                    length = value.toLongLong();
            }
            if (response.status == 100) { // interim answer: skip it
                m_buffer.remove(0, headEnd + 4);
                continue;
            }
            if (m_buffer.size() >= headEnd + 4 + length) {
                response.body = m_buffer.mid(headEnd + 4, length);
                m_buffer.remove(0, headEnd + 4 + length);
                return response;
            }
        }
        if (deadline.hasExpired())
            return std::nullopt;
        if (m_socket.state() != QAbstractSocket::ConnectedState && m_socket.bytesAvailable() == 0)
            return std::nullopt;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
}

bool RawHttpClient::waitForClosed(int timeoutMs)
{
    return waitUntil(
        [this] {
            m_buffer += m_socket.readAll();
            return m_socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
}

QByteArray RawHttpClient::get(const QByteArray &path, const QByteArray &extraHeaders)
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n";
}

std::optional<RawResponse>
RawHttpClient::roundTrip(quint16 port, const QByteArray &request, int timeoutMs)
{
    RawHttpClient client;
    if (!client.connectTo(port, timeoutMs))
        return std::nullopt;
    client.send(request);
    return client.readResponse(timeoutMs);
}

ServerProcess::~ServerProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool ServerProcess::start(const QStringList &extraArgs, const QProcessEnvironment &environment)
{
    const QString binary = qEnvironmentVariable("HMS_BIN_DIR") + QStringLiteral("/hms-server");
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : environment.keys())
        env.insert(key, environment.value(key));
    m_process.setProcessEnvironment(env);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(
        binary, QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")} + extraArgs);
    static const QRegularExpression listening(QStringLiteral("listening on https?://[^:]+:(\\d+)"));
    const bool up = waitUntil(
        [&] {
            m_log += m_process.readAll();
            const auto match = listening.match(QString::fromUtf8(m_log));
            if (match.hasMatch())
                m_port = quint16(match.captured(1).toUInt());
            return m_port != 0 || m_process.state() == QProcess::NotRunning;
        },
        30'000);
    if (!up || m_port == 0) {
        qWarning("hms-server did not start:\n%s", m_log.constData());
        return false;
    }
    return true;
}

int ServerProcess::terminate(int timeoutMs)
{
    ::kill(pid_t(m_process.processId()), SIGTERM);
    if (!waitUntil(
            [this] {
                return m_process.state() == QProcess::NotRunning;
            },
            timeoutMs))
        return -1;
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

QByteArray ServerProcess::log()
{
    m_log += m_process.readAll();
    return m_log;
}

std::vector<RawResponse> concurrently(quint16 port, const QList<QByteArray> &requests)
{
    std::vector<std::unique_ptr<RawHttpClient>> clients;
    for (qsizetype i = 0; i < requests.size(); ++i) {
        clients.push_back(std::make_unique<RawHttpClient>());
        if (!clients.back()->connectTo(port))
            return {};
    }
    for (qsizetype i = 0; i < requests.size(); ++i)
        clients[size_t(i)]->send(requests[i]);
    std::vector<RawResponse> answers;
    for (const auto &client : clients)
        answers.push_back(client->readResponse(60'000).value_or(RawResponse()));
    return answers;
}

} // namespace hms::test
