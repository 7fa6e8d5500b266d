import json
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.template.defaultfilters import filesizeformat

from deploy.manifest import manifest_build


def manifest_json(manifest: dict) -> str:
    # Sorted keys and a fixed layout: the same data always gives the same bytes.
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = (
        "In bản kê sao lưu (JSON): số dòng của mọi bảng của plans, accounts, tasks; số nhiệm vụ "
        "của từng kế hoạch; tên, dung lượng và SHA-256 của từng tệp minh chứng. Chỉ đọc, không "
        "ghi gì vào cơ sở dữ liệu."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="ghi bản kê vào tệp này thay vì in ra")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="thất bại (mã 1) khi có tệp minh chứng thiếu hoặc khác với khi tải lên; bản kê vẫn được ghi",
        )
        parser.add_argument(
            "--snapshot",
            help="đọc từ snapshot PostgreSQL này (pg_export_snapshot), cùng trạng thái với pg_dump",
        )

    def handle(self, *args, output=None, snapshot=None, strict=False, **options):
        try:
            manifest = manifest_build(snapshot=snapshot)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:
            raise CommandError(f"Không đọc được cơ sở dữ liệu: {exc}") from exc
        text = manifest_json(manifest)
        label = "Lỗi" if strict else "Cảnh báo"
        for entry in manifest["evidence"]:
            if entry["missing"]:
                self.stderr.write(f"{label}: thiếu tệp minh chứng #{entry['id']} “{entry['name']}”.")
            elif entry["damaged"]:
                self.stderr.write(
                    f"{label}: tệp minh chứng #{entry['id']} “{entry['name']}” khác với khi tải lên "
                    f"({entry['size']} byte, SHA-256 {entry['sha256']}; lúc tải lên {entry['recorded_size']} "
                    f"byte, SHA-256 {entry['recorded_sha256'] or 'chưa ghi'})."
                )
        if output is None:
            self.stdout.write(text, ending="")
        else:
            Path(output).write_text(text, encoding="utf-8")
        problems = manifest["evidence_missing"] + manifest["evidence_damaged"]
        if strict and problems:
            raise CommandError(
                f"{problems} tệp minh chứng thiếu hoặc bị hỏng (liệt kê ở trên): bản sao lưu này không "
                "chứng nhận được các tệp đó."
            )
        if output is None:
            return
        summary = manifest["summary"]
        self.stdout.write(
            f"Kế hoạch: {summary['plans']}, nhiệm vụ: {summary['tasks']}, hạn: {summary['deadlines']}, "
            f"báo cáo: {summary['reports']}, tệp minh chứng: {summary['evidence_files']} "
            f"({filesizeformat(manifest['evidence_bytes'])}), người dùng: {summary['users']}, "
            f"dòng lịch sử: {summary['history_rows']}."
        )
