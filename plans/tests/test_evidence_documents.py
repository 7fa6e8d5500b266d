"""Office and PDF evidence checked as documents, not only by their first bytes (the
second review's finding 9): a ZIP of payload.exe and evil.html called report.docx, a
small .docx that inflates to hundreds of MB, a macro-enabled document, and PDFs that run
JavaScript or carry files are refused with a Vietnamese reason; real documents pass."""

import io
import zipfile

import docx
import openpyxl
import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from plans.evidence import OFFICE_EVIDENCE_LIMITS, evidence_kind_of
from plans.models import EvidenceFile, ProgressReport
from plans.tests.sample_files import office_bytes, pdf_bytes
from plans.tests.test_evidence import submit, upload

pytestmark = pytest.mark.django_db

DOCX_MAIN = "word/document.xml"


def zip_of(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def inflating_docx(unpacked_mb: int) -> bytes:
    """A valid-looking .docx with a part of zeros: small packed, huge unpacked."""
    buffer = io.BytesIO(office_bytes(DOCX_MAIN))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("word/media/image1.png", "w", force_zip64=True) as part:
            chunk = bytes(1024 * 1024)
            for _ in range(unpacked_mb):
                part.write(chunk)
    return buffer.getvalue()


def real_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Báo cáo kết quả thực hiện nhiệm vụ năm 2026.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def real_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Nhiệm vụ", "Kết quả"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_with(change) -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def open_action_js(writer):
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


def document_js(writer):
    """Document-level JavaScript, in the catalog's /Names tree."""
    action = writer._add_object(
        DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("x()")}
        )
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("mo"), action])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def launch_action(writer):
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
    )
    writer._root_object[NameObject("/OpenAction")] = action


def refusal(name, content) -> str:
    with pytest.raises(Exception) as refused:
        evidence_kind_of(SimpleUploadedFile(name, content))
    return " ".join(refused.value.messages)


def test_the_reviews_zip_of_an_exe_and_html_called_docx_is_refused(client, users, deadline):
    payload = office_bytes(
        DOCX_MAIN, extra={"payload.exe": b"MZ\x90\x00" * 16, "evil.html": b"<script>x</script>"}
    )
    client.force_login(users["officer_a"])
    response = submit(client, deadline, upload("report.docx", payload))
    assert response.status_code == 400
    html = response.content.decode()
    assert "không được chấp nhận" in html and "payload.exe" in html and "không được phép" in html
    assert not ProgressReport.objects.exists() and not EvidenceFile.objects.exists()
    # A bare ZIP of the two, with no document in it, is no document at all.
    bare = zip_of({"payload.exe": b"MZ", "evil.html": b"<html></html>"})
    assert "chỉ nhận tệp PDF" in refusal("report.docx", bare)


@pytest.mark.parametrize(
    ("part", "data"),
    [
        ("word/evil.html", b"<html></html>"),
        ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0"),
        ("word/embeddings/run.js", b"WScript.Run('x')"),
        ("../../outside.xml", b"<x/>"),
    ],
)
def test_forbidden_parts_are_refused(part, data):
    message = refusal("van-ban.docx", office_bytes(DOCX_MAIN, extra={part: data}))
    assert "không được phép" in message or "nằm ngoài tài liệu" in message


def test_a_small_docx_that_inflates_beyond_the_limit_is_refused():
    limit_mb = OFFICE_EVIDENCE_LIMITS.max_unpacked_bytes // (1024 * 1024)
    content = inflating_docx(limit_mb + 20)
    assert len(content) < 1024 * 1024  # under a megabyte packed
    assert "giải nén ra" in refusal("van-ban.docx", content)


def test_too_many_parts_are_refused():
    extra = {f"word/media/p{n}.xml": b"<p/>" for n in range(OFFICE_EVIDENCE_LIMITS.max_parts)}
    assert "thành phần" in refusal("van-ban.docx", office_bytes(DOCX_MAIN, extra=extra))


def test_a_macro_enabled_document_is_refused():
    docm = office_bytes(DOCX_MAIN, content_type="application/vnd.ms-word.document.macroEnabled.main+xml")
    assert "không phải tài liệu Word (.docx) hợp lệ" in refusal("van-ban.docx", docm)


def test_a_damaged_main_part_is_refused():
    buffer = io.BytesIO(office_bytes("xl/workbook.xml"))
    damaged = zip_of(
        {name: zipfile.ZipFile(buffer).read(name) for name in ("[Content_Types].xml",)}
        | {"xl/workbook.xml": b"<workbook><sheets>"}
    )
    assert "phần nội dung chính bị hỏng" in refusal("so-lieu.xlsx", damaged)


@pytest.mark.parametrize(
    ("change", "what"),
    [
        (open_action_js, "JavaScript"),
        (document_js, "JavaScript"),
        (lambda writer: writer.add_attachment("chay.exe", b"MZ\x90\x00"), "tệp đính kèm"),
        (launch_action, "lệnh mở chương trình"),
    ],
)
def test_pdfs_that_run_code_or_carry_files_are_refused(client, users, deadline, change, what):
    client.force_login(users["officer_a"])
    response = submit(client, deadline, upload("bao-cao.pdf", pdf_with(change)))
    assert response.status_code == 400
    html = response.content.decode()
    assert f"tệp PDF chứa {what}" in html
    assert not ProgressReport.objects.exists()


def test_javascript_behind_an_escaped_name_is_still_found():
    """ "/J#61vaScript" is "/JavaScript" to a PDF reader."""
    content = pdf_with(open_action_js).replace(b"/JavaScript", b"/J#61vaScript")
    assert b"/JavaScript" not in content
    assert "tệp PDF chứa JavaScript" in refusal("bao-cao.pdf", content)


def test_a_damaged_pdf_is_refused():
    assert "tệp PDF bị hỏng" in refusal("bao-cao.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n")


@pytest.mark.parametrize(
    ("name", "content"),
    [("bao-cao.pdf", pdf_bytes()), ("van-ban.docx", real_docx()), ("so-lieu.xlsx", real_xlsx())],
)
def test_real_documents_pass(client, users, deadline, name, content):
    client.force_login(users["officer_a"])
    assert submit(client, deadline, upload(name, content)).status_code == 302
    assert EvidenceFile.objects.get().original_name == name
