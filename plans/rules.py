"""Who may do what on a deadline. Pure functions of the user and the task, shared by the
views (to show or hide a form) and the services (to refuse)."""

from plans.models import Task


def can_see_all_agencies(user) -> bool:
    return user.has_perm("plans.view_all_agencies")


def can_edit_plans(user) -> bool:
    """Those who write plans in the admin (Sở Ngoại vụ) also see them while in draft."""
    return user.has_perm("plans.change_plan")


def can_submit_report(user, task: Task) -> bool:
    """Only the lead agency reports on its task."""
    return (
        user.has_perm("plans.submit_progressreport")
        and user.agency_id is not None
        and user.agency_id == task.lead_agency_id
    )


def can_contribute(user, task: Task, cooperating_ids) -> bool:
    """A cooperating agency's officer adds contributions that the lead agency reads."""
    return (
        user.has_perm("plans.submit_progressreport")
        and user.agency_id is not None
        and user.agency_id in cooperating_ids
    )


def can_review(user) -> bool:
    return user.has_perm("plans.review_progressreport")
