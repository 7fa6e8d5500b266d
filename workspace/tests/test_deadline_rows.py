"""The rows of a deadline table, written in Python (``deadline_rows``): what each row
shows, cut and escaped as the template filters did."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from plans import selectors
from plans.models import Deadline

pytestmark = pytest.mark.django_db


def _table(deadlines, **context):
    dates = selectors.status_dates_get()
    return render_to_string(
        "workspace/includes/deadline_table.html",
        {"deadlines": deadlines, "dates": dates, "empty": "Trống.", **context},
    )


def _listed(deadline, user):
    """The deadline as a list reads it (status, markers, related rows)."""
    dates = selectors.status_dates_get()
    listed = selectors.deadline_list_filtered(user=user, filters=selectors.DeadlineFilter(), dates=dates)
    return list(listed.filter(pk=deadline.pk))


def test_a_row_shows_the_task_its_plan_area_agency_and_status(task, today, users):
    task.title = "Tổ chức <đoàn> công tác " + "rất dài " * 20
    task.save()
    # Due on a Saturday 13 days ago: the period really ended the next Monday.
    saturday = today - datetime.timedelta(days=13)
    while saturday.weekday() != 5:
        saturday -= datetime.timedelta(days=1)
    monday = saturday + datetime.timedelta(days=2)
    deadline = Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=saturday,
        ends_on=monday,
        period_start=saturday.replace(day=1),
        period_label="Quý I/2026",
    )
    html = _table(_listed(deadline, users["coordinator"]), show_lead=True)

    assert f'href="{reverse("deadline-detail", args=[deadline.pk])}"' in html
    due = f"{saturday:%d/%m/%Y} (thứ Bảy) → hết hạn {monday:%d/%m/%Y}"
    assert f'<td class="d-none d-sm-table-cell">{due}</td>' in html
    # The title cut at 110 characters with an ellipsis, its text escaped.
    cut = (task.title[:109] + "…").replace("<", "&lt;").replace(">", "&gt;")
    assert f"{task.code}. {cut}</a>" in html
    assert "<đoàn>" not in html
    about = f"{task.plan.number} · Nội dung {task.area.number} · Quý I/2026 · Chủ trì: {task.lead_agency}"
    assert about in html
    assert 'class="status-badge status-overdue"' in html
    assert f"quá {(today - monday).days} ngày" in html


def test_a_row_leaves_out_the_agency_and_the_overdue_days_when_not_asked(deadline, users):
    html = _table(_listed(deadline, users["coordinator"]), show_lead=False)
    assert "Chủ trì:" not in html
    assert "quá " not in html
    assert f"{deadline.task.code}. {deadline.task.title}</a>" in html
    assert f'<td class="d-none d-sm-table-cell">{deadline.due_on:%d/%m/%Y}' in html


def test_an_empty_table_says_so():
    assert '<p class="text-body-secondary mb-0">Trống.</p>' in _table([])
