#!/usr/bin/env bash
# Benchmark (not a test; never run by ./test.sh): queue health under churn (handbook
# WORKER.md G11, pitfall 4). BENCH_N runs (100,000) of the three-step workflow "three" of
# hms-test-worker (hms-worker's engine) are started at BENCH_RATE runs/s (500) while one
# worker process serves them; every BENCH_SAMPLE seconds (5) it prints the hot tables' size
# (wf.run, wf.step with their indexes), live and dead tuples, autovacuum runs, the backlog,
# and the claim's latency in that window (pg_stat_statements on the worker's claim
# statement: calls, mean, max). From BENCH_HOLD_AT s (30) a transaction stays open for
# BENCH_HOLD s (60), holding back the xmin horizon so vacuum cannot remove dead tuples: the
# rows marked "hold" show what that does to dead tuples and claim latency.
#
#   tests/bench/worker_churn.sh          (after a build: build/bin/hms-test-worker, hms-admin)
#
# Environment: BENCH_N, BENCH_RATE, BENCH_C (8 executors), BENCH_SAMPLE, BENCH_HOLD_AT,
# BENCH_HOLD, BENCH_BIN_DIR (build/bin). Everything it starts is stopped on exit.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

n=${BENCH_N:-100000}
rate=${BENCH_RATE:-500}
c=${BENCH_C:-8}
sample=${BENCH_SAMPLE:-5}
hold_at=${BENCH_HOLD_AT:-30}
hold=${BENCH_HOLD:-60}
bin=${BENCH_BIN_DIR:-$repo/build/bin}

[[ -x $bin/hms-test-worker && -x $bin/hms-admin ]] || die "build first (cmake --build build)"

bench_cluster
db=$HMS_DATABASE_URL
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$db" "$@"; }
# pg_stat_statements needs a restart to load.
psql_ -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
"$pgcluster" stop "$work/pg" >/dev/null
"$pgcluster" start "$work/pg" >/dev/null
db=$("$pgcluster" url "$work/pg" hms)

"$bin/hms-admin" --database "$db" migrate >/dev/null 2>&1
"$bin/hms-admin" --database "$db" hospital add --code churn --name Churn >/dev/null 2>&1
psql_ -c "CREATE EXTENSION pg_stat_statements;
          CREATE TABLE test_effect (run_id bigint NOT NULL, hospital_id bigint NOT NULL,
            step integer NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
          GRANT SELECT, INSERT ON test_effect TO hms_app;"

HMS_DATABASE_URL=$db HMS_WORKER_POLL_MS=200 "$bin/hms-test-worker" --queues churn \
    --concurrency "$c" >"$work/worker.log" 2>&1 &
bench_pids+=("$!")
for _ in {1..100}; do
    [[ $(psql_ -tAc "SELECT count(*) FROM wf.worker") -ge 1 ]] && break
    sleep 0.1
done

# Starts: batches every 0.1 s, each its own transaction with its NOTIFY, like a server's.
batch=$(((rate + 9) / 10))
say "$n runs at $rate runs/s ($batch per 0.1 s), 1 worker x $c executors; open transaction" \
    "for ${hold} s from ${hold_at} s"
psql_ -c "DO \$\$ BEGIN FOR i IN 0..($n - 1) / $batch LOOP
            INSERT INTO wf.run (hospital_id, queue, workflow_type, workflow_version, idempotency_key)
            SELECT h.id, 'churn', 'three', 1, 'churn-' || g
            FROM hospitals h, generate_series(i * $batch + 1, least((i + 1) * $batch, $n)) g
            WHERE h.code = 'churn';
            PERFORM pg_notify('wf_ready', 'churn');
            COMMIT;
            PERFORM pg_sleep(0.1);
          END LOOP; END \$\$;" &
bench_pids+=("$!")
psql_ -c "SELECT pg_stat_statements_reset()" >/dev/null

printf '%6s %5s %8s %8s %9s %9s %9s %9s %9s %6s %7s %8s %8s %s\n' t_s hold completed backlog \
    run_MB ready_idx_kB run_live run_dead step_dead avac claims mean_ms max_ms note
start=$SECONDS
held=''
while :; do
    sleep "$sample"
    t=$((SECONDS - start))
    if [[ -z $held && $t -ge $hold_at ]]; then
        psql_ -c "BEGIN; SELECT txid_current(); SELECT pg_sleep($hold); COMMIT;" >/dev/null &
        held=$!
        bench_pids+=("$held")
    fi
    state=-
    [[ -n $held ]] && kill -0 "$held" 2>/dev/null && state=open
    read -r done_ backlog run_mb idx_kb live dead step_dead avac <<<"$(psql_ -tA -F ' ' -c "
        SELECT (SELECT count(*) FROM wf.run WHERE status = 'completed'),
               (SELECT count(*) FROM wf.run WHERE status IN ('ready', 'running', 'waiting')),
               round(pg_total_relation_size('wf.run') / 1048576.0, 1),
               pg_relation_size('wf.run_ready') / 1024,
               r.n_live_tup, r.n_dead_tup, s.n_dead_tup, r.autovacuum_count
        FROM pg_stat_user_tables r, pg_stat_user_tables s
        WHERE r.relid = 'wf.run'::regclass AND s.relid = 'wf.step'::regclass")"
    read -r calls mean max <<<"$(psql_ -tA -F ' ' -c "
        SELECT coalesce(sum(calls), 0), coalesce(round((sum(total_exec_time) / nullif(sum(calls), 0))::numeric, 3), 0),
               coalesce(round(max(max_exec_time)::numeric, 2), 0)
        FROM pg_stat_statements WHERE query LIKE '%wf.claim(%'")"
    psql_ -c "SELECT pg_stat_statements_reset()" >/dev/null
    note=''
    [[ $state == open ]] && note="xmin age $(psql_ -tAc "SELECT max(age(backend_xmin)) FROM pg_stat_activity")"
    printf '%6s %5s %8s %8s %9s %9s %9s %9s %9s %6s %7s %8s %8s %s\n' "$t" "$state" "$done_" \
        "$backlog" "$run_mb" "$idx_kb" "$live" "$dead" "$step_dead" "$avac" "$calls" "$mean" \
        "$max" "$note"
    [[ $done_ -ge $n ]] && break
    ((t > 3600)) && die "not finished after an hour"
done
say "RESULT churn N=$n: all completed in $((SECONDS - start)) s;" \
    "wf.run $(psql_ -tAc "SELECT pg_size_pretty(pg_total_relation_size('wf.run'))"), " \
    "wf.step $(psql_ -tAc "SELECT pg_size_pretty(pg_total_relation_size('wf.step'))")" \
    "(finished runs stay until hms-admin wf archive moves them, daily)"
