from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents.imports import MAX_FILE_BYTES, ImportFileError, ImportRejected, import_preview
from documents.services import plan_import_apply
from plans.models import Plan


class Command(BaseCommand):
    help = (
        "Nhập bảng nhiệm vụ của một kế hoạch từ tệp Excel (.xlsx) theo mẫu (trang “Nhiệm vụ”). In ra "
        "kết quả kiểm tra từng dòng; nếu có dòng bị từ chối thì không lưu gì. --dry-run chỉ kiểm tra."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp Excel (.xlsx) theo mẫu.")
        parser.add_argument("--plan", required=True, help="Số, ký hiệu kế hoạch, ví dụ 139/KH-UBND.")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra và in kết quả, không lưu.")

    def handle(self, *args, **options):
        plan = Plan.objects.filter(number=options["plan"].strip()).first()
        if plan is None:
            raise CommandError(f"Không có kế hoạch số “{options['plan']}”.")
        path = Path(options["file"])
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Không mở được tệp “{path}”: {exc.strerror or exc}.") from None
        try:
            preview = import_preview(plan=plan, file=data)
        except ImportFileError as exc:
            raise CommandError(f"Tệp “{path.name}”: {exc.message}") from None

        self._print_preview(preview)
        if preview.rejected:
            raise CommandError(self._rejected_text(preview))
        if options["dry_run"]:
            self.stdout.write("Chạy thử (--dry-run): không lưu gì.")
            return
        if not preview.has_changes:
            self.stdout.write("Không có thay đổi nào so với kế hoạch; không lưu gì.")
            return
        try:
            result = plan_import_apply(plan=plan, file=data, file_name=path.name)
        except ImportFileError as exc:
            raise CommandError(f"Tệp “{path.name}”: {exc.message}") from None
        except ImportRejected as exc:
            raise CommandError(self._rejected_text(exc.preview)) from None
        deadlines = result.deadlines
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.message()} Hạn nhiệm vụ: tạo mới {deadlines.created}, "
                f"cập nhật {deadlines.updated}, xóa {deadlines.deleted}."
            )
        )

    def _print_preview(self, preview):
        self.stdout.write(f"Kế hoạch {preview.plan.number}: {len(preview.rows)} dòng. {preview.summary()}")
        for row in preview.rows:
            line = f"  Dòng {row.number} [{row.code or '—'}]: {row.outcome_label.lower()}"
            if row.changes:
                line += " – " + "; ".join(str(change) for change in row.changes)
            if row.errors:
                line += " – " + " ".join(row.errors)
            self.stdout.write(line)

    @staticmethod
    def _rejected_text(preview):
        lines = [f"{len(preview.rejected)} dòng bị từ chối; không lưu gì. Sửa tệp rồi chạy lại:"]
        lines += [f"  Dòng {row.number}: {' '.join(row.errors)}" for row in preview.rejected]
        return "\n".join(lines)
