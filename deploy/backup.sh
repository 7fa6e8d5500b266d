#!/usr/bin/env bash
# Sao lưu cổng thông tin: cơ sở dữ liệu PostgreSQL, tệp minh chứng (MEDIA_ROOT) và bản kê.
#
#   deploy/backup.sh [--dest THƯ_MỤC] [--keep N]
#
# Reads DATABASE_URL and MEDIA_ROOT from the environment (load the service's env file
# first: `set -a; . /etc/portal/portal.env; set +a`) and writes one folder
# DEST/portal-YYYYMMDD-HHMMSS/ holding:
#   database.dump   pg_dump -Fc of DATABASE_URL's database
#   media.tar       everything under MEDIA_ROOT
#   manifest.json   `manage.py backup_manifest` of the same database state
#   SHA256SUMS      checksums of the three, checked by restore.sh
# The dump and the manifest read one exported snapshot, so they describe the same state
# even while the portal is in use. The media archive is taken after the dump: evidence
# files are written before their rows are committed, so it holds every file the dump
# refers to. The folder is built under a hidden name and renamed only when complete.
#
# Exit status: 0 done; 1 failed while backing up (nothing left behind);
#              2 refused: a piece is missing (variable, folder, tool), nothing written.
set -euo pipefail
# The backup holds every account and document: readable by its owner only.
umask 077

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PORTAL_PYTHON:-$PROJECT_DIR/.venv/bin/python}
DEST=${BACKUP_DIR:-$PROJECT_DIR/backups}
KEEP=0

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; }
refuse() { echo "Không sao lưu: $*" >&2; exit 2; }
fail() { echo "Sao lưu thất bại: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --dest) [ $# -ge 2 ] || refuse "--dest cần một thư mục."; DEST=$2; shift 2 ;;
        --keep) [ $# -ge 2 ] || refuse "--keep cần một số."; KEEP=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; refuse "tham số không hiểu: $1" ;;
    esac
done
[[ "$KEEP" =~ ^[0-9]+$ ]] || refuse "--keep phải là một số nguyên (0 = giữ tất cả), không phải $KEEP."

for tool in pg_dump psql tar sha256sum; do
    command -v "$tool" >/dev/null || refuse "thiếu công cụ $tool (gói postgresql-client, tar, coreutils)."
done
[ -x "$PYTHON" ] || refuse "không có Python của cổng $PYTHON (tạo .venv, hoặc đặt PORTAL_PYTHON)."
[ -n "${DATABASE_URL:-}" ] || refuse "DATABASE_URL chưa được đặt (nạp tệp môi trường của dịch vụ trước)."
[ -n "${MEDIA_ROOT:-}" ] || refuse "MEDIA_ROOT chưa được đặt (nạp tệp môi trường của dịch vụ trước)."
[ -d "$MEDIA_ROOT" ] || refuse "thư mục tệp minh chứng MEDIA_ROOT=$MEDIA_ROOT không tồn tại."
[ -r "$MEDIA_ROOT" ] || refuse "không đọc được MEDIA_ROOT=$MEDIA_ROOT."
pg_vars=$("$PYTHON" "$PROJECT_DIR/deploy/pg_env.py" exports "$DATABASE_URL") || exit 2
eval "$pg_vars"
mkdir -p "$DEST" 2>/dev/null || refuse "không tạo được thư mục đích $DEST."
[ -w "$DEST" ] || refuse "không ghi được vào thư mục đích $DEST."
psql -X -q -At -c "SELECT 1" >/dev/null || refuse "không kết nối được cơ sở dữ liệu $PGDATABASE."

started=$(date +%s)
name=portal-$(date +%Y%m%d-%H%M%S)
final="$DEST/$name"
work="$DEST/.$name.partial"
[ ! -e "$final" ] || refuse "$final đã có (hai lần sao lưu trong cùng một giây?)."
mkdir "$work"

snapshot_pid=""
cleanup() {
    status=$?
    if [ -n "$snapshot_pid" ]; then
        kill "$snapshot_pid" 2>/dev/null || true
        wait "$snapshot_pid" 2>/dev/null || true
    fi
    if [ $status -ne 0 ] && [ -d "$work" ]; then
        rm -rf "$work"
        echo "Đã xoá bản sao lưu dở dang." >&2
    fi
}
trap cleanup EXIT

# A session that holds one snapshot open while pg_dump and the manifest read it.
coproc SNAPSHOT { exec psql -X -q -At -v ON_ERROR_STOP=1 2>&1; }
# shellcheck disable=SC2153  # SNAPSHOT_PID is set by coproc
snapshot_pid=$SNAPSHOT_PID
printf '%s\n' "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;" "SELECT pg_export_snapshot();" >&"${SNAPSHOT[1]}"
read -r -t 60 snapshot <&"${SNAPSHOT[0]}" || fail "không lấy được snapshot của cơ sở dữ liệu."
[[ "$snapshot" =~ ^[0-9A-Fa-f-]+$ ]] || fail "không lấy được snapshot: $snapshot"

echo "Sao lưu cơ sở dữ liệu $PGDATABASE (pg_dump)…"
pg_dump --format=custom --snapshot="$snapshot" --file="$work/database.dump" \
    || fail "pg_dump không chạy được."

# --strict: a live evidence file that is missing or differs from its fingerprint (size
# and SHA-256 taken at upload) fails the backup, naming the file, instead of certifying it.
echo "Lập bản kê (backup_manifest), đối chiếu từng tệp minh chứng với lúc tải lên…"
(cd "$PROJECT_DIR" && "$PYTHON" manage.py backup_manifest --strict --snapshot "$snapshot" \
    --output "$work/manifest.json") \
    || fail "bản kê không lập được hoặc có tệp minh chứng thiếu hay bị hỏng (xem ở trên)."

printf '%s\n' "COMMIT;" >&"${SNAPSHOT[1]}"
eval "exec ${SNAPSHOT[1]}>&-"
wait "$snapshot_pid" || true
snapshot_pid=""

echo "Đóng gói tệp minh chứng ($MEDIA_ROOT)…"
set +e
# Not compressed: PDF, JPEG, PNG, DOCX and XLSX are compressed already, and gzip would
# multiply the time (400 MB of such files: 33 s with gzip) for little gain.
tar --create --file="$work/media.tar" --directory="$MEDIA_ROOT" .
tar_status=$?
set -e
# 1 = a file changed while read: an upload in progress, not yet in the dumped state.
[ $tar_status -le 1 ] || fail "tar không đóng gói được $MEDIA_ROOT."
[ $tar_status -eq 0 ] || echo "Lưu ý: có tệp thay đổi trong lúc đóng gói (tệp đang tải lên, không thuộc bản sao lưu này)."

(cd "$work" && sha256sum database.dump media.tar manifest.json >SHA256SUMS)
mv "$work" "$final"

if [ "$KEEP" -gt 0 ]; then
    # Complete backups only (a partial one is hidden), oldest first by their names.
    mapfile -t old < <(find "$DEST" -mindepth 1 -maxdepth 1 -type d -name 'portal-[0-9]*' | sort | head -n "-$KEEP")
    for folder in "${old[@]}"; do
        rm -rf -- "$folder"
        echo "Đã xoá bản sao lưu cũ $folder"
    done
fi

elapsed=$(($(date +%s) - started))
echo "Đã sao lưu vào $final trong ${elapsed} giây:"
(cd "$final" && du -h database.dump media.tar manifest.json)
