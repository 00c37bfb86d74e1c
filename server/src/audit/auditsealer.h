#pragma once

#include <QtGlobal>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hms::server {

/// Seals pending audit rows into their hospital's hash chain (AuditLog::seal) on a thread and
/// a database connection of its own, batching every request that waits at that moment into one
/// commit per hospital: group commit for the chain, instead of one locked head per request.
///
/// hms-server holds each reply until its rows are sealed (whenSealed), so a caller never sees
/// its own audit row unchained. A sweep every \a sweepMs (and sweepNow() at start) seals rows
/// left pending by a crash between a request's commit and its seal, and rows other processes
/// (hms-worker) appended.
class AuditSealer
{
public:
    /// How often rows appended outside a request (hms-worker steps, a crash before sealing)
    /// are swept into the chain.
    static constexpr int DefaultSweepMs = 1000;

    /// \a setupSql runs on its connection (SET ROLE hms_app).
    AuditSealer(std::string connectionString, std::string setupSql, int sweepMs);
    ~AuditSealer(); ///< stops; waiting callbacks are called (their rows stay pending)

    AuditSealer(const AuditSealer &) = delete;
    AuditSealer &operator=(const AuditSealer &) = delete;

    void start();
    void stop();

    /// Calls \a done on the sealer's thread once every row of \a hospitals committed before
    /// this call is sealed, or after a failed attempt (the rows stay pending for the sweep;
    /// the change they record is committed either way). Thread-safe.
    void whenSealed(const std::vector<qint64> &hospitals, std::function<void()> done);

    /// Seals what every hospital has pending, on the calling thread. False when the database
    /// could not be reached.
    bool sweepNow();

private:
    void run();

    std::string m_connectionString;
    std::string m_setupSql;
    int m_sweepMs;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::map<qint64, std::vector<std::function<void()>>> m_waiting; ///< by hospital
};

} // namespace hms::server
