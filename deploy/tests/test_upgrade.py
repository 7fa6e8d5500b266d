"""Upgrading a live portal across the restructuring: a database that the code before it
(commit bca3845, everything under ``plans/``) migrated and filled is taken over by the
code now in the tree with ``migrate``, and still serves its data.

No table was renamed, so a broken upgrade would not show in the suite's own test
database, which the new code builds from nothing. It shows here: a migration importing a
module that moved, models that changed app and left their content types and group
permissions behind, views looking for templates at their old paths, or evidence files
that the new code no longer finds. The old code runs from ``git archive`` of that
commit, with the same Python, against a database of this test's own (SQLite, or a
scratch database on the test suite's PostgreSQL server) and one media folder.
"""

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.base.creation import TEST_DATABASE_PREFIX

from plans.tests.environment import require
from plans.tests.sample_files import PDF_BYTES

BASE_DIR = Path(settings.BASE_DIR)
# The last commit before the restructuring: what a deployment upgrading today runs.
OLD_COMMIT = "bca38459f7ec890af08f5c7d033e8a7d1a58adad"
SEED_TODAY = "2026-11-20"
NARRATIVE = "Kiểm tra nâng cấp: đã biên dịch tài liệu giới thiệu du lịch sang tiếng Lào."
EVIDENCE_NAME = "bien-ban-kiem-tra-nang-cap.pdf"

# Rows counted alike by the old code and the new.
COUNT_ROWS = """
counts = {
    "plans": Plan.objects.count(),
    "tasks": Task.objects.count(),
    "deadlines": Deadline.objects.count(),
    "reports": ProgressReport.objects.count(),
    "evidence": EvidenceFile.objects.count(),
}
"""

# Run by the OLD code (`manage.py shell -c`): the demo officer of Sở TT&TT reports on a
# demo deadline of the agency that has no report yet, through the old services, with a PDF.
OLD_REPORT_SCRIPT = (
    """
import hashlib, json
from django.core.files.uploadedfile import SimpleUploadedFile
from accounts.models import User
from plans import services
from plans.demo import SAMPLE_PREFIX
from plans.models import Deadline, EvidenceFile, Plan, ProgressReport, Task

user = User.objects.get(username="sotttt")
deadline = (
    Deadline.objects.filter(
        task__lead_agency=user.agency, task__title__startswith=SAMPLE_PREFIX, reports__isnull=True
    )
    .order_by("due_on", "pk")
    .first()
)
report = services.report_submit(
    deadline=deadline,
    user=user,
    state="in_progress",
    percent=40,
    narrative=NARRATIVE,
    files=[SimpleUploadedFile(EVIDENCE_NAME, PDF)],
)
(evidence,) = report.evidence.all()
with evidence.file.open("rb") as stored:
    sha256 = hashlib.sha256(stored.read()).hexdigest()
"""
    + COUNT_ROWS
    + """print(json.dumps({
    "report": report.pk,
    "evidence": evidence.pk,
    "deadline": deadline.pk,
    "sha256": sha256,
    "counts": counts,
}))
"""
)

# Run by the NEW code on the upgraded database: the demo users open their pages, as the
# browser would, and what came back is printed for the test to judge.
NEW_CHECK_SCRIPT = (
    """
import hashlib, json
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from accounts.models import User
from plans.models import Deadline, EvidenceFile, Plan, ProgressReport, Task

def fetch(username, url):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    return {"status": response.status_code, "body": body}

pages = {
    "dashboard": fetch("sotttt", "/dashboard/"),
    "deadline": fetch("sotttt", f"/deadlines/{RECORD['deadline']}/"),
    "evidence": fetch("sotttt", f"/evidence/{RECORD['evidence']}/"),
    "review": fetch("ngoaivu", "/review/"),
    "overview": fetch("ngoaivu", "/overview/"),
    "admin_plans": fetch("admin", "/admin/plans/plan/"),
}
evidence = pages["evidence"]
evidence["sha256"] = hashlib.sha256(evidence.pop("body")).hexdigest()
for page in pages.values():
    if "body" in page:
        page["text"] = page.pop("body").decode("utf-8", errors="replace")
"""
    + COUNT_ROWS
    + """# A model that the new code moved to another app would leave its old content type, and
# the groups' permissions on it, behind.
stale = sorted(f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all() if ct.model_class() is None)
print(json.dumps({"pages": pages, "counts": counts, "stale_content_types": stale}))
"""
)


def script(body: str, **values) -> str:
    """``body`` with ``values`` bound as its globals (literals, so no quoting to get wrong)."""
    return "".join(f"{name} = {value!r}\n" for name, value in values.items()) + body


def manage(*args, tree: Path, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    """``manage.py`` of ``tree`` (the old code or the new), run with this interpreter."""
    result = subprocess.run(
        [sys.executable, "manage.py", *map(str, args)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        which = "new" if tree == BASE_DIR else "old"
        pytest.fail(
            f"manage.py {args[0]} of the {which} code exited {result.returncode}\n"
            f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-8000:]}"
        )
    return result


def last_json_line(result: subprocess.CompletedProcess):
    # `shell` prints its own line about auto-imported objects first.
    return json.loads(result.stdout.strip().splitlines()[-1])


def export_old_tree(dest: Path) -> None:
    """`git archive <commit> | tar -x`: the old code exactly as committed, without the
    working tree's changes or any untracked file."""
    require(shutil.which("git") and shutil.which("tar"), "git and tar are needed to export the old code")
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{OLD_COMMIT}^{{commit}}"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    require(
        found.returncode == 0,
        f"commit {OLD_COMMIT[:8]} (the code before the restructuring) is not available in {BASE_DIR.name}/: "
        f"not a git checkout, or a shallow clone ({found.stderr.strip() or 'unknown revision'})",
    )
    archive = subprocess.Popen(["git", "archive", OLD_COMMIT], cwd=BASE_DIR, stdout=subprocess.PIPE)
    extracted = subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout, capture_output=True)
    archive.stdout.close()
    assert archive.wait() == 0, f"git archive {OLD_COMMIT[:8]} failed"
    assert extracted.returncode == 0, f"tar -x failed: {extracted.stderr.decode(errors='replace')}"


def scratch_database_name() -> str:
    """The test database's name plus ``_upgrade``. pytest-django may already have set NAME
    to the test name (or TEST NAME, with xdist's suffix); otherwise it is NAME prefixed."""
    db = settings.DATABASES["default"]
    name = (db.get("TEST") or {}).get("NAME") or db["NAME"]
    if not name.startswith(TEST_DATABASE_PREFIX):
        name = TEST_DATABASE_PREFIX + name
    return f"{name}_upgrade"


@pytest.fixture
def database_url(tmp_path):
    """An empty database of this test's own, of the kind the suite runs on; never the test
    database, which pytest-django builds with the new code and keeps inside transactions."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
        return
    if connection.vendor != "postgresql":
        pytest.skip(f"the upgrade is checked on SQLite and PostgreSQL, not {connection.vendor}")

    import psycopg2
    from psycopg2 import sql

    db = settings.DATABASES["default"]
    name = scratch_database_name()
    server = {
        key: value
        for key, value in {
            "dbname": "postgres",
            "user": db["USER"],
            "password": db["PASSWORD"],
            "host": db["HOST"],
            "port": db["PORT"],
        }.items()
        if value
    }

    def execute(statement):
        # CREATE/DROP DATABASE cannot run in a transaction: a connection of its own, in autocommit.
        admin = psycopg2.connect(**server)
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(statement)
        finally:
            admin.close()

    # FORCE: a run that was killed may have left a connection to it.
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    execute(drop)
    execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    try:
        yield f"postgres://{credentials}@{db['HOST'] or 'localhost'}{port}/{name}"
    finally:
        execute(drop)


def portal_env(database_url: str, media_root: Path) -> dict:
    """The same environment for the old and the new code: one database, one media folder."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Each tree imports its own code only, with the settings given here.
        if not key.startswith(("DJANGO_", "PYTEST_", "DATABASE_"))
        and key not in ("MEDIA_ROOT", "PYTHONPATH", "PYTHONSAFEPATH")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="dien_bien_portal.settings.dev",
        DJANGO_SECRET_KEY="upgrade-test-" + secrets.token_urlsafe(32),
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        # Empty rather than absent, so a developer's .env cannot bring in a Redis cache or a
        # broker that would hold pages or work outside the database under test.
        CACHE_URL="",
        REDIS_URL="",
        CELERY_BROKER_URL="",
    )
    return env


def test_database_of_the_old_code_is_upgraded_and_served_by_the_new_code(tmp_path, database_url):
    old_tree = tmp_path / "old"
    old_tree.mkdir()
    export_old_tree(old_tree)
    media = tmp_path / "media"
    media.mkdir()
    env = portal_env(database_url, media)
    password = "Nang-cap-" + secrets.token_urlsafe(16)

    # The deployment as it stood: migrated, Plan 139 and the demo data loaded, one report filed.
    manage("migrate", "--noinput", tree=old_tree, env=env)
    manage("load_plan139", tree=old_tree, env=env)
    manage("seed_demo", "--password", password, "--today", SEED_TODAY, tree=old_tree, env=env)
    report_script = script(OLD_REPORT_SCRIPT, NARRATIVE=NARRATIVE, EVIDENCE_NAME=EVIDENCE_NAME, PDF=PDF_BYTES)
    before = last_json_line(manage("shell", "-c", report_script, tree=old_tree, env=env))
    assert before["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest(), "the old code stored other bytes"
    # Counts of zero would make the comparison after the upgrade prove nothing.
    assert all(before["counts"].values()), before["counts"]

    # The upgrade, as the deployment runs it.
    manage("migrate", "--noinput", tree=BASE_DIR, env=env)
    unapplied = manage("migrate", "--check", tree=BASE_DIR, env=env, check=False)
    assert unapplied.returncode == 0, f"migrations left unapplied after migrate:\n{unapplied.stdout}"
    missing = manage("makemigrations", "--check", "--dry-run", tree=BASE_DIR, env=env, check=False)
    assert missing.returncode == 0, (
        f"the new models differ from their migrations:\n{missing.stdout}\n{missing.stderr[-4000:]}"
    )

    checked = manage("shell", "-c", script(NEW_CHECK_SCRIPT, RECORD=before), tree=BASE_DIR, env=env)
    after = last_json_line(checked)
    pages = after["pages"]

    assert after["counts"] == before["counts"], "rows lost or added by the upgrade"
    assert after["stale_content_types"] == [], "content types of models the new code no longer has"

    assert pages["dashboard"]["status"] == 200, "sotttt: /dashboard/"
    assert pages["deadline"]["status"] == 200, f"sotttt: /deadlines/{before['deadline']}/"
    assert NARRATIVE in pages["deadline"]["text"], "the deadline page does not show the old report"
    assert pages["evidence"]["status"] == 200, f"sotttt: /evidence/{before['evidence']}/"
    assert pages["evidence"]["sha256"] == before["sha256"], "the evidence file served is not the one stored"

    assert pages["review"]["status"] == 200, "ngoaivu: /review/"
    assert NARRATIVE in pages["review"]["text"], "the review queue does not list the old report"
    assert f'action="/reports/{before["report"]}/review/"' in pages["review"]["text"], (
        "the review queue offers no review of the old report"
    )
    assert pages["overview"]["status"] == 200, "ngoaivu: /overview/"

    assert pages["admin_plans"]["status"] == 200, "admin: /admin/plans/plan/"
    assert "139/KH-UBND" in pages["admin_plans"]["text"], "the admin does not list Plan 139/KH-UBND"
