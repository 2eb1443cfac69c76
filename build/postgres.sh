#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and local clusters (never for production data).
#
#   build/postgres.sh start <datadir> <port>   install PostgreSQL if missing, initialise <datadir> once,
#                                              start the server on 127.0.0.1:<port>, create database "palette",
#                                              print its connection string on stdout (the only stdout line)
#   build/postgres.sh stop <datadir>           stop that server (fast shutdown); harmless if it is not running
#
# Safe to run again: an initialised data dir is reused and a running server is left running.
# Authentication is "trust" for connections from 127.0.0.1 and the socket in <datadir>: test use only.
# fsync is off: the data dir is disposable and commits are much faster on CI disks.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    echo "usage: $0 start <datadir> <port> | stop <datadir>" >&2
    exit 2
}

# Runs a command as the postgres user when we are root (initdb and the server refuse to run as root).
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

find_bin_dir() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

ensure_installed() {
    if find_bin_dir >/dev/null; then return; fi
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed and we are not root: run 'apt-get install -y postgresql' first"
    log "installing PostgreSQL with apt (once per machine)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
    find_bin_dir >/dev/null || die "apt installed postgresql but no initdb was found under /usr/lib/postgresql"
}

is_running() { as_postgres "$bin/pg_ctl" status -D "$datadir" >/dev/null 2>&1; }

init_datadir() {
    if [ -f "$datadir/PG_VERSION" ]; then return; fi
    mkdir -p "$datadir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$datadir"; fi
    chmod 700 "$datadir"
    as_postgres test -w "$datadir" || die "the postgres user cannot write $datadir (is a parent folder private to root?)"
    log "initialising $datadir"
    as_postgres "$bin/initdb" -D "$datadir" -U postgres -E UTF8 --no-locale --no-sync \
        --auth-local=trust --auth-host=trust >/dev/null
    # Our own access rules: the data dir's socket and loopback TCP only.
    cat >"$datadir/pg_hba.conf" <<'EOF'
# written by build/postgres.sh (test server)
local all all              trust
host  all all 127.0.0.1/32 trust
EOF
    cat >>"$datadir/postgresql.conf" <<EOF

# --- build/postgres.sh (test server) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$datadir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$datadir/pg_hba.conf" "$datadir/postgresql.conf"; fi
}

start() {
    [ $# -eq 2 ] || usage
    datadir="$(realpath -m "$1")"
    port="$2"
    [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "port must be a number 1-65535, got '$port'"
    ensure_installed
    bin="$(find_bin_dir)"
    init_datadir
    if is_running; then
        log "already running on $datadir"
    else
        log "starting on 127.0.0.1:$port"
        if ! as_postgres "$bin/pg_ctl" start -D "$datadir" -l "$datadir/server.log" -w -t 60 -o "-p $port" >/dev/null; then
            tail -n 20 "$datadir/server.log" >&2 || true
            die "the server did not start (see $datadir/server.log)"
        fi
    fi
    for _ in $(seq 1 60); do
        if as_postgres "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then break; fi
        sleep 0.5
    done
    as_postgres "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" || die "no server answers on 127.0.0.1:$port"
    local exists
    exists="$(as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'palette'")"
    if [ "$exists" != "1" ]; then
        as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres palette
    fi
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=palette"
}

stop() {
    [ $# -eq 1 ] || usage
    datadir="$(realpath -m "$1")"
    bin="$(find_bin_dir)" || { log "PostgreSQL is not installed: nothing to stop"; return 0; }
    if [ ! -f "$datadir/PG_VERSION" ]; then log "no data dir at $datadir: nothing to stop"; return 0; fi
    if is_running; then
        as_postgres "$bin/pg_ctl" stop -D "$datadir" -m fast -w -t 60 >/dev/null
        log "stopped $datadir"
    else
        log "not running: $datadir"
    fi
}

[ $# -ge 1 ] || usage
command="$1"
shift
case "$command" in
    start) start "$@" ;;
    stop) stop "$@" ;;
    *) usage ;;
esac
