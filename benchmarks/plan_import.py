"""Times a plan import of a generated Word task table: reading, preview and apply.

    DATABASE_URL=postgres://… python -m benchmarks.plan_import --rows 2000

The table is laid out as plans publish it: ten Roman-numeral groups, each row with a
lead agency, cooperating agencies and one of five timings (one-off, yearly, quarterly,
ongoing, a phase). The plan, its agencies and everything imported are written inside a
transaction that is rolled back at the end: the database is left as it was. Prints one
JSON object.
"""

import argparse
import datetime
import io
import json
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dien_bien_portal.settings.test")
django.setup()

import docx  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from documents.imports import import_preview, read_rows  # noqa: E402
from documents.services import plan_import_apply  # noqa: E402
from plans.models import Agency, ContentArea, Deadline, Plan  # noqa: E402

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
TIMINGS = ["31/12/2024", "Hằng năm, trước 15/12", "Hằng quý", "Thường xuyên", "Giai đoạn 2024-2025"]
AGENCIES = [f"Sở thử nghiệm nhập {n}" for n in range(1, 9)]


def table_docx(rows: int) -> bytes:
    document = docx.Document()
    table = document.add_table(rows=0, cols=5)

    def add(*values):
        for cell, value in zip(table.add_row().cells, values, strict=False):
            cell.text = value

    add("STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện")
    per_group = rows // len(ROMAN)
    for group, roman in enumerate(ROMAN):
        add(roman, f"NHÓM NHIỆM VỤ {roman}")
        for number in range(1, per_group + 1):
            n = group * per_group + number
            cooperating = "; ".join(AGENCIES[(n + k) % len(AGENCIES)] for k in range(1, 1 + n % 3))
            add(
                str(number),
                f"Nhiệm vụ thử nghiệm {n}",
                AGENCIES[n % len(AGENCIES)],
                cooperating,
                TIMINGS[n % 5],
            )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class _RollBack(Exception):
    pass


def measure(rows: int) -> dict:
    data = table_docx(rows)
    figures = {"rows": rows, "docx_bytes": len(data), "database": connection.vendor}
    try:
        with transaction.atomic():
            coordinator = Agency.objects.create(code="bench-import-snv", name="Sở thử nghiệm điều phối")
            for n, name in enumerate(AGENCIES, start=1):
                Agency.objects.create(code=f"bench-import-{n}", name=name, short_name=name)
            plan = Plan.objects.create(
                number="999/KH-BENCH",
                title="Kế hoạch thử nghiệm nhập",
                period_start=datetime.date(2024, 1, 1),
                period_end=datetime.date(2026, 12, 31),
                coordinating_agency=coordinator,
                status=Plan.Status.ACTIVE,
            )
            for number, roman in enumerate(ROMAN, start=1):
                ContentArea.objects.create(plan=plan, number=number, title=f"Nhóm nhiệm vụ {roman}")
            started = time.perf_counter()
            parsed = read_rows(data)
            read = time.perf_counter()
            preview = import_preview(plan=plan, rows=parsed)
            previewed = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                result = plan_import_apply(
                    plan=plan, rows=parsed, file_name="bench.docx", today=datetime.date(2024, 1, 2)
                )
            applied = time.perf_counter()
            figures.update(
                read_seconds=round(read - started, 2),
                preview_seconds=round(previewed - read, 2),
                apply_seconds=round(applied - previewed, 2),
                apply_queries=len(queries),
                rejected=len(preview.rejected),
                created=result.created,
                deadlines=Deadline.objects.filter(task__plan=plan).count(),
            )
            raise _RollBack
    except _RollBack:
        pass
    return figures


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.plan_import")
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.rows)))


if __name__ == "__main__":
    main()
