"""``generate_bench_data`` at 1/100 of the province scale: the sizes it promises, every
status, rows marked as benchmark data, real rows never touched, idempotent runs."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Q
from django.forms.models import model_to_dict

from benchmarks import data as bench_data
from plans import schedules, selectors
from plans.models import (
    Agency,
    ContentArea,
    Contribution,
    Deadline,
    DeadlineStatus,
    EvidenceFile,
    Plan,
    ProgressReport,
    Task,
)
from plans.services import deadline_sync_for_plan
from plans.tests.factories import (
    AgencyFactory,
    ContentAreaFactory,
    PlanFactory,
    ProgressReportFactory,
    TaskFactory,
    local_datetime,
)
from plans.validators import validate_document_number

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 15)
SCALE = "0.01"
PREFIX = bench_data.BENCH_PREFIX


def generate(*args, scale=SCALE, today=TODAY):
    out = io.StringIO()
    call_command("generate_bench_data", "--scale", scale, "--today", today.isoformat(), *args, stdout=out)
    return out.getvalue()


def bench_deadlines():
    return Deadline.objects.filter(task__plan__in=bench_data.bench_plan_list())


def bench_reports():
    return ProgressReport.objects.filter(deadline__in=bench_deadlines())


def bench_counts():
    plans = bench_data.bench_plan_list()
    links = Task.cooperating_agencies.through.objects.filter(task__plan__in=plans)
    return {
        "agencies": bench_data.bench_agency_list().count(),
        "plans": plans.count(),
        "areas": ContentArea.objects.filter(plan__in=plans).count(),
        "tasks": Task.objects.filter(plan__in=plans).count(),
        "links": links.count(),
        "deadlines": bench_deadlines().count(),
        "reports": bench_reports().count(),
    }


@pytest.fixture
def real():
    """A real plan with a task, a deadline and an accepted report, and an agency of its
    own, made before the benchmark data."""
    agency = AgencyFactory(code="so-tttt", name="Sở Thông tin và Truyền thông", short_name="Sở TT&TT")
    plan = PlanFactory(number="139/KH-UBND", title="Kế hoạch hành động đối ngoại")
    area = ContentAreaFactory(plan=plan, number=5)
    task = TaskFactory(
        area=area, plan=plan, code="5.1", lead_agency=agency, due_on=datetime.date(2026, 3, 31)
    )
    task.cooperating_agencies.add(plan.coordinating_agency)
    deadline = Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=task.due_on,
        period_start=plan.period_start,
        period_label="Thời hạn 31/03/2026",
    )
    report = ProgressReportFactory(deadline=deadline, submitted_at=local_datetime(datetime.date(2026, 3, 20)))
    return [agency, plan.coordinating_agency, plan, area, task, deadline, report]


def snapshot(rows):
    return [(type(row), model_to_dict(type(row).objects.get(pk=row.pk))) for row in rows]


def test_the_full_scale_is_the_size_of_the_province():
    shape = bench_data.bench_shape(scale=1)
    assert (shape.agencies, shape.plans, shape.tasks, shape.reports) == (100, 20, 10_000, 100_000)
    assert sum(shape.tasks_of_plan(n) for n in range(shape.plans)) == 10_000
    # The schedule mix gives about six deadlines a task over the three years of a plan.
    per_task = {"one_off": 1, "yearly": 3, "half_yearly": 6, "quarterly": 12}
    mix = bench_data.SCHEDULE_MIX
    average = sum(per_task[cycle or schedule] for schedule, cycle in mix) / len(mix)
    assert 5.7 <= average <= 6.3


def test_the_largest_scale_is_a_national_data_set():
    shape = bench_data.bench_shape(scale=bench_data.MAX_SCALE)
    assert (shape.agencies, shape.plans, shape.tasks, shape.reports) == (1_000, 200, 100_000, 1_000_000)
    with pytest.raises(ValueError, match="scale must be in"):
        bench_data.bench_shape(scale=10.01)


def test_generates_the_promised_counts_at_a_small_scale():
    out = generate()
    counts = bench_counts()
    assert {key: counts[key] for key in ("agencies", "plans", "areas", "tasks", "reports")} == {
        "agencies": 6,
        "plans": 1,
        "areas": 9,
        "tasks": 100,
        "reports": 1000,
    }
    assert 570 <= counts["deadlines"] <= 630  # 60,000 × 0.01, within 5 %
    assert "Nhiệm vụ: 100" in out and "Báo cáo tiến độ: 1000" in out
    assert f"Hạn nhiệm vụ: {counts['deadlines']}" in out
    assert f"Liên kết cơ quan phối hợp: {counts['links']}" in out
    assert "giây" in out
    kinds = set(bench_data.bench_agency_list().values_list("kind", flat=True))
    assert len(kinds) >= 4


def test_tasks_have_a_lead_and_up_to_five_other_cooperating_agencies():
    generate()
    tasks = Task.objects.filter(plan__in=bench_data.bench_plan_list()).prefetch_related(
        "cooperating_agencies"
    )
    sizes = set()
    bench_ids = set(bench_data.bench_agency_list().values_list("pk", flat=True))
    for task in tasks:
        cooperating = {agency.pk for agency in task.cooperating_agencies.all()}
        assert task.lead_agency_id in bench_ids
        assert task.lead_agency_id not in cooperating
        assert cooperating <= bench_ids
        sizes.add(len(cooperating))
    assert sizes == {0, 1, 2, 3, 4, 5}
    schedules_used = set(tasks.values_list("schedule", "report_cycle"))
    assert schedules_used == set(bench_data.SCHEDULE_MIX)


@pytest.mark.parametrize("today", [TODAY, datetime.date(2026, 12, 30), datetime.date(2027, 2, 16)])
def test_every_status_occurs(today):
    generate(today=today)
    dates = selectors.status_dates_get(today=today)
    deadlines = selectors.deadline_list_with_status(dates=dates).filter(
        task__plan__in=bench_data.bench_plan_list()
    )
    counts = selectors.status_counts(deadlines)
    # Every counted status, and some waived deadlines, which no count holds.
    assert set(counts) == set(DeadlineStatus.values) - {DeadlineStatus.WAIVED}
    assert all(counts.values()), counts
    assert deadlines.filter(status=DeadlineStatus.WAIVED).exists()
    # Due dates from about two years before the day to a year after it.
    first, last = min(d.due_on for d in deadlines), max(d.due_on for d in deadlines)
    assert today - datetime.timedelta(days=731) <= first <= today - datetime.timedelta(days=600)
    assert today + datetime.timedelta(days=300) <= last <= today + datetime.timedelta(days=365)


def test_deadlines_follow_their_task_schedule():
    generate()
    plan = bench_data.bench_plan_list().get()
    for task in Task.objects.filter(plan=plan).prefetch_related("deadlines"):
        expected = schedules.occurrences(
            schedule=task.schedule,
            cycle=task.report_cycle,
            due_on=task.due_on,
            due_day=task.due_day,
            due_month=task.due_month,
            start=plan.period_start,
            end=plan.period_end,
        )
        got = sorted((d.due_on, d.period_start, d.period_label) for d in task.deadlines.all())
        assert got == [(occ.due_on, occ.period_start, occ.period_label) for occ in expected]
        task.full_clean()  # the generated schedule fields pass the model's own validation
    # The portal's own deadline generation finds nothing to change.
    result = deadline_sync_for_plan(plan=plan, today=TODAY)
    assert (result.created, result.updated, result.deleted) == (0, 0, 0)


def test_reports_mix_review_states_and_keep_one_accepted_completion_per_deadline():
    generate()
    reports = bench_reports()
    by_review = dict(reports.values_list("review_state").annotate(n=Count("pk")))
    # Every review state but "withdrawn", which only an officer's action makes.
    assert set(by_review) == set(ProgressReport.ReviewState.values) - {"withdrawn"}
    # At most one report waits on a deadline; the earlier ones were replaced.
    assert (
        not reports.filter(review_state="submitted")
        .values("deadline")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    assert set(reports.values_list("state", flat=True)) == set(ProgressReport.State.values)
    completions = reports.filter(state="done", review_state="accepted")
    assert not completions.values("deadline").annotate(n=Count("pk")).filter(n__gt=1).exists()
    # Completions both on time and late.
    assert completions.filter(submitted_at__date__lte=F("deadline__due_on")).exists()
    assert completions.filter(submitted_at__date__gt=F("deadline__due_on")).exists()
    returned = reports.filter(review_state="returned")
    assert not returned.filter(review_comment="").exists()
    assert not reports.filter(review_state="submitted", reviewed_at__isnull=False).exists()
    assert not reports.filter(review_state="superseded", reviewed_at__isnull=False).exists()
    reviewed = reports.filter(review_state__in=["accepted", "returned"])
    assert not reviewed.filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__lte=F("submitted_at"))).exists()
    # Reports only on deadlines whose period has begun, all sent before the day.
    assert not reports.filter(deadline__period_start__gte=TODAY).exists()
    assert not reports.filter(submitted_at__gte=local_datetime(TODAY, 0)).exists()
    assert not reports.exclude(percent=100).filter(state="done").exists()
    assert reports.filter(state="done").exclude(narrative="").count() == reports.filter(state="done").count()


def test_every_generated_row_is_marked_as_benchmark_data(real):
    before = {model: set(model.objects.values_list("pk", flat=True)) for model in (Agency, Plan, Task)}
    generate()
    new_agencies = Agency.objects.exclude(pk__in=before[Agency])
    assert new_agencies.count() == 6
    for agency in new_agencies:
        assert agency.code.startswith("bench-") and agency.name.startswith(PREFIX)
        assert agency.source_note == bench_data.BENCH_NOTE
    new_plans = Plan.objects.exclude(pk__in=before[Plan])
    assert new_plans.count() == 1
    for plan in new_plans:
        validate_document_number(plan.number)
        assert plan.number == "901/KH-TT"
        assert plan.title.startswith(PREFIX) and plan.source_note == bench_data.BENCH_NOTE
        assert "không phải kế hoạch thật" in plan.source_note
        assert plan.coordinating_agency.code.startswith("bench-")
        assert all(area.title.startswith(PREFIX) for area in plan.areas.all())
    new_tasks = Task.objects.exclude(pk__in=before[Task])
    assert new_tasks.count() == 100
    assert new_tasks.filter(title__startswith=PREFIX, source_note=bench_data.BENCH_NOTE).count() == 100
    assert bench_reports().filter(narrative__startswith=PREFIX).count() == 1000


def test_real_rows_are_untouched_by_generate_and_reset(real):
    before = snapshot(real)
    links = list(real[4].cooperating_agencies.values_list("pk", flat=True))
    generate()
    assert snapshot(real) == before
    generate()
    assert snapshot(real) == before
    generate("--reset")
    assert snapshot(real) == before
    assert list(real[4].cooperating_agencies.values_list("pk", flat=True)) == links
    assert (Agency.objects.count(), Plan.objects.count(), ProgressReport.objects.count()) == (2, 1, 1)


def test_running_twice_replaces_the_data_with_the_same_data():
    def fingerprint():
        return list(
            bench_deadlines()
            .order_by("task__plan__number", "task__code", "due_on")
            .annotate(report_count=Count("reports"))
            .values_list(
                "task__plan__number", "task__code", "task__lead_agency__code", "due_on", "report_count"
            )
        )

    generate()
    first_counts, first = bench_counts(), fingerprint()
    generate()
    assert bench_counts() == first_counts
    assert fingerprint() == first
    call_command(
        "generate_bench_data",
        "--scale",
        SCALE,
        "--today",
        TODAY.isoformat(),
        "--seed",
        "7",
        stdout=io.StringIO(),
    )
    assert fingerprint() != first


def test_a_smaller_scale_replaces_a_larger_one():
    generate(scale="0.05")
    assert bench_counts()["agencies"] == 6 and bench_counts()["tasks"] == 500
    generate(scale="0.01")
    counts = bench_counts()
    assert (counts["plans"], counts["tasks"], counts["reports"]) == (1, 100, 1000)


def test_data_added_to_benchmark_deadlines_goes_with_them():
    generate()
    report = bench_reports().first()
    EvidenceFile.objects.create(
        report=report,
        file="evidence/bench.pdf",
        original_name="bench.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_at=report.submitted_at,
    )
    deadline = bench_deadlines().first()
    Contribution.objects.create(
        deadline=deadline,
        agency=bench_data.bench_agency_list().last(),
        text="Ý kiến thử tải",
        submitted_at=report.submitted_at,
    )
    generate()
    assert not EvidenceFile.objects.exists() and not Contribution.objects.exists()
    assert bench_counts()["reports"] == 1000


def test_every_benchmark_row_has_the_history_the_portal_would_have_written():
    """A task, deadline and report each created once ("+", as it was then: a report
    waiting for review, a deadline neither done nor waived), and changed once more ("~",
    as it is now) where its row shows a change: the page cache's fingerprints then read
    history of the size a portal in use has."""
    generate()
    deadlines, reports = bench_deadlines(), bench_reports()
    tasks = Task.objects.filter(plan__in=bench_data.bench_plan_list())
    changed_deadlines = deadlines.filter(Q(completed_on__isnull=False) | Q(waived_at__isnull=False))
    reviewed = reports.exclude(review_state=ProgressReport.ReviewState.SUBMITTED)
    assert changed_deadlines.exists() and reviewed.exists()

    def versions(model, rows, kind):
        return model.history.filter(id__in=rows.values("pk"), history_type=kind)

    assert versions(Task, tasks, "+").count() == tasks.count()
    assert not versions(Task, tasks, "~").exists()
    created = versions(Deadline, deadlines, "+")
    assert created.count() == deadlines.count()
    assert not created.filter(Q(completed_on__isnull=False) | Q(waived_at__isnull=False)).exists()
    assert sorted(versions(Deadline, deadlines, "~").values_list("id", "completed_on")) == sorted(
        changed_deadlines.values_list("id", "completed_on")
    )
    submitted = versions(ProgressReport, reports, "+")
    assert submitted.count() == reports.count()
    assert set(submitted.values_list("review_state", flat=True)) == {ProgressReport.ReviewState.SUBMITTED}
    assert not submitted.filter(reviewed_at__isnull=False).exists()
    assert sorted(
        versions(ProgressReport, reports, "~").values_list("id", "review_state", "reviewed_at")
    ) == sorted(reviewed.values_list("id", "review_state", "reviewed_at"))
    # Each created before it changed.
    first = dict(submitted.values_list("id", "history_date"))
    assert all(
        first[pk] <= moment
        for pk, moment in versions(ProgressReport, reports, "~").values_list("id", "history_date")
    )


def test_history_written_on_benchmark_rows_goes_with_them():
    # A benchmark that submits or edits through the portal leaves history behind.
    generate()
    report = bench_reports().first()
    report.review_comment = "Sửa trong lúc đo"
    report.save()
    task = Task.objects.filter(plan__in=bench_data.bench_plan_list()).first()
    task.cooperating_agencies.add(bench_data.bench_agency_list().last())
    assert ProgressReport.history.filter(id=report.pk).exists()
    generate("--reset")
    assert not ProgressReport.history.filter(id=report.pk).exists()
    assert not Task.history.filter(id=task.pk).exists()
    assert not apps.get_model("plans", "HistoricalTask_cooperating_agencies").objects.exists()


def test_reset_leaves_no_benchmark_rows(real):
    generate()
    out = generate("--reset")
    assert "Đã xóa dữ liệu thử tải: 6 cơ quan, 1 kế hoạch, 9 nội dung, 100 nhiệm vụ" in out
    assert bench_counts() == dict.fromkeys(bench_counts(), 0)
    assert not Agency.objects.filter(Q(code__startswith="bench-") | Q(name__startswith=PREFIX)).exists()
    assert not Plan.objects.filter(title__startswith=PREFIX).exists()
    assert not Task.objects.filter(title__startswith=PREFIX).exists()
    assert Deadline.objects.count() == 1 and ProgressReport.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "0"], "lớn hơn 0"),
        (["--scale", "-0.5"], "lớn hơn 0"),
        (["--scale", "10.5"], "không quá 10"),
        (["--scale", "nan"], "lớn hơn 0"),
        (["--scale", "mot"], "không phải là số"),
        (["--today", "2026-13-01"], "không hợp lệ"),
        (["--today", "15/05/2026"], "không hợp lệ"),
        (["--seed", "abc"], "số nguyên"),
    ],
)
def test_bad_options_are_refused_and_change_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_bench_data", *args, stdout=io.StringIO())
    assert bench_counts()["agencies"] == 0 and not Plan.objects.exists()


def test_a_real_row_holding_a_benchmark_code_or_number_stops_generation(real):
    AgencyFactory(code="bench-003", name="Cơ quan thật có mã lạ")
    with pytest.raises(CommandError, match="bench-003"):
        generate()
    assert bench_counts()["plans"] == 0 and Agency.objects.count() == 3
    Agency.objects.filter(code="bench-003").delete()
    PlanFactory(number="901/KH-TT", title="Kế hoạch thật số 901")
    with pytest.raises(CommandError, match="901/KH-TT"):
        generate()
    assert bench_counts()["agencies"] == 0


def test_reset_refuses_when_real_data_uses_a_benchmark_agency(real):
    generate()
    task = real[4]
    task.cooperating_agencies.add(bench_data.bench_agency_list().first())
    with pytest.raises(CommandError, match="cơ quan phối hợp"):
        generate("--reset")
    # Rolled back: the benchmark data is all still there.
    assert bench_counts()["reports"] == 1000
    task.cooperating_agencies.clear()
    TaskFactory(area=real[3], plan=real[2], code="5.2", lead_agency=bench_data.bench_agency_list().first())
    with pytest.raises(CommandError, match="dữ liệu khác"):
        generate("--reset")
    assert bench_counts()["tasks"] == 100


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is run on PostgreSQL only")
def test_planner_statistics_are_fresh_on_postgresql():
    generate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [ProgressReport._meta.db_table])
        (estimate,) = cursor.fetchone()
    assert estimate == ProgressReport.objects.count()


# --- the progress bar -------------------------------------------------------------------


def test_generation_draws_a_progress_bar_per_step_on_stderr():
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "generate_bench_data", "--scale", SCALE, "--today", TODAY.isoformat(), stdout=out, stderr=err
    )
    steps = [
        bench_data.STEP_DELETE,
        bench_data.STEP_AGENCIES,
        bench_data.STEP_TASKS_BUILD,
        bench_data.STEP_TASKS_WRITE,
        bench_data.STEP_DEADLINES_BUILD,
        bench_data.STEP_DEADLINES_WRITE,
        bench_data.STEP_REPORTS_BUILD,
        bench_data.STEP_REPORTS_WRITE,
        bench_data.STEP_HISTORY,
    ] + ([bench_data.STEP_ANALYZE] if connection.vendor == "postgresql" else [])
    # Each step is drawn in place (carriage returns) and closed by one line at 100 %.
    lines = err.getvalue().split("\n")
    assert lines[-1] == ""
    finals = [line.split("\r")[-1] for line in lines[:-1]]
    assert [final[: len(step)] for final, step in zip(finals, steps, strict=True)] == steps
    assert all("█" * 30 + " 100%" in final for final in finals)
    assert finals[steps.index(bench_data.STEP_REPORTS_WRITE)].endswith("1.000/1.000")
    counts = bench_counts()
    links = f"{counts['tasks'] + counts['links']}"
    assert finals[steps.index(bench_data.STEP_TASKS_WRITE)].endswith(f"{links}/{links}")
    assert all(line.startswith("\r") for line in lines[:-1])
    # The bar starts empty; stdout keeps only the summary.
    assert "░" * 30 + "   0%  0/100" in err.getvalue()
    assert "\r" not in out.getvalue() and "█" not in out.getvalue()


def test_reset_draws_its_progress_too():
    generate()
    err = io.StringIO()
    call_command("generate_bench_data", "--reset", stdout=io.StringIO(), stderr=err)
    assert err.getvalue().split("\r")[-1] == f"{bench_data.STEP_DELETE:<28} {'█' * 30} 100%  6/6\n"


def test_the_bar_redraws_at_most_every_interval_and_always_at_the_end():
    from benchmarks.management.commands.generate_bench_data import ProgressBar

    written, now = [], [0.0]
    bar = ProgressBar(written.append, interval=0.1, clock=lambda: now[0])
    bar("Bước một", 0, 4)
    bar("Bước một", 1, 4)  # too soon: not drawn
    now[0] = 0.2
    bar("Bước một", 2, 4)
    bar("Bước một", 4, 4)  # the end, however soon
    bar("Bước một", 4, 4)  # already complete: nothing more
    bar("Bước hai", 1, 3)
    bar.close()  # an error stopped the step: its line is ended
    bar.close()
    assert [text.split()[-1] for text in written if text != "\n"] == ["0/4", "2/4", "4/4", "1/3"]
    assert written[2].endswith("4/4\n") and written[-1] == "\n" and written.count("\n") == 1
    assert written[1] == f"\r{'Bước một':<28} {'█' * 15}{'░' * 15}  50%  2/4"
