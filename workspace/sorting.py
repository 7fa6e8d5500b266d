"""How a list is sorted, read from its query string (``?sort=agency``, ``?sort=-due``):
django-filter's ``OrderingFilter`` checks the value against the list's sorts
(``plans.selectors.sorting``) and names them; an unknown value sorts as by default.
The same sort serves the page and its Excel export, so the file comes in the page's
order."""

from dataclasses import dataclass

import django_filters

from plans.models import Deadline, Plan, ProgressReport
from plans.selectors import sorting

SORT_PARAM = "sort"


class ListSort(django_filters.OrderingFilter):
    descending_fmt = "%s (giảm dần)"

    def __init__(self, *, sorts: dict[str, sorting.SortOrder], default: str):
        self.sorts, self.default = sorts, default
        super().__init__(
            fields={key: key for key in sorts},
            field_labels={key: order.label for key, order in sorts.items()},
            label="Sắp xếp theo",
        )

    def chosen(self, value) -> str:
        return value[0] if value else self.default

    def filter(self, qs, value):
        key = self.chosen(value)
        descending = key.startswith("-")
        return qs.order_by(*self.sorts[key.removeprefix("-")].order_by(descending=descending))


class DeadlineSort(django_filters.FilterSet):
    sort = ListSort(sorts=sorting.DEADLINE_SORTS, default=sorting.DEADLINE_SORT_DEFAULT)

    class Meta:
        model = Deadline
        fields = []


class ReportSort(django_filters.FilterSet):
    sort = ListSort(sorts=sorting.REPORT_SORTS, default=sorting.REPORT_SORT_DEFAULT)

    class Meta:
        model = ProgressReport
        fields = []


class PlanSort(django_filters.FilterSet):
    sort = ListSort(sorts=sorting.PLAN_SORTS, default=sorting.PLAN_SORT_DEFAULT)

    class Meta:
        model = Plan
        fields = []


@dataclass(frozen=True)
class SortLink:
    key: str
    label: str
    # The value a click sets: the other direction when this sort is in force.
    value: str
    active: bool
    descending: bool


@dataclass(frozen=True)
class AppliedSort:
    """The sort in force and the links of a list's sort bar."""

    key: str
    label: str
    links: list[SortLink]


def sorted_list(sort_class, data, queryset):
    """``queryset`` in the order the query string asks, and what the sort bar shows."""
    sort_set = sort_class(data, queryset=queryset)
    rows = sort_set.qs
    ordering = sort_set.filters["sort"]
    value = sort_set.form.cleaned_data.get("sort") if sort_set.form.is_valid() else None
    chosen = ordering.chosen(value)
    key = chosen.removeprefix("-")
    descending = chosen.startswith("-")
    links = [
        SortLink(
            key=name,
            label=order.label,
            value=("" if descending else "-") + name if name == key else name,
            active=name == key,
            descending=descending and name == key,
        )
        for name, order in ordering.sorts.items()
    ]
    label = dict(ordering.extra["choices"])[chosen]
    return rows, AppliedSort(key=chosen, label=str(label), links=links)
