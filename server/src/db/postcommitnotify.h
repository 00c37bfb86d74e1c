#pragma once

#include <pqxx/connection_base>

#include <string>

namespace hms::server {

/// NOTIFY sent after the writing transaction commits, in a statement of its own.
///
/// Why not NOTIFY inside the transaction: PostgreSQL 15 makes every committing transaction
/// that has queued a NOTIFY take one database-wide lock and hold it until its commit record is
/// flushed to disk (async.c, PreCommit_Notify), so such commits run one disk flush after the
/// other instead of sharing one (group commit). At 32 concurrent registrations that lock,
/// not the CPU, capped the write rate. Use this only for hints that have a fallback (the
/// worker polls for due runs anyway): a crash between the commit and the hint loses the hint.

/// Queues a notification on this thread; identical ones are sent once.
void notifyAfterCommit(std::string channel, std::string payload);

/// Sends this thread's queued notifications in one autocommit statement that does not wait
/// for a disk flush, then forgets them. Call after the transaction committed (or rolled
/// back: a stray hint costs the listener one look). Never throws: a failure only drops hints.
void sendQueuedNotifications(pqxx::connection_base &connection) noexcept;

/// Whether this thread has notifications queued.
bool hasQueuedNotifications();

} // namespace hms::server
