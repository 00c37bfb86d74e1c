#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace hms::server {

/// In-memory login limits of one server process (SECURITY.md A3, A4):
/// - per client address: at most N failed logins a minute and M an hour (password spraying),
///   successful logins are never limited (a ward's desks may share one address);
/// - per unknown username: the same lock a real account would get after its failures, so a
///   "locked" answer does not reveal which usernames exist.
/// Accounts that exist are locked in the database (users.locked_until), not here.
/// Qt-free and thread-safe (called from every database pool thread).
class LoginThrottle
{
public:
    using Clock = std::chrono::steady_clock;

    struct Settings
    {
        int addressFailuresPerMinute = 20;
        int addressFailuresPerHour = 100;
        int unknownUserThreshold = 5;
        std::chrono::seconds unknownUserLock{15 * 60};
    };

    LoginThrottle();
    explicit LoginThrottle(Settings settings);

    /// Seconds until \a address may try again, or nullopt when it may now.
    std::optional<int> addressRetryAfter(const std::string &address,
                                         Clock::time_point now = Clock::now());
    void recordAddressFailure(const std::string &address, Clock::time_point now = Clock::now());

    /// The same for an unknown user name (key: hospital + lower-case name).
    std::optional<int> unknownUserRetryAfter(const std::string &key,
                                             Clock::time_point now = Clock::now());
    void recordUnknownUserFailure(const std::string &key, Clock::time_point now = Clock::now());

private:
    struct UnknownUser
    {
        int failures = 0;
        Clock::time_point lockedUntil;
        Clock::time_point lastSeen;
    };

    void pruneLocked(Clock::time_point now);

    Settings m_settings;
    std::mutex m_mutex;
    std::unordered_map<std::string, std::deque<Clock::time_point>> m_addressFailures;
    std::unordered_map<std::string, UnknownUser> m_unknownUsers;
    Clock::time_point m_lastPrune;
};

} // namespace hms::server
