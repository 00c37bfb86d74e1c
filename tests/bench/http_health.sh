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
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}

bench_build
command -v wrk >/dev/null || die "wrk not installed"
bench_cluster
bench_server

ours_url=$base/api/v1/health
say "hms-server: wrk -c$connections -d$duration --latency $ours_url"
read -r ours_rps ours_p99 <<<"$(bench_wrk "$connections" "$duration" "$ours_url")"
say "hms-server  GET /api/v1/health: $ours_rps req/s, p99 $ours_p99"

bench_peer "${BENCH_PEER_WORKERS:-2}" || exit 0
peer_url=http://127.0.0.1:$peer_port/api/v1/ping
say "peer: wrk -c$connections -d$duration --latency $peer_url"
read -r peer_rps peer_p99 <<<"$(bench_wrk "$connections" "$duration" "$peer_url")"

ratio=$(awk -v a="$ours_rps" -v b="$peer_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
echo
printf '%-34s %14s %10s\n' "" "req/s" "p99"
printf '%-34s %14s %10s\n' "hms-server  GET /api/v1/health" "$ours_rps" "$ours_p99"
printf '%-34s %14s %10s\n' "express-hms GET /api/v1/ping" "$peer_rps" "$peer_p99"
printf 'ratio req/s (ours / peer): %s\n' "$ratio"
