from django.core.management.base import BaseCommand, CommandError

from plans.selectors import evidence_check_iter


class Command(BaseCommand):
    help = (
        "Kiểm tra từng tệp minh chứng còn đúng như khi tải lên (dung lượng và SHA-256 lưu lúc tải "
        "lên). Liệt kê tệp thiếu hoặc bị hỏng và kết thúc với mã lỗi 1 nếu có. Chỉ đọc."
    )

    def handle(self, *args, **options):
        checked = problems = unfingerprinted = 0
        for check in evidence_check_iter():
            checked += 1
            if check.problem:
                problems += 1
                self.stderr.write(f"Tệp minh chứng #{check.id} “{check.name}”: {check.problem}.")
            elif not check.recorded_sha256:
                unfingerprinted += 1
        if unfingerprinted:
            self.stdout.write(
                f"{unfingerprinted} tệp chưa có mã SHA-256 lúc tải lên: chỉ kiểm tra được dung lượng."
            )
        if problems:
            raise CommandError(f"{problems}/{checked} tệp minh chứng thiếu hoặc bị hỏng (liệt kê ở trên).")
        self.stdout.write(f"Cả {checked} tệp minh chứng còn nguyên như khi tải lên.")
