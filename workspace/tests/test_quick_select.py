"""The filters' select, written in Python, gives Django's select markup (less the blank
lines its templates leave), every label and value escaped, the chosen option selected."""

import pytest
from django import forms

from plans import selectors
from workspace.forms import DeadlineFilterForm, QuickSelect

CHOICES = [
    ("", "Tất cả"),
    ("2026", [("2026", "Năm 2026 <&>"), ("2026-H1", '6 tháng "đầu" năm')]),
    ("a&b", "Sở <Ngoại> vụ"),
]


@pytest.mark.parametrize("value", ["", "2026-H1", "a&b", None])
def test_the_quick_select_writes_what_djangos_select_writes(value):
    attrs = {"class": "form-select form-select-sm", "aria-describedby": "help", "disabled": True}
    django_select = forms.Select(attrs=attrs, choices=CHOICES).render(
        "period", value, attrs={"id": "id_period"}
    )
    quick = QuickSelect(attrs=attrs, choices=CHOICES).render("period", value, attrs={"id": "id_period"})
    assert quick == "\n".join(line for line in django_select.splitlines() if line.strip())
    assert "&lt;Ngoại&gt;" in quick and 'value="a&amp;b"' in quick


def test_the_filter_form_offers_its_choices_through_the_quick_select(users, agencies, task):
    form = DeadlineFilterForm({"agency": str(agencies["a"].pk)}, choices=selectors.filter_choices())
    html = str(form["agency"])
    assert isinstance(form.fields["agency"].widget, QuickSelect)
    assert f'<option value="{agencies["a"].pk}" selected>' in html
    assert html.count("<option") == 1 + len(agencies) + 1  # "all", A, B, C and Sở Ngoại vụ
