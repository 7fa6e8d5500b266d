"""Agency reorganisations: a merge, a split by function, a rename and the end of the
district level, each applied through the service the admin calls, on the real database.

Every test checks that nothing is lost (tasks, deadlines, reports, evidence,
contributions), that past reports keep the agency as it was and print its successor,
that the successor's dashboard carries the open work it inherited, and that reminders
go to the successor from the effective date (to the old agency before it)."""

import dataclasses
import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from plans import selectors
from plans.admin import TaskAdminForm
from plans.models import (
    Agency,
    AgencyGroup,
    Contribution,
    Deadline,
    EvidenceFile,
    ProgressReport,
    Reorganisation,
    Task,
)
from plans.selectors import DeadlineFilter, ReorganisationSpec, status_dates_get
from plans.services import reorganisation_apply, reorganisation_reverse, task_create
from plans.tests.factories import AgencyFactory, ContentAreaFactory, PlanFactory, ProgressReportFactory
from plans.tests.fixtures import make_user
from plans.tests.sample_files import PDF_BYTES
from tasks.models import ReminderLog
from tasks.services import reminder_sweep

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 12, 1)
MERGED_ON = D(2025, 3, 1)  # departments merged (the 2025 national pattern)
DISTRICTS_END = D(2025, 7, 1)  # two-tier local government
DISTRICTS = [
    "Thành phố Điện Biên Phủ",
    "Thị xã Mường Lay",
    "Huyện Điện Biên",
    "Huyện Điện Biên Đông",
    "Huyện Mường Ảng",
    "Huyện Mường Chà",
    "Huyện Mường Nhé",
    "Huyện Nậm Pồ",
    "Huyện Tủa Chùa",
    "Huyện Tuần Giáo",
]


class Province:
    """A plan of 2019 with yearly tasks (due 15/12) and their history: accepted reports
    with evidence for 2019–2023, contributions, and 2024 left open (overdue)."""

    def __init__(self, django_user_model):
        self.ngoaivu = AgencyFactory(code="so-ngoai-vu", name="Sở Ngoại vụ", short_name="Sở Ngoại vụ")
        self.plan = PlanFactory(number="139/KH-UBND", coordinating_agency=self.ngoaivu)
        self.areas = {n: ContentAreaFactory(plan=self.plan, number=n) for n in (1, 5)}
        self.coordinator = make_user(django_user_model, "ngoaivu", "coordinator", self.ngoaivu)
        self.coordinator.is_staff = True  # the admin's pages
        self.coordinator.save()
        self.users = django_user_model
        self.agencies = {}

    def agency(self, code, name, short_name, kind=Agency.Kind.DEPARTMENT, **fields):
        agency = AgencyFactory(code=code, name=name, short_name=short_name, kind=kind, **fields)
        self.agencies[code] = agency
        return agency

    def task(self, code, area, lead, cooperating=()):
        task = task_create(
            plan=self.plan,
            area=self.areas[area],
            code=code,
            title=f"Nhiệm vụ {code}",
            lead_agency=lead,
            schedule=Task.Schedule.YEARLY,
            due_day=15,
            due_month=12,
            cooperating_agencies=cooperating,
            today=TODAY,
        )
        for deadline in task.deadlines.filter(due_on__year__lte=2023):
            report = ProgressReportFactory(
                deadline=deadline, agency=lead, narrative=f"Kết quả {deadline.due_on.year}"
            )
            EvidenceFile.objects.create(
                report=report,
                file="evidence/x.pdf",
                original_name="x.pdf",
                content_type="application/pdf",
                size=len(PDF_BYTES),
                uploaded_at=report.submitted_at,
            )
            for agency in cooperating:
                Contribution.objects.create(
                    deadline=deadline,
                    agency=agency,
                    text="Ý kiến phối hợp.",
                    submitted_at=report.submitted_at,
                )
        return task

    def officer(self, agency, username):
        return make_user(self.users, username, "officer", agency)

    def apply(self, kind, predecessors, successors=(), **fields):
        spec = ReorganisationSpec(
            kind=kind,
            effective_on=fields.pop("effective_on", MERGED_ON),
            predecessors=tuple(predecessors),
            successors=tuple(successors),
            legal_basis=fields.pop("legal_basis", "01/NQ-HĐND"),
            legal_basis_date=fields.pop("legal_basis_date", D(2025, 2, 20)),
            **fields,
        )
        return reorganisation_apply(spec=spec, user=self.coordinator, today=TODAY)


@pytest.fixture
def province(django_user_model):
    return Province(django_user_model)


def snapshot():
    """Everything that must survive a reorganisation, row for row."""
    return {
        "tasks": sorted(Task.objects.values_list("pk", "plan_id", "code")),
        "deadlines": sorted(Deadline.objects.values_list("pk", "task_id", "due_on")),
        "reports": sorted(ProgressReport.objects.values_list("pk", "deadline_id", "agency_id", "narrative")),
        "evidence": sorted(EvidenceFile.objects.values_list("pk", "report_id")),
        "contributions": sorted(Contribution.objects.values_list("pk", "deadline_id", "agency_id")),
    }


def deadline_of(task, year):
    return task.deadlines.get(due_on__year=year)


def dashboard(officer):
    return selectors.agency_dashboard_get(
        user=officer,
        agency_id=officer.agency_id,
        filters=DeadlineFilter(),
        dates=status_dates_get(today=TODAY),
    )


def reminded(day):
    """(agency id, kind) of every reminder the sweep of ``day`` plans."""
    return set(reminder_sweep(today=day, dry_run=True).planned)


def reminder_agencies_between(start, end):
    agencies, day = set(), start
    while day <= end:
        agencies |= {agency_id for agency_id, kind in reminded(day) if kind != ReminderLog.Kind.ESCALATION}
        day += datetime.timedelta(days=1)
    return agencies


def assert_reminders_follow(*, old_ids, new_ids, effective_on):
    """The two weeks before the effective date remind the old agencies (their open 2024
    deadline is overdue) and not the successors; the two weeks from it on remind only
    the successors, never the old agencies."""
    relevant = set(old_ids) | set(new_ids)
    week = datetime.timedelta(days=14)
    before = (
        reminder_agencies_between(effective_on - week, effective_on - datetime.timedelta(days=1)) & relevant
    )
    after = reminder_agencies_between(effective_on, effective_on + week) & relevant
    assert before == set(old_ids)
    assert after and after <= set(new_ids)


def test_merge_of_two_departments_into_a_new_one(province, client):
    tnmt = province.agency(
        "so-tnmt", "Sở Tài nguyên và Môi trường", "Sở TN&MT", reminder_emails="tnmt@example.vn"
    )
    nnptnt = province.agency("so-nnptnt", "Sở Nông nghiệp và Phát triển nông thôn", "Sở NN&PTNT")
    merged = province.agency("so-nnmt", "Sở Nông nghiệp và Môi trường", "Sở NN&MT", began_on=MERGED_ON)
    other = province.agency("so-tu-phap", "Sở Tư pháp", "Sở Tư pháp")
    land = province.task("1.1", 1, tnmt, cooperating=[nnptnt, other])
    farm = province.task("1.2", 1, nnptnt, cooperating=[tnmt])
    unrelated = province.task("1.3", 1, other, cooperating=[tnmt])
    officer_tnmt = province.officer(tnmt, "canbo.tnmt")
    before = snapshot()

    event = province.apply(Reorganisation.Kind.MERGE, [tnmt, nnptnt], [merged], accounts_to=merged)

    assert snapshot() == before
    for task in (land, farm):
        task.refresh_from_db()
        assert task.lead_agency == merged
        # The history as it was: 2024 is the old agency's, 2025 on the successor's.
        assert deadline_of(task, 2024).responsible_agency_id in (tnmt.pk, nnptnt.pk)
        assert deadline_of(task, 2025).responsible_agency == merged
        assert deadline_of(task, 2027).responsible_agency == merged
    assert list(land.cooperating_agencies.all()) == [other]  # the new lead does not cooperate on its own task
    assert list(unrelated.cooperating_agencies.all()) == [merged]
    tnmt.refresh_from_db()
    assert (tnmt.ended_on, tnmt.is_active, str(tnmt)) == (MERGED_ON, False, "Sở TN&MT (nay: Sở NN&MT)")
    assert event.links.count() == 2

    # The officer's account moved with the agency, and so did its reminder address.
    officer_tnmt.refresh_from_db()
    merged.refresh_from_db()
    assert officer_tnmt.agency == merged
    assert "tnmt@example.vn" in merged.reminder_emails

    # Statistics of 2024 count the old agency; of 2025, the successor; "as today" folds.
    dates = status_dates_get(today=TODAY)
    for year, expected in [
        (2024, {"Sở TN&MT (nay: Sở NN&MT)", "Sở NN&PTNT (nay: Sở NN&MT)"}),
        (2025, {"Sở NN&MT"}),
    ]:
        groups = selectors.province_agency_progress(
            user=province.coordinator, filters=DeadlineFilter(year=year), dates=dates
        )
        assert {group.label for group in groups} - {"Sở Tư pháp"} == expected
    folded = selectors.province_agency_progress(
        user=province.coordinator, filters=DeadlineFilter(year=2024, agencies_as="today"), dates=dates
    )
    assert {group.label: group.total for group in folded} == {"Sở NN&MT": 2, "Sở Tư pháp": 1}
    client.force_login(province.coordinator)
    # The report period 2025 (Decree 09: 15/12/2024–14/12/2025) holds the deadlines of 15/12/2024.
    overview = reverse("province-overview")
    then = client.get(overview, {"period": "2025"}).content.decode()
    today = client.get(overview, {"period": "2025", "agencies_as": "today"}).content.decode()
    row = '<th scope="row" class="fw-normal">{}'
    assert row.format("Sở TN&amp;MT (nay: Sở NN&amp;MT)") in then and row.format("Sở NN&amp;MT") not in then
    assert row.format("Sở NN&amp;MT") in today and row.format("Sở TN&amp;MT") not in today
    assert 'name="agencies_as"' in today

    # The successor's dashboard: the open 2024 deadlines it inherited, and its own from 2025.
    board = dashboard(officer_tnmt)
    assert {d.pk for d in board.inherited} == {deadline_of(land, 2024).pk, deadline_of(farm, 2024).pk}
    assert board.total == 4  # 2025 and 2026 of both tasks (2027's period has not begun)

    # A past report still names the old agency, with its successor.
    client.force_login(officer_tnmt)
    page = client.get(reverse("deadline-detail", args=[deadline_of(land, 2020).pk])).content.decode()
    assert "Sở TN&amp;MT (nay: Sở NN&amp;MT)" in page
    assert ProgressReport.objects.filter(deadline__task=land, agency=tnmt).count() == 5

    assert_reminders_follow(old_ids=[tnmt.pk, nnptnt.pk], new_ids=[merged.pk], effective_on=MERGED_ON)


def test_split_by_function_asks_for_each_task_then_moves_area_5_apart(province, client):
    tttt = province.agency("so-tttt", "Sở Thông tin và Truyền thông", "Sở TT&TT")
    khcn = province.agency("so-khcn", "Sở Khoa học và Công nghệ", "Sở KH&CN")
    vhttdl = province.agency("so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch", "Sở VH,TT&DL")
    info = province.task("5.1", 5, tttt, cooperating=[province.ngoaivu])
    digital = province.task("1.1", 1, tttt)
    joint = province.task("5.2", 5, province.ngoaivu, cooperating=[tttt])
    officer = province.officer(tttt, "canbo.tttt")
    officer_vh = province.officer(vhttdl, "canbo.vh")
    before = snapshot()
    spec = dict(accounts_to=khcn)

    # Without an answer for each task nothing is applied, and nothing changes.
    preview = selectors.reorganisation_preview_get(
        spec=ReorganisationSpec(
            kind="split", effective_on=MERGED_ON, predecessors=(tttt,), successors=(khcn, vhttdl), **spec
        ),
        today=TODAY,
    )
    assert {(q.task.code, q.role) for q in preview.questions} == {
        ("5.1", "lead"),
        ("1.1", "lead"),
        ("5.2", "cooperate"),
    }
    assert preview.deadline_count == 6 and preview.inherited_count == 2
    with pytest.raises(ValidationError, match="Chưa chọn cơ quan kế nhiệm"):
        province.apply("split", [tttt], [khcn, vhttdl], **spec)
    assert snapshot() == before
    tttt.refresh_from_db()
    assert tttt.is_active and tttt.ended_on is None and not Reorganisation.objects.exists()

    # Area 5 (foreign information) to Sở VH,TT&DL, the rest to Sở KH&CN.
    choices = {info.pk: vhttdl, joint.pk: vhttdl, digital.pk: khcn}
    province.apply("split", [tttt], [khcn, vhttdl], choices=choices, **spec)

    assert snapshot() == before
    info.refresh_from_db(), digital.refresh_from_db()
    assert (info.lead_agency, digital.lead_agency) == (vhttdl, khcn)
    assert list(joint.cooperating_agencies.all()) == [vhttdl]
    assert deadline_of(info, 2024).responsible_agency == tttt
    assert deadline_of(info, 2025).responsible_agency == vhttdl
    assert deadline_of(digital, 2026).responsible_agency == khcn

    board = dashboard(officer_vh)
    assert [d.pk for d in board.inherited] == [deadline_of(info, 2024).pk]
    assert {d.task_id for d in board.upcoming} == {info.pk}
    assert board.total == 2  # 2025 and 2026 (2027's period has not begun)
    # The officer of the old department now works for Sở KH&CN, and sees its share.
    officer.refresh_from_db()
    assert officer.agency == khcn
    assert [d.pk for d in dashboard(officer).inherited] == [deadline_of(digital, 2024).pk]

    client.force_login(officer_vh)
    page = client.get(reverse("deadline-detail", args=[deadline_of(info, 2021).pk])).content.decode()
    assert "Sở TT&amp;TT (nay: Sở KH&amp;CN, Sở VH,TT&amp;DL)" in page
    # The successor reports on the open deadline it inherited; the report names it.
    dashboard_page = client.get(reverse("agency-dashboard")).content.decode()
    assert "Việc tiếp nhận từ cơ quan trước đây" in dashboard_page and "5.1. Nhiệm vụ 5.1" in dashboard_page

    assert_reminders_follow(old_ids=[tttt.pk], new_ids=[khcn.pk, vhttdl.pk], effective_on=MERGED_ON)


def test_rename_creates_the_new_agency_keeps_the_old_name_in_history_and_can_be_reversed(province, client):
    dan_toc = province.agency(
        "ban-dan-toc", "Ban Dân tộc", "Ban Dân tộc", reminder_emails="bandantoc@example.vn"
    )
    task = province.task("1.1", 1, dan_toc)
    officer = province.officer(dan_toc, "canbo.dantoc")
    before = snapshot()
    renamed = Agency(name="Sở Dân tộc và Tôn giáo", short_name="Sở DT&TG", code="so-dttg", kind="department")

    event = province.apply("rename", [dan_toc], [renamed], accounts_to=renamed)

    assert snapshot() == before
    renamed = Agency.objects.get(code="so-dttg")
    assert renamed.began_on == MERGED_ON
    task.refresh_from_db()
    assert task.lead_agency == renamed
    assert deadline_of(task, 2024).responsible_agency == dan_toc
    officer.refresh_from_db()
    assert officer.agency == renamed
    assert [d.pk for d in dashboard(officer).inherited] == [deadline_of(task, 2024).pk]
    # The old name is still recognised, and offers its successor (imports, filters, search).
    match = selectors.agency_match(text="  ban dân TỘC ")
    assert match.agency == dan_toc and match.successors.agencies == [renamed]
    assert "nay là: Sở Dân tộc và Tôn giáo" in match.message
    assert dan_toc in selectors.filter_choices()["agencies"]
    client.force_login(officer)
    page = client.get(reverse("deadline-detail", args=[deadline_of(task, 2019).pk])).content.decode()
    assert "Ban Dân tộc (nay: Sở DT&amp;TG)" in page
    assert_reminders_follow(old_ids=[dan_toc.pk], new_ids=[renamed.pk], effective_on=MERGED_ON)

    # Reversed by a second event: the first stays, everything it moved comes back.
    reversal = reorganisation_reverse(
        event=event, user=province.coordinator, legal_basis="02/NQ-HĐND", legal_basis_date=D(2025, 4, 1)
    )
    assert Reorganisation.objects.count() == 2 and reversal.reverses == event
    assert snapshot() == before
    task.refresh_from_db(), dan_toc.refresh_from_db(), officer.refresh_from_db(), renamed.refresh_from_db()
    assert (task.lead_agency, officer.agency, deadline_of(task, 2026).responsible_agency) == (dan_toc,) * 3
    assert (dan_toc.is_active, dan_toc.ended_on, str(dan_toc)) == (True, None, "Ban Dân tộc")
    assert "bandantoc@example.vn" not in renamed.reminder_emails and not renamed.is_active
    assert selectors.agency_match(text="Ban Dân tộc").successors.agencies == []
    with pytest.raises(ValidationError, match="đã được hủy bỏ"):
        reorganisation_reverse(
            event=event, user=province.coordinator, legal_basis="x", legal_basis_date=TODAY
        )
    # The task's history records both events.
    reasons = [row.history_change_reason for row in task.history.all()]
    assert any("Đổi tên" in (reason or "") for reason in reasons)
    assert any("Hủy bỏ" in (reason or "") for reason in reasons)


def test_dissolution_of_the_ten_districts_hands_their_work_to_the_communes_group(province, client):
    districts = [
        province.agency(
            f"huyen-{n}", name, name, kind=Agency.Kind.DISTRICT, reminder_emails=f"h{n}@example.vn"
        )
        for n, name in enumerate(DISTRICTS)
    ]
    communes = [
        province.agency(f"xa-{n}", f"UBND xã thử nghiệm {n}", f"UBND xã TN {n}", kind=Agency.Kind.COMMUNE)
        for n in (1, 2)
    ]
    old_phrase = AgencyGroup.objects.create(name="UBND các huyện, thị xã, thành phố")
    old_phrase.members.set(districts)
    communes_group = AgencyGroup.objects.create(name="UBND các xã, phường")
    communes_group.members.set(communes)
    tttt = province.agency("so-tttt", "Sở Thông tin và Truyền thông", "Sở TT&TT")
    # The one sourced pattern: a department leads, every district cooperates.
    info = province.task("5.1", 5, tttt, cooperating=districts)
    led = province.task("1.1", 1, districts[6])  # a task a district leads
    district_officer = province.officer(districts[6], "canbo.muongnhe")
    commune_officer = province.officer(communes[0], "canbo.xa1")
    before = snapshot()
    spec = dict(effective_on=DISTRICTS_END, successor_group=communes_group, legal_basis="202/2025/QH15")

    with pytest.raises(ValidationError, match="1.1"):
        province.apply("dissolve", districts, **spec)
    assert snapshot() == before and all(Agency.objects.get(pk=d.pk).is_active for d in districts)

    province.apply("dissolve", districts, choices={led.pk: communes[0]}, **spec)

    assert snapshot() == before
    info.refresh_from_db(), led.refresh_from_db()
    assert info.cooperating_agencies.count() == 0
    assert list(info.cooperating_groups.all()) == [communes_group]
    assert led.lead_agency == communes[0]
    assert deadline_of(led, 2024).responsible_agency == districts[6]
    assert deadline_of(led, 2025).responsible_agency == communes[0]
    assert Agency.objects.filter(kind=Agency.Kind.DISTRICT, is_active=True).count() == 0
    # The district's account is locked: its agency no longer exists.
    district_officer.refresh_from_db()
    assert not district_officer.is_active
    # "UBND các huyện, thị xã, thành phố" reads as written; from 01/07/2025 it means the communes.
    assert set(selectors.agency_group_members_on(group=old_phrase, day=D(2025, 6, 30))) == set(districts)
    assert selectors.agency_group_members_on(group=old_phrase, day=DISTRICTS_END) == communes

    assert [d.pk for d in dashboard(commune_officer).inherited] == [deadline_of(led, 2024).pk]
    # The other commune cooperates through the group: it sees the task and contributes.
    other_commune = province.officer(communes[1], "canbo.xa2")
    assert {d.task_id for d in dashboard(other_commune).cooperating_open} == {info.pk}
    client.force_login(other_commune)
    open_2026 = deadline_of(info, 2026)
    info_page = client.get(reverse("deadline-detail", args=[open_2026.pk])).content.decode()
    assert "UBND các xã, phường" in info_page
    assert f'action="{reverse("contribution-add", args=[open_2026.pk])}"' in info_page
    client.force_login(commune_officer)
    page = client.get(reverse("deadline-detail", args=[deadline_of(led, 2022).pk])).content.decode()
    assert "Huyện Mường Nhé (nay: UBND các xã, phường)" in page
    assert_reminders_follow(old_ids=[districts[6].pk], new_ids=[communes[0].pk], effective_on=DISTRICTS_END)


def test_only_a_coordinator_applies_and_an_event_cannot_be_back_dated_into_the_future(
    province, django_user_model
):
    tttt = province.agency("so-tttt", "Sở Thông tin và Truyền thông", "Sở TT&TT")
    khcn = province.agency("so-khcn", "Sở Khoa học và Công nghệ", "Sở KH&CN")
    officer = province.officer(tttt, "canbo.tttt")
    spec = ReorganisationSpec(
        kind="merge",
        effective_on=MERGED_ON,
        predecessors=(tttt,),
        successors=(khcn,),
        legal_basis="1/NQ-HĐND",
        legal_basis_date=D(2025, 2, 20),
    )
    with pytest.raises(PermissionDenied):
        reorganisation_apply(spec=spec, user=officer, today=TODAY)
    future = dataclasses.replace(spec, effective_on=TODAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="Ngày có hiệu lực chưa đến"):
        reorganisation_apply(spec=future, user=province.coordinator, today=TODAY)
    assert not Reorganisation.objects.exists() and Agency.objects.get(pk=tttt.pk).is_active


def test_admin_preview_lists_every_change_asks_then_applies_and_reverses(province, client):
    tttt = province.agency(
        "so-tttt", "Sở Thông tin và Truyền thông", "Sở TT&TT", reminder_emails="tttt@example.vn"
    )
    tttt.calendar_token = "t" * 40
    tttt.save()
    khcn = province.agency("so-khcn", "Sở Khoa học và Công nghệ", "Sở KH&CN")
    vhttdl = province.agency("so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch", "Sở VH,TT&DL")
    info = province.task("5.1", 5, tttt)
    province.officer(tttt, "canbo.tttt")
    press_officer = province.officer(tttt, "canbo.baochi")
    before = snapshot()
    client.force_login(province.coordinator)
    url = reverse("admin:plans_reorganisation_add")
    form = {
        "kind": "split",
        "legal_basis": "01/NQ-HĐND",
        "legal_basis_date": "20/02/2025",
        "effective_on": "01/03/2025",
        "predecessors": [tttt.pk],
        "successors": [khcn.pk, vhttdl.pk],
        "accounts": str(khcn.pk),
    }
    page = client.post(url, {**form, "action": "preview"}).content.decode()
    assert 'id="reorg-question-count">1<' in page
    assert "canbo.tttt (Sở TT&amp;TT) → Sở KH&amp;CN" in page
    assert "tttt@example.vn → thêm vào địa chỉ của Sở KH&amp;CN" in page
    assert "đường dẫn lịch hạn đang dùng sẽ ngừng" in page
    assert 'id="reorg-deadline-count">3<' in page
    assert "reorg-apply-button" not in page

    refused = client.post(url, {**form, "action": "apply"}).content.decode()
    assert "Chưa chọn cơ quan kế nhiệm cho các nhiệm vụ: 139/KH-UBND 5.1" in refused
    assert snapshot() == before and not Reorganisation.objects.exists()

    # One officer follows the foreign information work to Sở VH,TT&DL; the other goes with the general choice.
    answered = {**form, f"task_{info.pk}": str(vhttdl.pk), f"user_{press_officer.pk}": str(vhttdl.pk)}
    assert "reorg-apply-button" in client.post(url, {**answered, "action": "preview"}).content.decode()
    response = client.post(url, {**answered, "action": "apply"})
    event = Reorganisation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:plans_reorganisation_change", args=[event.pk]
    )
    assert event.applied_by == province.coordinator
    info.refresh_from_db()
    assert info.lead_agency == vhttdl and snapshot() == before
    press_officer.refresh_from_db()
    assert press_officer.agency == vhttdl
    assert province.users.objects.get(username="canbo.tttt").agency == khcn

    # The admin's "recent actions" record the event too.
    assert LogEntry.objects.filter(object_id=str(event.pk), user=province.coordinator).exists()
    detail = client.get(response["Location"]).content.decode()
    assert "Hủy bỏ sự kiện này" in detail
    reverse_url = reverse("admin:plans_reorganisation_reverse", args=[event.pk])
    back = client.post(reverse_url, {"legal_basis": "02/NQ-HĐND", "legal_basis_date": "01/04/2025"})
    assert back.status_code == 302
    info.refresh_from_db()
    assert info.lead_agency == tttt and Reorganisation.objects.count() == 2


def test_admin_preview_counts_the_cooperations_it_lists(province, client):
    tttt = province.agency("so-tttt", "Sở Thông tin và Truyền thông", "Sở TT&TT")
    khcn = province.agency("so-khcn", "Sở Khoa học và Công nghệ", "Sở KH&CN")
    province.task("1.1", 1, province.ngoaivu, cooperating=[tttt])
    province.task("1.2", 1, khcn, cooperating=[tttt])
    client.force_login(province.coordinator)
    form = {
        "kind": "merge",
        "legal_basis": "01/NQ-HĐND",
        "legal_basis_date": "20/02/2025",
        "effective_on": "01/03/2025",
        "predecessors": [tttt.pk],
        "successors": [khcn.pk],
        "accounts": str(khcn.pk),
        "action": "preview",
    }
    page = client.post(reverse("admin:plans_reorganisation_add"), form).content.decode()
    # Both cooperations are listed; the summary line counts the same rows.
    table = page.split('id="reorg-cooperations"')[1].split("</table>")[0]
    assert table.count("<tr") == 3  # the header and one row per cooperation
    assert 'id="reorg-cooperation-count">2<' in page


def test_admin_reorganisation_pages_refuse_an_officer(province, client):
    tttt = province.agency("so-tttt", "Sở Thông tin và Truyền thông", "Sở TT&TT")
    officer = province.officer(tttt, "canbo.tttt")
    officer.is_staff = True
    officer.save()
    client.force_login(officer)
    response = client.post(reverse("admin:plans_reorganisation_add"), {"action": "apply"})
    assert response.status_code == 403


def test_an_ended_agency_takes_no_new_task_in_the_admin_and_shows_its_successor(province):
    tttt = province.agency("so-tttt", "Sở Thông tin và Truyền thông", "Sở TT&TT")
    khcn = province.agency("so-khcn", "Sở Khoa học và Công nghệ", "Sở KH&CN")
    province.apply("merge", [tttt], [khcn])
    data = {
        "plan": province.plan.pk,
        "area": province.areas[5].pk,
        "code": "5.9",
        "title": "Nhiệm vụ mới",
        "lead_agency": tttt.pk,
        "cooperating_agencies": [tttt.pk],
        "schedule": Task.Schedule.UNSPECIFIED,
    }
    form = TaskAdminForm(data=data)
    message = (
        "Sở Thông tin và Truyền thông đã ngừng hoạt động từ 01/03/2025; nay là: Sở Khoa học và Công nghệ. "
        "Hãy chọn cơ quan hiện nay."
    )
    assert not form.is_valid()
    assert form.errors["lead_agency"] == [message]
    assert message in form.errors["cooperating_agencies"]
    current = {**data, "lead_agency": khcn.pk, "cooperating_agencies": [], "confirm_deadlines": "on"}
    assert TaskAdminForm(data=current).is_valid()


def test_the_coordinating_department_merged_hands_on_the_plans_it_coordinates(province):
    """Where the department of foreign affairs itself is merged (as in several provinces
    in 2025), its plans' coordination and the escalations go to its successor."""
    vp = province.agency("vp-ubnd", "Văn phòng UBND tỉnh", "VP UBND tỉnh")
    lead = province.agency("so-tu-phap", "Sở Tư pháp", "Sở Tư pháp")
    province.task("1.1", 1, lead)
    before = snapshot()
    event = province.apply("merge", [province.ngoaivu], [vp], accounts_to=vp)
    assert snapshot() == before
    province.plan.refresh_from_db()
    province.coordinator.refresh_from_db()
    assert province.plan.coordinating_agency == vp and province.coordinator.agency == vp
    escalated = {
        agency_id
        for day in (D(2025, 3, 3), D(2025, 3, 10))
        for agency_id, kind in reminded(day)
        if kind == ReminderLog.Kind.ESCALATION
    }
    assert escalated == {vp.pk}
    reorganisation_reverse(event=event, user=province.coordinator, legal_basis="2/NQ", legal_basis_date=TODAY)
    province.plan.refresh_from_db()
    assert province.plan.coordinating_agency == province.ngoaivu


def test_loading_plan_139_again_after_a_reorganisation_changes_nothing(django_user_model):
    """The loader keeps the 2019 agencies as the sources give them: run again after the
    coordinator entered the 2025 split, it neither revives Sở TT&TT nor hands task 5.1
    back to it."""
    call_command("load_plan139", verbosity=0)
    tttt, khcn, vh = (Agency.objects.get(code=code) for code in ("so-tttt", "so-khcn", "so-vhttdl"))
    coordinator = make_user(
        django_user_model, "ngoaivu", "coordinator", Agency.objects.get(code="so-ngoai-vu")
    )
    task = Task.objects.get(plan__number="139/KH-UBND", code="5.1")
    spec = ReorganisationSpec(
        kind="split",
        effective_on=MERGED_ON,
        predecessors=(tttt,),
        successors=(khcn, vh),
        choices={task.pk: vh},
        legal_basis="01/NQ-HĐND",
        legal_basis_date=D(2025, 2, 20),
    )
    reorganisation_apply(spec=spec, user=coordinator, today=TODAY)
    before = (snapshot(), sorted(Agency.objects.values_list("code", "name", "is_active", "ended_on")))
    call_command("load_plan139", verbosity=0)
    assert (snapshot(), sorted(Agency.objects.values_list("code", "name", "is_active", "ended_on"))) == before
    task.refresh_from_db()
    assert task.lead_agency == vh
    assert Agency.objects.get(code="so-tttt").name == "Sở Thông tin và Truyền thông"


def test_a_function_moved_takes_only_the_named_tasks_and_the_old_agency_carries_on(province):
    ldtbxh = province.agency("so-ldtbxh", "Sở Lao động – Thương binh và Xã hội", "Sở LĐ-TB&XH")
    noi_vu = province.agency("so-noi-vu", "Sở Nội vụ", "Sở Nội vụ")
    moved = province.task("1.1", 1, ldtbxh)
    kept = province.task("1.2", 1, ldtbxh)
    officer = province.officer(ldtbxh, "canbo.ldtbxh")
    before = snapshot()
    province.apply("function_moved", [ldtbxh], [noi_vu], choices={moved.pk: noi_vu})
    assert snapshot() == before
    moved.refresh_from_db(), kept.refresh_from_db(), ldtbxh.refresh_from_db(), officer.refresh_from_db()
    assert (moved.lead_agency, kept.lead_agency, officer.agency) == (noi_vu, ldtbxh, ldtbxh)
    assert deadline_of(moved, 2026).responsible_agency == noi_vu
    assert deadline_of(kept, 2026).responsible_agency == ldtbxh
    assert ldtbxh.is_active and ldtbxh.ended_on is None and str(ldtbxh) == "Sở LĐ-TB&XH"
    assert selectors.agency_match(text="Sở LĐ-TB&XH").successors.agencies == []


def test_admin_preview_names_a_one_off_deadline_by_its_date_once(province, client):
    tttt = province.agency("so-tttt", "Sở Thông tin và Truyền thông", "Sở TT&TT")
    khcn = province.agency("so-khcn", "Sở Khoa học và Công nghệ", "Sở KH&CN")
    due = D(2025, 6, 30)
    task_create(
        plan=province.plan,
        area=province.areas[5],
        code="5.9",
        title="Nhiệm vụ một lần",
        lead_agency=tttt,
        schedule=Task.Schedule.ONE_OFF,
        due_on=due,
        today=TODAY,
    )
    client.force_login(province.coordinator)
    page = client.post(
        reverse("admin:plans_reorganisation_add"),
        {
            "kind": "merge",
            "legal_basis": "01/NQ-HĐND",
            "legal_basis_date": "20/02/2025",
            "effective_on": "01/03/2025",
            "predecessors": [tttt.pk],
            "successors": [khcn.pk],
            "accounts": "lock",
            "action": "preview",
        },
    ).content.decode()
    assert "Hạn 30/06/2025" in page
    assert "Thời hạn 30/06/2025" not in page
