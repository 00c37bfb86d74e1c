#include "support/testdatabase.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QThread>

#include <pqxx/pqxx>

#include <csignal>
#include <cstdlib>

namespace hms::test {

std::string TestDatabase::urlFor(const std::string &adminUrl, const std::string &database)
{
    // postgresql://user@host:port/db?params -> replace the path component.
    const auto schemeEnd = adminUrl.find("://");
    const auto pathStart = adminUrl.find('/', schemeEnd == std::string::npos ? 0 : schemeEnd + 3);
    const auto queryStart = adminUrl.find('?');
    std::string base = pathStart == std::string::npos ? adminUrl.substr(0, queryStart)
                                                      : adminUrl.substr(0, pathStart);
    std::string query = queryStart == std::string::npos ? "" : adminUrl.substr(queryStart);
    return base + "/" + database + query;
}

TestDatabase::TestDatabase(const QString &prefix)
{
    const QByteArray admin = qgetenv("HMS_TEST_DATABASE_URL");
    if (admin.isEmpty())
        return;
    m_adminUrl = admin.toStdString();
    m_name = "hms_test_" + prefix.toLower().toStdString() + "_"
        + std::to_string(QRandomGenerator::global()->bounded(1'000'000'000));
    pqxx::connection connection(m_adminUrl);
    pqxx::nontransaction tx(connection);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(m_name));
    tx.exec0("CREATE DATABASE " + tx.quote_name(m_name));
    m_url = urlFor(m_adminUrl, m_name);
}

TestDatabase::~TestDatabase()
{
    if (m_url.empty())
        return;
    try {
        pqxx::connection connection(m_adminUrl);
        pqxx::nontransaction tx(connection);
        tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(m_name) + " WITH (FORCE)");
    } catch (const std::exception &) {
        // The cluster is torn down by test.sh anyway; a leftover database is harmless.
    }
}

std::string TestDatabase::scalar(const std::string &sql) const
{
    pqxx::connection connection(m_url);
    pqxx::nontransaction tx(connection);
    const pqxx::result result = tx.exec(sql);
    if (result.empty() || result[0].empty() || result[0][0].is_null())
        return {};
    return result[0][0].c_str();
}

void TestDatabase::exec(const std::string &sql) const
{
    pqxx::connection connection(m_url);
    pqxx::nontransaction tx(connection);
    tx.exec(sql);
}

PrivateCluster::PrivateCluster()
    : m_script(QString::fromLocal8Bit(qgetenv("HMS_TEST_PGCLUSTER")))
{}

PrivateCluster::~PrivateCluster()
{
    if (m_dir.isEmpty())
        return;
    run({QStringLiteral("stop"), m_dir});
    QDir(m_dir).removeRecursively();
}

bool PrivateCluster::run(const QStringList &arguments, QByteArray *output)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start(QStringLiteral("bash"), QStringList{m_script} + arguments);
    if (!process.waitForFinished(120'000))
        return false;
    if (output)
        *output = process.readAllStandardOutput().trimmed();
    return process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

bool PrivateCluster::create()
{
    if (m_script.isEmpty()) {
        qWarning("HMS_TEST_PGCLUSTER not set (./test.sh sets it)");
        return false;
    }
    // Under /tmp and world-traversable: as root the cluster runs as the postgres user.
    QByteArray dir = QByteArray("/tmp/hms-cluster-XXXXXX");
    if (!::mkdtemp(dir.data()))
        return false;
    m_dir = QString::fromLocal8Bit(dir);
    QFile::setPermissions(m_dir,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                              | QFileDevice::ReadGroup | QFileDevice::ExeGroup
                              | QFileDevice::ReadOther | QFileDevice::ExeOther);
    return run({QStringLiteral("init"), m_dir}) && run({QStringLiteral("start"), m_dir});
}

bool PrivateCluster::stop()
{
    return run({QStringLiteral("stop"), m_dir});
}

bool PrivateCluster::start()
{
    // After a crash the old backends may hold shared memory for a moment: retry briefly.
    for (int attempt = 0; attempt < 20; ++attempt) {
        if (run({QStringLiteral("start"), m_dir}))
            return true;
        QThread::msleep(500);
    }
    return false;
}

bool PrivateCluster::killPostmaster()
{
    QFile pidFile(m_dir + QStringLiteral("/data/postmaster.pid"));
    if (!pidFile.open(QIODevice::ReadOnly))
        return false;
    const qint64 pid = pidFile.readLine().trimmed().toLongLong();
    return pid > 0 && ::kill(pid_t(pid), SIGKILL) == 0;
}

std::string PrivateCluster::url(const std::string &database)
{
    run({QStringLiteral("createdb"), m_dir, QString::fromStdString(database)});
    QByteArray output;
    run({QStringLiteral("url"), m_dir, QString::fromStdString(database)}, &output);
    return output.toStdString();
}

} // namespace hms::test
