"""The background plan import: a Celery task that runs one ``ImportJob``. Queued as the
reminders are (``tasks.queue.enqueue``): with no broker, or one that cannot be reached,
it runs in-process, in the request that queued it."""

from celery import shared_task

from documents import services
from tasks.queue import enqueue


@shared_task(name="documents.plan_import_run")
def plan_import_run(job_id):
    # Delivered again (a worker died), a job no longer queued is left alone.
    services.plan_import_job_run(job_id=job_id)


plan_import_run.run_once = plan_import_run.run


def plan_import_job_queue(job) -> bool:
    """Queue ``job``; True when a worker will run it, False when it ran here."""
    return enqueue(plan_import_run, job_id=job.pk)
