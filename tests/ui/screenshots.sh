#!/usr/bin/env bash
# Screenshots of hms-client for people to look at: the login page, the shell of every role and
# every screen each role has.
#
#   tests/ui/screenshots.sh            -> build/screenshots/login.png, admin.png,
#                                         admin-users.png, reception-register.png, ...
#                                         and in Spanish: es-login.png, es-reception.png,
#                                         es-reception-register.png, es-nurse-due-medications.png
#
# Builds if needed, starts a throwaway PostgreSQL (installer/dev/pgcluster.sh), migrates it,
# loads the demo hospital (hms-admin demo-seed), starts hms-server on a free port and runs
# hms-client under xvfb-run once per role with --login-as/--screenshot. The password reaches
# the client only through $HMS_CLIENT_AUTOLOGIN_PASSWORD, never argv. Everything started here
# is stopped and removed at the end.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${HMS_BUILD_DIR:-$repo/build}
bin=$build/bin
out=$build/screenshots
pgcluster=$repo/installer/dev/pgcluster.sh

say() { printf 'screenshots: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

command -v xvfb-run >/dev/null || die "xvfb-run is missing (apt-get install xvfb)"
if [[ ! -x $bin/hms-client || ! -x $bin/hms-server || ! -x $bin/hms-admin ]]; then
    say "building"
    cmake -S "$repo" -B "$build" -G Ninja >/dev/null
    cmake --build "$build" --target hms-client hms-server hms-admin
fi

work=$(mktemp -d)
chmod 755 "$work"
server_pid=''
cleanup() {
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    "$pgcluster" stop "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

say "starting a throwaway PostgreSQL"
"$pgcluster" init "$work/pg" >/dev/null
"$pgcluster" start "$work/pg" >/dev/null
"$pgcluster" createdb "$work/pg" hms >/dev/null
export HMS_DATABASE_URL
HMS_DATABASE_URL=$("$pgcluster" url "$work/pg" hms)
"$bin/hms-admin" migrate >/dev/null
"$bin/hms-admin" demo-seed --credentials-file "$work/credentials.txt" >/dev/null

port=$("$pgcluster" free-port 18080)
url=http://127.0.0.1:$port
HMS_LISTEN=127.0.0.1:$port HMS_JWT_KEY_FILE=$work/jwt.key "$bin/hms-server" --no-migrate \
    >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 150); do
    curl -fsS --max-time 2 "$url/api/v1/health" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; die "hms-server exited"; }
    sleep 0.2
done
curl -fsS --max-time 2 "$url/api/v1/health" >/dev/null || die "hms-server did not answer"

mkdir -p "$out"
# The client gets its own HOME so it never reads or writes the caller's settings, and the
# language of the system locale $client_locale (English unless a run says otherwise).
client_locale=C.UTF-8
client() {
    env -u HMS_DATABASE_URL -u LANGUAGE HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" \
        LC_ALL="$client_locale" LANG="$client_locale" \
        xvfb-run -a -s '-screen 0 1280x800x24' "$bin/hms-client" --server "$url" "$@"
}

say "login.png"
client --screenshot "$out/login.png"
while read -r role username password; do
    [[ -z $role || $role == \#* ]] && continue
    say "$role.png"
    HMS_CLIENT_AUTOLOGIN_PASSWORD=$password client --login-as "$username" --hospital demo \
        --screenshot "$out/$role.png" || say "warning: $role did not reach the shell"
    for screen in patients register queue appointments admissions bed-board vitals due-medications \
        users audit; do
        rc=0
        HMS_CLIENT_AUTOLOGIN_PASSWORD=$password client --login-as "$username" --hospital demo \
            --screen "$screen" --screenshot "$out/$role-$screen.png" || rc=$?
        case $rc in
        0) say "$role-$screen.png" ;;
        3) ;; # the role has no such screen
        *) say "warning: $role-$screen.png failed ($rc)" ;;
        esac
    done
done <"$work/credentials.txt"

# The same client on a Spanish system: the login page, reception and a nurse screen.
client_locale=es_ES.UTF-8
say "es-login.png"
client --screenshot "$out/es-login.png"
while read -r role username password; do
    case $role in
    reception) screens=(register patients) ;;
    nurse) screens=(due-medications) ;;
    *) continue ;;
    esac
    HMS_CLIENT_AUTOLOGIN_PASSWORD=$password client --login-as "$username" --hospital demo \
        --screenshot "$out/es-$role.png" || say "warning: es-$role did not reach the shell"
    for screen in "${screens[@]}"; do
        HMS_CLIENT_AUTOLOGIN_PASSWORD=$password client --login-as "$username" --hospital demo \
            --screen "$screen" --screenshot "$out/es-$role-$screen.png" ||
            say "warning: es-$role-$screen.png failed"
        say "es-$role-$screen.png"
    done
done <"$work/credentials.txt"
say "saved in $out"
ls -1 "$out" >&2
