"""Names the portal lacks, decided in the import's preview: a new agency with the kind
and short name the coordinator chose, or an existing agency or group, remembered for
the next imports (``AgencyNameMapping``), by the admin and the command alike."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from documents.imports import ImportRejected, NameDecision, Outcome, decisions_check, import_preview
from documents.models import AgencyNameMapping, ImportJob
from documents.services import plan_import_apply
from documents.tests.test_import import (  # noqa: F401 (fixtures)
    apply,
    coordinator,
    known,
    plan,
    stash_dir,
    upload,
    xlsx,
)
from plans.models import Agency, AgencyGroup, Task
from plans.tests.fixtures import make_user

pytestmark = pytest.mark.django_db

STEERING = "Ban Chỉ đạo công tác thông tin đối ngoại tỉnh"
ROWS = [
    ["5.1", 5, "Tuyên truyền đối ngoại", "", STEERING, "Sở Nội vụ", "31/12/2019"],
    ["5.2", 5, "Báo cáo đối ngoại", "", "Sở Nội vụ", STEERING, "Hằng quý"],
]


def form(*decisions, review=False, accept=False):
    """The preview's form as a browser posts it: one entry per proposed name, in the
    preview's order."""
    data = {"action": "apply"}
    for index, fields in enumerate(decisions):
        data.update({f"decision-{index}-{key}": value for key, value in fields.items()})
    if review:
        data["review"] = "Xem lại"
    if accept:
        data["accept_proposals"] = "on"
    return data


def post(client, plan, data):  # noqa: F811
    return client.post(reverse("admin:plans_plan_import", args=[plan.pk]), data)


def test_a_name_mapped_in_the_preview_links_the_tasks_and_is_remembered(
    coordinator,  # noqa: F811
    plan,  # noqa: F811
    known,  # noqa: F811
    stash_dir,  # noqa: F811
    tmp_path,
):
    agencies = Agency.objects.count()
    data = xlsx(ROWS)
    html = upload(coordinator, plan, data).content.decode()
    # Proposed for creation by default, kind and short name filled in from the guess.
    assert f'name="decision-0-name" value="{STEERING}"' in html
    assert 'name="decision-0-choice" value="create" checked' in html
    assert '<option value="department" selected>' in html  # "Ban …" reads as a department
    assert f'name="decision-0-short_name" value="{STEERING}"' in html

    mapped = {"name": STEERING, "kind": "agency", "choice": "map", "target": known["ngoai-vu"].pk}
    review = post(coordinator, plan, form(mapped, review=True)).content.decode()
    # Recomputed with the choice: both rows now create tasks with Sở Ngoại vụ; nothing saved.
    assert "Tạo mới: <strong>2</strong>" in review and "Cần quyết định: <strong>0</strong>" in review
    assert "<td>Sở Ngoại vụ</td>" in review  # row 2's lead
    assert f'<option value="{known["ngoai-vu"].pk}" selected>Sở Ngoại vụ</option>' in review
    assert not Task.objects.exists() and not AgencyNameMapping.objects.exists()

    response = post(coordinator, plan, form(mapped))
    assert response.status_code == 302
    assert Task.objects.get(code="5.1").lead_agency == known["ngoai-vu"]
    assert list(Task.objects.get(code="5.2").cooperating_agencies.all()) == [known["ngoai-vu"]]
    assert Agency.objects.count() == agencies  # no new agency
    mapping = AgencyNameMapping.objects.get()
    assert (mapping.name, mapping.agency, mapping.group) == (STEERING, known["ngoai-vu"], None)
    assert mapping.decided_by.username == "ngoaivu"
    assert mapping.source == "Kế hoạch 139/KH-UBND, tệp “bang.xlsx”"
    follow = coordinator.get(response["Location"]).content.decode()
    assert "Đã lưu 1 tên cơ quan đã chọn, để lần nhập sau tự nhận ra." in follow

    # The next import of the same file needs no decision, and says why.
    again = upload(coordinator, plan, data).content.decode()
    assert "Cần quyết định: <strong>0</strong>" in again and "Không đổi: <strong>2</strong>" in again
    assert f"“{STEERING}” là Sở Ngoại vụ (theo lựa chọn đã lưu)</td><td>2, 3</td>" in again
    assert 'name="decision-0-name"' not in again

    # So does the command, with no option.
    path = tmp_path / "bang.xlsx"
    path.write_bytes(xlsx([*ROWS, ["5.3", 5, "Mới", "", STEERING, "", "Hằng quý"]]))
    out = io.StringIO()
    call_command("import_plan", str(path), "--plan", "139/KH-UBND", stdout=out)
    assert f"  “{STEERING}” là Sở Ngoại vụ (theo lựa chọn đã lưu) – dòng 2, 3, 4" in out.getvalue()
    assert out.getvalue().splitlines()[-1] == "rows: 3 read, 1 imported, 0 skipped, 0 need a decision"
    assert Task.objects.get(code="5.3").lead_agency == known["ngoai-vu"]


def test_the_kind_and_short_name_chosen_are_those_of_the_created_agency(plan, known):  # noqa: F811
    decision = NameDecision(
        "agency", STEERING, "create", agency_kind=Agency.Kind.OTHER, short_name="  BCĐ TTĐN   tỉnh "
    )
    assert decisions_check([decision]) == {}
    preview = import_preview(plan=plan, file=xlsx(ROWS), decisions=[decision])
    assert preview.rows[0].decisions == [
        f"Cơ quan chủ trì: Không tìm thấy cơ quan “{STEERING}”. Đề xuất: Tạo cơ quan “{STEERING}” (loại: "
        "Đơn vị khác, tên viết tắt: BCĐ TTĐN tỉnh)."
    ]
    result = plan_import_apply(plan=plan, file=xlsx(ROWS), decisions=[decision], accept_proposals=True)
    assert (result.created, result.proposals, result.mapped) == (2, 1, 0)
    created = Agency.objects.get(name=STEERING)
    assert (created.kind, created.short_name) == ("other", "BCĐ TTĐN tỉnh")
    assert Task.objects.get(code="5.1").lead_agency == created
    # It keeps the written name, so it matches by itself: no mapping is needed.
    assert not AgencyNameMapping.objects.exists()
    again = import_preview(
        plan=plan, file=xlsx([*ROWS, ["5.3", 5, "Mới", "", "BCĐ TTĐN tỉnh", "", "Hằng quý"]])
    )
    assert [row.outcome for row in again.rows] == [Outcome.UNCHANGED, Outcome.UNCHANGED, Outcome.CREATE]


@pytest.mark.parametrize(
    "short_name, message",
    [
        (
            "Sở TT&TT",
            "Tên viết tắt “Sở TT&TT” đã dùng cho Sở Thông tin và Truyền thông: hãy ghi tên khác, hoặc chọn "
            f"“là đơn vị đã có” cho “{STEERING}”.",
        ),
        ("so-noi-vu", "Tên viết tắt “so-noi-vu” đã dùng cho Sở Nội vụ: hãy ghi tên khác"),
        ("   ", f"Hãy ghi tên viết tắt cho cơ quan “{STEERING}”."),
        ("Hội Hữu nghị", "Tên viết tắt “Hội Hữu nghị” trùng với cơ quan “Hội Hữu nghị tỉnh” cũng được tạo"),
    ],
)
def test_an_invalid_short_name_is_refused_in_vietnamese_and_nothing_is_saved(
    coordinator,  # noqa: F811
    plan,  # noqa: F811
    known,  # noqa: F811
    stash_dir,  # noqa: F811
    short_name,
    message,
):
    rows = [*ROWS, ["5.3", 5, "Giao lưu", "", "Sở Nội vụ", "Hội Hữu nghị tỉnh", "Hằng quý"]]
    upload(coordinator, plan, xlsx(rows))
    agencies = Agency.objects.count()
    bad = {"name": STEERING, "kind": "agency", "choice": "create", "agency_kind": "other"}
    friendship = {"name": "Hội Hữu nghị tỉnh", "kind": "agency", "choice": "create"}
    friendship.update(agency_kind="mass_organisation", short_name="Hội Hữu nghị")
    response = post(coordinator, plan, form({**bad, "short_name": short_name}, friendship, accept=True))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chưa lưu gì: có lựa chọn chưa hợp lệ" in html
    assert f'<ul class="errorlist"><li>{message}' in html.replace("&amp;", "&")
    typed = " ".join(short_name.split())
    assert f'name="decision-0-short_name" value="{typed}"' in html.replace("&amp;", "&")  # to correct
    assert not Task.objects.exists() and Agency.objects.count() == agencies
    assert not AgencyNameMapping.objects.exists()

    # The file is kept: corrected, the same form applies.
    fixed = post(coordinator, plan, form({**bad, "short_name": "BCĐ TTĐN"}, friendship, accept=True))
    assert fixed.status_code == 302
    assert Agency.objects.get(short_name="BCĐ TTĐN").name == STEERING


def test_the_service_refuses_an_invalid_decision_before_saving_anything(plan, known):  # noqa: F811
    ended = known["tu-phap"]
    ended.ended_on = datetime.date(2025, 3, 1)
    ended.save()
    decisions = [
        NameDecision("agency", STEERING, "map", target_id=ended.pk),
        NameDecision("group", "Các cơ quan liên quan", "map", target_id=None),
    ]
    with pytest.raises(ValidationError) as excinfo:
        plan_import_apply(plan=plan, file=xlsx(ROWS), decisions=decisions, accept_proposals=True)
    assert excinfo.value.messages == [
        f"Sở Tư pháp không còn hoạt động: hãy chọn cơ quan khác cho “{STEERING}”.",
        "Hãy chọn nhóm cơ quan mà “Các cơ quan liên quan” chỉ.",
    ]
    assert not Task.objects.exists() and not AgencyNameMapping.objects.exists()


def test_a_near_miss_has_no_default_and_is_mapped_to_a_suggestion(
    coordinator,  # noqa: F811
    plan,  # noqa: F811
    known,  # noqa: F811
    stash_dir,  # noqa: F811
):
    rows = [["5.1", 5, "Nhiệm vụ", "", "Sở TTTT", "Sở Nội vụ", "Hằng quý"]]
    # Accepting the proposals does not guess which agency "Sở TTTT" is.
    with pytest.raises(ImportRejected):
        plan_import_apply(plan=plan, file=xlsx(rows), accept_proposals=True)
    assert not Agency.objects.filter(name="Sở TTTT").exists()

    html = upload(coordinator, plan, xlsx(rows)).content.decode()
    assert 'value="create" checked' not in html and 'value="map" checked' not in html
    tttt = known["tttt"].pk
    assert (
        f'<optgroup label="Gợi ý"><option value="{tttt}" selected>Sở Thông tin và Truyền thông</option>'
        in html
    )
    refused = post(coordinator, plan, form({"name": "Sở TTTT", "kind": "agency", "choice": ""}, accept=True))
    assert "còn tên gần giống tên cơ quan đã có mà chưa chọn" in refused.content.decode()
    assert not Task.objects.exists()

    response = post(
        coordinator, plan, form({"name": "Sở TTTT", "kind": "agency", "choice": "map", "target": tttt})
    )
    assert response.status_code == 302
    assert Task.objects.get(code="5.1").lead_agency == known["tttt"]
    assert AgencyNameMapping.objects.get().key == "sở tttt"
    # Remembered: the next preview reads it, however it is spaced or cased.
    preview = import_preview(
        plan=plan, file=xlsx([["5.1", 5, "Nhiệm vụ", "", "SỞ  TTTT", "Sở Nội vụ", "Hằng quý"]])
    )
    assert [row.outcome for row in preview.rows] == [Outcome.UNCHANGED]
    assert [name.label for name in preview.remembered] == [
        "“Sở TTTT” là Sở Thông tin và Truyền thông (theo lựa chọn đã lưu)"
    ]


def test_a_collective_phrase_is_mapped_to_an_existing_group(plan, known, django_user_model):  # noqa: F811
    departments = AgencyGroup.objects.create(name="Các sở, ban, ngành tỉnh")
    user = make_user(django_user_model, "ngoaivu", "coordinator", known["ngoai-vu"])
    rows = [["5.1", 5, "Nhiệm vụ", "", "Sở Nội vụ", "Các sở, ngành có liên quan", "Hằng quý"]]
    preview = import_preview(plan=plan, file=xlsx(rows))
    assert [(p.kind, p.name) for p in preview.proposals] == [("group", "Các sở, ngành có liên quan")]

    decision = NameDecision("group", "Các sở, ngành có liên quan", "map", target_id=departments.pk)
    result = plan_import_apply(plan=plan, file=xlsx(rows), user=user, decisions=[decision])
    assert (result.created, result.proposals, result.mapped) == (1, 0, 1)
    assert list(Task.objects.get(code="5.1").cooperating_groups.all()) == [departments]
    assert AgencyGroup.objects.count() == 1
    assert AgencyNameMapping.objects.get().group == departments
    assert [row.outcome for row in import_preview(plan=plan, file=xlsx(rows)).rows] == [Outcome.UNCHANGED]


def test_a_saved_mapping_to_an_agency_since_ended_is_refused_with_the_rule_for_ended_agencies(
    plan,  # noqa: F811
    known,  # noqa: F811
):
    decision = NameDecision("agency", STEERING, "map", target_id=known["tu-phap"].pk)
    plan_import_apply(plan=plan, file=xlsx(ROWS), decisions=[decision])
    Agency.objects.filter(pk=known["tu-phap"].pk).update(ended_on=datetime.date(2025, 3, 1))
    preview = import_preview(plan=plan, file=xlsx(ROWS))
    assert [row.outcome for row in preview.rows] == [Outcome.REJECTED] * 2
    assert preview.rows[0].errors == [
        f"Cơ quan chủ trì: “{STEERING}” theo lựa chọn đã lưu là Sở Tư pháp đã ngừng hoạt động từ "
        "01/03/2025. Hãy ghi cơ quan hiện nay. Lựa chọn đã lưu có thể xóa ở trang quản trị “Tên cơ quan đã "
        "chọn khi nhập”."
    ]


def test_the_command_accepts_the_guessed_defaults(plan, known, tmp_path):  # noqa: F811
    path = tmp_path / "bang.xlsx"
    path.write_bytes(xlsx(ROWS))
    with pytest.raises(CommandError):
        call_command("import_plan", str(path), "--plan", "139/KH-UBND", stdout=io.StringIO())
    call_command(
        "import_plan", str(path), "--plan", "139/KH-UBND", "--accept-proposals", stdout=io.StringIO()
    )
    created = Agency.objects.get(name=STEERING)
    assert (created.kind, created.short_name) == ("department", STEERING)
    assert not AgencyNameMapping.objects.exists()


def test_the_command_refuses_a_near_miss_even_with_the_proposals_accepted(plan, known, tmp_path):  # noqa: F811
    path = tmp_path / "bang.xlsx"
    path.write_bytes(xlsx([["5.1", 5, "Nhiệm vụ", "", "Sở TTTT", "", "Hằng quý"]]))
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_plan", str(path), "--plan", "139/KH-UBND", "--accept-proposals", stdout=out)
    assert "Chưa chọn cơ quan cho tên gần giống tên cơ quan đã có: “Sở TTTT”; không lưu gì." in str(
        excinfo.value
    )
    assert out.getvalue().splitlines()[-1] == "rows: 1 read, 0 imported, 0 skipped, 1 need a decision"
    assert not Task.objects.exists() and not Agency.objects.filter(name="Sở TTTT").exists()


def test_deciding_and_reviewing_mappings_need_the_import_permissions(
    client,
    coordinator,  # noqa: F811
    plan,  # noqa: F811
    known,  # noqa: F811
    stash_dir,  # noqa: F811
    django_user_model,
):
    mapped = {"name": STEERING, "kind": "agency", "choice": "map", "target": known["ngoai-vu"].pk}
    upload(coordinator, plan, xlsx(ROWS))
    officer = make_user(django_user_model, "canbo", "officer", known["tttt"])
    officer.is_staff = True
    officer.save()
    with pytest.raises(PermissionDenied):
        plan_import_apply(
            plan=plan, file=xlsx(ROWS), user=officer, decisions=[NameDecision("agency", STEERING)]
        )

    # The coordinator's session is replaced by the officer's.
    client.force_login(officer)
    for data in (form(mapped, review=True), form(mapped)):
        assert post(client, plan, data).status_code == 403
    assert not Task.objects.exists() and not AgencyNameMapping.objects.exists()
    changelist = reverse("admin:documents_agencynamemapping_changelist")
    assert client.get(changelist).status_code == 403

    coordinator_user = django_user_model.objects.get(username="ngoaivu")
    client.force_login(coordinator_user)
    upload(client, plan, xlsx(ROWS))
    assert post(client, plan, form(mapped)).status_code == 302
    mapping = AgencyNameMapping.objects.get()
    page = client.get(changelist).content.decode()
    assert STEERING in page
    assert reverse("admin:documents_agencynamemapping_add") not in page
    change = reverse("admin:documents_agencynamemapping_change", args=[mapping.pk])
    assert STEERING in client.get(change).content.decode()  # read only
    assert client.post(change, {"name": "Tên khác"}).status_code == 403
    delete = reverse("admin:documents_agencynamemapping_delete", args=[mapping.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not AgencyNameMapping.objects.exists()
    # Deleted, the name is proposed again.
    assert import_preview(plan=plan, file=xlsx(ROWS)).proposals[0].name == STEERING


def test_a_name_mapped_both_as_an_agency_and_as_a_group_or_too_long_to_keep_is_refused(plan, known):  # noqa: F811
    group = AgencyGroup.objects.create(name="Các sở, ban, ngành tỉnh")
    phrase, long_name = "Các cơ quan liên quan", "Ban " + "x" * 500
    decisions = [
        NameDecision("agency", phrase, "map", target_id=known["noi-vu"].pk),
        NameDecision("group", phrase, "map", target_id=group.pk),
        NameDecision("agency", long_name, "map", target_id=known["noi-vu"].pk),
    ]
    twice = f"Tên “{phrase}” vừa là cơ quan vừa là nhóm cơ quan: hãy chọn một cách cho tên này."
    assert list(decisions_check(decisions).values()) == [
        twice,
        twice,
        f"Tên “{long_name}” dài quá 500 ký tự để lưu lựa chọn: hãy sửa tên trong tệp.",
    ]
    assert decisions_check(decisions[1:2]) == {}


def test_a_background_import_carries_out_the_names_chosen_in_the_preview(
    coordinator,  # noqa: F811
    plan,  # noqa: F811
    known,  # noqa: F811
    stash_dir,  # noqa: F811
    settings,
):
    """A file applied by a job (more rows than PLAN_IMPORT_BACKGROUND_ROWS; no broker, so
    the job runs in the request that queues it) maps the name as chosen, as an apply in
    the page would; an invalid choice is sent back to the preview, nothing queued."""
    settings.PLAN_IMPORT_BACKGROUND_ROWS = 1
    settings.CELERY_BROKER_URL = ""
    upload(coordinator, plan, xlsx(ROWS))
    invalid = {"name": STEERING, "kind": "agency", "choice": "create", "agency_kind": "department"}
    refused = post(coordinator, plan, form({**invalid, "short_name": ""}))
    assert refused.status_code == 200 and not ImportJob.objects.exists() and not Task.objects.exists()

    mapped = {"name": STEERING, "kind": "agency", "choice": "map", "target": known["ngoai-vu"].pk}
    response = post(coordinator, plan, form(mapped))
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("admin:plans_plan_import_job", args=[plan.pk, job.pk])
    assert job.state == ImportJob.State.DONE, job.errors
    assert job.decisions == [
        {
            "kind": "agency",
            "name": STEERING,
            "choice": "map",
            "agency_kind": "",
            "short_name": "",
            "target_id": known["ngoai-vu"].pk,
        }
    ]
    assert Task.objects.get(code="5.1").lead_agency == known["ngoai-vu"]
    assert AgencyNameMapping.objects.get().agency == known["ngoai-vu"]
