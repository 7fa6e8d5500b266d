"""Progress reports: the review queue, and an agency's returned and recent reports."""

from django.contrib.auth import get_user_model
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)

from plans.models import (
    Deadline,
    ProgressReport,
)
from plans.selectors.deadlines import DeadlineFilter, InSubquery, agency_scope, draft_plan_tasks
from plans.validators import split_email_list


def _latest_reports(reports: QuerySet[ProgressReport]) -> QuerySet[ProgressReport]:
    later = ProgressReport.objects.filter(
        deadline=OuterRef("deadline"), submitted_at__gt=OuterRef("submitted_at")
    )
    return reports.filter(~Exists(later))


def _agency_reports(*, agency_id: int, filters: DeadlineFilter) -> QuerySet[ProgressReport]:
    """Reports the agency made, or on deadlines it answers for, in tracked plans, under
    the page's filters."""
    answers_for = Deadline.objects.filter(responsible_agency_id=agency_id).order_by().values("pk")
    reports = ProgressReport.objects.filter(
        Q(agency_id=agency_id) | Q(InSubquery("deadline_id", answers_for))
    ).exclude(deadline__in=Deadline.objects.filter(task__in=draft_plan_tasks()).values("pk"))
    if filters.plan_id:
        reports = reports.filter(deadline__task__plan_id=filters.plan_id)
    if filters.year:
        reports = reports.filter(deadline__due_on__year=filters.year)
    return reports


def _first(reports: QuerySet[ProgressReport], limit: int | None) -> QuerySet[ProgressReport]:
    """The first ``limit`` reports of a list (all without one), read by id after a
    narrow query of the list's filters and order (``deadline_list_first`` says why)."""
    if limit is None:
        return reports
    return ProgressReport.objects.filter(pk__in=reports.values("pk")[:limit])


def report_list_returned(
    *, agency_id: int, filters: DeadlineFilter, limit: int | None = None
) -> QuerySet[ProgressReport]:
    """Reports of the agency returned for rework and not yet followed by a new one."""
    returned = _agency_reports(agency_id=agency_id, filters=filters).filter(
        review_state=ProgressReport.ReviewState.RETURNED
    )
    # With what the dashboard and its next steps show of each: the task, who returned it.
    return (
        _first(_latest_reports(returned).order_by("-reviewed_at", "-pk"), limit)
        .select_related("deadline__task", "reviewed_by")
        .order_by("-reviewed_at", "-pk")
    )


def report_list_recent(
    *, agency_id: int, filters: DeadlineFilter, limit: int | None = None
) -> QuerySet[ProgressReport]:
    # With what the dashboard shows of each: the task, and the agency that reported.
    return (
        _first(_agency_reports(agency_id=agency_id, filters=filters).order_by("-submitted_at", "-pk"), limit)
        .select_related("deadline__task", "agency")
        .order_by("-submitted_at", "-pk")
    )


def report_review_queue(*, user) -> QuerySet[ProgressReport]:
    """Reports waiting for review that the user may see, oldest first, with what a
    reviewer reads."""
    return (
        ProgressReport.objects.filter(review_state=ProgressReport.ReviewState.SUBMITTED)
        .filter(agency_scope(user=user, task_field="deadline__task"))
        .select_related("deadline__task__plan", "deadline__responsible_agency", "agency", "submitted_by")
        .prefetch_related("evidence")
        .order_by("submitted_at", "pk")
    )


def report_get_for_review(*, user, pk: int) -> ProgressReport:
    """A report the user may see; DoesNotExist otherwise (a draft plan's, for a reviewer
    who does not edit plans)."""
    return (
        ProgressReport.objects.filter(agency_scope(user=user, task_field="deadline__task"))
        .select_related("deadline__task", "submitted_by")
        .get(pk=pk)
    )


def report_return_reachable(*, report: ProgressReport) -> bool:
    """Whether a notice that the report was returned has anyone to go to: its submitter's
    email, the agency's reminder addresses or an active user of the agency with an email
    (the same people as the notice's recipients, ``tasks.selectors.report_returned_recipients``)."""
    if report.submitted_by_id and report.submitted_by.email:
        return True
    agency = report.agency or report.deadline.responsible_agency
    if split_email_list(agency.reminder_emails):
        return True
    return get_user_model().objects.filter(agency=agency, is_active=True).exclude(email="").exists()
