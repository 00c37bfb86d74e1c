#include "auth/loginthrottle.h"

#include <algorithm>

namespace hms::server {

namespace {

constexpr auto Minute = std::chrono::minutes(1);
constexpr auto Hour = std::chrono::hours(1);
constexpr auto PruneEvery = std::chrono::minutes(5);

int secondsUntil(LoginThrottle::Clock::time_point when, LoginThrottle::Clock::time_point now)
{
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(when - now).count();
    return int(std::max<long long>(1, left + 1));
}

} // namespace

LoginThrottle::LoginThrottle()
    : LoginThrottle(Settings())
{}

LoginThrottle::LoginThrottle(Settings settings)
    : m_settings(settings)
{}

std::optional<int> LoginThrottle::addressRetryAfter(const std::string &address,
                                                    Clock::time_point now)
{
    std::lock_guard lock(m_mutex);
    pruneLocked(now);
    const auto it = m_addressFailures.find(address);
    if (it == m_addressFailures.end())
        return std::nullopt;
    std::deque<Clock::time_point> &failures = it->second;
    while (!failures.empty() && failures.front() <= now - Hour)
        failures.pop_front();
    const auto inLastMinute =
        std::count_if(failures.begin(), failures.end(), [&](Clock::time_point t) {
            return t > now - Minute;
        });
    if (inLastMinute >= m_settings.addressFailuresPerMinute) {
        // Free again once the oldest failure of the last minute leaves the window.
        const auto oldest =
            *std::find_if(failures.begin(), failures.end(), [&](Clock::time_point t) {
                return t > now - Minute;
            });
        return secondsUntil(oldest + Minute, now);
    }
    if (int(failures.size()) >= m_settings.addressFailuresPerHour)
        return secondsUntil(failures.front() + Hour, now);
    return std::nullopt;
}

void LoginThrottle::recordAddressFailure(const std::string &address, Clock::time_point now)
{
    std::lock_guard lock(m_mutex);
    std::deque<Clock::time_point> &failures = m_addressFailures[address];
    failures.push_back(now);
    // Only the last hour matters, and never more than the hourly limit of entries.
    while (failures.size() > size_t(m_settings.addressFailuresPerHour))
        failures.pop_front();
}

std::optional<int> LoginThrottle::unknownUserRetryAfter(const std::string &key,
                                                        Clock::time_point now)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_unknownUsers.find(key);
    if (it == m_unknownUsers.end() || it->second.lockedUntil <= now)
        return std::nullopt;
    return secondsUntil(it->second.lockedUntil, now);
}

void LoginThrottle::recordUnknownUserFailure(const std::string &key, Clock::time_point now)
{
    std::lock_guard lock(m_mutex);
    UnknownUser &user = m_unknownUsers[key];
    user.lastSeen = now;
    if (++user.failures >= m_settings.unknownUserThreshold) {
        user.failures = 0;
        user.lockedUntil = now + m_settings.unknownUserLock;
    }
}

void LoginThrottle::pruneLocked(Clock::time_point now)
{
    if (now - m_lastPrune < PruneEvery)
        return;
    m_lastPrune = now;
    std::erase_if(m_addressFailures, [&](const auto &entry) {
        return entry.second.empty() || entry.second.back() <= now - Hour;
    });
    std::erase_if(m_unknownUsers, [&](const auto &entry) {
        return entry.second.lockedUntil <= now && entry.second.lastSeen <= now - Hour;
    });
}

} // namespace hms::server
