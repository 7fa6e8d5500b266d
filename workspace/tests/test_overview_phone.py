"""The overview's markup for a phone: the figures before the folded filters, and each
agency's counts written out in its row (the browser test measures the layout)."""

import datetime
import re

import pytest
from django.urls import reverse

from plans.models import Deadline

pytestmark = pytest.mark.django_db


def test_figures_come_before_the_folded_filters_and_agency_counts_are_written(client, users, task, today):
    due = today - datetime.timedelta(days=3)
    Deadline.objects.create(
        task=task,
        responsible_agency=task.lead_agency,
        due_on=due,
        ends_on=due,
        period_start=due.replace(month=1, day=1),
        period_label="Quá hạn",
    )
    client.force_login(users["leader"])
    html = client.get(reverse("province-overview")).content.decode()
    assert (
        html.index('id="overdue-share"')
        < html.index('id="overview-tools"')
        < html.index('aria-label="Bộ lọc"')
    )
    assert 'class="collapse d-md-block" id="overview-tools"' in html
    agencies = html[html.index('id="agencies-heading"') :]
    row = re.search(r'<th scope="row" class="fw-normal">ĐV A.*?</th>', agencies, re.S).group(0)
    assert "Chưa hoàn thành, quá hạn: 1" in row
    assert "Sắp đến hạn" not in row  # zero counts are left out of the line
