#!/usr/bin/env bash
# `make test`: the whole pytest suite, twice.
#
#   embedded  SQLite, Celery tasks run in-process (what `make run` uses)
#   real      PostgreSQL, Redis and a separate Celery worker (what production uses)
#
#   scripts/test.sh [embedded] [real]     # both when none is named
#
# PYTEST_ARGS (split on spaces) goes to both pytest runs, e.g.
#   make test PYTEST_ARGS="tests/test_worker.py -x"
# Exits with the first non-zero pytest exit code; both runs happen either way.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(embedded real)
read -r -a pytest_args <<<"${PYTEST_ARGS:-}"

mkdir -p "$RUN_DIR"
exec 9>"$RUN_DIR/test.lock"
flock -n 9 || die "another 'make test' is running in this checkout"

setup_started="$(now)"
scripts/install-system-deps.sh --test
scripts/ensure-venv.sh test
setup_time="$(elapsed "$setup_started")"

scratch=""
stack_up=""
cleanup() {
    [ -z "$stack_up" ] || scripts/test-stack.sh down || true
    [ -z "$scratch" ] || rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Nothing from the caller's environment may switch the embedded run to a server.
server_vars=(DATABASE_URL CELERY_BROKER_URL CELERY_RESULT_BACKEND
    PARTYREPORTS_REAL_WORKER DJANGO_SETTINGS_MODULE)

summary=()
status=0
record() { # name exit-code started
    summary+=("$(printf '%-9s exit %-3s %s' "$1" "$2" "$(elapsed "$3")")")
    [ "$status" -ne 0 ] || status=$2
}

for run in "${runs[@]}"; do
    started="$(now)"
    rc=0
    case "$run" in
    embedded)
        log "run embedded: SQLite + eager Celery"
        scratch="$(mktemp -d /tmp/partyreports-data.XXXXXX)"
        # WhiteNoise warns (an error under filterwarnings) when STATIC_ROOT is missing.
        mkdir -p "$scratch/staticfiles"
        (
            unset "${server_vars[@]}"
            DATA_DIR="$scratch" "$VENV_DIR/bin/pytest" "${pytest_args[@]}"
        ) || rc=$?
        rm -rf "$scratch"
        scratch=""
        ;;
    real)
        log "run real: PostgreSQL + Redis + Celery worker"
        stack_up=1
        # 9>&-: the services must not inherit the lock, or a killed run would keep it.
        if ! scripts/test-stack.sh up 9>&-; then
            log "run real: the test stack did not start"
            rc=1
        else
            worker_log="$(source "$RUN_DIR/test-stack.env" && echo "$PARTYREPORTS_WORKER_LOG")"
            (
                unset "${server_vars[@]}"
                # shellcheck disable=SC1091
                source "$RUN_DIR/test-stack.env"
                "$VENV_DIR/bin/pytest" "${pytest_args[@]}"
            ) || rc=$?
            if [ "$rc" -ne 0 ]; then
                log "worker log (last 40 lines):"
                tail -n 40 "$worker_log" >&2 || true
            fi
        fi
        scripts/test-stack.sh down
        stack_up=""
        ;;
    *) die "unknown run '$run' (embedded, real)" ;;
    esac
    record "$run" "$rc" "$started"
done

printf '\n==> setup (system packages + venv): %s\n' "$setup_time"
for line in "${summary[@]}"; do printf '==> %s\n' "$line"; done
exit "$status"
