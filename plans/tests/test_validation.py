"""Model validation: Vietnamese messages, and database constraints behind them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from plans.models import Agency, ContentArea, Plan, ProgressReport, Task
from plans.tests.factories import (
    AgencyFactory,
    ContentAreaFactory,
    PlanFactory,
    ProgressReportFactory,
    TaskFactory,
    local_datetime,
)
from plans.validators import split_email_list, validate_document_number

D = datetime.date


@pytest.mark.parametrize(
    "number", ["139/KH-UBND", "18/2018/QĐ-UBND", "281/QĐ-UBND", "735/UBND-NC", "12/BC-SNgV", "5/KH-BCĐ"]
)
def test_document_numbers_of_the_official_form_are_accepted(number):
    validate_document_number(number)


@pytest.mark.parametrize(
    "number",
    ["", "139", "KH-UBND", "139/kh-ubnd", "139 KH-UBND", "139/KH UBND", "139/KH-UBND/", "18/18/QĐ-UBND"],
)
def test_other_document_numbers_are_refused_in_vietnamese(number):
    with pytest.raises(ValidationError) as exc:
        validate_document_number(number)
    assert "không đúng mẫu" in exc.value.messages[0]
    assert "139/KH-UBND" in exc.value.messages[0]


@pytest.mark.django_db
def test_plan_period_end_before_start_is_refused():
    plan = PlanFactory.build(
        period_start=D(2021, 1, 1), period_end=D(2020, 12, 31), coordinating_agency=AgencyFactory()
    )
    with pytest.raises(ValidationError) as exc:
        plan.full_clean()
    assert exc.value.message_dict == {
        "period_end": ["Thời gian kết thúc không được trước thời gian bắt đầu."]
    }


@pytest.mark.django_db
def test_plan_period_constraint_holds_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanFactory(period_start=D(2021, 1, 1), period_end=D(2020, 12, 31))


@pytest.mark.django_db
def test_one_off_deadline_outside_the_plan_period_is_refused():
    area = ContentAreaFactory(plan__period_start=D(2019, 1, 1), plan__period_end=D(2021, 12, 31))
    task = TaskFactory.build(area=area, plan=area.plan, lead_agency=AgencyFactory(), due_on=D(2022, 1, 15))
    with pytest.raises(ValidationError) as exc:
        task.full_clean()
    assert exc.value.message_dict["due_on"] == [
        "Hạn 15/01/2022 nằm ngoài thời gian của kế hoạch (01/01/2019 – 31/12/2021)."
    ]


@pytest.mark.django_db
def test_yearly_task_needs_day_and_month_that_exist():
    area = ContentAreaFactory()
    lead = AgencyFactory()
    task = TaskFactory.build(area=area, plan=area.plan, lead_agency=lead, schedule="yearly", due_on=None)
    with pytest.raises(ValidationError) as exc:
        task.full_clean()
    assert "due_month" in exc.value.message_dict
    task.due_day, task.due_month = 31, 4
    with pytest.raises(ValidationError) as exc:
        task.full_clean()
    assert exc.value.message_dict["due_day"] == ["Tháng 4 không có ngày 31."]
    task.due_day, task.due_month = 29, 2
    task.full_clean()


@pytest.mark.django_db
def test_task_area_must_belong_to_the_task_plan():
    area = ContentAreaFactory()
    other_plan = PlanFactory()
    task = TaskFactory.build(area=area, plan=other_plan, lead_agency=AgencyFactory())
    with pytest.raises(ValidationError) as exc:
        task.full_clean()
    assert exc.value.message_dict["area"] == ["Nội dung đã chọn không thuộc kế hoạch của nhiệm vụ."]


@pytest.mark.django_db
def test_task_without_lead_agency_is_refused():
    area = ContentAreaFactory()
    task = Task(
        area=area, plan=area.plan, code="1.1", title="Nhiệm vụ", schedule="one_off", due_on=D(2020, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        task.full_clean()
    assert exc.value.message_dict["lead_agency"] == ["Mỗi nhiệm vụ phải có một cơ quan chủ trì."]


@pytest.mark.django_db
def test_switching_schedule_clears_fields_that_no_longer_apply():
    task = TaskFactory(due_on=D(2020, 5, 5))
    task.schedule, task.due_day, task.due_month = Task.Schedule.QUARTERLY, 15, 6
    task.full_clean()
    assert (task.due_on, task.due_day, task.due_month, task.report_cycle) == (None, 15, None, "")


@pytest.mark.django_db
def test_task_code_is_unique_per_plan_not_across_plans():
    task = TaskFactory(code="5.1")
    duplicate = TaskFactory.build(area=task.area, plan=task.plan, lead_agency=task.lead_agency, code="5.1")
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert exc.value.messages == ["Mã nhiệm vụ này đã có trong kế hoạch."]
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    TaskFactory(code="5.1")  # another plan


@pytest.mark.django_db
def test_area_number_is_unique_per_plan():
    area = ContentAreaFactory(number=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContentArea.objects.create(plan=area.plan, number=5, title="Trùng")
    ContentAreaFactory(number=5)  # another plan


@pytest.mark.django_db
def test_one_deadline_per_task_and_date():
    task = TaskFactory()
    task.deadlines.create(
        responsible_agency_id=task.lead_agency_id,
        due_on=D(2020, 1, 1),
        period_start=D(2019, 1, 1),
        period_label="A",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        task.deadlines.create(
            responsible_agency_id=task.lead_agency_id,
            due_on=D(2020, 1, 1),
            period_start=D(2019, 1, 1),
            period_label="B",
        )


@pytest.mark.django_db
def test_report_rules():
    task = TaskFactory()
    deadline = task.deadlines.create(
        responsible_agency_id=task.lead_agency_id,
        due_on=D(2020, 1, 1),
        period_start=D(2019, 1, 1),
        period_label="A",
    )
    report = ProgressReport(
        deadline=deadline,
        state="done",
        percent=101,
        narrative=" ",
        submitted_at=local_datetime(D(2020, 1, 1)),
    )
    with pytest.raises(ValidationError) as exc:
        report.full_clean()
    assert exc.value.message_dict["narrative"] == ["Báo cáo “hoàn thành” cần nêu kết quả thực hiện."]
    assert "percent" in exc.value.message_dict

    ProgressReportFactory(deadline=deadline)
    second = ProgressReport(
        deadline=deadline,
        state="done",
        percent=100,
        narrative="Lần hai",
        review_state="accepted",
        submitted_at=local_datetime(D(2020, 1, 2)),
    )
    with pytest.raises(ValidationError) as exc:
        second.full_clean()
    assert exc.value.messages == ["Hạn này đã có báo cáo hoàn thành được xác nhận."]
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


@pytest.mark.django_db
def test_agency_reminder_emails_are_validated():
    agency = AgencyFactory.build(reminder_emails="vanthu@dienbien.gov.vn, khong-phai-email")
    with pytest.raises(ValidationError) as exc:
        agency.full_clean()
    assert exc.value.message_dict["reminder_emails"] == ["Địa chỉ email không hợp lệ: khong-phai-email."]
    agency.reminder_emails = "vanthu@dienbien.gov.vn;\nlanhdao@dienbien.gov.vn"
    agency.full_clean()
    assert split_email_list(agency.reminder_emails) == ["vanthu@dienbien.gov.vn", "lanhdao@dienbien.gov.vn"]
    assert Agency.Kind.DISTRICT.label == "UBND huyện, thị xã, thành phố"
    assert Plan.Status.ACTIVE.label == "Đang thực hiện"


@pytest.mark.django_db
def test_reports_keep_their_unique_rules_with_the_review_state_indexes():
    """Migration 0016 replaced the indexes of a report's deadline and agency with ones
    beside the review state; the partial unique indexes on the deadline stay."""
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, ProgressReport._meta.db_table)
    assert constraints["report_deadline_review_idx"]["columns"] == ["deadline_id", "review_state"]
    assert constraints["report_agency_review_idx"]["columns"] == ["agency_id", "review_state"]
    assert constraints["one_accepted_completion_per_deadline"]["unique"]
    assert constraints["one_waiting_report_per_deadline"]["unique"]
    task = TaskFactory()
    deadline = task.deadlines.create(
        responsible_agency_id=task.lead_agency_id, due_on=D(2026, 6, 30), period_start=D(2026, 1, 1)
    )
    ProgressReportFactory(deadline=deadline)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReportFactory(deadline=deadline)
    ProgressReportFactory(deadline=deadline, pending=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReportFactory(deadline=deadline, pending=True)
