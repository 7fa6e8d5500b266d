"""``load_plan139`` loads what the sources say, only that, and only once."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from plans.models import Agency, ContentArea, Deadline, Plan, RelatedDocument, Task
from plans.sources import plan_139

pytestmark = pytest.mark.django_db


def load():
    out = io.StringIO()
    call_command("load_plan139", stdout=out)
    return out.getvalue()


def counts():
    return [model.objects.count() for model in (Agency, Plan, ContentArea, RelatedDocument, Task, Deadline)]


def test_loads_the_plan_its_nine_areas_and_the_agencies():
    load()
    plan = Plan.objects.get(number="139/KH-UBND")
    assert plan.title.startswith("Kế hoạch hành động triển khai công tác đối ngoại tỉnh Điện Biên")
    assert (plan.period_start, plan.period_end, plan.issued_on) == (datetime.date(2019, 1, 1), None, None)
    assert plan.coordinating_agency.name == "Sở Ngoại vụ"
    assert plan.status == Plan.Status.ACTIVE
    assert list(plan.areas.values_list("number", flat=True)) == list(range(1, 10))
    assert plan.areas.get(number=5).title == "Công tác thông tin đối ngoại"
    assert "cần bổ sung từ văn bản gốc" in plan.areas.get(number=9).title
    assert Agency.objects.filter(kind=Agency.Kind.DEPARTMENT).count() == 19
    assert Agency.objects.filter(kind=Agency.Kind.DISTRICT).count() == 10
    assert Agency.objects.count() == 36


def test_only_the_sourced_task_is_loaded():
    load()
    task = Task.objects.get()
    assert (task.code, task.area.number, task.lead_agency.short_name) == ("5.1", 5, "Sở TT&TT")
    assert "281/QĐ-UBND" in task.title
    cooperating = task.cooperating_agencies.all()
    assert cooperating.count() == 28  # the other 18 departments and the 10 districts
    assert not cooperating.filter(code="so-tttt").exists()
    assert cooperating.filter(kind=Agency.Kind.DISTRICT).count() == 10
    assert task.expected_output == ""  # the source does not say
    # Neither the deadline nor the output is in the sources: none is invented.
    assert task.schedule == Task.Schedule.UNSPECIFIED
    assert not task.deadlines.exists()
    assert "Nguồn không nêu sản phẩm và thời hạn" in task.source_note


def test_every_row_carries_its_source_note():
    load()
    for model, field in [
        (Agency, "source_note"),
        (Plan, "source_note"),
        (ContentArea, "source_note"),
        (Task, "source_note"),
        (RelatedDocument, "note"),
    ]:
        assert not model.objects.filter(**{field: ""}).exists(), model


def test_decision_281_records_the_date_discrepancy():
    load()
    doc = RelatedDocument.objects.get(number="281/QĐ-UBND")
    assert doc.issued_on == datetime.date(2018, 4, 12)
    assert "18/4/2018" in doc.note and "12/04/2018" in doc.note


def test_loading_twice_changes_nothing_and_keeps_admin_edits():
    first = load()
    assert "kế hoạch: tạo mới 1, đã có 0" in first
    before = counts()
    doc = RelatedDocument.objects.get(number="281/QĐ-UBND")
    doc.issued_on = datetime.date(2018, 4, 18)
    doc.save()
    second = load()
    assert counts() == before
    assert "nhiệm vụ: tạo mới 0, đã có 1" in second
    doc.refresh_from_db()
    assert doc.issued_on == datetime.date(2018, 4, 18)


def test_reloading_after_an_agency_code_was_edited_finds_the_agency_by_name():
    load()
    agency = Agency.objects.get(code="so-tttt")
    agency.code = "stttt"
    agency.save()
    before = counts()
    load()
    assert counts() == before
    assert Agency.objects.get(name="Sở Thông tin và Truyền thông").code == "stttt"


def test_a_load_that_cannot_validate_says_so_in_vietnamese_and_saves_nothing(monkeypatch):
    # An area numbered 0 comes after the agencies and the plan: all must be rolled back.
    monkeypatch.setattr(
        plan_139, "AREAS", [*plan_139.AREAS, {"number": 0, "title": "Sai", "source_note": "x"}]
    )
    message = "Không nạp được, dữ liệu không thay đổi: nội dung kế hoạch “0”: Đảm bảo giá trị này lớn hơn"
    with pytest.raises(CommandError, match=message):
        load()
    assert counts() == [0, 0, 0, 0, 0, 0]
