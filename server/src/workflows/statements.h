#pragma once

// The workflow engine's hot statements, in one place: each runs through execPrepared
// (db/prepared.h), so it is parsed and planned once per connection instead of on every call.

namespace hms::server::wf::statements {

// The claim (worker.cpp): autocommit, without waiting for its WAL flush (see Worker::claim).
inline constexpr char ClaimName[] = "hms_wf_claim";
inline constexpr char ClaimSql[] =
    "SELECT c.run_id, c.hospital_id, c.lease_epoch, c.workflow_type, "
    "c.workflow_version, c.input, c.attempt, c.max_attempts, "
    "(extract(epoch FROM c.db_now) * 1e6)::bigint, c.journal "
    "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async, "
    "wf.claim($1, $2::text[], $3, $4, $5) AS c";

// A claimed run given back untouched (a stopping worker): this claim does not count as an
// attempt, and the run is ready again at once.
inline constexpr char ReleaseName[] = "hms_wf_release";
inline constexpr char ReleaseSql[] =
    "UPDATE wf.run SET status = 'ready', attempt = greatest(attempt - 1, 0), "
    "lease_owner = NULL, lease_expires_at = NULL, run_at = now(), updated_at = now() "
    "WHERE run_id = $1 AND lease_epoch = $2 AND status = 'running'";

// Journal rows of kind $6 ($3: [[seq, name, output], ...]) with the lease check
// (WorkflowContext::commitJournaled): the DB steps that shared the open transaction, or one
// external call or patch marker. One row each, or none when the lease is gone.
inline constexpr char JournalStepsName[] = "hms_wf_journal_steps";
inline constexpr char JournalStepsSql[] =
    "WITH f AS (SELECT run_id FROM wf.run WHERE run_id = $1 AND lease_epoch = $5 "
    "AND status = 'running' FOR UPDATE) "
    "INSERT INTO wf.step (run_id, seq, hospital_id, name, kind, output, attempt) "
    "SELECT f.run_id, (e ->> 0)::int, $2, e ->> 1, $6, e -> 2, $4 "
    "FROM f, jsonb_array_elements($3::jsonb) AS e";
// The run's end when no step transaction is open (a failure, or a run whose last operation
// was not a DB step).
inline constexpr char FinishName[] = "hms_wf_finish";
inline constexpr char FinishSql[] =
    "UPDATE wf.run SET status = $3, result = $4::jsonb, last_error = $5, "
    "finished_at = now(), lease_owner = NULL, lease_expires_at = NULL, updated_at = now() "
    "WHERE run_id = $1 AND lease_epoch = $2 AND status = 'running'";
// The open transaction's journal rows and the run's end in one statement: the UPDATE is the
// lease check (it locks the run row and matches only while the lease is ours), the journal
// rows ($3 as in JournalStepsSql) are inserted only when it matched.
inline constexpr char JournalStepsAndFinishName[] = "hms_wf_journal_steps_finish";
inline constexpr char JournalStepsAndFinishSql[] =
    "WITH f AS (UPDATE wf.run SET status = $6, result = $7::jsonb, last_error = $8, "
    "finished_at = now(), lease_owner = NULL, lease_expires_at = NULL, updated_at = now() "
    "WHERE run_id = $1 AND lease_epoch = $5 AND status = 'running' RETURNING run_id) "
    "INSERT INTO wf.step (run_id, seq, hospital_id, name, kind, output, attempt) "
    "SELECT f.run_id, (e ->> 0)::int, $2, e ->> 1, 'db', e -> 2, $4 "
    "FROM f, jsonb_array_elements($3::jsonb) AS e";

} // namespace hms::server::wf::statements
