"""The sweep and the digest, in-process (no broker): what is sent, to whom, once."""

import datetime
import io
import math

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.models import Plan, ProgressReport
from plans.tests.factories import AgencyFactory, PlanFactory, ProgressReportFactory
from plans.tests.fixtures import make_user
from tasks import services
from tasks.models import ReminderLog, ReminderPolicy, SweepRun
from tasks.tasks import digests_enqueue
from tasks.tests.conftest import SWEEP_DAY, deadline_make

pytestmark = pytest.mark.django_db

D = datetime.date


def sweep_and_send(today=SWEEP_DAY):
    result = services.reminder_sweep(today=today)
    digests_enqueue(result.digests, today=today)
    return result


@pytest.fixture
def deadlines(plan, agency):
    """On Wednesday 02/12/2026: two due soon, one due today, one overdue by 7 days (for
    the lead agency), one overdue by 14 (lead agency, and the coordinator's escalation),
    and deadlines that get nothing today."""
    make = lambda due_on, **kw: deadline_make(plan=plan, lead_agency=agency, due_on=due_on, **kw)  # noqa: E731
    return {
        "before_7": make(D(2026, 12, 11)),
        "before_1": make(D(2026, 12, 3)),
        "due": make(D(2026, 12, 2)),
        "overdue_7": make(D(2026, 11, 25)),
        "overdue_14": make(D(2026, 11, 18)),
        "quiet_future": make(D(2026, 12, 10)),
        # 24/11 is a day off (Vietnam Culture Day) since 2026, so 23/11: overdue 9 days.
        "quiet_past": make(D(2026, 11, 23)),
    }


def test_one_digest_per_agency_with_counts_links_and_both_bodies(deadlines, agency, django_user_model):
    django_user_model.objects.create_user("canbo", email="canbo@stttt.dienbien.gov.vn", agency=agency)
    django_user_model.objects.create_user(
        "nghi", email="nghi@stttt.dienbien.gov.vn", agency=agency, receives_reminders=False
    )
    django_user_model.objects.create_user(
        "cu", email="cu@stttt.dienbien.gov.vn", agency=agency, is_active=False
    )
    # Same address as the agency's, other case: listed once.
    django_user_model.objects.create_user("vanthu", email="VANTHU@stttt.dienbien.gov.vn", agency=agency)

    sweep_and_send()

    assert len(mail.outbox) == 2
    digest = next(m for m in mail.outbox if "Sở TT&TT" in m.subject)
    assert digest.subject == (
        "[Nhắc việc] Sở TT&TT: 2 nhiệm vụ sắp đến hạn, 1 nhiệm vụ đến hạn hôm nay, 2 nhiệm vụ quá hạn"
    )
    assert digest.to == ["vanthu@stttt.dienbien.gov.vn", "canbo@stttt.dienbien.gov.vn"]
    html = digest.alternatives[0][0]
    for deadline in [deadlines["before_7"], deadlines["due"], deadlines["overdue_14"]]:
        url = f"http://127.0.0.1:8000/deadlines/{deadline.pk}/"
        assert url in digest.body and f'href="{url}"' in html
    assert "11/12/2026" in digest.body and "còn 9 ngày" in digest.body
    assert "quá hạn 14 ngày" in digest.body and "quá hạn 14 ngày" in html
    assert "139/KH-UBND" in digest.body and deadlines["due"].task.title in html
    for quiet in [deadlines["quiet_future"], deadlines["quiet_past"]]:
        assert f"/deadlines/{quiet.pk}/" not in digest.body

    escalation = next(m for m in mail.outbox if "Sở Ngoại vụ" in m.subject)
    assert escalation.subject == "[Nhắc việc] Sở Ngoại vụ: 1 nhiệm vụ quá hạn của 1 đơn vị cần đôn đốc"
    assert escalation.to == ["vanthu@songoaivu.dienbien.gov.vn"]
    assert "Sở TT&TT" in escalation.body and f"/deadlines/{deadlines['overdue_14'].pk}/" in escalation.body

    rows = ReminderLog.objects.all()
    assert rows.count() == 6 and set(rows.values_list("state", flat=True)) == {"sent"}
    assert set(rows.values_list("attempts", flat=True)) == {1}


def test_running_the_sweep_twice_sends_each_reminder_once(deadlines):
    first = sweep_and_send()
    second = sweep_and_send()
    assert first.claimed == 6 and second.claimed == 0 and second.digests == []
    assert len(mail.outbox) == 2


def test_accepted_reports_and_draft_or_closed_plans_get_nothing(deadlines, agency, coordinator_agency):
    ProgressReportFactory(deadline=deadlines["due"])  # done and accepted
    ProgressReportFactory(deadline=deadlines["before_1"], pending=True)  # not done: still reminded
    ProgressReportFactory(
        deadline=deadlines["before_7"],
        review_state=ProgressReport.ReviewState.RETURNED,
        review_comment="Bổ sung",
    )
    for status in [Plan.Status.DRAFT, Plan.Status.CLOSED]:
        other = PlanFactory(status=status, coordinating_agency=coordinator_agency)
        deadline_make(plan=other, lead_agency=agency, due_on=D(2026, 12, 2))
    sweep_and_send()
    reminded = set(ReminderLog.objects.filter(agency=agency).values_list("deadline_id", flat=True))
    assert reminded == {deadlines[key].pk for key in ["before_7", "before_1", "overdue_7", "overdue_14"]}


def test_a_plan_policy_from_the_admin_table_is_used(deadlines, plan):
    ReminderPolicy.objects.create(
        plan=plan, before_working_days="", overdue_every_days=0, escalate_after_days=0
    )
    sweep_and_send()
    assert list(ReminderLog.objects.values_list("deadline_id", flat=True)) == [deadlines["due"].pk]


def test_an_agency_without_any_address_is_marked_failed_not_retried(plan):
    silent = AgencyFactory(short_name="UBND huyện Mường Nhé", reminder_emails="")
    deadline_make(plan=plan, lead_agency=silent, due_on=SWEEP_DAY)
    sweep_and_send()
    row = ReminderLog.objects.get(agency=silent)
    assert row.state == "failed" and "chưa có địa chỉ email" in row.last_error
    assert mail.outbox == []


def test_no_reminder_on_a_weekend(deadlines):
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-12-05", stdout=out)
    assert "05/12/2026 không phải ngày làm việc" in out.getvalue()
    assert not ReminderLog.objects.exists() and mail.outbox == []


def test_send_reminders_dry_run_prints_per_agency_and_kind_and_changes_nothing(deadlines):
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-12-02", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Chạy thử ngày 02/12/2026" in text
    assert "Sở TT&TT: sắp đến hạn: 2, đến hạn: 1, quá hạn: 2" in text
    assert "Sở Ngoại vụ: quá hạn cần đôn đốc: 1" in text
    assert not ReminderLog.objects.exists() and mail.outbox == []


def test_send_reminders_sends_then_sends_nothing_twice(deadlines):
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-12-02", stdout=out)
    assert "6 nhắc việc mới nhận gửi; 2 thư đã gửi" in out.getvalue()
    call_command("send_reminders", "--date", "2026-12-02", stdout=out)
    assert "0 nhắc việc mới nhận gửi; 0 thư đã gửi" in out.getvalue()
    assert len(mail.outbox) == 2


def test_send_reminders_refuses_a_bad_date_in_vietnamese(deadlines):
    with pytest.raises(CommandError, match="Ngày “02/12/2026” không hợp lệ"):
        call_command("send_reminders", "--date", "02/12/2026")
    assert not ReminderLog.objects.exists()


def test_a_stale_claim_is_sent_by_the_next_sweep_and_a_fresh_one_is_not(deadlines, settings):
    # A sweep claimed the rows, then its worker died before sending.
    result = services.reminder_sweep(today=SWEEP_DAY)
    assert result.claimed == 6 and mail.outbox == []
    assert services.reminder_sweep(today=SWEEP_DAY).digests == []  # still fresh: not taken again
    ReminderLog.objects.update(
        claimed_at=ReminderLog.objects.first().claimed_at - datetime.timedelta(hours=1)
    )
    sweep_and_send()
    assert len(mail.outbox) == 2
    assert set(ReminderLog.objects.values_list("state", flat=True)) == {"sent"}


def make_open_deadlines(plan, count, today):
    agencies = [AgencyFactory(reminder_emails=f"dv{n}@dienbien.gov.vn") for n in range(3)]
    # Due dates with a reminder on `today` (before, due, overdue, escalation) and without.
    offsets = [-21, -14, -7, 0, 1, 7, 9, -3, 4, 12, -30, 20]
    for n in range(count):
        due_on = today + datetime.timedelta(days=offsets[n % len(offsets)])
        deadline_make(plan=plan, lead_agency=agencies[n % 3], due_on=due_on)


def sweep_queries(today):
    with CaptureQueriesContext(connection) as ctx:
        result = services.reminder_sweep(today=today)
    return result, ctx.captured_queries


def test_sweep_query_count_does_not_grow_with_the_number_of_deadlines(plan):
    make_open_deadlines(plan, 5, SWEEP_DAY)
    small, small_queries = sweep_queries(SWEEP_DAY)
    next_week = SWEEP_DAY + datetime.timedelta(days=7)
    make_open_deadlines(plan, 200, next_week)
    # One day each: without the record of the first, the second has no days to make up.
    SweepRun.objects.all().delete()
    large, large_queries = sweep_queries(next_week)
    assert 0 < small.claimed < large.claimed
    # Each sweep: holidays, policies, open deadlines, the claim INSERT, the stale-claim
    # UPDATE, the agencies to notify and the count: the same at both sizes...
    others = [
        [q["sql"][:40] for q in queries if "INSERT" not in q["sql"]]
        for queries in (small_queries, large_queries)
    ]
    assert len(others[0]) == len(others[1]), others
    # ...and one INSERT, which only the driver's parameter limit splits (none on
    # PostgreSQL; 999 parameters on SQLite, about 90 rows per statement).
    inserts = [q for q in large_queries if 'INTO "tasks_reminderlog"' in q["sql"]]
    fields = [f for f in ReminderLog._meta.concrete_fields if not f.primary_key]
    per_statement = connection.ops.bulk_batch_size(fields, [None] * large.claimed)
    assert len(inserts) == math.ceil(large.claimed / per_statement)
    if connection.vendor == "postgresql":
        assert len(small_queries) == len(large_queries)
    # One digest per agency: six lead agencies and the coordinator.
    assert sorted(agency_id for agency_id, _token in large.digests) == sorted(
        set(ReminderLog.objects.values_list("agency_id", flat=True))
    )
    assert len(large.digests) == 7


def test_a_deadline_completed_between_claim_and_send_is_not_reminded(deadlines):
    result = services.reminder_sweep(today=SWEEP_DAY)
    for key in ["due", "overdue_14"]:
        ProgressReportFactory(deadline=deadlines[key])  # accepted completion
    digests_enqueue(result.digests, today=SWEEP_DAY)
    # The coordinator's only item (the 14-day escalation) is done: no email for it.
    assert [m.subject for m in mail.outbox] == [
        "[Nhắc việc] Sở TT&TT: 2 nhiệm vụ sắp đến hạn, 1 nhiệm vụ quá hạn"
    ]
    assert ReminderLog.objects.count() == 3
    assert set(ReminderLog.objects.values_list("state", flat=True)) == {"sent"}


def test_a_deadline_on_a_saturday_is_due_on_the_monday_it_really_ends(plan, agency):
    """Civil Code 2015, Art. 148(5): due Saturday 26/12/2026, it ends Monday 28/12. The
    "due today" reminder goes on that Monday, not on the Friday before."""
    deadline_make(plan=plan, lead_agency=agency, due_on=D(2026, 12, 26))
    friday = services.reminder_sweep(today=D(2026, 12, 25), dry_run=True).planned
    monday = services.reminder_sweep(today=D(2026, 12, 28), dry_run=True).planned
    tuesday = services.reminder_sweep(today=D(2026, 12, 29), dry_run=True).planned
    assert (agency.pk, ReminderLog.Kind.DUE) not in friday
    assert monday[agency.pk, ReminderLog.Kind.DUE] == 1
    assert (agency.pk, ReminderLog.Kind.DUE) not in tuesday


def test_a_waived_deadline_gets_no_reminder(plan, agency, django_user_model):
    from plans.services import deadline_waive

    deadline = deadline_make(plan=plan, lead_agency=agency, due_on=SWEEP_DAY)
    coordinator = django_user_model.objects.create_superuser("quantri", password="Mat-khau-2026")
    deadline_waive(deadline=deadline, user=coordinator, reason="Không còn thực hiện")
    assert not services.reminder_sweep(today=SWEEP_DAY, dry_run=True).planned


def test_an_escalation_digest_goes_only_to_those_who_may_see_every_agency(
    deadlines, agency, coordinator_agency, django_user_model
):
    """The coordinating agency's digest lists other agencies' overdue deadlines: its own
    addresses and its users whose role sees every agency get it; its plain officers, who
    get 404 on those deadlines in the portal, do not. The lead agency's own digest still
    goes to its officers."""
    people = {
        "officer": make_user(django_user_model, "canbo.snv", "officer", coordinator_agency),
        "coordinator": make_user(django_user_model, "daumoi.snv", "coordinator", coordinator_agency),
        "leader": make_user(django_user_model, "lanhdao.snv", "leader", coordinator_agency),
        "lead_officer": make_user(django_user_model, "canbo.tttt", "officer", agency),
    }
    for name, person in people.items():
        person.email = f"{name}@dienbien.gov.vn"
        person.save()
    sweep_and_send()
    escalation = next(m for m in mail.outbox if "Sở Ngoại vụ" in m.subject)
    assert escalation.to == [
        "vanthu@songoaivu.dienbien.gov.vn",
        "coordinator@dienbien.gov.vn",
        "leader@dienbien.gov.vn",
    ]
    own = next(m for m in mail.outbox if "Sở TT&TT" in m.subject)
    assert own.to == ["vanthu@stttt.dienbien.gov.vn", "lead_officer@dienbien.gov.vn"]
    log = ReminderLog.objects.filter(agency=coordinator_agency).get()
    assert log.recipients == ", ".join(escalation.to)


def test_a_one_off_deadline_is_named_by_its_date_once_in_the_digest(plan, agency):
    deadline_make(plan=plan, lead_agency=agency, due_on=SWEEP_DAY, label="Thời hạn 02/12/2026")
    sweep_and_send()
    (message,) = mail.outbox
    assert "Kỳ:" not in message.body
    assert "Hạn: 02/12/2026 · hạn hôm nay" in message.body
    assert "Kính gửi: Sở Thông tin và Truyền thông\n" in message.body
