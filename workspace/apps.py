from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The officials' pages: dashboards, deadlines, reports, review, overview, plans."""

    name = "workspace"
    verbose_name = "Trang làm việc"
