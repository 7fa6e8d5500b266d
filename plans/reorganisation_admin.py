"""The coordinator's pages for agency reorganisations in the admin.

*Thêm sự kiện tổ chức lại* (the add page) takes the event (kind, legal basis, effective
date, old agencies, successors existing or one new), shows the preview of
``plans.selectors.reorganisation_preview_get`` with a choice for each ambiguous task,
and applies it with ``plans.services.reorganisation_apply`` in one transaction. An
applied event is read-only; *Hủy bỏ sự kiện này* reverses it with a second event."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join

from plans import permissions, selectors, services
from plans.collation import VietnameseOrder
from plans.models import Agency, AgencyGroup, Reorganisation

ACCOUNTS_AUTO, ACCOUNTS_LOCK, NEW = "auto", "lock", "new"


def _active_agencies():
    return Agency.objects.filter(is_active=True, ended_on__isnull=True).order_by(
        VietnameseOrder("short_name")
    )


class ReorganisationForm(forms.Form):
    kind = forms.ChoiceField(
        label="Loại sự kiện",
        choices=[(value, label) for value, label in Reorganisation.Kind.choices if value != "reversal"],
    )
    legal_basis = forms.CharField(
        label="Căn cứ (số, ký hiệu văn bản)",
        max_length=100,
        help_text="Nghị quyết của HĐND tỉnh hoặc quyết định của UBND tỉnh, ví dụ 15/NQ-HĐND.",
        error_messages={"required": "Nhập số, ký hiệu văn bản làm căn cứ."},
    )
    legal_basis_date = forms.DateField(
        label="Ngày ban hành văn bản",
        help_text="dd/mm/yyyy",
        error_messages={
            "required": "Nhập ngày ban hành văn bản.",
            "invalid": "Ngày không hợp lệ (dd/mm/yyyy).",
        },
    )
    effective_on = forms.DateField(
        label="Ngày có hiệu lực",
        help_text="Hạn từ ngày này trở đi chuyển sang cơ quan kế nhiệm; hạn trước đó giữ cơ quan cũ.",
        error_messages={"required": "Nhập ngày có hiệu lực.", "invalid": "Ngày không hợp lệ (dd/mm/yyyy)."},
    )
    predecessors = forms.ModelMultipleChoiceField(
        label="Cơ quan trước tổ chức lại",
        queryset=Agency.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        error_messages={"required": "Chọn ít nhất một cơ quan trước tổ chức lại."},
    )
    successors = forms.ModelMultipleChoiceField(
        label="Cơ quan kế nhiệm đã có",
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    new_name = forms.CharField(label="Cơ quan kế nhiệm mới: tên đầy đủ", max_length=200, required=False)
    new_short_name = forms.CharField(label="tên viết tắt", max_length=80, required=False)
    new_code = forms.SlugField(label="mã", max_length=50, required=False)
    new_kind = forms.ChoiceField(label="loại", choices=Agency.Kind.choices, required=False)
    successor_group = forms.ModelChoiceField(
        label="Nhóm nhận công việc (giải thể)",
        queryset=AgencyGroup.objects.order_by(VietnameseOrder("name")),
        required=False,
        empty_label="—",
    )
    accounts = forms.ChoiceField(label="Tài khoản người dùng của cơ quan cũ", required=False)
    note = forms.CharField(
        label="Ghi chú", widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predecessors"].queryset = _active_agencies()
        self.fields["successors"].queryset = _active_agencies()
        self.fields["accounts"].choices = [
            (ACCOUNTS_AUTO, "Chuyển sang cơ quan kế nhiệm (khi chỉ có một)"),
            (ACCOUNTS_LOCK, "Khóa tài khoản (không chuyển)"),
            (NEW, "Chuyển sang cơ quan kế nhiệm mới nhập ở trên"),
            *[(str(agency.pk), f"Chuyển sang {agency.name}") for agency in _active_agencies()],
        ]

    def clean(self):
        cleaned = super().clean()
        name = (cleaned.get("new_name") or "").strip()
        if name:
            agency = Agency(
                name=name,
                short_name=(cleaned.get("new_short_name") or "").strip() or name,
                code=cleaned.get("new_code") or "",
                kind=cleaned.get("new_kind") or "",
                is_active=True,
            )
            try:
                agency.full_clean(exclude=["began_on"])
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    self.add_error(f"new_{field}" if f"new_{field}" in self.fields else None, errors)
            cleaned["new_agency"] = agency
        else:
            cleaned["new_agency"] = None
        return cleaned

    def spec(self, data) -> selectors.ReorganisationSpec:
        """The event as entered, with the coordinator's choice for each task (``data``:
        the POST, whose ``task_<id>`` fields the preview added)."""
        cleaned = self.cleaned_data
        new = cleaned["new_agency"]
        successors = list(cleaned.get("successors") or []) + ([new] if new else [])
        accounts = cleaned.get("accounts") or ACCOUNTS_AUTO
        if accounts == ACCOUNTS_AUTO:
            accounts_to = successors[0] if len(successors) == 1 else None
        elif accounts == NEW:
            accounts_to = new
        elif accounts == ACCOUNTS_LOCK:
            accounts_to = None
        else:
            # An agency that is not a successor is refused by the preview's checks.
            accounts_to = next((a for a in successors if str(a.pk) == accounts), None) or (
                Agency.objects.filter(pk=accounts).first()
            )
        choices = {}
        options = {str(agency.pk): agency for agency in Agency.objects.filter(is_active=True)}
        for key, value in data.items():
            if not key.startswith("task_") or not key[5:].isdigit() or not value:
                continue
            if value == selectors.KEEP:
                choices[int(key[5:])] = selectors.KEEP
            elif value == NEW and new is not None:
                choices[int(key[5:])] = new
            elif value in options:
                choices[int(key[5:])] = options[value]
        account_choices = {}
        for key, value in data.items():
            if not key.startswith("user_") or not key[5:].isdigit() or not value:
                continue
            if value == selectors.LOCK:
                account_choices[int(key[5:])] = selectors.LOCK
            elif value == NEW and new is not None:
                account_choices[int(key[5:])] = new
            elif value in options:
                account_choices[int(key[5:])] = options[value]
        return selectors.ReorganisationSpec(
            kind=cleaned["kind"],
            effective_on=cleaned["effective_on"],
            predecessors=tuple(cleaned["predecessors"]),
            successors=tuple(successors),
            successor_group=cleaned.get("successor_group"),
            accounts_to=accounts_to,
            account_choices=account_choices,
            choices=choices,
            legal_basis=cleaned["legal_basis"].strip(),
            legal_basis_date=cleaned["legal_basis_date"],
            note=cleaned.get("note", "").strip(),
        )


class ReverseForm(forms.Form):
    legal_basis = forms.CharField(
        label="Căn cứ hủy bỏ (số, ký hiệu văn bản)",
        max_length=100,
        error_messages={"required": "Nhập văn bản làm căn cứ hủy bỏ."},
    )
    legal_basis_date = forms.DateField(
        label="Ngày ban hành văn bản",
        help_text="dd/mm/yyyy",
        error_messages={
            "required": "Nhập ngày ban hành văn bản.",
            "invalid": "Ngày không hợp lệ (dd/mm/yyyy).",
        },
    )
    note = forms.CharField(
        label="Lý do", widget=forms.Textarea(attrs={"rows": 2, "cols": 60}), required=False
    )


@admin.register(Reorganisation)
class ReorganisationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agencies", "applied_at", "applied_by", "reversal_state"]
    list_filter = ["kind"]
    search_fields = ["legal_basis", "note", "links__predecessor__name", "links__successor__name"]
    date_hierarchy = "effective_on"
    change_form_template = "admin/plans/reorganisation/change_form.html"
    readonly_fields = [
        "kind",
        "legal_basis",
        "legal_basis_date",
        "effective_on",
        "note",
        "successor_group",
        "reverses",
        "applied_at",
        "applied_by",
        "agencies",
        "change_summary",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("applied_by", "successor_group", "reverses")
            .prefetch_related("links__predecessor", "links__successor")
        )

    def has_add_permission(self, request):
        return permissions.can_apply_reorganisation(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="cơ quan trước → sau")
    def agencies(self, event):
        pairs = {}
        for link in event.links.all():
            pairs.setdefault(link.predecessor.label, []).append(
                link.successor.label if link.successor else ""
            )
        group = f" (nhóm {event.successor_group})" if event.successor_group else ""
        return "; ".join(
            f"{old} → {', '.join(filter(None, new)) or '—'}{group}" for old, new in pairs.items()
        )

    @admin.display(description="đã hủy bỏ?")
    def reversal_state(self, event):
        reversal = getattr(event, "reversed_by", None)
        return f"Đã hủy bỏ ({reversal.legal_basis})" if reversal else "—"

    @admin.display(description="các thay đổi đã áp dụng")
    def change_summary(self, event):
        labels = [
            ("tasks", "nhiệm vụ đổi cơ quan chủ trì"),
            ("deadlines", "hạn đổi cơ quan chịu trách nhiệm"),
            ("cooperations", "thay đổi cơ quan phối hợp"),
            ("groups_added", "nhiệm vụ thêm nhóm phối hợp"),
            ("groups_removed", "nhiệm vụ bỏ nhóm phối hợp"),
            ("accounts", "tài khoản người dùng"),
            ("addresses", "cơ quan thêm/bỏ địa chỉ nhắc việc"),
            ("agencies", "cơ quan đổi trạng thái hoạt động"),
            ("plans", "kế hoạch đổi cơ quan đầu mối"),
        ]
        rows = [(label, len(event.changes.get(key, []))) for key, label in labels if event.changes.get(key)]
        return format_html_join("", "<div>{}: {}</div>", rows) if rows else "—"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/reverse/", wrap(self.reverse_view), name="plans_reorganisation_reverse"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        preview = error = None
        if request.method == "POST":
            form = ReorganisationForm(request.POST)
            if form.is_valid():
                spec = form.spec(request.POST)
                if request.POST.get("action") == "apply":
                    try:
                        event = services.reorganisation_apply(spec=spec, user=request.user)
                    except ValidationError as exc:
                        error = " ".join(exc.messages)
                    else:
                        self.log_addition(request, event, [{"added": {}}])
                        messages.success(request, f"Đã áp dụng: {event}.")
                        return HttpResponseRedirect(
                            reverse("admin:plans_reorganisation_change", args=[event.pk])
                        )
                preview = selectors.reorganisation_preview_get(spec=spec, today=timezone.localdate())
        else:
            form = ReorganisationForm(initial={"accounts": ACCOUNTS_AUTO})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Thêm sự kiện tổ chức lại cơ quan",
            "form": form,
            "preview": preview,
            "error": error,
            "keep": selectors.KEEP,
            "lock": selectors.LOCK,
            "new_value": NEW,
        }
        return TemplateResponse(request, "admin/plans/reorganisation/add.html", context)

    def reverse_view(self, request, object_id):
        if not permissions.can_apply_reorganisation(request.user):
            raise PermissionDenied
        event = self.get_object(request, unquote(object_id))
        if event is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        form = ReverseForm(request.POST or None)
        error = None
        if request.method == "POST" and form.is_valid():
            try:
                reversal = services.reorganisation_reverse(
                    event=event, user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, f"Đã hủy bỏ bằng sự kiện mới: {reversal}.")
                return HttpResponseRedirect(reverse("admin:plans_reorganisation_change", args=[reversal.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Hủy bỏ sự kiện: {event}",
            "original": event,
            "form": form,
            "error": error,
            "summary": self.change_summary(event),
        }
        return TemplateResponse(request, "admin/plans/reorganisation/reverse.html", context)
