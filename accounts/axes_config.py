"""django-axes under a Vietnamese name in the admin (its labels: accounts/locale/vi)."""

from axes.apps import AppConfig


class LoginLockoutConfig(AppConfig):
    verbose_name = "Chống dò mật khẩu"
