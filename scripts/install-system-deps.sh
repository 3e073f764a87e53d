#!/usr/bin/env bash
# Install the Debian packages the app needs, only those that are missing.
#
#   scripts/install-system-deps.sh          # what `make run` needs
#   scripts/install-system-deps.sh --test   # plus what `make test` needs
#
# Quick when everything is there: one dpkg-query, no apt-get update.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# PDFs: a Times New Roman-metric serif with every Vietnamese glyph (Liberation
# Serif, Tinos), WeasyPrint's native libraries, and pdftotext/pdftoppm to read
# the PDFs back.
packages=(
    fonts-liberation fonts-croscore fontconfig
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
    poppler-utils
)
if [ "${1:-}" = "--test" ]; then
    # Browser tests, and the PostgreSQL + Redis + real Celery worker run.
    packages+=(chromium postgresql redis-server)
fi
# Debian's own python3 cannot make a virtualenv without python3-venv.
python_bin="$(command -v python3.11 || command -v python3 || true)"
if [ -n "$python_bin" ] && ! "$python_bin" -c 'import ensurepip, venv' 2>/dev/null; then
    packages+=(python3-venv)
fi

missing=()
for pkg in "${packages[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
    [ "$status" = "installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    log "system packages: all present"
    exit 0
fi

log "system packages: installing ${missing[*]}"
started="$(now)"
apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o Acquire::Retries=3)
as_root "${apt[@]}" update
as_root "${apt[@]}" -y install --no-install-recommends "${missing[@]}"
# New fonts are seen by WeasyPrint only after the cache is rebuilt.
as_root fc-cache -f >/dev/null 2>&1 || true
log "system packages: installed in $(elapsed "$started")"
