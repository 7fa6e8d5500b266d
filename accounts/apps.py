from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Người dùng và phân quyền"

    def ready(self):
        from accounts import auth_log
        from accounts.roles import roles_sync_after_migrate

        auth_log.connect()

        # The role groups are configuration that every database needs, like the
        # permissions Django itself creates after migrating.
        post_migrate.connect(roles_sync_after_migrate, sender=self)
