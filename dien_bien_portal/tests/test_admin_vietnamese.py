"""The admin in Vietnamese: the project's catalogue (``locale/vi``) completes and corrects
what Django and django-simple-history bring. The demo's coordinator logs in and visits
the pages of everyday work; no English string and no "Bản ghi nhớ" (a memorandum of
understanding, not a change history) may appear."""

import gettext
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from plans.models import Deadline, Task

pytestmark = pytest.mark.django_db

PASSWORD = "Mat-khau-demo-2026"

FORBIDDEN = [
    "Skip to main content",
    "Toggle theme",
    "Show counts",
    "Hide counts",
    "Please correct the error",
    "Bản ghi nhớ",
    "Bởi ",
    " by ",
]


@pytest.fixture
def coordinator_client(client):
    call_command("seed_demo", password=PASSWORD, stdout=io.StringIO())
    response = client.post(
        reverse("admin:login"),
        {"username": "ngoaivu", "password": PASSWORD, "next": reverse("admin:index")},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def page(client, url, data=None):
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    for text in FORBIDDEN:
        assert text not in html, (url, text)
    return html


def test_the_admin_pages_of_the_coordinator_speak_vietnamese(coordinator_client):
    client = coordinator_client
    index = page(client, reverse("admin:index"))
    assert "Chuyển đến nội dung chính" in index
    assert "Đổi giao diện sáng/tối" in index

    tasks = reverse("admin:plans_task_changelist")
    listing = page(client, tasks + "?plan__id__exact=" + str(Task.objects.first().plan_id))
    assert "Hiện số lượng" in listing
    assert "Theo cơ quan chủ trì" in listing  # a filter's title
    assert "Ẩn số lượng" in page(client, tasks + "?_facets=True")
    deadlines = page(client, reverse("admin:plans_deadline_changelist"))
    assert "Hạn nhiệm vụ" in deadlines and "hạn báo cáo" not in deadlines.lower()

    task = Task.objects.get(code="5.1")
    change_url = reverse("admin:plans_task_change", args=[task.pk])
    change_form = page(client, change_url)
    assert "Lịch sử thay đổi</a>" in change_form
    errors = page(
        client,
        change_url,
        {
            "plan": task.plan_id,
            "area": task.area_id,
            "code": task.code,
            "title": "",  # required: the form answers with an error
            "lead_agency": task.lead_agency_id,
            "schedule": task.schedule,
        },
    )
    assert "Vui lòng sửa các lỗi được nêu dưới đây." in errors
    history = page(client, reverse("admin:plans_task_history", args=[task.pk]))
    assert "Lịch sử thay đổi" in history

    deadline = Deadline.objects.first()
    page(client, reverse("admin:plans_deadline_history", args=[deadline.pk]))


CATALOGUES = sorted((Path(settings.BASE_DIR) / "locale").glob("*/LC_MESSAGES/*.po"))


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_each_compiled_catalogue_is_that_of_its_source(po, tmp_path):
    """The .mo in the repository is what the .po compiles to (`make messages`)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        if os.environ.get("CI") == "true":
            pytest.fail("msgfmt (GNU gettext) is needed to check the catalogues in CI.")
        pytest.skip("msgfmt (GNU gettext) is not installed.")
    compiled = tmp_path / "fresh.mo"
    subprocess.run([msgfmt, "--check", "-o", str(compiled), str(po)], check=True, capture_output=True)
    with compiled.open("rb") as fresh, po.with_suffix(".mo").open("rb") as kept:
        assert gettext.GNUTranslations(kept)._catalog == gettext.GNUTranslations(fresh)._catalog


def test_the_portals_own_strings_kept_in_migrations_read_as_corrected():
    assert str(Deadline._meta.verbose_name) == "hạn nhiệm vụ"
    assert str(Deadline.history.model._meta.verbose_name) == "lịch sử hạn nhiệm vụ"
