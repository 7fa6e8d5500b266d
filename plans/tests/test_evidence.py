"""Evidence files: accepted by content, refused with a Vietnamese reason (and nothing of
the report saved), and handed out only through the permission-checked download view."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import EvidenceFile, ProgressReport
from plans.tests.sample_files import JPEG_BYTES, PDF_BYTES, PNG_BYTES, office_bytes

pytestmark = pytest.mark.django_db


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def submit(client, deadline, *files):
    return client.post(
        reverse("report-submit", args=[deadline.pk]),
        {"state": "in_progress", "percent": "30", "narrative": "Đang làm.", "evidence": list(files)},
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("bao-cao.pdf", PDF_BYTES, "application/pdf"),
        ("anh.PNG", PNG_BYTES, "image/png"),
        ("anh.jpeg", JPEG_BYTES, "image/jpeg"),
        (
            "van-ban.docx",
            office_bytes("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "so-lieu.xlsx",
            office_bytes("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ],
)
def test_accepted_kinds_are_stored_with_their_real_type(client, users, deadline, name, content, content_type):
    client.force_login(users["officer_a"])
    assert submit(client, deadline, upload(name, content)).status_code == 302
    evidence = EvidenceFile.objects.get()
    assert (evidence.original_name, evidence.content_type, evidence.size) == (
        name,
        content_type,
        len(content),
    )


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("virus.exe", b"MZ\x90\x00" + b"\x00" * 64, "chỉ nhận tệp PDF"),
        ("doi-ten.pdf", b"MZ\x90\x00" + b"\x00" * 64, "chỉ nhận tệp PDF"),
        ("ghi-chu.pdf", "Chỉ là văn bản thường".encode(), "chỉ nhận tệp PDF"),
        ("nen.docx", office_bytes("khac/tep.xml"), "chỉ nhận tệp PDF"),
        ("anh.pdf", PNG_BYTES, "nội dung là tệp PNG nhưng tên tệp có phần mở rộng khác"),
    ],
)
def test_other_content_is_refused_and_nothing_is_saved(client, users, deadline, name, content, reason):
    client.force_login(users["officer_a"])
    response = submit(client, deadline, upload("tot.pdf", PDF_BYTES), upload(name, content))
    assert response.status_code == 400
    html = response.content.decode()
    assert "không được chấp nhận" in html and reason in html and name in html
    assert not ProgressReport.objects.exists() and not EvidenceFile.objects.exists()


def test_an_empty_file_is_refused(client, users, deadline):
    client.force_login(users["officer_a"])
    response = submit(client, deadline, upload("rong.pdf", b""))
    assert response.status_code == 400 and "Tập tin được gửi là rỗng." in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_size_limit_comes_from_the_setting(client, users, deadline, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(users["officer_a"])
    response = submit(client, deadline, upload("lon.pdf", PDF_BYTES + b"0" * 1024))
    assert response.status_code == 400
    assert "vượt quá mức tối đa 1,0" in response.content.decode()
    assert not ProgressReport.objects.exists()
    assert submit(client, deadline, upload("nho.pdf", PDF_BYTES)).status_code == 302


def test_download_checks_the_same_rules_as_the_deadline(client, users, deadline):
    client.force_login(users["officer_a"])
    submit(client, deadline, upload("bao cáo quý.pdf", PDF_BYTES))
    evidence = EvidenceFile.objects.get()
    url = reverse("evidence-download", args=[evidence.pk])
    for name in ["officer_a", "officer_b", "coordinator", "leader"]:
        client.force_login(users[name])
        response = client.get(url)
        assert response.status_code == 200, name
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Cache-Control"] == "private, no-store"
    client.force_login(users["officer_c"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_files_are_not_under_a_public_url(settings):
    # Evidence lives in MEDIA_ROOT, which no URL serves; only the download view reads it.
    assert not getattr(settings, "MEDIA_URL", "").strip("/")
    from django.urls import resolve
    from django.urls.exceptions import Resolver404

    with pytest.raises(Resolver404):
        resolve("/media/evidence/2026/11/bao-cao.pdf")
