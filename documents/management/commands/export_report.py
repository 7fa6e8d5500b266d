import datetime
import errno
import os
import tempfile
import time

from django.core.management.base import BaseCommand, CommandError

from documents import selectors as document_selectors
from documents.report_docx import file_name, province_report_docx
from plans import selectors
from plans.models import Plan
from plans.periods import ACCEPTED_FORMS, ReportPeriod


class Command(BaseCommand):
    help = (
        "Lập báo cáo định kỳ của cơ quan đầu mối về một kế hoạch (tệp Word .docx theo thể thức "
        "Nghị định 30/2020/NĐ-CP), ví dụ: export_report --plan 139/KH-UBND --period 2020 "
        "--output bao-cao.docx."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="Số, ký hiệu kế hoạch, ví dụ 139/KH-UBND.")
        parser.add_argument("--period", required=True, help=f"Kỳ báo cáo: {ACCEPTED_FORMS}.")
        parser.add_argument(
            "--output", help="Tệp sẽ ghi. Mặc định: BC-<số kế hoạch>-<kỳ>.docx trong thư mục hiện tại."
        )
        parser.add_argument(
            "--date", help="Ngày lập báo cáo (YYYY-MM-DD), cũng là ngày tính tình trạng. Mặc định: hôm nay."
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        plan = Plan.objects.exclude(status=Plan.Status.DRAFT).filter(number=options["plan"].strip()).first()
        if plan is None:
            raise CommandError(f"Không có kế hoạch số “{options['plan']}” (hoặc kế hoạch còn là dự thảo).")
        try:
            period = ReportPeriod.parse(options["period"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(
                    f"Ngày “{options['date']}” không hợp lệ; viết theo dạng YYYY-MM-DD."
                ) from error

        dates = selectors.status_dates_get(today=today)
        figures = document_selectors.periodic_report_figures_get(plan=plan, period=period, dates=dates)
        content = province_report_docx(figures, today=dates.today)
        path = os.path.abspath(options["output"] or file_name(figures))
        _write_atomically(path, content)
        seconds = f"{time.perf_counter() - started:.2f}".replace(".", ",")
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã ghi báo cáo {period.label} của Kế hoạch số {plan.number} vào {path} "
                f"({len(figures['deadlines'])} hạn thực hiện nhiệm vụ, {len(content) // 1024} KB) "
                f"trong {seconds} giây."
            )
        )


def _write_atomically(path: str, content: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it into place: either the
    whole file is there or nothing is."""
    folder = os.path.dirname(path)
    if os.path.isdir(path):
        raise CommandError(f"“{path}” là một thư mục; hãy ghi rõ tên tệp .docx.")
    temporary = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=folder, prefix=".bao-cao-", suffix=".part", delete=False
        ) as handle:
            temporary = handle.name
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        # A temporary file is private (0600); the report gets the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as error:
        if temporary and os.path.exists(temporary):
            os.unlink(temporary)
        reason = _REASONS.get(error.errno, error.strerror or str(error))
        raise CommandError(f"Không ghi được tệp “{path}”: {reason}.") from error


_REASONS = {
    errno.ENOENT: "thư mục không tồn tại",
    errno.EACCES: "không có quyền ghi vào thư mục này",
    errno.EPERM: "không có quyền ghi vào thư mục này",
    errno.EROFS: "thư mục chỉ đọc",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.ENOTDIR: "đường dẫn không phải là thư mục",
}
