"""``manage.py backup_manifest``: what a backup must reproduce, read without writing."""

import datetime
import hashlib
import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans import services
from plans.models import Agency, Deadline, EvidenceFile, ProgressReport
from plans.tests.factories import ContentAreaFactory, PlanFactory, TaskFactory
from plans.tests.fixtures import make_user
from plans.tests.sample_files import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()
PNG = png_bytes()


@pytest.fixture
def reported(django_user_model):
    """A plan of two areas and three tasks; one deadline reported with a PDF and a PNG."""
    plan = PlanFactory(number="77/KH-UBND")
    areas = [ContentAreaFactory(plan=plan, number=n) for n in (1, 2)]
    tasks = [TaskFactory(area=areas[n % 2], code=f"{n % 2 + 1}.{n}") for n in range(3)]
    due = datetime.date(2026, 12, 31)
    deadline = Deadline.objects.create(
        task=tasks[0],
        responsible_agency_id=tasks[0].lead_agency_id,
        due_on=due,
        period_start=due.replace(month=1, day=1),
        period_label="Năm 2026",
    )
    officer = make_user(django_user_model, "canbo.bao-cao", "officer", tasks[0].lead_agency)
    report = services.report_submit(
        deadline=deadline,
        user=officer,
        state=ProgressReport.State.IN_PROGRESS,
        percent=40,
        narrative="Đang triển khai.",
        files=[
            SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf"),
            SimpleUploadedFile("anh-hoi-nghi.png", PNG, content_type="image/png"),
        ],
    )
    return report


def manifest(**options) -> tuple[dict, str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("backup_manifest", stdout=out, stderr=err, **options)
    return json.loads(out.getvalue()), out.getvalue(), err.getvalue()


def test_counts_plans_and_evidence_checksums(reported):
    data, _, err = manifest()

    assert data["summary"] == {
        "agencies": Agency.objects.count(),
        "plans": 1,
        "content_areas": 2,
        "tasks": 3,
        "deadlines": 1,
        "reports": 1,
        "contributions": 0,
        "evidence_files": 2,
        "users": 1,
        "reminder_logs": 0,
        "periodic_reports": 0,
        "history_rows": data["summary"]["history_rows"],
    }
    # Every creation above went through the change history.
    assert data["counts"]["plans.HistoricalProgressReport"] == 1
    assert data["counts"]["plans.HistoricalTask"] == 3
    assert data["summary"]["history_rows"] >= 1 + 2 + 3 + 1 + 1
    assert data["plans"] == [
        {"id": reported.deadline.task.plan_id, "number": "77/KH-UBND", "areas": 2, "tasks": 3, "deadlines": 1}
    ]
    stored = list(EvidenceFile.objects.order_by("pk"))
    assert data["evidence"] == [
        {
            "id": stored[0].pk,
            "name": stored[0].file.name,
            "recorded_size": len(PDF),
            "recorded_sha256": hashlib.sha256(PDF).hexdigest(),
            "size": len(PDF),
            "sha256": hashlib.sha256(PDF).hexdigest(),
            "missing": False,
            "damaged": False,
        },
        {
            "id": stored[1].pk,
            "name": stored[1].file.name,
            "recorded_size": len(PNG),
            "recorded_sha256": hashlib.sha256(PNG).hexdigest(),
            "size": len(PNG),
            "sha256": hashlib.sha256(PNG).hexdigest(),
            "missing": False,
            "damaged": False,
        },
    ]
    assert stored[0].file.name.startswith("evidence/") and stored[0].file.name.endswith(".pdf")
    assert data["evidence_bytes"] == len(PDF) + len(PNG)
    assert data["evidence_missing"] == data["evidence_damaged"] == 0
    assert data["format"] == 2
    assert data["migrations"]["plans"]["applied"] >= 1
    assert err == ""


def test_every_model_of_the_portal_apps_is_counted_and_no_other(reported):
    data, _, _ = manifest()

    labels = set(data["counts"])
    assert {
        "plans.Agency",
        "plans.Task_cooperating_agencies",
        "plans.HistoricalTask_cooperating_agencies",
        "plans.EvidenceFile",
        "plans.Holiday",
        "accounts.User",
        "accounts.User_groups",
        "tasks.ReminderLog",
        "tasks.ReminderPolicy",
        "documents.PeriodicReport",
    } <= labels
    assert {label.split(".")[0] for label in labels} == {"plans", "accounts", "tasks", "documents"}
    assert data["counts"]["accounts.User_groups"] == 1


def test_same_data_gives_the_same_bytes_and_changed_bytes_show(reported):
    _, first, _ = manifest()
    _, second, _ = manifest()
    assert first == second

    # One byte flipped (bit rot): same name, same size, and only the checksum can tell.
    rotten = PNG[:100] + bytes([PNG[100] ^ 0xFF]) + PNG[101:]
    evidence = EvidenceFile.objects.get(content_type="image/png")
    default_storage.delete(evidence.file.name)
    default_storage.save(evidence.file.name, io.BytesIO(rotten))
    changed, third, _ = manifest()

    assert third != first
    entry = next(e for e in changed["evidence"] if e["id"] == evidence.pk)
    assert entry["size"] == len(PNG)
    assert entry["sha256"] == hashlib.sha256(rotten).hexdigest() != hashlib.sha256(PNG).hexdigest()
    # …and the fingerprint taken at upload says which of the two is the real one.
    assert entry["recorded_sha256"] == hashlib.sha256(PNG).hexdigest()
    assert entry["damaged"] is True and changed["evidence_damaged"] == 1


def test_a_missing_file_is_marked_and_warned_about(reported):
    evidence = EvidenceFile.objects.get(content_type="application/pdf")
    default_storage.delete(evidence.file.name)

    data, _, err = manifest()

    entry = next(e for e in data["evidence"] if e["id"] == evidence.pk)
    assert entry == {
        "id": evidence.pk,
        "name": evidence.file.name,
        "recorded_size": len(PDF),
        "recorded_sha256": hashlib.sha256(PDF).hexdigest(),
        "size": None,
        "sha256": None,
        "missing": True,
        "damaged": False,
    }
    assert data["evidence_missing"] == 1
    assert data["evidence_bytes"] == len(PNG)
    assert f"thiếu tệp minh chứng #{evidence.pk} “{evidence.file.name}”" in err


def replace_stored(evidence, data):
    default_storage.delete(evidence.file.name)
    default_storage.save(evidence.file.name, io.BytesIO(data))


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda e: replace_stored(e, bytes([PDF[0] ^ 0xFF]) + PDF[1:]), "khác với khi tải lên"),
        (lambda e: replace_stored(e, PDF[: len(PDF) // 2]), "khác với khi tải lên"),
        (lambda e: default_storage.delete(e.file.name), "thiếu tệp minh chứng"),
    ],
    ids=["changed-at-the-same-size", "truncated", "deleted"],
)
def test_strict_refuses_a_damaged_or_missing_file_naming_it(reported, damage, says, tmp_path):
    evidence = EvidenceFile.objects.get(content_type="application/pdf")
    damage(evidence)
    err = io.StringIO()
    output = tmp_path / "manifest.json"
    with pytest.raises(CommandError, match="1 tệp minh chứng thiếu hoặc bị hỏng"):
        call_command("backup_manifest", "--strict", "--output", str(output), stdout=io.StringIO(), stderr=err)
    assert f"Lỗi: {says}" in err.getvalue() or says in err.getvalue()
    assert f"#{evidence.pk} “{evidence.file.name}”" in err.getvalue()
    # The manifest is still written, for whoever investigates.
    assert (
        json.loads(output.read_text())["evidence_missing"]
        + json.loads(output.read_text())["evidence_damaged"]
        == 1
    )


def test_strict_passes_intact_evidence(reported, tmp_path):
    out = io.StringIO()
    call_command("backup_manifest", "--strict", "--output", str(tmp_path / "m.json"), stdout=out)
    assert "tệp minh chứng: 2" in out.getvalue()


def test_it_only_reads(reported):
    with CaptureQueriesContext(connection) as queries:
        manifest()

    statements = [query["sql"].split(None, 1)[0].upper() for query in queries.captured_queries]
    assert statements
    # DECLARE: the server-side cursor PostgreSQL reads the evidence rows through.
    assert set(statements) <= {"SELECT", "DECLARE", "SAVEPOINT", "RELEASE"}, statements


def test_output_file_holds_the_manifest_and_a_summary_is_printed(reported, tmp_path):
    _, printed, _ = manifest()
    out = io.StringIO()

    call_command("backup_manifest", output=str(tmp_path / "manifest.json"), stdout=out)

    assert (tmp_path / "manifest.json").read_text(encoding="utf-8") == printed
    assert out.getvalue().startswith("Kế hoạch: 1, nhiệm vụ: 3, hạn: 1, báo cáo: 1, tệp minh chứng: 2 (")


@pytest.mark.parametrize(
    ("snapshot", "message"),
    [
        ("00000003-0000001B-1", "cần một giao dịch mới"),
        ("'; DROP TABLE plans_plan; --", "Mã snapshot không hợp lệ"),
    ],
)
def test_snapshot_needs_a_transaction_of_its_own_and_a_valid_id(snapshot, message):
    # pytest-django runs each test inside a transaction: the command must refuse there.
    with pytest.raises(CommandError, match=message):
        call_command("backup_manifest", snapshot=snapshot, stdout=io.StringIO())
