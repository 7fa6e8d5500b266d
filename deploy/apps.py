from django.apps import AppConfig


class DeployConfig(AppConfig):
    """Deployment tooling that needs Django: the backup manifest (``backup_manifest``),
    read by ``backup.sh`` and ``check-restore.sh`` beside it."""

    name = "deploy"
    verbose_name = "Triển khai, sao lưu"
