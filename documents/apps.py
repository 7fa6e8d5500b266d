from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Documents in and out: the periodic report (.docx), Excel exports and plan import,
    calendar feeds."""

    name = "documents"
    verbose_name = "Văn bản, xuất nhập dữ liệu"
