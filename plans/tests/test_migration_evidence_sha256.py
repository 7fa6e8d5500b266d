"""Migration 0011 on a database written before it: each stored evidence file whose size
still matches the upload gets its SHA-256; a missing or resized file gets none, so that
it is reported as damaged instead of being certified."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from plans.tests.environment import migrate_to
from plans.tests.sample_files import PDF_BYTES

BEFORE = [("plans", "0010_agency_life_span_and_reorganisations")]
AFTER = [("plans", "0011_evidence_sha256")]


@pytest.mark.django_db(transaction=True)
def test_existing_files_are_fingerprinted_unless_missing_or_resized():
    apps = migrate_to(BEFORE)
    Agency = apps.get_model("plans", "Agency")
    Plan = apps.get_model("plans", "Plan")
    Task = apps.get_model("plans", "Task")
    Deadline = apps.get_model("plans", "Deadline")
    ProgressReport = apps.get_model("plans", "ProgressReport")
    EvidenceFile = apps.get_model("plans", "EvidenceFile")
    agency = Agency.objects.create(code="so-a", name="Sở A", short_name="Sở A", kind="department")
    plan = Plan.objects.create(
        number="6/KH-UBND", title="Kế hoạch thử", period_start="2026-01-01", coordinating_agency=agency
    )
    area = plan.areas.create(number=1, title="Nội dung 1")
    task = Task.objects.create(plan=plan, area=area, code="1.1", title="Nhiệm vụ", lead_agency=agency)
    deadline = Deadline.objects.create(
        task=task,
        responsible_agency=agency,
        due_on="2026-12-31",
        ends_on="2026-12-31",
        period_start="2026-01-01",
        period_label="a",
    )
    report = ProgressReport.objects.create(
        deadline=deadline, agency=agency, state="in_progress", percent=10, submitted_at=timezone.now()
    )

    def evidence(name, stored_bytes, recorded_size):
        stored = default_storage.save(f"evidence/2026/12/{name}", ContentFile(stored_bytes))
        return EvidenceFile.objects.create(
            report=report,
            file=stored,
            original_name=name,
            content_type="application/pdf",
            size=recorded_size,
            uploaded_at=timezone.now(),
        ).pk

    intact = evidence("nguyen.pdf", PDF_BYTES, len(PDF_BYTES))
    resized = evidence("bi-cat.pdf", PDF_BYTES[:50], len(PDF_BYTES))
    missing = evidence("mat.pdf", PDF_BYTES, len(PDF_BYTES))
    default_storage.delete(EvidenceFile.objects.get(pk=missing).file.name)

    apps = migrate_to(AFTER)
    EvidenceFile = apps.get_model("plans", "EvidenceFile")
    fingerprints = dict(EvidenceFile.objects.values_list("pk", "sha256"))
    assert fingerprints == {intact: hashlib.sha256(PDF_BYTES).hexdigest(), resized: "", missing: ""}

    migrate_to(None)
