#!/usr/bin/env bash
# Benchmark (not a test, never in ./test.sh): the patient register at hospital scale.
#   1. seeds 1,000,000 patients of one hospital by COPY (then ANALYZE),
#   2. searches GET /api/v1/patients?q= by name, by name with a typo (the trigram tier), by part
#      of a name (what a desk has typed when a search goes out) and by phone: p50/p99 over
#      BENCH_QUERIES queries each, from BENCH_DESKS concurrent desks (keep-alive connections),
#      once paced like people at desks and once flat out; then by phone from
#      BENCH_MIXED_PHONE_DESKS paced desks while BENCH_DESKS desks search parts of names flat
#      out (name searches queue on their own pool and must not hold up the rest),
#   3. registers patients (POST /api/v1/patients) at concurrency BENCH_POST_CONNECTIONS for
#      BENCH_DURATION with wrk, against hms-server and, in the same run, the Express
#      reference peer (../shared/peers/express-hms), and prints the ratio.
# hms-server's registration also runs the duplicate check (trigram name + birth date, phone)
# against the million rows and writes an audit row; the peer only inserts.
#
#   tests/bench/patients_bench.sh
#
# Environment: BENCH_PATIENTS (1000000), BENCH_QUERIES (1000), BENCH_DESKS (70),
# BENCH_MIXED_PHONE_DESKS (20),
# BENCH_POST_CONNECTIONS (32), BENCH_DURATION (10s), BENCH_THREADS (2), BENCH_DESK_PACE_MS (1000:
# how often each desk searches in the paced run; a flat-out run follows it),
# BENCH_PEER_WORKERS (2), BENCH_PG_SHARED_BUFFERS (1GB), HMS_PEERS_DIR (../shared/peers),
# BENCH_NAMES (common: 2,000 full names from common given and family names; diverse: names
# built from syllables, about 9 in 10 patients with a full name of their own, as in a large
# register; its load takes about twice as long).
# Everything it starts (PostgreSQL, servers) is stopped on exit.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

patients=${BENCH_PATIENTS:-1000000}
queries=${BENCH_QUERIES:-1000}
desks=${BENCH_DESKS:-70}
mixed_phone_desks=${BENCH_MIXED_PHONE_DESKS:-20}
post_connections=${BENCH_POST_CONNECTIONS:-32}
duration=${BENCH_DURATION:-10s}
desk_pace_ms=${BENCH_DESK_PACE_MS:-1000}
threads=${BENCH_THREADS:-2}
peer_workers=${BENCH_PEER_WORKERS:-2}
shared_buffers=${BENCH_PG_SHARED_BUFFERS:-1GB}
password='amber orchard violin 4217'
export BENCH_NAMES=${BENCH_NAMES:-common} # read by the seed's and the queries' generator
[[ $BENCH_NAMES == common || $BENCH_NAMES == diverse ]] || die "BENCH_NAMES: common or diverse"

# POST /api/v1/patients with wrk at $post_connections connections: unique phones and
# random letter names (no duplicate warnings); prints "REQ_PER_SEC P99 NON2XX".
# $1 base URL, $2 bearer token, $3 report file, $4 phone prefix.
measure_post() {
    local base=$1 token=$2 report=$3 prefix=$4
    cat >"$work/post.lua" <<LUA
local counter = 0
local letters = "bcdfghjklmnpqrstvwxz"
local vowels = "aeiouy"
local function word(n)
  local s = {}
  for i = 1, n do
    local set = (i % 2 == 0) and vowels or letters
    local k = math.random(#set)
    s[i] = set:sub(k, k)
  end
  return s[1]:upper() .. table.concat(s, "", 2)
end
function setup(thread)
  thread:set("tid", math.random(100, 999))
end
function init(args)
  math.randomseed(os.time() + tid)
end
request = function()
  counter = counter + 1
  local body = string.format(
    '{"fullName":"%s %s","birthDate":"%04d-%02d-%02d","sex":"F","phone":"$prefix%03d%07d"}',
    word(7), word(8), 1940 + math.random(0, 79), math.random(1, 12), math.random(1, 28),
    tid, counter)
  return wrk.format("POST", "/api/v1/patients",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $token"}, body)
end
LUA
    wrk -t"$threads" -c"$post_connections" -d"$duration" --latency -s "$work/post.lua" \
        "$base" >"$report" 2>&1 || { cat "$report" >&2; return 1; }
    awk '/^Requests\/sec:/ { rps = $2 } $1 == "99%" { p99 = $2 }
         /Non-2xx or 3xx responses/ { bad = $NF } END { print rps, p99, bad + 0 }' "$report"
}

# ---------------------------------------------------------------- build and database

"$repo/installer/dev/deps.sh"
command -v wrk >/dev/null || die "wrk not installed"
command -v python3 >/dev/null || die "python3 not installed"
generator=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' build/CMakeCache.txt 2>/dev/null || true)
if [[ -z $generator || ($generator == Ninja && ! -f build/build.ninja) ]]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
        die "cmake configure failed"
fi
say "building (if needed)"
cmake --build build >/dev/null || die "build failed (run: cmake --build build)"
[[ -x build/bin/hms-bench-desks ]] || die "build/bin/hms-bench-desks missing (configure with HMS_BUILD_TESTS=ON)"

work=$(mktemp -d "${TMPDIR:-/tmp}/hms-bench.XXXXXX")
chmod 755 "$work"
"$pgcluster" init "$work/pg" >/dev/null
# Sized for a million patients, as a hospital's database server would be (the private
# cluster's 128MB holds about half of the patients table; both servers share this cluster).
echo "shared_buffers = '$shared_buffers'" >>"$work/pg/data/postgresql.conf"
"$pgcluster" start "$work/pg" >/dev/null
"$pgcluster" createdb "$work/pg" hms
HMS_DATABASE_URL=$("$pgcluster" url "$work/pg" hms)
export HMS_DATABASE_URL
build/bin/hms-admin migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }
build/bin/hms-admin hospital add --code bench --name Bench >/dev/null
printf '%s\n' "$password" |
    build/bin/hms-admin user add --hospital bench --username desk --role reception --password-stdin >/dev/null
hospital_id=$(psql "$HMS_DATABASE_URL" -Atc "SELECT id FROM hospitals WHERE code = 'bench'")

# ---------------------------------------------------------------- seed by COPY

# Names from common given and family names (with accents: search folds them), birth dates
# over 80 years, unique phones +9198NNNNNNNN. Deterministic (seed 7), so queries can be drawn
# from the same generator.
cat >"$work/names.py" <<'PY'
import os, random, sys
GIVEN = ["Anna", "José", "Mohammed", "Aisha", "Wei", "Olga", "Priya", "Juan", "Fatima", "Li",
         "Chidi", "Emma", "Noah", "Sofía", "Lukas", "Amara", "Hiroshi", "Zoë", "Ahmed", "Elena",
         "Kofi", "Ines", "Ravi", "Maya", "Tomás", "Leila", "Ivan", "Nia", "Omar", "Hana",
         "Pedro", "Yuki", "Sara", "Arjun", "Mei", "Jonas", "Chloé", "Kwame", "Lina", "Mateo"]
FAMILY = ["García", "Kowalski", "Nguyen", "Okafor", "Müller", "Silva", "Kumar", "Chen",
          "Hernández", "Ivanova", "Mensah", "Rossi", "Dubois", "Tanaka", "Haddad", "Novak",
          "Fischer", "Costa", "Singh", "Ahmed", "Popescu", "Jensen", "Yilmaz", "Kim", "Owusu",
          "Ferreira", "Sato", "Nowak", "Lopez", "Petrov", "Abebe", "Moreau", "Wang", "Ali",
          "Schmidt", "Santos", "Patel", "Cohen", "Mwangi", "Larsen", "Bauer", "Reyes",
          "Kovacs", "Eriksson", "Diallo", "Romano", "Horvat", "Suzuki", "Banda", "Gomez"]
if os.environ.get("BENCH_NAMES") == "diverse":
    # Names built from syllables: 900 given x 6,000 family names, so that about 9 in 10 of a
    # million patients have a full name of their own (the common list gives 2,000 names).
    SYL = ["ka", "lo", "mi", "an", "ri", "jo", "se", "ta", "na", "el", "vi", "or", "du", "be",
           "sa", "ha", "li", "mo", "ne", "ra", "to", "zu", "pe", "ch", "ol", "ya", "go", "fe",
           "wi", "ki", "ma", "da", "lu", "si", "no", "ju"]
    def word(r, n):
        return "".join(r.choice(SYL) for _ in range(n)).capitalize()
    pools = random.Random(3)
    GIVEN = sorted({word(pools, pools.choice((2, 2, 3))) for _ in range(900)})
    FAMILY = sorted({word(pools, pools.choice((2, 3, 3, 4))) for _ in range(6000)})
def name(rng):
    return "%s %s" % (rng.choice(GIVEN), rng.choice(FAMILY))
PY
cat >"$work/seed.py" <<'PY'
import random, sys, datetime
sys.path.insert(0, sys.argv[3])
from names import name
hospital, count = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(7)
out = sys.stdout
base = datetime.date(1940, 1, 1)
for i in range(1, count + 1):
    born = base + datetime.timedelta(days=rng.randrange(80 * 365))
    out.write('%d,B-2020-%07d-0,"%s",%s,%s,+9198%08d\n' % (
        hospital, i, name(rng), born.isoformat(), rng.choice("FM"), i))
PY
say "seeding $patients patients by COPY (names: $BENCH_NAMES)"
seed_start=$(date +%s.%N)
psql "$HMS_DATABASE_URL" -v ON_ERROR_STOP=1 -qc \
    "\\copy patients (hospital_id, mrn, full_name, birth_date, sex, phone) FROM PROGRAM 'python3 $work/seed.py $hospital_id $patients $work' WITH (FORMAT csv)"
# What autovacuum does after a load, for every table it wrote (the trigger fills the name
# tables too): a real register is searched long after its import.
psql "$HMS_DATABASE_URL" -qc "VACUUM ANALYZE"
# The load's dirty pages are written now, not by a checkpoint during the searches below: desks
# do not search during a million-row import.
psql "$HMS_DATABASE_URL" -qc "CHECKPOINT"
seed_seconds=$(awk -v a="$seed_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
say "seeded $(psql "$HMS_DATABASE_URL" -Atc 'SELECT count(*) FROM patients') patients in ${seed_seconds} s"

# ---------------------------------------------------------------- hms-server

port=$("$pgcluster" free-port)
HMS_LISTEN=127.0.0.1:$port build/bin/hms-server --no-migrate >"$work/server.log" 2>&1 &
server_pid=$!
base=http://127.0.0.1:$port
wait_http "$base/api/v1/health" "$server_pid" "$work/server.log" || die "hms-server did not come up"
token=$(curl -fsS -H 'Content-Type: application/json' \
    -d "{\"hospital\":\"bench\",\"username\":\"desk\",\"password\":\"$password\"}" \
    "$base/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')

# Search: BENCH_QUERIES name queries and as many phone queries, drawn from the seed's own
# generator, sent by build/bin/hms-bench-desks: BENCH_DESKS desks with one keep-alive
# connection each, on one epoll thread (why not Python threads: tests/bench/desks/desks.cpp).
cat >"$work/targets.py" <<'PY'
import random, sys, urllib.parse
sys.path.insert(0, sys.argv[2])
from names import name
kind, total, patients = sys.argv[1], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(11)
if kind == "name":
    terms = [name(rng) for _ in range(total)]
elif kind == "typo":
    # A letter of the family name dropped: no name holds every word, so the trigram tier
    # (word similarity) answers.
    def typo(full):
        given, family = full.split(" ")
        k = rng.randrange(1, len(family))
        return given + " " + family[:k] + family[k + 1:]
    terms = [typo(name(rng)) for _ in range(total)]
elif kind == "part":
    # What a desk has typed when its search goes out (the client searches as one types):
    # 3-5 letters of the given name, or the given name and 1-3 letters of the family name.
    def part(full):
        given, family = full.split(" ")
        if rng.random() < 0.5:
            return given[:rng.randint(3, 5)]
        return given + " " + family[:rng.randint(1, 3)]
    terms = [part(name(rng)) for _ in range(total)]
else:
    terms = ["+9198%08d" % rng.randint(1, patients) for _ in range(total)]
for term in terms:
    print("/api/v1/patients?q=" + urllib.parse.quote(term) + "&limit=20")
PY
search_results=()
for kind in name typo part phone; do
    python3 "$work/targets.py" "$kind" "$work" "$queries" "$patients" >"$work/targets-$kind.txt"
    build/bin/hms-bench-desks "$port" "$token" <(head -n 20 "$work/targets-$kind.txt") 10 0 \
        "$kind" >/dev/null # warm-up
    say "search by $kind: $queries queries from $desks desks, one search per desk every ${desk_pace_ms} ms"
    search_results+=("$(build/bin/hms-bench-desks "$port" "$token" "$work/targets-$kind.txt" \
        "$desks" "$desk_pace_ms" "$kind") $desks paced")
    say "search by $kind: $queries queries from $desks desks, back to back (capacity)"
    search_results+=("$(build/bin/hms-bench-desks "$port" "$token" "$work/targets-$kind.txt" \
        "$desks" 0 "$kind") $desks flat-out")
done
# Phone searches while the name searches run at capacity: the desks typing names must not
# hold up a desk looking up a phone number. The name load repeats until the phone run ends.
say "search by phone from $mixed_phone_desks paced desks while $desks desks search parts of names flat out"
(
    while [[ ! -e $work/mixed-done ]] && kill -0 "$server_pid" 2>/dev/null; do
        build/bin/hms-bench-desks "$port" "$token" "$work/targets-part.txt" "$desks" 0 part >/dev/null
    done
) &
mixed_load=$!
sleep 1
search_results+=("$(build/bin/hms-bench-desks "$port" "$token" \
    <(head -n $((mixed_phone_desks * 15)) "$work/targets-phone.txt") "$mixed_phone_desks" \
    "$desk_pace_ms" phone) $mixed_phone_desks paced+names")
touch "$work/mixed-done"
wait "$mixed_load"

say "hms-server POST /api/v1/patients: wrk -c$post_connections -d$duration"
read -r ours_rps ours_p99 ours_bad <<<"$(measure_post "$base" "$token" "$work/wrk-ours.txt" "+4479")"

# ---------------------------------------------------------------- Express peer

peer_rps='' peer_p99='' peer_bad=''
peer_src=$peers_dir/express-hms
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "node/npm not installed: no peer comparison"
elif [[ ! -x $peer_src/run ]]; then
    say "peer not found in $peer_src (set HMS_PEERS_DIR): no peer comparison"
else
    cp -r "$peer_src" "$work/peer"
    chmod -R u+w "$work/peer"
    rm -rf "$work/peer/node_modules"
    "$pgcluster" createdb "$work/pg" hms_peer
    PEER_DATABASE_URL=$("$pgcluster" url "$work/pg" hms_peer)
    export PEER_DATABASE_URL
    say "peer: npm ci and seed (log: $work/peer-seed.log)"
    if ! "$work/peer/run" seed >"$work/peer-seed.log" 2>&1; then
        tail -n 20 "$work/peer-seed.log" >&2
        say "peer seed failed (offline npm registry?): no peer comparison"
    else
        # The same million patients in the peer's table (its search is not compared: it has
        # none), so both insert into a table of the same size.
        peer_hospital=$(psql "$PEER_DATABASE_URL" -Atc "SELECT min(id) FROM hospitals")
        psql "$PEER_DATABASE_URL" -v ON_ERROR_STOP=1 -qc \
            "\\copy patients (hospital_id, mrn, full_name, birth_date, sex, phone) FROM PROGRAM 'python3 $work/seed.py $peer_hospital $patients $work' WITH (FORMAT csv)" ||
            say "could not seed the peer's patients table; it stays small"
        psql "$PEER_DATABASE_URL" -qc "VACUUM ANALYZE patients" || true
        peer_port=$("$pgcluster" free-port)
        PEER_PORT=$peer_port PEER_WORKERS=$peer_workers setsid "$work/peer/run" >"$work/peer.log" 2>&1 &
        peer_pid=$!
        peer_base=http://127.0.0.1:$peer_port
        wait_http "$peer_base/api/v1/ping" "$peer_pid" "$work/peer.log" || die "peer did not come up"
        peer_token=$(curl -fsS -H 'Content-Type: application/json' \
            -d '{"username":"reception","password":"Passw0rd!"}' "$peer_base/api/v1/auth/login" |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
        say "peer ($peer_workers workers) POST /api/v1/patients: wrk -c$post_connections -d$duration"
        read -r peer_rps peer_p99 peer_bad <<<"$(measure_post "$peer_base" "$peer_token" "$work/wrk-peer.txt" "+4479")"
    fi
fi

# ---------------------------------------------------------------- report

echo
say "patients: $patients, $BENCH_NAMES names (seeded by COPY in ${seed_seconds} s)"
printf '%-34s %10s %10s %10s %9s %8s %8s\n' "search (GET ?q=)" "p50 ms" "p99 ms" "max ms" "non-200" "found" "req/s"
for line in "${search_results[@]}"; do
    read -r kind p50 p99 max bad hits rps ndesks mode <<<"$line"
    printf '%-34s %10s %10s %10s %9s %8s %8s\n' "by $kind ($ndesks desks, $mode)" "$p50" "$p99" "$max" "$bad" "$hits" "$rps"
done
say "paced: each desk searches every ${desk_pace_ms} ms (target p99: name < 30 ms, phone < 5 ms);"
say "typo: a full name with one letter of the family name dropped (the trigram tier);"
say "part: 3-5 letters of a given name, or a given name and 1-3 letters of the family name;"
say "paced+names: phone searches while the other desks search parts of names flat out;"
say "flat-out: every desk searches again as soon as answered (the server's capacity)"
echo
printf '%-36s %12s %10s %9s\n' "POST /api/v1/patients (c=$post_connections)" "req/s" "p99" "non-2xx"
printf '%-36s %12s %10s %9s\n' "hms-server" "$ours_rps" "$ours_p99" "$ours_bad"
if [[ -n $peer_rps ]]; then
    printf '%-36s %12s %10s %9s\n' "express-hms ($peer_workers workers)" "$peer_rps" "$peer_p99" "$peer_bad"
    ratio=$(awk -v a="$ours_rps" -v b="$peer_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
    printf 'ratio POST req/s (ours / peer): %s\n' "$ratio"
fi
