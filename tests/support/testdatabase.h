#pragma once

#include <QString>

#include <string>

namespace hms::test {

/// A database of its own for one test binary, created from HMS_TEST_DATABASE_URL (a
/// superuser URL exported by ./test.sh) and dropped again in the destructor, so
/// integration tests can run in parallel.
class TestDatabase
{
public:
    /// Creates `hms_test_<prefix>_<random>`. isValid() is false when HMS_TEST_DATABASE_URL
    /// is unset: the caller QSKIPs with skipReason().
    explicit TestDatabase(const QString &prefix);
    ~TestDatabase();

    TestDatabase(const TestDatabase &) = delete;
    TestDatabase &operator=(const TestDatabase &) = delete;

    bool isValid() const { return !m_url.empty(); }

    static const char *skipReason() { return "HMS_TEST_DATABASE_URL not set (./test.sh sets it)"; }

    /// libpq URL of the test database (superuser).
    const std::string &url() const { return m_url; }

    QString qurl() const { return QString::fromStdString(m_url); }

    const std::string &name() const { return m_name; }

    /// The URL of another database on the same cluster.
    static std::string urlFor(const std::string &adminUrl, const std::string &database);

    /// Runs \a sql (no parameters) on the test database and returns the first field of the
    /// first row as text ("" when there is none).
    std::string scalar(const std::string &sql) const;
    void exec(const std::string &sql) const;

private:
    std::string m_adminUrl;
    std::string m_url;
    std::string m_name;
};

/// A PostgreSQL cluster of the test's own (initdb in a temporary directory, a free port),
/// for tests that stop and start PostgreSQL without disturbing tests running in parallel.
/// Uses installer/dev/pgcluster.sh, whose path ./test.sh exports as HMS_TEST_PGCLUSTER.
class PrivateCluster
{
public:
    PrivateCluster();
    ~PrivateCluster(); ///< stops the cluster and removes its directory

    PrivateCluster(const PrivateCluster &) = delete;
    PrivateCluster &operator=(const PrivateCluster &) = delete;

    /// initdb + start. False (with a printed reason) when the script is not available.
    bool create();
    bool stop();
    bool start();
    /// kill -9 of the postmaster (a crash, not a shutdown). Its backends exit by themselves.
    bool killPostmaster();
    /// libpq URL for database \a database of this cluster (created when missing).
    std::string url(const std::string &database = "postgres");

private:
    bool run(const QStringList &arguments, QByteArray *output = nullptr);

    QString m_script;
    QString m_dir;
};

} // namespace hms::test
