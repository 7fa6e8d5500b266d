"""Open deadlines in bulk, for measuring the reminder sweep (docs/architecture.md, Budgets: under 30 s over
100,000 open deadlines). Used by ``bench_reminders`` and by ``make bench``, always inside
a transaction that is rolled back: nothing here is plan content."""

import datetime

from django.db import connection

from plans.models import Agency, ContentArea, Deadline, Plan, Task, working_calendar_load

DEADLINES_PER_TASK = 10
# Due dates spread over about 14 months before and a month after the sweep day.
SPREAD_DAYS = 431  # a prime, so that a task's ten offsets are distinct


def bench_agencies_create(count: int) -> list[Agency]:
    return Agency.objects.bulk_create(
        [
            Agency(
                code=f"bench-{n}",
                name=f"[Dữ liệu đo] Đơn vị {n}",
                short_name=f"ĐV đo {n}",
                kind="other",
                reminder_emails=f"don-vi-{n}@bench.invalid",
            )
            for n in range(count)
        ]
    )


def open_deadlines_add(*, today: datetime.date, deadlines: int, lead_agencies: list[Agency]) -> int:
    """A plan of ongoing quarterly tasks led in turn by ``lead_agencies``, with at least
    ``deadlines`` open deadlines (whole tasks of ten) due from 14 months before ``today``
    to a month after; returns how many deadlines were added."""
    coordinator = Agency.objects.create(
        code="bench-dau-moi",
        name="[Dữ liệu đo] Cơ quan đầu mối",
        short_name="Đầu mối (đo)",
        kind="other",
        reminder_emails="dau-moi@bench.invalid",
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
    task_count = -(-deadlines // DEADLINES_PER_TASK)
    tasks = Task.objects.bulk_create(
        [
            Task(
                plan=plan,
                area=area,
                code=f"B.{n}",
                title=f"[Dữ liệu đo hiệu năng] Nhiệm vụ {n}",
                lead_agency=lead_agencies[n % len(lead_agencies)],
                schedule=Task.Schedule.ONGOING,
                report_cycle=Task.Cycle.QUARTERLY,
            )
            for n in range(task_count)
        ],
        batch_size=5000,
    )
    rows = []
    working_calendar = working_calendar_load()
    for n, task in enumerate(tasks):
        for i in range(DEADLINES_PER_TASK):
            offset = (n * 7 + i * 43) % SPREAD_DAYS - (SPREAD_DAYS - 31)
            due_on = today + datetime.timedelta(days=offset)
            rows.append(
                Deadline(
                    task=task,
                    responsible_agency_id=task.lead_agency_id,
                    due_on=due_on,
                    ends_on=working_calendar.period_end(due_on),
                    period_start=due_on - datetime.timedelta(days=90),
                    period_label=f"Kỳ đo {i + 1}",
                )
            )
    Deadline.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return len(rows)
