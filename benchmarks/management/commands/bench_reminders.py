import time
from collections import Counter

from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from benchmarks import sweep_data as bench
from plans.management.arguments import iso_date
from plans.models import Agency
from tasks import services


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Đo hiệu năng lượt quét nhắc việc trên dữ liệu đo (kế hoạch “[Dữ liệu đo hiệu năng]”) "
        "tạo trong một giao dịch rồi hủy bỏ toàn bộ khi xong: không để lại gì trong cơ sở dữ liệu."
    )

    def add_arguments(self, parser):
        parser.add_argument("--deadlines", type=int, default=100_000, help="Số hạn nhiệm vụ chưa hoàn thành.")
        parser.add_argument("--agencies", type=int, default=100, help="Số đơn vị chủ trì.")
        parser.add_argument("--date", type=iso_date, help="Ngày quét (YYYY-MM-DD). Mặc định: hôm nay.")

    def handle(self, *args, **options):
        deadlines, agencies = options["deadlines"], options["agencies"]
        if deadlines < bench.DEADLINES_PER_TASK or agencies < 1:
            raise CommandError(f"Cần ít nhất {bench.DEADLINES_PER_TASK} hạn nhiệm vụ và 1 đơn vị.")
        today = options["date"] or timezone.localdate()
        try:
            with transaction.atomic():
                self._run(today=today, deadlines=deadlines, agencies=agencies)
                raise _Rollback
        except _Rollback:
            self.stdout.write("Dữ liệu đo đã được hủy bỏ (rollback).")

    def _run(self, *, today, deadlines, agencies):
        started = time.perf_counter()
        added = bench.open_deadlines_add(
            today=today, deadlines=deadlines, lead_agencies=bench.bench_agencies_create(agencies)
        )
        task_count = added // bench.DEADLINES_PER_TASK
        self.stdout.write(
            f"Dữ liệu đo: {added} hạn, {task_count} nhiệm vụ, {agencies} đơn vị "
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
