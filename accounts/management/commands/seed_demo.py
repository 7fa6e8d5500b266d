from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.services import demo_agency_emails_seed, demo_users_seed
from plans.management.arguments import iso_date
from plans.models import Plan
from plans.sources import plan_139
from plans.sources.sample import sample_plan_get_or_create, sample_tasks_move_out, sample_tasks_seed


class Command(BaseCommand):
    help = (
        "Tạo các tài khoản mẫu (admin, ngoaivu, sotttt, lanhdao) và nhiệm vụ mẫu trong Kế hoạch "
        "139/KH-UBND, tên bắt đầu bằng “[Dữ liệu mẫu]”. Chạy lại không tạo trùng; mật khẩu các "
        "tài khoản mẫu được đặt lại theo --password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True, help="Mật khẩu cho mọi tài khoản mẫu.")
        parser.add_argument(
            "--today", type=iso_date, help="Đặt ngày của dữ liệu mẫu theo ngày này (YYYY-MM-DD)."
        )

    @transaction.atomic
    def handle(self, *args, password, today, **options):
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("Mật khẩu không dùng được: " + " ".join(exc.messages)) from exc
        today = today or timezone.localdate()
        try:
            # The sample tasks use Plan 139/KH-UBND's agencies and area titles, in a plan
            # of their own; a database seeded by an earlier version is cleaned first.
            plan_139.load()
            users = demo_users_seed(password=password)
            demo_agency_emails_seed()
            source_plan = Plan.objects.get(number=plan_139.PLAN["number"])
            sample_plan = sample_plan_get_or_create(source_plan=source_plan, today=today)
            moved = sample_tasks_move_out(source_plan=source_plan, sample_plan=sample_plan)
            created = sample_tasks_seed(
                plan=sample_plan,
                today=today,
                reporters={"so-tttt": users["sotttt"]},
                reviewer=users["ngoaivu"],
            )
        except ValidationError as exc:
            raise CommandError(
                "Không tạo được dữ liệu mẫu, dữ liệu không thay đổi: " + " ".join(exc.messages)
            ) from exc
        self.stdout.write(
            f"Tài khoản mẫu: {', '.join(users)}. Nhiệm vụ mẫu (kế hoạch {sample_plan.number}) tạo mới: "
            f"{created}; chuyển khỏi Kế hoạch {source_plan.number}: {moved}."
        )
