"""Real evidence files, made here: a PDF that PDF readers open and a PNG that image
viewers show, each with content that differs from call to call when asked to."""

import io
import struct
import zipfile
import zlib

import pypdf


def pdf_bytes(title: str = "Báo cáo kết quả thực hiện nhiệm vụ") -> bytes:
    """A one-page A4 PDF carrying ``title`` in its metadata."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title, "/Author": "Sở Thông tin và Truyền thông"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(width: int = 48, height: int = 32, seed: int = 0) -> bytes:
    """An RGB gradient; ``seed`` shifts the colours, so two seeds give two files."""
    # One filter byte per row, then the row's pixels.
    raw = b"".join(
        b"\x00"
        + b"".join(
            bytes(((x * 5 + seed) % 256, (y * 7 + seed) % 256, (x + y + seed) % 256)) for x in range(width)
        )
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw))
        + _png_chunk(b"IEND", b"")
    )


# Minimal files of each accepted kind, recognised by their content (the PDF a real one:
# evidence PDFs are read).
PDF_BYTES = pdf_bytes()
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


MAIN_CONTENT_TYPES = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}


def office_bytes(
    member: str, *, extra: dict[str, bytes] | None = None, content_type: str | None = None
) -> bytes:
    """A minimal Office package whose main part is ``member``, declared in its content
    types (as ``content_type`` when given), with ``extra`` parts beside it."""
    declared = content_type or MAIN_CONTENT_TYPES.get(member, "application/xml")
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{member}" ContentType="{declared}"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr(member, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()
