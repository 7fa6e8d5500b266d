import datetime
import time
from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import formats, timezone

from plans.management.arguments import iso_date
from plans.models import Agency
from tasks import services
from tasks.models import ReminderLog

# Consecutive transient failures after which the relay is taken to be down for now.
DEFERRALS_BEFORE_STOPPING = 3


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


class Command(BaseCommand):
    help = (
        "Quét hạn nhiệm vụ và gửi thư nhắc việc (mỗi đơn vị một thư) ngay trong tiến trình này, "
        "không cần Celery. Chạy lại trong cùng ngày không gửi trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", type=iso_date, help="Ngày quét, dạng YYYY-MM-DD. Mặc định: hôm nay.")
        parser.add_argument(
            "--deadline-seconds",
            type=float,
            default=None,
            help=(
                "Dừng gửi sau chừng này giây (mặc định REMINDER_COMMAND_DEADLINE_SECONDS); thư chưa gửi "
                "vẫn được giữ để lượt quét sau gửi."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ in những gì sẽ gửi, theo đơn vị và loại; không ghi gì.",
        )

    def handle(self, *args, **options):
        today = options["date"] or timezone.localdate()
        result = services.reminder_sweep(today=today, dry_run=options["dry_run"])
        if not result.is_working_day:
            self.stdout.write(f"{_day(today)} không phải ngày làm việc: không gửi nhắc việc.")
            return
        if options["dry_run"]:
            self._print_plan(result)
            return
        if result.late_days:
            days = ", ".join(_day(day) for day in result.late_days)
            self.stdout.write(f"Quét bù các ngày chưa quét: {days} (thư ghi rõ là nhắc bù).")
        deadline = options["deadline_seconds"]
        if deadline is None:
            deadline = settings.REMINDER_COMMAND_DEADLINE_SECONDS
        started = time.monotonic()
        sent = failed = deferred = deferred_in_a_row = 0
        for done, (agency_id, token) in enumerate(result.digests):
            # A relay that hangs would otherwise cost a whole conversation per agency:
            # stop at the deadline, or after several deferrals in a row, and leave the rest
            # claimed for the next sweep.
            stop = None
            if time.monotonic() - started >= deadline:
                stop = f"đã quá {deadline:g} giây"
            elif deferred_in_a_row >= DEFERRALS_BEFORE_STOPPING:
                stop = f"{deferred_in_a_row} thư liên tiếp không gửi được"
            if stop:
                left = len(result.digests) - done
                self.stderr.write(f"Dừng gửi ({stop}): còn {left} thư chưa gửi, lượt quét sau sẽ gửi.")
                break
            agency = Agency.objects.get(pk=agency_id)
            try:
                digest = services.reminder_digest_send(agency=agency, claim_token=token, today=today)
            except services.ReminderSendDeferred as exc:
                deferred += 1
                deferred_in_a_row += 1
                self.stderr.write(f"{agency}: tạm thời chưa gửi được ({exc}); lần quét sau sẽ gửi lại.")
                continue
            deferred_in_a_row = 0
            if digest.state == "sent":
                sent += 1
                self.stdout.write(
                    f"{agency}: đã gửi {digest.count} nhắc việc tới {', '.join(digest.recipients)}."
                )
            elif digest.state == "failed":
                failed += 1
                self.stderr.write(f"{agency}: gửi lỗi – {digest.error}")
        self.stdout.write(
            f"Ngày {_day(today)}: {result.claimed} nhắc việc mới nhận gửi; {sent} thư đã gửi, "
            f"{failed} thư lỗi, {deferred} thư chờ gửi lại."
        )

    def _print_plan(self, result):
        by_agency = defaultdict(dict)
        for (agency_id, kind), count in result.planned.items():
            by_agency[agency_id][kind] = count
        agencies = Agency.objects.in_bulk(list(by_agency))
        self.stdout.write(f"Chạy thử ngày {_day(result.today)} (không gửi, không ghi nhật ký):")
        if not by_agency:
            self.stdout.write("  Không có nhắc việc nào.")
        for agency_id, kinds in sorted(by_agency.items(), key=lambda item: str(agencies[item[0]])):
            parts = ", ".join(
                f"{ReminderLog.Kind(kind).label.lower()}: {count}"
                for kind, count in sorted(
                    kinds.items(), key=lambda item: list(ReminderLog.Kind).index(item[0])
                )
            )
            self.stdout.write(f"  {agencies[agency_id]}: {parts}")
        self.stdout.write(f"Tổng: {sum(result.planned.values())} nhắc việc cho {len(by_agency)} đơn vị.")
