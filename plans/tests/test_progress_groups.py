"""The dashboard's and the overview's grouped figures (one grouped query, summed by
area and by agency) agree with counting each group directly."""

import pytest

from plans.selectors import (
    DeadlineFilter,
    agency_dashboard_get,
    deadline_list_filtered,
    province_overview_get,
    statistics_filter,
    status_counts,
    status_dates_get,
)
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
