#!/usr/bin/env bash
# Debian packages needed to build, run, test and benchmark HMS.
#
#   installer/dev/deps.sh            install whatever is missing (root), or say
#                                    what to install (non-root) and exit 1
#   source installer/dev/deps.sh     only define HMS_DEB_PACKAGES and
#                                    hms_deps_install, e.g. to add packages
#
# Only missing packages are installed, so a second run costs one dpkg-query.
# apt-get output goes to a log file; its tail is printed when it fails.

# One package per line: add new ones here.
HMS_DEB_PACKAGES=(
    # toolchain
    build-essential
    cmake
    ninja-build
    ccache
    pkg-config
    # Qt 6.4 (Core, Network, HttpServer, WebSockets, Widgets, Sql, Test, linguist tools)
    qt6-base-dev
    qt6-httpserver-dev
    qt6-websockets-dev
    qt6-tools-dev
    qt6-tools-dev-tools
    qt6-l10n-tools
    libqt6sql6-sqlite
    qtkeychain-qt6-dev
    libgl-dev
    # libraries
    libpqxx-dev
    libsodium-dev
    libssl-dev
    # PostgreSQL 15 server for the private clusters; contrib provides pg_trgm
    postgresql-15
    postgresql-contrib
    # run/test/bench tools
    openssl
    wrk
    xvfb
    xauth
    # a real OS keychain for the client's "remember me" test (SECURITY.md A9): a headless
    # gnome-keyring in a private D-Bus session, reached through libsecret
    dbus-daemon
    gnome-keyring
    libsecret-1-0
    libsecret-tools
    curl
    procps
    # hms-worker test: the worker under a shifted clock still waits for the DB clock (G5)
    faketime
)

# Prints the packages of "$@" that are not fully installed, one per line.
hms_deps_missing() {
    local -A installed=()
    local name status
    # One dpkg-query for all packages; unknown names only produce stderr noise.
    while IFS=$'\t' read -r name status; do
        [[ $status == "install ok installed" ]] && installed[$name]=1
    done < <(dpkg-query -W -f='${Package}\t${Status}\n' "$@" 2>/dev/null || true)
    for name in "$@"; do
        [[ -n ${installed[$name]:-} ]] || printf '%s\n' "$name"
    done
}

# Installs the missing packages of HMS_DEB_PACKAGES. Returns 1 when something
# is missing and we are not root, or when apt-get fails.
hms_deps_install() {
    local log="${HMS_DEPS_LOG:-${TMPDIR:-/tmp}/hms-deps.log}"
    local -a missing

    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "deps: not a Debian system; make sure these (or equivalents) are installed: ${HMS_DEB_PACKAGES[*]}" >&2
        return 0
    fi

    mapfile -t missing < <(hms_deps_missing "${HMS_DEB_PACKAGES[@]}")
    if ((${#missing[@]} == 0)); then
        echo "deps: all ${#HMS_DEB_PACKAGES[@]} Debian packages present"
        return 0
    fi

    if ((EUID != 0)); then
        {
            echo "deps: missing Debian packages: ${missing[*]}"
            echo "deps: install them as root, then run this again:"
            echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
        } >&2
        return 1
    fi

    echo "deps: installing ${#missing[@]} missing package(s): ${missing[*]} (log: $log)"
    local start=$SECONDS
    # noninteractive: no debconf prompts (tzdata etc.) on a fresh machine or in CI.
    # Retries and the lock timeout ride out flaky mirrors and a concurrent apt.
    local -a apt=(apt-get -o Acquire::Retries=3 -o DPkg::Lock::Timeout=300)
    if ! {
        DEBIAN_FRONTEND=noninteractive "${apt[@]}" update &&
            DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "${missing[@]}"
    } >"$log" 2>&1; then
        echo "deps: apt-get failed; last lines of $log:" >&2
        tail -n 30 "$log" >&2
        return 1
    fi

    mapfile -t missing < <(hms_deps_missing "${HMS_DEB_PACKAGES[@]}")
    if ((${#missing[@]} > 0)); then
        echo "deps: still missing after apt-get: ${missing[*]} (see $log)" >&2
        return 1
    fi
    echo "deps: installed in $((SECONDS - start)) s"
}

# Executed (not sourced): install.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    hms_deps_install
fi
