"""Reads: every query that joins, prefetches or aggregates lives in this package.

By subject (docs/architecture.md):
- ``status``: a deadline's status (QĐ 42 practice), computed in SQL; status counts;
- ``deadlines``: what a user may see (the agency scope), the page filters, one deadline;
- ``reports``: the review queue, an agency's returned and recent reports;
- ``progress``: counts per area and agency, the dashboard and the province overview;
- ``plans``: plans and what the filter forms offer;
- ``agencies``: agencies through time: successors, collective phrases on a day, old names;
- ``reorganisations``: what a reorganisation would change (its preview).

The names below are this package's public surface, so that callers need not know which
module a read lives in.
"""

from plans.selectors.agencies import (
    AgencyMatch,
    Succession,
    agency_group_members_on,
    agency_match,
    agency_successors,
    cooperating_group_names,
)
from plans.selectors.deadlines import (
    UPCOMING_DAYS,
    DeadlineFilter,
    agency_scope,
    agency_scope_deadline_sets,
    deadline_answering_agencies,
    deadline_get_for_page,
    deadline_list_filtered,
    deadline_list_visible_to,
    deadline_scope_agencies,
    deadline_set_counted,
    deadline_set_filtered,
    evidence_get_for_download,
    period_scope,
    statistics_filter,
    task_cooperating_ids,
    tasks_of_agency,
)
from plans.selectors.evidence_integrity import (
    EvidenceCheck,
    evidence_check_iter,
    evidence_orphan_list,
    evidence_problem_list,
    fingerprint_chunks,
    stored_file_fingerprint,
)
from plans.selectors.next_steps import NextStep, NextSteps, next_steps_get, next_steps_of
from plans.selectors.plans import filter_choices, plan_list, plan_list_with_content
from plans.selectors.progress import (
    DASHBOARD_LIST_SIZE,
    AgencyDashboard,
    GroupProgress,
    ProvinceOverview,
    WaitingCounts,
    agency_dashboard_get,
    agency_progress,
    area_progress,
    province_agency_progress,
    province_overview_get,
    waiting_counts_get,
)
from plans.selectors.reorganisations import (
    KEEP,
    LOCK,
    ReorganisationPreview,
    ReorganisationSpec,
    reorganisation_list,
    reorganisation_preview_get,
)
from plans.selectors.reports import (
    report_get_for_review,
    report_list_recent,
    report_list_returned,
    report_return_reachable,
    report_review_queue,
)
from plans.selectors.search import SearchResults, search_results
from plans.selectors.status import (
    CLOSED_UNREVIEWED,
    OPEN_STATUSES,
    STATUS_ORDER,
    StatusDates,
    StatusFigures,
    deadline_completion_mismatches,
    deadline_list_with_status,
    group_counts,
    overdue_share,
    status_counts,
    status_dates_get,
    status_marker,
    status_text,
    task_list_with_current_deadline,
    with_markers,
    working_calendar_get,
)
from plans.selectors.status_tally import province_status_rows, status_tally_rows, status_tally_serves
from plans.selectors.versions import data_version_get

__all__ = [
    "NextStep",
    "NextSteps",
    "next_steps_get",
    "next_steps_of",
    "SearchResults",
    "search_results",
    "EvidenceCheck",
    "evidence_check_iter",
    "evidence_orphan_list",
    "evidence_problem_list",
    "fingerprint_chunks",
    "stored_file_fingerprint",
    "KEEP",
    "LOCK",
    "AgencyMatch",
    "ReorganisationPreview",
    "ReorganisationSpec",
    "Succession",
    "agency_group_members_on",
    "cooperating_group_names",
    "agency_match",
    "agency_successors",
    "reorganisation_list",
    "reorganisation_preview_get",
    "CLOSED_UNREVIEWED",
    "OPEN_STATUSES",
    "DASHBOARD_LIST_SIZE",
    "STATUS_ORDER",
    "UPCOMING_DAYS",
    "AgencyDashboard",
    "DeadlineFilter",
    "GroupProgress",
    "ProvinceOverview",
    "StatusDates",
    "StatusFigures",
    "agency_dashboard_get",
    "agency_progress",
    "data_version_get",
    "province_status_rows",
    "status_tally_rows",
    "status_tally_serves",
    "agency_scope",
    "agency_scope_deadline_sets",
    "deadline_scope_agencies",
    "area_progress",
    "deadline_answering_agencies",
    "deadline_get_for_page",
    "deadline_list_filtered",
    "deadline_set_counted",
    "deadline_set_filtered",
    "deadline_list_visible_to",
    "deadline_completion_mismatches",
    "deadline_list_with_status",
    "evidence_get_for_download",
    "filter_choices",
    "group_counts",
    "overdue_share",
    "period_scope",
    "plan_list",
    "plan_list_with_content",
    "province_agency_progress",
    "province_overview_get",
    "WaitingCounts",
    "waiting_counts_get",
    "report_get_for_review",
    "report_list_recent",
    "report_list_returned",
    "report_return_reachable",
    "report_review_queue",
    "statistics_filter",
    "status_counts",
    "status_dates_get",
    "status_marker",
    "status_text",
    "task_list_with_current_deadline",
    "task_cooperating_ids",
    "tasks_of_agency",
    "with_markers",
    "working_calendar_get",
]
