"""The province's periodic report as a record: a plan and a Decree 09 period, the figures
taken at the cut-off (stored, so the document never changes afterwards), the narrative
sections the coordinator edits, and, once issued, its number and date.

The rules of the record (what may change when) live in ``documents.services``; what it
shows in ``documents.selectors`` and ``documents.report_docx``."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.history import RecordedQuerySet
from plans.models import Agency, AgencyGroup, Plan


class PeriodicReport(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ISSUED = "issued", _("Đã ban hành")

    class Authority(models.TextChoices):
        # Decree 30/2020/NĐ-CP, Art. 13: who signs, and on whose behalf.
        NONE = "", _("Người đứng đầu ký trực tiếp")
        KT = "KT.", _("KT. (ký thay người đứng đầu)")
        TL = "TL.", _("TL. (thừa lệnh)")
        TM = "TM.", _("TM. (thay mặt tập thể)")
        TUQ = "TUQ.", _("TUQ. (thừa ủy quyền)")

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="periodic_reports", verbose_name=_("kế hoạch")
    )
    period_code = models.CharField(_("kỳ báo cáo"), max_length=10)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    version = models.PositiveSmallIntegerField(_("lần lập"), default=1)
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.DRAFT)
    figures_as_of = models.DateField(_("số liệu tính đến ngày"))
    figures = models.JSONField(_("số liệu"), editable=False)
    area_summaries = models.JSONField(_("kết quả theo từng nội dung"), default=dict, blank=True)
    shortcomings = models.TextField(_("tồn tại, hạn chế và nguyên nhân"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    signer_authority = models.CharField(
        _("thẩm quyền ký"), max_length=5, choices=Authority.choices, default=Authority.NONE, blank=True
    )
    signer_authority_of = models.CharField(
        _("chức vụ người đứng đầu"),
        max_length=100,
        blank=True,
        help_text=_("Sau KT., TL., TM. hoặc TUQ., ví dụ “GIÁM ĐỐC”."),
    )
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100)
    signer_name = models.CharField(_("họ và tên người ký"), max_length=100, blank=True)
    number = models.CharField(_("số, ký hiệu"), max_length=50, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người lập"),
    )
    created_at = models.DateTimeField(_("thời điểm lập"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ban hành"),
    )

    objects = RecordedQuerySet.as_manager()
    history = HistoricalRecords(
        verbose_name=_("lịch sử báo cáo định kỳ"), verbose_name_plural=_("lịch sử báo cáo định kỳ")
    )

    class Meta:
        verbose_name = _("báo cáo định kỳ")
        verbose_name_plural = _("báo cáo định kỳ")
        ordering = ["-period_end", "plan__number", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "period_code", "version"],
                name="periodic_report_one_version_number",
                violation_error_message=_("Lần lập này của báo cáo đã có."),
            ),
            models.UniqueConstraint(
                fields=["plan", "period_code"],
                condition=Q(state="draft"),
                name="periodic_report_one_draft_per_period",
                violation_error_message=_("Kỳ báo cáo này đã có một dự thảo đang soạn."),
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | (Q(issued_on__isnull=False) & ~Q(number="")),
                name="periodic_report_issued_has_number_and_date",
                violation_error_message=_("Báo cáo đã ban hành phải có số, ký hiệu và ngày ban hành."),
            ),
        ]

    def __str__(self):
        version = f" (lần {self.version})" if self.version > 1 else ""
        return f"Báo cáo {self.plan} {self.figures.get('period', {}).get('name', self.period_code)}{version}"

    @property
    def is_issued(self) -> bool:
        return self.state == self.State.ISSUED


IMPORT_JOB_STALE_AFTER = datetime.timedelta(hours=1)


class ImportJob(models.Model):
    """A plan import applied in the background (``documents.tasks.plan_import_run``): the
    rows as the preview read them, and what became of them. The import itself is one
    transaction; its progress while it runs is kept in the cache (``progress_key``),
    which the transaction does not hold back."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Không nhập được")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("kế hoạch")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("người nhập"),
    )
    file_name = models.CharField(_("tệp"), max_length=255, blank=True)
    # documents.row_codec.rows_dump of read_rows' result, and its SHA-256: the same rows
    # cannot be queued twice while a job on them is waiting or running.
    rows = models.TextField(_("các dòng đã đọc"), editable=False)
    rows_sha256 = models.CharField(max_length=64, editable=False)
    accept_proposals = models.BooleanField(_("chấp nhận đề xuất"), default=False)
    # The coordinator's choices for names the portal lacks (documents.imports.NameDecision,
    # as the preview's form gave them), carried out by the job as by an apply in the page.
    decisions = models.JSONField(_("lựa chọn cho các tên"), default=list, blank=True, editable=False)
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(_("số dòng"), default=0)
    rows_done = models.PositiveIntegerField(_("số dòng đã nhập"), default=0)
    created = models.PositiveIntegerField(_("tạo mới"), default=0)
    updated = models.PositiveIntegerField(_("cập nhật"), default=0)
    unchanged = models.PositiveIntegerField(_("không đổi"), default=0)
    proposals = models.PositiveIntegerField(_("đề xuất đã tạo"), default=0)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập nhiệm vụ")
        verbose_name_plural = _("các lần nhập nhiệm vụ")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["plan", "rows_sha256", "state"], name="import_job_rows_idx")]

    def __str__(self):
        return f"{self.plan} – {self.file_name} ({self.get_state_display()})"

    @property
    def progress_key(self) -> str:
        return f"plan-import-job-{self.pk}-rows-done"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def is_stale(self) -> bool:
        """Still waiting or running long after any import ends (2,000 rows take seconds):
        whatever ran it stopped, and its transaction saved nothing."""
        return not self.is_finished and self.created_at < timezone.now() - IMPORT_JOB_STALE_AFTER


class AgencyNameMapping(models.Model):
    """A name an imported plan wrote for an agency (or a collective phrase) that the
    portal did not know, and what the coordinator decided it means: an existing agency
    or agency group. The plan import resolves the name through it from then on
    (``documents.imports.AgencyDirectory``); deleting it makes the name unknown again."""

    name = models.CharField(_("tên như trong văn bản"), max_length=500)
    # The name as the import compares it (``plans.selectors.agencies.normalise_name``).
    key = models.CharField(_("khóa so khớp"), max_length=500, unique=True, editable=False)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="name_mappings",
        verbose_name=_("cơ quan, đơn vị"),
    )
    group = models.ForeignKey(
        AgencyGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="name_mappings",
        verbose_name=_("nhóm cơ quan, đơn vị"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người chọn"),
    )
    decided_at = models.DateTimeField(_("thời điểm chọn"))
    source = models.CharField(_("khi nhập"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("tên cơ quan đã chọn khi nhập")
        verbose_name_plural = _("tên cơ quan đã chọn khi nhập")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False, group__isnull=True)
                | Q(agency__isnull=True, group__isnull=False),
                name="agency_name_mapping_one_target",
                violation_error_message=_("Tên phải ứng với đúng một cơ quan hoặc một nhóm cơ quan."),
            ),
        ]

    def __str__(self):
        return f"{self.name} → {self.target}"

    @property
    def target(self):
        return self.agency or self.group
