"""PostgreSQL restarted under load: the portal must recover on its own.

Serves the portal with gunicorn (gunicorn.conf.py, production settings, 2 workers holding
persistent database connections), logs in through the login form and checks that:

- idle workers whose connections the server cut (``pg_terminate_backend`` on this
  database only) answer their next requests normally;
- with 2 threads requesting a few pages while PostgreSQL restarts, every request started
  more than RECOVERY_LIMIT seconds after PostgreSQL answers again succeeds (HTTP 200);
  it prints how long recovery took;
- gunicorn's master is the same process throughout and was never restarted, and no
  worker had to be replaced.

Run with the project's virtualenv: ``make check-recovery``. It needs this machine's
PostgreSQL cluster on 127.0.0.1:5432 and the right to restart it (``pg_ctlcluster``, as
root). It uses the database ``portal_recovery`` (created and migrated if needed) and
leaves PostgreSQL answering even when the check fails. Exit status 0 when the portal
recovered, 1 when it did not, 2 when the check could not run.
"""

import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import psycopg2

BASE_DIR = Path(__file__).resolve().parent.parent
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DB_NAME = "portal_recovery"
USERNAME = "ngoaivu"  # the coordinator account of seed_demo: every page below is theirs
PAGES = ["/overview/", "/deadlines/", "/review/", "/plans/", "/health/"]
THREADS = 2
WARM_SECONDS = 5
RECOVERY_LIMIT = 20.0
# Requests go on this long after PostgreSQL answers, past the limit, to show they succeed.
AFTER_SECONDS = RECOVERY_LIMIT + 10
REQUEST_TIMEOUT = 15
# Variables of this shell that would point the portal elsewhere (another database, a broker).
CLEARED_ENV = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")


class CheckError(Exception):
    """The check could not be carried out (as opposed to the portal failing it)."""


def log(message):
    print(message, flush=True)


# --- PostgreSQL -------------------------------------------------------------------------


def pg_cluster_version():
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if len(versions) != 1:
        raise CheckError(f"expected one PostgreSQL version in /etc/postgresql, found {versions}")
    return versions[0]


def pg_connect(dbname="postgres"):
    return psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname, connect_timeout=2)


def pg_answers():
    try:
        with pg_connect() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        connection.close()
        return True
    except psycopg2.Error:
        return False


def pg_wait(timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pg_answers():
            return True
        time.sleep(0.1)
    return False


def pg_ctl(version, action):
    return subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        capture_output=True,
        text=True,
        timeout=120,
    )


def database_ensure():
    connection = pg_connect()
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
            log(f"Created database {DB_NAME}.")
    connection.close()


# --- the portal -------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def portal_env(workdir):
    """Production settings, except that static files are collected into ``workdir``."""
    settings_dir = workdir / "settings"
    settings_dir.mkdir()
    (settings_dir / "recovery_settings.py").write_text(
        "from dien_bien_portal.settings.production import *  # noqa: F403\n\n"
        f"STATIC_ROOT = {str(workdir / 'static')!r}\n"
    )
    env = {key: value for key, value in os.environ.items() if key not in CLEARED_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="recovery_settings",
        PYTHONPATH=os.pathsep.join([str(settings_dir), str(BASE_DIR)]),
        DATABASE_URL=f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}",
        # Workers keep their connection between requests: the restart breaks them.
        DATABASE_CONN_MAX_AGE="60",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        MEDIA_ROOT=str(workdir / "media"),
    )
    return env


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise CheckError(f"manage.py {' '.join(args[:1])} failed:\n{result.stdout}\n{result.stderr}")


def gunicorn_start(env, port, log_path):
    env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        # No planned worker recycling during the check: any new worker means one died.
        "GUNICORN_MAX_REQUESTS": "0",
    }
    with open(log_path, "w") as log_file:
        return subprocess.Popen(
            # No control socket: its default path is shared by every gunicorn of this user.
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket"]
            + ["dien_bien_portal.wsgi"],
            cwd=BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )


def gunicorn_stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(35)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


# --- HTTP ------------------------------------------------------------------------------


class Browser:
    """Just enough of a browser: cookies by hand (the production cookies are Secure, and
    the proxy header says the request came over HTTPS)."""

    def __init__(self, port):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            all_headers = {"X-Forwarded-Proto": "https", **(headers or {})}
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            content = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, response, content
        finally:
            connection.close()

    def login(self, username, password):
        status, _response, content = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if status != 200 or not match:
            raise CheckError(f"the login page answered {status} without a CSRF token")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1).decode()}
        )
        status, response, _content = self.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}/accounts/login/",
            },
        )
        # Production names it "__Host-sessionid"; whatever the name, a session cookie came.
        if status != 302 or not any(name.endswith("sessionid") for name in self.cookies):
            raise CheckError(f"logging in as {username} answered {status}")


def wait_until_serving(browser, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CheckError("gunicorn exited at start")
        try:
            if browser.request("GET", "/health/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise CheckError("gunicorn did not serve /health/ with 200")


@dataclass
class Sample:
    start: float
    end: float
    path: str
    status: int | None  # None: no HTTP answer at all
    error: str = ""


def load(browser, offset, stop, samples, lock):
    index = offset
    while not stop.is_set():
        path = PAGES[index % len(PAGES)]
        index += 1
        start = time.monotonic()
        try:
            status, error = browser.request("GET", path)[0], ""
        except OSError as exc:
            status, error = None, type(exc).__name__
        with lock:
            samples.append(Sample(start, time.monotonic(), path, status, error))
        time.sleep(0.02)  # a steady load, not a benchmark


# --- the check -------------------------------------------------------------------------


def describe(samples):
    errors = [s for s in samples if s.status != 200]
    kinds = {}
    for s in errors:
        key = f"{s.status or s.error} on {s.path}" if s.path == "/health/" else str(s.status or s.error)
        kinds[key] = kinds.get(key, 0) + 1
    detail = ", ".join(f"{kind} ×{count}" for kind, count in sorted(kinds.items()))
    return f"{len(samples)} requests, {len(errors)} failed" + (f" ({detail})" if detail else "")


def backends_terminate():
    """Cut the portal's database connections from the server side (what a restart does to
    workers that sit idle), without touching any other database of the cluster."""
    connection = pg_connect()
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [DB_NAME],
        )
        count = cursor.fetchone()[0]
    connection.close()
    return count


def idle_connections_cut(browser):
    """Idle workers whose persistent connection died answer the next request normally:
    Django's CONN_HEALTH_CHECKS replaces the connection before the request uses it."""
    for _ in range(10):  # both workers open their connection
        if browser.request("GET", "/overview/")[0] != 200:
            raise CheckError("the overview does not answer 200")
    cut = backends_terminate()
    statuses = [browser.request("GET", PAGES[i % len(PAGES)])[0] for i in range(10)]
    return cut, statuses


def gunicorn_boots(log_path):
    return re.findall(r"Booting worker with pid: (\d+)", log_path.read_text(errors="replace"))


def run(workdir):
    version = pg_cluster_version()
    if not pg_wait(10):
        raise CheckError(f"PostgreSQL does not answer at {PG_HOST}:{PG_PORT}")
    database_ensure()
    env = portal_env(workdir)
    password = secrets.token_urlsafe(16)
    log("Migrating, seeding the demo accounts, collecting static files…")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--password", password)
    manage(env, "collectstatic", "--noinput")

    port = free_port()
    gunicorn_log = workdir / "gunicorn.log"
    process = gunicorn_start(env, port, gunicorn_log)
    master_pid = process.pid
    stop = threading.Event()
    threads = []
    try:
        browser = Browser(port)
        wait_until_serving(browser, process)
        browser.login(USERNAME, password)
        log(f"gunicorn master {master_pid} serving on 127.0.0.1:{port}; logged in as {USERNAME}.")
        cut, idle_statuses = idle_connections_cut(browser)
        log(
            f"Idle workers, their {cut} connections cut: the next {len(idle_statuses)} requests answered "
            + ", ".join(map(str, idle_statuses))
        )

        samples, lock = [], threading.Lock()
        for offset in range(THREADS):
            # Each thread its own session, as two officials would have.
            own = Browser(port)
            own.login(USERNAME, password)
            thread = threading.Thread(target=load, args=(own, offset, stop, samples, lock), daemon=True)
            thread.start()
            threads.append(thread)
        time.sleep(WARM_SECONDS)

        log(f"Restarting PostgreSQL {version} (pg_ctlcluster … restart)…")
        restart_start = time.monotonic()
        result = pg_ctl(version, "restart")
        restart_done = time.monotonic()
        if result.returncode != 0:
            raise CheckError(f"pg_ctlcluster restart failed: {result.stderr.strip()}")
        if not pg_wait(60):
            raise CheckError("PostgreSQL did not answer within 60 s of its restart")
        pg_ready = time.monotonic()
        time.sleep(max(0.0, pg_ready + AFTER_SECONDS - time.monotonic()))
    finally:
        stop.set()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT + 5)
        master_alive = process.poll() is None
        gunicorn_stop(process)

    before = [s for s in samples if s.end < restart_start]
    during = [s for s in samples if restart_start <= s.end < pg_ready]
    after = [s for s in samples if s.end >= pg_ready]
    failed_after = [s for s in after if s.status != 200]
    recovery = max((s.end - pg_ready for s in failed_after), default=0.0)
    late = [s for s in after if s.start >= pg_ready + RECOVERY_LIMIT]
    late_failed = [s for s in late if s.status != 200]
    boots = gunicorn_boots(gunicorn_log)
    restarted = re.search(
        r"Handling signal: (hup|usr2)|Reexecuting", gunicorn_log.read_text(errors="replace")
    )

    log("")
    log(
        f"PostgreSQL {version}: restart took {restart_done - restart_start:.1f} s; answering again "
        f"{pg_ready - restart_start:.1f} s after it began."
    )
    log(f"before the restart:  {describe(before)}")
    log(f"during the restart:  {describe(during)}")
    log(f"after it answered:   {describe(after)}")
    log(f"seconds to recovery: {recovery:.1f} (last failed request ended then; limit {RECOVERY_LIMIT:.0f} s)")
    log(
        f"gunicorn: master {master_pid} {'alive throughout' if master_alive else 'GONE'}, "
        f"workers booted: {len(boots)} ({', '.join(boots)})"
    )

    problems = []
    if cut == 0 or any(status != 200 for status in idle_statuses):
        problems.append("idle workers did not recover from cut connections at the first request")
    if not before or any(s.status != 200 for s in before):
        problems.append("requests failed before the restart")
    if recovery > RECOVERY_LIMIT or late_failed:
        problems.append(f"requests still failed more than {RECOVERY_LIMIT:.0f} s after PostgreSQL answered")
    if len(late) < 20:
        problems.append(f"only {len(late)} requests after the recovery limit: too few to tell")
    if not master_alive or restarted:
        problems.append("gunicorn's master did not run throughout, or was restarted")
    if len(boots) != 2:
        problems.append("a gunicorn worker had to be replaced")
    if problems:
        log("FAILED: " + "; ".join(problems))
        log(f"gunicorn log (last lines):\n{gunicorn_log.read_text(errors='replace')[-3000:]}")
        return 1
    log("OK: the portal recovered on its own.")
    return 0


def main():
    workdir = Path(tempfile.mkdtemp(prefix="portal-recovery-"))
    try:
        return run(workdir)
    except CheckError as exc:
        log(f"The check could not run: {exc}")
        return 2
    finally:
        # Whatever happened, leave PostgreSQL answering.
        if not pg_answers():
            log("PostgreSQL is not answering; starting it.")
            try:
                pg_ctl(pg_cluster_version(), "start")
            except (CheckError, OSError, subprocess.SubprocessError) as exc:
                log(f"Could not start PostgreSQL: {exc}")
            if not pg_wait(60):
                log("PostgreSQL is still not answering.")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
