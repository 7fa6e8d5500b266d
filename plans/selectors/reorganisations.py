"""What a reorganisation would change, before it is applied: every task, deadline,
cooperation, user account, reminder address and calendar feed, and the questions only
the coordinator can answer (which successor leads each task of a split department).

The service that applies it (``plans.services.reorganisations``) applies exactly this
preview, so what the coordinator reviewed is what happens."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q

from plans.collation import VietnameseOrder
from plans.models import (
    Agency,
    AgencyGroup,
    Deadline,
    Plan,
    ProgressReport,
    Reorganisation,
    Task,
    accepted_completion,
)
from plans.validators import split_email_list

Kind = Reorganisation.Kind

# "Keep the task with the old agency" in a function move, where the old agency carries on.
KEEP = "keep"
# "Lock this account" in the per-account choice.
LOCK = "lock"


@dataclass(frozen=True)
class ReorganisationSpec:
    """A reorganisation as the coordinator entered it. ``successors`` may hold one new,
    unsaved agency (pk None); ``choices`` maps a task id to the agency chosen to take
    the old agency's part in it (or ``KEEP``)."""

    kind: str
    effective_on: datetime.date
    predecessors: tuple[Agency, ...]
    successors: tuple[Agency, ...] = ()
    successor_group: AgencyGroup | None = None
    accounts_to: Agency | None = None
    # Per user account (id → successor, or ``LOCK``), overriding ``accounts_to``: the
    # officers of a split department go to different successors.
    account_choices: dict = field(default_factory=dict)
    choices: dict = field(default_factory=dict)
    legal_basis: str = ""
    legal_basis_date: datetime.date | None = None
    note: str = ""


@dataclass
class TaskChange:
    """One task that names an old agency, as lead or as cooperating agency."""

    task: Task
    role: str  # "lead" or "cooperate"
    old: Agency
    options: list[Agency]
    new: Agency | None  # None: the coordinator still has to choose
    keep_allowed: bool = False
    kept: bool = False
    deadlines: list[Deadline] = field(default_factory=list)  # moving, from the effective date on
    inherited_open: int = 0  # open deadlines before the effective date, which the new lead inherits

    @property
    def needs_choice(self) -> bool:
        return self.new is None and not self.kept

    @property
    def choice_name(self) -> str:
        return f"task_{self.task.pk}"


@dataclass
class AccountChange:
    user: object
    old: Agency
    new: Agency | None  # None: the account is locked
    chosen: bool = False  # the coordinator chose for this account (not the general choice)

    @property
    def choice_name(self) -> str:
        return f"user_{self.user.pk}"


def _account_destination(spec, user) -> Agency | None:
    choice = spec.account_choices.get(user.pk)
    if choice == LOCK:
        return None
    if isinstance(choice, Agency) and choice in spec.successors:
        return choice
    return spec.accounts_to


@dataclass
class AddressChange:
    old: Agency
    addresses: list[str]
    new: Agency | None


@dataclass
class FeedChange:
    agency: Agency
    text: str


@dataclass
class ReorganisationPreview:
    spec: ReorganisationSpec
    errors: list[str]
    tasks: list[TaskChange]
    cooperations: list[TaskChange]
    group_cooperations: list[tuple[Task, Agency]]  # a dissolution: (task, old) → the group
    accounts: list[AccountChange]
    addresses: list[AddressChange]
    feeds: list[FeedChange]
    groups: list[AgencyGroup]
    ending: list[Agency]
    # Plans the old agency coordinates, and the agency that coordinates them after.
    plans: list[tuple[Plan, Agency | None]] = field(default_factory=list)

    @property
    def questions(self) -> list[TaskChange]:
        return [change for change in self.tasks + self.cooperations if change.needs_choice]

    @property
    def cooperation_count(self) -> int:
        return len(self.cooperations) + len(self.group_cooperations)

    @property
    def deadline_count(self) -> int:
        return sum(len(change.deadlines) for change in self.tasks)

    @property
    def inherited_count(self) -> int:
        return sum(change.inherited_open for change in self.tasks)

    @property
    def can_apply(self) -> bool:
        return not self.errors and not self.questions


def _spec_errors(spec: ReorganisationSpec, *, today: datetime.date) -> list[str]:
    """What makes the event impossible as entered, in Vietnamese."""
    errors = []
    preds, succs = spec.predecessors, spec.successors
    if not preds:
        errors.append("Chọn ít nhất một cơ quan trước tổ chức lại.")
    if spec.effective_on > today:
        errors.append(
            "Ngày có hiệu lực chưa đến: chỉ nhập sự kiện từ ngày văn bản có hiệu lực "
            f"(hôm nay là {today:%d/%m/%Y})."
        )
    if spec.legal_basis_date and spec.legal_basis_date > spec.effective_on:
        errors.append("Ngày ban hành văn bản không được sau ngày có hiệu lực.")
    expected = {
        Kind.MERGE: (lambda p, s: len(s) == 1, "Sáp nhập: chọn đúng một cơ quan kế nhiệm."),
        Kind.RENAME: (
            lambda p, s: len(p) == 1 and len(s) == 1,
            "Đổi tên: một cơ quan cũ và một cơ quan tên mới.",
        ),
        Kind.SPLIT: (
            lambda p, s: len(p) == 1 and len(s) >= 2,
            "Chia tách: một cơ quan cũ và ít nhất hai cơ quan kế nhiệm.",
        ),
        Kind.FUNCTION_MOVED: (
            lambda p, s: len(p) == 1 and len(s) >= 1,
            "Chuyển chức năng: một cơ quan chuyển đi và ít nhất một cơ quan nhận.",
        ),
        Kind.DISSOLVE: (
            lambda p, s: not s,
            "Giải thể: không chọn cơ quan kế nhiệm; công việc giao cho một nhóm.",
        ),
    }
    if spec.kind not in expected:
        errors.append("Loại sự kiện không hợp lệ.")
    elif preds:
        rule, message = expected[spec.kind]
        if not rule(preds, succs):
            errors.append(message)
    if spec.kind == Kind.DISSOLVE and spec.successor_group is None:
        errors.append("Giải thể: chọn nhóm cơ quan nhận công việc (ví dụ UBND các xã, phường).")
    for agency in preds:
        if agency.ended_on is not None:
            errors.append(f"{agency.name} đã ngừng hoạt động từ {agency.ended_on:%d/%m/%Y}.")
        elif agency.began_on and agency.began_on > spec.effective_on:
            errors.append(f"{agency.name} bắt đầu hoạt động sau ngày có hiệu lực.")
        if agency in succs:
            errors.append(f"{agency.name} không thể vừa là cơ quan cũ vừa là cơ quan kế nhiệm.")
    for agency in succs:
        if agency.pk and (agency.ended_on is not None or not agency.is_active):
            errors.append(f"{agency.name} không còn hoạt động, không thể là cơ quan kế nhiệm.")
    if spec.accounts_to is not None and spec.accounts_to not in succs:
        errors.append("Tài khoản người dùng chỉ chuyển sang một cơ quan kế nhiệm.")
    return errors


def _options(spec: ReorganisationSpec, old: Agency, *, role: str) -> tuple[list[Agency], Agency | None, bool]:
    """The agencies that may take ``old``'s part in a task, the automatic answer (None
    when the coordinator must choose) and whether keeping the old agency is allowed."""
    if spec.kind in (Kind.MERGE, Kind.RENAME):
        return list(spec.successors), spec.successors[0], False
    if spec.kind == Kind.SPLIT:
        return list(spec.successors), None, False
    if spec.kind == Kind.FUNCTION_MOVED:
        return list(spec.successors), None, True
    # A dissolution: cooperations go to the group; a task led by the dissolved agency
    # needs a lead the coordinator names (a member of the group first).
    members = (
        list(spec.successor_group.members.filter(is_active=True, ended_on__isnull=True))
        if spec.successor_group
        else []
    )
    others = list(
        Agency.objects.filter(is_active=True, ended_on__isnull=True)
        .exclude(pk__in=[a.pk for a in members + list(spec.predecessors)])
        .order_by(VietnameseOrder("short_name"))
    )
    automatic = members[0] if len(members) == 1 else None
    return members + others, automatic, False


def _chosen(spec: ReorganisationSpec, task: Task, options: list[Agency], automatic, keep_allowed):
    choice = spec.choices.get(task.pk)
    if choice == KEEP and keep_allowed:
        return None, True
    if isinstance(choice, Agency) and choice in options:
        return choice, False
    if spec.kind == Kind.FUNCTION_MOVED and choice is None:
        return None, True  # a function move keeps every task not named
    return automatic, False


def reorganisation_preview_get(*, spec: ReorganisationSpec, today: datetime.date) -> ReorganisationPreview:
    """Everything the reorganisation would change, in a bounded number of queries."""
    errors = _spec_errors(spec, today=today)
    pred_ids = [agency.pk for agency in spec.predecessors]
    done = Exists(ProgressReport.objects.filter(accepted_completion(), deadline=OuterRef("pk")))
    deadlines = Deadline.objects.annotate(done=done).order_by("due_on")
    tasks = (
        Task.objects.filter(Q(lead_agency_id__in=pred_ids) | Q(cooperating_agencies__in=pred_ids))
        .distinct()
        .select_related("plan", "area", "lead_agency")
        .prefetch_related("cooperating_agencies", Prefetch("deadlines", queryset=deadlines))
        .order_by("plan__number", "area__number", "code")
    )
    by_pk = {agency.pk: agency for agency in spec.predecessors}
    lead_changes, coop_changes, group_cooperations = [], [], []
    for task in tasks:
        if task.lead_agency_id in by_pk:
            old = by_pk[task.lead_agency_id]
            options, automatic, keep_allowed = _options(spec, old, role="lead")
            new, kept = _chosen(spec, task, options, automatic, keep_allowed)
            change = TaskChange(task, "lead", old, options, new, keep_allowed, kept)
            if not kept:
                for deadline in task.deadlines.all():
                    if deadline.responsible_agency_id != old.pk:
                        continue
                    if deadline.due_on >= spec.effective_on:
                        change.deadlines.append(deadline)
                    elif not deadline.done:
                        change.inherited_open += 1
            lead_changes.append(change)
        for agency in task.cooperating_agencies.all():
            if agency.pk not in by_pk:
                continue
            if spec.kind == Kind.DISSOLVE:
                group_cooperations.append((task, agency))
                continue
            options, automatic, keep_allowed = _options(spec, agency, role="cooperate")
            new, kept = _chosen(spec, task, options, automatic, keep_allowed)
            coop_changes.append(TaskChange(task, "cooperate", agency, options, new, keep_allowed, kept))

    ending = [] if spec.kind == Kind.FUNCTION_MOVED else list(spec.predecessors)
    coordinated = list(
        Plan.objects.filter(coordinating_agency_id__in=[a.pk for a in ending]).order_by("number")
    )
    if coordinated:
        # The plans' coordination goes where the accounts go (or to the one successor).
        coordinator = spec.accounts_to or (spec.successors[0] if len(spec.successors) == 1 else None)
        if coordinator is None:
            errors.append(
                "Cơ quan cũ là đầu mối theo dõi của kế hoạch "
                + ", ".join(plan.number for plan in coordinated)
                + ": chọn cơ quan kế nhiệm nhận tài khoản người dùng, cũng là cơ quan đầu mối mới."
            )
        plans = [(plan, coordinator) for plan in coordinated]
    else:
        plans = []
    accounts, addresses, feeds = [], [], []
    if ending:
        users = get_user_model().objects.filter(agency_id__in=pred_ids, is_active=True).order_by("username")
        accounts = [
            AccountChange(
                user, by_pk[user.agency_id], _account_destination(spec, user), user.pk in spec.account_choices
            )
            for user in users
        ]
        for agency in ending:
            listed = split_email_list(agency.reminder_emails)
            if listed:
                addresses.append(AddressChange(agency, listed, spec.accounts_to))
            feed = (
                "đường dẫn lịch hạn đang dùng sẽ ngừng (trả lỗi 404)"
                if agency.calendar_token
                else "chưa cấp đường dẫn lịch hạn"
            )
            feeds.append(FeedChange(agency, feed))
    # Keyed by identity: a new successor has no primary key yet.
    gaining: dict[int, list] = {}
    for change in lead_changes:
        if change.new is not None:
            entry = gaining.setdefault(id(change.new), [change.new, 0])
            entry[1] += len(change.deadlines) + change.inherited_open
    for agency, count in gaining.values():
        feeds.append(FeedChange(agency, f"lịch hạn thêm {count} hạn của nhiệm vụ tiếp nhận"))
    groups = (
        list(AgencyGroup.objects.filter(members__in=pred_ids).distinct().order_by("name")) if ending else []
    )
    return ReorganisationPreview(
        spec=spec,
        errors=errors,
        tasks=lead_changes,
        cooperations=coop_changes,
        group_cooperations=group_cooperations,
        accounts=accounts,
        addresses=addresses,
        feeds=feeds,
        groups=groups,
        ending=ending,
        plans=plans,
    )


def reorganisation_list() -> list[Reorganisation]:
    return list(
        Reorganisation.objects.select_related("successor_group", "reverses", "applied_by")
        .prefetch_related("links__predecessor", "links__successor")
        .order_by("-applied_at")
    )
