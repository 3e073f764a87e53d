#!/usr/bin/env bash
# `make run`: set everything up, load the demo data and serve the app locally.
#
# With no environment set this is the embedded setup: SQLite in var/ and Celery
# tasks run in-process. HOST and PORT choose where to listen (127.0.0.1:8000).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

host="${HOST:-127.0.0.1}"
port="${PORT:-8000}"
started="$(now)"

scripts/install-system-deps.sh
scripts/ensure-venv.sh

manage=("$VENV_PY" manage.py)
log "database: migrate"
"${manage[@]}" migrate --noinput -v 0
log "database: load_demo (only the first time; a second run adds nothing)"
"${manage[@]}" load_demo
log "static files: collectstatic"
"${manage[@]}" collectstatic --noinput -v 0
log "ready in $(elapsed "$started")"

password="${DEMO_PASSWORD:-Demo@2024}"
cat <<EOF

  PartyReports: http://$host:$port/

  Demo logins (tài khoản dùng thử), password for all: $password

    canbo_ldtbxh     cán bộ nhập liệu  Đảng bộ Sở LĐ-TB&XH
    vanphong_ldtbxh  văn phòng         Đảng bộ Sở LĐ-TB&XH
    vanphong_khoi    văn phòng         Đảng bộ Khối
    lanhdao_khoi     lãnh đạo          Đảng bộ Khối
    admin            quản trị

  Stop with Ctrl-C.

EOF
exec "${manage[@]}" runserver "$host:$port"
