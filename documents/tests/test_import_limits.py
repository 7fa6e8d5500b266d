"""The plan import's workbook checked by structure before it is parsed, and parsed once
(the second review's finding 8: a 238 KB workbook whose shared strings unpacked to about
95 MB took 109 s to preview, and the admin parsed it again to apply it)."""

import datetime
import io
import zipfile

import openpyxl
import pytest

from documents.import_admin import rows_dump, rows_load
from documents.imports import MAX_FILE_BYTES, MAX_UNZIPPED_BYTES, ImportFileError, read_rows

# The import tests' fixtures (plan, agencies, a coordinator in the admin, the stash).
from documents.tests.test_import import (  # noqa: F401
    GOOD_ROWS,
    apply,
    coordinator,
    known,
    plan,
    stash_dir,
    upload,
    xlsx,
)
from plans.models import Task

pytestmark = pytest.mark.django_db


def with_parts(data: bytes, parts: dict[str, bytes], *, declare_shared_strings=False) -> bytes:
    """The workbook ``data`` with ``parts`` added (replacing any of the same name)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for item in source.infolist():
            if item.filename in parts:
                continue
            content = source.read(item.filename)
            if declare_shared_strings and item.filename == "[Content_Types].xml":
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            if declare_shared_strings and item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            archive.writestr(item.filename, content)
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def shared_strings(unpacked_bytes: int) -> bytes:
    count = unpacked_bytes // 40 + 1
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="{count}" uniqueCount="{count}">'
    )
    return (head + "".join(f"<si><t>c{n:030d}</t></si>" for n in range(count)) + "</sst>").encode()


@pytest.fixture
def parses(monkeypatch):
    """How many times openpyxl parses a workbook meanwhile."""
    calls = []
    real = openpyxl.load_workbook

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", counting)
    return calls


def test_shared_strings_that_inflate_past_the_limit_are_refused_unparsed(known, parses):  # noqa: F811
    bomb = with_parts(
        xlsx(GOOD_ROWS),
        {"xl/sharedStrings.xml": shared_strings(MAX_UNZIPPED_BYTES + 1024 * 1024)},
        declare_shared_strings=True,
    )
    assert len(bomb) < MAX_FILE_BYTES  # passes the upload size limit
    with pytest.raises(ImportFileError) as refused:
        read_rows(bomb)
    assert "giải nén ra" in refused.value.message and "MB" in refused.value.message
    assert parses == []


@pytest.mark.parametrize(
    ("part", "message"),
    [("xl/payload.exe", "không được phép"), ("xl/vbaProject.bin", "không được phép")],
)
def test_parts_no_workbook_needs_are_refused(known, part, message, parses):  # noqa: F811
    with pytest.raises(ImportFileError) as refused:
        read_rows(with_parts(xlsx(GOOD_ROWS), {part: b"MZ\x90\x00"}))
    assert message in refused.value.message
    assert parses == []


def test_the_admin_parses_the_workbook_once_for_preview_and_apply(
    coordinator,  # noqa: F811
    plan,  # noqa: F811
    known,  # noqa: F811
    stash_dir,  # noqa: F811
    parses,
):
    preview = upload(coordinator, plan, xlsx(GOOD_ROWS))
    assert "Tạo mới (3)" in preview.content.decode()
    assert apply(coordinator, plan).status_code == 302
    assert Task.objects.filter(plan=plan).count() == 3
    assert len(parses) == 1


def test_kept_rows_come_back_as_they_were_read():
    rows = [
        (
            2,
            {
                "code": "5.1",
                "area": 5,
                "title": "Nhiệm vụ",
                "deadline": datetime.datetime(2019, 12, 31, 0, 0),
            },
        ),
        (3, {"code": "5.2", "area": 5.0, "title": None, "deadline": datetime.date(2020, 6, 30)}),
        (
            4,
            {
                "code": "5.3",
                "area": True,
                "title": datetime.time(8, 30),
                "deadline": datetime.timedelta(days=2),
            },
        ),
    ]
    assert rows_load(rows_dump(rows)) == rows
