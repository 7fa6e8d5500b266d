"""Created tasks written in bulk: the same rows as creating each task on its own, with a
number of queries that does not grow with the file."""

import datetime
import io
import sqlite3

import docx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents.imports import Outcome, import_preview, read_rows
from documents.services import plan_import_apply
from plans.models import AgencyGroup, Deadline, Task
from plans.services import task_create
from plans.tests.factories import AgencyFactory, ContentAreaFactory, PlanFactory
from plans.tests.fixtures import make_user

D = datetime.date
TODAY = D(2024, 6, 1)

# One of each kind of timing: one-off, yearly, quarterly, ongoing, a phase, undated.
TIMINGS = [
    "31/12/2024",
    "Hằng năm, trước 15/12",
    "Hằng quý",
    "Thường xuyên",
    "Giai đoạn 2024-2025",
    "Khi có hướng dẫn",
]
COOPERATING = [
    "Sở Nội vụ",
    "Sở Nội vụ; Sở Tư pháp",
    "",
    "Các sở, ban, ngành tỉnh",
    "Sở Tư pháp; Các sở, ban, ngành tỉnh",
]


def table_docx(rows: int) -> bytes:
    document = docx.Document()
    table = document.add_table(rows=0, cols=5)

    def add(*values):
        for cell, value in zip(table.add_row().cells, values, strict=False):
            cell.text = value

    add("STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện")
    add("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH")
    for n in range(1, rows + 1):
        cooperating, timing = COOPERATING[n % len(COOPERATING)], TIMINGS[n % len(TIMINGS)]
        add(str(n), f"Nhiệm vụ {n}", "Sở Ngoại vụ", cooperating, timing)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def agencies(db):
    known = {
        code: AgencyFactory(code=code, name=name, short_name=name)
        for code, name in [
            ("so-ngoai-vu", "Sở Ngoại vụ"),
            ("so-noi-vu", "Sở Nội vụ"),
            ("so-tu-phap", "Sở Tư pháp"),
        ]
    }
    group = AgencyGroup.objects.create(name="Các sở, ban, ngành tỉnh")
    group.members.set([known["so-noi-vu"], known["so-tu-phap"]])
    return known


def plan_make(number):
    plan = PlanFactory(number=number, period_start=D(2024, 1, 1), period_end=D(2026, 12, 31))
    ContentAreaFactory(plan=plan, number=1, title="Công tác chỉ đạo, điều hành")
    return plan


def created_as_saved(plan):
    """What a plan's tasks are, as far as the import writes them: fields, cooperating
    agencies and groups, deadlines, and the history of the task, its agencies and its
    deadlines (ids and times aside)."""
    snapshot = {}
    for task in Task.objects.filter(plan=plan).select_related("area", "lead_agency"):
        records = task.history.order_by("history_id")
        snapshot[task.code] = {
            "fields": (
                task.area.number,
                task.title,
                task.lead_agency.code,
                task.schedule,
                task.due_on,
                task.due_day,
                task.due_month,
                task.report_cycle,
                task.start_on,
                task.end_on,
                task.schedule_text,
            ),
            "agencies": sorted(task.cooperating_agencies.values_list("code", flat=True)),
            "groups": sorted(task.cooperating_groups.values_list("name", flat=True)),
            "deadlines": list(
                task.deadlines.order_by("due_on").values_list(
                    "due_on", "ends_on", "period_start", "period_label", "responsible_agency__code"
                )
            ),
            "history": [
                (
                    record.history_type,
                    record.schedule,
                    sorted(link.agency.code for link in record.cooperating_agencies.all()),
                )
                for record in records
            ],
            "deadline_history": sorted(
                Deadline.history.filter(task_id=task.pk).values_list(
                    "history_type", "due_on", "responsible_agency_id"
                )
            ),
        }
    return snapshot


def test_bulk_creation_writes_what_creating_each_task_writes(agencies, django_user_model):
    rows = read_rows(table_docx(12))
    user = make_user(django_user_model, "ngoaivu", "coordinator", agencies["so-ngoai-vu"])

    bulk_plan = plan_make("12/KH-UBND")
    result = plan_import_apply(plan=bulk_plan, rows=rows, user=user, file_name="ke-hoach.docx", today=TODAY)

    # The reference: the same rows, each task created on its own by the service that
    # saves a task, sets its cooperating agencies and groups and syncs its deadlines.
    one_by_one_plan = plan_make("13/KH-UBND")
    preview = import_preview(plan=one_by_one_plan, rows=rows)
    assert [row.outcome for row in preview.rows] == [Outcome.CREATE] * 12, [
        row.errors for row in preview.rows
    ]
    for row in preview.rows:
        task = row.task
        task_create(
            plan=one_by_one_plan,
            area=task.area,
            code=task.code,
            title=task.title,
            lead_agency=task.lead_agency,
            schedule=task.schedule,
            cooperating_agencies=row.cooperating,
            cooperating_groups=row.cooperating_groups,
            today=TODAY,
            **{
                name: getattr(task, name)
                for name in (
                    "due_on",
                    "due_day",
                    "due_month",
                    "report_cycle",
                    "start_on",
                    "end_on",
                    "schedule_text",
                )
            },
        )

    bulk, one_by_one = created_as_saved(bulk_plan), created_as_saved(one_by_one_plan)
    # The history names who imported (saving each task names the request's user).
    assert set(Task.history.filter(plan=bulk_plan).values_list("history_user", flat=True)) == {user.pk}
    assert bulk == one_by_one
    # Every kind of row is there: one-off, yearly, quarterly, ongoing, a phase, undated.
    assert {task["fields"][3] for task in bulk.values()} == {
        "one_off",
        "yearly",
        "quarterly",
        "ongoing",
        "unspecified",
    }
    assert bulk["4"]["fields"][9] == D(2025, 12, 31)  # the phase 2024–2025 ends the task
    assert bulk["3"]["groups"] == ["Các sở, ban, ngành tỉnh"]
    assert [record[0] for record in bulk["1"]["history"]] == ["+", "~"]  # created, then its agencies
    assert bulk["1"]["history"][1][2] == ["so-noi-vu", "so-tu-phap"]
    assert result.created == 12
    assert result.deadlines.created == Deadline.objects.filter(task__plan=bulk_plan).count() > 12
    assert (
        result.deadlines.created_past
        == Deadline.objects.filter(task__plan=bulk_plan, due_on__lt=TODAY).count()
    )
    assert (
        "dòng 3, ngày 01/06/2024, người nhập: ngoaivu."
        in Task.objects.get(plan=bulk_plan, code="1").source_note
    )

    # The same file again changes nothing, history included.
    history = Task.history.count(), Deadline.history.count()
    again = plan_import_apply(plan=bulk_plan, rows=rows, user=user, file_name="ke-hoach.docx", today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 12)
    assert created_as_saved(bulk_plan) == bulk
    assert (Task.history.count(), Deadline.history.count()) == history


def _apply_queries(rows: int, number: str) -> int:
    parsed = read_rows(table_docx(rows))
    plan = plan_make(number)
    with CaptureQueriesContext(connection) as queries:
        result = plan_import_apply(plan=plan, rows=parsed, file_name="ke-hoach.docx", today=TODAY)
    assert result.created == rows
    return len(queries)


def test_the_apply_query_count_does_not_grow_with_the_rows(agencies, monkeypatch):
    if connection.vendor == "sqlite":
        # Django splits SQLite inserts at the 999 variables of old SQLite builds; this
        # one takes more, so the count compares the import's own queries.
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)
    assert _apply_queries(10, "10/KH-UBND") == _apply_queries(200, "200/KH-UBND")
