"""Sample tasks for demonstrations and development. Not plan content.

They live in a plan of their own (``SAMPLE_PLAN``) whose number and title say it is
sample data, so Plan 139/KH-UBND holds only sourced rows and its figures and report are
never built from sample rows. Every sample task's title starts with ``SAMPLE_PREFIX`` and
its source note says it is sample data. Dates are placed
relative to the day of seeding, so that on that day some deadlines are overdue, some due
within days, some done on time and some done late.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from plans.models import Agency, Contribution, Plan, ProgressReport, Task
from plans.selectors import working_calendar_get
from plans.services import deadline_completion_record, task_create

SAMPLE_PREFIX = "[Dữ liệu mẫu] "
SAMPLE_NOTE = "Dữ liệu mẫu để trình diễn cổng; không phải nội dung của Kế hoạch 139/KH-UBND."
SAMPLE_PLAN_NUMBER = "0/KH-MAU"
SAMPLE_PLAN_TITLE = "[Dữ liệu mẫu] Kế hoạch mẫu để trình diễn cổng theo dõi: không phải văn bản của UBND tỉnh"


@dataclass(frozen=True)
class _Report:
    state: str
    percent: int
    review_state: str
    submitted_days_ago: int
    narrative: str = "Dữ liệu mẫu: kết quả thực hiện minh họa."
    comment: str = ""


@dataclass(frozen=True)
class _SampleTask:
    code: str
    area: int
    lead: str
    cooperating: tuple
    title: str
    # One-off tasks: due this many (working) days from the day of seeding.
    due_in_days: int = 0
    due_in_working_days: int = 0
    report: _Report | None = None
    # Quarterly tasks: started this many days before the day of seeding.
    quarterly_history_days: int = 0
    # A cooperating agency's contribution: (agency code, text).
    contribution: tuple[str, str] | None = None


_DONE = ProgressReport.State.DONE
_IN_PROGRESS = ProgressReport.State.IN_PROGRESS
_ACCEPTED = ProgressReport.ReviewState.ACCEPTED
_SUBMITTED = ProgressReport.ReviewState.SUBMITTED
_RETURNED = ProgressReport.ReviewState.RETURNED

SAMPLE_TASKS = [
    _SampleTask(
        "MAU-01",
        5,
        "so-tttt",
        ("so-vhttdl",),
        "Biên soạn tài liệu giới thiệu tiềm năng du lịch của tỉnh bằng tiếng Lào",
        due_in_days=-40,
    ),
    _SampleTask(
        "MAU-02",
        5,
        "so-tttt",
        (),
        "Tổ chức tập huấn thông tin đối ngoại cho cán bộ cấp huyện",
        due_in_days=-20,
        report=_Report(_DONE, 100, _ACCEPTED, 23),
    ),
    _SampleTask(
        "MAU-03",
        5,
        "so-tttt",
        ("dai-ptth-tinh",),
        "Sản xuất chuyên mục truyền hình về hợp tác với các tỉnh Bắc Lào",
        due_in_days=-30,
        report=_Report(_DONE, 100, _ACCEPTED, 26),
    ),
    _SampleTask(
        "MAU-04",
        5,
        "so-tttt",
        ("bao-dien-bien-phu",),
        "Cập nhật chuyên trang thông tin đối ngoại trên Cổng thông tin điện tử tỉnh",
        due_in_working_days=1,
        report=_Report(_IN_PROGRESS, 60, _SUBMITTED, 2),
    ),
    _SampleTask(
        "MAU-05",
        2,
        "so-tttt",
        ("so-khdt",),
        "Xây dựng ấn phẩm giới thiệu môi trường đầu tư của tỉnh",
        due_in_working_days=3,
    ),
    _SampleTask(
        "MAU-06",
        5,
        "so-tttt",
        (),
        "Rà soát, cập nhật bộ tư liệu thông tin đối ngoại của tỉnh",
        due_in_days=25,
        report=_Report(
            _DONE, 100, _RETURNED, 3, comment="Dữ liệu mẫu: đề nghị bổ sung danh mục tư liệu đã cập nhật."
        ),
    ),
    _SampleTask(
        "MAU-07",
        4,
        "so-vhttdl",
        ("so-tttt",),
        "Tổ chức ngày hội giao lưu văn hóa hữu nghị với các tỉnh bạn Lào",
        due_in_days=-12,
        contribution=("so-tttt", "Dữ liệu mẫu: đã đưa tin về ngày hội trên Cổng thông tin điện tử tỉnh."),
    ),
    _SampleTask(
        "MAU-08",
        6,
        "cong-an-tinh",
        ("so-ngoai-vu",),
        "Rà soát quy trình giải quyết thủ tục xuất nhập cảnh",
        due_in_working_days=2,
    ),
    _SampleTask(
        "MAU-09",
        2,
        "so-khdt",
        ("so-ngoai-vu",),
        "Báo cáo kết quả xúc tiến đầu tư với đối tác nước ngoài",
        due_in_days=-60,
        report=_Report(_DONE, 100, _ACCEPTED, 61),
    ),
    _SampleTask(
        "MAU-10",
        8,
        "so-noi-vu",
        ("so-ngoai-vu",),
        "Bồi dưỡng kiến thức đối ngoại cho cán bộ, công chức",
        due_in_days=45,
    ),
    _SampleTask(
        "MAU-11",
        7,
        "bo-chbdbp-tinh",
        ("so-ngoai-vu", "h-muong-nhe"),
        "Phối hợp tuần tra song phương trên tuyến biên giới",
        due_in_days=-5,
        report=_Report(_IN_PROGRESS, 50, _SUBMITTED, 6),
    ),
    _SampleTask(
        "MAU-12",
        1,
        "vp-ubnd-tinh",
        ("so-ngoai-vu",),
        "Tham mưu chương trình hoạt động đối ngoại năm của UBND tỉnh",
        due_in_days=120,
    ),
    # A year of history: every past quarter reported on time except the latest, which
    # is overdue; the quarters ahead are not yet due.
    _SampleTask(
        "MAU-13",
        3,
        "so-ngoai-vu",
        ("so-tttt", "so-vhttdl"),
        "Báo cáo tình hình hợp tác với các địa phương nước bạn",
        quarterly_history_days=370,
    ),
]


def _local_morning(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


def _add_report(*, deadline, spec, today, reporter, reviewer):
    submitted_at = _local_morning(today - datetime.timedelta(days=spec.submitted_days_ago))
    report = ProgressReport(
        deadline=deadline,
        state=spec.state,
        percent=spec.percent,
        narrative=spec.narrative,
        submitted_by=reporter,
        submitted_at=submitted_at,
        agency_id=deadline.responsible_agency_id,
        review_state=spec.review_state,
        review_comment=spec.comment,
    )
    if spec.review_state != _SUBMITTED:
        report.reviewed_by = reviewer
        # Every reviewed sample report was sent at least two days before seeding.
        report.reviewed_at = submitted_at + datetime.timedelta(days=1)
    report.full_clean()
    report.save()
    if spec.review_state == _ACCEPTED and spec.state == _DONE:
        deadline_completion_record(deadline=deadline, report=report, user=reviewer)


def sample_plan_get_or_create(*, source_plan: Plan, today: datetime.date) -> Plan:
    """The sample plan, created on first use with the content areas of ``source_plan``
    (numbers and titles, so demo rows read like the real plan), marked as sample data."""
    plan, created = Plan.objects.get_or_create(
        number=SAMPLE_PLAN_NUMBER,
        defaults={
            "title": SAMPLE_PLAN_TITLE,
            "issuer": "Dữ liệu mẫu",
            "period_start": datetime.date(today.year - 2, 1, 1),
            "coordinating_agency": source_plan.coordinating_agency,
            "status": Plan.Status.ACTIVE,
            "summary": SAMPLE_NOTE,
            "source_note": SAMPLE_NOTE,
        },
    )
    if created:
        for area in source_plan.areas.order_by("number"):
            plan.areas.create(
                number=area.number,
                title=area.title,
                source_note=f"Tên nội dung sao từ Kế hoạch {source_plan.number} để trình diễn. {SAMPLE_NOTE}",
            )
    return plan


@transaction.atomic
def sample_tasks_move_out(*, source_plan: Plan, sample_plan: Plan) -> int:
    """Move sample tasks that an earlier version put in ``source_plan`` into the sample
    plan, with their deadlines, reports and evidence (they follow the task). Each move
    is saved one by one, so history records it. Returns how many moved."""
    areas = {area.number: area for area in sample_plan.areas.all()}
    moved = 0
    for task in source_plan.tasks.filter(source_note=SAMPLE_NOTE).select_related("area"):
        task.plan, task.area = sample_plan, areas[task.area.number]
        task._change_reason = f"Chuyển nhiệm vụ mẫu sang {sample_plan.number}"
        task.full_clean()
        task.save()
        moved += 1
    return moved


@transaction.atomic
def sample_tasks_seed(*, plan: Plan, today: datetime.date, reporters: dict, reviewer) -> int:
    """Create the sample tasks that are missing (matched by code); return how many.

    ``reporters`` maps an agency code to the user who reports for it; agencies without
    one get reports with no sender.
    """
    agencies = Agency.objects.in_bulk(field_name="code")
    areas = {area.number: area for area in plan.areas.all()}
    existing = set(plan.tasks.values_list("code", flat=True))
    calendar = working_calendar_get()
    created = 0

    for spec in SAMPLE_TASKS:
        if spec.code in existing:
            continue
        if spec.quarterly_history_days:
            schedule = {
                "schedule": Task.Schedule.QUARTERLY,
                "start_on": today - datetime.timedelta(days=spec.quarterly_history_days),
            }
        elif spec.due_in_working_days:
            schedule = {
                "schedule": Task.Schedule.ONE_OFF,
                "due_on": calendar.add_working_days(today, spec.due_in_working_days),
            }
        else:
            schedule = {
                "schedule": Task.Schedule.ONE_OFF,
                "due_on": today + datetime.timedelta(days=spec.due_in_days),
            }
        task = task_create(
            plan=plan,
            area=areas[spec.area],
            code=spec.code,
            title=SAMPLE_PREFIX + spec.title,
            lead_agency=agencies[spec.lead],
            cooperating_agencies=[agencies[code] for code in spec.cooperating],
            source_note=SAMPLE_NOTE,
            today=today,
            **schedule,
        )
        created += 1
        if spec.quarterly_history_days:
            past = list(task.deadlines.filter(due_on__lt=today).order_by("due_on"))
            reports = [
                (deadline, _Report(_DONE, 100, _ACCEPTED, (today - deadline.due_on).days + 2))
                for deadline in past[:-1]
            ]
        else:
            reports = [(task.deadlines.get(), spec.report)] if spec.report else []
        if spec.contribution:
            agency_code, text = spec.contribution
            contribution = Contribution(
                deadline=task.deadlines.get(),
                agency=agencies[agency_code],
                text=text,
                submitted_by=reporters.get(agency_code),
                submitted_at=_local_morning(today - datetime.timedelta(days=3)),
            )
            contribution.full_clean()
            contribution.save()
        for deadline, report in reports:
            _add_report(
                deadline=deadline,
                spec=report,
                today=today,
                reporter=reporters.get(spec.lead),
                reviewer=reviewer,
            )
    return created
