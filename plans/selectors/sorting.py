"""The orders in which lists can be sorted: for each list, by key, a label and the
expressions ``order_by`` takes (the first is the one a descending sort reverses; the
others break ties). Status sorts in the order the pages list the statuses, agencies in
Vietnamese order."""

from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.expressions import OrderBy

from plans.collation import VietnameseOrder
from plans.models import DeadlineStatus, Plan, ProgressReport
from plans.selectors.status import STATUS_ORDER


@dataclass(frozen=True)
class SortOrder:
    """``keys`` are what the sort is by (all turned round by a descending sort);
    ``ties`` break ties, always in the same direction."""

    label: str
    keys: tuple
    ties: tuple = ()

    def order_by(self, *, descending: bool = False) -> list:
        keys = [_expression(expression) for expression in self.keys]
        if descending:
            keys = [OrderBy(key.expression, descending=not key.descending) for key in keys]
        return [*keys, *(_expression(expression) for expression in self.ties)]


def _expression(expression) -> OrderBy:
    """An ``order_by`` term ("name", "-name" or an expression) as an ``OrderBy``."""
    if isinstance(expression, OrderBy):
        return expression
    if isinstance(expression, str):
        descending = expression.startswith("-")
        return OrderBy(F(expression.removeprefix("-")), descending=descending)
    return OrderBy(expression)


def _rank(field: str, values) -> Case:
    return Case(
        *(When(**{field: value}, then=Value(rank)) for rank, value in enumerate(values)),
        default=Value(len(values)),
        output_field=IntegerField(),
    )


# Deadlines (the deadline list and its Excel export).
DEADLINE_SORTS = {
    "due": SortOrder("Hạn", ("due_on",), ("task__plan__number", "task__code", "pk")),
    "status": SortOrder(
        "Tình trạng",
        (_rank("status", [*STATUS_ORDER, DeadlineStatus.WAIVED]),),
        ("due_on", "task__code", "pk"),
    ),
    "agency": SortOrder(
        "Cơ quan chủ trì",
        (VietnameseOrder("responsible_agency__short_name"),),
        ("due_on", "task__code", "pk"),
    ),
    "code": SortOrder("Mã nhiệm vụ", ("task__plan__number", "task__code"), ("due_on", "pk")),
}
DEADLINE_SORT_DEFAULT = "due"

# Reports waiting for review.
REPORT_SORTS = {
    "submitted": SortOrder("Ngày gửi", ("submitted_at",), ("pk",)),
    "due": SortOrder("Hạn", ("deadline__due_on",), ("submitted_at", "pk")),
    "status": SortOrder(
        "Tình hình thực hiện",
        (_rank("state", list(ProgressReport.State)),),
        ("deadline__due_on", "submitted_at", "pk"),
    ),
    "agency": SortOrder(
        "Cơ quan", (VietnameseOrder("deadline__responsible_agency__short_name"),), ("submitted_at", "pk")
    ),
    "code": SortOrder(
        "Mã nhiệm vụ", ("deadline__task__plan__number", "deadline__task__code"), ("submitted_at", "pk")
    ),
}
REPORT_SORT_DEFAULT = "submitted"

# Plans.
PLAN_SORTS = {
    "due": SortOrder("Thời gian", ("period_start",), ("number", "pk")),
    "status": SortOrder(
        "Trạng thái", (_rank("status", list(Plan.Status)),), ("-period_start", "number", "pk")
    ),
    "agency": SortOrder(
        "Đầu mối", (VietnameseOrder("coordinating_agency__short_name"),), ("-period_start", "number", "pk")
    ),
    "code": SortOrder("Số, ký hiệu", ("number",), ("pk",)),
}
# Newest first, as the plans have always been listed.
PLAN_SORT_DEFAULT = "-due"
