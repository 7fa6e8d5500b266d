"""Backup and restore, proven end to end on PostgreSQL: deploy/backup.sh, restore.sh and
check-restore.sh run as the operator runs them, against a real database that this
module creates (Plan 139/KH-UBND and a report with two evidence files), never against
the test database, which lives inside a transaction."""

import hashlib
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from plans.tests.environment import require
from plans.tests.sample_files import pdf_bytes, png_bytes

DEPLOY = Path(settings.BASE_DIR) / "deploy"
PDF = pdf_bytes("Báo cáo kết quả ứng dụng CNTT trong công tác đối ngoại")
PNG = png_bytes(seed=139)
TOOLS = ("pg_dump", "pg_restore", "psql", "createdb", "dropdb", "tar", "sha256sum")

# Run in the source database by `python -c`: an officer of the lead agency of task 5.1
# reports on its deadline with the two files named on the command line.
REPORT_SCRIPT = """
import datetime, json, sys
import django
django.setup()
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from accounts.models import User
from plans import services
from plans.models import Task

task = Task.objects.get(plan__number="139/KH-UBND", code="5.1")
task.schedule = Task.Schedule.ONE_OFF
task.due_on = timezone.localdate() + datetime.timedelta(days=30)
task.save()
services.deadline_sync_for_task(task=task)
officer = User.objects.create_user("canbo.sotttt", password="Mat-khau-2026", agency=task.lead_agency)
officer.groups.add(Group.objects.get(name="Cán bộ đơn vị"))
report = services.report_submit(
    deadline=task.deadlines.get(),
    user=officer,
    state="in_progress",
    percent=60,
    narrative="Đã đưa cổng thông tin đối ngoại vào vận hành thử.",
    files=[
        SimpleUploadedFile("bao-cao-ket-qua.pdf", open(sys.argv[1], "rb").read()),
        SimpleUploadedFile("anh-hoi-nghi.png", open(sys.argv[2], "rb").read()),
    ],
)
print(json.dumps([evidence.file.name for evidence in report.evidence.order_by("pk")]))
"""


def server_url(name: str) -> str:
    """A URL for database ``name`` on the test database's server, with its role."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{name}"


def run_env(database_url: str, media_root: Path, tmp: Path) -> dict:
    """The environment of the production services, pointed at one database and folder."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PG", "CELERY_", "GUNICORN_"))
        and key not in ("DATABASE_URL", "MEDIA_ROOT", "REDIS_URL", "CACHE_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="dien_bien_portal.settings.production",
        DJANGO_SECRET_KEY="backup-restore-test-key-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="doingoai.dienbien.gov.vn",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        PORTAL_PYTHON=sys.executable,
        TMPDIR=str(tmp),
    )
    return env


def run(command, env, *, check=True):
    result = subprocess.run(
        [str(part) for part in command],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        pytest.fail(f"{command} → {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def databases(env) -> set[str]:
    listing = run(
        ["psql", "-X", "-At", "-d", "postgres", "-c", "SELECT datname FROM pg_database"], pg_env(env)
    )
    return set(listing.stdout.split())


def pg_env(env) -> dict:
    exports = run([sys.executable, DEPLOY / "pg_env.py", "exports", env["DATABASE_URL"]], env).stdout
    variables = dict(line.removeprefix("export ").split("=", 1) for line in exports.splitlines())
    return {**env, **{key: value.strip("'") for key, value in variables.items()}}


def drop(env, name):
    run(["dropdb", "--if-exists", "--force", name], pg_env(env))


def backup(env, dest: Path, *extra) -> Path:
    before = set(dest.glob("portal-*")) if dest.exists() else set()
    result = run([DEPLOY / "backup.sh", "--dest", dest, *extra], env)
    assert "Đã sao lưu vào" in result.stdout
    (folder,) = set(dest.glob("portal-*")) - before
    return folder


def restore(env, database: str, media: Path, folder: Path, *flags, check=True):
    """restore.sh into database ``database`` of the test server and folder ``media``."""
    command = [DEPLOY / "restore.sh", *flags, "--database-url", server_url(database), "--media-root", media]
    return run([*command, folder], env, check=check)


def rewrite_sums(folder: Path) -> None:
    """What a backup whose pieces are consistent, but wrong, would carry."""
    lines = [
        f"{hashlib.sha256((folder / piece).read_bytes()).hexdigest()}  {piece}"
        for piece in ("database.dump", "media.tar", "manifest.json")
    ]
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A real database with Plan 139/KH-UBND and one report with two evidence files."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump/pg_restore back up PostgreSQL only; this run uses " + connection.vendor)
    for tool in TOOLS:
        require(shutil.which(tool), f"{tool} is not installed (postgresql-client, tar, coreutils)")
    tmp = tmp_path_factory.mktemp("backup-restore")
    name = f"portal_restore_src_{secrets.token_hex(4)}"
    media = tmp / "media"
    media.mkdir()
    env = run_env(server_url(name), media, tmp)
    run(["createdb", name], pg_env(env))
    try:
        run([sys.executable, "manage.py", "migrate", "--noinput"], env)
        run([sys.executable, "manage.py", "load_plan139"], env)
        (tmp / "in.pdf").write_bytes(PDF)
        (tmp / "in.png").write_bytes(PNG)
        stored = json.loads(
            run([sys.executable, "-c", REPORT_SCRIPT, tmp / "in.pdf", tmp / "in.png"], env).stdout
        )
        yield {"env": env, "name": name, "media": media, "tmp": tmp, "stored": stored}
    finally:
        drop(env, name)


def manifest_of(env) -> str:
    return run([sys.executable, "manage.py", "backup_manifest"], env).stdout


def test_backup_restores_into_a_new_database_identical_to_its_manifest(source):
    env, tmp = source["env"], source["tmp"]
    live_before = manifest_of(env)

    started = time.monotonic()
    folder = backup(env, tmp / "backups")
    backup_seconds = time.monotonic() - started

    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "manifest.json",
        "media.tar",
    ]
    saved = (folder / "manifest.json").read_text(encoding="utf-8")
    assert saved == live_before
    data = json.loads(saved)
    assert data["plans"][0]["number"] == "139/KH-UBND"
    assert (data["plans"][0]["areas"], data["plans"][0]["tasks"], data["plans"][0]["deadlines"]) == (9, 1, 1)
    assert data["summary"]["agencies"] == 36
    assert data["summary"]["reports"] == 1
    assert [(e["name"], e["size"], e["sha256"]) for e in data["evidence"]] == [
        (source["stored"][0], len(PDF), hashlib.sha256(PDF).hexdigest()),
        (source["stored"][1], len(PNG), hashlib.sha256(PNG).hexdigest()),
    ]

    # Restored by hand into a database and folder of our own, then compared here.
    target = f"portal_restore_tgt_{secrets.token_hex(4)}"
    target_media = tmp / "restored-media"
    try:
        started = time.monotonic()
        result = restore(env, target, target_media, folder)
        restore_seconds = time.monotonic() - started
        assert f"Đã tạo cơ sở dữ liệu {target}." in result.stdout
        restored_env = run_env(server_url(target), target_media, tmp)
        assert manifest_of(restored_env) == saved
        assert (target_media / source["stored"][0]).read_bytes() == PDF
        assert (target_media / source["stored"][1]).read_bytes() == PNG
    finally:
        drop(env, target)

    # The proof script does the same on its own scratch database and removes it.
    scratch_before = {d for d in databases(env) if d.startswith("portal_restore_")}
    result = run([DEPLOY / "check-restore.sh", folder], env)
    assert "GIỐNG HỆT" in result.stdout
    assert {d for d in databases(env) if d.startswith("portal_restore_")} == scratch_before
    assert not list(tmp.glob("portal-check-restore.*"))

    # The source was only read.
    assert manifest_of(env) == live_before
    sizes = {piece: (folder / piece).stat().st_size for piece in ("database.dump", "media.tar")}
    print(f"\nbackup {backup_seconds:.1f} s, restore {restore_seconds:.1f} s, sizes {sizes}")


def test_check_without_argument_backs_up_first_and_cleans_up(source):
    env, tmp = source["env"], source["tmp"]
    scratch_before = {d for d in databases(env) if d.startswith("portal_restore_")}

    result = run([DEPLOY / "check-restore.sh"], env)

    assert "Sao lưu cơ sở dữ liệu" in result.stdout
    assert "GIỐNG HỆT" in result.stdout
    assert {d for d in databases(env) if d.startswith("portal_restore_")} == scratch_before
    assert not list(tmp.glob("portal-check-restore.*"))


def test_a_restore_missing_an_evidence_file_fails_the_check(source):
    env, tmp = source["env"], source["tmp"]
    folder = backup(env, tmp / "corrupted")
    missing = source["stored"][1]
    # The media archive rebuilt without the PNG, and checksums to match: only the
    # comparison with the manifest can notice.
    archive = folder / "media.tar"
    with tarfile.open(archive) as original:
        members = [(m, original.extractfile(m).read() if m.isfile() else None) for m in original.getmembers()]
    assert any(m.name.endswith(missing) for m, _ in members)
    with tarfile.open(archive, "w") as rebuilt:
        for member, content in members:
            if not member.name.endswith(missing):
                rebuilt.addfile(member, io.BytesIO(content) if content is not None else None)
    rewrite_sums(folder)
    scratch_before = {d for d in databases(env) if d.startswith("portal_restore_")}

    result = run([DEPLOY / "check-restore.sh", folder], env, check=False)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "KHÁC" in result.stderr
    assert f'"name": "{missing}"' in result.stdout
    assert re.search(r'^\+\s+"missing": true,$', result.stdout, re.MULTILINE)
    assert "GIỐNG HỆT" not in result.stdout
    assert {d for d in databases(env) if d.startswith("portal_restore_")} == scratch_before


def test_a_damaged_backup_is_refused_before_anything_is_restored(source):
    env, tmp = source["env"], source["tmp"]
    folder = backup(env, tmp / "damaged")
    dump = bytearray((folder / "database.dump").read_bytes())
    dump[len(dump) // 2] ^= 0xFF
    (folder / "database.dump").write_bytes(bytes(dump))
    target = f"portal_restore_tgt_{secrets.token_hex(4)}"

    result = restore(env, target, tmp / "damaged-media", folder, check=False)

    assert result.returncode == 1
    assert "bị hỏng: tổng kiểm tra SHA-256 không khớp" in result.stderr
    assert target not in databases(env)
    assert not (tmp / "damaged-media").exists()


def test_restore_refuses_a_database_or_folder_in_use_unless_forced(source):
    env, tmp = source["env"], source["tmp"]
    folder = backup(env, tmp / "force")
    live = manifest_of(env)

    # Onto the source itself: refused, nothing changed.
    result = restore(env, source["name"], tmp / "empty", folder, check=False)
    assert result.returncode == 3
    assert f"cơ sở dữ liệu {source['name']} không rỗng" in result.stderr
    assert manifest_of(env) == live
    assert not (tmp / "empty").exists()

    target = f"portal_restore_tgt_{secrets.token_hex(4)}"
    target_media = tmp / "force-media"
    try:
        restore(env, target, target_media, folder)
        (target_media / "stray.txt").write_text("không thuộc bản sao lưu")
        again = restore(env, target, target_media, folder, check=False)
        assert again.returncode == 3
        assert "không rỗng" in again.stderr

        forced = restore(env, target, target_media, folder, "--force", "--verify")
        assert "--force: xoá sạch lược đồ public" in forced.stdout
        assert "GIỐNG HỆT" in forced.stdout
    finally:
        drop(env, target)


def test_old_backups_beyond_keep_are_removed(source):
    env, tmp = source["env"], source["tmp"]
    dest = tmp / "rotation"
    older = [
        dest / "portal-20250101-013000",
        dest / "portal-20250102-013000",
        dest / "portal-20250103-013000",
    ]
    unrelated = [dest / ".portal-20250104-013000.partial", dest / "ghi-chu"]
    for folder in older + unrelated:
        folder.mkdir(parents=True)

    newest = backup(env, dest, "--keep", "2")

    assert sorted(dest.glob("portal-*")) == [older[-1], newest]
    assert all(folder.exists() for folder in unrelated)


def test_dump_and_manifest_read_the_same_snapshot(source):
    """While the portal is in use, the manifest describes the dumped state, not a later one."""
    import psycopg2

    env = source["env"]
    params = {
        "dbname": source["name"],
        "user": connection.settings_dict["USER"],
        "password": connection.settings_dict["PASSWORD"],
        "host": connection.settings_dict["HOST"],
        "port": connection.settings_dict["PORT"],
    }
    holder = psycopg2.connect(**params)
    writer = psycopg2.connect(**params)
    writer.autocommit = True
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        with writer.cursor() as cursor:
            cursor.execute(
                "INSERT INTO plans_holiday (date, kind, name) VALUES ('2031-01-02', 'day_off', 'Nghỉ bù thử')"
            )
        then = json.loads(
            run([sys.executable, "manage.py", "backup_manifest", "--snapshot", snapshot], env).stdout
        )
        now = json.loads(manifest_of(env))
    finally:
        with writer.cursor() as cursor:
            cursor.execute("DELETE FROM plans_holiday WHERE date = '2031-01-02'")
        holder.rollback()
        holder.close()
        writer.close()

    assert now["counts"]["plans.Holiday"] == then["counts"]["plans.Holiday"] + 1


def test_a_live_evidence_file_changed_since_upload_fails_the_backup_naming_it(source):
    env, tmp, media = source["env"], source["tmp"], source["media"]
    damaged = media / source["stored"][0]
    original = damaged.read_bytes()
    # Same size, one byte changed: only the fingerprint taken at upload can tell.
    damaged.write_bytes(bytes([original[0] ^ 0xFF]) + original[1:])
    dest = tmp / "refused"
    try:
        result = run([DEPLOY / "backup.sh", "--dest", dest], env, check=False)
    finally:
        damaged.write_bytes(original)

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"“{source['stored'][0]}” khác với khi tải lên" in result.stderr
    assert "Sao lưu thất bại" in result.stderr
    assert not list(dest.glob("portal-*"))
