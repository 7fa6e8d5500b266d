"""Receivers of ``plans.signals``: each only queues a task (no business logic here)."""

from tasks.queue import enqueue


def on_report_returned(sender, *, report_id, **kwargs):
    from tasks.tasks import report_returned_notify

    enqueue(report_returned_notify, report_id=report_id)
