from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A portal user. Roles are the user's groups (``accounts.roles``); pages check the
    permissions those groups give."""

    agency = models.ForeignKey(
        "plans.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("cơ quan, đơn vị"),
        help_text=_("Bắt buộc với cán bộ đơn vị: họ chỉ thấy dữ liệu của đơn vị mình."),
    )
    receives_reminders = models.BooleanField(
        default=True,
        verbose_name=_("nhận email nhắc việc"),
        help_text=_("Bỏ chọn để người này không nhận thư nhắc việc hằng ngày của đơn vị."),
    )

    phone = models.CharField(
        _("số điện thoại"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^\+?[0-9][0-9 .\-]{7,18}$",
                _(
                    "Số điện thoại chỉ gồm chữ số (có thể có dấu +, dấu cách, dấu chấm, gạch ngang), "
                    "ví dụ 0215 3826 123."
                ),
            )
        ],
        help_text=_("Để Sở Ngoại vụ liên hệ khi cần."),
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self):
        return self.get_full_name() or self.username
