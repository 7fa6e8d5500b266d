import datetime

import factory
from django.utils import timezone

from plans.models import (
    Agency,
    ContentArea,
    Contribution,
    Deadline,
    EvidenceFile,
    Plan,
    ProgressReport,
    Task,
    working_calendar_load,
)
from plans.services import deadline_completion_backfill
from plans.tests.sample_files import PDF_BYTES


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"don-vi-{n}")
    name = factory.Sequence(lambda n: f"Đơn vị thử nghiệm {n}")
    short_name = factory.Sequence(lambda n: f"ĐV {n}")
    kind = Agency.Kind.DEPARTMENT


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    # Above the numbers of real and sample plans the tests load (139/KH-UBND…).
    number = factory.Sequence(lambda n: f"{1000 + n}/KH-UBND")
    title = factory.Sequence(lambda n: f"Kế hoạch thử nghiệm {n}")
    period_start = datetime.date(2019, 1, 1)
    period_end = None
    coordinating_agency = factory.SubFactory(
        AgencyFactory, code="so-ngoai-vu", name="Sở Ngoại vụ", short_name="Sở Ngoại vụ"
    )
    status = Plan.Status.ACTIVE


class ContentAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentArea

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Nội dung thử nghiệm {n}")


class TaskFactory(factory.django.DjangoModelFactory):
    """A task row only; deadlines come from ``plans.services.deadline_sync_for_task``."""

    class Meta:
        model = Task

    area = factory.SubFactory(ContentAreaFactory)
    plan = factory.SelfAttribute("area.plan")
    code = factory.Sequence(lambda n: f"T.{n}")
    title = factory.Sequence(lambda n: f"Nhiệm vụ thử nghiệm {n}")
    lead_agency = factory.SubFactory(AgencyFactory)
    schedule = Task.Schedule.ONE_OFF
    due_on = datetime.date(2026, 12, 31)


def local_datetime(day, hour=9, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport
        skip_postgeneration_save = True

    state = ProgressReport.State.DONE
    agency = factory.LazyAttribute(lambda report: report.deadline.responsible_agency)
    percent = 100
    narrative = "Đã hoàn thành."
    review_state = ProgressReport.ReviewState.ACCEPTED
    submitted_at = factory.LazyAttribute(lambda report: local_datetime(report.deadline.due_on))

    @factory.post_generation
    def completion(report, create, extracted, **kwargs):
        # As report_accept does: an accepted completion makes its deadline done.
        if create:
            deadline_completion_backfill(deadlines=Deadline.objects.filter(pk=report.deadline_id))
            report.deadline.refresh_from_db(fields=["completed_on"])

    class Params:
        # A progress report still waiting for the coordinator.
        pending = factory.Trait(state=ProgressReport.State.IN_PROGRESS, percent=40, review_state="submitted")


# A workspace's worth of data, for the query-count tests of every page and export.
def populate(agencies, *, tasks, deadlines_per_task, today):
    """Deadlines around today for tasks led by A (B cooperating) and by C, with every
    kind of report: accepted completions, pending ones with evidence, returned ones,
    and contributions."""
    plan = PlanFactory()
    areas = [ContentAreaFactory(plan=plan, number=n) for n in (1, 2, 3)]
    deadlines = []
    working_calendar = working_calendar_load()
    for n in range(tasks):
        lead = agencies["a"] if n % 3 else agencies["c"]
        task = TaskFactory(area=areas[n % 3], plan=plan, lead_agency=lead)
        task.cooperating_agencies.add(agencies["b"] if lead == agencies["a"] else agencies["a"])
        for k in range(deadlines_per_task):
            due = today + datetime.timedelta(days=(k - deadlines_per_task // 2) * 3 + n)
            deadlines.append(
                Deadline(
                    task=task,
                    responsible_agency_id=task.lead_agency_id,
                    due_on=due,
                    ends_on=working_calendar.period_end(due),
                    period_start=due - datetime.timedelta(days=60),
                    period_label="Kỳ",
                )
            )
    deadlines = Deadline.objects.bulk_create(deadlines)
    now = timezone.now()
    reports, contributions = [], []
    for i, deadline in enumerate(deadlines):
        if i % 4 == 0:
            reports.append(
                ProgressReport(
                    deadline=deadline,
                    state="done",
                    percent=100,
                    narrative="Xong.",
                    submitted_at=now,
                    review_state="accepted",
                )
            )
        elif i % 4 == 1:
            reports.append(
                ProgressReport(deadline=deadline, state="in_progress", percent=50, submitted_at=now)
            )
        elif i % 4 == 2:
            reports.append(
                ProgressReport(
                    deadline=deadline,
                    state="in_progress",
                    percent=20,
                    submitted_at=now,
                    review_state="returned",
                    review_comment="Bổ sung.",
                    reviewed_at=now,
                )
            )
        contributions.append(
            Contribution(deadline=deadline, agency=agencies["b"], text="Ý kiến.", submitted_at=now)
        )
    reports = ProgressReport.objects.bulk_create(reports)
    deadline_completion_backfill(deadlines=Deadline.objects.filter(pk__in=[d.pk for d in deadlines]))
    Contribution.objects.bulk_create(contributions)
    EvidenceFile.objects.bulk_create(
        EvidenceFile(
            report=report,
            file="evidence/x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=len(PDF_BYTES),
            uploaded_at=now,
        )
        for report in reports
    )
    return deadlines
