from django.contrib.auth.models import AbstractUser
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

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self):
        return self.get_full_name() or self.username
