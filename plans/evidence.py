"""Evidence uploads: what is accepted is decided by the file's content, and the name's
extension must agree with it. A renamed executable or a ZIP called ``.docx`` is refused.

Office files must be safe documents of their type (``plans.office_package``: no
executable, HTML or macro parts, bounded unpacked size and parts). PDFs must be readable
and carry nothing a reader runs or unpacks: no JavaScript (``/JavaScript``, ``/JS``, an
``/OpenAction`` or additional action running it), no ``/Launch`` action and no embedded
files."""

from dataclasses import dataclass

import filetype
import pypdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from plans.office_package import PackageLimits, PackageRefused, package_check, package_kind, package_open


@dataclass(frozen=True)
class EvidenceKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]


EVIDENCE_KINDS = {
    "pdf": EvidenceKind("PDF", "application/pdf", (".pdf",)),
    "docx": EvidenceKind(
        "Word (.docx)",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    "xlsx": EvidenceKind(
        "Excel (.xlsx)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
    ),
    "jpg": EvidenceKind("JPEG", "image/jpeg", (".jpg", ".jpeg")),
    "png": EvidenceKind("PNG", "image/png", (".png",)),
}
ACCEPTED_LABELS = ", ".join(kind.label for kind in EVIDENCE_KINDS.values())
ACCEPT_ATTRIBUTE = ",".join(ext for kind in EVIDENCE_KINDS.values() for ext in kind.extensions)


def _refuse(upload, reason):
    raise ValidationError(
        "Tệp “%(name)s” không được chấp nhận: %(reason)s",
        code="evidence_refused",
        params={"name": upload.name, "reason": reason},
    )


# An evidence document: a report with its pictures fits well within these.
OFFICE_EVIDENCE_LIMITS = PackageLimits(max_parts=1000, max_unpacked_bytes=100 * 1024 * 1024)


def _office_kind(upload) -> str | None:
    """ "docx" or "xlsx" for a safe Office document of that kind, None for a ZIP that is
    neither; a ValidationError for an unsafe or damaged one."""
    upload.seek(0)
    try:
        archive = package_open(upload)
        kind = package_kind(archive)
        if kind is not None:
            package_check(archive, kind=kind, limits=OFFICE_EVIDENCE_LIMITS, label=EVIDENCE_KINDS[kind].label)
        return kind
    except PackageRefused as refused:
        _refuse(upload, refused.message)
    finally:
        upload.seek(0)


# What a PDF reader runs or unpacks: names that must appear in no object of the file.
PDF_FORBIDDEN_KEYS = {"/JavaScript": "JavaScript", "/JS": "JavaScript", "/EmbeddedFile": "tệp đính kèm",
                      "/EmbeddedFiles": "tệp đính kèm", "/Launch": "lệnh mở chương trình"}  # fmt: skip
# Action types (/S) and object types (/Type) refused wherever they appear.
PDF_FORBIDDEN_VALUES = {"/JavaScript": "JavaScript", "/Launch": "lệnh mở chương trình",
                        "/EmbeddedFile": "tệp đính kèm", "/ImportData": "lệnh nhập dữ liệu"}  # fmt: skip
PDF_MAX_OBJECTS = 200_000


def _pdf_forbidden(value) -> str | None:
    """What forbidden thing a PDF object holds, looking into its direct dictionaries and
    arrays (indirect ones are visited on their own)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            continue
        if isinstance(item, DictionaryObject):
            for key, inner in item.items():
                if key in PDF_FORBIDDEN_KEYS:
                    return PDF_FORBIDDEN_KEYS[key]
                if key in ("/S", "/Type", "/Subtype") and isinstance(inner, NameObject):
                    if inner in PDF_FORBIDDEN_VALUES:
                        return PDF_FORBIDDEN_VALUES[inner]
                    if inner == "/FileAttachment":
                        return "tệp đính kèm"
                stack.append(inner)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def _pdf_check(upload) -> None:
    """Refuse a PDF that cannot be read, is encrypted, or holds JavaScript, a launch
    action or embedded files, whatever object (compressed or not) holds them."""
    upload.seek(0)
    try:
        reader = pypdf.PdfReader(upload, strict=False)
        if reader.is_encrypted:
            _refuse(
                upload, "tệp PDF được mã hóa hoặc đặt mật khẩu; hãy lưu bản không mã hóa rồi tải lên lại."
            )
        size = int(reader.trailer.get("/Size", 0))
        if size > PDF_MAX_OBJECTS:
            _refuse(upload, f"tệp PDF có {size} đối tượng, quá mức cho phép.")
        found = _pdf_forbidden(reader.trailer)
        number = 1
        while found is None and number < size:
            try:
                obj = reader.get_object(number)
            except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
                obj = None  # a free or damaged entry: nothing a reader could run
            if obj is not None:
                found = _pdf_forbidden(obj)
            number += 1
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        _refuse(upload, "tệp PDF bị hỏng hoặc không đúng định dạng PDF.")
    finally:
        upload.seek(0)
    if found:
        _refuse(
            upload,
            f"tệp PDF chứa {found}, có thể tự chạy khi mở. Hãy in hoặc xuất lại thành PDF thường "
            "(không có mã lệnh, không đính kèm tệp) rồi tải lên lại.",
        )


def evidence_kind_of(upload) -> EvidenceKind:
    """The kind of an uploaded file, or a Vietnamese ValidationError saying why not."""
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        _refuse(
            upload,
            f"dung lượng {filesizeformat(upload.size)} vượt quá mức tối đa "
            f"{filesizeformat(settings.EVIDENCE_MAX_BYTES)}.",
        )
    if upload.size == 0:
        _refuse(upload, "tệp rỗng.")
    upload.seek(0)
    guessed = filetype.guess(upload.read(8192))
    upload.seek(0)
    # filetype names Office files by their first ZIP entries; the ZIP's contents decide.
    extension = guessed.extension if guessed else None
    if extension in ("zip", "docx", "xlsx"):
        extension = _office_kind(upload)
    kind = EVIDENCE_KINDS.get(extension)
    if kind is None:
        _refuse(upload, f"chỉ nhận tệp {ACCEPTED_LABELS} (kiểm tra theo nội dung tệp).")
    if not upload.name.lower().endswith(kind.extensions):
        _refuse(upload, f"nội dung là tệp {kind.label} nhưng tên tệp có phần mở rộng khác.")
    if kind is EVIDENCE_KINDS["pdf"]:
        _pdf_check(upload)
    return kind
