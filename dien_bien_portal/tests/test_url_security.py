"""Every route of the URLconf, classified, and checked against who may reach it.

``RULES`` classifies each route the resolver holds: by URL name, or, for the admin's
generic per-model routes, by family (``admin_models``: one line per app). The tests walk
``django.urls.get_resolver()`` recursively and check, with real views on the real
database:

(a) an anonymous visitor is refused every route but the public ones: a redirect to the
    login page (the admin login for the admin), or 404 for a token that opens nothing;
(b) on every route that takes an argument, an officer of an agency that neither leads
    nor cooperates on the object gets exactly what the table says (404 on the agency's
    own objects, 302 to the admin login on admin routes);
(c) every route refuses a POST without a CSRF token (403) from a user who may use it,
    and lets the same POST with the token through the CSRF check;
(d) the set of routes equals the set of classified routes, naming any route that is
    missing from the table and any table entry that matches no route;
plus a positive control: the user a route is meant for gets its normal answer with the
same arguments, so a refusal above comes from the access check, not from a wrong URL.

What the portal's object routes answer to an officer of an unrelated agency:

    deadline-detail     GET 404                 report-submit   GET 405, POST 404
    contribution-add    GET 405, POST 404       report-review   GET 405, POST 403
    evidence-download   GET 404                 plan-detail     GET 200 (see below)
    agency-calendar-feed: no session involved; the URL's token is the credential, so a
    wrong token answers 404 to anyone and the right one 200 to anyone.

report-review is for coordinators only: an officer's POST is refused (403) before the
report is loaded, whoever's report it is. plan-detail (and plan-list) show a plan's
text, areas and tasks with their agencies to any logged-in user, as the published plan
does; they show no report, status or evidence.

(e) a draft plan is still being written: its deadline page, report and contribution
    posts, evidence, plan page and report review answer 404 to everyone who does not edit
    plans (the lead agency's own officers, leaders, a leader given the review right), and
    no page, export, report or calendar feed shows its tasks or reports to them.
"""

import contextlib
import dataclasses
import datetime
import io
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import openpyxl
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, REASON_CSRF_TOKEN_MISSING
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.regex_helper import normalize

from accounts.roles import GROUP_NAMES, Role
from documents import services as document_services
from documents.models import AgencyNameMapping
from plans import services
from plans.models import Agency, AgencyGroup, Deadline, Holiday, Plan, ProgressReport
from plans.periods import ReportPeriod
from plans.selectors import ReorganisationSpec
from plans.tests.factories import AgencyFactory, ContentAreaFactory, PlanFactory, TaskFactory
from plans.tests.sample_files import PDF_BYTES
from tasks.models import ReminderLog, ReminderPolicy
from workspace.export_views import XLSX_CONTENT_TYPE

# --- Who may use a route ----------------------------------------------------------------

# Static files are no route: whitenoise (production) and runserver serve them outside
# the URLconf.
PUBLIC = "public"  # anyone: the login pages, the health check
LOGGED_IN = "logged-in"  # any logged-in user; lists are narrowed to what the user may see
AGENCY = "agency"  # logged in, and the object is loaded through the user's agency scope
ROLE = "role"  # logged in with a role's permission (coordinator, leader); 403 otherwise
TOKEN = "token"  # a secret in the URL instead of a session (calendar apps cannot log in)
ADMIN = "admin"  # the Django admin: staff only; anyone else goes to the admin login
# The periodic reports: coordinators and leaders (a role's permission); to anyone else the
# pages do not exist (404), so an officer does not learn that a report exists.
REPORTS = "reports"

GET, POST, GET_POST = ("GET",), ("POST",), ("GET", "POST")

# How a response reads in expectations and failure messages: the status code, or
# "redirect:<view name>" for a redirect (e.g. "redirect:login", "redirect:admin:login").
LOGIN_REDIRECT = "redirect:login"
ADMIN_LOGIN_REDIRECT = "redirect:admin:login"


@dataclass(frozen=True)
class Rule:
    """How one route may be used.

    ``user`` may use it (None: anonymous) and gets one of ``ok`` with the route's first
    method; ``ok=None`` on admin routes means "past the admin's staff check": neither
    sent to the admin login nor 404 for the real object. ``outsider`` is what an
    officer of an unrelated agency gets, per method, on a route taking an argument.
    ``args`` builds the URL's arguments from the test's objects."""

    kind: str
    methods: tuple[str, ...] = GET
    user: str | None = None
    ok: frozenset[str] | None = frozenset({"200"})
    args: Callable[["World"], dict] = field(default=lambda world: {})
    outsider: dict[str, str] | None = None
    # What anyone who does not edit plans gets, per method, on a draft plan's object.
    draft: dict[str, str] | None = None
    anonymous: str | None = None  # when not the kind's usual refusal
    optional: bool = False  # may be absent from the URLconf

    def __post_init__(self):
        if self.user is None and self.kind not in (PUBLIC, TOKEN):
            object.__setattr__(self, "user", "superuser" if self.kind == ADMIN else "officer_a")
        if self.ok is not None:
            object.__setattr__(self, "ok", frozenset(self.ok))


def _ids(**names: str) -> Callable[["World"], dict]:
    """Arguments that are the primary keys of the test's objects, e.g. pk="deadline"."""
    return lambda world: {param: world.objects[name].pk for param, name in names.items()}


# --- The portal's own routes ------------------------------------------------------------

PORTAL_RULES = {
    "login": Rule(PUBLIC, GET_POST),
    # The health check answers monitoring without a session (503 when a service is down).
    "health": Rule(PUBLIC, ok={"200", "503"}, optional=True),
    # Logging out answers a redirect to the login page, logged in or not.
    "logout": Rule(LOGGED_IN, POST, ok={LOGIN_REDIRECT}),
    "password_change": Rule(LOGGED_IN, GET_POST),
    "profile": Rule(LOGGED_IN, GET_POST),
    # A forgotten password: anyone may ask; the link's token, not a session, opens the form
    # (a wrong token gives the "link not usable" page, never the form).
    "password_reset": Rule(PUBLIC, GET_POST),
    "password_reset_done": Rule(PUBLIC),
    "password_reset_confirm": Rule(
        PUBLIC,
        args=lambda world: {"uidb64": "MQ", "token": "khong-phai-ma"},
        outsider={"GET": "200", "POST": "200"},
    ),
    "password_reset_complete": Rule(PUBLIC),
    "password_change_done": Rule(LOGGED_IN),
    "home": Rule(LOGGED_IN, ok={"redirect:agency-dashboard"}),
    "agency-dashboard": Rule(LOGGED_IN),
    "deadline-list": Rule(LOGGED_IN),
    "deadline-list-export": Rule(LOGGED_IN),
    "agency-calendar": Rule(LOGGED_IN, GET_POST),
    # Plans are the published plan text: any logged-in user reads any of them.
    "plan-list": Rule(LOGGED_IN, user="officer_c"),
    # The search finds within the user's own scope (workspace/tests/test_search.py).
    "search": Rule(LOGGED_IN),
    # The user's guide, one per role; any logged-in user may read every role's.
    "help": Rule(LOGGED_IN),
    "plan-detail": Rule(
        LOGGED_IN, user="officer_c", args=_ids(pk="plan"), outsider={"GET": "200"}, draft={"GET": "404"}
    ),
    "province-overview": Rule(ROLE, user="coordinator"),
    "province-overview-export": Rule(ROLE, user="coordinator"),
    # Without a plan and period in the query: back to the overview, saying why.
    "province-report": Rule(ROLE, user="coordinator", ok={"redirect:province-overview"}),
    "review-queue": Rule(ROLE, user="coordinator"),
    "report-review": Rule(
        ROLE,
        POST,
        user="coordinator",
        ok={"redirect:review-queue"},  # an empty decision: back to the queue with the reason
        args=_ids(pk="report"),
        outsider={"GET": "405", "POST": "403"},
        draft={"POST": "404"},
    ),
    "deadline-detail": Rule(AGENCY, args=_ids(pk="deadline"), outsider={"GET": "404"}, draft={"GET": "404"}),
    # An empty form: the page again with the reasons (400), nothing saved.
    "report-submit": Rule(
        AGENCY,
        POST,
        ok={"400"},
        args=_ids(pk="deadline"),
        outsider={"GET": "405", "POST": "404"},
        draft={"POST": "404"},
    ),
    "contribution-add": Rule(
        AGENCY,
        POST,
        user="officer_b",
        ok={"400"},
        args=_ids(pk="deadline"),
        outsider={"GET": "405", "POST": "404"},
        draft={"POST": "404"},
    ),
    "evidence-download": Rule(
        AGENCY, args=_ids(pk="evidence"), outsider={"GET": "404"}, draft={"GET": "404"}
    ),
    # The lead agency takes back its waiting report: back to the deadline page.
    "report-withdraw": Rule(
        AGENCY,
        POST,
        ok={"redirect:deadline-detail"},
        args=_ids(pk="deadline", report_pk="report"),
        outsider={"GET": "405", "POST": "404"},
        draft={"POST": "404"},
    ),
    # Waiving a deadline is the coordinator's: an empty reason shows the page again (400).
    "deadline-waive": Rule(
        ROLE,
        POST,
        user="coordinator",
        ok={"400"},
        args=_ids(pk="deadline"),
        outsider={"GET": "405", "POST": "403"},
        draft={"POST": "404"},
    ),
    "deadline-waiver-cancel": Rule(
        ROLE,
        POST,
        user="coordinator",
        ok={"redirect:deadline-detail"},  # nothing to cancel: back with the reason
        args=_ids(pk="deadline"),
        outsider={"GET": "405", "POST": "403"},
        draft={"POST": "404"},
    ),
    "agency-calendar-feed": Rule(TOKEN, args=lambda world: {"token": world.calendar_token}),
    # The periodic reports (records). Leaders read issued ones and change nothing (403 on
    # the writing routes); a draft plan's report is not found by those who do not edit plans.
    "periodic-report-list": Rule(REPORTS, user="coordinator"),
    # An empty form: back to the list, saying why.
    "periodic-report-create": Rule(REPORTS, POST, user="coordinator", ok={"redirect:periodic-report-list"}),
    "periodic-report-detail": Rule(
        REPORTS,
        user="coordinator",
        args=_ids(pk="periodic_report"),
        outsider={"GET": "404"},
        draft={"GET": "404"},
    ),
    "periodic-report-download": Rule(
        REPORTS,
        user="coordinator",
        args=_ids(pk="periodic_report"),
        outsider={"GET": "404"},
        draft={"GET": "404"},
    ),
    "periodic-report-edit": Rule(
        REPORTS,
        GET_POST,
        user="coordinator",
        args=_ids(pk="periodic_report"),
        outsider={"GET": "404", "POST": "404"},
        draft={"GET": "403", "POST": "403"},
    ),
    "periodic-report-refresh": Rule(
        REPORTS,
        POST,
        user="coordinator",
        ok={"redirect:periodic-report-detail"},
        args=_ids(pk="periodic_report"),
        outsider={"GET": "405", "POST": "404"},
        draft={"POST": "403"},
    ),
    # An empty form: back to the report, saying why.
    "periodic-report-issue": Rule(
        REPORTS,
        POST,
        user="coordinator",
        ok={"redirect:periodic-report-detail"},
        args=_ids(pk="periodic_report"),
        outsider={"GET": "405", "POST": "404"},
        draft={"POST": "403"},
    ),
}

WRONG_CALENDAR_TOKEN = "khong-phai-ma-lich-cua-don-vi-nao-0123456789"

# --- The Django admin -------------------------------------------------------------------

ADMIN_SITE_RULES = {
    "admin:login": Rule(PUBLIC, GET_POST),
    # Django sends a logout without a staff session to the admin index (then the login).
    "admin:logout": Rule(ADMIN, POST, ok=None, anonymous="redirect:admin:index"),
    "admin:index": Rule(ADMIN, ok=None),
    "admin:password_change": Rule(ADMIN, GET_POST, ok=None),
    "admin:password_change_done": Rule(ADMIN, ok=None),
    "admin:autocomplete": Rule(ADMIN, ok=None),
    "admin:jsi18n": Rule(ADMIN, ok=None),
    # No model has get_absolute_url: past the staff check the shortcut answers 404.
    "admin:view_on_site": Rule(
        ADMIN,
        ok={"404"},
        args=lambda world: {
            "content_type_id": ContentType.objects.get_for_model(world.objects["plan"]).pk,
            "object_id": world.objects["plan"].pk,
        },
    ),
    "admin:app_list": Rule(ADMIN, ok=None, args=lambda world: {"app_label": "plans"}),
    # The admin's final catch-all: past the staff check, an unknown page is a 404.
    "admin/(?P<url>.*)$": Rule(ADMIN, ok={"404"}, args=lambda world: {"url": "khong-co-trang-nay/"}),
    "admin:auth_user_password_change": Rule(
        ADMIN, GET_POST, ok=None, args=lambda world: {"id": world.row("accounts.user").pk}
    ),
    # Importing a plan's tasks from Excel (documents.import_admin).
    "admin:plans_plan_import": Rule(ADMIN, GET_POST, ok=None, args=_ids(object_id="plan")),
    "admin:plans_plan_import_template": Rule(ADMIN, ok=None, args=_ids(object_id="plan")),
    "admin:plans_plan_task_table": Rule(ADMIN, ok=None, args=_ids(object_id="plan")),
    # A background import's page: its starter's or a superuser's (documents/tests/test_import_jobs.py).
    "admin:plans_plan_import_job": Rule(ADMIN, ok=None, args=_ids(object_id="plan", job_id="import_job")),
    # A new plan read from its document (documents.import_admin).
    "admin:plans_plan_import_document": Rule(ADMIN, GET_POST, ok=None),
    # Reversing an agency reorganisation (plans.reorganisation_admin).
    "admin:plans_reorganisation_reverse": Rule(
        ADMIN, GET_POST, ok=None, args=_ids(object_id="reorganisation")
    ),
}


def admin_models(app_label: str, *model_names: str, history: bool = False) -> dict[str, Rule]:
    """The routes Django's ModelAdmin gives each registered model, as one family per
    model; ``history`` adds django-simple-history's page of one past version."""
    rules = {}
    for model in model_names:
        label = f"{app_label}.{model}"

        def object_id(world, label=label):
            return {"object_id": world.row(label).pk}

        def version(world, label=label):
            row = world.row(label)
            return {"_0": row.pk, "_1": row.history.earliest("history_id").history_id}

        name = f"admin:{app_label}_{model}"
        rules |= {
            f"{name}_changelist": Rule(ADMIN, GET_POST, ok=None),
            f"{name}_add": Rule(ADMIN, GET_POST, ok=None),
            f"{name}_change": Rule(ADMIN, GET_POST, ok=None, args=object_id),
            f"{name}_delete": Rule(ADMIN, GET_POST, ok=None, args=object_id),
            f"{name}_history": Rule(ADMIN, ok=None, args=object_id),
            # The old change URL, which redirects to the change page.
            f"admin/{app_label}/{model}/<path:object_id>/": Rule(ADMIN, ok=None, args=object_id),
        }
        if history:
            rules[f"{name}_simple_history"] = Rule(ADMIN, GET_POST, ok=None, args=version)
    return rules


RULES: dict[str, Rule] = {
    **PORTAL_RULES,
    **ADMIN_SITE_RULES,
    **admin_models("auth", "group"),
    **admin_models("accounts", "user"),
    **admin_models("plans", "agency", "agencygroup", "contribution", "reorganisation"),
    **admin_models(
        "plans", "plan", "contentarea", "task", "deadline", "progressreport", "holiday", history=True
    ),
    **admin_models("axes", "accessattempt", "accesslog", "accessfailurelog"),
    **admin_models("tasks", "reminderpolicy", "reminderlog"),
    **admin_models("documents", "periodicreport", history=True),
    **admin_models("documents", "agencynamemapping"),
}

# --- The URLconf, walked ----------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name"; the whole pattern when the route has no name
    pattern: str
    pieces: tuple  # the patterns from the root down to this route
    callback: Callable

    @property
    def params(self) -> list[str]:
        return [name for piece in self.pieces for name in normalize(piece.regex.pattern)[0][1]]

    def url(self, values: dict) -> str:
        """The path of this route with ``values`` for its parameters, built from its own
        patterns (unnamed routes cannot be reversed by name)."""
        missing = set(self.params) - set(values)
        assert not missing, f"{self.key}: no value for {sorted(missing)}"
        parts = []
        for piece in self.pieces:
            template, params = normalize(piece.regex.pattern)[0]
            parts.append(template % {name: values[name] for name in params})
        return "/" + "".join(parts)

    def __str__(self):
        return self.key


def routes_of(resolver: URLResolver, pieces=(), namespaces=()) -> list[Route]:
    routes = []
    for entry in resolver.url_patterns:
        chain = (*pieces, entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            routes += routes_of(entry, chain, inner)
        elif isinstance(entry, URLPattern):
            # Joined as ResolverMatch.route joins them (an inner regex loses its "^").
            pattern = "".join(
                str(piece).removeprefix("^") if i else str(piece) for i, piece in enumerate(chain)
            )
            key = ":".join((*namespaces, entry.name)) if entry.name else pattern
            routes.append(Route(key, pattern, chain, entry.callback))
    return routes


def table_problems(routes: list[Route], rules: dict[str, Rule]) -> list[str]:
    """Routes missing from the table, and table entries that match no route."""
    keys = {route.key for route in routes}
    problems = [
        f"unclassified route {route.key!r} (pattern {route.pattern!r}, view "
        f"{route.callback.__module__}.{route.callback.__qualname__}): add it to RULES"
        for route in routes
        if route.key not in rules
    ]
    problems += [
        f"RULES entry {key!r} matches no route of the URLconf"
        for key, rule in rules.items()
        if key not in keys and not rule.optional
    ]
    return problems


ROUTES = routes_of(get_resolver())
CLASSIFIED = [route for route in ROUTES if route.key in RULES]
PROTECTED = [route for route in CLASSIFIED if RULES[route.key].kind != PUBLIC]
ROLE_ONLY = [route for route in CLASSIFIED if RULES[route.key].kind == ROLE]
REPORTS_ONLY = [route for route in CLASSIFIED if RULES[route.key].kind == REPORTS]
WITH_ARGUMENTS = [route for route in CLASSIFIED if route.params]

# --- The test's people and objects ------------------------------------------------------


@dataclass
class World:
    users: dict
    objects: dict
    rows: dict  # the row the admin's per-model routes open, by "app_label.model"
    calendar_token: str
    # The same kinds of object in a draft plan (see _draft_plan_build).
    draft: dict = field(default_factory=dict)

    def row(self, label):
        """The chosen row of a model, else its first one."""
        row = self.rows.get(label) or apps.get_model(label)._default_manager.order_by("pk").first()
        assert row is not None, f"the route tests need a row of {label}: create one in _world_build"
        return row


def _world_build() -> World:
    """Agency A leads a task on which B cooperates; C has nothing to do with it. A's
    report on the deadline carries an evidence file; B has added a contribution."""
    User = get_user_model()
    agencies = {key: AgencyFactory(code=f"url-{key}", short_name=f"ĐV {key.upper()}") for key in "abc"}
    coordinating = AgencyFactory(code="so-ngoai-vu", name="Sở Ngoại vụ", short_name="Sở Ngoại vụ")

    def user(username, role, agency=None, **extra):
        person = User.objects.create_user(username, password="Mat-khau-2026", agency=agency, **extra)
        person.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
        return person

    review = Permission.objects.get(codename="review_progressreport", content_type__app_label="plans")
    users = {
        "officer_a": user("canbo.a", Role.OFFICER, agencies["a"]),
        "officer_b": user("canbo.b", Role.OFFICER, agencies["b"]),
        "officer_c": user("canbo.c", Role.OFFICER, agencies["c"]),
        "coordinator": user("ngoaivu", Role.COORDINATOR, coordinating, is_staff=True),
        "leader": user("lanhdao", Role.LEADER),
        # A leader given the right to review reports (separation of duties).
        "reviewing_leader": user("lanhdao.duyet", Role.LEADER),
        "superuser": User.objects.create_superuser("quantri", password="Mat-khau-2026"),
    }
    users["reviewing_leader"].user_permissions.add(review)
    today = timezone.localdate()
    area = ContentAreaFactory(plan=PlanFactory(coordinating_agency=coordinating))
    task = TaskFactory(
        area=area,
        plan=area.plan,
        lead_agency=agencies["a"],
        due_on=today + datetime.timedelta(days=10),
        title=TRACKED_MARKER,
    )
    task.cooperating_agencies.add(agencies["b"])
    deadline = Deadline.objects.create(
        task=task,
        responsible_agency_id=task.lead_agency_id,
        due_on=task.due_on,
        period_start=task.due_on.replace(month=1, day=1),
        period_label="Thời hạn",
    )
    report = services.report_submit(
        deadline=deadline,
        user=users["officer_a"],
        state="in_progress",
        percent=40,
        narrative="Đang thực hiện.",
        files=[SimpleUploadedFile("bao-cao.pdf", PDF_BYTES)],
    )
    contribution = services.contribution_add(
        deadline=deadline,
        user=users["officer_b"],
        text="Ý kiến phối hợp.",
        files=[SimpleUploadedFile("y-kien.pdf", PDF_BYTES)],
    )
    # A reorganisation of an agency of its own (renamed into a new one), so that no
    # other row of the world changes.
    renamed = AgencyFactory(code="url-d", short_name="ĐV D")
    reorganisation = services.reorganisation_apply(
        spec=ReorganisationSpec(
            kind="rename",
            effective_on=today,
            predecessors=(renamed,),
            successors=(
                Agency(name="Đơn vị D mới", short_name="ĐV D mới", code="url-d-moi", kind="department"),
            ),
            legal_basis="1/NQ-HĐND",
            legal_basis_date=today,
        ),
        user=users["coordinator"],
        today=today,
    )
    objects = {
        "plan": area.plan,
        "reorganisation": reorganisation,
        "area": area,
        "task": task,
        "deadline": deadline,
        "report": report,
        "evidence": report.evidence.get(),
        "contribution": contribution,
        "holiday": Holiday.objects.create(date=datetime.date(2026, 9, 2), name="Quốc khánh"),
        "policy": ReminderPolicy.objects.create(plan=area.plan),
        "reminder": ReminderLog.objects.create(
            deadline=deadline,
            agency=agencies["a"],
            kind=ReminderLog.Kind.BEFORE,
            remind_on=today,
            state=ReminderLog.State.SENT,
            claim_token="url-test",
            claimed_at=timezone.now(),
        ),
    }
    # The row of each model the admin's per-model routes open; the user row is an
    # officer's, so that deleting it (rolled back) never deletes the admin.
    chosen = {
        "auth.group": Group.objects.get(name=GROUP_NAMES[Role.OFFICER]),
        "accounts.user": users["officer_c"],
        "plans.agency": agencies["c"],
        "plans.agencygroup": AgencyGroup.objects.create(name="Các sở, ban, ngành tỉnh"),
        "plans.plan": area.plan,
        "plans.contentarea": area,
        "plans.task": task,
        "plans.deadline": deadline,
        "plans.progressreport": report,
        "plans.contribution": contribution,
        "plans.reorganisation": reorganisation,
        "plans.holiday": objects["holiday"],
        "tasks.reminderpolicy": objects["policy"],
        "tasks.reminderlog": objects["reminder"],
    }
    # Login throttling's records (django-axes), one of each.
    seen = {"user_agent": "pytest", "ip_address": "192.0.2.10", "username": "canbo.c", "http_accept": "*/*"}
    AccessAttempt.objects.create(**seen, path_info="/accounts/login/", failures_since_start=1)
    AccessLog.objects.create(**seen, path_info="/accounts/login/")
    AccessFailureLog.objects.create(**seen, path_info="/accounts/login/", locked_out=False)
    objects["periodic_report"] = document_services.periodic_report_create(
        user=users["coordinator"], plan=area.plan, period=ReportPeriod.quarter_containing(today)
    )
    chosen["documents.periodicreport"] = objects["periodic_report"]
    objects["import_job"] = document_services.plan_import_job_create(
        plan=area.plan, user=users["coordinator"], rows=b"[]", file_name="bang.xlsx", accept_proposals=False
    )
    chosen["documents.agencynamemapping"] = AgencyNameMapping.objects.create(
        name="Ban Chỉ đạo đối ngoại",
        key="ban chỉ đạo đối ngoại",
        agency=agencies["a"],
        decided_at=timezone.now(),
    )
    token = document_services.calendar_token_get_or_create(agency=agencies["a"])
    draft = _draft_plan_build(users, agencies, coordinating, due_on=task.due_on)
    return World(users=users, objects=objects, rows=chosen, calendar_token=token, draft=draft)


# Text only a draft plan holds: no page, export, report or feed may show it to anyone
# who does not edit plans.
DRAFT_MARKERS = ("Nhiệm vụ trong dự thảo ĐV A", "Nhiệm vụ trong dự thảo ĐV D", "Báo cáo trong dự thảo")
# The agency that leads only a draft task: on no row of the overview's agency table.
ONLY_DRAFT_AGENCY = "Đơn vị chỉ có dự thảo"
# Text of the tracked plan's task, which the same pages do show (the positive control).
TRACKED_MARKER = "Nhiệm vụ đang theo dõi"


def _draft_plan_build(users, agencies, coordinating, *, due_on) -> dict:
    """A draft plan: a task led by A with B cooperating, with A's report (evidence) and
    B's contribution, written while the plan was in force and then taken back to draft;
    and a task led by D, an agency that has nothing else."""
    only_draft = AgencyFactory(code="url-d", name="Đơn vị chỉ có dự thảo", short_name="Đơn vị chỉ có dự thảo")
    plan = PlanFactory(coordinating_agency=coordinating, number="999/KH-DT")
    area = ContentAreaFactory(plan=plan)
    tasks = [
        TaskFactory(area=area, plan=plan, lead_agency=agencies["a"], due_on=due_on, title=DRAFT_MARKERS[0]),
        TaskFactory(area=area, plan=plan, lead_agency=only_draft, due_on=due_on, title=DRAFT_MARKERS[1]),
    ]
    tasks[0].cooperating_agencies.add(agencies["b"])
    deadlines = [
        Deadline.objects.create(
            task=task,
            responsible_agency_id=task.lead_agency_id,
            due_on=due_on,
            period_start=due_on.replace(month=1, day=1),
            period_label="Thời hạn",
        )
        for task in tasks
    ]
    report = services.report_submit(
        deadline=deadlines[0],
        user=users["officer_a"],
        state="done",
        percent=100,
        narrative="Báo cáo trong dự thảo.",
        files=[SimpleUploadedFile("du-thao.pdf", PDF_BYTES)],
    )
    contribution = services.contribution_add(
        deadline=deadlines[0], user=users["officer_b"], text="Ý kiến trong dự thảo.", files=[]
    )
    # A periodic report issued while the plan was in force.
    periodic_report = document_services.periodic_report_create(
        user=users["coordinator"], plan=plan, period=ReportPeriod.quarter_containing(timezone.localdate())
    )
    periodic_report.signer_name = "Nguyễn Văn A"
    periodic_report.save()
    document_services.periodic_report_issue(
        user=users["coordinator"], report=periodic_report, number="1/BC-DT", issued_on=timezone.localdate()
    )
    plan.status = Plan.Status.DRAFT
    plan.save()
    return {
        "periodic_report": periodic_report,
        "plan": plan,
        "deadline": deadlines[0],
        "report": report,
        "evidence": report.evidence.get(),
        "contribution": contribution,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end;
    each test runs in its own savepoint (``db``), so what a test's POST changes is
    undone before the next test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _world_build()
        transaction.set_rollback(True)


# --- Requests ---------------------------------------------------------------------------


def outcome(response) -> str:
    """The response as the expectations spell it: "404", "redirect:login", ..."""
    if response.streaming:
        # Read to the end: the test client then closes the file (as a WSGI server would)
        # without firing request_finished, which would close the test's connection.
        b"".join(response.streaming_content)
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        try:
            return f"redirect:{resolve(target).view_name}"
        except Resolver404:
            return f"redirect:{target}"
    return str(response.status_code)


def client_for(world, who, **kwargs) -> Client:
    client = Client(**kwargs)
    if who is not None:
        client.force_login(world.users[who])
    return client


def send(client, method, url, data=None):
    return client.get(url) if method == "GET" else client.post(url, data or {})


def url_of(route, world, *, wrong_token=False) -> str:
    values = RULES[route.key].args(world)
    if wrong_token:
        values["token"] = WRONG_CALENDAR_TOKEN
    url = route.url(values)
    match = resolve(url)
    assert match.func is route.callback and match.route == route.pattern, (
        f"{route.key}: the URL built for it, {url}, resolves to {match.route!r} instead"
    )
    return url


@contextlib.contextmanager
def csrf_rejections():
    """The reasons CsrfViewMiddleware logs for the requests it refuses meanwhile."""
    reasons = []

    class Collect(logging.Handler):
        def emit(self, record):
            reasons.append(record.args[0] if record.args else record.getMessage())

    logger = logging.getLogger("django.security.csrf")
    handler = Collect(level=logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield reasons
    finally:
        logger.removeHandler(handler)


def ids(routes):
    return [route.key for route in routes]


# --- (d) the table and the URLconf agree ------------------------------------------------


def test_every_route_is_classified_and_every_rule_is_a_route():
    problems = table_problems(ROUTES, RULES)
    assert not problems, "\n".join(problems)


def test_a_route_added_without_a_rule_is_named():
    def new_page(request):
        raise AssertionError("never called")

    urlconf = [*get_resolver().url_patterns, path("trang-moi/<int:pk>/", new_page, name="trang-moi")]
    with_new = table_problems(routes_of(URLResolver(get_resolver().pattern, urlconf)), RULES)
    added = [problem for problem in with_new if problem not in table_problems(ROUTES, RULES)]
    assert len(added) == 1 and added[0].startswith("unclassified route 'trang-moi'"), added
    assert "trang-moi/<int:pk>/" in added[0] and "new_page" in added[0]
    # and a rule left behind by a removed route
    stale = table_problems(ROUTES, {**RULES, "trang-cu": Rule(LOGGED_IN)})
    assert "RULES entry 'trang-cu' matches no route of the URLconf" in stale


# --- positive control -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("route", CLASSIFIED, ids=ids(CLASSIFIED))
def test_the_user_a_route_is_for_gets_its_normal_answer(world, route):
    rule = RULES[route.key]
    got = outcome(send(client_for(world, rule.user), rule.methods[0], url_of(route, world)))
    if rule.ok is None:
        assert got not in (ADMIN_LOGIN_REDIRECT, "404"), f"{route}: {rule.user} got {got}"
    else:
        assert got in rule.ok, f"{route}: {rule.user} got {got}, expected {sorted(rule.ok)}"


# --- (a) anonymous visitors -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("route", PROTECTED, ids=ids(PROTECTED))
def test_an_anonymous_visitor_is_refused(world, route):
    rule = RULES[route.key]
    if rule.kind == TOKEN:
        url = url_of(route, world, wrong_token=True)
        refusal = "404"
    else:
        url = url_of(route, world)
        refusal = rule.anonymous or (ADMIN_LOGIN_REDIRECT if rule.kind == ADMIN else LOGIN_REDIRECT)
    client = Client()
    for method in ("GET", "POST"):
        got = outcome(send(client, method, url))
        # A method the route does not take may be refused as such; no content either way.
        expected = {refusal} if method in rule.methods else {refusal, "405"}
        assert got in expected, f"{route}: anonymous {method} {url} got {got}, expected {sorted(expected)}"


# --- (b) an officer of an unrelated agency ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("route", WITH_ARGUMENTS, ids=ids(WITH_ARGUMENTS))
def test_an_officer_of_an_unrelated_agency_gets_nothing(world, route):
    rule = RULES[route.key]
    client = client_for(world, "officer_c")
    if rule.kind == TOKEN:
        # The token, not the session, opens the feed: the right one for anyone (so also
        # this officer), a wrong one for no one.
        assert outcome(client.get(url_of(route, world))) == "200"
        expected = {"GET": "404", "POST": "405"}
        url = url_of(route, world, wrong_token=True)
    elif rule.kind == ADMIN:
        expected = {"GET": ADMIN_LOGIN_REDIRECT, "POST": ADMIN_LOGIN_REDIRECT}
        url = url_of(route, world)
    else:
        assert rule.outsider, f"{route}: say in RULES what an unrelated agency's officer gets"
        expected = rule.outsider
        url = url_of(route, world)
    got = {method: outcome(send(client, method, url)) for method in expected}
    assert got == expected, f"{route}: officer of an unrelated agency on {url}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROLE_ONLY, ids=ids(ROLE_ONLY))
def test_a_role_route_refuses_an_officer(world, route):
    """The coordinators' and leaders' pages refuse an officer, even of the lead agency."""
    rule = RULES[route.key]
    url = url_of(route, world)
    client = client_for(world, "officer_a")
    for method in ("GET", "POST"):
        got = outcome(send(client, method, url))
        expected = {"403"} if method in rule.methods else {"403", "405"}
        assert got in expected, f"{route}: officer {method} {url} got {got}, expected {sorted(expected)}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", REPORTS_ONLY, ids=ids(REPORTS_ONLY))
def test_a_periodic_report_route_is_not_found_by_an_officer(world, route):
    """The periodic reports do not exist for an officer, even of the lead agency."""
    rule = RULES[route.key]
    url = url_of(route, world)
    client = client_for(world, "officer_a")
    for method in ("GET", "POST"):
        got = outcome(send(client, method, url))
        expected = {"404"} if method in rule.methods else {"404", "405"}
        assert got in expected, f"{route}: officer {method} {url} got {got}, expected {sorted(expected)}"


# --- (c) CSRF ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("route", CLASSIFIED, ids=ids(CLASSIFIED))
def test_a_post_without_csrf_token_is_refused(world, route):
    rule = RULES[route.key]
    url = url_of(route, world)
    client = client_for(world, rule.user, enforce_csrf_checks=True)
    secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    # The browser of a logged-in user sends its CSRF cookie along with a forged POST.
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    with csrf_rejections() as refused:
        got = outcome(client.post(url, {}))
    assert (got, refused) == ("403", [REASON_CSRF_TOKEN_MISSING]), f"{route}: POST {url} without a token"
    # The same POST with the token passes the CSRF check (what the view then does is its own).
    with csrf_rejections() as refused:
        outcome(client.post(url, {"csrfmiddlewaretoken": secret}))
    assert refused == [], f"{route}: POST {url} with a valid token refused: {refused}"


# --- (e) draft plans --------------------------------------------------------------------

# Everyone who does not edit plans: the lead and the cooperating agency's officers, a
# leader, and a leader given the right to review reports.
NOT_EDITING_PLANS = ("officer_a", "officer_b", "leader", "reviewing_leader")
DRAFT_OBJECT_ROUTES = [route for route in WITH_ARGUMENTS if RULES[route.key].draft]
PORTAL_GET_ROUTES = [
    route
    for route in CLASSIFIED
    if route.key in PORTAL_RULES and "GET" in RULES[route.key].methods and not route.params
]


def users_of(route) -> tuple[str, ...]:
    """Those of NOT_EDITING_PLANS who pass the route's own role check."""
    if RULES[route.key].kind == REPORTS:
        # Officers never find a report (above): the leaders are the ones to check.
        return ("leader", "reviewing_leader")
    if RULES[route.key].kind != ROLE:
        return NOT_EDITING_PLANS
    if route.key in ("review-queue", "report-review", "deadline-waive", "deadline-waiver-cancel"):
        return ("reviewing_leader",)
    return ("leader", "reviewing_leader")


def cases(routes):
    return [pytest.param(route, who, id=f"{route.key}-{who}") for route in routes for who in users_of(route)]


def text_of(response) -> str:
    """What a response shows: the page, every cell of a workbook, or a Word file's XML."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith(XLSX_CONTENT_TYPE):
        workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row
        )
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as package:
            body = b"".join(package.read(name) for name in package.namelist() if name.endswith(".xml"))
    return body.decode("utf-8")


def test_every_route_on_an_object_says_what_a_draft_gives():
    """A new route on an object must say what its draft plan's object answers."""
    missing = [
        route.key
        for route in WITH_ARGUMENTS
        if RULES[route.key].kind in (AGENCY, LOGGED_IN, ROLE, REPORTS) and not RULES[route.key].draft
    ]
    assert missing == [], f"say in RULES (draft=) what a draft plan's object answers: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "who"), cases(DRAFT_OBJECT_ROUTES))
def test_a_draft_plans_objects_are_not_found(world, route, who):
    """Deadline page, report and contribution posts, evidence, the plan page and the
    review of its report: 404 for everyone who does not edit plans, the lead agency's
    own officers included, and nothing is saved."""
    rule = RULES[route.key]
    url = route.url(rule.args(dataclasses.replace(world, objects=world.draft)))
    client = client_for(world, who)
    reports = ProgressReport.objects.count()
    got = {
        method: outcome(send(client, method, url, {"state": "done", "percent": 100, "text": "x"}))
        for method in rule.draft
    }
    assert got == rule.draft, f"{route}: {who} on the draft plan's {url}"
    assert ProgressReport.objects.count() == reports
    world.draft["report"].refresh_from_db()
    assert world.draft["report"].review_state == ProgressReport.ReviewState.SUBMITTED


DRAFT_GET_ROUTES = [route for route in DRAFT_OBJECT_ROUTES if RULES[route.key].methods == GET]


@pytest.mark.django_db
@pytest.mark.parametrize("route", DRAFT_GET_ROUTES, ids=ids(DRAFT_GET_ROUTES))
def test_the_coordinator_still_opens_a_draft_plans_objects(world, route):
    """The control: those who write plans see their drafts, so the 404s above come from
    the draft rule and not from a wrong URL."""
    url = route.url(RULES[route.key].args(dataclasses.replace(world, objects=world.draft)))
    assert outcome(client_for(world, "coordinator").get(url)) == "200"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "who"), cases(PORTAL_GET_ROUTES))
def test_no_page_export_or_feed_shows_a_draft_plan(world, route, who):
    """Lists, dashboards, the review queue, Excel exports and the calendar feed: no
    task, agency or report of a draft plan."""
    response = client_for(world, who).get(url_of(route, world), follow=True)
    assert response.status_code == 200, f"{route}: {who} got {response.status_code}"
    shown = text_of(response)
    leaked = [marker for marker in DRAFT_MARKERS if marker in shown]
    assert leaked == [], f"{route}: {who} sees the draft plan's {leaked}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/deadlines/?plan={plan}", "/deadlines/export.xlsx", "/review/", "/dashboard/"]
)
def test_the_draft_check_reads_real_content(world, path):
    """The control for the test above: the same pages show the tracked plan's task."""
    who = "reviewing_leader" if path == "/review/" else "officer_a"
    response = client_for(world, who).get(path.format(plan=world.objects["plan"].pk))
    shown = text_of(response)
    assert TRACKED_MARKER in shown, shown[-3000:]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["coordinator", "leader"])
def test_the_word_report_refuses_a_draft_plan(world, who):
    """The periodic report offers no draft plan; asking for one by id gives no file."""
    draft = world.draft["plan"]
    response = client_for(world, who).get(
        f"/overview/report.docx?plan={draft.pk}&period={draft.period_start.year}"
    )
    assert outcome(response) == "redirect:province-overview"
    tracked = world.objects["plan"]
    response = client_for(world, who).get(
        f"/overview/report.docx?plan={tracked.pk}&period={timezone.localdate().year}"
    )
    assert outcome(response) == "200" and TRACKED_MARKER in text_of(response)


@pytest.mark.django_db
def test_the_overview_counts_no_agency_for_its_draft_tasks(world):
    """An agency whose only task is in a draft plan has no row in the overview's table."""
    response = client_for(world, "leader").get("/overview/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    agencies = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert world.users["officer_a"].agency.name in agencies, agencies
    assert ONLY_DRAFT_AGENCY not in agencies, agencies
