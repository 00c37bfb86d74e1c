#!/usr/bin/env bash
# Builds HMS with -Werror and runs the test suites against a throwaway
# PostgreSQL cluster (temp dir, free port, removed on exit whatever happens).
#
#   ./test.sh              unit tests, then everything else (integration, ui)
#   ./test.sh -R name ...  one ctest run with these extra arguments
#
# Tests get:
#   HMS_TEST_DATABASE_URL  superuser URL of database "postgres" (tests create
#                          their own databases from it)
#   HMS_TEST_PG_DIR        the cluster directory
#   HMS_TEST_PGCLUSTER     absolute path of installer/dev/pgcluster.sh; a test
#                          can simulate an outage with
#                          "$HMS_TEST_PGCLUSTER" stop "$HMS_TEST_PG_DIR" and
#                          "$HMS_TEST_PGCLUSTER" start "$HMS_TEST_PG_DIR"
#                          (restarts on the same port)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
repo=$PWD
pgcluster=$repo/installer/dev/pgcluster.sh

say() { printf '[test.sh] %s\n' "$*"; }

# ---------------------------------------------------------------- timing

phase_names=() phase_times=()
phase_start=0
now_ms() { date +%s%3N; }
begin() {
    phase_start=$(now_ms)
    say "== $1"
}
# Records the phase duration in seconds with 0.1 s resolution.
end() {
    local ms t
    ms=$(($(now_ms) - phase_start))
    t=$((ms / 1000)).$((ms % 1000 / 100))
    phase_names+=("$1")
    phase_times+=("$t")
    say "$1: ${t} s"
}

# ---------------------------------------------------------------- cleanup

work='' pg_dir='' xvfb_pid=''
# shellcheck disable=SC2317 # only reached through the EXIT trap
cleanup() {
    local rc=$?
    trap '' INT TERM HUP
    trap - EXIT
    if [[ -n $xvfb_pid ]]; then
        kill -TERM "$xvfb_pid" 2>/dev/null || true
        wait "$xvfb_pid" 2>/dev/null || true
    fi
    if [[ -n $pg_dir ]]; then
        "$pgcluster" stop "$pg_dir" >/dev/null 2>&1 || say "warning: could not stop PostgreSQL in $pg_dir"
    fi
    [[ -z $work ]] || rm -rf -- "$work"
    if ((${#phase_names[@]})); then
        say "timings:"
        local i
        for i in "${!phase_names[@]}"; do
            printf '[test.sh]   %-12s %8s s\n' "${phase_names[$i]}" "${phase_times[$i]}"
        done
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP # terminal closed

# ---------------------------------------------------------------- packages

begin deps
"$repo/installer/dev/deps.sh"
end deps

# ---------------------------------------------------------------- format

# Reported now, counted at the end: a formatting slip should not hide test results.
format_failed=0
begin format
if ! command -v clang-format >/dev/null 2>&1; then
    say "clang-format not installed; format check skipped"
elif [[ ! -f .clang-format ]]; then
    say "no .clang-format in the repository; format check skipped"
elif ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    say "not a git work tree; format check skipped"
else
    unformatted=()
    while IFS= read -r -d '' f; do
        [[ -f $f ]] || continue # deleted in the work tree
        clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
    done < <(git ls-files -z -- '*.cpp' '*.h')
    if ((${#unformatted[@]})); then
        format_failed=1
        say "clang-format would change ${#unformatted[@]} file(s):"
        printf '    %s\n' "${unformatted[@]}"
        say "fix with: clang-format -i ${unformatted[*]}"
    else
        say "clang-format: clean"
    fi
fi
end format

# ---------------------------------------------------------------- build

begin build
# A fresh (or failed) configure picks generator and build type; later runs
# only make sure -Werror is on (same build/ as run.sh: no needless rebuild).
generator=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' build/CMakeCache.txt 2>/dev/null || true)
if [[ -z $generator || ($generator == Ninja && ! -f build/build.ninja) ]]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHMS_WERROR=ON
elif ! grep -q '^HMS_WERROR:BOOL=ON$' build/CMakeCache.txt; then
    cmake -S . -B build -DHMS_WERROR=ON
fi
cmake --build build
end build

# ---------------------------------------------------------------- database

begin postgres
work=$(mktemp -d "${TMPDIR:-/tmp}/hms-test.XXXXXX")
# As root the cluster runs as "postgres", which must be able to enter it.
chmod 755 "$work"
pg_dir=$work/pg
"$pgcluster" init "$pg_dir" >/dev/null
# Two suites run at once, and some open 50 connections of their own next to servers with
# their pools and workers: 200 (the private cluster's default) was seen to run out in CI.
echo "max_connections = 400" >>"$pg_dir/data/postgresql.conf"
"$pgcluster" start "$pg_dir"
HMS_TEST_DATABASE_URL=$("$pgcluster" url "$pg_dir" postgres)
HMS_TEST_PG_DIR=$pg_dir
HMS_TEST_PGCLUSTER=$pgcluster
export HMS_TEST_DATABASE_URL HMS_TEST_PG_DIR HMS_TEST_PGCLUSTER
say "HMS_TEST_DATABASE_URL=$HMS_TEST_DATABASE_URL"
end postgres

# UI tests need an X server: start Xvfb when there is no display (CI, ssh).
# Started here rather than with xvfb-run so that the EXIT trap owns it.
if [[ -z ${DISPLAY:-} ]] && command -v Xvfb >/dev/null 2>&1; then
    Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp \
        3>"$work/xvfb.display" >"$work/xvfb.log" 2>&1 &
    xvfb_pid=$!
    for _ in {1..100}; do
        [[ ! -s $work/xvfb.display ]] || break
        kill -0 "$xvfb_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -s $work/xvfb.display ]]; then
        DISPLAY=:$(<"$work/xvfb.display")
        export DISPLAY
        say "Xvfb on DISPLAY=$DISPLAY"
    else
        say "warning: Xvfb did not start; UI tests run without a display"
        cat "$work/xvfb.log" >&2 || true
    fi
fi

# ---------------------------------------------------------------- tests

ctest_args=(--test-dir build --output-on-failure -j "${HMS_TEST_JOBS:-2}")

total=$(ctest --test-dir build -N "$@" 2>/dev/null | sed -n 's/^Total Tests: *//p')
if [[ ${total:-0} == 0 ]]; then
    say "WARNING: no tests are registered${*:+ for: $*}"
fi

status=0
if (($#)); then
    begin tests
    ctest "${ctest_args[@]}" "$@" || status=$?
    end tests
else
    begin unit
    ctest "${ctest_args[@]}" -L unit || status=$?
    end unit
    # Everything not labelled unit: integration, ui, and unlabelled tests.
    begin integration
    ctest "${ctest_args[@]}" -LE unit || status=$?
    end integration
fi

if ((status)); then
    say "FAILED: ctest exit status $status"
    exit "$status"
fi
if ((format_failed)); then
    say "FAILED: clang-format check (tests passed)"
    exit 1
fi
say "OK"
