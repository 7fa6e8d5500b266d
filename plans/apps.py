from django.apps import AppConfig
from django.db.backends.signals import connection_created


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
    verbose_name = "Kế hoạch và nhiệm vụ"

    def ready(self):
        from simple_history.signals import post_create_historical_record

        from plans.models import ContentArea, Deadline, Holiday, Plan, ProgressReport, Task
        from plans.services.agency_changes import history_recorded
        from plans.services.status_tally import status_tally_mark_all
        from plans.sqlite import install_unicode_like

        connection_created.connect(install_unicode_like, dispatch_uid="plans.unicode_like")
        # Each deadline's and report's history row journals the agencies it concerns.
        for model in (Deadline, ProgressReport):
            post_create_historical_record.connect(
                history_recorded,
                sender=model.history.model,
                dispatch_uid=f"plans.agency_changes.{model.__name__}",
            )
        # Plans, areas, tasks and holiday corrections change what every kept count of
        # the province depends on (plans.services.status_tally).
        for model in (Plan, ContentArea, Task, Holiday):
            post_create_historical_record.connect(
                status_tally_mark_all,
                sender=model.history.model,
                dispatch_uid=f"plans.status_tally.{model.__name__}",
            )
