"""The weekly evidence check beat runs (``tasks.evidence_verify``): each missing or
damaged file is logged as an error, by the same check as ``verify_evidence``."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from plans import services
from plans.models import ProgressReport
from plans.tests.sample_files import PDF_BYTES, PNG_BYTES
from tasks.tasks import evidence_verify
from tasks.tests.conftest import SWEEP_DAY, deadline_make

pytestmark = pytest.mark.django_db


def test_the_weekly_check_logs_each_missing_or_damaged_file(plan, agency, django_user_model, caplog):
    from plans.tests.fixtures import make_user

    deadline = deadline_make(plan=plan, lead_agency=agency, due_on=SWEEP_DAY)
    officer = make_user(django_user_model, "canbo", "officer", agency)
    report = services.report_submit(
        deadline=deadline,
        user=officer,
        state=ProgressReport.State.IN_PROGRESS,
        percent=10,
        narrative="Đang làm.",
        files=[
            SimpleUploadedFile("bao-cao.pdf", PDF_BYTES, content_type="application/pdf"),
            SimpleUploadedFile("anh.png", PNG_BYTES, content_type="image/png"),
        ],
    )
    assert evidence_verify() == 0
    png = report.evidence.get(content_type="image/png")
    png.file.storage.delete(png.file.name)

    with caplog.at_level("ERROR", logger="tasks.tasks"):
        assert evidence_verify() == 1
    assert f"Evidence file #{png.pk} {png.file.name}: không tìm thấy tệp" in caplog.text
