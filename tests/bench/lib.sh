# Shared plumbing for tests/bench/*.sh (sourced, not run): a private PostgreSQL cluster,
# hms-server, the Express peer and cleanup of everything they started, whatever happens.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   bench_build; bench_cluster; bench_server; token=$(bench_login hospital user password)
#
# After bench_cluster: $work (temp dir), $HMS_DATABASE_URL (database "hms"), $pgcluster.
# After bench_server: $port, $server_pid, $base (http://127.0.0.1:$port).
# BENCH_SERVER_WRAPPER runs hms-server under a tool, for profiling: e.g.
#   BENCH_SERVER_WRAPPER="valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$repo"
pgcluster=$repo/installer/dev/pgcluster.sh
peers_dir=${HMS_PEERS_DIR:-$repo/../shared/peers}

say() { printf '[bench] %s\n' "$*"; }
die() {
    printf '[bench] error: %s\n' "$*" >&2
    exit 1
}

work='' server_pid='' peer_pid='' bench_pids=()
# shellcheck disable=SC2317 # only reached through the EXIT trap
bench_cleanup() {
    local rc=$? pid _
    trap '' INT TERM HUP
    trap - EXIT
    # The peer runs in its own process group (Node cluster workers included).
    [[ -z $peer_pid ]] || kill -TERM -- "-$peer_pid" 2>/dev/null || true
    for pid in $server_pid "${bench_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in $server_pid $peer_pid "${bench_pids[@]}"; do
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
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP # terminal closed

# Waits up to 30 s for URL $1 to answer; $2 is the pid to watch, $3 its log.
wait_http() {
    local url=$1 pid=$2 log=$3 _
    for _ in {1..600}; do
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

# Installs what is missing and builds (RelWithDebInfo, like test.sh).
bench_build() {
    "$repo/installer/dev/deps.sh"
    local generator
    generator=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' build/CMakeCache.txt 2>/dev/null || true)
    if [[ -z $generator || ($generator == Ninja && ! -f build/build.ninja) ]]; then
        cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
            die "cmake configure failed (run: cmake -S . -B build -G Ninja)"
    fi
    say "building (if needed)"
    cmake --build build >/dev/null || die "build failed (run: cmake --build build)"
    [[ -x build/bin/hms-server && -x build/bin/hms-admin ]] || die "build/bin/hms-server or hms-admin missing"
}

# A private cluster in a temp dir with database "hms", migrated.
bench_cluster() {
    work=$(mktemp -d "${TMPDIR:-/tmp}/hms-bench.XXXXXX")
    chmod 755 "$work" # as root, the "postgres" user must enter it
    "$pgcluster" init "$work/pg" >/dev/null
    local line
    for line in "$@"; do # extra postgresql.conf settings, e.g. "track_commit_timestamp = on"
        echo "$line" >>"$work/pg/data/postgresql.conf"
    done
    "$pgcluster" start "$work/pg" >/dev/null
    "$pgcluster" createdb "$work/pg" hms
    HMS_DATABASE_URL=$("$pgcluster" url "$work/pg" hms)
    export HMS_DATABASE_URL
    build/bin/hms-admin migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }
}

# hms-server on a free port (extra arguments are passed on); Argon2 at the floor so the
# logins a benchmark makes stay cheap (they are not what it measures).
bench_server() {
    port=$("$pgcluster" free-port)
    HMS_LISTEN=127.0.0.1:$port HMS_ARGON2_ITERATIONS=2 HMS_ARGON2_MEMORY_KIB=19456 \
        HMS_JWT_KEY_FILE=$work/jwt.key ${BENCH_SERVER_WRAPPER:-} build/bin/hms-server --no-migrate "$@" \
        >"$work/server.log" 2>&1 &
    server_pid=$!
    base=http://127.0.0.1:$port
    wait_http "$base/api/v1/health" "$server_pid" "$work/server.log" || die "hms-server did not come up"
}

# hms-admin hospital add + user add; $1 hospital code, then "username:role" pairs; every
# user gets password $bench_password.
bench_password='bench password horse 2024'
bench_users() {
    local hospital=$1 pair
    shift
    build/bin/hms-admin hospital add --code "$hospital" --name "$hospital" >/dev/null
    for pair in "$@"; do
        printf '%s\n' "$bench_password" |
            build/bin/hms-admin user add --hospital "$hospital" --username "${pair%%:*}" \
                --role "${pair#*:}" --password-stdin >/dev/null
    done
}

# Prints an access token for $1 hospital, $2 username (password $bench_password).
bench_login() {
    curl -fsS -H 'Content-Type: application/json' \
        -d "{\"hospital\":\"$1\",\"username\":\"$2\",\"password\":\"$bench_password\"}" \
        "$base/api/v1/auth/login" | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p'
}

# POST JSON $2 to path $1 with token $3; prints the body; fails on a non-2xx answer.
bench_post() {
    curl -fsS -H 'Content-Type: application/json' -H "Authorization: Bearer $3" -d "$2" "$base$1"
}

# The Express peer (../shared/peers/express-hms) on its own database of this cluster:
# npm ci, its seed, then the server with $1 Node workers (default 2). Sets $peer_port and
# $peer_pid. Returns 1 (after saying why) when node/npm or the peer is not available, so a
# benchmark can still print its own figures.
bench_peer() {
    local workers=${1:-2} src=$peers_dir/express-hms
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        say "node/npm not installed: no peer comparison"
        return 1
    fi
    if [[ ! -x $src/run ]]; then
        say "peer not found in $src (set HMS_PEERS_DIR): no peer comparison"
        return 1
    fi
    # The peer directory is read-only and "run" installs node_modules next to it.
    cp -r "$src" "$work/peer"
    chmod -R u+w "$work/peer"
    rm -rf "$work/peer/node_modules"
    "$pgcluster" createdb "$work/pg" hms_peer
    PEER_DATABASE_URL=$("$pgcluster" url "$work/pg" hms_peer)
    export PEER_DATABASE_URL
    say "peer: npm ci and seed (log: $work/peer-seed.log)"
    if ! "$work/peer/run" seed >"$work/peer-seed.log" 2>&1; then
        tail -n 20 "$work/peer-seed.log" >&2
        say "peer seed failed (offline npm registry?): no peer comparison"
        return 1
    fi
    peer_port=$("$pgcluster" free-port)
    # setsid: own process group, so the cleanup reaches the cluster workers too.
    PEER_PORT=$peer_port PEER_WORKERS=$workers setsid "$work/peer/run" >"$work/peer.log" 2>&1 &
    peer_pid=$!
    wait_http "http://127.0.0.1:$peer_port/api/v1/ping" "$peer_pid" "$work/peer.log" ||
        die "peer did not come up"
}

# Runs wrk (threads $BENCH_THREADS or 2) with $1 connections for $2 against URL $3 after a
# 2 s warm-up, extra wrk arguments after; the report goes to $work/wrk-<n>.txt. Prints
# "REQ_PER_SEC P99" and warns loudly about failed requests.
bench_wrk_count=0
bench_wrk() {
    local connections=$1 duration=$2 url=$3 report
    shift 3
    bench_wrk_count=$((bench_wrk_count + 1))
    report=$work/wrk-$bench_wrk_count.txt
    wrk -t"${BENCH_THREADS:-2}" -c"$connections" -d2s "$@" "$url" >/dev/null 2>&1 || true
    wrk -t"${BENCH_THREADS:-2}" -c"$connections" -d"$duration" --latency "$@" "$url" >"$report" 2>&1 ||
        { cat "$report" >&2; return 1; }
    if grep -Eq 'Non-2xx or 3xx responses|Socket errors' "$report"; then
        grep -E 'Non-2xx or 3xx responses|Socket errors' "$report" | sed 's/^/[bench] WARNING: /' >&2
    fi
    awk '/^Requests\/sec:/ { rps = $2 } $1 == "99%" { p99 = $2 } END { print rps, p99 }' "$report"
}

# The id of a JSON answer on stdin.
json_id() { sed -n 's/^{"id":"\([0-9]*\)".*/\1/p; t; s/.*"id":"\([0-9]*\)".*/\1/p' | head -n 1; }
