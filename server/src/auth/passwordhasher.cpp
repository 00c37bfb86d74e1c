#include "auth/passwordhasher.h"

#include <algorithm>
#include <cstdio>
#include <new>
#include <stdexcept>
#include <thread>

#include <sodium.h>

namespace hms::server {

namespace {

constexpr char Argon2idPrefix[] = "$argon2id$";
constexpr char PepperPrefix[] = "$hmspepper$";
constexpr qsizetype PepperBytes = 32;
constexpr int MaxDefaultConcurrent = 4;

void initSodium()
{
    static const int status = sodium_init(); // thread-safe, once per process
    if (status < 0)
        throw std::runtime_error("libsodium could not be initialised");
}

Argon2Params raisedToFloor(Argon2Params params)
{
    const Argon2Params floor = Argon2Params::floor();
    params.opsLimit = std::max(params.opsLimit, floor.opsLimit);
    params.memLimitBytes = std::max(params.memLimitBytes, floor.memLimitBytes);
    return params;
}

bool isArgon2idHash(const std::string &storedHash)
{
    return storedHash.size() < crypto_pwhash_STRBYTES
        && storedHash.compare(0, sizeof Argon2idPrefix - 1, Argon2idPrefix) == 0
        && storedHash.find('\0') == std::string::npos;
}

} // namespace

/// Bytes that hold a password or a value derived from it; wiped when they go. Filled in
/// place, with room reserved up front, so no copy is left behind by a move or a regrowth.
class PasswordHasher::SecretBytes
{
public:
    SecretBytes() = default;

    ~SecretBytes() { sodium_memzero(m_bytes.data(), m_bytes.size()); }

    SecretBytes(const SecretBytes &) = delete;
    SecretBytes &operator=(const SecretBytes &) = delete;

    void assign(const char *data, std::size_t size)
    {
        m_bytes.reserve(std::max<std::size_t>(size, 64));
        m_bytes.assign(data, size);
    }

    const char *data() const { return m_bytes.data(); }

    unsigned long long size() const { return m_bytes.size(); }

private:
    std::string m_bytes;
};

/// Holds one of the hasher's slots for its lifetime.
class PasswordHasher::Slot
{
public:
    explicit Slot(PasswordHasher &hasher)
        : m_hasher(hasher)
        , m_acquired(hasher.acquireSlot())
    {
        if (m_acquired && m_hasher.m_slotHook)
            m_hasher.m_slotHook(SlotEvent::Acquired);
    }

    ~Slot()
    {
        if (!m_acquired)
            return;
        if (m_hasher.m_slotHook)
            m_hasher.m_slotHook(SlotEvent::Releasing);
        m_hasher.releaseSlot();
    }

    Slot(const Slot &) = delete;
    Slot &operator=(const Slot &) = delete;

    bool isAcquired() const { return m_acquired; }

private:
    PasswordHasher &m_hasher;
    bool m_acquired;
};

PasswordHasher::PasswordHasher(Argon2Params target, int maxConcurrent, int maxQueued)
    : m_target(raisedToFloor(target))
    , m_maxConcurrent(maxConcurrent > 0 ? maxConcurrent : defaultMaxConcurrent())
    , m_maxQueued(std::max(0, maxQueued))
{
    initSodium();
}

PasswordHasher::~PasswordHasher()
{
    for (Pepper &pepper : m_peppers)
        sodium_memzero(pepper.key.data(), pepper.key.size());
}

int PasswordHasher::defaultMaxConcurrent()
{
    const int cores = int(std::thread::hardware_concurrency());
    return std::clamp(cores, 2, MaxDefaultConcurrent);
}

bool PasswordHasher::setPeppers(const QList<KeyFileEntry> &keys)
{
    for (const KeyFileEntry &entry : keys) {
        if (entry.key.size() != PepperBytes || entry.id.isEmpty() || entry.id.size() > 64
            || entry.id.contains(QLatin1Char('$')))
            return false;
    }
    for (Pepper &pepper : m_peppers)
        sodium_memzero(pepper.key.data(), pepper.key.size());
    m_peppers.clear();
    for (const KeyFileEntry &entry : keys) {
        Pepper pepper;
        pepper.id = entry.id.toStdString();
        std::copy(entry.key.cbegin(), entry.key.cend(), pepper.key.begin());
        m_peppers.push_back(std::move(pepper));
    }
    return true;
}

Result<> PasswordHasher::loadPepperFile(const QString &path)
{
    const QString what = QStringLiteral("password pepper file");
    Result<KeyFileContents> file =
        readSecretKeyFile(path, what, PepperBytes, PepperBytes, PepperBytes);
    if (!file)
        return file.problem();
    KeyFileContents contents = std::move(file).value();
    const bool accepted = setPeppers(contents.entries);
    for (KeyFileEntry &entry : contents.entries)
        wipeBytes(entry.key);
    if (!accepted)
        return keyFileProblem(what, path, QStringLiteral("a key id is not usable"));
    return Unit{};
}

// The pepper a stored hash was made with (nullptr: none, or one this install does not
// have), and in \a phc the PHC string behind the pepper marker.
const PasswordHasher::Pepper *PasswordHasher::pepperFor(const std::string &storedHash,
                                                        std::string &phc) const
{
    phc = storedHash;
    if (storedHash.compare(0, sizeof PepperPrefix - 1, PepperPrefix) != 0)
        return nullptr;
    const std::size_t idStart = sizeof PepperPrefix - 1;
    const std::size_t idEnd = storedHash.find('$', idStart);
    if (idEnd == std::string::npos) {
        phc.clear();
        return nullptr;
    }
    const std::string id = storedHash.substr(idStart, idEnd - idStart);
    phc = storedHash.substr(idEnd);
    for (const Pepper &pepper : m_peppers) {
        if (pepper.id == id)
            return &pepper;
    }
    phc.clear(); // peppered with a key this install lacks: it cannot match
    return nullptr;
}

std::optional<std::string> PasswordHasher::hash(const QString &password)
{
    const Slot slot(*this);
    if (!slot.isAcquired())
        return std::nullopt;
    const Pepper *pepper = m_peppers.empty() ? nullptr : &m_peppers.front();
    SecretBytes prepared;
    prepare(password, pepper, prepared);
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, prepared.data(), prepared.size(), m_target.opsLimit,
                          m_target.memLimitBytes)
        != 0) {
        throw std::bad_alloc();
    }
    return pepper ? PepperPrefix + pepper->id + out : std::string(out);
}

PasswordHasher::Verdict PasswordHasher::verify(const std::string &storedHash,
                                               const QString &password)
{
    return verifyPrepared(&storedHash, password);
}

const std::string &PasswordHasher::dummyHash()
{
    // Made on the first verify of either kind, inside its slot, so neither path is the
    // one that pays for it, and hms-admin (which only hashes) never does.
    std::call_once(m_dummyOnce, [this] {
        std::array<unsigned char, 32> random{};
        randombytes_buf(random.data(), random.size());
        char dummy[crypto_pwhash_STRBYTES];
        const int status =
            crypto_pwhash_str(dummy, reinterpret_cast<const char *>(random.data()), random.size(),
                              m_target.opsLimit, m_target.memLimitBytes);
        sodium_memzero(random.data(), random.size());
        if (status != 0)
            throw std::bad_alloc(); // call_once will try again on the next call
        m_dummyHash = dummy;
    });
    return m_dummyHash;
}

PasswordHasher::Verdict PasswordHasher::dummyVerify(const QString &password)
{
    const Verdict verdict = verifyPrepared(nullptr, password);
    // A random 32-byte secret was hashed, so a match cannot happen; say Mismatch regardless.
    return verdict == Verdict::Busy ? Verdict::Busy : Verdict::Mismatch;
}

PasswordHasher::Verdict PasswordHasher::verifyPrepared(const std::string *stored,
                                                       const QString &password)
{
    const Slot slot(*this);
    if (!slot.isAcquired())
        return Verdict::Busy;
    const std::string &dummy = dummyHash();
    std::string phc;
    const Pepper *pepper = stored != nullptr ? pepperFor(*stored, phc)
                                             : (m_peppers.empty() ? nullptr : &m_peppers.front());
    if (stored == nullptr)
        phc = dummy;
    if (!isArgon2idHash(phc))
        return Verdict::Mismatch;
    SecretBytes prepared;
    prepare(password, pepper, prepared);
    return crypto_pwhash_str_verify(phc.c_str(), prepared.data(), prepared.size()) == 0
        ? Verdict::Match
        : Verdict::Mismatch;
}

bool PasswordHasher::needsRehash(const std::string &stored) const
{
    std::string storedHash;
    const Pepper *pepper = pepperFor(stored, storedHash);
    if (!m_peppers.empty() && pepper != &m_peppers.front())
        return true; // no pepper yet, or an older one: move it to the current pepper
    if (!isArgon2idHash(storedHash))
        return true;
    // Only upwards: a server configured below a stored hash's cost (a test floor, a slip in
    // the config) must not weaken hashes at login. "$argon2id$v=19$m=65536,t=3,p=1$..."
    unsigned long memoryKib = 0;
    unsigned long passes = 0;
    if (std::sscanf(storedHash.c_str(), "$argon2id$v=19$m=%lu,t=%lu,", &memoryKib, &passes) != 2)
        return true;
    return memoryKib * 1024 < m_target.memLimitBytes || passes < m_target.opsLimit;
}

int PasswordHasher::queuedCount() const
{
    const std::lock_guard lock(m_mutex);
    return m_waiting;
}

void PasswordHasher::prepare(const QString &password, const Pepper *pepper, SecretBytes &out) const
{
    QString normalized = password.normalized(QString::NormalizationForm_KC);
    QByteArray utf8 = normalized.toUtf8();
    if (pepper == nullptr) {
        out.assign(utf8.constData(), std::size_t(utf8.size()));
    } else {
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char *>(utf8.constData()),
                               std::size_t(utf8.size()), pepper->key.data());
        char hex[std::size_t{2} * crypto_auth_hmacsha256_BYTES + 1];
        sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
        out.assign(hex, sizeof hex - 1);
        sodium_memzero(mac, sizeof mac);
        sodium_memzero(hex, sizeof hex);
    }
    sodium_memzero(utf8.data(), std::size_t(utf8.size()));
    sodium_memzero(normalized.data(), std::size_t(normalized.size()) * sizeof(QChar));
}

bool PasswordHasher::acquireSlot()
{
    std::unique_lock lock(m_mutex);
    if (m_running < m_maxConcurrent && m_waiting == 0) {
        ++m_running;
        return true;
    }
    if (m_waiting >= m_maxQueued)
        return false;
    ++m_waiting;
    m_slotFreed.wait(lock, [this] {
        return m_running < m_maxConcurrent;
    });
    --m_waiting;
    ++m_running;
    return true;
}

void PasswordHasher::releaseSlot()
{
    {
        const std::lock_guard lock(m_mutex);
        --m_running;
    }
    m_slotFreed.notify_one();
}

} // namespace hms::server
