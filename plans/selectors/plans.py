"""Plans and what the filter forms offer."""

from django.db.models import (
    Count,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
)

from plans.collation import VietnameseOrder
from plans.models import (
    Agency,
    ContentArea,
    Deadline,
    Plan,
    Task,
)


def _plans_visible(*, include_drafts: bool) -> QuerySet[Plan]:
    """Drafts are still being written in the admin: only those who edit plans see them."""
    plans = Plan.objects.select_related("coordinating_agency")
    return plans if include_drafts else plans.exclude(status=Plan.Status.DRAFT)


def plan_list(*, include_drafts: bool) -> QuerySet[Plan]:
    return _plans_visible(include_drafts=include_drafts).annotate(
        area_count=Count("areas", distinct=True), task_count=Count("tasks", distinct=True)
    )


def plan_list_with_content(*, include_drafts: bool) -> QuerySet[Plan]:
    """Plans with their documents, areas and tasks (agencies included) prefetched."""
    tasks = Task.objects.select_related("lead_agency").prefetch_related(
        "cooperating_agencies", "cooperating_groups"
    )
    areas = ContentArea.objects.prefetch_related(Prefetch("tasks", queryset=tasks))
    return _plans_visible(include_drafts=include_drafts).prefetch_related(
        "documents", Prefetch("areas", queryset=areas)
    )


def filter_choices() -> dict:
    """What the filter forms offer: plans, years with deadlines, areas and agencies.
    Each of plans, areas and agencies comes twice: a lazy queryset, which checks a
    submitted value (one query only then), and under ``options`` a function giving its
    (id, label) pairs, read as plain rows in one query, for a form that prints it."""
    # From the first to the last year with a deadline: two index lookups, not a scan.
    span = Deadline.objects.aggregate(first=Min("due_on"), last=Max("due_on"))
    years = range(span["last"].year, span["first"].year - 1, -1) if span["first"] else []
    plans = Plan.objects.exclude(status=Plan.Status.DRAFT).order_by("-period_start", "number")
    areas = ContentArea.objects.exclude(plan__status=Plan.Status.DRAFT).order_by("plan__number", "number")
    # Ended agencies stay, labelled with their successors ("Sở TT&TT (nay: …)"), so
    # that the past can be filtered by the agency as it was.
    agencies = Agency.objects.filter(Q(is_active=True) | ~Q(now_known_as="")).order_by(
        VietnameseOrder("short_name")
    )
    return {
        "plans": plans,
        "years": list(years),
        "areas": areas.select_related("plan"),
        "agencies": agencies,
        "options": {
            "plans": lambda: list(plans.values_list("pk", "number")),
            "areas": lambda: [
                (pk, ContentArea.label_of(plan_number=plan_number, number=number, title=title))
                for pk, plan_number, number, title in areas.values_list(
                    "pk", "plan__number", "number", "title"
                )
            ],
            "agencies": lambda: [
                (pk, Agency.label_now_of(name=name, short_name=short_name, now_known_as=now_known_as))
                for pk, name, short_name, now_known_as in agencies.values_list(
                    "pk", "name", "short_name", "now_known_as"
                )
            ],
        },
    }
