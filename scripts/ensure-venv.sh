#!/usr/bin/env bash
# Create .venv if needed and install the Python dependencies pyproject.toml lists.
#
#   scripts/ensure-venv.sh          # runtime dependencies
#   scripts/ensure-venv.sh test     # plus the `test` extra
#
# Skips pip when a stamp file is newer than pyproject.toml. pyproject.toml has
# `packages = []`, so installing "the project" would only install its
# dependencies (and leave build/ and *.egg-info in the tree); the dependency
# list is read from pyproject.toml and handed to pip directly instead.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

extra="${1:-}"
stamp="$VENV_DIR/.deps-installed${extra:+-$extra}"
pyproject="$ROOT_DIR/pyproject.toml"

# A venv whose interpreter is gone (Python upgraded or removed) is rebuilt.
if [ -e "$VENV_DIR" ] && ! "$VENV_PY" -c 'import sys' >/dev/null 2>&1; then
    log "virtualenv: $VENV_DIR is broken, recreating it"
    rm -rf "$VENV_DIR"
fi

if [ ! -x "$VENV_PY" ]; then
    python_bin="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
    [ -n "$python_bin" ] || die "python3.11 not found"
    "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "$python_bin is older than Python 3.11"
    log "virtualenv: creating $VENV_DIR with $python_bin"
    "$python_bin" -m venv "$VENV_DIR"
fi

# The test extra includes the runtime dependencies, so its stamp counts for both.
for ok in "$stamp" "$VENV_DIR/.deps-installed-test"; do
    if [ -f "$ok" ] && [ "$ok" -nt "$pyproject" ]; then
        log "python packages: up to date"
        exit 0
    fi
done

started="$(now)"
mapfile -t requirements < <("$VENV_PY" - "$pyproject" "$extra" <<'PY'
import sys
import tomllib

with open(sys.argv[1], "rb") as f:
    project = tomllib.load(f)["project"]
reqs = list(project["dependencies"])
if sys.argv[2]:
    reqs += project["optional-dependencies"][sys.argv[2]]
print("\n".join(reqs))
PY
)
log "python packages: installing ${#requirements[@]} requirements${extra:+ (with $extra extra)}"
"$VENV_PY" -m pip install -q "${requirements[@]}"
touch "$stamp"
log "python packages: installed in $(elapsed "$started")"
