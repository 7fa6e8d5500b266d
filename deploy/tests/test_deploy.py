"""The deployment files in deploy/: systemd units that systemd accepts and that start
what exists, exactly one beat, nginx limits that agree with the portal's, an
environment file that production settings start with, and scripts that refuse
politely when a piece is missing."""

import importlib
import importlib.util
import os
import re
import runpy
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings

from documents.imports import MAX_FILE_BYTES as IMPORT_MAX_BYTES
from plans.tests.environment import require

BASE_DIR = Path(settings.BASE_DIR)
DEPLOY = BASE_DIR / "deploy"
UNITS = DEPLOY / "systemd"
INSTALL_DIR = "/srv/portal"
VENV_BIN = f"{INSTALL_DIR}/.venv/bin"
SERVICES = ("portal-web.service", "portal-worker.service", "portal-beat.service")


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as systemd reads it: sections of keys, each key possibly repeated."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def service(name: str) -> dict[str, list[str]]:
    return parse_unit(UNITS / name)["Service"]


def env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "portal.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip('"')
    return values


def exec_start(name: str) -> list[str]:
    (command,) = service(name)["ExecStart"]
    return shlex.split(command)


def test_units_pass_systemd_analyze_verify(tmp_path):
    require(shutil.which("systemd-analyze"), "systemd-analyze is not installed (package systemd)")
    # The units name the install folder; here they point at this checkout and interpreter.
    for unit in UNITS.iterdir():
        text = unit.read_text(encoding="utf-8")
        text = text.replace(VENV_BIN, str(Path(sys.executable).parent)).replace(INSTALL_DIR, str(BASE_DIR))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")

    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
    )

    # Unknown keys and bad values are only warnings to systemd: any output is a failure.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_web_runs_gunicorn_with_the_project_configuration():
    command = exec_start("portal-web.service")
    assert command[0] == f"{VENV_BIN}/gunicorn"
    assert command[command.index("-c") + 1] == "gunicorn.conf.py"
    assert (BASE_DIR / "gunicorn.conf.py").is_file()
    assert command[-1] == "dien_bien_portal.wsgi"
    assert importlib.import_module("dien_bien_portal.wsgi").application is not None
    socket = command[command.index("--control-socket") + 1]
    assert socket.startswith("/run/" + service("portal-web.service")["RuntimeDirectory"][0] + "/")
    assert service("portal-web.service")["Type"] == ["notify"]


@pytest.mark.parametrize(
    ("unit", "subcommand"), [("portal-worker.service", "worker"), ("portal-beat.service", "beat")]
)
def test_celery_units_start_the_project_app(unit, subcommand):
    command = exec_start(unit)
    assert command[:4] == [f"{VENV_BIN}/celery", "-A", "dien_bien_portal", subcommand]
    # `-A dien_bien_portal` finds the app in dien_bien_portal/celery.py.
    assert isinstance(importlib.import_module("dien_bien_portal.celery").app, Celery)


def test_every_program_the_units_start_is_installed_or_shipped():
    for unit in UNITS.glob("*.service"):
        program = exec_start(unit.name)[0]
        if program.startswith(VENV_BIN + "/"):
            # The console scripts that `pip install -r requirements.txt` puts in the venv.
            assert (Path(sys.executable).parent / Path(program).name).exists(), program
        else:
            shipped = BASE_DIR / Path(program).relative_to(INSTALL_DIR)
            assert shipped.is_file() and os.access(shipped, os.X_OK), program


def test_exactly_one_beat_with_its_schedule_in_its_state_directory():
    beats = [unit.name for unit in UNITS.glob("*.service") if "beat" in exec_start(unit.name)]
    assert beats == ["portal-beat.service"]
    beat = service("portal-beat.service")
    (schedule,) = [
        arg.split("=", 1)[1] for arg in exec_start("portal-beat.service") if arg.startswith("--schedule=")
    ]
    assert Path(schedule).parent == Path("/var/lib") / beat["StateDirectory"][0]
    assert "EXACTLY ONE" in (UNITS / "portal-beat.service").read_text(encoding="utf-8")


def test_services_are_hardened_and_share_one_environment_file():
    for name in SERVICES:
        unit = service(name)
        assert unit["User"] == ["portal"], name
        assert unit["EnvironmentFile"] == ["/etc/portal/portal.env"], name
        assert unit["WorkingDirectory"] == [INSTALL_DIR], name
        for key, value in {
            "NoNewPrivileges": "yes",
            "ProtectSystem": "strict",
            "PrivateTmp": "yes",
            "ProtectHome": "yes",
        }.items():
            assert unit[key] == [value], (name, key)
        assert unit["CapabilityBoundingSet"] == [""], name
    # Only the web process writes evidence files; the others write nothing but beat's state.
    assert service("portal-web.service")["ReadWritePaths"] == [env_example()["MEDIA_ROOT"]]
    assert "ReadWritePaths" not in service("portal-worker.service")
    assert "ReadWritePaths" not in service("portal-beat.service")


def test_the_target_starts_and_stops_all_three():
    target = parse_unit(UNITS / "portal.target")
    assert target["Unit"]["Wants"][0].split() == list(SERVICES)
    for name in SERVICES:
        unit = parse_unit(UNITS / name)
        assert unit["Unit"]["PartOf"] == ["portal.target"]
        assert unit["Install"]["WantedBy"] == ["portal.target"]


def test_backup_units_run_the_shipped_scripts():
    assert exec_start("portal-backup.service")[:3] == [
        f"{INSTALL_DIR}/deploy/backup.sh",
        "--dest",
        "/var/backups/portal",
    ]
    assert service("portal-backup.service")["ReadWritePaths"] == ["/var/backups/portal"]
    assert exec_start("portal-restore-check.service") == [
        f"{INSTALL_DIR}/deploy/check-restore.sh",
        "--latest",
        "/var/backups/portal",
    ]


# --- nginx ------------------------------------------------------------------------------


def nginx_conf() -> str:
    text = (DEPLOY / "nginx" / "portal.conf").read_text(encoding="utf-8")
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def nginx_values(directive: str) -> list[str]:
    return re.findall(rf"^\s*{directive}\s+([^;{{}}]+);", nginx_conf(), re.MULTILINE)


def gunicorn_defaults() -> dict:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("GUNICORN_")}
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(clean)
    try:
        return runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_nginx_body_limit_is_just_above_the_evidence_and_import_limits():
    (limit,) = nginx_values("client_max_body_size")
    megabytes = int(limit.removesuffix("m"))
    assert megabytes * 1024 * 1024 > settings.EVIDENCE_MAX_BYTES
    assert megabytes * 1024 * 1024 > IMPORT_MAX_BYTES
    assert megabytes * 1024 * 1024 <= settings.EVIDENCE_MAX_BYTES + 10 * 1024 * 1024
    assert int(env_example()["EVIDENCE_MAX_BYTES"]) == settings.EVIDENCE_MAX_BYTES
    # The refusal page is Vietnamese and names the limit.
    assert "error_page 413" in nginx_conf()
    assert f"tối đa {megabytes} MB" in nginx_conf()


def test_nginx_overwrites_the_client_address_and_passes_the_scheme():
    headers = dict(value.split(None, 1) for value in nginx_values("proxy_set_header"))
    assert headers["X-Forwarded-For"] == "$remote_addr"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["Host"] == "$host"
    # Appending would let a client put its own address first.
    assert "$proxy_add_x_forwarded_for" not in nginx_conf()
    assert env_example()["TRUSTED_PROXY_COUNT"] == "1"


def test_nginx_waits_for_gunicorn_and_proxies_to_its_bind():
    timeout = gunicorn_defaults()["timeout"]
    assert int(env_example()["GUNICORN_TIMEOUT"]) == timeout
    for directive in ("proxy_read_timeout", "proxy_send_timeout"):
        (value,) = nginx_values(directive)
        assert timeout <= int(value.removesuffix("s")) <= timeout + 30, directive
    (server,) = nginx_values("server")
    assert server.split()[0] == env_example()["GUNICORN_BIND"] == gunicorn_defaults()["bind"]
    assert "127.0.0.1" in env_example()["GUNICORN_FORWARDED_ALLOW_IPS"].split(",")


def test_nginx_serves_no_file_of_its_own():
    # Static files come from WhiteNoise through gunicorn; evidence only through the portal.
    assert not nginx_values("alias") and not nginx_values("root")
    assert "ssl_certificate" in nginx_conf()
    assert nginx_values("return")[0] == "301 https://$host$request_uri"


# --- environment file -------------------------------------------------------------------


def test_env_example_names_every_production_variable_and_production_starts_with_it(tmp_path):
    values = env_example()
    for key in (
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "SITE_URL",
        "MEDIA_ROOT",
    ):
        assert key in values, key
    assert values["DJANGO_SETTINGS_MODULE"] == "dien_bien_portal.settings.production"
    assert values["DJANGO_SECRET_KEY"] == "", "the example must not ship a usable secret key"
    assert values["SITE_URL"].startswith("https://")

    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(values, DJANGO_SECRET_KEY="a-long-production-secret-key-for-this-test-only-0123456789")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; print("
            "s.DATABASES['default']['ENGINE'], s.MEDIA_ROOT, s.CELERY_BROKER_URL, s.EMAIL_HOST, s.DEBUG)",
        ],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        values["MEDIA_ROOT"],
        values["REDIS_URL"],
        "mail.dienbien.gov.vn",
        "False",
    ]


# --- scripts: polite refusals (no database needed) ---------------------------------------


def run_script(script: str, *args, env_overrides: dict, tmp_path: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "MEDIA_ROOT") and not key.startswith("PG")
    }
    env.update(PORTAL_PYTHON=sys.executable, TMPDIR=str(tmp_path), **env_overrides)
    return subprocess.run(
        [str(DEPLOY / script), *map(str, args)], env=env, capture_output=True, text=True, timeout=60
    )


def test_backup_refuses_a_database_that_pg_dump_cannot_back_up(tmp_path):
    require(shutil.which("pg_dump"), "pg_dump is not installed (postgresql-client)")
    (tmp_path / "media").mkdir()
    result = run_script(
        "backup.sh",
        "--dest",
        tmp_path / "backups",
        env_overrides={"DATABASE_URL": "sqlite:///portal.sqlite3", "MEDIA_ROOT": str(tmp_path / "media")},
        tmp_path=tmp_path,
    )
    assert result.returncode == 2
    assert "DATABASE_URL không phải PostgreSQL" in result.stderr
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"MEDIA_ROOT": "/nonexistent/media"}, "MEDIA_ROOT=/nonexistent/media không tồn tại"),
        ({"DATABASE_URL": ""}, "DATABASE_URL chưa được đặt"),
        ({"MEDIA_ROOT": ""}, "MEDIA_ROOT chưa được đặt"),
    ],
)
def test_backup_refuses_when_a_piece_is_missing(tmp_path, overrides, message):
    require(shutil.which("pg_dump"), "pg_dump is not installed (postgresql-client)")
    (tmp_path / "media").mkdir()
    env = {"DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal", "MEDIA_ROOT": str(tmp_path / "media")}
    env.update(overrides)
    result = run_script("backup.sh", "--dest", tmp_path / "backups", env_overrides=env, tmp_path=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (tmp_path / "backups").exists()


def test_restore_refuses_an_incomplete_backup_and_missing_targets(tmp_path):
    require(shutil.which("pg_restore"), "pg_restore is not installed (postgresql-client)")
    backup = tmp_path / "portal-20260101-013000"
    backup.mkdir()
    (backup / "database.dump").write_bytes(b"PGDMP")
    target = ["--database-url", "postgres://portal@127.0.0.1:5432/portal_new", "--media-root", tmp_path / "m"]

    incomplete = run_script("restore.sh", *target, backup, env_overrides={}, tmp_path=tmp_path)
    no_target = run_script("restore.sh", backup, env_overrides={}, tmp_path=tmp_path)
    unknown = run_script("restore.sh", "--overwrite", backup, env_overrides={}, tmp_path=tmp_path)

    assert incomplete.returncode == 2
    assert f"bản sao lưu {backup} thiếu media.tar" in incomplete.stderr
    assert no_target.returncode == 2
    assert "chưa nêu --database-url" in no_target.stderr
    assert unknown.returncode == 2
    assert "tham số không hiểu: --overwrite" in unknown.stderr
    assert not (tmp_path / "m").exists()


def test_check_restore_refuses_without_a_server_or_a_backup(tmp_path):
    require(shutil.which("psql"), "psql is not installed (postgresql-client)")
    no_server = run_script("check-restore.sh", env_overrides={}, tmp_path=tmp_path)
    empty = run_script(
        "check-restore.sh",
        "--latest",
        tmp_path,
        env_overrides={"DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal"},
        tmp_path=tmp_path,
    )
    assert no_server.returncode == 2
    assert "DATABASE_URL chưa được đặt" in no_server.stderr
    assert empty.returncode == 2
    assert f"chưa có bản sao lưu nào trong {tmp_path}" in empty.stderr


def test_pg_env_reads_database_url_as_the_settings_do():
    spec = importlib.util.spec_from_file_location("pg_env", DEPLOY / "pg_env.py")
    pg_env = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pg_env)

    assert pg_env.variables("postgres://portal:p%40ss@db.example:6543/portal?sslmode=require") == {
        "PGHOST": "db.example",
        "PGPORT": "6543",
        "PGUSER": "portal",
        "PGPASSWORD": "p@ss",
        "PGDATABASE": "portal",
        "PGSSLMODE": "require",
    }
    # A Unix socket folder, as django-environ reads it.
    assert pg_env.variables("postgres:////var/run/postgresql/portal") == {
        "PGHOST": "/var/run/postgresql",
        "PGDATABASE": "portal",
    }
    assert (
        pg_env.url_with_name("postgres://portal:x@db:5432/portal?sslmode=require", "portal_restore_ab12")
        == "postgres://portal:x@db:5432/portal_restore_ab12?sslmode=require"
    )
    assert pg_env.url_with_name("postgres:////var/run/postgresql/portal", "portal_restore_ab12") == (
        "postgres:////var/run/postgresql/portal_restore_ab12"
    )
    with pytest.raises(pg_env.NotPostgres, match="không phải PostgreSQL"):
        pg_env.variables("sqlite:///portal.sqlite3")
