from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, timezone

from documents import selectors as document_selectors
from documents.document_header import PLAN_FIELDS, header_read, plan_proposal, unsaved_plan
from documents.imports import MAX_FILE_BYTES, ImportFileError, ImportRejected, import_preview, read_rows
from documents.services import plan_import_apply, plan_import_new
from plans.models import Plan


class Command(BaseCommand):
    help = (
        "Nhập bảng nhiệm vụ của một kế hoạch: tệp Excel (.xlsx) theo mẫu (trang “Nhiệm vụ”), hoặc văn bản "
        "Word (.docx) hay bảng Excel như khi ban hành. In ra kết quả kiểm tra từng dòng; nếu có dòng bị từ "
        "chối, hoặc đề xuất chưa được chấp nhận, thì không lưu gì. Tên cơ quan đã chọn khi nhập qua trang "
        "quản trị được dùng lại. Không có --plan: kế hoạch là kế hoạch mà phần đầu văn bản ghi số; nếu chưa "
        "có, in kế hoạch đề xuất từ văn bản, và --accept-proposals tạo kế hoạch đó (dự thảo) cùng mọi thứ "
        "khác. --dry-run chỉ kiểm tra. Dòng cuối: "
        "rows: N read, N imported, N skipped, N need a decision."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .xlsx hoặc .docx.")
        parser.add_argument(
            "--plan",
            help="Số, ký hiệu kế hoạch, ví dụ 139/KH-UBND. Mặc định: số ghi ở phần đầu văn bản.",
        )
        parser.add_argument(
            "--accept-proposals",
            action="store_true",
            help="Chấp nhận mọi đề xuất của bước kiểm tra (nội dung, cơ quan, nhóm cơ quan mới).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra và in kết quả, không lưu.")

    def handle(self, *args, **options):
        plan = None
        if options["plan"]:
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
            rows = read_rows(data)
        except ImportFileError as exc:
            raise CommandError(f"Tệp “{path.name}”: {exc.message}") from None
        if plan is None:
            header = header_read(data)
            plan = document_selectors.plan_get_by_number(number=header.number)
            if plan is None:
                return self._new_plan(header, rows, path, options)
        preview = import_preview(plan=plan, rows=rows)

        self._print_preview(preview)
        accept = options["accept_proposals"]
        imported, refused = 0, False
        if preview.rejected or preview.needing_choice or (preview.need_decision and not accept):
            refused = not options["dry_run"] or bool(preview.rejected or preview.needing_choice)
        elif options["dry_run"]:
            self.stdout.write("Chạy thử (--dry-run): không lưu gì.")
        elif not (preview.has_changes or preview.need_decision):
            self.stdout.write("Không có thay đổi nào so với kế hoạch; không lưu gì.")
        else:
            try:
                result = plan_import_apply(plan=plan, rows=rows, file_name=path.name, accept_proposals=accept)
            except ImportRejected as exc:
                preview, refused = exc.preview, True
            else:
                imported = result.created + result.updated
                deadlines = result.deadlines
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{result.message()} Hạn nhiệm vụ: tạo mới {deadlines.created}, "
                        f"cập nhật {deadlines.updated}, xóa {deadlines.deleted}."
                    )
                )
        self._counts(preview, imported)
        if refused:
            # After the counts, so that they are the last line of the output.
            raise CommandError(self._rejected_text(preview))

    def _counts(self, preview, imported):
        decisions = 0 if imported else len(preview.need_decision)
        self.stdout.write(
            f"rows: {len(preview.rows) + len(preview.skipped)} read, {imported} imported, "
            f"{len(preview.skipped)} skipped, {decisions} need a decision"
        )

    def _new_plan(self, header, rows, path, options):
        """The plan the document describes is not in the portal: print the plan proposed
        from its header; with --accept-proposals create it (a draft) with its tasks."""
        proposal = plan_proposal(
            header,
            today=timezone.localdate(),
            default_issuer=Plan._meta.get_field("issuer").default,
            coordinating_agency=document_selectors.plan_coordinator_default(),
        )
        self._print_proposal(header, proposal)
        values = proposal.values
        preview = import_preview(plan=unsaved_plan(values), rows=rows)
        self._print_preview(preview)
        accept, imported, problem = options["accept_proposals"], 0, ""
        if proposal.missing:
            labels = ", ".join(self._label(name).lower() for name in proposal.missing)
            problem = (
                f"Văn bản không cho biết {labels} của kế hoạch; không lưu gì. Hãy dùng trang quản trị "
                "“Nhập kế hoạch từ văn bản” để nhập các mục này."
            )
        elif preview.rejected or preview.needing_choice:
            problem = self._rejected_text(preview)
        elif not accept:
            if not options["dry_run"]:
                problem = (
                    f"Kế hoạch số {values['number']} chưa có; không lưu gì. Kiểm tra kế hoạch đề xuất ở "
                    "trên rồi chạy lại với --accept-proposals để tạo kế hoạch (dự thảo) cùng các nội dung, "
                    "cơ quan, nhóm cơ quan và nhiệm vụ."
                )
        elif options["dry_run"]:
            self.stdout.write("Chạy thử (--dry-run): không lưu gì.")
        else:
            try:
                plan, result = plan_import_new(
                    fields=values, rows=rows, file_name=path.name, accept_proposals=True
                )
            except ImportRejected as exc:
                preview, problem = exc.preview, self._rejected_text(exc.preview)
            except ValidationError as exc:
                problem = "Không tạo được kế hoạch; không lưu gì: " + " ".join(exc.messages)
            else:
                imported = result.created + result.updated
                self.stdout.write(
                    self.style.SUCCESS(f"Đã tạo kế hoạch {plan.number} (dự thảo). {result.message()}")
                )
        self._counts(preview, imported)
        if problem:
            raise CommandError(problem)

    @staticmethod
    def _label(name):
        return str(Plan._meta.get_field(name).verbose_name).capitalize()

    def _print_proposal(self, header, proposal):
        if header.number:
            self.stdout.write(
                f"Kế hoạch số {header.number} chưa có trong hệ thống. Kế hoạch đề xuất từ văn bản:"
            )
        else:
            self.stdout.write("Văn bản không ghi số kế hoạch. Kế hoạch đề xuất từ văn bản:")
        for name in PLAN_FIELDS:
            value = proposal.values.get(name)
            if name == "period_end" and value is None:
                shown = "(không thời hạn)"
            elif hasattr(value, "year"):
                shown = formats.date_format(value, "SHORT_DATE_FORMAT")
            elif name == "coordinating_agency":
                shown = value.name if value is not None else "(chưa có)"
            else:
                shown = value or "(không có)"
            note = proposal.notes.get(name)
            self.stdout.write(f"  {self._label(name)}: {shown}" + (f" – Lưu ý: {note}" if note else ""))

    def _print_preview(self, preview):
        self.stdout.write(f"Kế hoạch {preview.plan.number}: {len(preview.rows)} dòng. {preview.summary()}")
        for skipped in preview.skipped:
            self.stdout.write(f"  {skipped} – bỏ qua")
        for row in preview.rows:
            line = f"  Dòng {row.number} [{row.code or '—'}]: {row.outcome_label.lower()}"
            if row.changes:
                line += " – " + "; ".join(str(change) for change in row.changes)
            if row.errors or row.decisions:
                line += " – " + " ".join(row.errors or row.decisions)
            if row.notes:
                line += " – Lưu ý: " + " ".join(row.notes)
            self.stdout.write(line)
        for proposal in preview.proposals:
            rows = ", ".join(str(number) for number in proposal.rows)
            self.stdout.write(f"  Đề xuất: {proposal.label} – dòng {rows}")
        for name in preview.remembered:
            rows = ", ".join(str(number) for number in name.rows)
            self.stdout.write(f"  {name.label} – dòng {rows}")

    @staticmethod
    def _rejected_text(preview):
        lines = []
        if preview.rejected:
            lines.append(f"{len(preview.rejected)} dòng bị từ chối; không lưu gì. Sửa tệp rồi chạy lại:")
            lines += [f"  Dòng {row.number}: {' '.join(row.errors)}" for row in preview.rejected]
        if preview.needing_choice:
            names = "; ".join(f"“{proposal.name}”" for proposal in preview.needing_choice)
            lines.append(
                f"Chưa chọn cơ quan cho tên gần giống tên cơ quan đã có: {names}; không lưu gì. "
                "--accept-proposals không tự quyết những tên này: sửa tên trong tệp, hoặc chọn cơ quan "
                "cho tên đó ở trang “Nhập nhiệm vụ từ Excel” (lựa chọn được lưu và dùng cho các lần nhập "
                "sau, kể cả bằng lệnh này):"
            )
        elif preview.need_decision:
            lines.append(
                f"{len(preview.need_decision)} dòng cần quyết định; không lưu gì. Chạy lại với "
                "--accept-proposals để chấp nhận các đề xuất:"
            )
        if preview.need_decision:
            lines += [f"  Dòng {row.number}: {' '.join(row.decisions)}" for row in preview.need_decision]
        return "\n".join(lines)
