#include "audit/auditsealer.h"

#include "audit/auditlog.h"
#include "db/dbsession.h"

#include <QLoggingCategory>

#include <pqxx/result>
#include <pqxx/transaction>

#include <chrono>

namespace hms::server {

static Q_LOGGING_CATEGORY(lcSealer, "hms.server.audit", QtInfoMsg);

namespace {

// Every hospital with rows still pending: the sweep's work list. Hospitals are few; each
// check is one lookup in the partial index of pending rows.
bool sealEverything(DbSession &db)
{
    try {
        std::vector<qint64> hospitals;
        {
            pqxx::read_transaction tx(db.connection());
            for (const pqxx::row &row : tx.exec("SELECT id FROM hospitals ORDER BY id"))
                hospitals.push_back(row[0].as<qint64>());
        }
        AuditLog::seal(db.connection(), hospitals);
        return true;
    } catch (const std::exception &) {
        db.reset();
        return false;
    }
}

} // namespace

AuditSealer::AuditSealer(std::string connectionString, std::string setupSql, int sweepMs)
    : m_connectionString(std::move(connectionString))
    , m_setupSql(std::move(setupSql))
    , m_sweepMs(sweepMs)
{}

AuditSealer::~AuditSealer()
{
    stop();
}

void AuditSealer::start()
{
    m_thread = std::thread([this] {
        run();
    });
}

void AuditSealer::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    // Nobody seals them any more: answer the waiting requests (their rows stay pending).
    std::map<qint64, std::vector<std::function<void()>>> waiting;
    {
        std::lock_guard lock(m_mutex);
        waiting.swap(m_waiting);
    }
    for (auto &[hospital, callbacks] : waiting) {
        for (const auto &done : callbacks)
            done();
    }
}

void AuditSealer::whenSealed(const std::vector<qint64> &hospitals, std::function<void()> done)
{
    if (hospitals.empty()) {
        done();
        return;
    }
    {
        std::unique_lock lock(m_mutex);
        if (!m_stopping) {
            // One callback per request, under its first hospital; the others join the round
            // too, and callbacks run only after the whole round is sealed.
            for (size_t i = 1; i < hospitals.size(); ++i)
                m_waiting[hospitals[i]];
            m_waiting[hospitals.front()].push_back(std::move(done));
            lock.unlock();
            m_wake.notify_one();
            return;
        }
    }
    done();
}

bool AuditSealer::sweepNow()
{
    DbSession db(m_connectionString, m_setupSql);
    return sealEverything(db);
}

void AuditSealer::run()
{
    DbSession db(m_connectionString, m_setupSql);
    auto nextSweep = std::chrono::steady_clock::now() + std::chrono::milliseconds(m_sweepMs);
    for (;;) {
        std::map<qint64, std::vector<std::function<void()>>> batch;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_until(lock, nextSweep, [this] {
                return m_stopping || !m_waiting.empty();
            });
            if (m_stopping)
                return;
            batch.swap(m_waiting);
        }
        // Everything committed before a request registered is visible to the transactions
        // seal() opens now, so its rows are in this round.
        bool failed = false;
        for (const auto &entry : batch) {
            try {
                AuditLog::seal(db.connection(), entry.first);
            } catch (const std::exception &) {
                db.reset();
                failed = true;
            }
        }
        for (const auto &entry : batch) {
            for (const auto &done : entry.second)
                done();
        }
        if (failed)
            qCWarning(lcSealer) << "sealing audit rows failed; they stay pending for the sweep";
        if (std::chrono::steady_clock::now() >= nextSweep) {
            if (!sealEverything(db))
                qCWarning(lcSealer) << "audit sweep failed; retrying at the next one";
            nextSweep = std::chrono::steady_clock::now() + std::chrono::milliseconds(m_sweepMs);
        }
    }
}

} // namespace hms::server
