"""Forms of the agency workspace. They validate input; services save it."""

import functools
import html

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from plans.evidence import ACCEPT_ATTRIBUTE, ACCEPTED_LABELS, evidence_kind_of
from plans.models import Agency, ContentArea, DeadlineStatus, Plan, ProgressReport
from plans.periods import ReportPeriod
from plans.selectors import UPCOMING_DAYS, DeadlineFilter


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Any number of evidence files, each checked by content (``plans.evidence``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Tệp minh chứng"))
        kwargs.setdefault("help_text", _("Có thể chọn nhiều tệp: %(kinds)s.") % {"kinds": ACCEPTED_LABELS})
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, (list, tuple)) else [data] if data else []
        if len(uploads) > settings.EVIDENCE_MAX_FILES:
            raise ValidationError(
                _("Mỗi lần gửi tối đa %(limit)d tệp minh chứng; đã chọn %(count)d tệp."),
                code="too_many_files",
                params={"limit": settings.EVIDENCE_MAX_FILES, "count": len(uploads)},
            )
        cleaned = [super(EvidenceFilesField, self).clean(upload, initial) for upload in uploads]
        errors = []
        for upload in cleaned:
            try:
                evidence_kind_of(upload)
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def _helper(submit_label: str, *, css_class: str = "btn-primary") -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.add_input(Submit("submit", submit_label, css_class=css_class))
    return helper


class ProgressReportForm(forms.ModelForm):
    evidence = EvidenceFilesField()
    # Ids of files of the previous report, offered from the rows the page already loaded;
    # the service checks that they belong to the deadline.
    carry_evidence = forms.TypedMultipleChoiceField(
        label=_("Giữ lại tệp minh chứng của báo cáo trước"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ProgressReport
        fields = ["state", "percent", "narrative"]
        widgets = {
            "state": forms.RadioSelect,
            "percent": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
            "narrative": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {"narrative": _("Bắt buộc khi báo cáo “hoàn thành”: nêu kết quả, sản phẩm, văn bản.")}

    def __init__(self, *args, carry_choices=None, **kwargs):
        """``carry_choices``: files of the deadline's last report (returned, or waiting
        and about to be replaced) that the new report may keep."""
        super().__init__(*args, **kwargs)
        if carry_choices:
            self.fields["carry_evidence"].choices = [(e.pk, e.original_name) for e in carry_choices]
            self.fields["carry_evidence"].initial = [e.pk for e in carry_choices]
        else:
            del self.fields["carry_evidence"]
        # A radio list needs no "---------" entry: the state is required.
        self.fields["state"].choices = ProgressReport.State.choices
        self.fields["percent"].error_messages["max_value"] = _("Tỷ lệ hoàn thành phải từ 0 đến 100%%.")
        self.fields["percent"].error_messages["min_value"] = _("Tỷ lệ hoàn thành phải từ 0 đến 100%%.")
        self.helper = _helper(_("Gửi báo cáo"))


class WaiverForm(forms.Form):
    waiver_reason = forms.CharField(
        label=_("Lý do miễn"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ví dụ: nhiệm vụ không còn phải thực hiện trong kỳ này theo văn bản số …"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Miễn hạn này"), css_class="btn-outline-secondary")


class ContributionForm(forms.Form):
    text = forms.CharField(label=_("Nội dung phối hợp"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = EvidenceFilesField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Gửi ý kiến phối hợp"), css_class="btn-outline-primary")


class ReviewForm(forms.Form):
    ACCEPT = "accept"
    RETURN = "return"

    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[(ACCEPT, _("Xác nhận")), (RETURN, _("Trả lại để bổ sung"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Ý kiến"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi trả lại: nêu nội dung cần bổ sung."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.RETURN and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Khi trả lại báo cáo, hãy nêu nội dung cần bổ sung."))
        return cleaned


def _attributes(attrs: dict) -> str:
    """An element's attributes as Django's ``attrs.html`` writes them."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


class QuickSelect(forms.Select):
    """A select written in Python, with the markup of Django's select and option
    templates: a filter offers hundreds of options (areas, agencies, report periods),
    and rendering a template per option cost more than computing the page's figures."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        selected_one = False

        def option(option_value, label) -> str:
            # As Select.optgroups: the first option holding the value is selected.
            nonlocal selected_one
            option_value = "" if option_value is None else str(option_value)
            selected = not selected_one and option_value in chosen
            selected_one = selected_one or selected
            mark = " selected" if selected else ""
            # The standard library's escape: Django's text, without its check for lazy
            # strings, which cost more than the escaping over hundreds of options.
            return f'\n  <option value="{html.escape(option_value)}"{mark}>{html.escape(str(label))}</option>'

        parts = [f'<select name="{escape(name)}"{_attributes(self.build_attrs(self.attrs, attrs))}>']
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(f'\n  <optgroup label="{escape(option_value)}">')
                parts.extend(option(sub_value, sub_label) for sub_value, sub_label in label)
                parts.append("\n  </optgroup>")
            else:
                parts.append(option(option_value, label))
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


class DeadlineFilterForm(forms.Form):
    """Filters of dashboards and lists, read from the query string (GET). A bad value
    is reported on the form and that filter is left off."""

    plan = forms.ModelChoiceField(
        label=_("Kế hoạch"),
        queryset=Plan.objects.none(),
        required=False,
        empty_label=_("Tất cả kế hoạch"),
        widget=QuickSelect,
    )
    period = forms.ChoiceField(label=_("Kỳ báo cáo"), required=False, widget=QuickSelect)
    year = forms.TypedChoiceField(
        label=_("Năm"), coerce=int, required=False, empty_value=None, widget=QuickSelect
    )
    area = forms.ModelChoiceField(
        label=_("Nội dung"),
        queryset=ContentArea.objects.none(),
        required=False,
        empty_label=_("Tất cả nội dung"),
        widget=QuickSelect,
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan chủ trì"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("Tất cả đơn vị"),
        widget=QuickSelect,
    )
    status = forms.ChoiceField(
        label=_("Tình trạng"),
        choices=[("", _("Mọi tình trạng")), *DeadlineStatus.choices],
        required=False,
        widget=QuickSelect,
    )
    relation = forms.ChoiceField(
        label=_("Vai trò của đơn vị"),
        choices=[("lead", _("Chủ trì")), ("cooperate", _("Phối hợp")), ("inherited", _("Tiếp nhận"))],
        required=False,
        widget=QuickSelect,
    )
    agencies_as = forms.ChoiceField(
        label=_("Tính theo cơ quan"),
        choices=[("then", _("như lúc đến hạn")), ("today", _("như hiện nay"))],
        required=False,
        widget=QuickSelect,
        help_text=_("Như hiện nay: số liệu của cơ quan đã tổ chức lại được gộp vào cơ quan kế nhiệm."),
    )
    window = forms.ChoiceField(
        label=_("Thời hạn"),
        choices=[
            ("", _("Mọi thời hạn")),
            ("upcoming", format_lazy(_("Đến hạn trong {} ngày tới"), UPCOMING_DAYS)),
            # What the figures count when no report period is chosen.
            ("started", _("Đã bắt đầu kỳ thực hiện")),
        ],
        required=False,
        widget=QuickSelect,
    )

    def __init__(self, data, *, choices: dict, fields: list[str] | None = None):
        """``choices`` comes from ``selectors.filter_choices``; ``fields`` names the
        filters this page offers (all when None)."""
        super().__init__(data)
        for name in list(self.fields):
            if fields is not None and name not in fields:
                del self.fields[name]
        for name, key in [("plan", "plans"), ("area", "areas"), ("agency", "agencies")]:
            if name in self.fields:
                field = self.fields[name]
                # The queryset checks a submitted id; the select prints the plain
                # (id, label) rows, not one model instance per option.
                field.queryset = choices[key]
                field.widget.choices = [("", field.empty_label), *choices["options"][key]()]
        if "year" in self.fields:
            self.fields["year"].choices = [("", _("Mọi năm"))] + [
                (year, str(year)) for year in choices["years"]
            ]
        if "period" in self.fields:
            self.fields["period"].choices = [("", _("Đến nay (mọi kỳ)"))] + report_period_choices(
                choices["years"]
            )
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def clean_period(self):
        code = self.cleaned_data.get("period")
        return ReportPeriod.parse(code) if code else None

    def to_filter(self, **overrides) -> DeadlineFilter:
        self.is_valid()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"
        data = getattr(self, "cleaned_data", {})
        values = {
            "plan_id": data["plan"].pk if data.get("plan") else None,
            "period": data.get("period"),
            "year": data.get("year"),
            "area_id": data["area"].pk if data.get("area") else None,
            "agency_id": data["agency"].pk if data.get("agency") else None,
            "relation": data.get("relation") or "lead",
            "status": data.get("status") or None,
            "window": data.get("window") or None,
            "agencies_as": data.get("agencies_as") or "then",
        }
        values.update(overrides)
        return DeadlineFilter(**values)


def report_period_choices(years) -> list:
    """Each year with its halves, quarters and months (Decree 09 periods, with their
    dates), grouped by year for the select."""
    return list(_report_period_choices(tuple(years)))


@functools.cache
def _report_period_choices(years: tuple[int, ...]) -> tuple:
    # The periods follow from the years alone (fixed dates, no calendar), and every
    # filter form offers the same dozen years: worked out once per process.
    return tuple(
        (str(year), tuple((period.code, period.label) for period in ReportPeriod.all_in_year(year)))
        for year in years
    )


class ProvinceReportForm(forms.Form):
    """The province's periodic report: which plan, which period (read from GET)."""

    plan = forms.TypedChoiceField(
        label=_("Kế hoạch"),
        coerce=int,
        widget=QuickSelect,
        error_messages={
            "required": _("Hãy chọn kế hoạch."),
            "invalid_choice": _("Kế hoạch đã chọn không có, hoặc còn là dự thảo."),
        },
    )
    period = forms.CharField(
        label=_("Kỳ báo cáo"),
        widget=QuickSelect,
        error_messages={"required": _("Hãy chọn kỳ báo cáo.")},
    )

    def __init__(self, data=None, *, plans, years, **kwargs):
        """``plans`` and ``years`` come from ``document_selectors.report_plans_and_years``. Any
        period code is accepted, not only those offered, if the plan runs in it."""
        super().__init__(data, **kwargs)
        self.plans = {plan.pk: plan for plan in plans}
        self.fields["plan"].choices = [(plan.pk, plan.number) for plan in plans]
        self.fields["period"].widget.choices = report_period_choices(years)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def clean_plan(self):
        return self.plans[self.cleaned_data["plan"]]

    def clean_period(self):
        try:
            return ReportPeriod.parse(self.cleaned_data["period"])
        except ValueError as error:
            raise ValidationError(str(error), code="invalid_period") from error

    def clean(self):
        cleaned = super().clean()
        plan, period = cleaned.get("plan"), cleaned.get("period")
        if (
            plan
            and period
            and (period.end < plan.period_start or (plan.period_end and period.start > plan.period_end))
        ):
            self.add_error(
                "period",
                _("Kế hoạch số %(plan)s không thực hiện trong %(period)s (thời gian: %(span)s).")
                % {
                    "plan": plan.number,
                    "period": f"{period.name} ({period.span})",
                    "span": plan.period_display,
                },
            )
        return cleaned


class PeriodicReportTextForm(forms.Form):
    """A periodic report's narrative sections and signature block: one text box per
    content area of the stored figures, then the shortcomings and the proposals."""

    shortcomings = forms.CharField(
        label=_("II. Tồn tại, hạn chế và nguyên nhân"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    proposals = forms.CharField(
        label=_("IV. Đề xuất, kiến nghị"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    signer_authority = forms.ChoiceField(label=_("Thẩm quyền ký"), required=False)
    signer_authority_of = forms.CharField(
        label=_("Chức vụ người đứng đầu"),
        required=False,
        max_length=100,
        help_text=_("Ghi khi ký thay, thừa lệnh, thay mặt hoặc thừa ủy quyền, ví dụ “GIÁM ĐỐC”."),
    )
    signer_title = forms.CharField(label=_("Chức vụ người ký"), max_length=100)
    signer_name = forms.CharField(label=_("Họ và tên người ký"), required=False, max_length=100)

    AREA_PREFIX = "area_"

    def __init__(self, data=None, *, report, **kwargs):
        initial = {name: getattr(report, name) for name in self.base_fields}
        for area in report.figures["areas"]:
            initial[f"{self.AREA_PREFIX}{area['number']}"] = report.area_summaries.get(
                str(area["number"]), ""
            )
        super().__init__(data, initial=initial, **kwargs)
        self.fields["signer_authority"].choices = report.Authority.choices
        areas = {
            f"{self.AREA_PREFIX}{area['number']}": forms.CharField(
                label=f"{area['number']}. {area['title']}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            for area in report.figures["areas"]
        }
        self.fields = {**areas, **self.fields}
        self.helper = _helper(_("Lưu dự thảo"))
        self.helper.layout = Layout(
            Fieldset(_("I. Kết quả theo từng nội dung của Kế hoạch"), *areas),
            "shortcomings",
            HTML(
                '<p class="small text-body-secondary">III. Nhiệm vụ trọng tâm kỳ tới: lập từ các hạn của '
                "kỳ tới, không cần soạn.</p>"
            ),
            "proposals",
            Fieldset(_("Chữ ký"), "signer_authority", "signer_authority_of", "signer_title", "signer_name"),
        )

    def to_data(self) -> dict:
        """What ``periodic_report_update`` takes."""
        cleaned = self.cleaned_data
        summaries = {
            name.removeprefix(self.AREA_PREFIX): value
            for name, value in cleaned.items()
            if name.startswith(self.AREA_PREFIX)
        }
        return {
            "area_summaries": summaries,
            **{name: cleaned[name] for name in self.base_fields},
        }


class PeriodicReportIssueForm(forms.Form):
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=50, help_text=_("Ví dụ: 125/BC-SNgV."))
    issued_on = forms.DateField(
        label=_("Ngày ban hành"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Ban hành báo cáo"), css_class="btn-success")


class SearchForm(forms.Form):
    """The menu's search box: words of a code or a title, tones optional."""

    q = forms.CharField(
        label=_("Tìm kiếm"),
        max_length=200,
        required=False,
        strip=True,
        error_messages={"max_length": _("Từ khóa tìm kiếm dài quá %(limit_value)d ký tự.")},
    )

    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""
