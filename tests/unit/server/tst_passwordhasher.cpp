#include "auth/passwordhasher.h"

#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

using namespace hms::server;
using Verdict = PasswordHasher::Verdict;

Q_DECLARE_METATYPE(PasswordHasher::Verdict)

class TestPasswordHasher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultTargetHashesDifferWithTheSameParameters();
    void targetBelowFloorIsRaised_data();
    void targetBelowFloorIsRaised();
    void verify_data();
    void verify();
    void needsRehashWhenTargetRises();
    void pepperMustMatch();
    void pepperFileIsCreatedPrivateAndRefusedWhenShared();
    void dummyVerifyNeverMatches();
    void concurrencyIsBoundedAndExcessIsTurnedAway();
    void verifyAndDummyVerifyAreBusyWhenFull();

private:
    /// Blocks every caller that gets a slot until release() is called.
    class SlotGate
    {
    public:
        void install(PasswordHasher &hasher);
        void release();

        int holding() const { return m_holding; }

        int peak() const { return m_peak; }

        int acquired() const { return m_acquired; }

    private:
        std::mutex m_mutex;
        std::condition_variable m_released;
        bool m_open = false;
        std::atomic<int> m_holding{0};
        std::atomic<int> m_peak{0};
        std::atomic<int> m_acquired{0};
    };
};

void TestPasswordHasher::SlotGate::install(PasswordHasher &hasher)
{
    hasher.setSlotHookForTesting([this](PasswordHasher::SlotEvent event) {
        if (event == PasswordHasher::SlotEvent::Releasing) {
            --m_holding;
            return;
        }
        const int now = ++m_holding;
        int peak = m_peak;
        while (now > peak && !m_peak.compare_exchange_weak(peak, now)) {
        }
        ++m_acquired;
        std::unique_lock lock(m_mutex);
        m_released.wait(lock, [this] {
            return m_open;
        });
    });
}

void TestPasswordHasher::SlotGate::release()
{
    {
        const std::lock_guard lock(m_mutex);
        m_open = true;
    }
    m_released.notify_all();
}

void TestPasswordHasher::defaultTargetHashesDifferWithTheSameParameters()
{
    PasswordHasher hasher;
    const QString password = QStringLiteral("same password for both users");
    const std::optional<std::string> first = hasher.hash(password);
    const std::optional<std::string> second = hasher.hash(password);
    QVERIFY(first && second);
    const std::string prefix = "$argon2id$v=19$m=65536,t=3,p=1$";
    QVERIFY2(first->starts_with(prefix), first->c_str());
    QVERIFY2(second->starts_with(prefix), second->c_str());
    QVERIFY(*first != *second); // a fresh 16-byte salt each time
    QCOMPARE(hasher.verify(*first, password), Verdict::Match);
    QCOMPARE(hasher.verify(*second, password), Verdict::Match);
    QVERIFY(!hasher.needsRehash(*first));
}

void TestPasswordHasher::targetBelowFloorIsRaised_data()
{
    QTest::addColumn<qulonglong>("opsLimit");
    QTest::addColumn<qulonglong>("memLimitBytes");

    QTest::newRow("both-below") << 1ULL << qulonglong(8ULL << 20);
    QTest::newRow("zero") << 0ULL << qulonglong(0);
    QTest::newRow("time-below") << 1ULL << qulonglong(19ULL << 20);
    QTest::newRow("memory-below") << 2ULL << qulonglong(1ULL << 20);
}

void TestPasswordHasher::targetBelowFloorIsRaised()
{
    QFETCH(qulonglong, opsLimit);
    QFETCH(qulonglong, memLimitBytes);
    PasswordHasher hasher({opsLimit, std::size_t(memLimitBytes)});
    QCOMPARE(hasher.target().opsLimit, 2ULL);
    QCOMPARE(hasher.target().memLimitBytes, std::size_t(19ULL << 20));
    const std::optional<std::string> hash = hasher.hash(QStringLiteral("floor is enforced"));
    QVERIFY(hash);
    QVERIFY2(hash->starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), hash->c_str());
}

void TestPasswordHasher::verify_data()
{
    QTest::addColumn<QString>("stored");
    QTest::addColumn<QString>("presented");
    QTest::addColumn<Verdict>("verdict");

    const QString password = QStringLiteral("night shift kettle 42");
    // 100 ASCII characters: bcrypt would silently compare only the first 72 bytes.
    const QString longPassword = QStringLiteral("0123456789abcdefghij").repeated(5);

    QTest::newRow("same-password") << password << password << Verdict::Match;
    QTest::newRow("other-password")
        << password << QStringLiteral("night shift kettle 43") << Verdict::Mismatch;
    QTest::newRow("case-differs") << password << password.toUpper() << Verdict::Mismatch;
    QTest::newRow("trailing-space")
        << password << QString(password + QStringLiteral(" ")) << Verdict::Mismatch;
    QTest::newRow("empty") << password << QString() << Verdict::Mismatch;
    QTest::newRow("100-chars") << longPassword << longPassword << Verdict::Match;
    QTest::newRow("100-chars-72-byte-prefix")
        << longPassword << longPassword.left(72) << Verdict::Mismatch;
    QTest::newRow("100-chars-last-char-differs")
        << longPassword << QString(longPassword.left(99) + QStringLiteral("X"))
        << Verdict::Mismatch;
    QTest::newRow("emoji") << QStringLiteral("🐎 ward 7 🐘 kettle")
                           << QStringLiteral("🐎 ward 7 🐘 kettle") << Verdict::Match;
    // Passwords are NFKC-normalised: é typed precomposed or as e + combining acute is one password.
    QTest::newRow("nfkc-equivalent") << QStringLiteral("caf\u00e9 au lait 1234")
                                     << QStringLiteral("cafe\u0301 au lait 1234") << Verdict::Match;
}

void TestPasswordHasher::verify()
{
    QFETCH(QString, stored);
    QFETCH(QString, presented);
    QFETCH(Verdict, verdict);

    PasswordHasher hasher(Argon2Params::floor());
    const std::optional<std::string> hash = hasher.hash(stored);
    QVERIFY(hash);
    QCOMPARE(hasher.verify(*hash, presented), verdict);
}

void TestPasswordHasher::needsRehashWhenTargetRises()
{
    const QString password = QStringLiteral("rehash me on next login");
    PasswordHasher floorHasher(Argon2Params::floor());
    const std::optional<std::string> oldHash = floorHasher.hash(password);
    QVERIFY(oldHash);
    QVERIFY(!floorHasher.needsRehash(*oldHash));

    PasswordHasher targetHasher; // t=3, m=64 MiB
    QVERIFY(targetHasher.needsRehash(*oldHash));
    QCOMPARE(targetHasher.verify(*oldHash, password), Verdict::Match); // old password still works

    QVERIFY(targetHasher.needsRehash(std::string()));
    QVERIFY(
        targetHasher.needsRehash("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"));
    QCOMPARE(targetHasher.verify("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
                                 password),
             Verdict::Mismatch);
}

void TestPasswordHasher::pepperMustMatch()
{
    const QString password = QStringLiteral("peppered password 77");
    const KeyFileEntry a{QStringLiteral("pa"), QByteArray(32, 'a')};
    const KeyFileEntry b{QStringLiteral("pb"), QByteArray(32, 'b')};
    PasswordHasher install(Argon2Params::floor());
    QVERIFY(install.setPeppers({a}));
    const std::optional<std::string> hash = install.hash(password);
    QVERIFY(hash);
    QVERIFY(hash->rfind("$hmspepper$pa$argon2id$", 0) == 0);
    QCOMPARE(install.verify(*hash, password), Verdict::Match);
    QCOMPARE(install.verify(*hash, QStringLiteral("peppered password 78")), Verdict::Mismatch);
    QVERIFY(!install.needsRehash(*hash));

    // The same key id with another secret, or no pepper at all: the hash is worthless.
    PasswordHasher otherInstall(Argon2Params::floor());
    QVERIFY(otherInstall.setPeppers({{QStringLiteral("pa"), QByteArray(32, 'b')}}));
    QCOMPARE(otherInstall.verify(*hash, password), Verdict::Mismatch);
    PasswordHasher noPepper(Argon2Params::floor());
    QCOMPARE(noPepper.verify(*hash, password), Verdict::Mismatch);
    // Without the marker the PHC string alone does not verify either.
    QCOMPARE(noPepper.verify(hash->substr(hash->find("$argon2id$")), password), Verdict::Mismatch);

    // Rotation: b becomes current, a still verifies and asks to be rehashed under b.
    PasswordHasher rotated(Argon2Params::floor());
    QVERIFY(rotated.setPeppers({b, a}));
    QCOMPARE(rotated.verify(*hash, password), Verdict::Match);
    QVERIFY(rotated.needsRehash(*hash));
    // A hash from before the pepper verifies and moves to it at the next login.
    const std::optional<std::string> plain = noPepper.hash(password);
    QVERIFY(plain);
    QCOMPARE(rotated.verify(*plain, password), Verdict::Match);
    QVERIFY(rotated.needsRehash(*plain));
    QVERIFY(!noPepper.needsRehash(*plain));

    QVERIFY(!noPepper.setPeppers({{QStringLiteral("short"), QByteArray(31, 'c')}}));
    QVERIFY(!noPepper.setPeppers({{QStringLiteral("long"), QByteArray(33, 'c')}}));
    QVERIFY(!noPepper.setPeppers({{QStringLiteral("a$b"), QByteArray(32, 'c')}}));
    QCOMPARE(noPepper.verify(*plain, password), Verdict::Match); // unchanged by refusals
}

void TestPasswordHasher::pepperFileIsCreatedPrivateAndRefusedWhenShared()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("pepper.key"));
    PasswordHasher first(Argon2Params::floor());
    QVERIFY(first.loadPepperFile(path).isOk());
    QCOMPARE(QFileInfo(path).permissions() & 0x0077, QFileDevice::Permissions());
    const std::optional<std::string> hash = first.hash(QStringLiteral("a long pass phrase 1"));
    QVERIFY(hash);

    PasswordHasher second(Argon2Params::floor()); // a second process reading the same file
    QVERIFY(second.loadPepperFile(path).isOk());
    QCOMPARE(second.verify(*hash, QStringLiteral("a long pass phrase 1")), Verdict::Match);

    QVERIFY(QFile::setPermissions(
        path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup));
    PasswordHasher third(Argon2Params::floor());
    const hms::Result<> refused = third.loadPepperFile(path);
    QVERIFY(!refused);
    QVERIFY(refused.problem().detail.contains(QStringLiteral("chmod 600")));
}

void TestPasswordHasher::dummyVerifyNeverMatches()
{
    PasswordHasher hasher(Argon2Params::floor());
    QCOMPARE(hasher.dummyVerify(QStringLiteral("any password at all")), Verdict::Mismatch);
    QCOMPARE(hasher.dummyVerify(QString()), Verdict::Mismatch);
}

void TestPasswordHasher::concurrencyIsBoundedAndExcessIsTurnedAway()
{
    constexpr int threadCount = 8;
    PasswordHasher hasher(Argon2Params::floor(), 2, 2);
    SlotGate gate;
    gate.install(hasher);

    std::atomic<int> rejected{0};
    std::atomic<int> slowRejections{0};
    std::vector<std::optional<std::string>> results(threadCount);
    std::vector<std::thread> threads;
    // On a failed check the test returns early: open the gate and join, never leave threads.
    auto joinAll = qScopeGuard([&] {
        gate.release();
        for (std::thread &thread : threads) {
            if (thread.joinable())
                thread.join();
        }
    });
    for (int i = 0; i < threadCount; ++i) {
        threads.emplace_back([&, i] {
            const auto start = std::chrono::steady_clock::now();
            results[std::size_t(i)] = hasher.hash(QStringLiteral("concurrent password %1").arg(i));
            if (!results[std::size_t(i)]) {
                if (std::chrono::steady_clock::now() - start > std::chrono::milliseconds(500))
                    ++slowRejections;
                ++rejected;
            }
        });
    }

    // Two callers hold the slots (held by the gate), two wait, the other four are turned
    // away while the slots are still held, i.e. without waiting for one.
    QTRY_VERIFY_WITH_TIMEOUT(gate.acquired() == 2 && hasher.queuedCount() == 2 && rejected == 4,
                             5000);
    QCOMPARE(gate.holding(), 2);
    joinAll.dismiss();
    gate.release();
    for (std::thread &thread : threads)
        thread.join();

    QCOMPARE(gate.peak(), 2);
    QCOMPARE(gate.acquired(), 4);
    QCOMPARE(gate.holding(), 0);
    QCOMPARE(rejected.load(), 4);
    QCOMPARE(slowRejections.load(), 0);
    QCOMPARE(hasher.queuedCount(), 0);
    hasher.setSlotHookForTesting({});
    for (int i = 0; i < threadCount; ++i) {
        if (results[std::size_t(i)]) {
            QCOMPARE(hasher.verify(*results[std::size_t(i)],
                                   QStringLiteral("concurrent password %1").arg(i)),
                     Verdict::Match);
        }
    }
}

void TestPasswordHasher::verifyAndDummyVerifyAreBusyWhenFull()
{
    struct Answers
    {
        Verdict verify;
        Verdict dummyVerify;
        bool hashed;
    };

    PasswordHasher hasher(Argon2Params::floor(), 1, 0);
    const std::optional<std::string> hash = hasher.hash(QStringLiteral("busy test password"));
    QVERIFY(hash);
    SlotGate gate;
    gate.install(hasher);
    std::optional<std::string> held;
    std::future<Answers> answers; // before the guard: destroyed after the gate is opened
    std::thread holder([&] {
        held = hasher.hash(QStringLiteral("holds the only slot"));
    });
    auto joinHolder = qScopeGuard([&] {
        gate.release();
        holder.join();
    });
    QTRY_COMPARE_WITH_TIMEOUT(gate.holding(), 1, 5000);

    // Asked from another thread, so a hasher that queued instead would fail here, not hang.
    answers = std::async(std::launch::async, [&] {
        return Answers{hasher.verify(*hash, QStringLiteral("busy test password")),
                       hasher.dummyVerify(QStringLiteral("busy test password")),
                       hasher.hash(QStringLiteral("no room")).has_value()};
    });
    QVERIFY2(answers.wait_for(std::chrono::seconds(5)) == std::future_status::ready,
             "callers waited for the only slot instead of being turned away");
    const Answers busy = answers.get();
    QCOMPARE(busy.verify, Verdict::Busy);
    QCOMPARE(busy.dummyVerify, Verdict::Busy);
    QVERIFY(!busy.hashed);

    joinHolder.dismiss();
    gate.release();
    holder.join();
    QVERIFY(held);
    QCOMPARE(hasher.verify(*hash, QStringLiteral("busy test password")), Verdict::Match);
}

QTEST_GUILESS_MAIN(TestPasswordHasher)
#include "tst_passwordhasher.moc"
