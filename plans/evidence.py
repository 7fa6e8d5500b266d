"""Evidence uploads: what is accepted is decided by the file's content, and the name's
extension must agree with it. A renamed executable or a ZIP called ``.docx`` is refused."""

import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat


@dataclass(frozen=True)
class EvidenceKind:
    label: str
    content_type: str
    extensions: tuple[str, ...]
    # For Office files (ZIP containers): a member that only that kind of document has.
    zip_member: str | None = None


EVIDENCE_KINDS = {
    "pdf": EvidenceKind("PDF", "application/pdf", (".pdf",)),
    "docx": EvidenceKind(
        "Word (.docx)",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        zip_member="word/document.xml",
    ),
    "xlsx": EvidenceKind(
        "Excel (.xlsx)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
        zip_member="xl/workbook.xml",
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


def _is_office_document(upload, member: str) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return member in archive.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)


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
        extension = next(
            (key for key in ("docx", "xlsx") if _is_office_document(upload, EVIDENCE_KINDS[key].zip_member)),
            None,
        )
    kind = EVIDENCE_KINDS.get(extension)
    if kind is None:
        _refuse(upload, f"chỉ nhận tệp {ACCEPTED_LABELS} (kiểm tra theo nội dung tệp).")
    if not upload.name.lower().endswith(kind.extensions):
        _refuse(upload, f"nội dung là tệp {kind.label} nhưng tên tệp có phần mở rộng khác.")
    return kind
