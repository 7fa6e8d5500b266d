import datetime

from django.core.management.base import BaseCommand

from plans.models import EvidenceFile
from plans.selectors import evidence_orphan_list


class Command(BaseCommand):
    help = (
        "Liệt kê tệp minh chứng mồ côi: tệp đã ghi vào kho nhưng không thuộc báo cáo nào (tiến trình "
        "bị dừng giữa lúc ghi tệp và lưu báo cáo). Với --delete thì xóa chúng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="xóa các tệp mồ côi tìm thấy")
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=60,
            help="chỉ tính tệp cũ hơn số phút này (mặc định 60): tệp mới hơn có thể đang được tải lên",
        )

    def handle(self, *args, delete=False, older_than_minutes=60, **options):
        orphans = evidence_orphan_list(older_than=datetime.timedelta(minutes=older_than_minutes))
        storage = EvidenceFile._meta.get_field("file").storage
        for name in orphans:
            if delete:
                storage.delete(name)
            self.stdout.write(f"{'Đã xóa' if delete else 'Mồ côi'}: {name}")
        if not orphans:
            self.stdout.write("Không có tệp minh chứng mồ côi.")
        elif delete:
            self.stdout.write(f"Đã xóa {len(orphans)} tệp minh chứng mồ côi.")
        else:
            self.stdout.write(f"{len(orphans)} tệp minh chứng mồ côi; chạy lại với --delete để xóa.")
