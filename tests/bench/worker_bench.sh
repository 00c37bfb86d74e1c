#!/usr/bin/env bash
# Benchmark (not a test; never run by ./test.sh): durable three-step runs through
# hms-worker with 1, 2 and 4 worker processes, against the graphile-worker peer
# (../shared/peers/pg-jobqueue, MODE=chain: each step its own job, the step's INSERT and
# the next enqueue in one transaction) on the same PostgreSQL in the same invocation.
#
#   tests/bench/worker_bench.sh            (after a build: build/bin/hms-test-worker)
#
# Our runs: workflow "three" of hms-test-worker (the engine of hms-worker): three DB
# steps, each one INSERT into an effect table committed with its journal row and the lease
# check, i.e. the peer's shape (three INSERTs per job chain). Started in one burst
# (one INSERT ... SELECT into wf.run), like the peer's enqueue-all. Figures: runs/s
# (N / (last finish - first start)) and p50/p99 start -> complete, all on the database
# clock (created_at -> finished_at).
#
# Environment: BENCH_N (20000), BENCH_C (8 executors per process, the peer's C),
# BENCH_WORKERS ("1 2 4"), BENCH_RATE_N (1000 runs at 100/s), HMS_PEERS_DIR (../shared/peers),
# BENCH_BIN_DIR (build/bin; e.g. another build's binaries for a before/after comparison),
# BENCH_PEER=0 (skip the peer, for quick runs), BENCH_WORKER_WRAPPER (runs the worker under a
# tool, e.g. "valgrind --tool=callgrind"). Everything it starts is stopped on exit.
#
# The 100 runs/s phase also prints a run's timeline (track_commit_timestamp is on in the bench
# cluster): start (the INSERT's clock_timestamp) -> the steps' transaction start (their journal
# rows' now(); the three DB steps share one transaction) -> the completion's commit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$repo"
pgcluster=$repo/installer/dev/pgcluster.sh
peers_dir=${HMS_PEERS_DIR:-$repo/../shared/peers}
n=${BENCH_N:-20000}
c=${BENCH_C:-8}
worker_counts=${BENCH_WORKERS:-1 2 4}
bin=${BENCH_BIN_DIR:-$repo/build/bin}

say() { printf '[bench] %s\n' "$*"; }
die() {
    printf '[bench] error: %s\n' "$*" >&2
    exit 1
}

[[ -x $bin/hms-test-worker && -x $bin/hms-admin ]] || die "build first (cmake --build build)"

work='' worker_pids=()
# shellcheck disable=SC2317 # only reached through the EXIT trap
cleanup() {
    local rc=$? pid
    trap '' INT TERM HUP
    trap - EXIT
    for pid in "${worker_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${worker_pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n $work ]]; then
        "$pgcluster" stop "$work/pg" >/dev/null 2>&1 || true
        rm -rf -- "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work=$(mktemp -d "${TMPDIR:-/tmp}/hms-wfbench.XXXXXX")
chmod 755 "$work"
"$pgcluster" init "$work/pg" >/dev/null
"$pgcluster" start "$work/pg" >/dev/null
# Commit timestamps for the timeline of the 100 runs/s phase (when each step really committed).
psql -X -q "$("$pgcluster" url "$work/pg")" -c "ALTER SYSTEM SET track_commit_timestamp = on"
"$pgcluster" stop "$work/pg" >/dev/null
"$pgcluster" start "$work/pg" >/dev/null
"$pgcluster" createdb "$work/pg" hms_bench
db=$("$pgcluster" url "$work/pg" hms_bench)
# PostgreSQL's own psql, not Debian's Perl wrapper: the progress polls below would otherwise
# start a Perl interpreter every time, on the two cores being measured.
pg_psql=${HMS_PG_BIN:-/usr/lib/postgresql/15/bin}/psql
[[ -x $pg_psql ]] || pg_psql=psql
psql_() { "$pg_psql" -X -q -v ON_ERROR_STOP=1 "$db" "$@"; }

"$bin/hms-admin" --database "$db" migrate >/dev/null 2>&1
"$bin/hms-admin" --database "$db" hospital add --code bench --name Bench >/dev/null 2>&1
psql_ -c "CREATE TABLE test_effect (run_id bigint NOT NULL, hospital_id bigint NOT NULL,
            step integer NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
          GRANT SELECT, INSERT ON test_effect TO hms_app;"

declare -A ours_rate ours_p50 ours_p99
for w in $worker_counts; do
    psql_ -c "TRUNCATE test_effect, wf.step, wf.signal, wf.worker, wf.run" -c "VACUUM ANALYZE wf.run"
    worker_pids=()
    for ((i = 0; i < w; i++)); do
        # shellcheck disable=SC2086 # the wrapper is a command line
        HMS_DATABASE_URL=$db HMS_WORKER_POLL_MS=200 ${BENCH_WORKER_WRAPPER:-} "$bin/hms-test-worker" \
            --queues bench --concurrency "$c" >"$work/worker-$w-$i.log" 2>&1 &
        worker_pids+=("$!")
    done
    # Wait until every process has registered, then start the burst.
    for _ in {1..100}; do
        [[ $(psql_ -tAc "SELECT count(DISTINCT worker_id) FROM wf.worker") -ge $w ]] && break
        sleep 0.1
    done
    say "hms-worker: $n runs, $w process(es) x $c executors"
    psql_ -c "INSERT INTO wf.run (hospital_id, queue, workflow_type, workflow_version, idempotency_key)
              SELECT h.id, 'bench', 'three', 1, 'bench-' || g
              FROM hospitals h, generate_series(1, $n) g WHERE h.code = 'bench';
              NOTIFY wf_ready, 'bench';"
    # Polled twice a second: the figures come from the database clock, not from this loop.
    for _ in $(seq 1 1200); do
        done_=$(psql_ -tAc "SELECT count(*) FROM wf.run WHERE status = 'completed'")
        [[ $done_ -ge $n ]] && break
        sleep 0.5
    done
    for pid in "${worker_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${worker_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    worker_pids=()
    read -r count rate p50 p99 effects <<<"$(psql_ -tA -F ' ' -c "
        SELECT count(*),
               round((count(*) / extract(epoch FROM max(finished_at) - min(created_at)))::numeric, 1),
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - created_at)) * 1000)::numeric, 1),
               round((percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - created_at)) * 1000)::numeric, 1),
               (SELECT count(*) FROM test_effect)
        FROM wf.run WHERE status = 'completed'")"
    check="all steps done once"
    [[ $count -eq $n && $effects -eq $((3 * n)) ]] || check="INCOMPLETE: $count/$n runs, $effects effects"
    say "RESULT hms-worker W=$w C=$c N=$n: $rate runs/s, start->complete p50=$p50 ms p99=$p99 ms, $check"
    ours_rate[$w]=$rate ours_p50[$w]=$p50 ours_p99[$w]=$p99
done

# ---------------------------------------------------------------- open loop, 100 runs/s
rate_n=${BENCH_RATE_N:-1000}
psql_ -c "TRUNCATE test_effect, wf.step, wf.signal, wf.worker, wf.run" -c "VACUUM ANALYZE wf.run"
worker_pids=()
HMS_DATABASE_URL=$db HMS_WORKER_POLL_MS=200 "$bin/hms-test-worker" --queues bench \
    --concurrency "$c" >"$work/worker-rate.log" 2>&1 &
worker_pids+=("$!")
for _ in {1..100}; do
    [[ $(psql_ -tAc "SELECT count(*) FROM wf.worker") -ge 1 ]] && break
    sleep 0.1
done
say "hms-worker: $rate_n runs started one by one at ~100/s (each in its own transaction), 1 process"
# created_at is the INSERT's clock_timestamp(): the loop's transaction (so its now()) begins at
# the previous COMMIT, 10 ms of pg_sleep before the run exists.
psql_ -c "DO \$\$ BEGIN FOR i IN 1..$rate_n LOOP
            INSERT INTO wf.run (hospital_id, queue, workflow_type, workflow_version, idempotency_key,
                                created_at)
            SELECT id, 'bench', 'three', 1, 'rate-' || i, clock_timestamp() FROM hospitals WHERE code = 'bench';
            PERFORM pg_notify('wf_ready', 'bench');
            COMMIT;
            PERFORM pg_sleep(0.01);
          END LOOP; END \$\$;"
for _ in $(seq 1 600); do
    [[ $(psql_ -tAc "SELECT count(*) FROM wf.run WHERE status = 'completed'") -ge $rate_n ]] && break
    sleep 0.2
done
for pid in "${worker_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${worker_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
worker_pids=()
read -r rate_count rate_p50 rate_p99 <<<"$(psql_ -tA -F ' ' -c "
    SELECT count(*),
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - created_at)) * 1000)::numeric, 1),
           round((percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - created_at)) * 1000)::numeric, 1)
    FROM wf.run WHERE status = 'completed'")"
say "RESULT hms-worker at 100 runs/s: $rate_count/$rate_n completed, start->complete p50=$rate_p50 ms p99=$rate_p99 ms (target p99 < 50 ms)"
# Where the time goes: each run's start (its INSERT, clock_timestamp), the start of the
# transaction of its steps (their journal rows' now()), the completion's commit.
say "timeline of a run at 100 runs/s (ms; p50 / p90 / p99 / max):"
psql_ -tA -F ' ' -c "
    WITH t AS (
        SELECT r.run_id, r.created_at AS started, min(s.finished_at) AS steps,
               count(DISTINCT s.xmin::text) AS transactions,
               pg_xact_commit_timestamp(r.xmin) AS done
        FROM wf.run r JOIN wf.step s USING (run_id) WHERE r.status = 'completed'
        GROUP BY r.run_id),
    seg(ord, name, ms) AS (
        SELECT o, n, v FROM t, LATERAL (VALUES
            (1, 'start -> steps begin (wake + claim)', extract(epoch FROM steps - started) * 1000),
            (2, 'steps + completion (begin -> commit)', extract(epoch FROM done - steps) * 1000),
            (3, 'start -> completion commit', extract(epoch FROM done - started) * 1000),
            (4, 'transactions per run (count)', transactions)) AS v(o, n, v))
    SELECT format('  %-40s %7s %7s %7s %7s', name,
                  round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
                  round(percentile_cont(0.9) WITHIN GROUP (ORDER BY ms)::numeric, 1),
                  round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1),
                  round(max(ms)::numeric, 1))
    FROM seg GROUP BY ord, name ORDER BY ord"

# ---------------------------------------------------------------- peer
peer_src=$peers_dir/pg-jobqueue
declare -A peer_rate peer_p50 peer_p99
if [[ ${BENCH_PEER:-1} == 0 ]]; then
    say "BENCH_PEER=0: no peer comparison"
elif ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "node/npm not installed: no peer comparison"
elif [[ ! -x $peer_src/run ]]; then
    say "peer not found in $peer_src (set HMS_PEERS_DIR): no peer comparison"
else
    # The peer directory is shared: "run" installs node_modules, so run a copy.
    cp -r "$peer_src" "$work/peer"
    chmod -R u+w "$work/peer"
    "$pgcluster" createdb "$work/pg" peer
    peer_db=$("$pgcluster" url "$work/pg" peer)
    say "graphile-worker MODE=chain: $rate_n jobs at RATE=100/s, 1 process x $c"
    if PEER_DATABASE_URL=$peer_db N=$rate_n C=$c W=1 MODE=chain RATE=100 "$work/peer/run" \
        graphile-worker >"$work/peer-rate.log" 2>&1; then
        say "$(grep '^RESULT' "$work/peer-rate.log" | tail -n 1)"
    else
        tail -n 20 "$work/peer-rate.log" >&2
    fi
    for w in $worker_counts; do
        say "graphile-worker MODE=chain: $n jobs, $w process(es) x $c"
        if PEER_DATABASE_URL=$peer_db N=$n C=$c W=$w MODE=chain "$work/peer/run" graphile-worker \
            >"$work/peer-$w.log" 2>&1; then
            line=$(grep '^RESULT' "$work/peer-$w.log" | tail -n 1)
            say "$line"
            peer_rate[$w]=$(sed -n 's/.*: \([0-9.]*\) jobs\/s.*/\1/p' <<<"$line")
            peer_p50[$w]=$(sed -n 's/.*p50=\([0-9.]*\) ms.*/\1/p' <<<"$line")
            peer_p99[$w]=$(sed -n 's/.*p99=\([0-9.]*\) ms.*/\1/p' <<<"$line")
        else
            tail -n 20 "$work/peer-$w.log" >&2
            say "peer run failed (offline npm registry?)"
        fi
    done
fi

echo
printf '%-4s %14s %12s %12s %14s %12s %12s %10s %10s\n' W "ours runs/s" "p50 ms" "p99 ms" \
    "peer jobs/s" "p50 ms" "p99 ms" "rate x" "p99 x"
for w in $worker_counts; do
    pr=${peer_rate[$w]:-} pp=${peer_p99[$w]:-}
    rx=$(awk -v a="${ours_rate[$w]}" -v b="$pr" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
    px=$(awk -v a="${ours_p99[$w]}" -v b="$pp" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
    printf '%-4s %14s %12s %12s %14s %12s %12s %10s %10s\n' "$w" "${ours_rate[$w]}" \
        "${ours_p50[$w]}" "${ours_p99[$w]}" "${pr:-n/a}" "${peer_p50[$w]:-n/a}" "${pp:-n/a}" "$rx" "$px"
done
echo "rate x = ours runs/s / peer jobs/s (higher is better); p99 x = ours p99 / peer p99 (lower is better)"
