"""Who may do what: the one place that answers it (docs/architecture.md, Roles).

The roles are groups (``accounts.roles``) holding the permissions named here, which the
``plans`` models declare, so this module never needs to know the groups. Pure functions
of the user (and the task), shared by the views (to show or hide a form, or refuse a
page), the selectors (to scope a query) and the services (to refuse a write)."""

from plans.models import Deadline, Task

# Coordinators and leaders: every agency's deadlines, the province overview and reports.
VIEW_ALL_AGENCIES = "plans.view_all_agencies"
# Agency officers: progress reports on their agency's tasks, contributions to others'.
SUBMIT_REPORTS = "plans.submit_progressreport"
# Coordinators: accept a report, or return it with a comment.
REVIEW_REPORTS = "plans.review_progressreport"
# Those who write plans in the admin (Sở Ngoại vụ).
EDIT_PLANS = "plans.change_plan"
# Importing a plan's task table creates and changes tasks.
IMPORT_TASKS = ("plans.add_task", "plans.change_task")
# Importing a plan from its document creates the plan with its tasks.
IMPORT_PLANS = ("plans.add_plan", *IMPORT_TASKS)
# Coordinators: merge, split, rename or dissolve agencies (and reverse such an event).
APPLY_REORGANISATION = "plans.apply_reorganisation"


def can_see_all_agencies(user) -> bool:
    return user.has_perm(VIEW_ALL_AGENCIES)


def can_edit_plans(user) -> bool:
    """Those who write plans in the admin also see them while in draft."""
    return user.has_perm(EDIT_PLANS)


def can_submit_report(user, deadline: Deadline) -> bool:
    """Only the agency answerable for the deadline reports on it, or the task's lead
    today: a successor reports on the open work it inherited."""
    return (
        user.has_perm(SUBMIT_REPORTS)
        and user.agency_id is not None
        and user.agency_id in (deadline.responsible_agency_id, deadline.task.lead_agency_id)
    )


def can_contribute(user, task: Task, cooperating_ids) -> bool:
    """A cooperating agency's officer adds contributions that the lead agency reads."""
    return user.has_perm(SUBMIT_REPORTS) and user.agency_id is not None and user.agency_id in cooperating_ids


def can_manage_calendar(user, agency) -> bool:
    """Issuing or replacing an agency's calendar feed URL is a write: only the agency's
    own officers (and administrators) do it; leaders change nothing."""
    return user.agency_id is not None and user.agency_id == agency.pk and user.has_perm(SUBMIT_REPORTS)


def can_review(user) -> bool:
    return user.has_perm(REVIEW_REPORTS)


def is_own_agency_report(user, report) -> bool:
    """The report was submitted by the user, or for the user's own agency (the agency
    that reported, the one answerable for the deadline, the task's lead agency, or the
    agency the submitter belongs to)."""
    if report.submitted_by_id is not None and report.submitted_by_id == user.pk:
        return True
    if user.agency_id is None:
        return False
    submitter = report.submitted_by
    own = {
        report.agency_id,
        report.deadline.responsible_agency_id,
        report.deadline.task.lead_agency_id,
        submitter.agency_id if submitter else None,
    }
    return user.agency_id in own


def can_review_report(user, report) -> bool:
    """Separation of duties: a reviewer never accepts or returns a report their own agency
    submitted; another coordinator, or a leader given the review right, does."""
    return can_review(user) and not is_own_agency_report(user, report)


def can_import_tasks(user) -> bool:
    return user.has_perms(IMPORT_TASKS)


def can_import_plans(user) -> bool:
    return user.has_perms(IMPORT_PLANS)


def can_apply_reorganisation(user) -> bool:
    return user.has_perm(APPLY_REORGANISATION)


def can_draft_periodic_reports(user) -> bool:
    """The province's periodic report is drafted, edited and issued by the coordinators
    who write the plans (Sở Ngoại vụ): they see every agency and edit plans."""
    return user.has_perm(VIEW_ALL_AGENCIES) and user.has_perm(EDIT_PLANS)


def can_read_periodic_reports(user) -> bool:
    """Coordinators read every periodic report, drafts too; leaders read the issued ones
    (``can_draft_periodic_reports`` tells them apart)."""
    return user.has_perm(VIEW_ALL_AGENCIES)
