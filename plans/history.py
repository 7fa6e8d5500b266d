"""Change history of the plan domain (django-simple-history).

History is written by the post_save and post_delete signals, which ``QuerySet.update()``
and ``bulk_update()`` never send. The recorded models therefore use ``RecordedQuerySet``,
whose ``update()`` refuses to run: save objects one by one, or use the library's
``bulk_create_with_history``.
"""

from django.db import models


class HistoryBypassError(RuntimeError):
    pass


class RecordedQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise HistoryBypassError(
            f"{self.model.__name__}: QuerySet.update() would change rows without recording "
            "their history; save each object instead."
        )
