#!/usr/bin/env bash
# A throwaway Azure Blob Storage emulator (Azurite) for tests and local runs (never for real data).
#
#   build/azurite.sh start <dir> <port>   install azurite@3.35.0 into .tools/azurite if missing, start its blob
#                                         service on 127.0.0.1:<port> keeping data in <dir>, wait until the port
#                                         answers, print the connection string as the last stdout line
#   build/azurite.sh stop <dir>           stop the server started for <dir>; harmless if it is not running
#
# Safe to run again: a server already running for <dir> is left running. Data in <dir> survives stop/start,
# so tests can take the service down and bring it back with the same blobs.
set -euo pipefail

# 3.35.0 is the last release that runs on Node 20 (3.37 needs Node 22).
AZURITE_VERSION="3.35.0"
# The emulator's documented, public development account key (not a secret).
DEV_ACCOUNT="devstoreaccount1"
DEV_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$here/.tools/azurite"
bin="$tools/node_modules/.bin/azurite-blob"

log() { echo "azurite.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    echo "usage: $0 start <dir> <port> | stop <dir>" >&2
    exit 2
}

installed_version() {
    [ -x "$bin" ] || return 1
    node -p "require('$tools/node_modules/azurite/package.json').version" 2>/dev/null
}

ensure_installed() {
    command -v node >/dev/null 2>&1 ||
        die "Node.js is not installed: run 'apt-get install -y nodejs npm' (or build/prereqs.sh --tests)"
    command -v npm >/dev/null 2>&1 ||
        die "npm is not installed: run 'apt-get install -y npm' (or build/prereqs.sh --tests)"
    local major
    major="$(node -p 'process.versions.node.split(".")[0]')"
    [ "$major" -ge 16 ] || die "Node.js $(node --version) is too old for azurite $AZURITE_VERSION: install Node 16-20"
    if [ "$(installed_version || true)" = "$AZURITE_VERSION" ]; then return; fi
    mkdir -p "$tools"
    # Test projects may start servers in parallel on a fresh machine: one npm install at a time. The subshell
    # closes the lock's file descriptor, so the server started later does not inherit (and hold) the lock.
    (
        flock 9
        if [ "$(installed_version || true)" != "$AZURITE_VERSION" ]; then
            log "installing azurite@$AZURITE_VERSION into $tools (once per checkout)"
            npm install --prefix "$tools" --no-audit --no-fund --loglevel=error --no-save \
                "azurite@$AZURITE_VERSION" >&2 || die "npm install azurite@$AZURITE_VERSION failed"
        fi
    ) 9>"$tools/.install.lock"
    [ "$(installed_version || true)" = "$AZURITE_VERSION" ] || die "azurite $AZURITE_VERSION is not in $tools after npm install"
}

# The PID in <dir>/azurite.pid, if that process is alive and is an Azurite server (not a recycled PID).
running_pid() {
    local pid
    [ -f "$dir/azurite.pid" ] || return 1
    pid="$(cat "$dir/azurite.pid")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    alive "$pid" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q azurite || return 1
    echo "$pid"
}

# Alive and not a zombie (a container's PID 1 may never reap an orphaned server).
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
    [ $# -eq 2 ] || usage
    dir="$(realpath -m "$1")"
    port="$2"
    [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "port must be a number 1-65535, got '$port'"
    ensure_installed
    mkdir -p "$dir"
    local pid
    if pid="$(running_pid)"; then
        log "already running for $dir (pid $pid)"
    else
        log "starting on 127.0.0.1:$port with data in $dir"
        # Telemetry off: it would try to reach an outside host. skipApiVersionCheck: Azure.Storage.Blobs 12.30
        # sends a newer x-ms-version than this Azurite knows. Output goes to a log file, never to our stdout,
        # so a caller reading our stdout to the end is not kept waiting by the server.
        "$bin" --blobHost 127.0.0.1 --blobPort "$port" --location "$dir" \
            --disableTelemetry --skipApiVersionCheck \
            >"$dir/azurite.log" 2>&1 </dev/null &
        pid=$!
        echo "$pid" >"$dir/azurite.pid"
    fi
    for _ in $(seq 1 150); do
        if port_answers "$port"; then break; fi
        if ! alive "$pid"; then
            tail -n 20 "$dir/azurite.log" >&2 || true
            rm -f "$dir/azurite.pid"
            die "azurite exited during start (see $dir/azurite.log)"
        fi
        sleep 0.2
    done
    port_answers "$port" || die "nothing answers on 127.0.0.1:$port after 30 s (see $dir/azurite.log)"
    echo "DefaultEndpointsProtocol=http;AccountName=$DEV_ACCOUNT;AccountKey=$DEV_KEY;BlobEndpoint=http://127.0.0.1:$port/$DEV_ACCOUNT;"
}

stop() {
    [ $# -eq 1 ] || usage
    dir="$(realpath -m "$1")"
    local pid
    if ! pid="$(running_pid)"; then
        log "not running for $dir"
        rm -f "$dir/azurite.pid"
        return 0
    fi
    # SIGTERM lets Azurite save its metadata database, so blobs survive a restart on the same <dir>.
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        log "pid $pid ignored SIGTERM for 5 s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
        while alive "$pid"; do sleep 0.1; done
    fi
    rm -f "$dir/azurite.pid"
    log "stopped $dir (pid $pid)"
}

[ $# -ge 1 ] || usage
command="$1"
shift
case "$command" in
    start) start "$@" ;;
    stop) stop "$@" ;;
    *) usage ;;
esac
