"""The sweep benchmark's command (``bench_reminders``): it measures on data of its own
and rolls everything back."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from plans.models import Plan
from tasks.models import ReminderLog

pytestmark = pytest.mark.django_db


def test_the_benchmark_command_runs_and_leaves_nothing_behind():
    out = io.StringIO()
    call_command(
        "bench_reminders", "--deadlines", "60", "--agencies", "3", "--date", "2026-12-02", stdout=out
    )
    text = out.getvalue()
    assert "Dữ liệu đo: 60 hạn" in text and "nhiều nhất 1 thư/đơn vị" in text and "rollback" in text
    assert not Plan.objects.exists() and not ReminderLog.objects.exists()
    assert mail.outbox == []  # the benchmark's emails stayed in its own outbox
