#!/usr/bin/env bash
# Benchmark (not a test, never in ./test.sh): the desktop client against PERFORMANCE.md's
# hms-client row, "login window in < 1 s from start; < 150 MiB RSS with 100,000 patients
# listed".
#   1. seeds BENCH_PATIENTS (100,000) patients of one hospital in one INSERT ... SELECT (then
#      ANALYZE), all with "Bench" in their name, so that one search lists every one of them
#      (the API lists patients by search only: q is required),
#   2. runs hms-client (offscreen) with --bench: it prints the time from its process start to
#      the login window's first paint, signs in as reception, searches "Bench" on the patient
#      list and scrolls it to the end through fetchMore (keyset pages of 50), then prints the
#      rows listed, the time it took and its peak resident memory (VmHWM).
#   3. does that BENCH_RUNS (3) times and prints the figures against the targets.
#
#   tests/bench/client_patients.sh
#
# Everything it starts (PostgreSQL, hms-server) is stopped on exit.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

patients=${BENCH_PATIENTS:-100000}
runs=${BENCH_RUNS:-3}

bench_build
[[ -x build/bin/hms-client ]] || die "build/bin/hms-client missing"
bench_cluster
bench_users bench desk:reception
hospital_id=$(psql "$HMS_DATABASE_URL" -Atc "SELECT id FROM hospitals WHERE code = 'bench'")

say "seeding $patients patients"
psql "$HMS_DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO patients (hospital_id, mrn, full_name, birth_date, sex, phone)
SELECT $hospital_id, 'B-2026-' || lpad(g::text, 6, '0') || '-0', 'Bench Patient ' || g,
       date '1940-01-01' + (g % 29000), CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END,
       '+1555' || lpad(g::text, 7, '0')
FROM generate_series(1, $patients) g;
ANALYZE;
SQL
bench_server

# The client's own settings, keychain-less session and outbox in the temp dir.
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_DATA_HOME=$work/home/.local/share
export XDG_CACHE_HOME=$work/home/.cache XDG_RUNTIME_DIR=$work/home/run
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export QT_QPA_PLATFORM=offscreen
export HMS_CLIENT_AUTOLOGIN_PASSWORD=$bench_password
unset DBUS_SESSION_BUS_ADDRESS

figure() { sed -n "s/^bench: $1=//p" "$2" | tail -n 1; }
for run in $(seq 1 "$runs"); do
    log=$work/client-$run.log
    start=$(date +%s%N)
    build/bin/hms-client --server "$base" --hospital bench --login-as desk --bench Bench \
        2>"$log" >/dev/null || { cat "$log" >&2; die "hms-client failed (run $run)"; }
    wall=$(( ($(date +%s%N) - start) / 1000000 ))
    grep -q '^bench: rows=' "$log" || { cat "$log" >&2; die "no figures from hms-client"; }
    say "run $run: login window $(figure login_window_s "$log") s" \
        "(RSS $(( $(figure login_window_rss_kib "$log") / 1024 )) MiB)," \
        "signed in at $(figure signed_in_s "$log") s," \
        "$(figure rows "$log") rows in $(figure pages "$log") pages in $(figure list_s "$log") s," \
        "peak RSS $(( $(figure vm_hwm_kib "$log") / 1024 )) MiB, RSS at the end" \
        "$(( $(figure vm_rss_kib "$log") / 1024 )) MiB; whole run ${wall} ms"
    rows=$(figure rows "$log")
    [[ $rows == "$patients" ]] || say "WARNING: listed $rows rows, not $patients"
done

# The last run against the targets.
login=$(figure login_window_s "$log")
hwm=$(( $(figure vm_hwm_kib "$log") / 1024 ))
say "target: login window < 1 s from start: $login s ($(awk -v v="$login" 'BEGIN { printf "%.2f", v / 1 }') of the budget)"
say "target: < 150 MiB RSS with $patients patients listed: peak $hwm MiB ($(awk -v v="$hwm" 'BEGIN { printf "%.2f", v / 150 }') of the budget)"
