from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The province-scale benchmark: its data generator and sweep data (commands only,
    no models). Installed in development, tests and the benchmark, never in production."""

    name = "benchmarks"
    verbose_name = "Đo hiệu năng"
