#pragma once

// A real worker process for the workflow suites: hms-test-worker or hms-worker with short
// leases (2 s), so crashes are recovered within seconds.

#include <QFile>
#include <QMap>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QThread>

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
        m_wrapped = !wrapper.isEmpty();
        if (!m_wrapped)
            m_process.start(program, arguments);
        else
            m_process.start(wrapper.first(), wrapper.mid(1) + QStringList{program} + arguments);
        m_process.waitForStarted(10'000);
    }

    ~WorkerProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            if (const qint64 worker = pid(); worker > 0)
                ::kill(pid_t(worker), SIGCONT);
            kill9();
        }
    }

    /// The worker's process id (with a wrapper such as faketime, which forks the worker and
    /// waits for it: the wrapper's child).
    qint64 pid() const
    {
        const qint64 direct = m_process.processId();
        if (!m_wrapped || direct <= 0)
            return direct;
        QFile children(QStringLiteral("/proc/%1/task/%1/children").arg(direct));
        for (int tries = 0; tries < 100; ++tries) {
            if (children.open(QIODevice::ReadOnly)) {
                const QByteArray first = children.readAll().trimmed().split(' ').first();
                children.close();
                if (!first.isEmpty())
                    return first.toLongLong();
            }
            QThread::msleep(20);
        }
        return -1;
    }

    bool running() const { return m_process.state() == QProcess::Running; }

    void kill9()
    {
        if (const qint64 worker = m_wrapped ? pid() : 0; worker > 0)
            ::kill(pid_t(worker), SIGKILL); // the wrapper then ends too
        m_process.kill();
        m_process.waitForFinished(10'000);
    }

    /// SIGTERM and wait: the exit code, -1 when it did not stop.
    int terminate(int timeoutMs = 20'000)
    {
        if (const qint64 worker = m_wrapped ? pid() : 0; worker > 0)
            ::kill(pid_t(worker), SIGTERM); // the wrapper exits with the worker's code
        else
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
    bool m_wrapped = false;
};

} // namespace hms::test
