#!/usr/bin/env bash
# Private PostgreSQL 15 clusters for run.sh, test.sh and the benchmarks.
#
# Layout of a cluster directory DIR:
#   DIR/data                 data directory (initdb), owned by the cluster user
#   DIR/socket               unix socket directory
#   DIR/log/postgresql.log   server log (pg_ctl -l)
#   DIR/port                 TCP port of the last start; reused by the next one
#
# Security: the cluster uses trust authentication. That is acceptable only
# because it listens on 127.0.0.1 (and a unix socket inside DIR) on a private
# port, for development and tests; never point a deployment at it.
#
# initdb and postgres refuse to run as root: as root the cluster belongs to the
# "postgres" system user (created by the postgresql-15 package) and the
# binaries run through runuser. DIR's parent must then be traversable by that
# user (e.g. mktemp -d plus chmod 755).
set -euo pipefail

PG_BIN=${HMS_PG_BIN:-/usr/lib/postgresql/15/bin}
PROG=${0##*/}

usage() {
    cat <<EOF
usage: $PROG COMMAND ...
  init DIR               create a cluster in DIR (no-op when one exists)
  start DIR [PORT]       start it on 127.0.0.1:PORT and DIR/socket; without PORT
                         reuse DIR/port when that port is free, else a free one
  stop DIR               fast shutdown; waits until the server is gone
  status DIR             exit 0 when running, 3 when not
  port DIR               print the port of the last start
  url DIR [DBNAME]       print postgresql://postgres@127.0.0.1:PORT/DBNAME
                         (DBNAME defaults to postgres)
  createdb DIR NAME      create database NAME unless it exists
  free-port [PREFERRED]  print PREFERRED if it is free on 127.0.0.1, else a free port
EOF
}

die() {
    echo "pgcluster: $*" >&2
    exit 1
}

# ---------------------------------------------------------------- ports

# True when a server could listen on 127.0.0.1:$1. SO_REUSEADDR matches what
# PostgreSQL and Qt do, so leftover TIME_WAIT connections do not count as busy.
port_is_free() {
    local port=$1
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$port" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
PY
    else
        # No python3 (minimal Debian): a port nobody accepts on counts as free.
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 1
        fi
        return 0
    fi
}

free_port() {
    local preferred=${1:-}
    if [[ -n $preferred ]] && port_is_free "$preferred"; then
        echo "$preferred"
        return
    fi
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
        return
    fi
    local port _
    for _ in {1..200}; do
        port=$((20000 + RANDOM % 30000))
        if port_is_free "$port"; then
            echo "$port"
            return
        fi
    done
    die "no free TCP port found on 127.0.0.1"
}

# ---------------------------------------------------------------- cluster user

# Sets DIR (absolute), DATA and RUN_AS for the cluster in $1.
set_cluster() {
    [[ -n ${1:-} ]] || die "missing DIR argument (see $PROG --help)"
    DIR=$(realpath -m -- "$1")
    DATA=$DIR/data
    RUN_AS=
    if ((EUID == 0)); then
        RUN_AS=postgres
        # A cluster made by another non-root user stays that user's.
        if [[ -d $DATA ]]; then
            local owner
            owner=$(stat -c %U -- "$DATA")
            [[ $owner == root ]] || RUN_AS=$owner
        fi
        id -u "$RUN_AS" >/dev/null 2>&1 ||
            die "user '$RUN_AS' does not exist (install postgresql-15: installer/dev/deps.sh)"
    fi
}

# Runs a command as the cluster user, from / so that a cwd the postgres user
# cannot enter (e.g. /root) does not matter.
as_pg() {
    if [[ -n $RUN_AS ]]; then
        (cd / && runuser -u "$RUN_AS" -- "$@")
    else
        (cd / && "$@")
    fi
}

need_binaries() {
    local b
    for b in initdb pg_ctl postgres psql; do
        [[ -x $PG_BIN/$b ]] || die "$PG_BIN/$b not found (install postgresql-15: installer/dev/deps.sh)"
    done
}

need_cluster() {
    [[ -f $DATA/PG_VERSION ]] || die "no cluster in $DIR (run: $PROG init $DIR)"
}

# PID recorded in postmaster.pid (also left behind by a postmaster killed -9).
postmaster_pid() {
    local pid
    pid=$(head -n 1 -- "$DATA/postmaster.pid" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    echo "$pid"
}

# True when process $1 exists and is not a zombie.
process_alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) } # state follows the parenthesised command name
    [[ ${stat%% *} != [ZX] ]]
}

# Unlike "pg_ctl status", a zombie postmaster (killed -9 and not yet reaped
# by init) or a recycled PID does not count as running.
is_running() {
    local pid
    pid=$(postmaster_pid) || return 1
    if [[ ! -d /proc/self ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
        return
    fi
    process_alive "$pid" && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == postgres ]]
}

stored_port() {
    [[ -s $DIR/port ]] || return 1
    local port
    port=$(<"$DIR/port")
    [[ $port =~ ^[0-9]+$ ]] || return 1
    echo "$port"
}

# Quotes a value for postgresql.conf.
conf_quote() {
    printf "'%s'" "${1//\'/\'\'}"
}

# ---------------------------------------------------------------- commands

cmd_init() {
    set_cluster "${1:-}"
    need_binaries
    if [[ -f $DATA/PG_VERSION ]]; then
        echo "pgcluster: cluster exists in $DIR"
        return 0
    fi
    [[ ! -e $DATA ]] || die "$DATA exists but is not a cluster; remove it first"

    mkdir -p -- "$DIR/socket" "$DIR/log"
    if [[ -n $RUN_AS ]]; then
        chown "$RUN_AS:" -- "$DIR" "$DIR/socket" "$DIR/log"
        as_pg test -w "$DIR" -a -x "$DIR" ||
            die "user '$RUN_AS' cannot reach $DIR: every parent directory needs o+x (e.g. chmod 755 the mktemp -d directory)"
    fi

    local log=$DIR/log/initdb.log
    if ! as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --data-checksums >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "initdb failed (log: $log)"
    fi

    # Appended, so these win over initdb's defaults. Port and socket directory
    # live in hms-runtime.conf, rewritten by every start, so that DIR can move
    # and the port can change.
    cat >>"$DATA/postgresql.conf" <<'CONF'

# ---- HMS private cluster (installer/dev/pgcluster.sh) ----
# Trust auth (pg_hba.conf) is acceptable only because the server listens on
# 127.0.0.1 and a unix socket inside the cluster directory, on a private port.
listen_addresses = '127.0.0.1'
fsync = on
max_connections = 200
shared_buffers = 128MB
# Keep patient data out of the server log: no statement parameters, terse errors.
log_error_verbosity = terse
log_parameter_max_length_on_error = 0
include_if_exists = 'hms-runtime.conf'
CONF
    echo "pgcluster: initialised $DIR"
}

cmd_start() {
    set_cluster "${1:-}"
    local requested=${2:-}
    need_binaries
    need_cluster
    [[ -z $requested || $requested =~ ^[0-9]+$ ]] || die "bad port: $requested"

    if is_running; then
        local running
        running=$(stored_port || echo '?')
        [[ -z $requested || $requested == "$running" ]] ||
            die "already running in $DIR on port $running (not $requested)"
        echo "pgcluster: already running in $DIR on port $running"
        return 0
    fi

    # Port: the requested one, else the last one (so a test can stop and
    # restart the cluster on the same URL), else any free one. Auto-picked
    # ports get a few attempts in case another process grabs one first.
    local port attempts=1 previous=
    if [[ -z $requested ]]; then
        attempts=3
        previous=$(stored_port || true)
    fi

    local socket_dir=$DIR/socket socket_name=/.s.PGSQL.65535
    # sun_path holds 107 bytes; a deep DIR would make PostgreSQL fail to start.
    if ((${#socket_dir} + ${#socket_name} > 107)); then
        echo "pgcluster: warning: $socket_dir is too long for a unix socket; TCP only" >&2
        socket_dir=
    fi

    # After a kill -9 the dead postmaster stays a zombie until init reaps it,
    # and postgres refuses to start while its PID exists: wait for that.
    local stale _
    if stale=$(postmaster_pid) && [[ -e /proc/$stale ]]; then
        for _ in {1..150}; do
            [[ -e /proc/$stale ]] || break
            sleep 0.1
        done
    fi

    local log=$DIR/log/postgresql.log attempt
    for ((attempt = 1; attempt <= attempts; attempt++)); do
        if [[ -n $requested ]]; then
            port=$requested
        else
            port=$(free_port "$previous")
            if [[ -n $previous && $port != "$previous" ]]; then
                echo "pgcluster: warning: port $previous is busy; using $port" >&2
            fi
            previous=
        fi

        {
            echo "# written by pgcluster.sh start; do not edit"
            echo "port = $port"
            echo "unix_socket_directories = $(conf_quote "$socket_dir")"
        } >"$DATA/hms-runtime.conf"
        [[ -z $RUN_AS ]] || chown "$RUN_AS:" -- "$DATA/hms-runtime.conf"
        echo "$port" >"$DIR/port"

        local mark tries
        # Backends orphaned by a killed postmaster hold the old shared memory
        # for a moment ("still in use"): retry that for up to 10 s.
        for tries in {1..20}; do
            mark=$(wc -l 2>/dev/null <"$log" || echo 0)
            if as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$log" -w -t 60 start >/dev/null 2>&1; then
                echo "pgcluster: started $DIR on 127.0.0.1:$port"
                return 0
            fi
            tail -n +"$((mark + 1))" "$log" 2>/dev/null | grep -q 'is still in use' || break
            ((tries == 20)) || sleep 0.5
        done
        echo "pgcluster: start on port $port failed; log $log says:" >&2
        tail -n +"$((mark + 1))" "$log" 2>/dev/null | tail -n 20 >&2
    done
    die "could not start the cluster in $DIR"
}

cmd_stop() {
    set_cluster "${1:-}"
    need_binaries
    if [[ ! -f $DATA/PG_VERSION ]] || ! is_running; then
        echo "pgcluster: not running in $DIR"
        return 0
    fi
    if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null 2>&1; then
        echo "pgcluster: fast shutdown timed out; immediate shutdown" >&2
        as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null ||
            die "could not stop the cluster in $DIR"
    fi
    echo "pgcluster: stopped $DIR"
}

cmd_status() {
    set_cluster "${1:-}"
    need_binaries
    if [[ -f $DATA/PG_VERSION ]] && is_running; then
        echo "pgcluster: running in $DIR on port $(stored_port || echo '?')"
        return 0
    fi
    echo "pgcluster: not running in $DIR"
    return 3
}

cmd_port() {
    set_cluster "${1:-}"
    stored_port || die "no port recorded in $DIR (start the cluster first)"
}

cmd_url() {
    set_cluster "${1:-}"
    local port
    port=$(stored_port) || die "no port recorded in $DIR (start the cluster first)"
    echo "postgresql://postgres@127.0.0.1:$port/${2:-postgres}"
}

cmd_createdb() {
    set_cluster "${1:-}"
    local name=${2:-}
    [[ -n $name ]] || die "usage: $PROG createdb DIR NAME"
    need_binaries
    local port
    port=$(stored_port) || die "no port recorded in $DIR (start the cluster first)"
    # \gexec runs the CREATE only when the SELECT returns a row; %I quotes it.
    # From /: psql complains when it cannot enter the cwd (runuser from /root).
    (cd / && "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -v name="$name" \
        -h 127.0.0.1 -p "$port" -U postgres -d postgres) >/dev/null <<'SQL'
SELECT format('CREATE DATABASE %I', :'name')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'name') \gexec
SQL
}

main() {
    local cmd=${1:-}
    [[ $# -eq 0 ]] || shift
    case $cmd in
        init) cmd_init "$@" ;;
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        status) cmd_status "$@" ;;
        port) cmd_port "$@" ;;
        url) cmd_url "$@" ;;
        createdb) cmd_createdb "$@" ;;
        free-port) free_port "$@" ;;
        -h | --help | help) usage ;;
        *)
            usage >&2
            exit 2
            ;;
    esac
}

main "$@"
