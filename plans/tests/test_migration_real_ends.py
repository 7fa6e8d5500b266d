"""Migration 0009 on a database written before it: every deadline gets its real end
(Civil Code Art. 148(5)) from the working calendar with the admin's corrections, and of
several reports waiting on one deadline only the latest keeps waiting."""

import datetime

import pytest
from django.utils import timezone

from plans.tests.environment import migrate_to

BEFORE = [("plans", "0008_agency_group")]
AFTER = [("plans", "0009_deadline_end_waiver_report_replacement")]
D = datetime.date


@pytest.mark.django_db(transaction=True)
def test_real_ends_are_filled_and_duplicate_waiting_reports_closed():
    apps = migrate_to(BEFORE)
    Agency = apps.get_model("plans", "Agency")
    Plan = apps.get_model("plans", "Plan")
    Task = apps.get_model("plans", "Task")
    Deadline = apps.get_model("plans", "Deadline")
    ProgressReport = apps.get_model("plans", "ProgressReport")
    Holiday = apps.get_model("plans", "Holiday")

    agency = Agency.objects.create(code="so-a", name="Sở A", short_name="Sở A", kind="department")
    plan = Plan.objects.create(
        number="5/KH-UBND", title="Kế hoạch thử", period_start=D(2026, 1, 1), coordinating_agency=agency
    )
    area = plan.areas.create(number=1, title="Nội dung 1")
    task = Task.objects.create(
        plan=plan, area=area, code="1.1", title="Nhiệm vụ", lead_agency=agency, schedule="quarterly"
    )
    # A Saturday; a Thursday made a day off by the admin; a plain working day.
    saturday = Deadline.objects.create(
        task=task, due_on=D(2026, 12, 26), period_start=D(2026, 1, 1), period_label="a"
    )
    Holiday.objects.create(date=D(2026, 12, 24), kind="day_off", name="Nghỉ thêm")
    corrected = Deadline.objects.create(
        task=task, due_on=D(2026, 12, 24), period_start=D(2026, 1, 1), period_label="b"
    )
    plain = Deadline.objects.create(
        task=task, due_on=D(2026, 12, 22), period_start=D(2026, 1, 1), period_label="c"
    )
    now = timezone.now()
    waiting = [
        ProgressReport.objects.create(
            deadline=saturday,
            state="in_progress",
            percent=10 * n,
            submitted_at=now - datetime.timedelta(days=3 - n),
            review_state="submitted",
        )
        for n in range(3)
    ]

    apps = migrate_to(AFTER)
    Deadline = apps.get_model("plans", "Deadline")
    ProgressReport = apps.get_model("plans", "ProgressReport")
    ends = dict(Deadline.objects.values_list("pk", "ends_on"))
    assert ends == {saturday.pk: D(2026, 12, 28), corrected.pk: D(2026, 12, 25), plain.pk: D(2026, 12, 22)}
    states = dict(ProgressReport.objects.values_list("pk", "review_state"))
    assert states == {waiting[0].pk: "superseded", waiting[1].pk: "superseded", waiting[2].pk: "submitted"}

    migrate_to(None)
