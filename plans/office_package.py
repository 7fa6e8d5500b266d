"""Office Open XML packages (.docx, .xlsx) checked by their structure before anything
parses them: evidence uploads (``plans.evidence``) and the plan import's workbooks
(``documents.imports``) both come through here.

A package is a ZIP. It is refused, with a Vietnamese reason, when it is not a readable
ZIP, is encrypted, has too many parts or would unpack to too much (a small file that
inflates to hundreds of MB ties up a worker), names a part outside the package, holds an
executable, script, HTML or macro part, or is not a document of the expected type: its
[Content_Types].xml must declare the main part of that type (a macro-enabled .docm or
.xlsm declares another), and the main part must be well-formed XML. Only the ZIP's
directory and the two small XML parts are read; nothing is unpacked to disk."""

import posixpath
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree

CONTENT_TYPES_PART = "[Content_Types].xml"

# kind → (main part, its content type)
MAIN_PARTS = {
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    "xlsx": (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
}

# Parts no document needs and that a reader might run or render: programs, scripts,
# web pages, and VBA macro projects.
FORBIDDEN_SUFFIXES = (
    ".exe", ".dll", ".com", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js", ".jse",
    ".wsf", ".hta", ".jar", ".sh", ".html", ".htm", ".xhtml", ".mht", ".mhtml", ".svg",
)  # fmt: skip
FORBIDDEN_NAMES = ("vbaproject.bin", "vbadata.xml")


@dataclass(frozen=True)
class PackageLimits:
    max_parts: int
    max_unpacked_bytes: int  # all parts together


class PackageRefused(Exception):
    """``message`` says why, in Vietnamese, as the end of a sentence about the file."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def package_open(file) -> zipfile.ZipFile:
    """The file (bytes-like file object or path) as a ZIP, or ``PackageRefused``."""
    try:
        archive = zipfile.ZipFile(file)
        archive.infolist()
        return archive
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise PackageRefused(
            "tệp không phải gói tài liệu Office hợp lệ (không đọc được cấu trúc ZIP)."
        ) from None


def package_kind(archive: zipfile.ZipFile) -> str | None:
    """Which kind of document the package says it is, by its main part."""
    names = set(archive.namelist())
    return next((kind for kind, (main, _type) in MAIN_PARTS.items() if main in names), None)


def _declared_main_type(archive: zipfile.ZipFile, main: str) -> str | None:
    try:
        types = ElementTree.fromstring(archive.read(CONTENT_TYPES_PART))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    for element in types:
        if element.tag.rpartition("}")[2] == "Override" and element.get("PartName", "").lstrip("/") == main:
            return element.get("ContentType")
    return None


def package_check(archive: zipfile.ZipFile, *, kind: str, limits: PackageLimits, label: str) -> None:
    """Refuse (``PackageRefused``) a package that is not a safe document of ``kind``;
    ``label`` names the kind in messages ("Word (.docx)")."""
    members = archive.infolist()
    if len(members) > limits.max_parts:
        raise PackageRefused(
            f"tệp có {len(members)} thành phần, quá mức {limits.max_parts} của một tệp {label} thông thường."
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        raise PackageRefused(
            f"tệp giải nén ra {_mb(unpacked)}, quá mức {_mb(limits.max_unpacked_bytes)}; tệp nhỏ mà giải nén "
            "ra rất lớn thường là tệp độc hại. Hãy lưu lại tài liệu rồi tải lên lại."
        )
    for member in members:
        name = member.filename.replace("\\", "/")
        if member.flag_bits & 0x1:
            raise PackageRefused("tệp được mã hóa hoặc đặt mật khẩu; hãy bỏ mật khẩu rồi tải lên lại.")
        if name.startswith("/") or ".." in posixpath.normpath(name).split("/"):
            raise PackageRefused(f"tệp chứa thành phần nằm ngoài tài liệu ({name}).")
        base = posixpath.basename(name).lower()
        if base.endswith(FORBIDDEN_SUFFIXES) or base in FORBIDDEN_NAMES:
            raise PackageRefused(
                f"tệp chứa thành phần không được phép ({posixpath.basename(name)}): chương trình, mã lệnh, "
                "trang web hoặc macro không thuộc một tài liệu."
            )
    main, content_type = MAIN_PARTS[kind]
    if _declared_main_type(archive, main) != content_type:
        raise PackageRefused(
            f"tệp không phải tài liệu {label} hợp lệ (khai báo nội dung không đúng, hoặc là tệp có macro)."
        )
    try:
        ElementTree.fromstring(archive.read(main))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise PackageRefused(
            f"tệp không phải tài liệu {label} hợp lệ (phần nội dung chính bị hỏng)."
        ) from None
