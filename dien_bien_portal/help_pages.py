"""The "Hướng dẫn" page: one guide per role (officer, coordinator, leader), opening on
the user's own and linking to the others. It lives in the project package because it
describes the reminders too (``tasks.policy``), which the officials' pages may not
import; every figure it states is read from where the rule is written."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from plans import permissions
from plans.evidence import ACCEPTED_LABELS
from plans.models import DeadlineStatus, Plan
from plans.selectors import UPCOMING_DAYS
from tasks.policy import DEFAULT_POLICY


@dataclass(frozen=True)
class Role:
    key: str
    name: str


ROLES = [
    Role("officer", "Cán bộ đơn vị"),
    Role("coordinator", "Cán bộ đầu mối (Sở Ngoại vụ)"),
    Role("leader", "Lãnh đạo"),
]
ROLE_KEYS = {role.key for role in ROLES}

# What each status means to those who read it (the names are DeadlineStatus's).
STATUS_MEANINGS = {
    DeadlineStatus.OVERDUE: "Đã qua hạn mà chưa có báo cáo “hoàn thành” nào được Sở Ngoại vụ xác nhận.",
    DeadlineStatus.DUE_SOON: "Chưa hoàn thành, hạn đến trong {due_soon} ngày làm việc tới.",
    DeadlineStatus.NOT_YET_DUE: "Chưa hoàn thành, hạn còn xa hơn {due_soon} ngày làm việc.",
    DeadlineStatus.DONE_ON_TIME: (
        "Báo cáo “hoàn thành” được xác nhận, gửi đi không muộn hơn hạn (hạn rơi vào ngày nghỉ thì "
        "tính đến ngày làm việc kế tiếp)."
    ),
    DeadlineStatus.DONE_LATE: "Báo cáo “hoàn thành” được xác nhận nhưng gửi đi sau hạn.",
    DeadlineStatus.WAIVED: (
        "Sở Ngoại vụ miễn hạn này, có ghi lý do: hạn vẫn hiện nhưng không được tính trong số liệu."
    ),
}


def user_role(user) -> str:
    """The guide a user opens on: coordinators edit plans, leaders see all agencies."""
    if permissions.can_edit_plans(user):
        return "coordinator"
    if permissions.can_see_all_agencies(user):
        return "leader"
    return "officer"


@login_required
def help_page(request):
    own = user_role(request.user)
    role = request.GET.get("role")
    role = role if role in ROLE_KEYS else own
    due_soon = settings.DUE_SOON_WORKING_DAYS
    context = {
        "role": role,
        "own_role": own,
        "roles": ROLES,
        "role_name": next(r.name for r in ROLES if r.key == role),
        "statuses": [
            (status.value, status.label, meaning.format(due_soon=due_soon))
            for status, meaning in STATUS_MEANINGS.items()
        ],
        "due_soon_days": due_soon,
        "upcoming_days": UPCOMING_DAYS,
        "evidence_kinds": ACCEPTED_LABELS,
        "evidence_max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
        "evidence_max_files": settings.EVIDENCE_MAX_FILES,
        "reminder_at": settings.REMINDER_SWEEP_AT,
        "reminder_before": ", ".join(str(days) for days in DEFAULT_POLICY.before_days),
        "reminder_on_due_day": DEFAULT_POLICY.on_due_day,
        "reminder_overdue_every": DEFAULT_POLICY.overdue_every,
        "reminder_escalate_after": DEFAULT_POLICY.escalate_after,
        "draft_status": Plan.Status.DRAFT.label,
    }
    return render(request, "help.html", context)
