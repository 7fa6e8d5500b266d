"""``load_plan139`` loads what the sources say, only that, and only once."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from plans.models import Agency, AgencyGroup, ContentArea, Deadline, Plan, RelatedDocument, Task
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
    # The cooperating agencies as the source words them: two collective phrases.
    assert not task.cooperating_agencies.exists()
    assert [group.name for group in task.cooperating_groups.order_by("pk")] == [
        "các sở, ban, ngành tỉnh",
        "UBND các huyện, thị xã, thành phố",
    ]
    assert task.expected_output == ""  # the source does not say
    # Neither the deadline nor the output is in the sources: none is invented.
    assert task.schedule == Task.Schedule.UNSPECIFIED
    assert not task.deadlines.exists()
    assert "Nguồn không nêu sản phẩm và thời hạn" in task.source_note


def test_the_phrases_stand_for_the_2019_departments_and_districts():
    load()
    departments = AgencyGroup.objects.get(name="các sở, ban, ngành tỉnh")
    districts = AgencyGroup.objects.get(name="UBND các huyện, thị xã, thành phố")
    assert set(departments.members.all()) == set(Agency.objects.filter(kind=Agency.Kind.DEPARTMENT))
    assert departments.members.count() == 19
    assert set(districts.members.all()) == set(Agency.objects.filter(kind=Agency.Kind.DISTRICT))
    assert districts.members.count() == 10
    assert "Các sở, ban, ngành tỉnh" in departments.phrase_list()


def test_a_group_edited_by_the_coordinator_keeps_its_members_on_reload():
    load()
    districts = AgencyGroup.objects.get(name="UBND các huyện, thị xã, thành phố")
    districts.members.remove(Agency.objects.get(code="tx-muong-lay"))
    assert "nhóm cơ quan, đơn vị: tạo mới 0, đã có 2" in load()
    assert districts.members.count() == 9


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


# The reference documents as published (reference facts of Plan 139): number, date, title.
PUBLISHED_DOCUMENTS = [
    (
        "281/QĐ-UBND",
        datetime.date(2018, 4, 12),
        "Phê duyệt Đề án “Phát triển thông tin đối ngoại tỉnh Điện Biên giai đoạn 2018-2020 tầm nhìn "
        "đến 2025”",
    ),
    (
        "18/2018/QĐ-UBND",
        datetime.date(2018, 4, 12),
        "Ban hành Quy định về quản lý hoạt động thông tin đối ngoại trên địa bàn tỉnh Điện Biên",
    ),
    (
        "15/2015/QĐ-UBND",
        datetime.date(2015, 9, 21),
        "Ban hành Quy chế theo dõi, đôn đốc, kiểm tra việc thực hiện nhiệm vụ do Ủy ban nhân dân "
        "tỉnh, Chủ tịch Ủy ban nhân dân tỉnh giao",
    ),
    (
        "25/2012/QĐ-UBND",
        datetime.date(2012, 11, 12),
        "Ban hành Quy chế quản lý thống nhất các hoạt động đối ngoại trên địa bàn tỉnh Điện Biên",
    ),
    (
        "14/2014/QĐ-UBND",
        datetime.date(2014, 7, 7),
        "Ban hành Quy chế quản lý nhà nước về thông tin đối ngoại trên địa bàn tỉnh Điện Biên",
    ),
]


def test_reference_documents_carry_their_published_titles_and_dates():
    load()
    documents = {doc.number: (doc.issued_on, doc.title) for doc in RelatedDocument.objects.all()}
    assert documents == {number: (day, title) for number, day, title in PUBLISHED_DOCUMENTS}
    assert "“Quy chế”, không phải “Quy định”" in RelatedDocument.objects.get(number="25/2012/QĐ-UBND").note


def test_task_5_1_quotes_the_recorded_date_of_decision_281_never_the_news_items_alone():
    load()
    task = Task.objects.get(code="5.1")
    recorded = RelatedDocument.objects.get(number="281/QĐ-UBND").issued_on
    assert f"Quyết định số 281/QĐ-UBND ngày {recorded:%d/%m/%Y}" in task.description
    assert "18/4/2018" not in task.description
    # The discrepancy is kept where the task says where its text comes from.
    assert "tin ghi 18/4/2018" in task.source_note and "12/04/2018" in task.source_note


def _as_loaded_by_the_earlier_sources():
    """Put back the values the earlier sources loaded, as a database loaded then holds."""
    for (kind, key), fields in plan_139.SUPERSEDED.items():
        model, lookup = (RelatedDocument, "number") if kind == "documents" else (Task, "code")
        obj = model.objects.get(**{lookup: key})
        for name, earlier in fields.items():
            if name == ("cooperating_agencies", "cooperating_groups"):
                obj.cooperating_groups.clear()
                obj.cooperating_agencies.set(Agency.objects.filter(code__in=earlier[0][0]))
            else:
                setattr(obj, name, earlier[0])
        obj.save()
    RelatedDocument.objects.get(number="14/2014/QĐ-UBND").delete()


def test_loading_again_corrects_a_database_loaded_from_the_earlier_sources():
    load()
    _as_loaded_by_the_earlier_sources()
    task = Task.objects.get(code="5.1")
    assert "ngày 18/4/2018" in task.description
    history_before = task.history.count()

    output = load()

    assert "văn bản liên quan: tạo mới 1, đã có 4, cập nhật theo nguồn đã đính chính 4" in output
    assert "nhiệm vụ: tạo mới 0, đã có 1, cập nhật theo nguồn đã đính chính 1" in output
    documents = {doc.number: (doc.issued_on, doc.title) for doc in RelatedDocument.objects.all()}
    assert documents == {number: (day, title) for number, day, title in PUBLISHED_DOCUMENTS}
    task.refresh_from_db()
    assert task.description == plan_139.TASKS[0]["description"]
    assert task.source_note == plan_139.TASKS[0]["source_note"]
    assert not task.cooperating_agencies.exists()
    assert {group.name for group in task.cooperating_groups.all()} == {
        "các sở, ban, ngành tỉnh",
        "UBND các huyện, thị xã, thành phố",
    }
    # The correction is in the history: the text, then the cooperating agencies removed.
    assert task.history.count() > history_before
    assert task.history.first().cooperating_agencies.count() == 0
    assert task.history.filter(description__contains="ngày 18/4/2018").exists()
    # A third load finds nothing left to correct.
    assert "cập nhật theo nguồn" not in load()


def test_a_correction_leaves_a_value_an_admin_has_edited():
    load()
    _as_loaded_by_the_earlier_sources()
    doc = RelatedDocument.objects.get(number="18/2018/QĐ-UBND")
    doc.title = "Trích yếu do cán bộ đầu mối sửa theo văn bản gốc"
    doc.save()
    task = Task.objects.get(code="5.1")
    task.description = "Nội dung do cán bộ đầu mối nhập từ văn bản gốc."
    task.save()

    load()

    doc.refresh_from_db()
    assert doc.title == "Trích yếu do cán bộ đầu mối sửa theo văn bản gốc"
    # The fields nobody edited are still corrected.
    assert doc.note == plan_139.DOCUMENTS[1]["note"]
    task.refresh_from_db()
    assert task.description == "Nội dung do cán bộ đầu mối nhập từ văn bản gốc."
    assert task.source_note == plan_139.TASKS[0]["source_note"]


def test_cooperating_agencies_an_admin_has_changed_are_not_replaced_by_the_phrases():
    load()
    _as_loaded_by_the_earlier_sources()
    task = Task.objects.get(code="5.1")
    task.cooperating_agencies.remove(Agency.objects.get(code="so-y-te"))

    load()

    assert task.cooperating_agencies.count() == 27
    assert not task.cooperating_groups.exists()


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
