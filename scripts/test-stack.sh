#!/usr/bin/env bash
# The real stack for the second test run: a throwaway PostgreSQL cluster, a Redis
# server and a separate Celery worker process, all on 127.0.0.1.
#
#   scripts/test-stack.sh up           # start; writes var/run/test-stack.env for pytest
#   scripts/test-stack.sh down         # stop what `up` started, also after an aborted run
#
# Faults for the failure tests (tests/test_failures.py), on a running stack:
#
#   scripts/test-stack.sh redis-stop   # stop Redis (the worker keeps trying to reconnect)
#   scripts/test-stack.sh redis-start  # start it again on the same port, empty
#   scripts/test-stack.sh pg-restart   # restart PostgreSQL (fast: sessions are cut)
#
# For those tests the env file also names this script (PARTYREPORTS_TEST_STACK)
# and the worker's main process (PARTYREPORTS_WORKER_PID).
#
# The worker must use the database pytest-django creates (test_<NAME>), not
# <NAME> itself: `up` asks Django for that name and gives the worker a
# DATABASE_URL pointing at it. Django connects lazily, so the worker can start
# before pytest creates the database, as long as no task runs before then.
# CONN_MAX_AGE=0 makes the worker close its connection after each task, so
# pytest can drop the test database at the end of the session.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

STATE="$RUN_DIR/test-stack.state"
ENV_FILE="$RUN_DIR/test-stack.env"
LOG_COPY="$RUN_DIR/test-stack-logs"
DB_NAME=partyreports

# PostgreSQL refuses to run as root: run its programs as the postgres user.
as_postgres() {
    if [ "$(id -u)" -ne 0 ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && su -s /bin/sh postgres -c "$(printf '%q ' "$@")")
    fi
}

pg_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir)"
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    fi
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    die "PostgreSQL server programs (initdb) not found; run scripts/install-system-deps.sh --test"
}

# True when process $1 is alive and its command line contains $2 (a pid file
# left by an aborted run may by now name some unrelated process).
alive_as() {
    [ -n "$1" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q "$2"
}

# Send TERM to process group $1, wait up to $2 seconds, then KILL what is left.
stop_group() {
    local pgid=$1 wait_for=$2 i
    kill -TERM -- "-$pgid" 2>/dev/null || return 0
    for ((i = 0; i < wait_for * 10; i++)); do
        kill -0 -- "-$pgid" 2>/dev/null || return 0
        sleep 0.1
    done
    log "test stack: worker did not stop in ${wait_for}s, killing it"
    kill -KILL -- "-$pgid" 2>/dev/null || true
}

down() {
    [ -f "$STATE" ] || return 0
    local STACK_DIR="" PG_BIN="" PG_PORT="" REDIS_PORT="" WORKER_PID="" pid
    # shellcheck disable=SC1090
    source "$STATE"
    log "test stack: stopping"
    # The pool's children may outlive a killed main process: look at the group.
    if alive_as "$WORKER_PID" celery \
        || { [ -n "$WORKER_PID" ] && pgrep -g "$WORKER_PID" -f celery >/dev/null 2>&1; }; then
        stop_group "$WORKER_PID" 20
    fi
    if [ -n "$STACK_DIR" ] && [ -d "$STACK_DIR" ]; then
        redis_stop "$STACK_DIR"
        local pgdata="$STACK_DIR/postgres/data"
        if [ -f "$pgdata/postmaster.pid" ]; then
            pid="$(head -n 1 "$pgdata/postmaster.pid")"
            if [ -n "$PG_BIN" ] && alive_as "$pid" postgres; then
                as_postgres "$PG_BIN/pg_ctl" -D "$pgdata" -m fast -w -t 30 stop >/dev/null \
                    || kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
        # Keep the logs of the last run for a look after the fact.
        rm -rf "$LOG_COPY"
        mkdir -p "$LOG_COPY"
        cp "$STACK_DIR"/*.log "$STACK_DIR"/postgres/*.log "$LOG_COPY"/ 2>/dev/null || true
        rm -rf "$STACK_DIR"
    fi
    rm -f "$STATE" "$ENV_FILE"
}

# Start Redis on port $2 with its files in $1 (no persistence) and wait for it.
redis_start() {
    local stack_dir=$1 port=$2 i
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
        --daemonize yes --dir "$stack_dir" --pidfile "$stack_dir/redis.pid" \
        --logfile "$stack_dir/redis.log"
    for ((i = 0; ; i++)); do
        redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG && break
        [ "$i" -lt 100 ] || { cat "$stack_dir/redis.log" >&2; die "Redis did not start"; }
        sleep 0.1
    done
}

# Stop the Redis whose pid file is in $1: TERM, then KILL after 10 s.
redis_stop() {
    local pid i
    pid="$(cat "$1/redis.pid" 2>/dev/null || true)"
    alive_as "$pid" redis-server || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

up() {
    down
    mkdir -p "$RUN_DIR"
    local started stack_dir pg_bin pg_port redis_port i
    started="$(now)"
    # Under /tmp, not var/: the postgres user must be able to reach the cluster.
    stack_dir="$(mktemp -d /tmp/partyreports-stack.XXXXXX)"
    chmod 755 "$stack_dir"
    echo "STACK_DIR=$stack_dir" >"$STATE"

    # PostgreSQL: a fresh cluster, trust auth, loopback only, no durability.
    pg_bin="$(pg_bindir)"
    echo "PG_BIN=$pg_bin" >>"$STATE"
    # data/staticfiles: WhiteNoise warns (an error in the tests) when STATIC_ROOT is missing.
    mkdir -p "$stack_dir/postgres" "$stack_dir/data/staticfiles"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$stack_dir/postgres"
    as_postgres "$pg_bin/initdb" -D "$stack_dir/postgres/data" -U postgres -A trust \
        -E UTF8 --locale=C --no-sync >"$stack_dir/initdb.log" 2>&1 \
        || { cat "$stack_dir/initdb.log" >&2; die "initdb failed"; }
    pg_port="$(free_port "${TEST_PG_PORT:-55432}")"
    echo "PG_PORT=$pg_port" >>"$STATE"
    as_postgres "$pg_bin/pg_ctl" -D "$stack_dir/postgres/data" \
        -l "$stack_dir/postgres/server.log" -w -t 60 \
        -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $stack_dir/postgres -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null \
        || { cat "$stack_dir/postgres/server.log" >&2; die "PostgreSQL did not start"; }
    "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres "$DB_NAME"

    # Redis: no persistence.
    redis_port="$(free_port "${TEST_REDIS_PORT:-56379}")"
    echo "REDIS_PORT=$redis_port" >>"$STATE"
    redis_start "$stack_dir" "$redis_port"

    local database_url="postgres://postgres@127.0.0.1:$pg_port/$DB_NAME"
    local broker_url="redis://127.0.0.1:$redis_port/0"
    export DJANGO_SETTINGS_MODULE=partyreports.settings_test
    export CELERY_BROKER_URL="$broker_url" DATA_DIR="$stack_dir/data"
    local test_db_name
    test_db_name="$(DATABASE_URL="$database_url" "$VENV_PY" -c '
import django
django.setup()
from django.db import connection
print(connection.creation._get_test_db_name())
')"

    # The worker: its own process group, so teardown reaches its children too.
    DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/$test_db_name" CONN_MAX_AGE=0 \
        setsid "$VENV_DIR/bin/celery" -A partyreports worker --loglevel=INFO \
        --concurrency=2 -n testworker@%h --without-gossip --without-mingle \
        >"$stack_dir/worker.log" 2>&1 </dev/null &
    local worker_pid=$!
    echo "WORKER_PID=$worker_pid" >>"$STATE"
    for ((i = 0; ; i++)); do
        grep -q ' ready\.' "$stack_dir/worker.log" && break
        if ! kill -0 "$worker_pid" 2>/dev/null || [ "$i" -ge 600 ]; then
            tail -n 50 "$stack_dir/worker.log" >&2
            die "the Celery worker did not start"
        fi
        sleep 0.1
    done

    cat >"$ENV_FILE" <<EOF
export DATABASE_URL='$database_url'
export CELERY_BROKER_URL='$broker_url'
export DATA_DIR='$stack_dir/data'
export PARTYREPORTS_REAL_WORKER=1
export PARTYREPORTS_WORKER_LOG='$stack_dir/worker.log'
export PARTYREPORTS_WORKER_PID='$worker_pid'
export PARTYREPORTS_TEST_STACK='$ROOT_DIR/scripts/test-stack.sh'
EOF
    log "test stack: PostgreSQL :$pg_port, Redis :$redis_port, worker pid $worker_pid on database $test_db_name (up in $(elapsed "$started"))"
}

# The faults below act on the stack `up` started; they read its state file.
load_state() {
    [ -f "$STATE" ] || die "no test stack is running (scripts/test-stack.sh up)"
    # shellcheck disable=SC1090
    source "$STATE"
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    redis-stop)
        load_state
        redis_stop "$STACK_DIR"
        ;;
    redis-start)
        load_state
        redis_start "$STACK_DIR" "$REDIS_PORT"
        ;;
    pg-restart)
        load_state
        # -l again: without it the new server would write to our stdout.
        # restart takes the server's options from postmaster.opts.
        as_postgres "$PG_BIN/pg_ctl" -D "$STACK_DIR/postgres/data" \
            -l "$STACK_DIR/postgres/server.log" -m fast -w -t 60 restart >/dev/null \
            || { tail -n 20 "$STACK_DIR/postgres/server.log" >&2; die "PostgreSQL did not restart"; }
        ;;
    *) die "usage: $0 up|down|redis-stop|redis-start|pg-restart" ;;
esac
