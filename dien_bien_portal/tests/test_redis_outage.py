"""Redis lost while officials work: with the cache and the broker on a redis-server that
is stopped (or frozen: connections accepted, nothing answered), every page and action
gives its normal answer within 2 s, and /health/ says 503.

The redis-server is the test's own, on a free port, so stopping it touches nothing else.
"""

import datetime
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dien_bien_portal.cache import BREAKER, redis_cache_settings
from plans.models import Deadline, ProgressReport
from plans.tests.factories import AgencyFactory, PlanFactory, TaskFactory
from plans.tests.fixtures import make_user
from tasks.heartbeat import broker_redis, heartbeat_record

pytestmark = pytest.mark.django_db

LIMIT_SECONDS = 2.0
PASSWORD = "Mat-khau-2026"


def redis_cache(url):
    """The production cache settings (settings.base), on the given server."""
    return redis_cache_settings(url=url, socket_timeout=0.25)


@pytest.fixture(autouse=True)
def _breaker_closed():
    """Each test starts with the cache's breaker closed, and leaves it so."""
    BREAKER.reset()
    yield
    BREAKER.reset()


@pytest.fixture
def workspace(django_user_model):
    agency = AgencyFactory(code="so-tt-tt", name="Sở Thông tin và Truyền thông", short_name="Sở TT&TT")
    coordinating = AgencyFactory(code="so-ngoai-vu", name="Sở Ngoại vụ", short_name="Sở Ngoại vụ")
    plan = PlanFactory(number="139/KH-UBND", coordinating_agency=coordinating)
    due_on = timezone.localdate() + datetime.timedelta(days=10)
    task = TaskFactory(
        area__plan=plan, code="5.1", title="Tuyên truyền đối ngoại", lead_agency=agency, due_on=due_on
    )
    deadline = Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=due_on,
        period_start=due_on.replace(month=1, day=1),
        period_label="Thời hạn",
    )
    officer = make_user(django_user_model, "canbo", "officer", agency)
    officer.email = "canbo@stttt.dienbien.gov.vn"
    officer.save()
    make_user(django_user_model, "ngoaivu", "coordinator", coordinating)
    return deadline


def login(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


class Stopwatch:
    def __init__(self):
        self.timings = {}

    def __call__(self, label, action):
        start = time.monotonic()
        result = action()
        self.timings[label] = time.monotonic() - start
        return result


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_pages_and_actions_answer_normally_within_2_s_while_redis_is_down(
    outage, private_redis, settings, workspace, django_capture_on_commit_callbacks
):
    deadline = workspace
    settings.CACHES = redis_cache(private_redis.url)  # resets django.core.cache.caches
    settings.CELERY_BROKER_URL = private_redis.url
    redis_client = private_redis.client()
    officer = login(Client(), "canbo")
    coordinator = login(Client(), "ngoaivu")
    officer_pages = {
        "agency dashboard": (reverse("agency-dashboard"), "Sở TT&amp;TT"),
        "deadline list": (reverse("deadline-list"), "Tuyên truyền đối ngoại"),
        "deadline page": (reverse("deadline-detail", kwargs={"pk": deadline.pk}), "Tuyên truyền đối ngoại"),
    }
    coordinator_pages = {
        "province overview": (reverse("province-overview"), "Sở TT&amp;TT"),
        "review queue": (reverse("review-queue"), "5.1"),
    }
    submit_url = reverse("report-submit", kwargs={"pk": deadline.pk})

    def submit(narrative):
        data = {"state": "in_progress", "percent": "40", "narrative": narrative}
        return officer.post(submit_url, data)

    def return_latest():
        latest = deadline.reports.latest("submitted_at")
        url = reverse("report-review", kwargs={"pk": latest.pk})
        with django_capture_on_commit_callbacks(execute=True):
            return coordinator.post(url, {"decision": "return", "comment": "Bổ sung minh chứng."})

    # Redis up: pages warmed, the cache and the broker really in use, /health/ green.
    for path, text in officer_pages.values():
        assert text in officer.get(path).content.decode()
    assert submit("Đã xây dựng kế hoạch.").status_code == 302
    for path, text in coordinator_pages.values():
        assert text in coordinator.get(path).content.decode()
    assert return_latest().status_code == 302
    assert redis_client.llen("celery") == 1 and mail.outbox == []  # the notice went to the broker
    cache.set("outage-probe", "cached")
    assert cache.get("outage-probe") == "cached" and redis_client.keys("portal:*")
    with broker_redis(timeout=1) as broker:
        heartbeat_record(client=broker)
    assert coordinator.get("/health/").status_code == 200

    getattr(private_redis, "stop" if outage == "stopped" else "freeze")()
    timed = Stopwatch()

    # The officer's pages and report submission.
    for label, (path, text) in officer_pages.items():
        response = timed(label, lambda path=path: officer.get(path))
        assert response.status_code == 200 and text in response.content.decode(), label
    response = timed("report submission", lambda: submit("Đang triển khai, đã có dự thảo."))
    assert response.status_code == 302 and response["Location"] == officer_pages["deadline page"][0]
    assert deadline.reports.count() == 2
    assert deadline.reports.latest("submitted_at").review_state == ProgressReport.ReviewState.SUBMITTED

    # The coordinator's pages, and returning the report: its notice is sent from here.
    for label, (path, text) in coordinator_pages.items():
        response = timed(label, lambda path=path: coordinator.get(path))
        assert response.status_code == 200 and text in response.content.decode(), label
    response = timed("review (return)", return_latest)
    assert response.status_code == 302 and response["Location"] == reverse("review-queue")
    assert deadline.reports.latest("submitted_at").review_state == ProgressReport.ReviewState.RETURNED
    assert [m.subject for m in mail.outbox] == ["[Trả lại báo cáo] Sở TT&TT – 5.1 – Thời hạn"]

    # A cache miss rather than an error, and /health/ says what is wrong.
    assert timed("cache read", lambda: cache.get("outage-probe")) is None
    response = timed("/health/", lambda: coordinator.get("/health/"))
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == {"status": "fail"}

    print(
        f"\nRedis {outage}: "
        + ", ".join(f"{label} {seconds:.3f} s" for label, seconds in timed.timings.items())
    )
    slow = {label: round(seconds, 3) for label, seconds in timed.timings.items() if seconds >= LIMIT_SECONDS}
    assert slow == {}


def test_a_paused_redis_costs_pages_at_most_twice_their_time_without_a_cache(
    private_redis, settings, workspace
):
    """Paused (SIGSTOP): connections are accepted and nothing is answered. The first cache
    call waits for its socket timeout and opens the breaker; from then on pages are
    computed as with an empty cache, without touching Redis."""
    deadline = workspace
    settings.CACHES = redis_cache(private_redis.url)
    officer = login(Client(), "canbo")
    paths = [
        reverse("agency-dashboard"),
        reverse("deadline-list"),
        reverse("deadline-detail", kwargs={"pk": deadline.pk}),
    ]

    def median_seconds(before_each=lambda: None, rounds=7):
        timings = {path: [] for path in paths}
        for _ in range(rounds):
            for path in paths:
                before_each()
                start = time.monotonic()
                assert officer.get(path).status_code == 200
                timings[path].append(time.monotonic() - start)
        return {path: sorted(values)[len(values) // 2] for path, values in timings.items()}

    # Normal: Redis answering, each page computed (the cache emptied before it), as
    # after any write.
    median_seconds(cache.clear, rounds=1)  # warm the process
    normal = median_seconds(cache.clear)

    private_redis.freeze()
    BREAKER.reset()
    start = time.monotonic()
    assert officer.get(paths[0]).status_code == 200
    first = time.monotonic() - start
    paused = median_seconds()

    print(
        f"\nRedis paused: first page {first:.3f} s; "
        + ", ".join(f"{path} {normal[path] * 1000:.1f} → {paused[path] * 1000:.1f} ms" for path in paths)
    )
    # Redis itself was waited on once (one socket timeout, on the first page), not once per
    # cache call: every later call was refused by the breaker without touching the socket.
    assert BREAKER.failures == 1
    assert {path: paused[path] <= 2 * normal[path] for path in paths} == dict.fromkeys(paths, True)
