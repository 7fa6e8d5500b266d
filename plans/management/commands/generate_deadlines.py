from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from plans.services import deadline_sync_all, deadline_sync_for_plan


class Command(BaseCommand):
    help = (
        "Lập các hạn nhiệm vụ theo thời hạn của từng nhiệm vụ trong các kế hoạch chưa kết thúc. Với "
        "kế hoạch không có mốc kết thúc, lệnh kéo dài các hạn định kỳ đến hết năm sau; chạy "
        "mỗi năm ít nhất một lần (chạy hằng ngày cũng không sao)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan", help="Số, ký hiệu kế hoạch, ví dụ 139/KH-UBND. Mặc định: mọi kế hoạch chưa kết thúc."
        )

    def handle(self, *args, **options):
        if options["plan"]:
            plan = Plan.objects.filter(number=options["plan"]).first()
            if plan is None:
                raise CommandError(f"Không có kế hoạch số “{options['plan']}”.")
            result = deadline_sync_for_plan(plan=plan)
        else:
            result = deadline_sync_all()
        self.stdout.write(
            f"Hạn nhiệm vụ: tạo mới {result.created}, cập nhật {result.updated}, xóa {result.deleted}, "
            f"giữ lại vì đã có báo cáo {result.kept_with_reports}."
        )
