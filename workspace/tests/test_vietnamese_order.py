"""Agencies are listed in Vietnamese order (Đ after D, Ă and Â after A, tones after the
base letter) in the filters, the admin and the tables by agency."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from plans.collation import sorted_vietnamese
from plans.models import Deadline
from plans.tests.factories import AgencyFactory, TaskFactory

pytestmark = pytest.mark.django_db

NAMES = ["Đài tỉnh", "Dân tộc", "Ăn uống", "An ninh", "Âm nhạc", "Ủy ban", "UBND huyện", "Bá", "Ba", "Bà"]


@pytest.fixture
def tricky_agencies(today):
    agencies = [AgencyFactory(name=f"Cơ quan {name}", short_name=name) for name in NAMES]
    for agency in agencies:  # one overdue deadline each, so each has a row by agency
        task = TaskFactory(lead_agency=agency, due_on=today - datetime.timedelta(days=2))
        Deadline.objects.create(
            task=task,
            responsible_agency=agency,
            due_on=task.due_on,
            period_start=today.replace(month=1, day=1),
            period_label="Quý IV/2026",
        )
    return agencies


def positions(html, names):
    found = {name: html.find(f">{name}<") for name in names}
    assert all(index >= 0 for index in found.values()), found
    return sorted(names, key=found.get)


def test_the_agency_filter_lists_agencies_in_vietnamese_order(client, users, tricky_agencies):
    client.force_login(users["coordinator"])
    html = client.get(reverse("province-overview")).content.decode()
    select = re.search(r'<select name="agency".*?</select>', html, re.S).group(0)
    assert positions(select, NAMES) == sorted_vietnamese(NAMES)


def test_the_table_by_agency_lists_agencies_in_vietnamese_order(client, users, tricky_agencies):
    client.force_login(users["coordinator"])
    html = client.get(reverse("province-overview")).content.decode()
    table = html[html.find('<select name="agency"') :]
    table = table[table.find("</select>") :]  # past the filter: the page's tables
    assert positions(table, NAMES) == sorted_vietnamese(NAMES)


def test_the_admin_lists_agencies_in_vietnamese_order(admin_client, tricky_agencies):
    html = admin_client.get(reverse("admin:plans_agency_changelist")).content.decode()
    full_names = [f"Cơ quan {name}" for name in NAMES]
    assert positions(html.replace("</a>", "<"), full_names) == sorted_vietnamese(full_names)
    task_list = admin_client.get(reverse("admin:plans_task_changelist")).content.decode()
    filter_links = task_list[task_list.find('id="changelist-filter"') :]
    short_labels = [f"{name}" for name in NAMES]
    assert positions(filter_links.replace("</a>", "<"), short_labels) == sorted_vietnamese(short_labels)


def test_the_excel_table_by_agency_lists_agencies_in_vietnamese_order(client, users, tricky_agencies):
    client.force_login(users["coordinator"])
    response = client.get(reverse("province-overview-export"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0].startswith("Cơ quan ")]
    assert names == sorted_vietnamese(f"Cơ quan {name}" for name in NAMES)
