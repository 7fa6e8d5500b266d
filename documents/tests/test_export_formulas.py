"""No export carries a formula: text that begins like one ("=HYPERLINK(…)", "+cmd|…",
"@SUM(…)", "-2+3", a tab or CR) is written as text, marked quote-prefixed, and the import
keeps such text as text and flags it in its preview."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from documents.imports import import_preview
from plans.models import Deadline
from plans.tests.factories import AgencyFactory, ContentAreaFactory, PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db

TITLE = '=HYPERLINK("http://attacker.example/x","Bấm để xem")'
LEAD = "+cmd|' /C calc'!A0"
COOPERATING = "@SUM(1+1)*cmd|' /C calc'!A0"
AREA = "-2+3+cmd|' /C calc'!A0"
PERIOD = "\t=1+1"


@pytest.fixture
def risky_plan(users):
    plan = PlanFactory()
    lead = AgencyFactory(code="risky-lead", name=LEAD, short_name=LEAD)
    other = AgencyFactory(code="risky-coop", name=COOPERATING, short_name=COOPERATING)
    area = ContentAreaFactory(plan=plan, title=AREA)
    due = timezone.localdate() + datetime.timedelta(days=20)
    task = TaskFactory(area=area, plan=plan, lead_agency=lead, title=TITLE, due_on=due, code="9.1")
    task.cooperating_agencies.add(other)
    Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=due,
        period_start=due.replace(month=1, day=1),
        period_label=PERIOD,
    )
    return plan


def formulas_in(content: bytes) -> list[str]:
    """Every <f> element of every worksheet: a formula Excel would evaluate on opening."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        sheets = [name for name in package.namelist() if name.startswith("xl/worksheets/")]
        return [f for name in sheets for f in re.findall(rb"<(?:\w+:)?f[ >]", package.read(name))]


def risky_cells(content: bytes) -> list:
    wb = load_workbook(io.BytesIO(content))
    return [
        cell
        for sheet in wb.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.lstrip().startswith(("=", "+", "-", "@"))
    ]


def assert_neutralised(content: bytes, expected: set[str]):
    assert formulas_in(content) == []
    cells = risky_cells(content)
    shown = {cell.value for cell in cells}
    assert expected <= shown, f"missing from the export: {expected - shown}"
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)


@pytest.mark.parametrize("who", ["coordinator", "officer_a"])
def test_the_deadline_list_export_writes_text(client, users, risky_plan, who):
    if who == "officer_a":
        lead = risky_plan.tasks.get().lead_agency
        users[who].agency = lead
        users[who].save()
    client.force_login(users[who])
    content = client.get("/deadlines/export.xlsx").content
    assert_neutralised(content, {TITLE, LEAD, COOPERATING})
    # The period label keeps its tab and stays text as well.
    wb = load_workbook(io.BytesIO(content))
    period = next(cell for row in wb.worksheets[0].iter_rows() for cell in row if cell.value == PERIOD)
    assert period.data_type == "s" and period.quotePrefix


def test_the_overview_export_writes_text(client, users, risky_plan):
    client.force_login(users["leader"])
    assert_neutralised(client.get("/overview/export.xlsx").content, {LEAD})


def test_the_admins_task_table_writes_text(client, django_user_model, risky_plan):
    admin = django_user_model.objects.create_superuser("quantri", password="Mat-khau-2026-dai")
    client.force_login(admin)
    content = client.get(f"/admin/plans/plan/{risky_plan.pk}/import/tasks/").content
    assert_neutralised(content, {TITLE, LEAD, COOPERATING})


def test_text_with_a_dash_keeps_its_dash(client, users, risky_plan):
    """Neutralising changes no text: a list item "- Hội nghị" stays as written."""
    task = risky_plan.tasks.get()
    task.title = "- Hội nghị hợp tác với các tỉnh Bắc Lào"
    task.save()
    client.force_login(users["coordinator"])
    wb = load_workbook(io.BytesIO(client.get("/deadlines/export.xlsx").content))
    titles = [row[4] for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "- Hội nghị hợp tác với các tỉnh Bắc Lào" in titles


def test_the_import_keeps_such_text_as_text_and_flags_it(client, django_user_model, risky_plan):
    admin = django_user_model.objects.create_superuser("quantri", password="Mat-khau-2026-dai")
    client.force_login(admin)
    table = client.get(f"/admin/plans/plan/{risky_plan.pk}/import/tasks/").content
    task = risky_plan.tasks.get()
    task.title = "Tên cũ"
    task.save()
    preview = import_preview(plan=risky_plan, file=table)
    (row,) = preview.rows
    assert row.task.title == TITLE
    assert any("“Nhiệm vụ”" in note and "“=”" in note for note in row.notes), row.notes
    assert any("“Cơ quan chủ trì”" in note and "“+”" in note for note in row.notes), row.notes
    # The admin's preview shows the notes.
    page = client.post(
        f"/admin/plans/plan/{risky_plan.pk}/import/",
        {"file": SimpleUploadedFile("bang-nhiem-vu.xlsx", table)},
    )
    assert "giữ nguyên là chữ, không phải công thức" in page.content.decode()
