"""Reminder policy per plan and the ledger of reminders (docs/architecture.md, Reminders)."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tasks.policy import DEFAULT_POLICY, ReminderKind

# The defaults are tasks.policy's; a plan without a ReminderPolicy row uses DEFAULT_POLICY.
DEFAULT_BEFORE_WORKING_DAYS = ", ".join(str(days) for days in DEFAULT_POLICY.before_days)


def parse_before_working_days(value):
    """ "7, 3, 1" → (7, 3, 1); raises ValidationError on anything else."""
    parts = [part for part in re.split(r"[,;\s]+", value or "") if part]
    try:
        days = tuple(int(part) for part in parts)
    except ValueError:
        days = None
    if days is None or any(not 1 <= day <= 60 for day in days):
        raise ValidationError(
            _("Nhập các số ngày làm việc từ 1 đến 60, cách nhau bằng dấu phẩy (ví dụ: 7, 3, 1)."),
            code="invalid_before_days",
        )
    return tuple(sorted(set(days), reverse=True))


def validate_before_working_days(value):
    parse_before_working_days(value)


class ReminderPolicy(models.Model):
    """When a plan's agencies are reminded. A plan without a row uses the defaults."""

    plan = models.OneToOneField(
        "plans.Plan",
        on_delete=models.CASCADE,
        related_name="reminder_policy",
        verbose_name=_("kế hoạch"),
    )
    before_working_days = models.CharField(
        _("nhắc trước hạn (ngày làm việc)"),
        max_length=50,
        blank=True,
        default=DEFAULT_BEFORE_WORKING_DAYS,
        validators=[validate_before_working_days],
        help_text=format_lazy(
            _("Mặc định: {}. Để trống nếu không nhắc trước hạn."), DEFAULT_BEFORE_WORKING_DAYS
        ),
    )
    on_due_day = models.BooleanField(
        _("nhắc vào ngày đến hạn"),
        default=DEFAULT_POLICY.on_due_day,
        help_text=format_lazy(
            _("Mặc định: {}. Hạn rơi vào ngày nghỉ thì nhắc vào ngày làm việc liền trước."),
            _("có") if DEFAULT_POLICY.on_due_day else _("không"),
        ),
    )
    overdue_every_days = models.PositiveSmallIntegerField(
        _("nhắc lại khi quá hạn, mỗi (ngày)"),
        default=DEFAULT_POLICY.overdue_every,
        help_text=format_lazy(
            _("Tính theo ngày lịch kể từ hạn. Mặc định: {}. Nhập 0 để không nhắc khi quá hạn."),
            DEFAULT_POLICY.overdue_every,
        ),
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("báo cơ quan đầu mối khi quá hạn từ (ngày)"),
        default=DEFAULT_POLICY.escalate_after,
        help_text=format_lazy(
            _(
                "Tính theo ngày lịch. Mặc định: {}; sau đó báo lại theo chu kỳ nhắc quá hạn. "
                "Nhập 0 để không báo."
            ),
            DEFAULT_POLICY.escalate_after,
        ),
    )

    class Meta:
        verbose_name = _("chính sách nhắc việc")
        verbose_name_plural = _("chính sách nhắc việc")

    def __str__(self):
        return str(self.plan)

    @property
    def before_days(self):
        return parse_before_working_days(self.before_working_days)


class ReminderLog(models.Model):
    """One reminder: which deadline, to which agency, of which kind, for which day.

    The unique key makes each reminder claimable once: the sweep inserts rows
    (``claimed``) and only the sweep whose insert won sends them.
    """

    Kind = ReminderKind

    class State(models.TextChoices):
        CLAIMED = "claimed", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi lỗi")

    deadline = models.ForeignKey(
        "plans.Deadline", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("hạn nhiệm vụ")
    )
    agency = models.ForeignKey(
        "plans.Agency", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("đơn vị nhận")
    )
    kind = models.CharField(_("loại nhắc"), max_length=12, choices=Kind.choices)
    remind_on = models.DateField(_("ngày nhắc"))
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.CLAIMED)
    claim_token = models.CharField(_("mã lượt gửi"), max_length=32, db_index=True)
    claimed_at = models.DateTimeField(_("thời điểm nhận gửi"))
    # The worker sending it now (its Celery node name): when a worker of that name starts
    # again, the one before it is known dead and its rows are claimed again at once.
    held_by = models.CharField(_("tiến trình đang gửi"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    recipients = models.TextField(_("người nhận"), blank=True)
    # The server's answer for each address it refused while accepting others ("địa chỉ:
    # mã trả lời", one per line); empty when every recipient was accepted.
    refused = models.TextField(_("địa chỉ bị từ chối"), blank=True)
    # Set by "Gửi lại cho các địa chỉ bị từ chối": the next send goes to these addresses only.
    resend_to = models.TextField(_("chỉ gửi lại cho"), blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhật ký nhắc việc")
        verbose_name_plural = _("nhật ký nhắc việc")
        ordering = ["-remind_on", "agency", "deadline"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "agency", "kind", "remind_on"], name="reminder_once_per_day_and_kind"
            ),
        ]
        indexes = [models.Index(fields=["state", "claimed_at"], name="reminder_state_claimed_idx")]

    def __str__(self):
        return f"{self.agency} – {self.get_kind_display()} – {self.remind_on:%d/%m/%Y}"


class SweepRun(models.Model):
    """A working day whose reminders have been claimed. A day without a row after the last
    one is a missed sweep (broker down as it fell due, beat stopped): the next sweep,
    retry sweep or worker start claims it, late, and ``/health/`` reports it meanwhile."""

    day = models.DateField(_("ngày nhắc"), unique=True)
    completed_at = models.DateTimeField(_("thời điểm quét"))
    claimed = models.PositiveIntegerField(_("số nhắc việc nhận gửi"), default=0)
    late = models.BooleanField(_("quét bù"), default=False)

    class Meta:
        verbose_name = _("lượt quét nhắc việc")
        verbose_name_plural = _("lượt quét nhắc việc")
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day:%d/%m/%Y}"
