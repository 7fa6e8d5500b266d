#!/usr/bin/env bash
# Chứng minh bản sao lưu khôi phục được: khôi phục thử rồi so bản kê.
#
#   deploy/check-restore.sh [BẢN_SAO_LƯU | --latest THƯ_MỤC_SAO_LƯU]
#
# --latest picks the newest complete backup of a backup.sh destination folder.
# Without an argument, first takes a backup of DATABASE_URL and MEDIA_ROOT (backup.sh)
# into a temporary folder. Then restores the backup into a new database
# portal_restore_<random> on the same PostgreSQL server (same role: it needs CREATEDB)
# and a temporary media folder, runs `manage.py backup_manifest` on that copy and
# compares it with the backup's manifest.json (restore.sh --verify). The scratch
# database and folders are removed afterwards, whatever the outcome.
# Temporary folders go under TMPDIR (default /tmp): it needs room for the media.
#
# Exit status: 0 the restored copy is identical to the manifest; 1 it is not, or a step
#              failed; 2 refused: a piece is missing, nothing was done.
set -euo pipefail
umask 077

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PORTAL_PYTHON:-$PROJECT_DIR/.venv/bin/python}
DEPLOY_DIR="$PROJECT_DIR/deploy"

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; }
refuse() { echo "Không kiểm tra: $*" >&2; exit 2; }

BACKUP=""
TEMPORARY=0
case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    --latest)
        if [ $# -ne 2 ] || [ ! -d "$2" ]; then refuse "--latest cần một thư mục sao lưu có sẵn."; fi
        # Names sort by date; a partial backup is hidden (.portal-….partial) and left out.
        BACKUP=$(find "$2" -mindepth 1 -maxdepth 1 -type d -name 'portal-[0-9]*' | sort | tail -n 1)
        [ -n "$BACKUP" ] || refuse "chưa có bản sao lưu nào trong $2."
        shift 2 ;;
    -*) usage >&2; refuse "tham số không hiểu: $1" ;;
    "") [ $# -eq 0 ] || refuse "thư mục bản sao lưu trống." ;;
    *) BACKUP=$1; shift ;;
esac
[ $# -eq 0 ] || refuse "chỉ kiểm tra một bản sao lưu mỗi lần."

for tool in psql createdb dropdb; do
    command -v "$tool" >/dev/null || refuse "thiếu công cụ $tool (gói postgresql-client)."
done
[ -x "$PYTHON" ] || refuse "không có Python của cổng $PYTHON (tạo .venv, hoặc đặt PORTAL_PYTHON)."
[ -n "${DATABASE_URL:-}" ] || refuse "DATABASE_URL chưa được đặt (máy chủ để khôi phục thử)."
[ -z "$BACKUP" ] || [ -d "$BACKUP" ] || refuse "không có thư mục bản sao lưu $BACKUP."
pg_vars=$("$PYTHON" "$DEPLOY_DIR/pg_env.py" exports "$DATABASE_URL") || exit 2

started=$(date +%s)
workdir=$(mktemp -d "${TMPDIR:-/tmp}/portal-check-restore.XXXXXXXX")
scratch_db=portal_restore_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
created=0
# shellcheck disable=SC2317  # run by the trap below
cleanup() {
    status=$?
    if [ "$created" -eq 1 ]; then
        # Only the database this script created, never another.
        (eval "$pg_vars"; dropdb --if-exists "$scratch_db") || echo "Không xoá được $scratch_db." >&2
    fi
    rm -rf "$workdir"
    exit "$status"
}
trap cleanup EXIT

if [ -z "$BACKUP" ]; then
    "$DEPLOY_DIR/backup.sh" --dest "$workdir/backups" || exit $?
    BACKUP=$(find "$workdir/backups" -mindepth 1 -maxdepth 1 -type d -name 'portal-*' | head -n 1)
    TEMPORARY=1
fi

# Created here, so that the cleanup drops only a database this run made.
(eval "$pg_vars"; createdb "$scratch_db") \
    || { echo "Không tạo được cơ sở dữ liệu thử $scratch_db (vai trò cần quyền CREATEDB)." >&2; exit 1; }
created=1
scratch_url=$("$PYTHON" "$DEPLOY_DIR/pg_env.py" with-name "$DATABASE_URL" "$scratch_db")

set +e
"$DEPLOY_DIR/restore.sh" --verify --database-url "$scratch_url" --media-root "$workdir/media" "$BACKUP"
status=$?
set -e
elapsed=$(($(date +%s) - started))
[ $TEMPORARY -eq 0 ] || BACKUP="vừa tạo (tạm, đã xoá)"
if [ $status -eq 0 ]; then
    echo "Bản sao lưu $BACKUP khôi phục được và giống hệt bản kê (kiểm tra trong ${elapsed} giây)."
    exit 0
fi
echo "Bản sao lưu $BACKUP KHÔNG khôi phục đúng (mã $status, sau ${elapsed} giây)." >&2
exit 1
