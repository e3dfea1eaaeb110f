#!/usr/bin/env bash
# A private PostgreSQL 15 cluster in a folder, reachable only over a Unix socket.
#
#   scripts/pg.sh start DIR   initdb if DIR holds no cluster yet, start it, wait until it accepts
#                             connections, create the database "ejournal" if missing, and print the
#                             libpq connection string on stdout, e.g.
#                             host=DIR/run port=5432 user=postgres dbname=ejournal
#   scripts/pg.sh stop DIR    stop the cluster (fast shutdown; a no-op when it is not running;
#                             EJ_PG_STOP_MODE=immediate: PostgreSQL's crash, recovered on next start)
#   scripts/pg.sh url DIR     print the connection string (does not start anything)
#   scripts/pg.sh status DIR  exit 0 when the cluster is running
#
# Layout: DIR/data (PGDATA), DIR/run (socket directory), DIR/log/postgresql.log.
# No system service and no TCP: listen_addresses is empty, the socket lives in DIR/run.
#
# initdb refuses to run as root, so as root the cluster belongs to an unprivileged user: "postgres"
# (created by the postgresql-15 package), else a dedicated system user "ejournal-pg" made here. That
# user must be able to reach DIR; when it cannot (e.g. a checkout under /root, mode 700) or when the
# socket path would be too long for a Unix socket, the cluster goes to /tmp/ejournal-pg-<hash of DIR>
# instead, with a message on stderr; nobody's directories are chmod'ed.
#
# Environment: EJ_PG_PORT (default 5432: only names the socket file), EJ_PG_FAST=1 (fsync off etc.:
# for throwaway test clusters whose data may be lost on a crash).
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${EJ_PG_PORT:-5432}

die() { echo "pg.sh: $*" >&2; exit 1; }
note() { echo "pg.sh: $*" >&2; }

usage() {
    echo "usage: $0 start|stop|url|status DIR" >&2
    exit 2
}

[[ $# -eq 2 ]] || usage
cmd=$1
[[ -n $2 ]] || usage
# Absolute path without requiring it to exist yet.
case $2 in
    /*) req_dir=$2 ;;
    *) req_dir=$PWD/$2 ;;
esac
req_dir=$(realpath -m -- "$req_dir")

[[ -x $PGBIN/initdb && -x $PGBIN/pg_ctl ]] ||
    die "PostgreSQL 15 binaries not found in $PGBIN (install postgresql-15, e.g. scripts/setup.sh)"

# --- who runs the cluster ----------------------------------------------------------------------
if [[ $(id -u) -eq 0 ]]; then
    if id -u postgres >/dev/null 2>&1; then
        pg_user=postgres
    else
        pg_user=ejournal-pg
        if ! id -u "$pg_user" >/dev/null 2>&1; then
            [[ $cmd == start ]] || die "no cluster user ($pg_user does not exist)"
            note "creating system user $pg_user to own the private cluster"
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$pg_user"
        fi
    fi
    # From /, so that tools run as that user do not complain about a working directory it cannot enter.
    as_pg() { (cd / && runuser -u "$pg_user" -- "$@"); }
else
    pg_user=$(id -un)
    as_pg() { "$@"; }
fi

# --- where the cluster lives -------------------------------------------------------------------
# Deterministic for a given DIR, so that start, stop and url agree without any state file.
fallback_dir() {
    local h
    h=$(printf '%s' "$req_dir" | sha256sum | cut -c1-12)
    echo "/tmp/ejournal-pg-$h"
}

# Nearest existing ancestor of a path (the path itself when it exists).
existing_ancestor() {
    local p=$1
    while [[ ! -e $p ]]; do p=$(dirname -- "$p"); done
    echo "$p"
}

resolve_dir() {
    local d=$req_dir reason=""
    # sun_path holds 108 bytes including the NUL.
    if (( ${#d} + ${#PORT} + 16 > 107 )); then
        reason="its socket path would be too long for a Unix socket"
    elif [[ $(id -u) -eq 0 ]]; then
        # The cluster user needs to traverse every parent. Check the nearest existing ancestor:
        # what we create below it ourselves is made traversable.
        local anc
        anc=$(existing_ancestor "$d")
        if ! as_pg test -x "$anc"; then
            reason="user $pg_user cannot reach $anc"
        fi
    fi
    if [[ -n $reason ]]; then
        local fb
        fb=$(fallback_dir)
        [[ $cmd != start ]] || note "cannot keep the cluster in $d ($reason); using $fb instead"
        d=$fb
    fi
    echo "$d"
}

dir=$(resolve_dir)
data=$dir/data
run=$dir/run
logdir=$dir/log
url="host=$run port=$PORT user=postgres dbname=ejournal"

pg_ctl() { as_pg "$PGBIN/pg_ctl" -D "$data" "$@"; }

is_running() {
    [[ -f $data/PG_VERSION ]] || return 1
    pg_ctl status >/dev/null 2>&1
}

psql_admin() {
    # -X: ignore ~/.psqlrc. The socket is local and trusted (see initdb below).
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$run" -p "$PORT" -U postgres "$@"
}

init_cluster() {
    (umask 022 && mkdir -p -- "$dir")
    # Parents we created ourselves (as root, umask may be 077) must be traversable.
    if [[ $(id -u) -eq 0 ]]; then
        chmod a+x -- "$dir"
        install -d -m 700 -o "$pg_user" -- "$data"
        install -d -m 700 -o "$pg_user" -- "$run"
        install -d -m 755 -o "$pg_user" -- "$logdir"
    else
        install -d -m 700 -- "$data"
        install -d -m 700 -- "$run"
        install -d -m 755 -- "$logdir"
    fi
    if [[ -f $data/PG_VERSION ]]; then
        return 0
    fi
    if [[ -n $(ls -A -- "$data") ]]; then
        die "$data is not empty and holds no PostgreSQL cluster; refusing to initdb over it"
    fi
    note "initializing a new cluster in $data"
    # Trust authentication on the local socket: this is a loopback-only development/test cluster,
    # no TCP listener at all, and its socket directory (mode 700) is reachable only by the cluster's
    # owner and root.
    as_pg "$PGBIN/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=reject \
        --encoding=UTF8 --locale=C.UTF-8 >"$logdir/initdb.log" 2>&1 ||
        { cat "$logdir/initdb.log" >&2; die "initdb failed"; }
    echo "include_if_exists = 'ejournal.conf'" | as_pg tee -a "$data/postgresql.conf" >/dev/null
}

write_conf() {
    # Regenerated on every start, so the socket directory follows the folder.
    {
        echo "# written by scripts/pg.sh on every start"
        echo "listen_addresses = ''"
        echo "port = $PORT"
        echo "unix_socket_directories = '$run'"
        echo "unix_socket_permissions = 0777"
        echo "max_connections = 200"
        echo "shared_buffers = 64MB"
        echo "logging_collector = off"
        echo "log_min_messages = warning"
        if [[ ${EJ_PG_FAST:-0} == 1 ]]; then
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        fi
    } | as_pg tee "$data/ejournal.conf" >/dev/null
}

start() {
    init_cluster
    if ! is_running; then
        write_conf
        if ! pg_ctl -l "$logdir/postgresql.log" -w -t 60 start >/dev/null; then
            tail -n 30 "$logdir/postgresql.log" >&2 || true
            die "PostgreSQL did not start (log: $logdir/postgresql.log)"
        fi
    fi
    local i
    for ((i = 0; i < 120; i++)); do
        if "$PGBIN/pg_isready" -q -h "$run" -p "$PORT" -U postgres; then break; fi
        sleep 0.25
    done
    "$PGBIN/pg_isready" -q -h "$run" -p "$PORT" -U postgres ||
        die "PostgreSQL is not accepting connections on $run (log: $logdir/postgresql.log)"
    if [[ -z $(psql_admin -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'ejournal'") ]]; then
        psql_admin -d postgres -c 'CREATE DATABASE ejournal' >/dev/null
    fi
    echo "$url"
}

stop() {
    local mode=${EJ_PG_STOP_MODE:-fast}
    [[ $mode == fast || $mode == immediate ]] || die "EJ_PG_STOP_MODE must be fast or immediate"
    if is_running; then
        pg_ctl -m "$mode" -w -t 60 stop >/dev/null
    fi
}

case $cmd in
    start) start ;;
    stop) stop ;;
    url) echo "$url" ;;
    status) is_running ;;
    *) usage ;;
esac
