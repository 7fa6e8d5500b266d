"""The plan domain (docs/architecture.md, Business rules): agencies, plans, content
areas, tasks, deadlines, reports.

Status is never stored: it is computed from deadlines and accepted reports in
``plans.selectors``. Writes go through ``plans.services``.
"""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans import schedules
from plans.collation import sorted_vietnamese
from plans.history import RecordedQuerySet
from plans.validators import validate_document_number, validate_email_list
from plans.working_days import WorkingCalendar


class Agency(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Sở, ban, ngành tỉnh")
        DISTRICT = "district", _("UBND huyện, thị xã, thành phố")
        CENTRAL_UNIT = "central_unit", _("Cơ quan Trung ương đóng trên địa bàn tỉnh")
        MASS_ORGANISATION = "mass_organisation", _("Mặt trận, tổ chức chính trị - xã hội, hội")
        OTHER = "other", _("Đơn vị khác")
        # The level below the province since 01/07/2025 (two-tier local government).
        COMMUNE = "commune", _("UBND xã, phường")

    code = models.SlugField(_("mã đơn vị"), max_length=50, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=200, unique=True)
    short_name = models.CharField(_("tên viết tắt"), max_length=80)
    kind = models.CharField(_("loại đơn vị"), max_length=20, choices=Kind.choices)
    reminder_emails = models.TextField(
        _("email nhận nhắc việc"),
        blank=True,
        validators=[validate_email_list],
        help_text=_("Một hoặc nhiều địa chỉ, cách nhau bằng dấu phẩy hoặc xuống dòng."),
    )
    document_symbol = models.CharField(
        _("ký hiệu trên văn bản"),
        max_length=20,
        blank=True,
        help_text=_("Phần sau dấu gạch ngang của số văn bản, ví dụ SNgV trong “…/BC-SNgV”."),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    # An agency's life span. Reorganisations (``Reorganisation``) end agencies and link
    # them to their successors; an ended agency stays, so that the past keeps its name.
    began_on = models.DateField(_("hoạt động từ ngày"), null=True, blank=True)
    ended_on = models.DateField(
        _("ngừng hoạt động từ ngày"),
        null=True,
        blank=True,
        help_text=_("Ngày hiệu lực của quyết định sáp nhập, chia tách, đổi tên hoặc giải thể."),
    )
    # Who carries the agency's work today ("Sở KH&CN, Sở VH,TT&DL"), written by the
    # reorganisation that ended it, so that every past record can print "(nay: …)"
    # without another query.
    now_known_as = models.CharField(_("nay là"), max_length=500, blank=True, editable=False)
    # The secret part of the agency's calendar feed URL; issued on first use and replaced
    # when an officer regenerates it, which revokes the old URL.
    calendar_token = models.CharField(
        _("mã lịch riêng"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    source_note = models.TextField(_("nguồn dữ liệu"), blank=True)

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["name"]

    def __str__(self):
        return self.label_now

    @property
    def label(self):
        return self.short_name or self.name

    @property
    def label_now(self):
        return self.label_now_of(name=self.name, short_name=self.short_name, now_known_as=self.now_known_as)

    @staticmethod
    def label_now_of(*, name: str, short_name: str, now_known_as: str) -> str:
        """The agency as records name it: "Sở TT&TT (nay: Sở KH&CN)" once it has ended;
        from the columns alone, so that a list of hundreds needs no model instances."""
        label = short_name or name
        if now_known_as:
            return _("%(agency)s (nay: %(successors)s)") % {"agency": label, "successors": now_known_as}
        return label

    def exists_on(self, day):
        return (self.began_on is None or self.began_on <= day) and (
            self.ended_on is None or day < self.ended_on
        )


class AgencyGroup(models.Model):
    """A collective phrase in a plan ("Các sở, ban, ngành tỉnh") and the agencies the
    coordinator decided it stands for. Tasks print the phrase as written; its members
    see the task and get its reminders as cooperating agencies."""

    name = models.CharField(_("tên nhóm (như trong văn bản)"), max_length=200, unique=True)
    phrases = models.TextField(
        _("cách viết khác"),
        blank=True,
        help_text=_("Mỗi dòng một cách viết khác của cùng nhóm, để nhận ra khi nhập kế hoạch."),
    )
    members = models.ManyToManyField(Agency, blank=True, related_name="groups", verbose_name=_("thành viên"))
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("nhóm cơ quan, đơn vị")
        verbose_name_plural = _("nhóm cơ quan, đơn vị")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def phrase_list(self):
        """The group's name and its other wordings, as written."""
        return [self.name, *(line.strip() for line in self.phrases.splitlines() if line.strip())]


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ACTIVE = "active", _("Đang thực hiện")
        CLOSED = "closed", _("Đã kết thúc")

    number = models.CharField(
        _("số, ký hiệu"),
        max_length=50,
        unique=True,
        validators=[validate_document_number],
        help_text=_("Ví dụ: 139/KH-UBND."),
    )
    title = models.CharField(_("trích yếu"), max_length=500)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200, default="UBND tỉnh Điện Biên")
    issued_on = models.DateField(
        _("ngày ban hành"),
        null=True,
        blank=True,
        help_text=_("Để trống nếu nguồn không cho biết ngày ký."),
    )
    period_start = models.DateField(_("thời gian bắt đầu"))
    period_end = models.DateField(
        _("thời gian kết thúc"),
        null=True,
        blank=True,
        help_text=_(
            "Để trống nếu kế hoạch không có mốc kết thúc (ví dụ “và các năm tiếp theo”): "
            "hạn định kỳ khi đó được lập đến hết năm sau."
        ),
    )
    coordinating_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="coordinated_plans",
        verbose_name=_("cơ quan đầu mối theo dõi"),
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(_("mục đích, yêu cầu"), blank=True)
    source_note = models.TextField(_("nguồn dữ liệu"), blank=True)

    objects = RecordedQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("lịch sử kế hoạch"), verbose_name_plural=_("lịch sử kế hoạch"))

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-period_start", "number"]
        # Page permissions, given to the roles' groups by ``accounts.roles``.
        permissions = [("view_all_agencies", _("Xem tiến độ của mọi cơ quan, đơn vị (tổng hợp toàn tỉnh)"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=F("period_start")),
                name="plan_period_end_not_before_start",
                violation_error_message=_("Thời gian kết thúc không được trước thời gian bắt đầu."),
            ),
        ]

    def __str__(self):
        return self.number

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("Thời gian kết thúc không được trước thời gian bắt đầu.")})
        if self.pk and self.period_start:
            outside = self._one_off_tasks_outside_period()
            if outside:
                raise ValidationError(
                    _(
                        "Thời gian mới không chứa hạn của các nhiệm vụ: %(tasks)s. Sửa hạn các "
                        "nhiệm vụ này trước, hoặc giữ thời gian cũ."
                    )
                    % {"tasks": ", ".join(outside)}
                )

    def _one_off_tasks_outside_period(self):
        tasks = self.tasks.filter(schedule=Task.Schedule.ONE_OFF).filter(
            Q(due_on__lt=self.period_start) | Q(due_on__gt=self.period_end or datetime.date.max)
        )
        return [
            f"{code} ({formats.date_format(due_on, 'SHORT_DATE_FORMAT')})"
            for code, due_on in tasks.order_by("due_on").values_list("code", "due_on")
        ]

    def covers(self, day):
        """Whether a date falls inside the plan period (open-ended plans never end)."""
        return self.period_start <= day and (self.period_end is None or day <= self.period_end)

    @property
    def period_display(self):
        start = formats.date_format(self.period_start, "SHORT_DATE_FORMAT")
        if self.period_end is None:
            return _("Từ %(start)s (không thời hạn)") % {"start": start}
        end = formats.date_format(self.period_end, "SHORT_DATE_FORMAT")
        return f"{start} – {end}"


class RelatedDocument(models.Model):
    """A document the plan implements or refers to (e.g. 281/QĐ-UBND)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="documents", verbose_name=_("kế hoạch")
    )
    number = models.CharField(_("số, ký hiệu"), max_length=50, validators=[validate_document_number])
    title = models.CharField(_("trích yếu"), max_length=500)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    note = models.TextField(_("ghi chú, nguồn"), blank=True)

    class Meta:
        verbose_name = _("văn bản liên quan")
        verbose_name_plural = _("văn bản liên quan")
        ordering = ["plan", "issued_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="related_document_unique_per_plan",
                violation_error_message=_("Văn bản này đã có trong danh sách của kế hoạch."),
            ),
        ]

    def __str__(self):
        return self.number


class ContentArea(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas", verbose_name=_("kế hoạch"))
    number = models.PositiveSmallIntegerField(_("số thứ tự"), validators=[MinValueValidator(1)])
    title = models.CharField(_("tên nội dung"), max_length=500)
    description = models.TextField(_("mô tả"), blank=True)
    source_note = models.TextField(_("nguồn dữ liệu"), blank=True)

    objects = RecordedQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("lịch sử nội dung kế hoạch"), verbose_name_plural=_("lịch sử nội dung kế hoạch")
    )

    class Meta:
        verbose_name = _("nội dung kế hoạch")
        verbose_name_plural = _("nội dung kế hoạch")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="area_number_unique_per_plan",
                violation_error_message=_("Kế hoạch đã có nội dung mang số thứ tự này."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="area_number_positive",
                violation_error_message=_("Số thứ tự nội dung bắt đầu từ 1."),
            ),
        ]

    def __str__(self):
        return self.label_of(plan_number=self.plan.number, number=self.number, title=self.title)

    @staticmethod
    def label_of(*, plan_number: str, number: int, title: str) -> str:
        """ "139/KH-UBND – 2. Title", from the columns alone (a filter lists every area)."""
        return f"{plan_number} – {number}. {title}"


class Task(models.Model):
    Schedule = schedules.Schedule
    Cycle = schedules.Cycle

    # The plan is stored beside the area so that a task code can be unique per plan in
    # the database; Task.clean() keeps the two consistent.
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("kế hoạch"))
    # RESTRICT, not PROTECT: an area with tasks cannot be deleted on its own, but a whole
    # plan (areas and tasks together) can, unless a report protects its deadlines.
    area = models.ForeignKey(
        ContentArea, on_delete=models.RESTRICT, related_name="tasks", verbose_name=_("nội dung")
    )
    code = models.CharField(_("mã nhiệm vụ"), max_length=20, help_text=_("Ví dụ: 5.1."))
    title = models.CharField(_("nhiệm vụ"), max_length=500)
    description = models.TextField(_("nội dung chi tiết"), blank=True)
    expected_output = models.TextField(_("sản phẩm"), blank=True)
    lead_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="led_tasks",
        verbose_name=_("cơ quan chủ trì"),
        error_messages={
            "null": _("Mỗi nhiệm vụ phải có một cơ quan chủ trì."),
            "blank": _("Mỗi nhiệm vụ phải có một cơ quan chủ trì."),
        },
    )
    cooperating_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="cooperating_tasks", verbose_name=_("cơ quan phối hợp")
    )
    cooperating_groups = models.ManyToManyField(
        AgencyGroup, blank=True, related_name="tasks", verbose_name=_("nhóm cơ quan phối hợp")
    )
    schedule = models.CharField(_("thời hạn"), max_length=12, choices=Schedule.choices)
    due_on = models.DateField(
        _("hạn hoàn thành"), null=True, blank=True, help_text=_("Cho nhiệm vụ một lần.")
    )
    due_day = models.PositiveSmallIntegerField(
        _("ngày hạn trong kỳ"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_(
            "Hằng năm: bắt buộc, cùng tháng hạn. 6 tháng, hằng quý, thường xuyên: ngày trong "
            "tháng cuối kỳ; để trống là ngày cuối kỳ."
        ),
    )
    due_month = models.PositiveSmallIntegerField(
        _("tháng hạn"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Cho nhiệm vụ hằng năm (hoặc thường xuyên báo cáo hằng năm)."),
    )
    report_cycle = models.CharField(
        _("kỳ báo cáo"),
        max_length=12,
        choices=Cycle.choices,
        blank=True,
        help_text=_("Cho nhiệm vụ thường xuyên."),
    )
    start_on = models.DateField(
        _("bắt đầu từ"),
        null=True,
        blank=True,
        help_text=_(
            "Các hạn định kỳ bắt đầu từ ngày này. Để trống là từ đầu kỳ kế hoạch; nhiệm vụ thêm vào "
            "kế hoạch đang thực hiện mặc định bắt đầu từ hôm nay."
        ),
    )
    end_on = models.DateField(
        _("đến hết ngày"),
        null=True,
        blank=True,
        help_text=_(
            "Các hạn định kỳ dừng sau ngày này (nhiệm vụ của một giai đoạn, ví dụ 2023–2027). Để trống là "
            "đến hết kỳ kế hoạch."
        ),
    )
    schedule_text = models.CharField(
        _("thời gian như văn bản ghi"),
        max_length=300,
        blank=True,
        help_text=_("Cách ghi thời gian trong văn bản kế hoạch, khi khác cách hệ thống hiển thị thời hạn."),
    )
    source_note = models.TextField(_("nguồn dữ liệu"), blank=True)

    objects = RecordedQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[cooperating_agencies],
        verbose_name=_("lịch sử nhiệm vụ"),
        verbose_name_plural=_("lịch sử nhiệm vụ"),
    )

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["plan", "area__number", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="task_code_unique_per_plan",
                violation_error_message=_("Mã nhiệm vụ này đã có trong kế hoạch."),
            ),
            models.CheckConstraint(
                condition=~Q(schedule=schedules.Schedule.ONE_OFF) | Q(due_on__isnull=False),
                name="task_one_off_has_due_date",
                violation_error_message=_("Nhiệm vụ một lần cần hạn hoàn thành."),
            ),
            models.CheckConstraint(
                condition=~Q(schedule=schedules.Schedule.YEARLY)
                | Q(due_day__isnull=False, due_month__isnull=False),
                name="task_yearly_has_day_and_month",
                violation_error_message=_("Nhiệm vụ hằng năm cần ngày và tháng hạn."),
            ),
            models.CheckConstraint(
                condition=~Q(schedule=schedules.Schedule.ONGOING) | ~Q(report_cycle=""),
                name="task_ongoing_has_report_cycle",
                violation_error_message=_("Nhiệm vụ thường xuyên cần kỳ báo cáo."),
            ),
        ]
        indexes = [models.Index(fields=["lead_agency", "plan"], name="task_lead_plan_idx")]

    def __str__(self):
        return f"{self.code}. {self.title}"

    def clean(self):
        errors = {}
        if self.area_id and self.plan_id and self.area.plan_id != self.plan_id:
            errors["area"] = _("Nội dung đã chọn không thuộc kế hoạch của nhiệm vụ.")
        self._normalise_schedule()
        errors.update(self._schedule_errors())
        if errors:
            raise ValidationError(errors)

    def _normalise_schedule(self):
        # Fields that do not apply to the chosen schedule are cleared, so that switching
        # a task from one schedule to another never leaves a stale date behind.
        if self.schedule != self.Schedule.ONE_OFF:
            self.due_on = None
        if self.schedule in (self.Schedule.ONE_OFF, self.Schedule.UNSPECIFIED):
            self.due_day = self.due_month = None
        if self.schedule != self.Schedule.ONGOING:
            self.report_cycle = ""
        yearly = self.schedule == self.Schedule.YEARLY or (
            self.schedule == self.Schedule.ONGOING and self.report_cycle == self.Cycle.YEARLY
        )
        if not yearly:
            self.due_month = None

    def _schedule_errors(self):
        errors = {}
        plan = self.plan if self.plan_id else None
        if self.schedule == self.Schedule.ONE_OFF:
            if self.due_on is None:
                errors["due_on"] = _("Nhiệm vụ một lần cần hạn hoàn thành.")
            elif plan and not plan.covers(self.due_on):
                errors["due_on"] = _("Hạn %(due)s nằm ngoài thời gian của kế hoạch (%(period)s).") % {
                    "due": formats.date_format(self.due_on, "SHORT_DATE_FORMAT"),
                    "period": plan.period_display,
                }
        if self.schedule == self.Schedule.YEARLY and (self.due_day is None or self.due_month is None):
            errors["due_month"] = _("Nhiệm vụ hằng năm cần ngày và tháng hạn (ví dụ 15/12).")
        if self.schedule == self.Schedule.ONGOING and not self.report_cycle:
            errors["report_cycle"] = _("Nhiệm vụ thường xuyên cần kỳ báo cáo.")
        if self.due_day and self.due_month:
            # A leap year, so that 29/02 is accepted; other years fall back to 28/02.
            if self.due_day > calendar.monthrange(2020, self.due_month)[1]:
                errors["due_day"] = _("Tháng %(month)s không có ngày %(day)s.") % {
                    "month": self.due_month,
                    "day": self.due_day,
                }
        if (
            self.schedule == self.Schedule.ONE_OFF
            and self.due_on
            and self.start_on
            and self.start_on > self.due_on
        ):
            errors["start_on"] = _("Ngày bắt đầu không được sau hạn hoàn thành.")
        elif plan and self.start_on and not plan.covers(self.start_on):
            errors["start_on"] = _("Ngày bắt đầu nằm ngoài thời gian của kế hoạch (%(period)s).") % {
                "period": plan.period_display
            }
        if self.end_on and self.start_on and self.end_on < self.start_on:
            errors["end_on"] = _("Ngày kết thúc không được trước ngày bắt đầu.")
        return errors

    @property
    def cooperating_labels(self) -> list[str]:
        """The cooperating agencies as the plan writes them: agencies named one by one,
        then collective phrases as written ("các sở, ban, ngành tỉnh"), each in
        Vietnamese order. Reads ``cooperating_agencies`` and ``cooperating_groups``
        (prefetch both to list many tasks)."""
        agencies = sorted_vietnamese(str(agency) for agency in self.cooperating_agencies.all())
        return agencies + sorted_vietnamese(group.name for group in self.cooperating_groups.all())

    @property
    def schedule_display(self):
        """The deadline as officials write it: "31/12/2019", "Hằng năm, trước 15/12"…"""
        day_month = f"{self.due_day:02d}/{self.due_month:02d}" if self.due_day and self.due_month else ""
        if self.schedule == self.Schedule.ONE_OFF and self.due_on:
            return formats.date_format(self.due_on, "SHORT_DATE_FORMAT")
        if self.schedule == self.Schedule.YEARLY:
            return _("Hằng năm, trước %(day_month)s") % {"day_month": day_month}
        if self.schedule == self.Schedule.ONGOING:
            cycle = self.get_report_cycle_display()
            if day_month:
                cycle = f"{cycle}, trước {day_month}"
            elif self.due_day:
                cycle = f"{cycle}, ngày {self.due_day} tháng cuối kỳ"
            elif self.due_month:
                cycle = f"{cycle}, cuối tháng {self.due_month:02d}"
            return _("Thường xuyên (báo cáo %(cycle)s)") % {"cycle": cycle}
        label = self.get_schedule_display()
        if self.due_day:
            return _("%(label)s, ngày %(day)s tháng cuối kỳ") % {"label": label, "day": self.due_day}
        return label


class Deadline(models.Model):
    """One due date of a task; generated by ``plans.services.deadline_sync_for_task``."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("nhiệm vụ")
    )
    due_on = models.DateField(_("hạn"), help_text=_("Ngày hạn như văn bản ghi."))
    # Civil Code 2015, Art. 148(5): a period whose last day is a weekend or a day off
    # ends at the end of the next working day. Stored, so that status is a plain column
    # comparison; kept in step with the working calendar by plans.services.
    ends_on = models.DateField(
        _("ngày hết hạn"),
        help_text=_("Ngày hạn thực sự kết thúc: ngày làm việc tiếp theo nếu hạn rơi vào ngày nghỉ."),
    )
    period_start = models.DateField(_("đầu kỳ"), help_text=_("Ngày bắt đầu kỳ thực hiện của hạn."))
    period_label = models.CharField(_("kỳ"), max_length=100)
    waived_at = models.DateTimeField(_("thời điểm miễn"), null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="waived_deadlines",
        verbose_name=_("người miễn"),
    )
    waiver_reason = models.TextField(_("lý do miễn"), blank=True)
    # The local date its accepted completion report (``accepted_completion``) was
    # submitted, or None. Stored by ``report_accept``, the only way such a report comes to
    # be, so that a status is a comparison of this row's columns with today, not a join
    # to the reports (the figures of every page read it); ``deadline_completion_mismatches``
    # checks it against the reports.
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True, editable=False)
    # The agency answerable for this deadline: the task's lead when it was generated,
    # moved by a reorganisation only for deadlines from its effective date on, so that
    # counts of a past period name the agency as it was.
    responsible_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="responsible_deadlines",
        verbose_name=_("cơ quan chịu trách nhiệm"),
    )

    objects = RecordedQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("lịch sử hạn báo cáo"), verbose_name_plural=_("lịch sử hạn báo cáo")
    )

    class Meta:
        verbose_name = _("hạn báo cáo")
        verbose_name_plural = _("hạn báo cáo")
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "due_on"],
                name="deadline_unique_per_task_and_date",
                violation_error_message=_("Nhiệm vụ đã có một hạn vào ngày này."),
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=F("due_on")),
                name="deadline_period_starts_before_due",
                violation_error_message=_("Đầu kỳ phải trước hoặc trùng hạn."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("due_on")),
                name="deadline_ends_on_or_after_due",
                violation_error_message=_("Ngày hết hạn không thể trước ngày hạn."),
            ),
            models.CheckConstraint(
                condition=Q(waived_at__isnull=True) | ~Q(waiver_reason=""),
                name="deadline_waiver_has_reason",
                violation_error_message=_("Miễn một hạn cần nêu lý do."),
            ),
        ]
        indexes = [
            models.Index(fields=["due_on"], name="deadline_due_on_idx"),
            models.Index(fields=["ends_on"], name="deadline_ends_on_idx"),
            models.Index(fields=["responsible_agency", "due_on"], name="deadline_responsible_idx"),
        ]

    def __str__(self):
        if not self.cycle_label:
            return f"{self.task.code} – {self.period_text}"
        due = formats.date_format(self.due_on, "SHORT_DATE_FORMAT")
        return f"{self.task.code} – {self.period_label} ({due})"

    def save(self, *args, **kwargs):
        # Generation sets the real end in bulk; a deadline saved on its own gets it here.
        if self.ends_on is None and self.due_on is not None:
            self.ends_on = working_calendar_load().period_end(self.due_on)
        super().save(*args, **kwargs)

    @property
    def cycle_label(self) -> str:
        """The cycle ("Quý IV/2026"), or "" for a one-off deadline (its date says it all)."""
        return schedules.cycle_label(self.period_label)

    @property
    def period_text(self) -> str:
        """Which deadline of its task this is, in a few words: the cycle, or "hạn 04/12/2026"."""
        return self.cycle_label or _("hạn %(due)s") % {
            "due": formats.date_format(self.due_on, "SHORT_DATE_FORMAT")
        }

    @property
    def is_waived(self) -> bool:
        return self.waived_at is not None

    @property
    def end_moved(self) -> bool:
        """The deadline falls on a day off, so it really ends on a later working day."""
        return self.ends_on != self.due_on


# A report's two states live at module level (ProgressReport.State and .ReviewState
# name them) so that accepted_completion, which the model's own constraint uses, can
# read them while ProgressReport is being defined.
class ReportState(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Hoàn thành")


class ReviewState(models.TextChoices):
    SUBMITTED = "submitted", _("Chờ xác nhận")
    ACCEPTED = "accepted", _("Đã xác nhận")
    RETURNED = "returned", _("Trả lại để bổ sung")
    # Closed without review: a newer report on the same deadline took its place, or the
    # lead agency withdrew it. Both leave the review queue and count for nothing.
    SUPERSEDED = "superseded", _("Đã thay thế")
    WITHDRAWN = "withdrawn", _("Đã rút")


def accepted_completion(reports: str = "") -> Q:
    """What "done" means: a report that says "hoàn thành" has been accepted. The one
    definition: the constraint below, status selectors and report services use it.
    ``reports`` is the path to the reports ("" on ProgressReport itself, "reports" from
    a Deadline, "deadlines__reports" from a Task)."""
    prefix = f"{reports}__" if reports else ""
    return Q(**{f"{prefix}review_state": ReviewState.ACCEPTED, f"{prefix}state": ReportState.DONE})


class ProgressReport(models.Model):
    """The lead agency's report on one deadline, and the coordinator's review of it.

    A deadline is done when one of its reports says "hoàn thành" and has been accepted
    (``accepted_completion``); its completion date is that report's submission date.
    """

    State = ReportState
    ReviewState = ReviewState

    # Indexed with the review state (Meta.indexes), which serves lookups by deadline too.
    deadline = models.ForeignKey(
        Deadline,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("hạn báo cáo"),
        db_index=False,
    )
    state = models.CharField(_("tình hình thực hiện"), max_length=12, choices=State.choices)
    percent = models.PositiveSmallIntegerField(
        _("tỷ lệ hoàn thành (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    narrative = models.TextField(_("kết quả thực hiện"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submitted_reports",
        verbose_name=_("người gửi"),
    )
    submitted_at = models.DateTimeField(_("thời điểm gửi"))
    # The agency that reported, as it was that day (a later reorganisation never
    # rewrites it). Empty only on rows written before it was recorded: then the
    # deadline's responsible agency.
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("cơ quan báo cáo"),
        db_index=False,
    )
    review_state = models.CharField(
        _("trạng thái xác nhận"),
        max_length=10,
        choices=ReviewState.choices,
        default=ReviewState.SUBMITTED,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_reports",
        verbose_name=_("người xác nhận"),
    )
    reviewed_at = models.DateTimeField(_("thời điểm xác nhận"), null=True, blank=True)
    review_comment = models.TextField(_("ý kiến của cơ quan đầu mối"), blank=True)

    objects = RecordedQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("lịch sử báo cáo tiến độ"), verbose_name_plural=_("lịch sử báo cáo tiến độ")
    )

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["-submitted_at"]
        permissions = [
            ("submit_progressreport", _("Gửi báo cáo tiến độ cho nhiệm vụ đơn vị mình chủ trì")),
            ("review_progressreport", _("Xác nhận hoặc trả lại báo cáo tiến độ")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="report_percent_between_0_and_100",
                violation_error_message=_("Tỷ lệ hoàn thành phải từ 0 đến 100%%."),
            ),
            models.UniqueConstraint(
                fields=["deadline"],
                condition=accepted_completion(),
                name="one_accepted_completion_per_deadline",
                violation_error_message=_("Hạn này đã có báo cáo hoàn thành được xác nhận."),
            ),
            models.UniqueConstraint(
                fields=["deadline"],
                condition=Q(review_state=ReviewState.SUBMITTED),
                name="one_waiting_report_per_deadline",
                violation_error_message=_("Hạn này đã có một báo cáo đang chờ xác nhận."),
            ),
        ]
        indexes = [
            models.Index(fields=["review_state", "submitted_at"], name="report_review_queue_idx"),
            # An agency's reports (those it made, those on deadlines it answers for) are
            # found by agency and by deadline; with the review state beside each, its
            # returned reports are found without reading every returned report of the
            # province as well.
            models.Index(fields=["deadline", "review_state"], name="report_deadline_review_idx"),
            models.Index(fields=["agency", "review_state"], name="report_agency_review_idx"),
        ]

    def __str__(self):
        return f"{self.deadline} – {self.get_state_display()}"

    def clean(self):
        if self.state == self.State.DONE and not self.narrative.strip():
            raise ValidationError({"narrative": _("Báo cáo “hoàn thành” cần nêu kết quả thực hiện.")})


class Contribution(models.Model):
    """A cooperating agency's input on a deadline, which the lead agency reads when it
    writes its report (text and evidence files)."""

    deadline = models.ForeignKey(
        Deadline, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("hạn báo cáo")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("cơ quan phối hợp")
    )
    text = models.TextField(_("nội dung phối hợp"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("người gửi"),
    )
    submitted_at = models.DateTimeField(_("thời điểm gửi"))

    class Meta:
        verbose_name = _("ý kiến phối hợp")
        verbose_name_plural = _("ý kiến phối hợp")
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.agency} – {self.deadline}"


class EvidenceFile(models.Model):
    """A file attached to a report or a contribution. Stored under MEDIA_ROOT but never
    served from a public URL: ``workspace.views.evidence_download`` checks who asks."""

    report = models.ForeignKey(
        ProgressReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("báo cáo"),
    )
    contribution = models.ForeignKey(
        Contribution,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("ý kiến phối hợp"),
    )
    file = models.FileField(_("tệp"), upload_to="evidence/%Y/%m/", max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    # Taken at upload: a stored file that no longer matches it is damaged
    # (plans.selectors.evidence_integrity). Empty only for a file that was already missing.
    sha256 = models.CharField(_("mã SHA-256"), max_length=64, blank=True)
    uploaded_at = models.DateTimeField(_("thời điểm tải lên"))

    class Meta:
        verbose_name = _("tệp minh chứng")
        verbose_name_plural = _("tệp minh chứng")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, contribution__isnull=True)
                | Q(report__isnull=True, contribution__isnull=False),
                name="evidence_belongs_to_report_or_contribution",
                violation_error_message=_("Tệp minh chứng thuộc về một báo cáo hoặc một ý kiến phối hợp."),
            )
        ]

    def __str__(self):
        return self.original_name


class Holiday(models.Model):
    """Corrections to Vietnam's public-holiday calendar: extra days off, or weekend days
    that are worked to make up for a bridged holiday (ngày làm bù)."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ")
        WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices, default=Kind.DAY_OFF)
    name = models.CharField(_("lý do"), max_length=200)

    objects = RecordedQuerySet.as_manager()
    # Recorded like the plans: a correction moves every "sắp đến hạn" and reminder date.
    history = HistoricalRecords(
        verbose_name=_("lịch sử ngày nghỉ, ngày làm bù"),
        verbose_name_plural=_("lịch sử ngày nghỉ, ngày làm bù"),
    )

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù")
        ordering = ["-date"]

    def __str__(self):
        return f"{formats.date_format(self.date, 'SHORT_DATE_FORMAT')} – {self.name}"


def working_calendar_load() -> WorkingCalendar:
    """Vietnam's working days with the admin's corrections (``Holiday``) on top."""
    rows = list(Holiday.objects.values_list("date", "kind"))
    return WorkingCalendar(
        days_off=[day for day, kind in rows if kind == Holiday.Kind.DAY_OFF],
        working_days=[day for day, kind in rows if kind == Holiday.Kind.WORKING_DAY],
    )


class DeadlineStatus(models.TextChoices):
    """The Vietnamese tracking classification (docs/architecture.md, Business rules),
    computed in ``plans.selectors.status``."""

    DONE_ON_TIME = "done_on_time", _("Đã hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Đã hoàn thành quá hạn")
    OVERDUE = "overdue", _("Chưa hoàn thành, quá hạn")
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    NOT_YET_DUE = "not_yet_due", _("Chưa đến hạn")
    # Waived by the coordinator: shown, never counted.
    WAIVED = "waived", _("Đã miễn")


class StatusGroup(models.TextChoices):
    """The classes of the official statistics (Decision 42/2014/QĐ-TTg practice) that
    the statuses above fall into."""

    DONE = "done", _("Đã hoàn thành")
    OPEN_IN_TERM = "open_in_term", _("Chưa hoàn thành, trong hạn")
    OPEN_OVERDUE = "open_overdue", _("Chưa hoàn thành, quá hạn")


STATUS_GROUP = {
    DeadlineStatus.DONE_ON_TIME: StatusGroup.DONE,
    DeadlineStatus.DONE_LATE: StatusGroup.DONE,
    DeadlineStatus.OVERDUE: StatusGroup.OPEN_OVERDUE,
    DeadlineStatus.DUE_SOON: StatusGroup.OPEN_IN_TERM,
    DeadlineStatus.NOT_YET_DUE: StatusGroup.OPEN_IN_TERM,
}


class Reorganisation(models.Model):
    """An agency reorganisation as the province decided it (a merge, a split, a rename, a
    dissolution, a function moved), applied once by ``plans.services.reorganisations``.

    ``changes`` records every row the application changed, old and new, so that the
    event can be reversed by a second event; the first is never edited."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("Sáp nhập, hợp nhất")
        SPLIT = "split", _("Chia tách")
        RENAME = "rename", _("Đổi tên")
        DISSOLVE = "dissolve", _("Giải thể, kết thúc hoạt động")
        FUNCTION_MOVED = "function_moved", _("Chuyển chức năng, nhiệm vụ")
        REVERSAL = "reversal", _("Hủy bỏ một sự kiện đã áp dụng")

    kind = models.CharField(_("loại sự kiện"), max_length=16, choices=Kind.choices)
    legal_basis = models.CharField(
        _("căn cứ (số, ký hiệu văn bản)"),
        max_length=100,
        help_text=_("Ví dụ: 15/NQ-HĐND (nghị quyết của HĐND tỉnh) hoặc 123/QĐ-UBND."),
    )
    legal_basis_date = models.DateField(_("ngày ban hành văn bản"))
    effective_on = models.DateField(_("ngày có hiệu lực"))
    note = models.TextField(_("ghi chú"), blank=True)
    successor_group = models.ForeignKey(
        AgencyGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reorganisations",
        verbose_name=_("nhóm kế nhiệm"),
        help_text=_("Giải thể: nhóm cơ quan nhận công việc phối hợp (ví dụ UBND các xã, phường)."),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("hủy bỏ sự kiện"),
    )
    changes = models.JSONField(_("các thay đổi đã áp dụng"), default=dict, editable=False)
    applied_at = models.DateTimeField(_("thời điểm áp dụng"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người áp dụng"),
    )

    class Meta:
        verbose_name = _("sự kiện tổ chức lại cơ quan")
        verbose_name_plural = _("sự kiện tổ chức lại cơ quan")
        ordering = ["-effective_on", "-applied_at"]
        permissions = [("apply_reorganisation", _("Áp dụng hoặc hủy bỏ sự kiện tổ chức lại cơ quan"))]

    def __str__(self):
        day = formats.date_format(self.effective_on, "SHORT_DATE_FORMAT")
        return f"{self.get_kind_display()} theo {self.legal_basis} (hiệu lực {day})"


class ReorganisationLink(models.Model):
    """One predecessor → successor pair of a reorganisation. A dissolution's links have
    no successor agency: its work went to the event's successor group."""

    reorganisation = models.ForeignKey(
        Reorganisation, on_delete=models.CASCADE, related_name="links", verbose_name=_("sự kiện")
    )
    predecessor = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="successor_links", verbose_name=_("cơ quan trước")
    )
    successor = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessor_links",
        verbose_name=_("cơ quan kế nhiệm"),
    )

    class Meta:
        verbose_name = _("cơ quan trước và sau")
        verbose_name_plural = _("cơ quan trước và sau")
        constraints = [
            models.UniqueConstraint(
                fields=["reorganisation", "predecessor", "successor"], name="reorganisation_link_unique"
            )
        ]

    def __str__(self):
        return f"{self.predecessor.label} → {self.successor.label if self.successor else '—'}"


class AgencyChange(models.Model):
    """One change to what an agency's pages show: a deadline in its scope (or one it
    once answered for), a report on such a deadline, or a report it made. Written in
    the same transaction as the change (``plans.services.agency_changes``), so the newest id of an
    agency's rows fingerprints its data in one index probe (``workspace.page_cache``),
    however long its history grows. An agency id without a foreign key: a journal row
    neither holds nor waits for a lock on the agency."""

    agency_id = models.BigIntegerField(_("cơ quan"))

    class Meta:
        verbose_name = _("thay đổi dữ liệu của cơ quan")
        verbose_name_plural = _("thay đổi dữ liệu của cơ quan")
        indexes = [models.Index(fields=["agency_id", "id"], name="agency_change_newest_idx")]

    def __str__(self):
        return f"{self.agency_id} #{self.pk}"


class StatusTally(models.Model):
    """The province's counted deadlines of one content area and one answerable agency,
    per status, as of the day ``StatusTallyState`` holds: the unfiltered province
    overview's figures, kept up to date as the data changes
    (``plans.services.status_tally``) so that the overview need not count every deadline
    of the province on each view. One column per status (``DeadlineStatus``). Ids
    without foreign keys: the rows are a copy, rebuilt from the deadlines, and never
    hold a lock on what they count."""

    area_id = models.BigIntegerField(_("nội dung"))
    agency_id = models.BigIntegerField(_("cơ quan chịu trách nhiệm"))
    done_on_time = models.PositiveIntegerField(DeadlineStatus.DONE_ON_TIME.label, default=0)
    done_late = models.PositiveIntegerField(DeadlineStatus.DONE_LATE.label, default=0)
    overdue = models.PositiveIntegerField(DeadlineStatus.OVERDUE.label, default=0)
    due_soon = models.PositiveIntegerField(DeadlineStatus.DUE_SOON.label, default=0)
    not_yet_due = models.PositiveIntegerField(DeadlineStatus.NOT_YET_DUE.label, default=0)
    waived = models.PositiveIntegerField(DeadlineStatus.WAIVED.label, default=0)

    class Meta:
        verbose_name = _("số liệu tổng hợp toàn tỉnh")
        verbose_name_plural = _("số liệu tổng hợp toàn tỉnh")
        indexes = [models.Index(fields=["agency_id"], name="status_tally_agency_idx")]

    def __str__(self):
        return f"{self.area_id}/{self.agency_id}"


class StatusTallyState(models.Model):
    """What the ``StatusTally`` rows were counted for (one row): the day and the last
    "sắp đến hạn" day (``StatusDates``), and the fingerprint of the plans, areas, tasks
    and holiday corrections. Rows counted for another day, calendar or plan data are
    counted again before use; so a status that changes with the date alone, at midnight
    or after a holiday correction, is never read from yesterday's count."""

    day = models.DateField(_("ngày"), null=True)
    due_soon_until = models.DateField(_("sắp đến hạn đến ngày"), null=True)
    version = models.CharField(_("phiên bản dữ liệu"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("trạng thái số liệu tổng hợp")
        verbose_name_plural = _("trạng thái số liệu tổng hợp")

    def __str__(self):
        return f"{self.day} ({self.version})"


class StatusTallyMark(models.Model):
    """An agency whose ``StatusTally`` rows a committed change has made stale (None:
    every row), written in the change's own transaction. Only inserted, never updated,
    so writers never wait for each other; the refresh deletes the marks it has read."""

    agency_id = models.BigIntegerField(_("cơ quan"), null=True)

    class Meta:
        verbose_name = _("đánh dấu số liệu cần tính lại")
        verbose_name_plural = _("đánh dấu số liệu cần tính lại")

    def __str__(self):
        return f"{self.agency_id or '*'} #{self.pk}"
