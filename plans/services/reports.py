"""Progress reports, contributions and their evidence: submitted by agencies,
reviewed by the coordinator."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from plans import permissions
from plans.evidence import evidence_kind_of
from plans.models import (
    Contribution,
    Deadline,
    EvidenceFile,
    Plan,
    ProgressReport,
    accepted_completion,
)
from plans.selectors.deadlines import task_cooperating_ids
from plans.selectors.evidence_integrity import fingerprint_chunks
from plans.selectors.status import completion_day
from plans.services.status_tally import status_tally_mark_all
from plans.signals import report_returned

# Progress reports, contributions and their evidence (the agency workspace).


def _evidence_attach(*, files, report=None, contribution=None) -> list[EvidenceFile]:
    """Check every file first, then store them; the caller's transaction owns the rows.
    Files already written are removed again if the transaction rolls back."""
    kinds = [evidence_kind_of(upload) for upload in files]
    now = timezone.now()
    stored = []
    try:
        for upload, kind in zip(files, kinds, strict=True):
            # The fingerprint of what arrived, which backups and verify_evidence check against.
            size, sha256 = fingerprint_chunks(upload.chunks())
            evidence = EvidenceFile(
                report=report,
                contribution=contribution,
                original_name=upload.name[-255:],
                content_type=kind.content_type,
                size=size,
                sha256=sha256,
                uploaded_at=now,
            )
            evidence.file.save(upload.name, upload, save=False)
            stored.append(evidence)
            evidence.full_clean()
            evidence.save()
    except BaseException:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return stored


def _deadline_lock(deadline: Deadline) -> Deadline:
    """Serialise writes on one deadline (two officers submitting at once, or a report
    arriving while the coordinator accepts another)."""
    # The plan is read (is it a draft?) but not locked: the plan import locks it.
    return (
        Deadline.objects.select_for_update(of=("self", "task"))
        .select_related("task__plan")
        .get(pk=deadline.pk)
    )


def _refuse_draft(deadline: Deadline) -> None:
    """A draft plan is still being written: nobody reports on it yet."""
    if deadline.task.plan.status == Plan.Status.DRAFT:
        raise ValidationError(
            "Kế hoạch %(plan)s đang là dự thảo: chưa nhận báo cáo hay ý kiến phối hợp.",
            code="draft_plan",
            params={"plan": deadline.task.plan.number},
        )


def _evidence_carry(*, evidence: list[EvidenceFile], report: ProgressReport) -> None:
    """Attach files of an earlier report of the same deadline to ``report``: new rows on
    the same stored files (evidence files are never deleted, so sharing them is safe)."""
    now = timezone.now()
    for old in evidence:
        EvidenceFile.objects.create(
            report=report,
            file=old.file.name,
            original_name=old.original_name,
            content_type=old.content_type,
            size=old.size,
            sha256=old.sha256,
            uploaded_at=now,
        )


def _close_unreviewed(report: ProgressReport, *, review_state: str, user) -> None:
    report.review_state = review_state
    report._history_user = user
    report.save(update_fields=["review_state"])


@transaction.atomic
def report_submit(
    *, deadline: Deadline, user, state: str, percent: int, narrative: str, files=(), carry_evidence_ids=()
) -> ProgressReport:
    """The lead agency reports on a deadline. Refused, with nothing saved, when the user
    is not of the lead agency, when the input is invalid, or when the deadline is waived
    or already has an accepted completion report.

    A deadline has at most one report waiting for review: a new report replaces the
    waiting one, which is marked "Đã thay thế" and leaves the queue. ``carry_evidence_ids``
    names files of the deadline's earlier reports to attach again (after a return)."""
    deadline = _deadline_lock(deadline)
    if not permissions.can_submit_report(user, deadline):
        raise PermissionDenied("Chỉ cơ quan chủ trì được gửi báo cáo cho nhiệm vụ này.")
    _refuse_draft(deadline)
    if deadline.waived_at:
        raise ValidationError("Hạn này đã được miễn; không cần gửi báo cáo.", code="deadline_waived")
    if deadline.reports.filter(accepted_completion()).exists():
        raise ValidationError(
            "Hạn này đã có báo cáo hoàn thành được xác nhận; không gửi thêm báo cáo.", code="deadline_done"
        )
    carried = list(EvidenceFile.objects.filter(pk__in=carry_evidence_ids, report__deadline=deadline))
    if len(carried) != len(set(carry_evidence_ids)):
        raise ValidationError("Tệp minh chứng được chọn không thuộc báo cáo trước của hạn này.")
    for waiting in deadline.reports.filter(review_state=ProgressReport.ReviewState.SUBMITTED):
        _close_unreviewed(waiting, review_state=ProgressReport.ReviewState.SUPERSEDED, user=user)
    report = ProgressReport(
        deadline=deadline,
        state=state,
        percent=percent,
        narrative=narrative.strip(),
        submitted_by=user,
        submitted_at=timezone.now(),
        agency_id=user.agency_id,
        review_state=ProgressReport.ReviewState.SUBMITTED,
    )
    report.full_clean()
    report.save()
    _evidence_carry(evidence=carried, report=report)
    _evidence_attach(files=files, report=report)
    return report


@transaction.atomic
def report_withdraw(*, report: ProgressReport, user) -> ProgressReport:
    """The lead agency takes back a report that still waits for review ("Đã rút")."""
    deadline = _deadline_lock(report.deadline)
    if not permissions.can_submit_report(user, deadline):
        raise PermissionDenied("Chỉ cơ quan chủ trì được rút báo cáo của nhiệm vụ này.")
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.review_state != ProgressReport.ReviewState.SUBMITTED:
        raise ValidationError(
            "Chỉ rút được báo cáo đang chờ xác nhận; báo cáo này %(state)s.",
            code="not_waiting",
            params={"state": report.get_review_state_display().lower()},
        )
    _close_unreviewed(report, review_state=ProgressReport.ReviewState.WITHDRAWN, user=user)
    return report


@transaction.atomic
def contribution_add(*, deadline: Deadline, user, text: str, files=()) -> Contribution:
    deadline = _deadline_lock(deadline)
    cooperating_ids = task_cooperating_ids(deadline.task)
    if not permissions.can_contribute(user, deadline.task, cooperating_ids):
        raise PermissionDenied("Chỉ cơ quan phối hợp được gửi ý kiến phối hợp cho nhiệm vụ này.")
    _refuse_draft(deadline)
    contribution = Contribution(
        deadline=deadline,
        agency_id=user.agency_id,
        text=text.strip(),
        submitted_by=user,
        submitted_at=timezone.now(),
    )
    contribution.full_clean()
    contribution.save()
    _evidence_attach(files=files, contribution=contribution)
    return contribution


def _report_review(*, report: ProgressReport, user, review_state: str, comment: str) -> ProgressReport:
    if not permissions.can_review(user):
        raise PermissionDenied("Chỉ cán bộ đầu mối (Sở Ngoại vụ) được xác nhận báo cáo.")
    deadline = _deadline_lock(report.deadline)
    # Only the report row is locked: the submitter is an outer join (it may be empty).
    report = (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("deadline__task", "submitted_by")
        .get(pk=report.pk)
    )
    if not permissions.can_review_report(user, report):
        raise PermissionDenied(
            "Báo cáo do đơn vị của bạn gửi: một cán bộ đầu mối khác (hoặc lãnh đạo được giao quyền) "
            "phải xác nhận hoặc trả lại."
        )
    if report.review_state != ProgressReport.ReviewState.SUBMITTED:
        raise ValidationError(
            "Báo cáo này đã được xử lý (%(state)s).",
            code="already_reviewed",
            params={"state": report.get_review_state_display().lower()},
        )
    report.review_state = review_state
    report.review_comment = comment.strip()
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    report.full_clean()
    report.save()
    if ProgressReport.objects.filter(accepted_completion(), pk=report.pk).exists():
        deadline_completion_record(deadline=deadline, report=report, user=user)
    return report


def deadline_completion_record(*, deadline: Deadline, report: ProgressReport, user) -> None:
    """The deadline is done, dated by the local day its completion report was sent
    (``Deadline.completed_on``, which every status reads). ``report_accept`` calls it;
    so does the sample data, whose reports are written as already reviewed."""
    deadline.completed_on = timezone.localdate(report.submitted_at)
    deadline._history_user = user
    deadline.save(update_fields=["completed_on"])


def deadline_completion_backfill(*, deadlines: QuerySet[Deadline]) -> int:
    """Store ``completed_on`` from the reports, for deadlines whose reports were
    written in bulk rather than accepted through ``report_accept`` (the benchmark data
    set, bulk test fixtures). Like ``bulk_create``, it writes no history rows. Returns
    the number of deadlines done."""
    done = models.QuerySet(Deadline).filter(
        pk__in=deadlines.filter(accepted_completion("reports")).values("pk")
    )
    count = done.update(completed_on=completion_day())
    # No history, so no signal: the province's kept counts are counted again.
    status_tally_mark_all()
    return count


@transaction.atomic
def report_accept(*, report: ProgressReport, user, comment: str = "") -> ProgressReport:
    """Accept a report. An accepted "hoàn thành" report makes its deadline done, dated
    by the report's submission."""
    return _report_review(
        report=report, user=user, review_state=ProgressReport.ReviewState.ACCEPTED, comment=comment
    )


@transaction.atomic
def report_return(*, report: ProgressReport, user, comment: str) -> ProgressReport:
    """Return a report for rework; the agency is told by email once this commits."""
    if not comment.strip():
        raise ValidationError({"comment": "Khi trả lại báo cáo, hãy nêu nội dung cần bổ sung."})
    report = _report_review(
        report=report, user=user, review_state=ProgressReport.ReviewState.RETURNED, comment=comment
    )
    report_id = report.pk
    transaction.on_commit(lambda: report_returned.send(sender=ProgressReport, report_id=report_id))
    return report
