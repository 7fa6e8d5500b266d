"""Evidence fingerprints: size and SHA-256 taken at upload; a stored file that is missing,
cut short or changed at the same size is reported, by ``verify_evidence`` and by the
selector the backup manifest uses."""

import hashlib
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from plans.models import EvidenceFile
from plans.selectors import evidence_problem_list
from plans.tests.sample_files import PDF_BYTES, PNG_BYTES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_storage(settings):
    """A new in-memory storage: files of earlier tests (whose rows were rolled back) would
    otherwise look like orphans."""
    settings.STORAGES = {**settings.STORAGES}


def replace_stored(evidence, data):
    """Put other bytes under the same stored name (a disk error, a careless hand)."""
    storage = evidence.file.storage
    storage.delete(evidence.file.name)
    assert storage.save(evidence.file.name, ContentFile(data)) == evidence.file.name


@pytest.fixture
def stored(client, users, deadline):
    """Two files uploaded with a report, through the page."""
    client.force_login(users["officer_a"])
    files = [
        SimpleUploadedFile("bao-cao.pdf", PDF_BYTES, content_type="application/pdf"),
        SimpleUploadedFile("anh.png", PNG_BYTES, content_type="image/png"),
    ]
    response = client.post(
        reverse("report-submit", args=[deadline.pk]),
        {"state": "in_progress", "percent": "30", "narrative": "Đang làm.", "evidence": files},
    )
    assert response.status_code == 302
    return {row.original_name: row for row in EvidenceFile.objects.all()}


def verify():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_evidence", stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def test_upload_records_size_and_sha256(stored):
    pdf = stored["bao-cao.pdf"]
    assert (pdf.size, pdf.sha256) == (len(PDF_BYTES), hashlib.sha256(PDF_BYTES).hexdigest())
    assert evidence_problem_list() == []
    assert verify() == (True, "Cả 2 tệp minh chứng còn nguyên như khi tải lên.\n", "")


def test_a_file_changed_at_the_same_size_is_damaged(stored):
    pdf = stored["bao-cao.pdf"]
    data = bytearray(PDF_BYTES)
    data[-20] ^= 0xFF
    replace_stored(pdf, bytes(data))

    (problem,) = evidence_problem_list()
    assert (problem.id, problem.damaged) == (pdf.pk, True)
    ok, _out, err = verify()
    assert not ok
    assert f"#{pdf.pk} “{pdf.file.name}”: nội dung khác với khi tải lên (SHA-256 không khớp)" in err
    assert "1/2 tệp minh chứng thiếu hoặc bị hỏng" in err


def test_a_truncated_file_and_a_deleted_one_are_named(stored):
    pdf, png = stored["bao-cao.pdf"], stored["anh.png"]
    replace_stored(pdf, PDF_BYTES[:100])
    png.file.storage.delete(png.file.name)

    ok, _out, err = verify()
    assert not ok
    assert f"#{pdf.pk} “{pdf.file.name}”: dung lượng 100 byte, khi tải lên là {len(PDF_BYTES)} byte" in err
    assert f"#{png.pk} “{png.file.name}”: không tìm thấy tệp" in err
    assert "2/2 tệp minh chứng thiếu hoặc bị hỏng" in err


def test_a_file_carried_to_a_later_report_keeps_its_fingerprint(client, stored, deadline):
    from plans.models import ProgressReport

    report = ProgressReport.objects.get()
    report.review_state = ProgressReport.ReviewState.RETURNED
    report.save()
    pdf = stored["bao-cao.pdf"]
    response = client.post(
        reverse("report-submit", args=[deadline.pk]),
        {"state": "in_progress", "percent": "50", "narrative": "Bổ sung.", "carry_evidence": [pdf.pk]},
    )
    assert response.status_code == 302
    carried = EvidenceFile.objects.exclude(pk__in=[row.pk for row in stored.values()]).get()
    assert (carried.file.name, carried.sha256) == (pdf.file.name, pdf.sha256)


def orphans(*args):
    out = io.StringIO()
    call_command("evidence_orphans", *args, stdout=out)
    return out.getvalue()


def test_orphan_files_are_reported_then_removed_and_referenced_ones_kept(stored):
    storage = stored["bao-cao.pdf"].file.storage
    # A file written by an upload whose transaction never committed (the worker was killed).
    orphan = storage.save("evidence/2026/12/bo-lai.pdf", ContentFile(PDF_BYTES))

    # Within the hour an upload may still be in progress: not reported yet.
    assert orphans() == "Không có tệp minh chứng mồ côi.\n"
    assert orphans("--older-than-minutes", "0") == (
        f"Mồ côi: {orphan}\n1 tệp minh chứng mồ côi; chạy lại với --delete để xóa.\n"
    )
    assert storage.exists(orphan)
    assert orphans("--older-than-minutes", "0", "--delete") == (
        f"Đã xóa: {orphan}\nĐã xóa 1 tệp minh chứng mồ côi.\n"
    )
    assert not storage.exists(orphan)
    assert all(storage.exists(row.file.name) for row in stored.values())
    assert orphans("--older-than-minutes", "0") == "Không có tệp minh chứng mồ côi.\n"
