"""Figures an official can sign: deadline ends (Civil Code 2015, Art. 148(5)), waived
deadlines, one waiting report per deadline, and recurring deadlines that start at the
task's start."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import Deadline, DeadlineStatus, EvidenceFile, Holiday, ProgressReport, Task
from plans.selectors import (
    STATUS_ORDER,
    DeadlineFilter,
    deadline_list_with_status,
    province_overview_get,
    report_review_queue,
    status_counts,
    status_dates_get,
)
from plans.tests.factories import (
    ContentAreaFactory,
    PlanFactory,
    ProgressReportFactory,
    TaskFactory,
    local_datetime,
)
from plans.tests.sample_files import PDF_BYTES

D = datetime.date
pytestmark = pytest.mark.django_db


def one_off(due_on, **kwargs):
    task = TaskFactory(due_on=due_on, **kwargs)
    services.deadline_sync_for_task(task=task, today=D(2026, 1, 1))
    return task.deadlines.get()


def status_on(deadline, today):
    return deadline_list_with_status(dates=status_dates_get(today=today)).get(pk=deadline.pk).status


# Civil Code 2015, Art. 148(5): a period ending on a day off ends on the next working day.


def test_a_deadline_on_saturday_ends_on_monday_and_is_overdue_from_tuesday():
    deadline = one_off(D(2026, 12, 26))  # Saturday
    assert deadline.ends_on == D(2026, 12, 28)
    assert status_on(deadline, D(2026, 12, 26)) == DeadlineStatus.DUE_SOON
    assert status_on(deadline, D(2026, 12, 28)) == DeadlineStatus.DUE_SOON
    assert status_on(deadline, D(2026, 12, 29)) == DeadlineStatus.OVERDUE


def test_a_working_day_deadline_ends_that_day():
    deadline = one_off(D(2026, 12, 24))  # Thursday
    assert deadline.ends_on == deadline.due_on
    assert status_on(deadline, D(2026, 12, 25)) == DeadlineStatus.OVERDUE


def test_30_april_and_1_may_then_the_weekend():
    deadline = one_off(D(2026, 4, 30))  # Thursday; Friday 1/5 off too, then the weekend
    assert deadline.ends_on == D(2026, 5, 4)
    assert status_on(deadline, D(2026, 5, 4)) != DeadlineStatus.OVERDUE
    assert status_on(deadline, D(2026, 5, 5)) == DeadlineStatus.OVERDUE


def test_tet_moves_the_end_past_the_whole_holiday():
    deadline = one_off(D(2026, 2, 17))  # Tết 16–20/02/2026, then the weekend
    assert deadline.ends_on == D(2026, 2, 23)
    assert status_on(deadline, D(2026, 2, 23)) == DeadlineStatus.DUE_SOON
    assert status_on(deadline, D(2026, 2, 24)) == DeadlineStatus.OVERDUE


def test_completion_on_the_real_end_is_on_time():
    deadline = one_off(D(2026, 12, 26))
    ProgressReportFactory(deadline=deadline, submitted_at=afternoon(D(2026, 12, 28)))
    assert status_on(deadline, D(2027, 1, 10)) == DeadlineStatus.DONE_ON_TIME


def afternoon(day):
    return local_datetime(day, 16, 0)


def test_an_admin_correction_moves_the_real_end_and_history_records_it(admin_client):
    deadline = one_off(D(2026, 12, 26))
    response = admin_client.post(
        reverse("admin:plans_holiday_add"), {"date": "28/12/2026", "kind": "day_off", "name": "Nghỉ bù"}
    )
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.ends_on == D(2026, 12, 29)
    assert deadline.history.filter(ends_on=D(2026, 12, 29)).exists()
    assert status_on(deadline, D(2026, 12, 29)) == DeadlineStatus.DUE_SOON

    holiday = Holiday.objects.get(date=D(2026, 12, 28))
    admin_client.post(reverse("admin:plans_holiday_delete", args=[holiday.pk]), {"post": "yes"})
    deadline.refresh_from_db()
    assert deadline.ends_on == D(2026, 12, 28)


def test_a_worked_saturday_ends_a_deadline_on_it():
    Holiday.objects.create(date=D(2026, 12, 26), kind=Holiday.Kind.WORKING_DAY, name="Làm bù")
    assert one_off(D(2026, 12, 26)).ends_on == D(2026, 12, 26)


def test_the_deadline_page_shows_both_dates_when_they_differ(client, users, agencies):
    deadline = one_off(D(2026, 12, 26), lead_agency=agencies["a"])
    client.force_login(users["officer_a"])
    html = client.get(reverse("deadline-detail", args=[deadline.pk])).content.decode()
    assert "26/12/2026 (thứ Bảy) → hết hạn 28/12/2026" in html


# Waived deadlines: shown as "Đã miễn", never counted.


def test_a_waived_deadline_leaves_the_figures_and_history_says_who_and_why(users):
    waived = one_off(D(2026, 11, 2))
    counted = one_off(D(2026, 11, 3))
    services.deadline_waive(deadline=waived, user=users["coordinator"], reason="Nhiệm vụ đã gộp vào 5.1")

    dates = status_dates_get(today=D(2026, 12, 1))
    assert status_on(waived, D(2026, 12, 1)) == DeadlineStatus.WAIVED
    counts = status_counts(deadline_list_with_status(dates=dates))
    assert counts[DeadlineStatus.OVERDUE] == 1 and sum(counts.values()) == 1
    assert status_on(counted, D(2026, 12, 1)) == DeadlineStatus.OVERDUE
    record = waived.history.latest("history_id")
    assert record.history_user == users["coordinator"]
    assert record.waiver_reason == "Nhiệm vụ đã gộp vào 5.1"
    assert record.history_change_reason == "Miễn hạn: Nhiệm vụ đã gộp vào 5.1"

    services.deadline_waiver_cancel(deadline=waived, user=users["coordinator"])
    assert status_on(waived, D(2026, 12, 1)) == DeadlineStatus.OVERDUE
    assert waived.history.latest("history_id").history_change_reason == "Bỏ miễn hạn"


def test_waiving_needs_a_reason_the_coordinator_and_an_open_deadline(users):
    deadline = one_off(D(2026, 11, 2))
    with pytest.raises(ValidationError, match="Cần nêu lý do"):
        services.deadline_waive(deadline=deadline, user=users["coordinator"], reason="  ")
    with pytest.raises(ValidationError, match="Chỉ cơ quan đầu mối"):
        services.deadline_waive(deadline=deadline, user=users["officer_a"], reason="Lý do")
    ProgressReportFactory(deadline=deadline)
    with pytest.raises(ValidationError, match="đã hoàn thành"):
        services.deadline_waive(deadline=deadline, user=users["coordinator"], reason="Lý do")
    deadline.refresh_from_db()
    assert deadline.waived_at is None


def test_the_coordinator_waives_from_the_deadline_page_and_nobody_can_report_on_it(client, users, agencies):
    deadline = one_off(D(2026, 11, 2), lead_agency=agencies["a"])
    client.force_login(users["coordinator"])
    refused = client.post(reverse("deadline-waive", args=[deadline.pk]), {"waiver_reason": ""})
    assert refused.status_code == 400
    response = client.post(
        reverse("deadline-waive", args=[deadline.pk]), {"waiver_reason": "Theo Văn bản số 12/SNgV"}
    )
    assert response.status_code == 302
    page = client.get(reverse("deadline-detail", args=[deadline.pk])).content.decode()
    assert "Đã miễn" in page and "Theo Văn bản số 12/SNgV" in page

    client.force_login(users["officer_a"])
    page = client.get(reverse("deadline-detail", args=[deadline.pk])).content.decode()
    assert 'id="report-form"' not in page and 'id="waived-notice"' in page
    with pytest.raises(ValidationError, match="đã được miễn"):
        services.report_submit(
            deadline=deadline, user=users["officer_a"], state="in_progress", percent=10, narrative="x"
        )
    client.force_login(users["officer_a"])
    assert (
        client.post(reverse("deadline-waive", args=[deadline.pk]), {"waiver_reason": "x"}).status_code == 403
    )


# One report waiting per deadline.


def submit(deadline, user, narrative="Đang thực hiện.", **kwargs):
    return services.report_submit(
        deadline=deadline, user=user, state="in_progress", percent=50, narrative=narrative, **kwargs
    )


def test_a_new_report_replaces_the_waiting_one_in_the_queue(users, deadline):
    first = submit(deadline, users["officer_a"], "Lần 1")
    second = submit(deadline, users["officer_a"], "Lần 2")
    third = submit(deadline, users["officer_a"], "Lần 3")
    states = dict(ProgressReport.objects.values_list("pk", "review_state"))
    assert states == {first.pk: "superseded", second.pk: "superseded", third.pk: "submitted"}
    assert [report.pk for report in report_review_queue(user=users["coordinator"])] == [third.pk]
    first.refresh_from_db()
    assert first.get_review_state_display() == "Đã thay thế"


def test_the_database_holds_at_most_one_waiting_report_per_deadline(deadline):
    from django.db import IntegrityError, transaction

    ProgressReportFactory(deadline=deadline, pending=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReportFactory(deadline=deadline, pending=True)


def test_the_lead_agency_withdraws_a_waiting_report(client, users, deadline):
    report = submit(deadline, users["officer_a"])
    with pytest.raises(PermissionDenied):
        services.report_withdraw(report=report, user=users["officer_b"])
    client.force_login(users["officer_a"])
    response = client.post(reverse("report-withdraw", args=[deadline.pk, report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.review_state == ProgressReport.ReviewState.WITHDRAWN
    assert not report_review_queue(user=users["coordinator"]).exists()
    with pytest.raises(ValidationError, match="Chỉ rút được báo cáo đang chờ xác nhận"):
        services.report_withdraw(report=report, user=users["officer_a"])


def test_after_sending_the_page_shows_the_waiting_report(client, users, deadline):
    client.force_login(users["officer_a"])
    response = client.post(
        reverse("report-submit", args=[deadline.pk]),
        {"state": "in_progress", "percent": "30", "narrative": "Đã họp triển khai."},
        follow=True,
    )
    html = response.content.decode()
    assert 'id="waiting-report"' in html and "Báo cáo đang chờ xác nhận" in html
    # The form is there only to replace it, folded away.
    assert '<details id="replace-report">' in html
    listed = client.get(reverse("deadline-list")).context["page"].object_list[0]
    assert listed.waiting_review is True


def test_after_a_return_the_form_starts_from_the_returned_report_and_keeps_its_files(client, users, deadline):
    returned = submit(
        deadline, users["officer_a"], "Bản đầu", files=[SimpleUploadedFile("bien-ban.pdf", PDF_BYTES)]
    )
    services.report_return(report=returned, user=users["coordinator"], comment="Bổ sung số liệu")
    client.force_login(users["officer_a"])
    form = client.get(reverse("deadline-detail", args=[deadline.pk])).context["report_form"]
    assert form.initial["narrative"] == "Bản đầu"
    old_file = returned.evidence.get()
    assert form.fields["carry_evidence"].choices == [(old_file.pk, "bien-ban.pdf")]

    client.post(
        reverse("report-submit", args=[deadline.pk]),
        {
            "state": "in_progress",
            "percent": "60",
            "narrative": "Bản bổ sung",
            "carry_evidence": [old_file.pk],
        },
    )
    new = ProgressReport.objects.get(review_state="submitted")
    carried = new.evidence.get()
    assert (carried.original_name, carried.file.name, carried.size) == (
        "bien-ban.pdf",
        old_file.file.name,
        old_file.size,
    )
    assert EvidenceFile.objects.count() == 2


def test_files_of_another_deadline_cannot_be_carried(users, deadline, agencies):
    other = one_off(D(2026, 12, 24), lead_agency=agencies["a"])
    foreign = submit(other, users["officer_a"], files=[SimpleUploadedFile("khac.pdf", PDF_BYTES)])
    with pytest.raises(ValidationError, match="không thuộc báo cáo trước của hạn này"):
        submit(deadline, users["officer_a"], carry_evidence_ids=[foreign.evidence.get().pk])
    assert not deadline.reports.exists()


# Recurring deadlines start at the task's start; no phantom rows.


def quarterly_task(plan, **kwargs):
    return TaskFactory(
        area__plan=plan, plan=plan, schedule=Task.Schedule.QUARTERLY, due_on=None, due_day=None, **kwargs
    )


def test_a_task_starting_today_gets_no_past_deadlines():
    plan = PlanFactory(period_start=D(2019, 1, 1), period_end=None)
    task = quarterly_task(plan, start_on=D(2026, 12, 1))
    result = services.deadline_sync_for_task(task=task, today=D(2026, 12, 1))
    assert result.created_past == 0
    assert task.deadlines.order_by("due_on").first().due_on == D(2026, 12, 31)


def test_moving_the_start_later_removes_unreported_deadlines_before_it():
    plan = PlanFactory(period_start=D(2019, 1, 1), period_end=None)
    task = quarterly_task(plan)
    services.deadline_sync_for_task(task=task, today=D(2026, 12, 1))
    assert task.deadlines.filter(due_on__lt=D(2026, 12, 1)).count() == 31  # back to 2019
    reported = task.deadlines.get(due_on=D(2020, 3, 31))
    ProgressReportFactory(deadline=reported)

    task.start_on = D(2026, 10, 1)
    task.save()
    result = services.deadline_sync_for_task(task=task, today=D(2026, 12, 1))
    assert result.deleted == 30 and result.kept_with_reports == 1
    assert list(task.deadlines.filter(due_on__lt=D(2026, 12, 1)).values_list("due_on", flat=True)) == [
        D(2020, 3, 31)
    ]
    assert Deadline.history.filter(history_type="-", task_id=task.pk).count() == 30


def test_the_admin_previews_the_deadlines_before_saving_a_new_task(admin_client, agencies):
    area = ContentAreaFactory(plan__period_start=D(2019, 1, 1), plan__period_end=None)
    form = admin_client.get(reverse("admin:plans_task_add")).context["adminform"].form
    assert form.fields["start_on"].initial == timezone.localdate()

    data = {
        "plan": area.plan.pk,
        "area": area.pk,
        "code": "9.1",
        "title": "Báo cáo quý",
        "lead_agency": agencies["a"].pk,
        "schedule": "quarterly",
        "start_on": "",
        "deadlines-TOTAL_FORMS": "0",
        "deadlines-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:plans_task_add"), data)
    assert response.status_code == 200
    assert not Task.objects.filter(code="9.1").exists()
    preview = response.context["adminform"].form.deadline_preview
    assert preview.created_past >= 31  # quarters back to 2019: what the preview is there to catch
    assert f"({preview.created_past} hạn đã qua)" in response.content.decode()

    data["start_on"] = "01/12/2026"
    data["confirm_deadlines"] = "on"
    response = admin_client.post(reverse("admin:plans_task_add"), data)
    assert response.status_code == 302
    task = Task.objects.get(code="9.1")
    assert not task.deadlines.filter(due_on__lt=D(2026, 12, 1)).exists()


# Every page and file reads one definition: the same counts for the same filters.


def test_overview_page_excel_and_word_report_give_the_same_counts(client, users, agencies):
    import io

    from docx import Document
    from openpyxl import load_workbook

    plan = PlanFactory(number="77/KH-UBND", period_start=D(2025, 1, 1), period_end=None)
    task_kwargs = {"area__plan": plan, "plan": plan}
    for lead, due in [
        ("a", D(2026, 9, 10)),
        ("a", D(2026, 10, 5)),
        ("b", D(2026, 11, 20)),
        ("b", D(2026, 12, 26)),
    ]:
        deadline = one_off(due, lead_agency=agencies[lead], **task_kwargs)
    done_early = one_off(D(2026, 9, 30), lead_agency=agencies["c"], **task_kwargs)
    ProgressReportFactory(deadline=done_early)
    waived = one_off(D(2026, 10, 20), lead_agency=agencies["c"], **task_kwargs)
    services.deadline_waive(deadline=waived, user=users["coordinator"], reason="Không còn thực hiện")
    one_off(D(2026, 12, 20), lead_agency=agencies["a"], **task_kwargs)  # after the cut-off
    assert deadline.due_on == D(2026, 12, 26)

    client.force_login(users["coordinator"])
    query = {"plan": plan.pk, "period": "2026-Q4"}
    overview = client.get(reverse("province-overview"), query).context["overview"]
    rows = list(
        load_workbook(io.BytesIO(client.get(reverse("province-overview-export"), query).content))
        .worksheets[0]
        .iter_rows(min_row=2, values_only=True)
    )
    report = client.get(reverse("province-report"), query)
    summary = next(
        p.text for p in Document(io.BytesIO(report.content)).paragraphs if p.text.startswith("Trong kỳ có")
    )

    # Quý IV/2026 (15/09–14/12): due in it 10/09? no (before 15/09, open: backlog), 05/10,
    # 20/11, 30/09 (done), 20/10 (waived, not counted), not 20/12 or 26/12.
    assert overview.total == 4
    assert overview.backlog[DeadlineStatus.OVERDUE] == 1
    counts = overview.counts
    total_row = rows[-1]
    assert total_row[0] == "Tổng cộng" and total_row[6] == overview.total
    assert list(total_row[1:6]) == [counts[status] for status in STATUS_ORDER]
    groups = overview.figures.groups
    assert f"có {overview.total} hạn thực hiện nhiệm vụ (3 hạn đến trong kỳ, 1 hạn chưa hoàn thành" in summary
    in_term, open_total = groups["open_in_term"], groups["open_in_term"] + groups["open_overdue"]
    assert (
        f"đã hoàn thành {groups['done']} (đúng hạn {counts['done_on_time']}, quá hạn {counts['done_late']}); "
        f"chưa hoàn thành {open_total} (trong hạn {in_term}, "
        f"gồm sắp đến hạn {counts['due_soon']} và chưa đến hạn {counts['not_yet_due']}; "
        f"quá hạn {counts['overdue']})"
    ) in summary
    # What the data holds: 10/09 open (overdue), 05/10 and 20/11 overdue, 30/09 done on time.
    assert (counts["overdue"], counts["done_on_time"], overview.total) == (3, 1, 4)


def test_the_overview_with_a_period_shows_what_is_carried_over(client, users, agencies):
    plan = PlanFactory(period_start=D(2025, 1, 1), period_end=None)
    one_off(D(2026, 9, 10), lead_agency=agencies["a"], area__plan=plan, plan=plan)
    client.force_login(users["coordinator"])
    html = client.get(reverse("province-overview"), {"period": "2026-Q4"}).content.decode()
    assert "1 hạn chưa hoàn thành từ kỳ trước" in html
    assert "Quý IV/2026 (15/09–14/12/2026): các hạn trong kỳ" in html


def test_province_overview_selector_counts_a_past_period_as_of_its_cut_off(users, agencies):
    from plans.periods import ReportPeriod

    deadline = one_off(D(2026, 9, 10), lead_agency=agencies["a"])
    # Done in October: after Quý III's cut-off (14/09), so not done in Quý III's figures.
    ProgressReportFactory(deadline=deadline, submitted_at=afternoon(D(2026, 10, 2)))
    q3 = ReportPeriod.parse("2026-Q3")
    overview = province_overview_get(
        user=users["coordinator"],
        filters=DeadlineFilter(period=q3),
        dates=status_dates_get(today=D(2026, 12, 1), period=q3),
    )
    assert (overview.counts[DeadlineStatus.OVERDUE], overview.counts[DeadlineStatus.DONE_LATE]) == (1, 0)
    # In Quý IV it is carried over (open on 15/09) and counts as done late.
    q4 = ReportPeriod.parse("2026-Q4")
    overview = province_overview_get(
        user=users["coordinator"],
        filters=DeadlineFilter(period=q4),
        dates=status_dates_get(today=D(2026, 12, 1), period=q4),
    )
    assert overview.counts[DeadlineStatus.DONE_LATE] == 1 and overview.total == 1
    assert overview.backlog[DeadlineStatus.DONE_LATE] == 1
