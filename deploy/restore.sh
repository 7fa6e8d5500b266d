#!/usr/bin/env bash
# Khôi phục một bản sao lưu của backup.sh vào một cơ sở dữ liệu và một thư mục tệp mới.
#
#   deploy/restore.sh --database-url URL --media-root THƯ_MỤC [--verify] [--force] BẢN_SAO_LƯU
#
# The target database is created when it does not exist; an existing one must be empty,
# and so must an existing media folder. --force empties the database's public schema
# and writes the files over the folder's (stop the portal's services first). Both
# targets are named on the command line, never taken from DATABASE_URL/MEDIA_ROOT, so
# that a restore cannot land on the live database by accident.
# The checksums of the backup are checked before anything is touched; the database is
# restored in one transaction (pg_restore --single-transaction --no-owner).
# --verify then runs `manage.py backup_manifest` on the restored copy and compares it
# with the backup's manifest.json: the same rows, plans and evidence files (SHA-256).
#
# Exit status: 0 restored (and identical, with --verify); 1 failed, or --verify found a
#              difference; 2 refused: bad arguments or an incomplete backup, nothing
#              changed; 3 refused: the target database or folder is not empty.
set -euo pipefail
umask 027

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PORTAL_PYTHON:-$PROJECT_DIR/.venv/bin/python}
TARGET_URL=""
TARGET_MEDIA=""
BACKUP=""
FORCE=0
VERIFY=0

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; }
refuse() { echo "Không khôi phục: $*" >&2; exit 2; }
fail() { echo "Khôi phục thất bại: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --database-url) [ $# -ge 2 ] || refuse "--database-url cần một địa chỉ."; TARGET_URL=$2; shift 2 ;;
        --media-root) [ $# -ge 2 ] || refuse "--media-root cần một thư mục."; TARGET_MEDIA=$2; shift 2 ;;
        --force) FORCE=1; shift ;;
        --verify) VERIFY=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) usage >&2; refuse "tham số không hiểu: $1" ;;
        *) [ -z "$BACKUP" ] || refuse "chỉ khôi phục một bản sao lưu mỗi lần."; BACKUP=$1; shift ;;
    esac
done
[ -n "$BACKUP" ] || { usage >&2; refuse "chưa nêu thư mục bản sao lưu."; }
[ -n "$TARGET_URL" ] || refuse "chưa nêu --database-url (cơ sở dữ liệu đích)."
[ -n "$TARGET_MEDIA" ] || refuse "chưa nêu --media-root (thư mục tệp minh chứng đích)."

for tool in pg_restore psql createdb tar sha256sum; do
    command -v "$tool" >/dev/null || refuse "thiếu công cụ $tool (gói postgresql-client, tar, coreutils)."
done
[ -x "$PYTHON" ] || refuse "không có Python của cổng $PYTHON (tạo .venv, hoặc đặt PORTAL_PYTHON)."
[ -d "$BACKUP" ] || refuse "không có thư mục bản sao lưu $BACKUP."
for piece in database.dump media.tar manifest.json SHA256SUMS; do
    [ -f "$BACKUP/$piece" ] || refuse "bản sao lưu $BACKUP thiếu $piece."
done
(cd "$BACKUP" && sha256sum --check --quiet --strict SHA256SUMS) \
    || fail "bản sao lưu $BACKUP bị hỏng: tổng kiểm tra SHA-256 không khớp. Không có gì bị thay đổi."

pg_vars=$("$PYTHON" "$PROJECT_DIR/deploy/pg_env.py" exports "$TARGET_URL") || exit 2
eval "$pg_vars"
target_db=$PGDATABASE

# Every check first; nothing is changed until all of them pass.
exists=$(psql -X -At -d postgres -v name="$target_db" \
    <<<"SELECT count(*) FROM pg_database WHERE datname = :'name';") \
    || refuse "không kết nối được máy chủ PostgreSQL của $target_db."
relations=0
if [ "$exists" = 1 ]; then
    relations=$(psql -X -At -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        AND n.nspname NOT LIKE 'pg_temp%' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')") \
        || refuse "không đọc được cơ sở dữ liệu $target_db."
fi
if [ "$relations" != 0 ] && [ $FORCE -eq 0 ]; then
    echo "Không khôi phục: cơ sở dữ liệu $target_db không rỗng ($relations bảng, dãy số, view)." >&2
    echo "Hãy khôi phục vào một cơ sở dữ liệu mới, hoặc thêm --force để xoá sạch nó." >&2
    exit 3
fi
if [ -e "$TARGET_MEDIA" ] && [ ! -d "$TARGET_MEDIA" ]; then
    refuse "$TARGET_MEDIA không phải là thư mục."
fi
if [ -d "$TARGET_MEDIA" ] && [ -n "$(ls -A "$TARGET_MEDIA")" ] && [ $FORCE -eq 0 ]; then
    echo "Không khôi phục: thư mục $TARGET_MEDIA không rỗng." >&2
    echo "Hãy chọn một thư mục mới hoặc rỗng, hoặc thêm --force để ghi đè các tệp trùng tên." >&2
    exit 3
fi

started=$(date +%s)
if [ "$exists" != 1 ]; then
    createdb "$target_db" || fail "không tạo được cơ sở dữ liệu $target_db (vai trò cần quyền CREATEDB)."
    echo "Đã tạo cơ sở dữ liệu $target_db."
elif [ "$relations" != 0 ]; then
    echo "--force: xoá sạch lược đồ public của $target_db."
    psql -X -q -v ON_ERROR_STOP=1 -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" \
        || fail "không xoá được dữ liệu cũ của $target_db."
fi

echo "Khôi phục cơ sở dữ liệu $target_db (pg_restore)…"
pg_restore --no-owner --no-acl --exit-on-error --single-transaction --dbname="$target_db" \
    "$BACKUP/database.dump" || fail "pg_restore không khôi phục được; $target_db không bị thay đổi."

echo "Giải nén tệp minh chứng vào $TARGET_MEDIA…"
mkdir -p "$TARGET_MEDIA"
tar --extract --file="$BACKUP/media.tar" --directory="$TARGET_MEDIA" --no-same-owner \
    || fail "tar không giải nén được vào $TARGET_MEDIA (có thể đã giải nén một phần)."
echo "Đã khôi phục trong $(($(date +%s) - started)) giây."

if [ $VERIFY -eq 1 ]; then
    echo "Kiểm tra: so bản kê của bản khôi phục với bản kê đã lưu…"
    restored=$(mktemp)
    trap 'rm -f "$restored"' EXIT
    (cd "$PROJECT_DIR" && DATABASE_URL=$TARGET_URL MEDIA_ROOT=$TARGET_MEDIA \
        "$PYTHON" manage.py backup_manifest --output "$restored" >/dev/null) \
        || fail "manage.py backup_manifest không chạy được trên bản khôi phục."
    if ! diff -u --label "bản kê đã lưu" --label "bản khôi phục" "$BACKUP/manifest.json" "$restored" >"$restored.diff"; then
        head -n 200 "$restored.diff"
        rm -f "$restored.diff"
        echo "KHÁC: bản khôi phục không giống bản kê của bản sao lưu (xem các dòng - và + ở trên)." >&2
        exit 1
    fi
    rm -f "$restored.diff"
    echo "GIỐNG HỆT: bản khôi phục khớp bản kê (số dòng, kế hoạch, tệp minh chứng và SHA-256)."
fi
