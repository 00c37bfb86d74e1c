#!/usr/bin/env bash
# Benchmark (not a test): live fan-out. 1,000 WebSocket subscribers on topic `beds` in one
# load process (build/bin/hms-bench-live), bed status changes through REST at increasing
# rates; prints p50/p99/max latency from commit to receipt, lost events, the highest rate
# with none lost, and hms-server's memory per connection. Target (PERFORMANCE.md): p99 <
# 50 ms at 1,000 subscribers and 100 changes/s, zero lost.
#
#   tests/bench/live_fanout.sh
#
# Environment: BENCH_SUBSCRIBERS (1000), BENCH_RATES (25,50,100,200,400), BENCH_SECONDS (10),
# BENCH_BEDS (200). Everything it starts is stopped on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

subscribers=${BENCH_SUBSCRIBERS:-1000}
rates=${BENCH_RATES:-25,50,100,200,400}
seconds=${BENCH_SECONDS:-10}
bed_count=${BENCH_BEDS:-200}

bench_build
[[ -x build/bin/hms-bench-live ]] || die "build/bin/hms-bench-live missing (configure with HMS_BUILD_TESTS=ON)"
# Commit timestamps: latency is measured from each event's commit (see livefanout.cpp).
bench_cluster "track_commit_timestamp = on"
bench_users fanout boss:admin ward:nurse
bench_server

admin=$(bench_login fanout boss)
nurse=$(bench_login fanout ward)
[[ -n $admin && -n $nurse ]] || die "login failed"
ward=$(bench_post /api/v1/wards '{"code":"W1","name":"Fan-out ward","kind":"general"}' "$admin" | json_id)
[[ -n $ward ]] || die "could not create the ward"
say "creating $bed_count beds"
beds=()
for ((i = 1; i <= bed_count; i++)); do
    id=$(bench_post /api/v1/beds "{\"wardId\":\"$ward\",\"room\":\"R$((i / 10))\",\"code\":\"B$i\"}" "$admin" | json_id)
    [[ -n $id ]] || die "could not create bed $i"
    beds+=("$id")
done
printf '%s\n' "$nurse" >"$work/token"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

say "hms-bench-live: $subscribers subscribers, rates $rates changes/s, ${seconds}s each"
build/bin/hms-bench-live --url "$base" --token-file "$work/token" \
    --beds "$(IFS=,; echo "${beds[*]}")" --subscribers "$subscribers" --rates "$rates" \
    --seconds "$seconds" --server-pid "$server_pid" --database-url "$HMS_DATABASE_URL"
