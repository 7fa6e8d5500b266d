"""Django admin: where the coordinator and system admins edit plans (docs/architecture.md, Roles)."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from plans.collation import VietnameseOrder
from plans.models import (
    Agency,
    AgencyGroup,
    ContentArea,
    Contribution,
    Deadline,
    DeadlineStatus,
    EvidenceFile,
    Holiday,
    Plan,
    ProgressReport,
    RelatedDocument,
    Task,
)
from plans.selectors import (
    AgencyMatch,
    agency_successors,
    deadline_list_with_status,
    status_dates_get,
    task_list_with_current_deadline,
)
from plans.services import (
    deadline_ends_refresh,
    deadline_sync_for_plan,
    deadline_sync_for_task,
    deadline_sync_preview,
)

admin.site.site_header = _("Quản trị – Cổng theo dõi kế hoạch đối ngoại tỉnh Điện Biên")
admin.site.site_title = _("Quản trị cổng đối ngoại Điện Biên")
admin.site.index_title = _("Quản trị dữ liệu")
admin.site.site_url = "/"
# Task lists are wide; the filter panel already sits on the right.
admin.site.enable_nav_sidebar = False


def agency_ended_message(agency):
    return AgencyMatch(agency=agency, successors=agency_successors(agency=agency)).message + (
        " Hãy chọn cơ quan hiện nay."
    )


def status_badge(status):
    if not status:
        return "—"
    status = DeadlineStatus(status)
    return format_html('<span class="status-badge status-{}">{}</span>', status.value, status.label)


def short_date(value):
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def request_status_dates(request):
    """Status dates once per request: the list, its inlines and filters all need them,
    and each computation reads the holiday table."""
    if not hasattr(request, "_status_dates"):
        request._status_dates = status_dates_get()
    return request._status_dates


class RelatedInUseFilter(admin.RelatedFieldListFilter):
    """Like RelatedOnlyFieldListFilter, but finds the values in use from the plain table
    instead of re-running the list's annotated (status) query."""

    def field_choices(self, field, request, model_admin):
        in_use = model_admin.model._default_manager.values_list(f"{self.field_path}__pk", flat=True)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, limit_choices_to={"pk__in": in_use}, ordering=ordering)


class StatusFilter(admin.SimpleListFilter):
    """Filter by the computed status annotated on the queryset as ``status_field``."""

    title = _("tình trạng")
    parameter_name = "tinh_trang"
    status_field = "status"

    def lookups(self, request, model_admin):
        return DeadlineStatus.choices

    def queryset(self, request, queryset):
        if self.value() in DeadlineStatus.values:
            return queryset.filter(**{self.status_field: self.value()})
        return queryset


class AreaFilter(admin.SimpleListFilter):
    """Content areas with short labels, limited to the plan chosen in the plan filter."""

    title = _("nội dung")
    parameter_name = "area"

    def lookups(self, request, model_admin):
        areas = ContentArea.objects.select_related("plan").order_by("plan__number", "number")
        plan_id = request.GET.get("plan__id__exact", "")
        if plan_id.isdigit():
            areas = areas.filter(plan_id=plan_id)
        return [
            (area.pk, f"{area.plan.number} – {area.number}. {Truncator(area.title).chars(40)}")
            for area in areas
        ]

    def queryset(self, request, queryset):
        # A string from the URL; the area's id itself when the admin counts each choice
        # ("Hiện số lượng").
        if str(self.value() or "").isdigit():
            return queryset.filter(area_id=self.value())
        return queryset


class TaskStatusFilter(StatusFilter):
    title = _("tình trạng hạn hiện tại")
    status_field = "current_status"


class HistoryAdmin(SimpleHistoryAdmin):
    """The "Lịch sử" page of a recorded model: who changed what, read-only."""

    def history_view_title(self, request, obj):
        return _("Lịch sử thay đổi: %(object)s") % {"object": obj}


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "kind", "is_active", "ended_on", "now_known_as"]
    # Vietnamese order here orders every list of agencies in the admin: this list, the
    # selects and searches that pick an agency, and the filters by agency.
    ordering = [VietnameseOrder("name")]
    list_filter = ["kind", "is_active"]
    # The old name finds the agency, whose label says who carries its work today.
    search_fields = ["name", "short_name", "code", "now_known_as"]
    fields = [
        "name",
        "short_name",
        "code",
        "kind",
        "document_symbol",
        "reminder_emails",
        "is_active",
        "began_on",
        "ended_on",
        "now_known_as",
        "source_note",
    ]
    # An agency ends through a reorganisation event (with its legal basis), never by
    # editing the date: the event moves its work and can be reversed.
    readonly_fields = ["ended_on", "now_known_as", "predecessors", "successors"]

    def get_fields(self, request, obj=None):
        return [*self.fields, "predecessors", "successors"] if obj else self.fields

    @admin.display(description=_("cơ quan trước"))
    def predecessors(self, agency):
        links = agency.predecessor_links.filter(reorganisation__reversed_by__isnull=True).select_related(
            "predecessor", "reorganisation"
        )
        return "; ".join(f"{link.predecessor.name} ({link.reorganisation})" for link in links) or "—"

    @admin.display(description=_("cơ quan kế nhiệm"))
    def successors(self, agency):
        succession = agency_successors(agency=agency)
        return "; ".join([a.name for a in succession.agencies] + [g.name for g in succession.groups]) or "—"


# Text boxes small enough for a table row in the inlines.
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 36})}}


class ContentAreaFormSet(forms.BaseInlineFormSet):
    def clean(self):
        # Say which number repeats, in Vietnamese, before Django's generic uniqueness check.
        seen = set()
        for form in self.forms:
            number = form.cleaned_data.get("number") if hasattr(form, "cleaned_data") else None
            if number is None or form.cleaned_data.get("DELETE"):
                continue
            if number in seen:
                raise forms.ValidationError(
                    _("Số thứ tự nội dung %(number)s bị trùng: mỗi nội dung một số riêng.")
                    % {"number": number}
                )
            seen.add(number)
        super().clean()


class ContentAreaInline(admin.TabularInline):
    model = ContentArea
    formset = ContentAreaFormSet
    fields = ["number", "title", "description", "source_note"]
    extra = 0
    formfield_overrides = COMPACT_TEXT

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "title":  # area titles are long: let them wrap
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 48})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class RelatedDocumentInline(admin.TabularInline):
    model = RelatedDocument
    fields = ["number", "title", "issued_on", "note"]
    extra = 0
    formfield_overrides = COMPACT_TEXT


@admin.register(AgencyGroup)
class AgencyGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "member_count"]
    ordering = [VietnameseOrder("name")]
    search_fields = ["name", "phrases"]
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description=_("số thành viên"), ordering="member_total")
    def member_count(self, group):
        return group.member_total


@admin.register(Plan)
class PlanAdmin(HistoryAdmin):
    list_display = ["number", "title", "period", "status", "coordinating_agency", "area_count"]
    list_filter = ["status"]
    search_fields = ["number", "title"]
    autocomplete_fields = ["coordinating_agency"]
    inlines = [ContentAreaInline, RelatedDocumentInline]
    fieldsets = [
        (None, {"fields": ["number", "title", "issuer", "issued_on", "status"]}),
        (_("Thời gian và đầu mối"), {"fields": ["period_start", "period_end", "coordinating_agency"]}),
        (_("Nội dung"), {"fields": ["summary", "source_note"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("coordinating_agency")
            .annotate(area_count=Count("areas"))
        )

    @admin.display(description=_("thời gian"))
    def period(self, plan):
        return plan.period_display

    @admin.display(description=_("số nội dung"), ordering="area_count")
    def area_count(self, plan):
        return plan.area_count

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and {"period_start", "period_end"} & set(form.changed_data):
            deadline_sync_for_plan(plan=form.instance)


class TaskAdminForm(forms.ModelForm):
    confirm_deadlines = forms.BooleanField(
        label=_("Xác nhận các hạn sẽ tạo"),
        required=False,
        help_text=_(
            "Khi nhiệm vụ mới hoặc thời hạn thay đổi, cổng cho xem trước các hạn sẽ tạo rồi mới lưu."
        ),
    )

    class Meta:
        model = Task
        fields = [
            "plan",
            "area",
            "code",
            "title",
            "description",
            "expected_output",
            "lead_agency",
            "cooperating_agencies",
            "schedule",
            "due_on",
            "due_day",
            "due_month",
            "report_cycle",
            "start_on",
            "source_note",
        ]
        error_messages = {
            "lead_agency": {"required": _("Mỗi nhiệm vụ phải có một cơ quan chủ trì.")},
        }

    # Fields whose change regenerates the deadlines.
    SCHEDULE_FIELDS = {"plan", "schedule", "due_on", "due_day", "due_month", "report_cycle", "start_on"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A task added to a running plan starts today, not at the plan's start: its
            # recurring deadlines would otherwise all be overdue the moment they exist.
            self.fields["start_on"].initial = timezone.localdate()
        self.deadline_preview = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors or not (self.instance.pk is None or self.SCHEDULE_FIELDS & set(self.changed_data)):
            return
        preview = deadline_sync_preview(task=self.instance)
        self.deadline_preview = preview
        if not self.cleaned_data.get("confirm_deadlines"):
            self.add_error(
                "confirm_deadlines",
                _(
                    "Xem trước: khi lưu, nhiệm vụ sẽ có %(preview)s. Kiểm tra “Bắt đầu từ” và thời hạn, "
                    "đánh dấu ô xác nhận rồi bấm Lưu."
                )
                % {"preview": preview.describe()},
            )

    def clean(self):
        cleaned = super().clean()
        lead = cleaned.get("lead_agency")
        cooperating = cleaned.get("cooperating_agencies") or []
        # An agency that has ended takes no new work: say who carries it today.
        if lead and lead.ended_on and lead.pk != getattr(self.instance, "lead_agency_id", None):
            self.add_error("lead_agency", agency_ended_message(lead))
        kept = (
            set(self.instance.cooperating_agencies.values_list("pk", flat=True))
            if self.instance.pk
            else set()
        )
        for agency in cooperating:
            if agency.ended_on and agency.pk not in kept:
                self.add_error("cooperating_agencies", agency_ended_message(agency))
        if lead and lead in cooperating:
            self.add_error(
                "cooperating_agencies",
                _("%(agency)s đã là cơ quan chủ trì, không đồng thời là cơ quan phối hợp.")
                % {"agency": lead},
            )
        return cleaned


class DeadlineInline(admin.TabularInline):
    """The deadlines generated from the schedule, read-only, with their status."""

    model = Deadline
    fields = ["period_label", "due_on", "ends_on", "status_display", "waiver_reason"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return deadline_list_with_status(dates=request_status_dates(request))

    @admin.display(description=_("tình trạng"))
    def status_display(self, deadline):
        return status_badge(deadline.status)


@admin.register(Task)
class TaskAdmin(HistoryAdmin):
    form = TaskAdminForm
    list_display = [
        "code",
        "short_title",
        "area_number",
        "lead_agency",
        "schedule_text",
        "current_deadline",
        "status_display",
    ]
    list_display_links = ["code", "short_title"]
    list_filter = ["plan", AreaFilter, ("lead_agency", RelatedInUseFilter), TaskStatusFilter]
    search_fields = ["code", "title"]
    autocomplete_fields = ["lead_agency", "cooperating_agencies", "cooperating_groups", "area", "plan"]
    list_select_related = ["lead_agency", "area", "plan"]
    inlines = [DeadlineInline]
    # The unfiltered total would run the status join a second time on every page.
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["plan", "area", "code", "title", "description", "expected_output"]}),
        (_("Cơ quan thực hiện"), {"fields": ["lead_agency", "cooperating_agencies", "cooperating_groups"]}),
        (
            _("Thời hạn"),
            {
                "fields": [
                    "schedule",
                    "due_on",
                    ("due_day", "due_month"),
                    "report_cycle",
                    "start_on",
                    "confirm_deadlines",
                ],
                "description": _(
                    "Các hạn được lập tự động theo thời hạn này, bắt đầu từ ngày “Bắt đầu từ”. "
                    "Sửa thời hạn chỉ thay các hạn từ hôm nay trở đi; dời ngày bắt đầu về sau thì "
                    "bỏ các hạn trước ngày đó chưa có báo cáo. Hạn đã có báo cáo không bao giờ bị xóa."
                ),
            },
        ),
        (_("Nguồn"), {"fields": ["source_note"]}),
    ]

    def get_queryset(self, request):
        return task_list_with_current_deadline(dates=request_status_dates(request))

    @admin.display(description=_("nhiệm vụ"), ordering="title")
    def short_title(self, task):
        return Truncator(task.title).chars(120)

    @admin.display(description=_("nội dung"), ordering="area__number")
    def area_number(self, task):
        return task.area.number

    @admin.display(description=_("thời hạn"))
    def schedule_text(self, task):
        return task.schedule_display

    @admin.display(description=_("hạn cần xử lý"), ordering="current_due_on")
    def current_deadline(self, task):
        return short_date(task.current_due_on)

    @admin.display(description=_("tình trạng"), ordering="current_status")
    def status_display(self, task):
        return status_badge(task.current_status)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        result = deadline_sync_for_task(task=form.instance)
        if result.created or result.deleted or result.updated:
            self.message_user(request, _("Hạn của nhiệm vụ: %(result)s.") % {"result": result.describe()})


@admin.register(ContentArea)
class ContentAreaAdmin(HistoryAdmin):
    """Areas are edited inline on their plan; this page serves search and autocomplete."""

    list_display = ["number", "title", "plan"]
    list_filter = ["plan"]
    search_fields = ["title", "plan__number"]
    ordering = ["plan", "number"]

    def get_queryset(self, request):
        # Each area's label names its plan (autocomplete, filters).
        return super().get_queryset(request).select_related("plan")

    def get_model_perms(self, request):
        return {}  # hidden from the admin index; reached through the plan


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the portal writes itself: readable in the admin, never edited there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EvidenceInline(admin.TabularInline):
    """Evidence files, linked to the permission-checked download view (never a media URL)."""

    model = EvidenceFile
    fields = ["download", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("tệp"))
    def download(self, evidence):
        return format_html(
            '<a href="{}">{}</a>', reverse("evidence-download", args=[evidence.pk]), evidence.original_name
        )


@admin.register(Deadline)
class DeadlineAdmin(HistoryAdmin, ReadOnlyAdmin):
    list_display = [
        "task_code",
        "task",
        "period_label",
        "due_on",
        "ends_on",
        "responsible_agency",
        "status_display",
    ]
    list_filter = [
        ("task__plan", RelatedInUseFilter),
        StatusFilter,
        ("responsible_agency", RelatedInUseFilter),
    ]
    search_fields = ["task__code", "task__title"]
    date_hierarchy = "due_on"
    list_select_related = ["responsible_agency", "task__plan"]
    # Latest first, straight from the due_on index.
    ordering = ["-due_on"]
    show_full_result_count = False

    def get_queryset(self, request):
        return deadline_list_with_status(dates=request_status_dates(request))

    def has_delete_permission(self, request, obj=None):
        # A deadline made by mistake may go; one with a report is a record and stays.
        if obj is not None and obj.reports.exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("mã"), ordering="task__code")
    def task_code(self, deadline):
        return deadline.task.code

    @admin.display(description=_("tình trạng"), ordering="status")
    def status_display(self, deadline):
        return status_badge(deadline.status)


@admin.register(ProgressReport)
class ProgressReportAdmin(HistoryAdmin, ReadOnlyAdmin):
    list_display = [
        "deadline",
        "reporting_agency",
        "state",
        "percent",
        "review_state",
        "submitted_at",
        "submitted_by",
    ]
    list_filter = ["review_state", "state", ("agency", RelatedInUseFilter)]
    search_fields = ["deadline__task__code", "deadline__task__title", "narrative"]
    date_hierarchy = "submitted_at"
    list_select_related = ["deadline__task", "deadline__responsible_agency", "agency", "submitted_by"]
    inlines = [EvidenceInline]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("cơ quan báo cáo"))
    def reporting_agency(self, report):
        return report.agency or report.deadline.responsible_agency


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["deadline", "agency", "submitted_at", "submitted_by"]
    list_filter = [("agency", RelatedInUseFilter)]
    search_fields = ["deadline__task__code", "deadline__task__title", "text"]
    list_select_related = ["deadline__task", "agency", "submitted_by"]
    inlines = [EvidenceInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Holiday)
class HolidayAdmin(HistoryAdmin):
    """Corrections to the working calendar. Each one moves the real end of the
    deadlines it touches (Civil Code Art. 148(5)), and the admin says how many."""

    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def _refresh_ends(self, request, days):
        moved = deadline_ends_refresh(days=days)
        if moved:
            self.message_user(
                request, _("Đã cập nhật ngày hết hạn của %(n)s hạn theo lịch làm việc.") % {"n": moved}
            )

    def save_model(self, request, obj, form, change):
        before = form.initial.get("date") if change else None
        super().save_model(request, obj, form, change)
        self._refresh_ends(request, [obj.date, before])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._refresh_ends(request, [obj.date])

    def delete_queryset(self, request, queryset):
        days = list(queryset.values_list("date", flat=True))
        super().delete_queryset(request, queryset)
        self._refresh_ends(request, days)


# The reorganisation pages register their admin (kept apart: they are a workflow).
from plans import reorganisation_admin  # noqa: E402, F401
