#pragma once

// A real worker process for the workflow suites: hms-test-worker or hms-worker with short
// leases (2 s), so crashes are recovered within seconds.

#include <QMap>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <csignal>
#include <string>

namespace hms::test {

/// One worker process (hms-test-worker or hms-worker).
class WorkerProcess
{
public:
    WorkerProcess(const std::string &databaseUrl,
                  const QStringList &arguments,
                  const QMap<QString, QString> &environment = {},
                  const QString &binary = QStringLiteral("hms-test-worker"),
                  const QStringList &wrapper = {})
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HMS_DATABASE_URL"), QString::fromStdString(databaseUrl));
        env.insert(QStringLiteral("HMS_WORKER_LEASE_MS"), QStringLiteral("2000"));
        env.insert(QStringLiteral("HMS_WORKER_HEARTBEAT_MS"), QStringLiteral("400"));
        env.insert(QStringLiteral("HMS_WORKER_REAP_MS"), QStringLiteral("300"));
        env.insert(QStringLiteral("HMS_WORKER_POLL_MS"), QStringLiteral("100"));
        env.insert(QStringLiteral("HMS_WORKER_BACKOFF_MS"), QStringLiteral("100"));
        for (auto it = environment.cbegin(); it != environment.cend(); ++it)
            env.insert(it.key(), it.value());
        m_process.setProcessEnvironment(env);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        if (!qEnvironmentVariableIsEmpty("HMS_WF_TEST_LOG_DIR")) {
            static int n = 0;
            m_process.setStandardOutputFile(qEnvironmentVariable("HMS_WF_TEST_LOG_DIR")
                                            + QStringLiteral("/worker-%1.log").arg(++n));
        }
        // A wrapper runs the worker under another program, e.g. {"faketime", "-f", "+1h"}.
        const QString program = qEnvironmentVariable("HMS_BIN_DIR") + u'/' + binary;
        if (wrapper.isEmpty())
            m_process.start(program, arguments);
        else
            m_process.start(wrapper.first(), wrapper.mid(1) + QStringList{program} + arguments);
        m_process.waitForStarted(10'000);
    }

    ~WorkerProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            ::kill(pid(), SIGCONT);
            m_process.kill();
            m_process.waitForFinished(10'000);
        }
    }

    qint64 pid() const { return m_process.processId(); }

    bool running() const { return m_process.state() == QProcess::Running; }

    void kill9()
    {
        m_process.kill();
        m_process.waitForFinished(10'000);
    }

    /// SIGTERM and wait: the exit code, -1 when it did not stop.
    int terminate(int timeoutMs = 20'000)
    {
        m_process.terminate();
        const int code = !m_process.waitForFinished(timeoutMs) ? -1
            : m_process.exitStatus() == QProcess::NormalExit   ? m_process.exitCode()
                                                               : -2;
        if (code != 0)
            qWarning("worker log:\n%s", m_process.readAll().constData());
        return code;
    }

    /// Waits for the process to end on its own: its exit code, -2 when it crashed, -1 when
    /// still running after \a timeoutMs.
    int waitForExit(int timeoutMs)
    {
        if (!m_process.waitForFinished(timeoutMs))
            return -1;
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -2;
    }

    QByteArray log() { return m_process.readAll(); }

private:
    QProcess m_process;
};

} // namespace hms::test
