from django.apps import AppConfig
from django.db.backends.signals import connection_created


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
    verbose_name = "Kế hoạch và nhiệm vụ"

    def ready(self):
        from plans.sqlite import install_unicode_like

        connection_created.connect(install_unicode_like, dispatch_uid="plans.unicode_like")
