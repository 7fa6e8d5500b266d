"""Imports of many rows run in the background: a job, its progress page, its result or
its errors, and who may see it."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import reverse

from documents import services
from documents.imports import read_rows
from documents.models import ImportJob
from documents.row_codec import rows_dump
from documents.services import plan_import_apply, plan_import_job_create
from documents.tests import test_import, test_import_bulk
from documents.tests.test_import import GOOD_ROWS, apply, upload, xlsx
from documents.tests.test_import_bulk import TODAY, plan_make, table_docx
from plans.models import Deadline, Task
from plans.tests.fixtures import make_user
from tasks.tests import conftest as reminder_fixtures
from tasks.tests.conftest import wait_for

# Fixtures of the import's tests, and the reminders' real Redis and Celery worker.
agencies = test_import_bulk.agencies
coordinator, known, plan, stash_dir = (
    test_import.coordinator,
    test_import.known,
    test_import.plan,
    test_import.stash_dir,
)
redis_broker, smtp_server, worker = (
    reminder_fixtures.redis_broker,
    reminder_fixtures.smtp_server,
    reminder_fixtures.worker,
)


@pytest.fixture
def background(settings):
    """Files of more than two rows are applied in the background; no broker: the job
    runs in-process, in the request that queued it."""
    settings.PLAN_IMPORT_BACKGROUND_ROWS = 2
    settings.CELERY_BROKER_URL = ""


def job_url(plan, job):
    return reverse("admin:plans_plan_import_job", args=[plan.pk, job.pk])


def test_a_small_import_still_applies_in_the_request(coordinator, plan, known, stash_dir):
    assert "việc nhập chạy nền" not in upload(coordinator, plan, xlsx(GOOD_ROWS)).content.decode()
    response = apply(coordinator, plan)
    assert response["Location"] == reverse("admin:plans_plan_change", args=[plan.pk])
    assert Task.objects.filter(plan=plan).count() == 3
    assert not ImportJob.objects.exists()


def test_a_big_import_runs_as_a_job_and_its_page_shows_the_result(
    coordinator, plan, known, stash_dir, background
):
    preview = upload(coordinator, plan, xlsx(GOOD_ROWS), name="bang-nhiem-vu.xlsx")
    assert "Tệp có 3 dòng: việc nhập chạy nền" in preview.content.decode()
    response = apply(coordinator, plan)
    job = ImportJob.objects.get()
    assert response["Location"] == job_url(plan, job)
    assert (job.state, job.rows_total, job.rows_done) == (ImportJob.State.DONE, 3, 3)
    assert job.rows == ""  # the rows are not kept once the job has run
    assert (job.created, job.updated, job.unchanged, job.errors) == (3, 0, 0, [])
    assert job.user.username == "ngoaivu" and job.file_name == "bang-nhiem-vu.xlsx"
    assert job.started_at <= job.finished_at
    assert Task.objects.filter(plan=plan).count() == 3
    assert Deadline.objects.filter(task__plan=plan).count() == 1 + 3 + 6
    assert list(stash_dir.iterdir()) == []  # the job keeps the rows

    html = coordinator.get(response["Location"]).content.decode()
    assert "Đã nhập xong 3 dòng." in html
    assert "<li>Tạo mới: <strong>3</strong></li>" in html
    assert f'href="{reverse("admin:plans_task_changelist")}?plan__id__exact={plan.pk}"' in html
    assert 'http-equiv="refresh"' not in html  # finished: the page no longer reloads


def test_a_refused_job_ends_failed_with_its_messages_and_saves_nothing(
    coordinator, plan, known, stash_dir, background
):
    rows = [*GOOD_ROWS, ["2.1", 2, "Nhiệm vụ nội dung 2", "", "Sở Nội vụ", "", "Hằng quý"]]
    upload(coordinator, plan, xlsx(rows))
    plan.areas.get(number=2).delete()  # after the preview, before the apply

    response = apply(coordinator, plan)
    job = ImportJob.objects.get()
    assert (job.state, job.rows) == (ImportJob.State.FAILED, "")
    assert job.errors == ["Dòng 5: Kế hoạch 139/KH-UBND không có nội dung số 2 (các nội dung có: 1, 5)."]
    assert not Task.objects.exists() and not Deadline.objects.exists()

    html = coordinator.get(response["Location"]).content.decode()
    assert "Không nhập được; chưa lưu gì." in html
    assert "Dòng 5: Kế hoạch 139/KH-UBND không có nội dung số 2" in html


def test_a_running_job_shows_its_progress_and_reloads(coordinator, plan, known, django_user_model):
    user = django_user_model.objects.get(username="ngoaivu")
    job = plan_import_job_create(
        plan=plan, user=user, rows=b"[]", file_name="lon.docx", accept_proposals=False
    )
    job.state, job.rows_total = ImportJob.State.RUNNING, 2000
    job.save()
    cache.set(job.progress_key, 800)
    try:
        html = coordinator.get(job_url(plan, job)).content.decode()
    finally:
        cache.delete(job.progress_key)
    assert "Đang nhập: 800/2.000 dòng." in html
    assert '<meta http-equiv="refresh" content="2">' in html


def test_the_apply_reports_its_progress_as_rows_are_written(agencies, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_BATCH_ROWS", 5)
    reported = []
    plan_import_apply(
        plan=plan_make("12/KH-UBND"),
        rows=read_rows(table_docx(12)),
        today=TODAY,
        progress=lambda done, total: reported.append((done, total, Task.objects.count())),
    )
    # After each batch, its tasks are written (in the import's still open transaction).
    assert reported == [(5, 12, 5), (10, 12, 10), (12, 12, 12)]


def test_a_job_is_seen_only_by_who_started_it_or_a_superuser(client, plan, known, django_user_model):
    starter = make_user(django_user_model, "ngoaivu", "coordinator", known["ngoai-vu"])
    job = plan_import_job_create(
        plan=plan, user=starter, rows=b"[]", file_name="a.xlsx", accept_proposals=False
    )
    url = job_url(plan, job)

    other = make_user(django_user_model, "ngoaivu2", "coordinator", known["ngoai-vu"])
    other.is_staff = True
    other.save()
    client.force_login(other)
    assert client.get(url).status_code == 404

    officer = make_user(django_user_model, "canbo", "officer", known["tttt"])
    officer.is_staff = True
    officer.save()
    client.force_login(officer)
    assert client.get(url).status_code == 403

    admin = django_user_model.objects.create_superuser("quantri", password="Mat-khau-2026")
    client.force_login(admin)
    assert client.get(url).status_code == 200

    starter.is_staff = True
    starter.save()
    client.force_login(starter)
    assert client.get(url).status_code == 200
    # A job of another plan is not found under this one.
    assert client.get(reverse("admin:plans_plan_import_job", args=[plan.pk + 1, job.pk])).status_code == 404


def test_the_same_rows_cannot_be_applied_again_while_their_job_waits(
    coordinator, plan, known, stash_dir, background, django_user_model
):
    data = xlsx(GOOD_ROWS)
    user = django_user_model.objects.get(username="ngoaivu")
    waiting = plan_import_job_create(
        plan=plan, user=user, rows=rows_dump(read_rows(data)), file_name="bang.xlsx", accept_proposals=False
    )

    upload(coordinator, plan, data)
    response = apply(coordinator, plan)
    assert response.status_code == 409
    assert "Tệp “bang.xlsx” đang được nhập vào kế hoạch 139/KH-UBND" in response.content.decode()
    assert list(ImportJob.objects.all()) == [waiting]
    assert not Task.objects.exists()
    with pytest.raises(ValidationError):
        plan_import_job_create(
            plan=plan, user=user, rows=waiting.rows.encode(), file_name="", accept_proposals=False
        )


def test_a_job_that_never_ended_is_shown_stopped_and_holds_nothing_back(
    coordinator, plan, known, django_user_model
):
    user = django_user_model.objects.get(username="ngoaivu")
    job = plan_import_job_create(plan=plan, user=user, rows=b"[]", file_name="a.xlsx", accept_proposals=False)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.RUNNING, created_at=job.created_at - datetime.timedelta(minutes=61)
    )
    html = coordinator.get(job_url(plan, job)).content.decode()
    assert "Lần nhập này chưa kết thúc sau 1 giờ: việc nhập đã bị dừng giữa chừng, chưa lưu gì." in html
    assert 'http-equiv="refresh"' not in html
    # The same rows may be applied again.
    again = plan_import_job_create(
        plan=plan, user=user, rows=b"[]", file_name="a.xlsx", accept_proposals=False
    )
    assert again.state == ImportJob.State.QUEUED


def test_a_big_import_runs_on_a_celery_worker(coordinator, plan, known, stash_dir, settings, worker):
    """The real set-up: Redis as the broker, a Celery worker on the same PostgreSQL
    database; the request only queues the job."""
    settings.PLAN_IMPORT_BACKGROUND_ROWS = 2
    upload(coordinator, plan, xlsx(GOOD_ROWS))
    response = apply(coordinator, plan)
    job = ImportJob.objects.get()
    assert response["Location"] == job_url(plan, job)

    def finished():
        job.refresh_from_db()
        return job.is_finished

    wait_for(finished, 60, 0.1, f"the import job; worker log:\n{worker.log()}")
    assert (job.state, job.created, job.errors) == (ImportJob.State.DONE, 3, [])
    assert Task.objects.filter(plan=plan).count() == 3
    assert "documents.plan_import_run" in worker.log()
    assert "Đã nhập xong 3 dòng." in coordinator.get(response["Location"]).content.decode()


def test_the_progress_shows_while_the_import_transaction_is_still_open(
    coordinator, plan, known, stash_dir, settings, transactional_db, redis_broker, smtp_server, tmp_path
):
    """On a real worker, sharing the Redis cache with the web: the first 500 rows are
    written, then the import waits on a task this test has inserted, not committed,
    with the code of row 501 (a unique index is checked at once; foreign keys only at
    commit). The page shows 500 done while nothing is committed yet; once the test
    rolls its row back the import ends and everything is there."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "a Celery worker runs against PostgreSQL (production set-up); CI runs this in its PostgreSQL pass"
        )
    settings.PLAN_IMPORT_BACKGROUND_ROWS = 2
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_broker,
            "KEY_PREFIX": "portal",
        }
    }
    rows = [[f"5.{n}", 5, f"Nhiệm vụ {n}", "", "Sở Ngoại vụ", "", "31/12/2019"] for n in range(1, 601)]
    assert "Tạo mới (600)" in upload(coordinator, plan, xlsx(rows)).content.decode()
    # The worker's cache waits longer than production's 0.25 s: on a busy machine a
    # progress write given up (as production may) would leave nothing to see.
    cache_env = {"CACHE_URL": redis_broker, "CACHE_SOCKET_TIMEOUT": "5"}
    worker = reminder_fixtures.Worker(smtp_port=smtp_server.port, log_dir=tmp_path, extra_env=cache_env)
    blocker = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        worker.start()
        blocker.set_autocommit(False)
        with blocker.cursor() as cursor:
            cursor.execute(
                "INSERT INTO plans_task (plan_id, area_id, code, title, description, expected_output, "
                "lead_agency_id, schedule, due_on, report_cycle, schedule_text, source_note) "
                "VALUES (%s, %s, '5.501', 'Chặn', '', '', %s, 'one_off', '2019-12-31', '', '', '')",
                [plan.pk, plan.areas.get(number=5).pk, known["tu-phap"].pk],
            )
        response = apply(coordinator, plan)

        def page():
            return coordinator.get(response["Location"]).content.decode()

        wait_for(lambda: "Đang nhập: 500/600 dòng." in page(), 60, 0.1, "the progress")
        assert not Task.objects.filter(plan=plan).exists()  # the import's transaction is still open
        blocker.rollback()
        wait_for(lambda: "Đã nhập xong 600 dòng." in page(), 60, 0.1, "the end")
        assert Task.objects.filter(plan=plan).count() == 600
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nthe page:\n{page()}\nthe worker's log:\n{worker.log()}") from exc
    finally:
        blocker.close()
        worker.stop()
