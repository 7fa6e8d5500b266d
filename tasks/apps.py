from django.apps import AppConfig


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"
    verbose_name = "Nhắc việc và công việc nền"

    def ready(self):
        from plans.signals import report_returned
        from tasks.receivers import on_report_returned

        report_returned.connect(on_report_returned, dispatch_uid="tasks.report_returned_notify")
