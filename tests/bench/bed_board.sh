#!/usr/bin/env bash
# Benchmark (not a test): GET /api/v1/beds and GET /api/v1/bed-board of hms-server with 200
# and 2,000 beds (a quarter occupied), against GET /api/v1/beds of the Express reference peer
# (../shared/peers/express-hms) on the same PostgreSQL in the same run, at c=16/64/256, with
# req/s, p99 and the ratios (PERFORMANCE.md: >= 5x Express req/s; p99 <= 1/5 of its p99).
#
#   tests/bench/bed_board.sh
#
# Environment: BENCH_DURATION (10s), BENCH_CONCURRENCY ("16 64 256"), BENCH_THREADS (2),
# BENCH_SIZES ("200 2000"), BENCH_PEER_WORKERS (1: the peer as one process, as in
# PERFORMANCE.md), HMS_PEERS_DIR (../shared/peers).
# Everything it starts (PostgreSQL, servers) is stopped on exit.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

duration=${BENCH_DURATION:-10s}
concurrency=${BENCH_CONCURRENCY:-16 64 256}
threads=${BENCH_THREADS:-2}
sizes=${BENCH_SIZES:-200 2000}
peer_workers=${BENCH_PEER_WORKERS:-1}
password='bench bed board horse 7'

# wrk with a bearer token; prints "REQ_PER_SEC P99_MS". $1 url, $2 token, $3 connections,
# $4 report file.
measure() {
    local url=$1 token=$2 c=$3 report=$4
    wrk -t"$threads" -c"$c" -d2s -H "Authorization: Bearer $token" "$url" >/dev/null 2>&1 || true
    wrk -t"$threads" -c"$c" -d"$duration" --latency -H "Authorization: Bearer $token" "$url" \
        >"$report" 2>&1 || { cat "$report" >&2; return 1; }
    if grep -Eq 'Non-2xx or 3xx responses|Socket errors' "$report"; then
        grep -E 'Non-2xx or 3xx responses|Socket errors' "$report" | sed 's/^/[bench] WARNING: /' >&2
    fi
    awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
            return v
        }
        /^Requests\/sec:/ { rps = $2 } $1 == "99%" { p99 = ms($2) }
        END { printf "%.0f %.2f\n", rps, p99 }' "$report"
}

# Logs in to hms-server; prints the access token.
hms_token() {
    local hospital=$1 user=$2
    curl -fsS -H 'Content-Type: application/json' \
        -d "{\"hospital\":\"$hospital\",\"username\":\"$user\",\"password\":\"$password\"}" \
        "http://127.0.0.1:$port/api/v1/auth/login" |
        sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p'
}

# ---------------------------------------------------------------- build and database

"$repo/installer/dev/deps.sh"
if ! command -v wrk >/dev/null; then
    if [[ $(id -u) == 0 ]]; then apt-get install -y wrk >/dev/null; else die "wrk not installed (apt-get install wrk)"; fi
fi
generator=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' build/CMakeCache.txt 2>/dev/null || true)
if [[ -z $generator || ($generator == Ninja && ! -f build/build.ninja) ]]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
        die "cmake configure failed"
fi
say "building (if needed)"
cmake --build build >/dev/null || die "build failed (run: cmake --build build)"

work=$(mktemp -d "${TMPDIR:-/tmp}/hms-bench.XXXXXX")
chmod 755 "$work"
"$pgcluster" init "$work/pg" >/dev/null
"$pgcluster" start "$work/pg" >/dev/null
"$pgcluster" createdb "$work/pg" hms

HMS_DATABASE_URL=$("$pgcluster" url "$work/pg" hms)
export HMS_DATABASE_URL
build/bin/hms-admin migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }

psql_hms() { psql -X -q -v ON_ERROR_STOP=1 "$HMS_DATABASE_URL" "$@"; }

# One hospital per size: beds in wards of 5 rooms x 4 beds, a quarter of them occupied by
# admitted patients (the board then carries occupants too).
for n in $sizes; do
    build/bin/hms-admin hospital add --code "b$n" --name "Bench $n" >/dev/null
    for role in nurse admin; do
        printf '%s\n' "$password" | build/bin/hms-admin user add --hospital "b$n" \
            --username "$role" --role "$role" --password-stdin >/dev/null
    done
    psql_hms -v n="$n" <<'SQL'
\set ON_ERROR_STOP 1
SELECT id AS h FROM hospitals WHERE code = 'b' || :'n' \gset
SELECT id AS u FROM users WHERE hospital_id = :h AND username = 'admin' \gset
INSERT INTO wards (hospital_id, code, name, kind, created_by)
    SELECT :h, 'W' || lpad(g::text, 3, '0'), 'Ward ' || g, 'general', :u
    FROM generate_series(1, :n / 20) g;
INSERT INTO rooms (hospital_id, ward_id, code)
    SELECT :h, w.id, (100 + r)::text FROM wards w, generate_series(1, 5) r WHERE w.hospital_id = :h;
INSERT INTO beds (hospital_id, ward_id, room_id, code, features, daily_rate, created_by)
    SELECT :h, r.ward_id, r.id, chr(64 + b), '{oxygen,monitor}', 150000, :u
    FROM rooms r, generate_series(1, 4) b WHERE r.hospital_id = :h;
INSERT INTO patients (hospital_id, mrn, full_name, birth_date, sex, phone)
    SELECT :h, 'B-2026-' || lpad(g::text, 6, '0') || '-0', 'Bench "Patient" ' || g,
           '1970-01-01', 'U', '+1777' || lpad(g::text, 7, '0')
    FROM generate_series(1, :n / 4) g;
WITH b AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM beds WHERE hospital_id = :h),
     p AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM patients WHERE hospital_id = :h)
INSERT INTO admissions (hospital_id, patient_id, bed_id, reason, admitted_by)
    SELECT :h, p.id, b.id, 'bench', :u FROM b JOIN p ON p.k = b.k;
UPDATE beds SET status = 'occupied'
    WHERE hospital_id = :h AND id IN (SELECT bed_id FROM admissions WHERE hospital_id = :h);
ANALYZE;
SQL
done

port=$("$pgcluster" free-port)
HMS_LISTEN=127.0.0.1:$port build/bin/hms-server --no-migrate >"$work/server.log" 2>&1 &
server_pid=$!
wait_http "http://127.0.0.1:$port/api/v1/health" "$server_pid" "$work/server.log" || die "hms-server did not come up"

# ---------------------------------------------------------------- Express peer
# Started before anything is measured, so each of our measurements is followed at once by
# the peer's at the same size and concurrency: on a shared machine the ratio then compares
# like with like.

have_peer=1
peer_src=$peers_dir/express-hms
if ! command -v node >/dev/null 2>&1 || [[ ! -x $peer_src/run ]]; then
    say "node or the peer ($peer_src) missing: no peer comparison"
    have_peer=0
else
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
        have_peer=0
    fi
fi
if ((have_peer)); then
    peer_port=$("$pgcluster" free-port)
    PEER_PORT=$peer_port PEER_WORKERS=$peer_workers setsid "$work/peer/run" >"$work/peer.log" 2>&1 &
    peer_pid=$!
    wait_http "http://127.0.0.1:$peer_port/api/v1/ping" "$peer_pid" "$work/peer.log" || die "peer did not come up"
    peer_token=$(curl -fsS -H 'Content-Type: application/json' \
        -d '{"username":"nurse","password":"Passw0rd!"}' \
        "http://127.0.0.1:$peer_port/api/v1/auth/login" | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p')
    [[ -n $peer_token ]] || die "login to the peer failed"
fi

# ---------------------------------------------------------------- measure, ours then the peer

declare -A results
for n in $sizes; do
    nurse=$(hms_token "b$n" nurse)
    admin=$(hms_token "b$n" admin)
    [[ -n $nurse && -n $admin ]] || die "login to hms-server failed"
    count=$(curl -fsS -H "Authorization: Bearer $nurse" "http://127.0.0.1:$port/api/v1/beds" | grep -o '"status"' | wc -l)
    say "hms-server b$n: $count beds"
    if ((have_peer)); then
        # The peer seeds 200 beds; grow its hospital to n (same shape: wards of 5 rooms x 4 beds).
        psql -X -q -v ON_ERROR_STOP=1 -v n="$n" "$PEER_DATABASE_URL" <<'SQL'
SELECT id AS h FROM hospitals WHERE code = 'H1' \gset
SELECT count(*) AS have FROM beds WHERE hospital_id = :h \gset
INSERT INTO wards (hospital_id, code, name)
    SELECT :h, 'X' || lpad(g::text, 3, '0'), 'Extra ' || g
    FROM generate_series(1, greatest(0, (:n - :have) / 20)) g;
INSERT INTO rooms (hospital_id, ward_id, code)
    SELECT :h, w.id, (100 + r)::text FROM wards w, generate_series(1, 5) r
    WHERE w.hospital_id = :h AND w.code LIKE 'X%'
    AND NOT EXISTS (SELECT 1 FROM rooms x WHERE x.ward_id = w.id);
INSERT INTO beds (hospital_id, room_id, label, status)
    SELECT :h, r.id, r.code || '-' || b, 'free' FROM rooms r, generate_series(1, 4) b
    WHERE r.hospital_id = :h AND NOT EXISTS (SELECT 1 FROM beds x WHERE x.room_id = r.id);
ANALYZE;
SQL
        count=$(curl -fsS -H "Authorization: Bearer $peer_token" "http://127.0.0.1:$peer_port/api/v1/beds" | grep -o '"status"' | wc -l)
        say "peer: $count beds"
    fi
    for c in $concurrency; do
        results[ours-beds-$n-$c]=$(measure "http://127.0.0.1:$port/api/v1/beds" "$nurse" "$c" "$work/ours-beds-$n-$c.txt")
        results[ours-board-$n-$c]=$(measure "http://127.0.0.1:$port/api/v1/bed-board" "$admin" "$c" "$work/ours-board-$n-$c.txt")
        say "ours b$n c=$c: beds ${results[ours-beds-$n-$c]}  board(admin) ${results[ours-board-$n-$c]}"
        if ((have_peer)); then
            results[peer-beds-$n-$c]=$(measure "http://127.0.0.1:$peer_port/api/v1/beds" "$peer_token" "$c" "$work/peer-beds-$n-$c.txt")
            say "peer $n c=$c: beds ${results[peer-beds-$n-$c]}"
        fi
    done
    # The occupant view is audited (one audit row per read): a write per request.
    results[ours-boardocc-$n-64]=$(measure "http://127.0.0.1:$port/api/v1/bed-board" "$nurse" 64 "$work/ours-boardocc-$n.txt")
    say "ours b$n c=64: board(nurse, audited) ${results[ours-boardocc-$n-64]}"
done

# ---------------------------------------------------------------- report

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
printf '%-6s %-5s %-26s %10s %10s %-26s %10s %10s %8s %8s\n' beds c ours req/s p99ms peer req/s p99ms x-rps p99/p99
for n in $sizes; do
    for c in $concurrency; do
        read -r prps pp99 <<<"${results[peer-beds-$n-$c]}"
        for what in beds board; do
            read -r orps op99 <<<"${results[ours-$what-$n-$c]}"
            printf '%-6s %-5s %-26s %10s %10s %-26s %10s %10s %8s %8s\n' "$n" "$c" \
                "GET /$what$([[ $what == board ]] && echo ' (admin)')" "$orps" "$op99" \
                "express GET /beds" "$prps" "$pp99" "$(ratio "$orps" "$prps")" "$(ratio "$op99" "$pp99")"
        done
    done
    read -r orps op99 <<<"${results[ours-boardocc-$n-64]}"
    read -r prps pp99 <<<"${results[peer-beds-$n-64]:-0 0}"
    printf '%-6s %-5s %-26s %10s %10s %-26s %10s %10s %8s %8s\n' "$n" 64 "GET /bed-board (nurse)" \
        "$orps" "$op99" "express GET /beds" "$prps" "$pp99" "$(ratio "$orps" "$prps")" "$(ratio "$op99" "$pp99")"
done
echo "target (PERFORMANCE.md): x-rps >= 5 and p99/p99 <= 0.20"
