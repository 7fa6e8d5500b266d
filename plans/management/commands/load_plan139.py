from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from plans.sources import plan_139


class Command(BaseCommand):
    help = (
        "Nạp Kế hoạch 139/KH-UBND theo những gì nguồn công khai cho biết: kế hoạch, 9 nội dung, "
        "các cơ quan, đơn vị và nhiệm vụ có nguồn của nội dung 5. Chạy lại không tạo trùng và "
        "không ghi đè dữ liệu đã sửa trong trang quản trị; dữ liệu nạp từ phiên bản nguồn trước "
        "mà chưa ai sửa được cập nhật theo nguồn đã đính chính."
    )

    def handle(self, *args, **options):
        try:
            result = plan_139.load()
        except ValidationError as exc:
            # Nothing was saved: the load runs in one transaction.
            raise CommandError("Không nạp được, dữ liệu không thay đổi: " + " ".join(exc.messages)) from exc
        labels = {
            "agencies": "cơ quan, đơn vị",
            "groups": "nhóm cơ quan, đơn vị",
            "plans": "kế hoạch",
            "areas": "nội dung",
            "documents": "văn bản liên quan",
            "tasks": "nhiệm vụ",
        }
        for kind, label in labels.items():
            line = f"{label}: tạo mới {result.created.get(kind, 0)}, đã có {result.existing.get(kind, 0)}"
            if result.corrected.get(kind):
                line += f", cập nhật theo nguồn đã đính chính {result.corrected[kind]}"
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Đã nạp Kế hoạch 139/KH-UBND."))
