import math
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from benchmarks import data as bench_data
from plans.management.arguments import iso_date
from plans.models import ProgressReport

DEFAULT_SEED = 139


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class ProgressBar:
    """Draws ``bench_data``'s progress as one bar per step, redrawn in place with a
    carriage return and closed with a newline when the step is complete."""

    WIDTH = 30
    LABEL_WIDTH = 28

    def __init__(self, write, *, interval: float = 0.1, clock=time.monotonic):
        self.write = write
        self.interval = interval
        self.clock = clock
        self.label = None
        self.open = False  # a bar drawn without its final newline yet
        self.drawn_at = None

    def __call__(self, label: str, done: int, total: int) -> None:
        now = self.clock()
        finished = done >= total
        if label == self.label:
            if not self.open:  # this step was already drawn complete
                return
            if not finished and now - self.drawn_at < self.interval:
                return
        elif self.open:
            self.write("\n")
        self.label, self.drawn_at, self.open = label, now, not finished
        share = done / total if total else 1.0
        filled = round(self.WIDTH * share)
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        counts = f"{_thousands(done)}/{_thousands(total)}"
        self.write(
            f"\r{label:<{self.LABEL_WIDTH}} {bar} {share:>4.0%}  {counts}" + ("\n" if finished else "")
        )

    def close(self) -> None:
        """End a bar left open (a step interrupted by an error)."""
        if self.open:
            self.write("\n")
            self.open = False


def scale_value(value):
    try:
        scale = float(value)
    except ValueError as exc:
        raise CommandError(f"Tỷ lệ “{value}” không phải là số; ví dụ --scale 0.01.") from exc
    if not (math.isfinite(scale) and 0 < scale <= bench_data.MAX_SCALE):
        raise CommandError(f"Tỷ lệ phải lớn hơn 0 và không quá {bench_data.MAX_SCALE} (nhận được {value}).")
    return scale


def seed_value(value):
    try:
        return int(value)
    except ValueError as exc:
        raise CommandError(f"Hạt giống “{value}” phải là số nguyên.") from exc


class Command(BaseCommand):
    help = (
        "Sinh bộ dữ liệu thử tải cỡ toàn tỉnh để đo hiệu năng: khoảng 100 cơ quan, "
        "20 kế hoạch “[Dữ liệu thử tải]”, 10.000 nhiệm vụ, 60.000 hạn nhiệm vụ, 100.000 báo cáo. "
        "Chạy lại sẽ thay dữ liệu thử tải cũ; không đụng đến dữ liệu thật. Chỉ dùng cho cơ sở "
        "dữ liệu đo hiệu năng, không bao giờ chạy trên cơ sở dữ liệu đang vận hành."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=scale_value,
            default=1.0,
            help=(
                "Tỷ lệ so với cỡ toàn tỉnh, lớn hơn 0 và không quá 10 (ví dụ 0.01; 10 là cỡ toàn quốc). "
                "Mặc định: 1."
            ),
        )
        parser.add_argument(
            "--seed",
            type=seed_value,
            default=DEFAULT_SEED,
            help=f"Hạt giống ngẫu nhiên: cùng hạt giống, cùng ngày, cùng dữ liệu. Mặc định: {DEFAULT_SEED}.",
        )
        parser.add_argument(
            "--today", type=iso_date, help="Ngày làm mốc cho các hạn (YYYY-MM-DD). Mặc định: hôm nay."
        )
        parser.add_argument(
            "--reset", action="store_true", help="Chỉ xóa dữ liệu thử tải đã sinh, không sinh lại."
        )

    def _write_progress(self, text: str) -> None:
        # On stderr, uncoloured, so that stdout keeps only the summary.
        self.stderr.write(text, style_func=lambda message: message, ending="")
        self.stderr.flush()

    def handle(self, *args, **options):
        started = time.perf_counter()
        progress = ProgressBar(self._write_progress)
        try:
            if options["reset"]:
                deleted = bench_data.bench_data_delete(progress=progress)
            else:
                result = bench_data.bench_data_generate(
                    scale=options["scale"],
                    seed=options["seed"],
                    today=options["today"] or timezone.localdate(),
                    progress=progress,
                )
        except bench_data.BenchDataError as exc:
            raise CommandError(f"Không thực hiện được, dữ liệu không thay đổi: {exc}") from exc
        finally:
            progress.close()
        elapsed = time.perf_counter() - started
        if options["reset"]:
            self.stdout.write(
                "Đã xóa dữ liệu thử tải: "
                f"{deleted.get('agencies', 0)} cơ quan, {deleted.get('plans', 0)} kế hoạch, "
                f"{deleted.get('areas', 0)} nội dung, {deleted.get('tasks', 0)} nhiệm vụ, "
                f"{deleted.get('deadlines', 0)} hạn nhiệm vụ, {deleted.get('reports', 0)} báo cáo "
                f"({elapsed:.1f} giây)."
            )
            return
        review = ProgressReport.ReviewState
        by_review = result.reports_by_review_state
        lines = [
            f"Cơ quan, đơn vị: {result.agencies}",
            f"Kế hoạch: {result.plans}",
            f"Nội dung: {result.areas}",
            f"Nhiệm vụ: {result.tasks}",
            f"Liên kết cơ quan phối hợp: {result.cooperation_links}",
            f"Hạn nhiệm vụ: {result.deadlines}",
            f"Báo cáo tiến độ: {result.reports}",
        ] + [f"  {label}: {by_review.get(value, 0)}" for value, label in review.choices]
        self.stdout.write("\n".join(lines))
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sinh dữ liệu thử tải ({connection.vendor}) trong {elapsed:.1f} giây. "
                "Chỉ dùng để đo hiệu năng."
            )
        )
