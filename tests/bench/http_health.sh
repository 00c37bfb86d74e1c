#!/usr/bin/env bash
# Benchmark (not a test): HTTP throughput of hms-server's GET /api/v1/health,
# and, when node/npm exist, of the Express reference peer's GET /api/v1/ping
# measured the same way in the same run, with the ratio ours / peer.
#
#   tests/bench/http_health.sh
#
# Environment: BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_THREADS (2),
# BENCH_PEER_WORKERS (2, Node cluster workers), HMS_PEERS_DIR (../shared/peers).
# Everything it starts (PostgreSQL, servers) is stopped on exit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$repo"
pgcluster=$repo/installer/dev/pgcluster.sh
peers_dir=${HMS_PEERS_DIR:-$repo/../shared/peers}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
peer_workers=${BENCH_PEER_WORKERS:-2}

say() { printf '[bench] %s\n' "$*"; }
die() {
    printf '[bench] error: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------- cleanup

work='' server_pid='' peer_pid=''
# shellcheck disable=SC2317 # only reached through the EXIT trap
cleanup() {
    local rc=$? pid _
    trap '' INT TERM HUP
    trap - EXIT
    # The peer runs in its own process group (Node cluster workers included).
    [[ -z $peer_pid ]] || kill -TERM -- "-$peer_pid" 2>/dev/null || true
    [[ -z $server_pid ]] || kill -TERM "$server_pid" 2>/dev/null || true
    for pid in $server_pid $peer_pid; do
        for _ in {1..50}; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    [[ -z $peer_pid ]] || kill -KILL -- "-$peer_pid" 2>/dev/null || true
    if [[ -n $work ]]; then
        "$pgcluster" stop "$work/pg" >/dev/null 2>&1 || true
        rm -rf -- "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP # terminal closed

# Waits up to 30 s for URL $1 to answer; $2 is the pid to watch, $3 its log.
wait_http() {
    local url=$1 pid=$2 log=$3 _
    for _ in {1..150}; do
        curl -fsS --max-time 2 "$url" >/dev/null 2>&1 && return 0
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$log" >&2
            return 1
        fi
        sleep 0.2
    done
    tail -n 30 "$log" >&2
    return 1
}

# Runs wrk against URL $1 (after a short warm-up); prints "REQ_PER_SEC P99".
# The full wrk report goes to $2.
measure() {
    local url=$1 report=$2
    wrk -t"$threads" -c"$connections" -d2s "$url" >/dev/null 2>&1 || true
    wrk -t"$threads" -c"$connections" -d"$duration" --latency "$url" >"$report" 2>&1 ||
        { cat "$report" >&2; return 1; }
    # Failed requests would make the figure meaningless: say so loudly.
    if grep -Eq 'Non-2xx or 3xx responses|Socket errors' "$report"; then
        grep -E 'Non-2xx or 3xx responses|Socket errors' "$report" | sed 's/^/[bench] WARNING: /' >&2
    fi
    awk '/^Requests\/sec:/ { rps = $2 } $1 == "99%" { p99 = $2 } END { print rps, p99 }' "$report"
}

# ---------------------------------------------------------------- build and database

"$repo/installer/dev/deps.sh"
command -v wrk >/dev/null || die "wrk not installed"
generator=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' build/CMakeCache.txt 2>/dev/null || true)
if [[ -z $generator || ($generator == Ninja && ! -f build/build.ninja) ]]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
        die "cmake configure failed (run: cmake -S . -B build -G Ninja)"
fi
say "building (if needed)"
cmake --build build >/dev/null || die "build failed (run: cmake --build build)"
[[ -x build/bin/hms-server && -x build/bin/hms-admin ]] || die "build/bin/hms-server or hms-admin missing"

work=$(mktemp -d "${TMPDIR:-/tmp}/hms-bench.XXXXXX")
chmod 755 "$work" # as root, the "postgres" user must enter it
"$pgcluster" init "$work/pg" >/dev/null
"$pgcluster" start "$work/pg" >/dev/null
"$pgcluster" createdb "$work/pg" hms

# ---------------------------------------------------------------- hms-server

HMS_DATABASE_URL=$("$pgcluster" url "$work/pg" hms)
export HMS_DATABASE_URL
build/bin/hms-admin migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }

port=$("$pgcluster" free-port)
HMS_LISTEN=127.0.0.1:$port build/bin/hms-server --no-migrate >"$work/server.log" 2>&1 &
server_pid=$!
ours_url=http://127.0.0.1:$port/api/v1/health
wait_http "$ours_url" "$server_pid" "$work/server.log" || die "hms-server did not come up"

say "hms-server: wrk -t$threads -c$connections -d$duration --latency $ours_url"
result=$(measure "$ours_url" "$work/wrk-ours.txt")
read -r ours_rps ours_p99 <<<"$result"
say "hms-server  GET /api/v1/health: $ours_rps req/s, p99 $ours_p99"

# ---------------------------------------------------------------- Express peer

peer_src=$peers_dir/express-hms
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "node/npm not installed: no peer comparison"
    exit 0
fi
if [[ ! -x $peer_src/run ]]; then
    say "peer not found in $peer_src (set HMS_PEERS_DIR): no peer comparison"
    exit 0
fi

# The peer directory is read-only and "run" installs node_modules next to it.
cp -r "$peer_src" "$work/peer"
chmod -R u+w "$work/peer"
rm -rf "$work/peer/node_modules"
"$pgcluster" createdb "$work/pg" hms_peer
export PEER_DATABASE_URL
PEER_DATABASE_URL=$("$pgcluster" url "$work/pg" hms_peer)
say "peer: npm ci and seed (log: $work/peer-seed.log)"
if ! "$work/peer/run" seed >"$work/peer-seed.log" 2>&1; then
    tail -n 20 "$work/peer-seed.log" >&2
    say "peer seed failed (offline npm registry?): no peer comparison"
    exit 0
fi

peer_port=$("$pgcluster" free-port)
# setsid: own process group, so the cleanup reaches the cluster workers too.
PEER_PORT=$peer_port PEER_WORKERS=$peer_workers setsid "$work/peer/run" >"$work/peer.log" 2>&1 &
peer_pid=$!
peer_url=http://127.0.0.1:$peer_port/api/v1/ping
wait_http "$peer_url" "$peer_pid" "$work/peer.log" || die "peer did not come up"

say "peer ($peer_workers workers): wrk -t$threads -c$connections -d$duration --latency $peer_url"
result=$(measure "$peer_url" "$work/wrk-peer.txt")
read -r peer_rps peer_p99 <<<"$result"

ratio=$(awk -v a="$ours_rps" -v b="$peer_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
echo
printf '%-34s %14s %10s\n' "" "req/s" "p99"
printf '%-34s %14s %10s\n' "hms-server  GET /api/v1/health" "$ours_rps" "$ours_p99"
printf '%-34s %14s %10s\n' "express-hms GET /api/v1/ping" "$peer_rps" "$peer_p99"
printf 'ratio req/s (ours / peer): %s\n' "$ratio"
