import datetime
import time
from collections import Counter

from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from plans.management.arguments import iso_date
from plans.models import Agency, ContentArea, Deadline, Plan, Task
from tasks import services

DEADLINES_PER_TASK = 10
# Due dates spread over about 14 months before and a month after the sweep day.
SPREAD_DAYS = 431  # a prime, so that a task's ten offsets are distinct


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Đo hiệu năng lượt quét nhắc việc trên dữ liệu đo (kế hoạch “[Dữ liệu đo hiệu năng]”) "
        "tạo trong một giao dịch rồi hủy bỏ toàn bộ khi xong: không để lại gì trong cơ sở dữ liệu."
    )

    def add_arguments(self, parser):
        parser.add_argument("--deadlines", type=int, default=100_000, help="Số hạn báo cáo chưa hoàn thành.")
        parser.add_argument("--agencies", type=int, default=100, help="Số đơn vị chủ trì.")
        parser.add_argument("--date", type=iso_date, help="Ngày quét (YYYY-MM-DD). Mặc định: hôm nay.")

    def handle(self, *args, **options):
        deadlines, agencies = options["deadlines"], options["agencies"]
        if deadlines < DEADLINES_PER_TASK or agencies < 1:
            raise CommandError(f"Cần ít nhất {DEADLINES_PER_TASK} hạn báo cáo và 1 đơn vị.")
        today = options["date"] or timezone.localdate()
        try:
            with transaction.atomic():
                self._run(today=today, deadlines=deadlines, agencies=agencies)
                raise _Rollback
        except _Rollback:
            self.stdout.write("Dữ liệu đo đã được hủy bỏ (rollback).")

    def _run(self, *, today, deadlines, agencies):
        started = time.perf_counter()
        coordinator = Agency.objects.create(
            code="bench-dau-moi",
            name="[Dữ liệu đo] Cơ quan đầu mối",
            short_name="Đầu mối (đo)",
            kind="other",
            reminder_emails="dau-moi@bench.invalid",
        )
        bench_agencies = Agency.objects.bulk_create(
            [
                Agency(
                    code=f"bench-{n}",
                    name=f"[Dữ liệu đo] Đơn vị {n}",
                    short_name=f"ĐV đo {n}",
                    kind="other",
                    reminder_emails=f"don-vi-{n}@bench.invalid",
                )
                for n in range(agencies)
            ]
        )
        plan = Plan.objects.create(
            number="1/KH-BENCH",
            title="[Dữ liệu đo hiệu năng] Kế hoạch dùng để đo lượt quét nhắc việc",
            period_start=today - datetime.timedelta(days=SPREAD_DAYS + 100),
            coordinating_agency=coordinator,
            status=Plan.Status.ACTIVE,
            source_note="Dữ liệu đo hiệu năng, không phải dữ liệu thật.",
        )
        area = ContentArea.objects.create(plan=plan, number=1, title="[Dữ liệu đo hiệu năng]")
        task_count = deadlines // DEADLINES_PER_TASK
        tasks = Task.objects.bulk_create(
            [
                Task(
                    plan=plan,
                    area=area,
                    code=f"B.{n}",
                    title=f"[Dữ liệu đo hiệu năng] Nhiệm vụ {n}",
                    lead_agency=bench_agencies[n % agencies],
                    schedule=Task.Schedule.ONGOING,
                    report_cycle=Task.Cycle.QUARTERLY,
                )
                for n in range(task_count)
            ],
            batch_size=5000,
        )
        rows = []
        for n, task in enumerate(tasks):
            for i in range(DEADLINES_PER_TASK):
                offset = (n * 7 + i * 43) % SPREAD_DAYS - (SPREAD_DAYS - 31)
                due_on = today + datetime.timedelta(days=offset)
                rows.append(
                    Deadline(
                        task=task,
                        due_on=due_on,
                        period_start=due_on - datetime.timedelta(days=90),
                        period_label=f"Kỳ đo {i + 1}",
                    )
                )
        Deadline.objects.bulk_create(rows, batch_size=5000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Dữ liệu đo: {len(rows)} hạn, {task_count} nhiệm vụ, {agencies} đơn vị "
            f"({connection.vendor}); tạo trong {time.perf_counter() - started:.1f} s."
        )

        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = services.reminder_sweep(today=today)
        sweep_seconds = time.perf_counter() - started
        per_agency = Counter(agency_id for agency_id, _token in result.digests)
        self.stdout.write(
            f"Lượt quét {today:%d/%m/%Y}: {sweep_seconds:.2f} s, {len(queries)} truy vấn SQL, "
            f"{result.claimed} nhắc việc nhận gửi, {len(result.digests)} thư xếp hàng "
            f"cho {len(per_agency)} đơn vị (nhiều nhất {max(per_agency.values(), default=0)} thư/đơn vị)."
        )

        started = time.perf_counter()
        previous_outbox = getattr(mail, "outbox", None)
        mail.outbox = []
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                for agency_id, token in result.digests:
                    services.reminder_digest_send(
                        agency=Agency.objects.get(pk=agency_id), claim_token=token, today=today
                    )
            sent = list(mail.outbox)
        finally:
            if previous_outbox is None:
                del mail.outbox
            else:
                mail.outbox = previous_outbox
        recipients = Counter(address for message in sent for address in message.to)
        self.stdout.write(
            f"Gửi (bộ nhớ, không qua SMTP): {len(sent)} thư trong "
            f"{time.perf_counter() - started:.2f} s; nhiều nhất {max(recipients.values(), default=0)} "
            "thư/địa chỉ."
        )
