#pragma once

#include "common/keyfile.h"
#include "shared/core/result.h"

#include <QList>
#include <QString>

#include <array>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hms::server {

/// Argon2id cost. libsodium fixes the parallelism at p=1.
struct Argon2Params
{
    unsigned long long opsLimit = 3; ///< t, passes over memory
    std::size_t memLimitBytes = 64ULL << 20; ///< m, in bytes (64 MiB = m=65536 KiB)

    /// The target of SECURITY.md: t=3, m=64 MiB (about 250 ms on the reference machine).
    static Argon2Params defaultTarget() { return {}; }

    /// The floor (OWASP): t=2, m=19 MiB. A lower configuration is raised to it.
    static Argon2Params floor() { return {2, 19ULL << 20}; }
};

/// Hashes and verifies passwords with Argon2id (libsodium crypto_pwhash_str), SECURITY.md A1.
///
/// A password is NFKC-normalised and encoded as UTF-8, never truncated. With a pepper (ASVS
/// 2.4.5, a secret kept in a file outside the database), what is hashed is the hex of
/// HMAC-SHA-256(pepper, password) and the stored string is "$hmspepper$<kid>" followed by the
/// PHC string: a stolen database alone cannot be attacked offline, hashes from before the
/// pepper (or an older pepper kept in the file) still verify, and needsRehash() moves them
/// to the current one at the next login.
///
/// Bounded work (A5): at most maxConcurrent hashes or verifies run at once and at most
/// maxQueued callers wait for a slot; any further caller gets Busy (or nullopt) at once and
/// should answer 503 with Retry-After. Every call blocks its thread for the whole Argon2 run
/// (about 250 ms at the default target), so call it from a worker thread, never from an
/// event loop. Thread-safe, except setPepper() and setSlotHookForTesting(), which must be
/// called before the hasher is shared. Passwords are never logged.
class PasswordHasher
{
public:
    enum class Verdict { Match, Mismatch, Busy };

    /// \a target below Argon2Params::floor() is raised to it. \a maxConcurrent <= 0 means
    /// defaultMaxConcurrent(). Cheap: the dummy hash for dummyVerify() is made by the first
    /// verify() or dummyVerify(), whichever comes first.
    explicit PasswordHasher(Argon2Params target = Argon2Params::defaultTarget(),
                            int maxConcurrent = 0,
                            int maxQueued = 32);
    ~PasswordHasher();

    PasswordHasher(const PasswordHasher &) = delete;
    PasswordHasher &operator=(const PasswordHasher &) = delete;

    /// max(2, cores), capped at 4 so 64 MiB hashes stay under 256 MiB (SECURITY.md A5).
    static int defaultMaxConcurrent();

    /// The effective target, after the floor was applied.
    Argon2Params target() const { return m_target; }

    /// Sets the optional peppers: the first peppers new hashes, every one verifies (rotation).
    /// Each key must be exactly 32 bytes with a kid of at most 64 characters, else nothing
    /// changes and it returns false. The keys are copied; the caller wipes its own.
    [[nodiscard]] bool setPeppers(const QList<KeyFileEntry> &keys);

    /// Loads the pepper file \a path ("kid:key" lines, 0600; created with one random key when
    /// missing) into setPeppers(). The Problem names the file and the reason, never a key.
    Result<> loadPepperFile(const QString &path);

    /// The PHC string "$argon2id$v=19$m=…,t=…,p=1$salt$hash" with a fresh 16-byte salt,
    /// or nullopt when the queue is full. Throws std::bad_alloc when Argon2 cannot get memory.
    std::optional<std::string> hash(const QString &password);

    /// Checks \a password against a stored PHC string. A string that is not Argon2id is a
    /// Mismatch.
    Verdict verify(const std::string &storedHash, const QString &password);

    /// True when \a storedHash is weaker than the current target (lower m or t) or is not
    /// Argon2id: after a successful verify, hash again and store the new string. Never true
    /// for a stronger hash, so a lower target never weakens stored hashes.
    bool needsRehash(const std::string &storedHash) const;

    /// For an unknown user: costs the same as verify() against a hash at the target and
    /// queues the same way (SECURITY.md A3). Returns Mismatch, or Busy.
    Verdict dummyVerify(const QString &password);

    enum class SlotEvent { Acquired, Releasing };

    /// Called right after a caller gets a slot and right before it gives it back, so a test
    /// can count or hold the concurrent Argon2 runs. Not for production code.
    void setSlotHookForTesting(std::function<void(SlotEvent)> hook)
    {
        m_slotHook = std::move(hook);
    }

    /// Callers currently waiting for a slot.
    int queuedCount() const;

private:
    class Slot;
    class SecretBytes;

    bool acquireSlot();
    void releaseSlot();

    /// Writes the bytes Argon2 sees into \a out: the UTF-8 of the NFKC form, or with a
    /// pepper the hex of its HMAC-SHA-256. \a out wipes them when it goes.
    struct Pepper
    {
        std::string id;
        std::array<unsigned char, 32> key{};
    };

    void prepare(const QString &password, const Pepper *pepper, SecretBytes &out) const;
    const Pepper *pepperFor(const std::string &storedHash, std::string &phc) const;
    /// Verifies against \a storedHash, or against the dummy hash when it is null.
    Verdict verifyPrepared(const std::string *storedHash, const QString &password);
    const std::string &dummyHash();

    Argon2Params m_target;
    int m_maxConcurrent = 2;
    int m_maxQueued = 32;
    std::vector<Pepper> m_peppers; ///< the first one peppers new hashes
    std::once_flag m_dummyOnce;
    std::string m_dummyHash;
    std::function<void(SlotEvent)> m_slotHook;

    mutable std::mutex m_mutex;
    std::condition_variable m_slotFreed;
    int m_running = 0;
    int m_waiting = 0;
};

} // namespace hms::server
