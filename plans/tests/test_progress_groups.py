"""The dashboard's and the overview's grouped figures (one grouped query, summed by
area and by agency) agree with counting each group directly."""

import pytest

from plans.models import DeadlineStatus
from plans.selectors import (
    OPEN_STATUSES,
    DeadlineFilter,
    agency_dashboard_get,
    deadline_list_filtered,
    deadline_set_filtered,
    province_overview_get,
    report_list_recent,
    report_list_returned,
    statistics_filter,
    status_counts,
    status_dates_get,
)
from plans.selectors.deadlines import deadline_lists_first
from plans.selectors.progress import DASHBOARD_LIST_SIZE
from plans.tests.factories import populate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("agencies_as", ["then", "today"])
def test_the_overview_tables_agree_with_direct_counts(users, agencies, today, agencies_as):
    populate(agencies, tasks=9, deadlines_per_task=20, today=today)
    coordinator = users["coordinator"]
    filters = DeadlineFilter(agencies_as=agencies_as)
    dates = status_dates_get()
    overview = province_overview_get(user=coordinator, filters=filters, dates=dates)
    counted = deadline_list_filtered(user=coordinator, filters=statistics_filter(filters), dates=dates)
    assert overview.counts == status_counts(counted)
    assert overview.total > 0
    path = "task__lead_agency_id" if agencies_as == "today" else "responsible_agency_id"
    assert {group.key for group in overview.agencies} == set(counted.values_list(path, flat=True))
    for group in overview.agencies:
        assert group.counts == status_counts(counted.filter(**{path: group.key})), group.label
    assert {group.key for group in overview.areas} == set(counted.values_list("task__area_id", flat=True))
    for group in overview.areas:
        assert group.counts == status_counts(counted.filter(task__area_id=group.key)), group.label
    # Areas in plan and number order, agencies labelled by their short names.
    assert [group.label[0] for group in overview.areas] == ["1", "2", "3"]
    assert {group.label for group in overview.agencies} >= {agencies["a"].short_name or agencies["a"].name}


def test_the_dashboard_counts_and_areas_agree_with_direct_counts(users, agencies, today):
    populate(agencies, tasks=9, deadlines_per_task=20, today=today)
    officer = users["officer_a"]
    dates = status_dates_get()
    dashboard = agency_dashboard_get(
        user=officer, agency_id=agencies["a"].pk, filters=DeadlineFilter(), dates=dates
    )
    lead = deadline_list_filtered(
        user=officer,
        filters=statistics_filter(DeadlineFilter(agency_id=agencies["a"].pk, relation="lead")),
        dates=dates,
    )
    assert dashboard.counts == status_counts(lead) and dashboard.total > 0
    for group in dashboard.areas:
        assert group.counts == status_counts(lead.filter(task__area_id=group.key))
    assert sum(group.total for group in dashboard.areas) == dashboard.total


def test_the_dashboard_lists_are_the_first_rows_of_the_full_lists(users, agencies, today):
    """Each short list, read by id after a narrow query, holds the same rows in the same
    order as the first rows of the full list, with its markers."""
    populate(agencies, tasks=12, deadlines_per_task=20, today=today)
    officer = users["officer_b"]  # B cooperates on A's tasks and leads none
    dates = status_dates_get()
    agency_id = agencies["a"].pk
    officer_a = users["officer_a"]
    everything = DeadlineFilter()
    dashboard = agency_dashboard_get(user=officer_a, agency_id=agency_id, filters=everything, dates=dates)

    def full(relation, **extra):
        filters = DeadlineFilter(agency_id=agency_id, relation=relation, **extra)
        return deadline_list_filtered(user=officer_a, filters=statistics_filter(filters), dates=dates)

    def rows(deadlines):
        return [(d.pk, d.status, d.waiting_review, d.has_report, d.task.code) for d in deadlines]

    overdue = full("lead").filter(status=DeadlineStatus.OVERDUE)
    assert overdue.count() > DASHBOARD_LIST_SIZE
    assert rows(dashboard.overdue) == rows(overdue[:DASHBOARD_LIST_SIZE])
    cooperating = full("cooperate").filter(status__in=OPEN_STATUSES)
    assert rows(dashboard.cooperating_open) == rows(cooperating[:DASHBOARD_LIST_SIZE])
    upcoming = deadline_list_filtered(
        user=officer_a, filters=DeadlineFilter(agency_id=agency_id, window="upcoming"), dates=dates
    )
    assert upcoming.exists()
    assert rows(dashboard.upcoming) == rows(upcoming[:DASHBOARD_LIST_SIZE])
    assert [r.pk for r in dashboard.recent] == [
        r.pk for r in report_list_recent(agency_id=agency_id, filters=everything)[:DASHBOARD_LIST_SIZE]
    ]
    assert len(dashboard.recent) == DASHBOARD_LIST_SIZE
    assert [r.pk for r in dashboard.returned] == [
        r.pk for r in report_list_returned(agency_id=agency_id, filters=everything)[:DASHBOARD_LIST_SIZE]
    ]
    assert dashboard.returned

    # B's own dashboard: what it cooperates on, none of it led by B.
    of_b = agency_dashboard_get(
        user=officer, agency_id=agencies["b"].pk, filters=DeadlineFilter(), dates=dates
    )
    assert of_b.total == 0 and of_b.cooperating_open
    assert {d.task.lead_agency_id for d in of_b.cooperating_open} == {agency_id}


def test_several_short_lists_read_at_once_are_each_the_first_rows_of_their_set(users, agencies, today):
    """Lists read together (their ids in one query, their rows in another) hold what each
    would alone, in order, even where two lists share rows; an empty set gives none."""
    populate(agencies, tasks=6, deadlines_per_task=10, today=today)
    coordinator = users["coordinator"]
    dates = status_dates_get()
    every = deadline_set_filtered(user=coordinator, filters=DeadlineFilter(), dates=dates)
    sets = {
        "overdue": every.filter(status=DeadlineStatus.OVERDUE),
        "open": every.filter(status__in=OPEN_STATUSES),  # holds the overdue ones too
        "of_a": every.filter(responsible_agency_id=agencies["a"].pk),
        "none": every.filter(pk__lt=0),
    }
    lists = deadline_lists_first(sets, 7, dates=dates)

    def rows(deadlines):
        return [(d.pk, d.status, d.waiting_review, d.has_report, d.task.code) for d in deadlines]

    for name, deadlines in sets.items():
        alone = deadline_list_filtered(user=coordinator, filters=DeadlineFilter(), dates=dates).filter(
            pk__in=deadlines.values("pk")
        )
        assert rows(lists[name]) == rows(alone[:7]), name
    assert len(lists["overdue"]) == 7 and lists["none"] == []
    assert {d.pk for d in lists["overdue"]} & {d.pk for d in lists["open"]}
