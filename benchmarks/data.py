"""The province-scale benchmark data set (docs/architecture.md, Budgets). Not plan content.

``bench_data_generate`` fills the database with about 100 agencies, 20 active plans of
9 content areas, 10,000 tasks, 60,000 deadlines and 100,000 progress reports, so that
report generation, page latency and the reminder sweep can be measured at the size of the
whole province. ``bench_data_delete`` removes it again. Both touch only benchmark rows:

- agencies whose code starts with ``bench-`` and whose name starts with ``BENCH_PREFIX``;
- plans whose title starts with ``BENCH_PREFIX`` and whose source note is ``BENCH_NOTE``,
  and the areas, tasks, deadlines and reports of those plans.

Real plans (139/KH-UBND), the demo's sample tasks and every other row are left alone.
Everything is computed in Python from ``random.Random(seed)`` and written with
``bulk_create``: the benchmark data set is inserted in bulk on purpose, which is why this
module, unlike the services, neither calls ``full_clean()`` row by row nor goes through
``plans.services``. Deadlines follow their task's schedule exactly as
``plans.services.deadline_sync_for_task`` would generate them (``plans.schedules``).
"""

import datetime
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.db.models import ProtectedError, RestrictedError, signals
from django.db.models.deletion import get_candidate_relations_to_delete
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from plans import schedules
from plans.models import (
    Agency,
    ContentArea,
    Contribution,
    Deadline,
    Plan,
    ProgressReport,
    Task,
    working_calendar_load,
)
from plans.services import deadline_completion_backfill

BENCH_PREFIX = "[Dữ liệu thử tải] "
BENCH_CODE_PREFIX = "bench-"
BENCH_NOTE = (
    "Dữ liệu thử tải sinh tự động bằng lệnh generate_bench_data để đo hiệu năng; không phải "
    "kế hoạch thật, không dùng trên cơ sở dữ liệu đang vận hành."
)
# Plan numbers 901/KH-TT, 902/KH-TT…: "TT" for "thử tải", the symbol of the benchmark's
# coordinating agency.
PLAN_NUMBER_FIRST = 901
PLAN_SYMBOL = "KH-TT"
COORDINATOR_SYMBOL = "TT"

# The full size (scale 1).
AGENCIES = 100
PLANS = 20
AREAS_PER_PLAN = 9
TASKS = 10_000
REPORTS = 100_000
# A task has a lead agency and up to this many cooperating agencies.
MAX_COOPERATING = 5
MIN_AGENCIES = MAX_COOPERATING + 1

# Plans run from about two years before the day of generation to a year after it.
DAYS_BEFORE = 730
DAYS_AFTER = 365

BATCH_SIZE = 5000
# The largest scale: a national-size data set (about 1,000 agencies, 100,000 tasks,
# 600,000 deadlines and 1,000,000 reports), to measure how the pages grow with the data.
MAX_SCALE = 10

# The schedules of every 20 tasks: 5 one-off (1 deadline each over the three years),
# 3 yearly (3), 4 half-yearly (6), 4 quarterly (12), and ongoing tasks reporting yearly,
# half-yearly (one each) and quarterly (two): 119 deadlines, about 6 a task.
SCHEDULE_MIX = (
    [(Task.Schedule.ONE_OFF, "")] * 5
    + [(Task.Schedule.YEARLY, "")] * 3
    + [(Task.Schedule.HALF_YEARLY, "")] * 4
    + [(Task.Schedule.QUARTERLY, "")] * 4
    + [
        (Task.Schedule.ONGOING, cycle)
        for cycle in (Task.Cycle.YEARLY, Task.Cycle.HALF_YEARLY, Task.Cycle.QUARTERLY, Task.Cycle.QUARTERLY)
    ]
)
# Every this many one-off tasks of a plan, one is due within the next two days, so that
# "sắp đến hạn" occurs whatever the day of generation.
DUE_SOON_EVERY = 20

# Agency kinds, in an order that mixes them from the first few agencies on.
KIND_PATTERN = [
    Agency.Kind.DEPARTMENT,
    Agency.Kind.DISTRICT,
    Agency.Kind.DEPARTMENT,
    Agency.Kind.MASS_ORGANISATION,
    Agency.Kind.CENTRAL_UNIT,
    Agency.Kind.DEPARTMENT,
    Agency.Kind.DISTRICT,
    Agency.Kind.OTHER,
    Agency.Kind.DEPARTMENT,
    Agency.Kind.MASS_ORGANISATION,
]
# Departments lead more tasks than the other kinds.
LEAD_WEIGHT = {Agency.Kind.DEPARTMENT: 4, Agency.Kind.DISTRICT: 2}

AREA_THEMES = [
    "Công tác đối ngoại chính trị",
    "Hội nhập kinh tế quốc tế, xúc tiến đầu tư",
    "Hợp tác với các địa phương nước láng giềng",
    "Đối ngoại văn hóa, giao lưu nhân dân",
    "Thông tin đối ngoại",
    "Quản lý đoàn ra, đoàn vào; lãnh sự",
    "Công tác biên giới",
    "Đào tạo, bồi dưỡng cán bộ làm công tác đối ngoại",
    "Tổ chức thực hiện, kiểm tra, báo cáo",
]
TASK_TOPICS = [
    "Tổ chức hội nghị xúc tiến đầu tư với đối tác nước ngoài",
    "Biên soạn tài liệu thông tin đối ngoại song ngữ",
    "Tổ chức đoàn công tác trao đổi kinh nghiệm với tỉnh bạn",
    "Rà soát, đánh giá việc thực hiện các thỏa thuận quốc tế",
    "Phối hợp tuần tra song phương trên tuyến biên giới",
    "Tập huấn nghiệp vụ đối ngoại cho cán bộ cấp huyện",
    "Tổ chức giao lưu văn hóa, thể thao hữu nghị",
    "Cập nhật chuyên mục đối ngoại trên cổng thông tin điện tử",
    "Vận động, quản lý nguồn viện trợ phi chính phủ nước ngoài",
    "Tổng hợp, báo cáo tình hình người nước ngoài trên địa bàn",
    "Hỗ trợ doanh nghiệp tham gia hội chợ, triển lãm quốc tế",
    "Xây dựng chương trình hợp tác với các tổ chức quốc tế",
]
OUTPUTS = [
    "Báo cáo kết quả thực hiện",
    "Biên bản làm việc, thỏa thuận hợp tác",
    "Tài liệu, ấn phẩm đã phát hành",
    "Kế hoạch chi tiết được phê duyệt",
]
NARRATIVES = [
    "Đã tổ chức {n} hội nghị, buổi làm việc với các đối tác; kết quả được tổng hợp gửi Sở Ngoại vụ.",
    "Đã ban hành văn bản hướng dẫn và triển khai đến {n} đơn vị trực thuộc.",
    "Đã phối hợp với các cơ quan liên quan hoàn thành {n} nội dung theo kế hoạch.",
    "Đã biên soạn, phát hành {n} tài liệu, ấn phẩm phục vụ công tác thông tin đối ngoại.",
    "Đang triển khai theo tiến độ; đã hoàn thành khoảng {pct}% khối lượng công việc.",
    "Đã cử {n} lượt cán bộ tham gia tập huấn, trao đổi kinh nghiệm.",
    "Đã tiếp và làm việc với {n} đoàn khách quốc tế theo chương trình đã được phê duyệt.",
]
RETURN_COMMENTS = [
    "Đề nghị bổ sung số liệu cụ thể và tài liệu minh chứng.",
    "Báo cáo chưa nêu rõ kết quả so với yêu cầu của kế hoạch; đề nghị hoàn thiện.",
    "Đề nghị gửi kèm văn bản triển khai và biên bản làm việc.",
    "Tỷ lệ hoàn thành chưa khớp với nội dung báo cáo; đề nghị rà soát lại.",
]

_DONE = ProgressReport.State.DONE
_IN_PROGRESS = ProgressReport.State.IN_PROGRESS
_NOT_STARTED = ProgressReport.State.NOT_STARTED
_SUBMITTED = ProgressReport.ReviewState.SUBMITTED
_ACCEPTED = ProgressReport.ReviewState.ACCEPTED
_RETURNED = ProgressReport.ReviewState.RETURNED
_SUPERSEDED = ProgressReport.ReviewState.SUPERSEDED

# How a past deadline's reports end (cumulative weights are not needed: random.choices).
PAST_OUTCOMES = {
    "done_on_time": 50,
    "done_late": 20,
    "done_waiting": 8,
    "in_progress": 10,
    "done_returned": 4,
    "none": 8,
}
# How a current deadline's reports end (its period has begun, it is not due yet).
CURRENT_OUTCOMES = {"done_on_time": 15, "done_waiting": 10, "in_progress": 45, "none": 30}
# The reports before the last one: (state, review state) with weights. None of them is
# an accepted completion, so a deadline never has two, and none still waits: a newer
# report replaced it (both database constraints).
HISTORY_KINDS = [
    ((_IN_PROGRESS, _ACCEPTED), 50),
    ((_IN_PROGRESS, _RETURNED), 15),
    ((_DONE, _RETURNED), 25),
    ((_IN_PROGRESS, _SUPERSEDED), 10),
]
MAX_REPORTS_PER_DEADLINE = 8
# Share of past deadlines the coordinator waived.
WAIVED_SHARE = 0.01

# Told how far a step has come: (step label, rows done, rows in the step). The command
# draws it as a progress bar; a full-size run takes tens of seconds.
Progress = Callable[[str, int, int], None]
# Row-building loops report every this many rows.
PROGRESS_EVERY = 1000


STEP_DELETE = "Xóa dữ liệu thử tải cũ"
STEP_AGENCIES = "Cơ quan, kế hoạch, nội dung"
STEP_TASKS_BUILD = "Nhiệm vụ: tạo"
STEP_TASKS_WRITE = "Nhiệm vụ: ghi"
STEP_DEADLINES_BUILD = "Hạn nhiệm vụ: tạo"
STEP_DEADLINES_WRITE = "Hạn nhiệm vụ: ghi"
STEP_REPORTS_BUILD = "Báo cáo tiến độ: tạo"
STEP_REPORTS_WRITE = "Báo cáo tiến độ: ghi"
STEP_HISTORY = "Lịch sử thay đổi"
STEP_ANALYZE = "Cập nhật thống kê"


def _no_progress(label: str, done: int, total: int) -> None:
    pass


class BenchDataError(Exception):
    """The benchmark data cannot be written without touching other rows; nothing changed."""


@dataclass(frozen=True)
class BenchShape:
    agencies: int
    plans: int
    tasks: int
    reports: int
    areas_per_plan: int = AREAS_PER_PLAN

    def tasks_of_plan(self, index: int) -> int:
        base, extra = divmod(self.tasks, self.plans)
        return base + (1 if index < extra else 0)


def bench_shape(*, scale: float) -> BenchShape:
    """The sizes at a scale (0 < scale <= ``MAX_SCALE``): counts proportional to it, with
    at least enough agencies for a lead and five cooperating ones, one plan and a task per
    plan."""
    if not 0 < scale <= MAX_SCALE:
        raise ValueError(f"scale must be in (0, {MAX_SCALE}], got {scale!r}")
    plans = max(1, round(PLANS * scale))
    return BenchShape(
        agencies=max(MIN_AGENCIES, round(AGENCIES * scale)),
        plans=plans,
        tasks=max(plans, round(TASKS * scale)),
        reports=round(REPORTS * scale),
    )


@dataclass
class BenchResult:
    agencies: int = 0
    plans: int = 0
    areas: int = 0
    tasks: int = 0
    cooperation_links: int = 0
    deadlines: int = 0
    reports: int = 0
    reports_by_review_state: dict[str, int] = field(default_factory=dict)


def bench_agency_list() -> models.QuerySet[Agency]:
    return Agency.objects.filter(code__startswith=BENCH_CODE_PREFIX, name__startswith=BENCH_PREFIX)


def bench_plan_list() -> models.QuerySet[Plan]:
    return Plan.objects.filter(title__startswith=BENCH_PREFIX, source_note=BENCH_NOTE)


def bench_agency_code(n: int) -> str:
    return f"{BENCH_CODE_PREFIX}{n:03d}"


def bench_plan_number(n: int) -> str:
    return f"{PLAN_NUMBER_FIRST + n - 1}/{PLAN_SYMBOL}"


def _agency_rows(count: int) -> list[Agency]:
    rows = []
    for n in range(1, count + 1):
        rows.append(
            Agency(
                code=bench_agency_code(n),
                name=f"{BENCH_PREFIX}Cơ quan {n:03d}",
                short_name=f"CQ thử tải {n:03d}",
                kind=KIND_PATTERN[(n - 1) % len(KIND_PATTERN)],
                # .invalid never delivers (RFC 2606): a reminder benchmark can send safely.
                reminder_emails=f"co-quan-{n:03d}@bench.invalid",
                document_symbol=COORDINATOR_SYMBOL if n == 1 else "",
                is_active=True,
                source_note=BENCH_NOTE,
            )
        )
    return rows


_AGENCY_FIELDS = [
    "name",
    "short_name",
    "kind",
    "reminder_emails",
    "document_symbol",
    "is_active",
    "source_note",
]


def _agencies_put(count: int) -> list[Agency]:
    """The benchmark agencies 001…count: existing ones are kept (a benchmark's user
    accounts may belong to them) and reset to their generated values, missing ones are
    created, and benchmark agencies beyond ``count`` are deleted."""
    wanted = _agency_rows(count)
    existing = {agency.code: agency for agency in bench_agency_list()}
    codes = {agency.code for agency in wanted}
    _agencies_delete(bench_agency_list().exclude(code__in=codes))
    result, missing = [], []
    for row in wanted:
        agency = existing.get(row.code)
        if agency is None:
            missing.append(row)
            result.append(row)
            continue
        if any(getattr(agency, name) != getattr(row, name) for name in _AGENCY_FIELDS):
            for name in _AGENCY_FIELDS:
                setattr(agency, name, getattr(row, name))
            agency.save(update_fields=_AGENCY_FIELDS)
        result.append(agency)
    Agency.objects.bulk_create(missing, batch_size=BATCH_SIZE)
    if any(agency.pk is None for agency in result):  # a database that returns no ids
        ids = dict(bench_agency_list().values_list("code", "pk"))
        for agency in result:
            agency.pk = ids[agency.code]
    return result


def _agencies_delete(agencies: models.QuerySet[Agency]) -> int:
    """Delete benchmark agencies once their plans are gone. Anything else still linked
    to them (a real task cooperating with one, a user account of one) stops it."""
    links = Task.cooperating_agencies.through.objects.filter(agency__in=agencies)
    if links.exists():
        raise BenchDataError(
            "Có nhiệm vụ không thuộc dữ liệu thử tải đang ghi cơ quan thử tải là cơ quan phối hợp; "
            "gỡ các cơ quan này khỏi nhiệm vụ đó trước."
        )
    try:
        deleted, _ = agencies.delete()
    except (ProtectedError, RestrictedError) as exc:
        blocking = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        kinds = sorted({str(obj._meta.verbose_name) for obj in blocking})
        raise BenchDataError(
            "Không xóa được cơ quan thử tải vì còn dữ liệu khác gắn với chúng ("
            + ", ".join(kinds)
            + "); xóa dữ liệu đó trước."
        ) from exc
    return deleted


def _plans_delete(progress: Progress = _no_progress) -> dict[str, int]:
    """Delete the benchmark plans with everything under them, children first: reports
    PROTECT their deadlines. Each queryset is scoped to the benchmark plans."""
    plans = bench_plan_list()
    deadlines = Deadline.objects.filter(task__plan__in=plans)
    steps = [
        # Contributions are not generated, but a benchmark may have added some.
        ("contributions", Contribution.objects.filter(deadline__in=deadlines)),
        ("reports", ProgressReport.objects.filter(deadline__in=deadlines)),
        ("deadlines", deadlines),
        ("tasks", Task.objects.filter(plan__in=plans)),
        ("areas", ContentArea.objects.filter(plan__in=plans)),
        ("plans", plans),
    ]
    counts = {}
    progress(STEP_DELETE, 0, len(steps))
    for done, (name, rows) in enumerate(steps, start=1):
        counts[name] = _delete_scoped(rows)
        progress(STEP_DELETE, done, len(steps))
    return counts


def _delete_scoped(rows: models.QuerySet) -> int:
    """Delete the rows of a queryset scoped to benchmark data; return how many went.

    Django's delete collector loads every row and deletes in batches of 100, which takes
    most of a minute for the 170,000 benchmark reports and deadlines. So, for benchmark
    rows only, this deletes with one ``_raw_delete`` per table when that is what the
    collector would do anyway: rows that reference them through a CASCADE (reminder log,
    evidence, cooperation links) are deleted first the same way, and whenever anything
    else references them (PROTECT, SET_NULL…) or a delete signal other than the change
    history's has listeners, the collector does the deletion and applies the model's
    rules. The rows' change history (``_Generator._history``, and whatever a benchmark
    run wrote) goes with them.
    """
    model = rows.model
    recorded = hasattr(model._meta, "simple_history_manager_attribute")
    if not recorded and (signals.pre_delete.has_listeners(model) or signals.post_delete.has_listeners(model)):
        return _collector_delete(rows)
    if recorded:
        # The history of benchmark rows (generated, or written by a run that submitted a
        # report) goes first: nothing references it.
        history = getattr(model, model._meta.simple_history_manager_attribute)
        versions = history.filter(**{f"{model._meta.pk.attname}__in": rows.values("pk")})
        for relation in get_candidate_relations_to_delete(versions.model._meta):  # m2m versions
            relation.related_model._base_manager.filter(
                **{f"{relation.field.name}__in": versions}
            )._raw_delete(rows.db)
        versions._raw_delete(rows.db)
    for relation in get_candidate_relations_to_delete(model._meta):
        related = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": rows})
        # DO_NOTHING links (the history's) are left to their own model, as the collector does.
        if relation.on_delete is models.DO_NOTHING or not related.exists():
            continue
        if relation.on_delete is not models.CASCADE:
            return _collector_delete(rows)
        _delete_scoped(related)
    return rows._raw_delete(rows.db)


def _collector_delete(rows: models.QuerySet) -> int:
    return rows.delete()[1].get(rows.model._meta.label, 0)


@transaction.atomic
def bench_data_delete(*, progress: Progress = _no_progress) -> dict[str, int]:
    """Remove all benchmark data; return how many rows of each kind went."""
    counts = _plans_delete(progress)
    counts["agencies"] = _agencies_delete(bench_agency_list())
    return counts


def _check_no_conflicts(shape: BenchShape) -> None:
    """Refuse when a row that is not benchmark data holds a code, name or number the
    benchmark needs: it is never taken over."""
    others = Agency.objects.exclude(pk__in=bench_agency_list().values("pk"))
    rows = _agency_rows(shape.agencies)
    taken = others.filter(
        models.Q(code__in=[row.code for row in rows]) | models.Q(name__in=[row.name for row in rows])
    )
    if taken.exists():
        raise BenchDataError(
            "Đã có cơ quan không thuộc dữ liệu thử tải mang mã hoặc tên dành cho dữ liệu thử tải: "
            + ", ".join(taken.values_list("code", flat=True)[:5])
            + "."
        )
    numbers = [bench_plan_number(n) for n in range(1, shape.plans + 1)]
    plans = Plan.objects.filter(number__in=numbers).exclude(pk__in=bench_plan_list().values("pk"))
    if plans.exists():
        raise BenchDataError(
            "Đã có kế hoạch không thuộc dữ liệu thử tải mang số dành cho dữ liệu thử tải: "
            + ", ".join(plans.values_list("number", flat=True))
            + "."
        )


class _Generator:
    def __init__(self, *, shape: BenchShape, seed: int, today: datetime.date, progress: Progress):
        self.shape = shape
        self.progress = progress
        self.rng = random.Random(seed)
        self.today = today
        self.tz = timezone.get_current_timezone()
        self.period_start = today - datetime.timedelta(days=DAYS_BEFORE)
        self.period_end = today + datetime.timedelta(days=DAYS_AFTER)
        self.result = BenchResult()

    def run(self) -> BenchResult:
        self.progress(STEP_AGENCIES, 0, 3)
        agencies = _agencies_put(self.shape.agencies)
        self.result.agencies = len(agencies)
        self.progress(STEP_AGENCIES, 1, 3)
        plans = self._plans(coordinator=agencies[0])
        self.progress(STEP_AGENCIES, 2, 3)
        areas = self._areas(plans)
        self.progress(STEP_AGENCIES, 3, 3)
        tasks = self._tasks(plans, areas, agencies)
        deadlines = self._deadlines(tasks)
        self._reports(deadlines)
        self._history()
        return self.result

    def _bulk(self, model, rows, *, step=None, done=0, total=None):
        """Insert ``rows`` batch by batch, telling ``step``'s progress as rows ``done``
        before them plus those inserted, out of ``total`` (these rows by default)."""
        # Benchmark data is bulk-inserted on purpose (no per-row full_clean() or history):
        # the rows are built valid, and the tests check them against the model's rules.
        total = len(rows) if total is None else total
        for start in range(0, len(rows), BATCH_SIZE):
            model.objects.bulk_create(rows[start : start + BATCH_SIZE])
            if step:
                self.progress(step, done + min(start + BATCH_SIZE, len(rows)), total)
        if rows and rows[0].pk is None:  # pragma: no cover - databases without RETURNING
            raise BenchDataError("Cơ sở dữ liệu không trả về khóa của các dòng vừa tạo.")
        return rows

    def _built(self, step, done, total):
        """Progress of a row-building loop, every ``PROGRESS_EVERY`` rows and at the end."""
        if done % PROGRESS_EVERY == 0 or done == total:
            self.progress(step, done, total)

    def _plans(self, *, coordinator: Agency) -> list[Plan]:
        # The plans alone are written with their history: a new data set then moves the
        # fingerprint that cached dashboards are kept under (workspace.page_cache).
        rows = [
            Plan(
                number=bench_plan_number(n),
                title=f"{BENCH_PREFIX}Kế hoạch số {n:02d} dùng để đo hiệu năng cổng",
                issued_on=self.period_start - datetime.timedelta(days=self.rng.randint(10, 60)),
                period_start=self.period_start,
                period_end=self.period_end,
                coordinating_agency=coordinator,
                status=Plan.Status.ACTIVE,
                summary="Dữ liệu sinh tự động; nội dung không có thật.",
                source_note=BENCH_NOTE,
            )
            for n in range(1, self.shape.plans + 1)
        ]
        self.result.plans = len(rows)
        return bulk_create_with_history(rows, Plan, batch_size=BATCH_SIZE)

    def _areas(self, plans: list[Plan]) -> dict[int, list[ContentArea]]:
        rows = {
            plan.pk: [
                ContentArea(
                    plan=plan,
                    number=n,
                    title=f"{BENCH_PREFIX}{AREA_THEMES[(n - 1) % len(AREA_THEMES)]}",
                    source_note=BENCH_NOTE,
                )
                for n in range(1, self.shape.areas_per_plan + 1)
            ]
            for plan in plans
        }
        self._bulk(ContentArea, [area for areas in rows.values() for area in areas])
        self.result.areas = sum(len(areas) for areas in rows.values())
        return rows

    def _schedule_fields(self, schedule: str, cycle: str, one_off_index: int) -> dict:
        rng = self.rng
        if schedule == Task.Schedule.ONE_OFF:
            if one_off_index % DUE_SOON_EVERY == 0:
                due_on = self.today + datetime.timedelta(days=rng.randint(0, 2))
            else:
                due_on = self.period_start + datetime.timedelta(days=rng.randint(0, DAYS_BEFORE + DAYS_AFTER))
            return {"due_on": due_on}
        yearly = schedule == Task.Schedule.YEARLY or cycle == Task.Cycle.YEARLY
        if yearly and (schedule == Task.Schedule.YEARLY or rng.random() < 0.5):
            return {"due_month": rng.randint(1, 12), "due_day": rng.choice([5, 10, 15, 20, 25, 28])}
        # Halves, quarters and ongoing cycles: the period's last day, or a day of its last month.
        return {"due_day": rng.choice([None, None, 15, 20, 25])}

    def _tasks(self, plans, areas, agencies) -> list[Task]:
        rng = self.rng
        weights = [LEAD_WEIGHT.get(agency.kind, 1) for agency in agencies]
        rows, links = [], []
        cooperating_of = []
        total = self.shape.tasks
        self.progress(STEP_TASKS_BUILD, 0, total)
        for index, plan in enumerate(plans):
            count = self.shape.tasks_of_plan(index)
            mix = (SCHEDULE_MIX * (count // len(SCHEDULE_MIX) + 1))[:count]
            rng.shuffle(mix)
            per_area = Counter()
            one_offs = 0
            for k, (schedule, cycle) in enumerate(mix):
                area = areas[plan.pk][k % len(areas[plan.pk])]
                per_area[area.number] += 1
                lead_index = rng.choices(range(len(agencies)), weights=weights)[0]
                lead = agencies[lead_index]
                fields = self._schedule_fields(schedule, cycle, one_offs)
                one_offs += schedule == Task.Schedule.ONE_OFF
                topic = TASK_TOPICS[rng.randrange(len(TASK_TOPICS))]
                code = f"{area.number}.{per_area[area.number]}"
                rows.append(
                    Task(
                        plan=plan,
                        area=area,
                        code=code,
                        title=f"{BENCH_PREFIX}{topic} (nhiệm vụ {code})",
                        description="Nội dung sinh tự động để đo hiệu năng.",
                        expected_output=rng.choice(OUTPUTS),
                        lead_agency=lead,
                        schedule=schedule,
                        report_cycle=cycle,
                        source_note=BENCH_NOTE,
                        **fields,
                    )
                )
                # Distinct agencies other than the lead: indices drawn below the lead's skip it.
                picked = rng.sample(range(len(agencies) - 1), rng.randint(0, MAX_COOPERATING))
                cooperating_of.append([agencies[i + (i >= lead_index)] for i in picked])
                self._built(STEP_TASKS_BUILD, len(rows), total)
        # Tasks, then their cooperation links, as one step.
        written = len(rows) + sum(len(cooperating) for cooperating in cooperating_of)
        self.progress(STEP_TASKS_WRITE, 0, written)
        self._bulk(Task, rows, step=STEP_TASKS_WRITE, total=written)
        through = Task.cooperating_agencies.through
        for task, cooperating in zip(rows, cooperating_of, strict=True):
            links += [through(task_id=task.pk, agency_id=agency.pk) for agency in cooperating]
        self._bulk(through, links, step=STEP_TASKS_WRITE, done=len(rows), total=written)
        self.result.tasks = len(rows)
        self.result.cooperation_links = len(links)
        return rows

    def _deadlines(self, tasks: list[Task]) -> list[Deadline]:
        rows = []
        working_calendar = working_calendar_load()
        waivable_until = self.today - datetime.timedelta(days=7)
        # Counted in tasks: how many deadlines they make is known only at the end.
        self.progress(STEP_DEADLINES_BUILD, 0, len(tasks))
        for done, task in enumerate(tasks, start=1):
            # The same window as plans.services.deadline_sync_for_task: the plan period.
            for occ in schedules.occurrences(
                schedule=task.schedule,
                cycle=task.report_cycle,
                due_on=task.due_on,
                due_day=task.due_day,
                due_month=task.due_month,
                start=max(task.start_on or self.period_start, self.period_start),
                end=self.period_end,
            ):
                deadline = Deadline(
                    task_id=task.pk,
                    responsible_agency_id=task.lead_agency_id,
                    due_on=occ.due_on,
                    ends_on=working_calendar.period_end(occ.due_on),
                    period_start=occ.period_start,
                    period_label=occ.period_label,
                )
                # A few past deadlines waived by the coordinator: shown, never counted.
                if occ.due_on < waivable_until and self.rng.random() < WAIVED_SHARE:
                    deadline.waived_at = self._moment(occ.due_on + datetime.timedelta(days=3), 9 * 60)
                    deadline.waiver_reason = BENCH_PREFIX + "miễn hạn (dữ liệu đo)"
                rows.append(deadline)
            self._built(STEP_DEADLINES_BUILD, done, len(tasks))
        self.result.deadlines = len(rows)
        self.progress(STEP_DEADLINES_WRITE, 0, len(rows))
        return self._bulk(Deadline, rows, step=STEP_DEADLINES_WRITE)

    # Reports.

    def _moment(self, day: datetime.date, minute_of_day: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(minute_of_day // 60, minute_of_day % 60), self.tz)

    def _random_moment(self, first: datetime.date, last: datetime.date) -> datetime.datetime:
        """A working-hours moment on a day from ``first`` to ``last``."""
        day = first + datetime.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))
        return self._moment(day, self.rng.randint(7 * 60 + 30, 16 * 60 + 30))

    def _plan_reports(self, deadlines: list[Deadline]) -> list[list]:
        """For each deadline, its final report (state, review state, day range), or
        nothing. Past deadlines mostly end done; current ones mostly in progress;
        future ones have no report."""
        rng = self.rng
        yesterday = self.today - datetime.timedelta(days=1)
        plans = []
        for deadline in deadlines:
            if deadline.period_start > yesterday or deadline.waived_at:
                plans.append(None)
                continue
            past = deadline.due_on < self.today
            table = PAST_OUTCOMES if past else CURRENT_OUTCOMES
            outcome = rng.choices(list(table), weights=list(table.values()))[0]
            # Deadlines due within two days were placed to stay "sắp đến hạn".
            if (
                not past
                and deadline.due_on <= self.today + datetime.timedelta(days=2)
                and outcome == "done_on_time"
            ):
                outcome = "in_progress"
            if outcome == "done_late" and deadline.due_on >= yesterday:
                outcome = "done_on_time"
            if outcome == "none":
                plans.append(None)
                continue
            first = max(deadline.period_start, deadline.due_on - datetime.timedelta(days=60))
            if outcome == "done_late":
                final = (_DONE, _ACCEPTED)
                first_day = deadline.due_on + datetime.timedelta(days=1)
                last_day = min(deadline.due_on + datetime.timedelta(days=120), yesterday)
            else:
                final = {
                    "done_on_time": (_DONE, _ACCEPTED),
                    "done_waiting": (_DONE, _SUBMITTED),
                    "done_returned": (_DONE, _RETURNED),
                    "in_progress": (_IN_PROGRESS, rng.choice([_SUBMITTED, _ACCEPTED])),
                }[outcome]
                if outcome == "done_on_time":
                    first_day, last_day = (
                        max(first, deadline.due_on - datetime.timedelta(days=20)),
                        deadline.due_on,
                    )
                else:
                    first_day, last_day = first, deadline.due_on + datetime.timedelta(days=30)
                first_day = min(first_day, yesterday)
                last_day = min(last_day, yesterday)
            plans.append([deadline, final, first_day, last_day, first, 0])
        return plans

    def _reports(self, deadlines: list[Deadline]) -> None:
        rng = self.rng
        planned = [entry for entry in self._plan_reports(deadlines) if entry is not None]
        # The reports before the last one, spread over the deadlines that have reports
        # until the total is exactly the size asked for.
        extra = min(self.shape.reports - len(planned), len(planned) * (MAX_REPORTS_PER_DEADLINE - 1))
        while extra > 0:
            for entry in rng.choices(planned, k=extra):
                if entry[5] + 1 < MAX_REPORTS_PER_DEADLINE and extra > 0:
                    entry[5] += 1
                    extra -= 1
        if extra < 0:  # fewer reports asked for than deadlines to end: drop some endings
            planned = planned[: self.shape.reports]
        kinds, kind_weights = zip(*HISTORY_KINDS, strict=True)
        rows = []
        start_of_today = self._moment(self.today, 0)
        # Counted in reports: each planned deadline makes ``history + 1`` of them.
        total = sum(entry[5] + 1 for entry in planned)
        self.progress(STEP_REPORTS_BUILD, 0, total)
        for deadline, (state, review_state), first_day, last_day, window_first, history in planned:
            final_at = self._random_moment(first_day, last_day)
            # Earlier reports at distinct minutes between the window's start and the last report.
            earliest = min(
                self._moment(window_first, 7 * 60 + 30), final_at - datetime.timedelta(hours=history + 1)
            )
            span = int((final_at - earliest).total_seconds() // 60)
            ordered = [
                earliest + datetime.timedelta(minutes=m) for m in sorted(rng.sample(range(span), history))
            ]
            ordered.append(final_at)
            specs = [rng.choices(kinds, weights=kind_weights)[0] for _ in range(history)]
            specs.append((state, review_state))
            for position, (submitted_at, (rstate, rreview)) in enumerate(zip(ordered, specs, strict=True)):
                following = ordered[position + 1] if position + 1 < len(ordered) else start_of_today
                rows.append(
                    self._report(deadline, submitted_at, following, rstate, rreview, position, history)
                )
                self._built(STEP_REPORTS_BUILD, len(rows), total)
        self.result.reports = len(rows)
        self.result.reports_by_review_state = dict(Counter(row.review_state for row in rows))
        self.progress(STEP_REPORTS_WRITE, 0, len(rows))
        self._bulk(ProgressReport, rows, step=STEP_REPORTS_WRITE)
        # What report_accept stores on each deadline its accepted completion makes done.
        deadline_completion_backfill(deadlines=Deadline.objects.filter(task__plan__in=bench_plan_list()))

    def _history(self) -> None:
        """The change history the portal would have written for these rows, one
        ``INSERT … SELECT`` per kind: each task, deadline and report created ("+"), and
        changed since ("~") where its row shows a change (a deadline completed or waived,
        a report reviewed or closed). Without it the history tables are empty and the
        page cache's fingerprints, which read the newest history of an agency's rows,
        would cost less than in a portal in use."""
        plans = bench_plan_list()
        tasks = Task.objects.filter(plan__in=plans)
        deadlines = Deadline.objects.filter(task__in=tasks)
        reports = ProgressReport.objects.filter(deadline__in=deadlines)
        created_at = self._moment(self.period_start, 8 * 60)
        accepted_at = (
            ProgressReport.objects.filter(
                deadline_id=models.OuterRef("pk"),
                state=_DONE,
                review_state=_ACCEPTED,
            )
            .order_by("-reviewed_at")
            .values("reviewed_at")[:1]
        )
        entries = [
            (tasks, "+", {}, models.Value(created_at)),
            (
                deadlines,
                "+",
                {"completed_on": None, "waived_at": None, "waived_by_id": None, "waiver_reason": ""},
                models.Value(created_at),
            ),
            (
                deadlines.filter(models.Q(completed_on__isnull=False) | models.Q(waived_at__isnull=False)),
                "~",
                {},
                Coalesce("waived_at", models.Subquery(accepted_at), models.Value(created_at)),
            ),
            (
                reports,
                "+",
                {
                    "review_state": _SUBMITTED,
                    "reviewed_at": None,
                    "reviewed_by_id": None,
                    "review_comment": "",
                },
                models.F("submitted_at"),
            ),
            (
                reports.exclude(review_state=_SUBMITTED),
                "~",
                {},
                Coalesce("reviewed_at", "submitted_at"),
            ),
        ]
        self.progress(STEP_HISTORY, 0, len(entries))
        for done, (rows, history_type, changed, moment) in enumerate(entries, start=1):
            _history_insert(rows, history_type=history_type, changed=changed, moment=moment)
            self.progress(STEP_HISTORY, done, len(entries))

    def _report(self, deadline, submitted_at, following, state, review_state, position, history):
        rng = self.rng
        if state == _DONE:
            percent = 100
        elif position == 0 and history and rng.random() < 0.1:
            state, percent = _NOT_STARTED, 0
        else:
            percent = min(95, max(5, round(100 * (position + 1) / (history + 2)) + rng.randint(-10, 10)))
        narrative = BENCH_PREFIX + rng.choice(NARRATIVES).format(n=rng.randint(1, 12), pct=percent)
        report = ProgressReport(
            deadline_id=deadline.pk,
            agency_id=deadline.responsible_agency_id,
            state=state,
            percent=percent,
            narrative=narrative,
            submitted_at=submitted_at,
            review_state=review_state,
        )
        if review_state in (_ACCEPTED, _RETURNED):
            # Reviewed before the next report came in (or before today for the last one).
            gap = max(following - submitted_at, datetime.timedelta(minutes=2))
            report.reviewed_at = submitted_at + min(
                datetime.timedelta(hours=rng.randint(1, 72)), gap * rng.uniform(0.2, 0.8)
            )
            if review_state == _RETURNED:
                report.review_comment = rng.choice(RETURN_COMMENTS)
        return report


def _history_insert(rows: models.QuerySet, *, history_type: str, changed: dict, moment) -> None:
    """One history row per row of ``rows`` (a recorded model), as django-simple-history
    would write it at ``moment`` (an expression of the row), with the ``changed``
    columns set to the values they had then; no user, no reason. The rows are selected
    by the ORM and copied by the database in one statement."""
    model = rows.model
    history = getattr(model, model._meta.simple_history_manager_attribute).model
    kept = {f.attname for f in history._meta.concrete_fields}
    copied = [f.attname for f in model._meta.concrete_fields if f.attname in kept]
    values = {
        attname: models.Value(changed[attname], output_field=model._meta.get_field(attname))
        if attname in changed
        else models.F(attname)
        for attname in copied
    }
    values["history_date"] = models.ExpressionWrapper(moment, output_field=models.DateTimeField())
    values["history_type"] = models.Value(history_type)
    select = rows.order_by().values(**{f"h_{name}": expression for name, expression in values.items()})
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = [history._meta.get_field(name).column for name in values]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(map(quote, columns))}) {sql}",
            params,
        )


def _analyze(progress: Progress = _no_progress) -> None:
    """Fresh planner statistics for the tables just filled (PostgreSQL only; ANALYZE
    sees the rows of its own transaction)."""
    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table
        for model in (
            Agency,
            Plan,
            ContentArea,
            Task,
            Task.cooperating_agencies.through,
            Deadline,
            ProgressReport,
            Task.history.model,
            Deadline.history.model,
            ProgressReport.history.model,
        )
    ]
    progress(STEP_ANALYZE, 0, len(tables))
    with connection.cursor() as cursor:
        for done, table in enumerate(tables, start=1):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            progress(STEP_ANALYZE, done, len(tables))


@transaction.atomic
def bench_data_generate(
    *,
    scale: float = 1.0,
    seed: int = 139,
    today: datetime.date | None = None,
    progress: Progress = _no_progress,
) -> BenchResult:
    """Replace the benchmark data with a fresh data set of the given scale, in one
    transaction: on any error the database is left as it was. ``progress`` is told how
    far each step has come."""
    shape = bench_shape(scale=scale)
    today = today or timezone.localdate()
    _check_no_conflicts(shape)
    _plans_delete(progress)
    result = _Generator(shape=shape, seed=seed, today=today, progress=progress).run()
    _analyze(progress)
    return result
