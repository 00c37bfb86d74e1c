#!/usr/bin/env bash
# Builds HMS and runs it locally: PostgreSQL (private cluster in var/pg),
# migrations, demo data, hms-server, hms-worker and hms-client.
# Ctrl-C / SIGTERM stops everything this script started.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: ./run.sh [--headless] [--help]

Installs missing Debian packages, builds into build/, starts a private
PostgreSQL cluster in var/pg (unless HMS_DATABASE_URL is set), applies the
migrations, loads the demo hospital "demo" with one user per role (passwords
are printed and kept in var/demo-credentials.txt), then starts hms-server,
hms-worker (when built) and the hms-client desktop application.
Ctrl-C or SIGTERM stops everything it started; the data in var/pg stays for
the next run. Logs are in var/log/.

Options:
  --headless   do not start hms-client; print the server URL and wait
  -h, --help   show this help

Environment:
  HMS_DATABASE_URL   use this PostgreSQL database instead of var/pg
  HMS_LISTEN         server address (default 127.0.0.1:8080, or a free port
                     when 8080 is busy)
EOF
}

headless=0
while (($#)); do
    case $1 in
        --headless) headless=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "run.sh: unknown option: $1" >&2
            usage >&2
            exit 2
            ;;
    esac
    shift
done

cd "$(dirname "${BASH_SOURCE[0]}")"
repo=$PWD
pgcluster=$repo/installer/dev/pgcluster.sh
bin=$repo/build/bin
logdir=$repo/var/log
pg_dir=$repo/var/pg

say() { printf '[run.sh] %s\n' "$*"; }
die() {
    printf '[run.sh] error: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------- cleanup

server_pid='' worker_pid='' client_pid='' pg_started=0

# Stops one child: SIGTERM, up to 10 s to exit, then SIGKILL.
# shellcheck disable=SC2317 # only reached through the EXIT trap
stop_child() {
    local pid=$1 name=$2 _
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in {1..100}; do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "$name did not stop within 10 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317 # only reached through the EXIT trap
cleanup() {
    local rc=$?
    # Once: a second Ctrl-C must not leave PostgreSQL running half-way through.
    trap '' INT TERM HUP
    trap - EXIT
    if [[ -n $client_pid$worker_pid$server_pid ]] || ((pg_started)); then
        say "stopping..."
    fi
    stop_child "$client_pid" hms-client
    stop_child "$worker_pid" hms-worker
    stop_child "$server_pid" hms-server
    if ((pg_started)); then
        "$pgcluster" stop "$pg_dir" >/dev/null || say "could not stop PostgreSQL in var/pg"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP # terminal closed

# Prints the end of log $1, from line $2 on (this run's part of an appended log).
show_log_tail() {
    echo "---- last lines of ${1#"$repo"/} ----" >&2
    tail -n +"${2:-1}" "$1" 2>/dev/null | tail -n 40 >&2 || true
    echo "----" >&2
}

# Number of the next line of log $1.
log_mark() {
    echo $(($(wc -l 2>/dev/null <"$1" || echo 0) + 1))
}

mkdir -p "$logdir"

# ---------------------------------------------------------------- 1. packages

"$repo/installer/dev/deps.sh"

# ---------------------------------------------------------------- 2. build

# Configure only when there is no (successfully) configured build/ yet.
generator=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' build/CMakeCache.txt 2>/dev/null || true)
if [[ -z $generator || ($generator == Ninja && ! -f build/build.ninja) ]]; then
    say "configuring build/ (log: var/log/configure.log)"
    if ! cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$logdir/configure.log" 2>&1; then
        show_log_tail "$logdir/configure.log"
        die "cmake configure failed"
    fi
fi
# Only the programs: the test suites are ./test.sh's business and take longer to build.
targets=(hms-server hms-admin)
for optional in hms-worker hms-client; do
    if ninja -C build -t targets all 2>/dev/null | grep -q "^$optional:"; then
        targets+=("$optional")
    fi
done
say "building ${targets[*]}"
cmake --build build --target "${targets[@]}"

# ---------------------------------------------------------------- 3. database

if [[ -n ${HMS_DATABASE_URL:-} ]]; then
    say "using HMS_DATABASE_URL (external database; not started or stopped here)"
else
    if [[ ! -e $pg_dir ]] && ((EUID == 0)) && ! runuser -u postgres -- test -x "$repo/var" 2>/dev/null; then
        # As root the cluster runs as "postgres", which cannot enter this
        # checkout (e.g. one under /root): keep the data where it can, and
        # link var/pg to it so that later runs find it the same way.
        alt=/var/lib/hms-dev/$(printf '%s' "$repo" | sha256sum | cut -c1-12)/pg
        mkdir -p "$alt"
        chmod 755 "${alt%/pg}"
        ln -s "$alt" "$pg_dir"
        say "note: user postgres cannot enter $repo; the cluster lives in $alt (var/pg links there)"
    fi
    if [[ ! -f $pg_dir/data/PG_VERSION ]]; then
        mkdir -p "$pg_dir"
        "$pgcluster" init "$pg_dir"
    fi
    if "$pgcluster" status "$pg_dir" >/dev/null; then
        # Another run.sh (or one killed with -9) owns it: use it, leave it running.
        say "PostgreSQL in var/pg is already running; using it (stop it with: $pgcluster stop var/pg)"
    else
        pg_started=1
        "$pgcluster" start "$pg_dir" >/dev/null
    fi
    "$pgcluster" createdb "$pg_dir" hms
    HMS_DATABASE_URL=$("$pgcluster" url "$pg_dir" hms)
    say "PostgreSQL: $HMS_DATABASE_URL (log: var/pg/log/postgresql.log)"
fi
export HMS_DATABASE_URL

# ---------------------------------------------------------------- 4+5. schema and demo data

[[ -x $bin/hms-admin ]] || die "build/bin/hms-admin was not built"
say "applying migrations"
"$bin/hms-admin" migrate

if "$bin/hms-admin" demo-seed --help >/dev/null 2>&1; then
    say "loading demo data (hospital 'demo'; credentials in var/demo-credentials.txt)"
    "$bin/hms-admin" demo-seed --credentials-file "$repo/var/demo-credentials.txt"
else
    say "note: this hms-admin has no 'demo-seed' command yet; no demo data loaded"
fi

# ---------------------------------------------------------------- 6. server

[[ -x $bin/hms-server ]] || die "build/bin/hms-server was not built"
if [[ -z ${HMS_LISTEN:-} ]]; then
    HMS_LISTEN=127.0.0.1:$("$pgcluster" free-port 8080)
fi
export HMS_LISTEN
# Token signing keys live with the rest of the local state (created 0600 on first start).
export HMS_JWT_KEY_FILE=${HMS_JWT_KEY_FILE:-$repo/var/jwt.key}
# The operator's audit checkpoint signing key (hms-admin audit checkpoint / verify).
export HMS_AUDIT_KEY_FILE=${HMS_AUDIT_KEY_FILE:-$repo/var/audit-signing.key}
host=${HMS_LISTEN%:*}
port=${HMS_LISTEN##*:}
# A wildcard listen address is reached through loopback.
case $host in '' | 0.0.0.0 | '[::]' | '::') host=127.0.0.1 ;; esac
url=http://$host:$port

server_log=$logdir/hms-server.log
server_mark=$(log_mark "$server_log")
printf '==== %s run.sh: hms-server on %s\n' "$(date -Is)" "$HMS_LISTEN" >>"$server_log"
"$bin/hms-server" --no-migrate >>"$server_log" 2>&1 &
server_pid=$!

say "waiting for $url/api/v1/health"
deadline=$((SECONDS + 30))
rc=0
until curl -fsS --max-time 2 "$url/api/v1/health" >/dev/null 2>&1; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        wait "$server_pid" || rc=$?
        server_pid=''
        show_log_tail "$server_log" "$server_mark"
        die "hms-server exited (status $rc) before answering"
    fi
    if ((SECONDS >= deadline)); then
        show_log_tail "$server_log" "$server_mark"
        die "hms-server did not answer $url/api/v1/health within 30 s"
    fi
    sleep 0.2
done
say "hms-server is up: $url (log: var/log/hms-server.log)"

# ---------------------------------------------------------------- 7. worker and client

pids=("$server_pid")
if [[ -x $bin/hms-worker ]]; then
    worker_mark=$(log_mark "$logdir/hms-worker.log")
    printf '==== %s run.sh: hms-worker\n' "$(date -Is)" >>"$logdir/hms-worker.log"
    "$bin/hms-worker" --all >>"$logdir/hms-worker.log" 2>&1 &
    worker_pid=$!
    pids+=("$worker_pid")
    say "hms-worker started (log: var/log/hms-worker.log)"
fi

if ((!headless)); then
    if [[ ! -x $bin/hms-client ]]; then
        say "note: build/bin/hms-client was not built; running headless"
    elif [[ -z ${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-} ]]; then
        say "note: no DISPLAY or WAYLAND_DISPLAY; not starting hms-client (use --headless to silence this)"
    else
        printf '==== %s run.sh: hms-client\n' "$(date -Is)" >>"$logdir/hms-client.log"
        # The client talks to the server only; it has no business with the database URL.
        HMS_SERVER_URL=$url env -u HMS_DATABASE_URL "$bin/hms-client" >>"$logdir/hms-client.log" 2>&1 &
        client_pid=$!
        pids+=("$client_pid")
        say "hms-client started (log: var/log/hms-client.log)"
    fi
fi

say "HMS is running at $url — press Ctrl-C to stop"

# Whichever child ends first ends the session (closing the client included).
exited=''
status=0
wait -n -p exited "${pids[@]}" || status=$?
case $exited in
    "$client_pid")
        client_pid=''
        say "hms-client exited (status $status); stopping"
        exit "$status"
        ;;
    "$server_pid")
        server_pid=''
        show_log_tail "$server_log" "$server_mark"
        die "hms-server exited unexpectedly (status $status)"
        ;;
    "$worker_pid")
        worker_pid=''
        show_log_tail "$logdir/hms-worker.log" "$worker_mark"
        die "hms-worker exited unexpectedly (status $status)"
        ;;
    *) die "wait failed (status $status)" ;;
esac
