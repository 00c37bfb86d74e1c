#include "db/postcommitnotify.h"

#include "db/pgvalues.h"
#include "db/prepared.h"

#include <pqxx/nontransaction>

#include <algorithm>
#include <utility>
#include <vector>

namespace hms::server {

namespace {

thread_local std::vector<std::pair<std::string, std::string>> t_queued;

} // namespace

void notifyAfterCommit(std::string channel, std::string payload)
{
    auto notification = std::make_pair(std::move(channel), std::move(payload));
    if (std::find(t_queued.cbegin(), t_queued.cend(), notification) == t_queued.cend())
        t_queued.push_back(std::move(notification));
}

bool hasQueuedNotifications()
{
    return !t_queued.empty();
}

void sendQueuedNotifications(pqxx::connection_base &connection) noexcept
{
    if (t_queued.empty())
        return;
    const auto queued = std::exchange(t_queued, {});
    try {
        QStringList channels;
        QStringList payloads;
        for (const auto &[channel, payload] : queued) {
            channels.append(QString::fromStdString(channel));
            payloads.append(QString::fromStdString(payload));
        }
        // Its own implicit transaction: nothing else to flush, and not waiting for the flush
        // of its commit record either (a hint lost in a PostgreSQL crash is only a hint).
        pqxx::nontransaction tx(connection);
        execPrepared(tx, "hms_notify",
                     "SELECT set_config('synchronous_commit', 'off', true), pg_notify(c, p) "
                     "FROM unnest($1::text[], $2::text[]) AS n(c, p)",
                     arrayParam(channels), arrayParam(payloads));
    } catch (...) {
        // A hint only: the listeners' own polling covers it.
    }
}

} // namespace hms::server
