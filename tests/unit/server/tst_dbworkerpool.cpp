#include "db/dbworkerpool.h"

#include <QTest>

#include <atomic>
#include <set>
#include <thread>

using namespace hms::server;

class TestDbWorkerPool : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runsEveryJobFromManyProducers();
    void refusesBeyondQueueLimit();
    void shutdownDrainsQueuedJobsAndRefusesNewOnes();
    void sessionIsPerThreadAndLazy();
};

void TestDbWorkerPool::runsEveryJobFromManyProducers()
{
    std::atomic<int> done{0};
    {
        DbWorkerPool pool("postgresql://unused", 4, 100000);
        std::vector<std::thread> producers;
        for (int p = 0; p < 8; ++p) {
            producers.emplace_back([&] {
                for (int i = 0; i < 1000; ++i) {
                    while (!pool.trySubmit([&](DbSession &) {
                        ++done;
                    }))
                        std::this_thread::yield();
                }
            });
        }
        for (auto &producer : producers)
            producer.join();
    } // destructor drains and joins
    QCOMPARE(done.load(), 8000);
}

void TestDbWorkerPool::refusesBeyondQueueLimit()
{
    DbWorkerPool pool("postgresql://unused", 1, 2);
    std::mutex gate;
    gate.lock();
    std::atomic<bool> started{false};
    QVERIFY(pool.trySubmit([&](DbSession &) {
        started = true;
        std::lock_guard wait(gate);
    }));
    QTRY_VERIFY(started.load()); // the only thread is now busy
    QVERIFY(pool.trySubmit([](DbSession &) {}));
    QVERIFY(pool.trySubmit([](DbSession &) {}));
    QVERIFY(!pool.trySubmit([](DbSession &) {})); // third waiting job: refused
    QCOMPARE(pool.queuedJobs(), 2);
    gate.unlock();
}

void TestDbWorkerPool::shutdownDrainsQueuedJobsAndRefusesNewOnes()
{
    std::atomic<int> done{0};
    DbWorkerPool pool("postgresql://unused", 2, 100);
    for (int i = 0; i < 50; ++i)
        QVERIFY(pool.trySubmit([&](DbSession &) {
            ++done;
        }));
    pool.shutdown();
    QCOMPARE(done.load(), 50);
    QVERIFY(!pool.trySubmit([](DbSession &) {}));
}

void TestDbWorkerPool::sessionIsPerThreadAndLazy()
{
    std::mutex mutex;
    std::set<DbSession *> sessions;
    std::atomic<int> connected{0};
    {
        DbWorkerPool pool("postgresql://unused", 3, 1000);
        for (int i = 0; i < 300; ++i) {
            QVERIFY(pool.trySubmit([&](DbSession &session) {
                if (session.isConnected())
                    ++connected;
                std::lock_guard lock(mutex);
                sessions.insert(&session);
                std::this_thread::sleep_for(std::chrono::microseconds(100));
            }));
        }
    }
    QVERIFY(sessions.size() <= 3);
    QVERIFY(!sessions.empty());
    QCOMPARE(connected.load(), 0); // nobody asked for a connection, so none was opened
}

QTEST_GUILESS_MAIN(TestDbWorkerPool)
#include "tst_dbworkerpool.moc"
