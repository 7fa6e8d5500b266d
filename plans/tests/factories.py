import datetime

import factory
from django.utils import timezone

from plans.models import Agency, ContentArea, Plan, ProgressReport, Task


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

    number = factory.Sequence(lambda n: f"{100 + n}/KH-UBND")
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

    state = ProgressReport.State.DONE
    percent = 100
    narrative = "Đã hoàn thành."
    review_state = ProgressReport.ReviewState.ACCEPTED
    submitted_at = factory.LazyAttribute(lambda report: local_datetime(report.deadline.due_on))

    class Params:
        # A progress report still waiting for the coordinator.
        pending = factory.Trait(state=ProgressReport.State.IN_PROGRESS, percent=40, review_state="submitted")
