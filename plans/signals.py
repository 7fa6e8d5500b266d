"""Events that other apps may react to without ``plans`` importing them.

``plans`` sits at the bottom of the import graph (docs/architecture.md, Apps): background work lives in
``tasks/``, which listens here. Each signal is sent after the transaction commits, with
ids only, so a receiver that queues a Celery task never sees uncommitted rows.
"""

from django.dispatch import Signal

# A coordinator returned a progress report for rework. Arguments: ``report_id``.
report_returned = Signal()
