"""The periodic report record: figures taken once and stored, narrative drafted from them
and edited, issued with its number and date and then read-only, versions, history.

The plan is the one of ``test_report`` (reported on for 2020 as of 15/07/2020)."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from documents import selectors as document_selectors
from documents import services
from documents.models import PeriodicReport
from documents.report_docx import periodic_report_docx, province_report_docx
from documents.tests.test_report import TODAY, YEAR_2020
from plans import selectors
from plans.models import Deadline, DeadlineStatus, Plan
from plans.periods import ReportPeriod
from plans.tests.factories import PlanFactory, ProgressReportFactory, local_datetime

D = datetime.date


@pytest.fixture(autouse=True)
def signer(settings):
    settings.REPORT_SIGNER_NAME = "Nguyễn Văn A"


def create(user, plan, period=YEAR_2020, today=TODAY):
    return services.periodic_report_create(user=user, plan=plan, period=period, today=today)


def accept_late_completion(plan):
    """Task 2.3 (overdue since 30/06/2020) is reported done and accepted on 15/07/2020."""
    deadline = Deadline.objects.get(task__plan=plan, task__code="2.3")
    return ProgressReportFactory(
        deadline=deadline, submitted_at=local_datetime(TODAY), narrative="Đã đón đoàn."
    )


@pytest.mark.django_db
def test_draft_takes_the_figures_of_the_period_as_of_its_cut_off(users, plan):
    report = create(users["coordinator"], plan)
    assert report.state == PeriodicReport.State.DRAFT and report.version == 1
    assert (report.period_code, report.period_start, report.period_end) == (
        "2020",
        D(2019, 12, 15),
        D(2020, 12, 14),
    )
    # The period runs until 14/12/2020: its figures are those of today.
    assert report.figures_as_of == TODAY
    figures = report.figures
    assert figures["counts"] == {
        DeadlineStatus.OVERDUE: 3,
        DeadlineStatus.DUE_SOON: 0,
        DeadlineStatus.NOT_YET_DUE: 1,
        DeadlineStatus.DONE_LATE: 2,
        DeadlineStatus.DONE_ON_TIME: 1,
    }
    assert figures["overdue_share"] == pytest.approx(3 / 7)
    assert figures["plan"]["number"] == "139/KH-UBND"
    assert figures["period"] == {
        "code": "2020",
        "name": "năm 2020",
        "span": "15/12/2019–14/12/2020",
        "start": "2019-12-15",
        "end": "2020-12-14",
    }
    # The table by agency: Sở TT&TT has one deadline done on time, two done late, one
    # overdue and one not yet due; Mường Nhé two overdue; Mường Nhé ranks last.
    table = {row["agency"]: row for row in figures["agencies"]}
    assert table["Sở Thông tin và Truyền thông"]["total"] == 5
    assert table["Sở Thông tin và Truyền thông"]["on_time_share"] == pytest.approx(1 / 5)
    assert table["Sở Thông tin và Truyền thông"]["rank"] == 1
    assert table["Huyện Mường Nhé"]["overdue_share"] == 1
    assert table["Huyện Mường Nhé"]["rank"] == 2
    assert figures["remind"] == [
        {"agency": "Huyện Mường Nhé", "overdue": 2},
        {"agency": "Sở Thông tin và Truyền thông", "overdue": 1},
    ]
    assert figures["commend"] == []
    # Next period's key tasks: the year 2021 (15/12/2020–14/12/2021) holds 1.3's 15/12/2020,
    # 1.10's Quý IV/2020 (31/12/2020) and Quý I/2021, and 2.2 (30/06/2021).
    assert figures["next_period"]["name"] == "năm 2021"
    assert [(item["code"], item["due_on"]) for item in figures["upcoming"]] == [
        ("1.3", "2020-12-15"),
        ("1.10", "2020-12-31"),
        ("1.10", "2021-03-31"),
        ("2.2", "2021-06-30"),
    ]
    # The appendix lists every counted deadline.
    assert len(figures["deadlines"]) == 7


@pytest.mark.django_db
def test_narrative_is_drafted_from_accepted_and_returned_reports_and_overdue_list(users, plan):
    deadline = Deadline.objects.get(task__plan=plan, task__code="2.1")
    ProgressReportFactory(
        deadline=deadline,
        submitted_at=local_datetime(D(2020, 7, 1)),
        review_state="returned",
        reviewed_at=local_datetime(D(2020, 7, 2)),
        review_comment="Thiếu danh sách doanh nghiệp tham gia.",
        state="in_progress",
        percent=50,
    )
    report = create(users["coordinator"], plan)
    # Area 1: the reports accepted in 2020 (15/12/2019 on): 1.2 on 20/03, 1.10 on 05/07
    # and on 10/07.
    assert report.area_summaries["1"].splitlines() == [
        "- Sở Thông tin và Truyền thông (nhiệm vụ 1.2): Đã tổ chức hội nghị.",
        "- Sở Thông tin và Truyền thông (nhiệm vụ 1.10): Hoàn thành muộn.",
        "- Sở Thông tin và Truyền thông (nhiệm vụ 1.10): Báo cáo của năm 2019.",
    ]
    assert report.area_summaries["3"] == document_selectors.NO_ACCEPTED_IN_PERIOD
    assert report.shortcomings.splitlines()[:2] == [
        "- Còn 3 hạn thực hiện nhiệm vụ chưa hoàn thành, đã quá hạn, tập trung ở: "
        "Huyện Mường Nhé (2 hạn); Sở Thông tin và Truyền thông (1 hạn).",
        "- Báo cáo của Huyện Mường Nhé về nhiệm vụ 2.1 phải bổ sung, hoàn thiện: "
        "Thiếu danh sách doanh nghiệp tham gia.",
    ]
    assert "nhắc nhở Huyện Mường Nhé, Sở Thông tin và Truyền thông" in report.proposals


@pytest.mark.django_db
def test_issued_report_keeps_its_figures_after_a_new_report_is_accepted(users, plan):
    coordinator = users["coordinator"]
    report = create(coordinator, plan)
    report = services.periodic_report_issue(
        user=coordinator, report=report, number="15/BC-SNgV", issued_on=TODAY, today=TODAY
    )
    stored = report.figures

    accept_late_completion(plan)

    # The live figures moved: 2.3 is now done late.
    live = document_selectors.periodic_report_figures_get(
        plan=plan, period=YEAR_2020, dates=selectors.status_dates_get(today=TODAY)
    )
    assert live["counts"][DeadlineStatus.OVERDUE] == 2
    assert live["counts"][DeadlineStatus.DONE_LATE] == 3
    # The issued report did not.
    report = PeriodicReport.objects.get(pk=report.pk)
    assert report.figures == stored
    assert report.figures["counts"][DeadlineStatus.OVERDUE] == 3
    assert report.figures["counts"][DeadlineStatus.DONE_LATE] == 2


@pytest.mark.django_db
def test_issued_report_is_read_only(users, plan):
    coordinator = users["coordinator"]
    report = create(coordinator, plan)
    services.periodic_report_issue(
        user=coordinator, report=report, number="15/BC-SNgV", issued_on=TODAY, today=TODAY
    )
    with pytest.raises(ValidationError, match="đã ban hành nên không sửa được nữa"):
        services.periodic_report_update(user=coordinator, report=report, data={"proposals": "Đề xuất khác."})
    with pytest.raises(ValidationError, match="đã ban hành nên không sửa được nữa"):
        services.periodic_report_issue(
            user=coordinator, report=report, number="16/BC-SNgV", issued_on=TODAY, today=TODAY
        )
    report.refresh_from_db()
    assert (report.number, report.issued_on, report.state) == ("15/BC-SNgV", TODAY, "issued")
    assert report.proposals != "Đề xuất khác."


@pytest.mark.django_db
@pytest.mark.parametrize(
    "number, issued_on, field, message",
    [
        ("", TODAY, "number", "Hãy nhập số, ký hiệu của báo cáo."),
        ("15/BC-SNgV", None, "issued_on", "Hãy nhập ngày ban hành."),
        ("15/BC-SNgV", D(2020, 7, 14), "issued_on", "không được trước ngày chốt số liệu (15/07/2020)"),
        ("15/BC-SNgV", D(2020, 7, 16), "issued_on", "không được sau hôm nay"),
    ],
)
def test_issue_refuses_bad_number_or_date_and_changes_nothing(users, plan, number, issued_on, field, message):
    report = create(users["coordinator"], plan)
    with pytest.raises(ValidationError) as error:
        services.periodic_report_issue(
            user=users["coordinator"], report=report, number=number, issued_on=issued_on, today=TODAY
        )
    assert message in " ".join(error.value.message_dict[field])
    report.refresh_from_db()
    assert (report.state, report.number, report.issued_on) == ("draft", "", None)


@pytest.mark.django_db
def test_issue_needs_the_signers_name(users, plan, settings):
    settings.REPORT_SIGNER_NAME = ""
    report = create(users["coordinator"], plan)
    with pytest.raises(ValidationError, match="Hãy ghi họ và tên người ký"):
        services.periodic_report_issue(
            user=users["coordinator"], report=report, number="15/BC-SNgV", issued_on=TODAY, today=TODAY
        )
    report.refresh_from_db()
    assert report.state == "draft"


@pytest.mark.django_db
def test_draft_edits_change_the_narrative_and_signature_never_the_figures(users, plan):
    coordinator = users["coordinator"]
    report = create(coordinator, plan)
    figures = report.figures
    report = services.periodic_report_update(
        user=coordinator,
        report=report,
        data={
            "area_summaries": {"2": "  Đã xúc tiến đầu tư tại Lào.  "},
            "shortcomings": "Một số đơn vị báo cáo chậm.",
            "signer_authority": "KT.",
            "signer_authority_of": "GIÁM ĐỐC",
            "signer_title": "PHÓ GIÁM ĐỐC",
            "signer_name": "Nguyễn Văn A",
        },
    )
    report.refresh_from_db()
    assert report.area_summaries["2"] == "Đã xúc tiến đầu tư tại Lào."
    assert report.area_summaries["1"].startswith("- Sở Thông tin và Truyền thông")  # untouched
    assert report.shortcomings == "Một số đơn vị báo cáo chậm."
    assert (report.signer_authority, report.signer_title, report.signer_name) == (
        "KT.",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn A",
    )
    assert report.figures == figures
    with pytest.raises(ValidationError, match="cần ghi chức vụ người đứng đầu"):
        services.periodic_report_update(
            user=coordinator, report=report, data={"signer_authority": "TL.", "signer_authority_of": ""}
        )
    with pytest.raises(ValidationError, match="Nội dung không có trong kế hoạch"):
        services.periodic_report_update(user=coordinator, report=report, data={"area_summaries": {"9": "x"}})
    with pytest.raises(ValidationError, match="Không sửa được các mục: figures"):
        services.periodic_report_update(user=coordinator, report=report, data={"figures": {}})
    report.refresh_from_db()
    assert (report.signer_authority, report.signer_authority_of) == ("KT.", "GIÁM ĐỐC")
    assert report.figures == figures


@pytest.mark.django_db
def test_a_later_draft_of_the_same_period_is_a_new_version(users, plan):
    coordinator = users["coordinator"]
    first = create(coordinator, plan)
    with pytest.raises(ValidationError, match="đã có dự thảo báo cáo năm 2020"):
        create(coordinator, plan)
    services.periodic_report_issue(
        user=coordinator, report=first, number="15/BC-SNgV", issued_on=TODAY, today=TODAY
    )
    accept_late_completion(plan)
    second = create(coordinator, plan)
    assert second.version == 2 and second.state == PeriodicReport.State.DRAFT
    assert second.figures["counts"][DeadlineStatus.OVERDUE] == 2
    first.refresh_from_db()
    assert first.figures["counts"][DeadlineStatus.OVERDUE] == 3
    # Another period is a report of its own.
    assert create(coordinator, plan, period=ReportPeriod.parse("2020-Q2")).version == 1


@pytest.mark.django_db
def test_a_past_period_is_taken_as_of_its_cut_off(users, plan):
    report = create(users["coordinator"], plan, period=ReportPeriod.parse("2020-Q2"))
    assert report.figures_as_of == D(2020, 6, 14)
    assert sum(report.figures["counts"].values()) == 4


@pytest.mark.django_db
def test_only_coordinators_draft_edit_and_issue(users, plan):
    draft = create(users["coordinator"], plan)
    for role in ("leader", "officer_a"):
        with pytest.raises(PermissionDenied):
            create(users[role], plan, period=ReportPeriod.parse("2020-Q1"))
        with pytest.raises(PermissionDenied):
            services.periodic_report_update(user=users[role], report=draft, data={"proposals": "x"})
        with pytest.raises(PermissionDenied):
            services.periodic_report_issue(
                user=users[role], report=draft, number="1/BC", issued_on=TODAY, today=TODAY
            )
    assert PeriodicReport.objects.count() == 1
    draft.refresh_from_db()
    assert draft.state == "draft" and draft.proposals != "x"


@pytest.mark.django_db
def test_a_draft_plan_gets_no_report(users, plan):
    draft_plan = PlanFactory(status=Plan.Status.DRAFT)
    with pytest.raises(ValidationError, match="Kế hoạch còn là dự thảo"):
        create(users["coordinator"], draft_plan)
    assert not PeriodicReport.objects.exists()


@pytest.mark.django_db
def test_leaders_read_issued_reports_only_officers_none(users, plan):
    coordinator = users["coordinator"]
    issued = create(coordinator, plan)
    services.periodic_report_issue(
        user=coordinator, report=issued, number="15/BC-SNgV", issued_on=TODAY, today=TODAY
    )
    draft = create(coordinator, plan)
    assert set(document_selectors.periodic_report_list(user=coordinator)) == {issued, draft}
    assert list(document_selectors.periodic_report_list(user=users["leader"])) == [issued]
    assert list(document_selectors.periodic_report_list(user=users["officer_a"])) == []
    with pytest.raises(PeriodicReport.DoesNotExist):
        document_selectors.periodic_report_get(user=users["leader"], pk=draft.pk)


@pytest.mark.django_db
def test_every_change_is_in_history(users, plan):
    coordinator = users["coordinator"]
    report = create(coordinator, plan)
    services.periodic_report_update(user=coordinator, report=report, data={"proposals": "Đề xuất."})
    services.periodic_report_issue(
        user=coordinator, report=report, number="15/BC-SNgV", issued_on=TODAY, today=TODAY
    )
    history = list(report.history.order_by("history_id").values_list("history_type", "state", "proposals"))
    assert [row[0] for row in history] == ["+", "~", "~"]
    assert history[1][2] == "Đề xuất." and history[2][1] == "issued"


def test_following_periods():
    assert ReportPeriod.parse("2026-Q4").following().code == "2027-Q1"
    assert ReportPeriod.parse("2026-Q1").following().code == "2026-Q2"
    assert ReportPeriod.parse("2026-H2").following().code == "2027-H1"
    assert ReportPeriod.parse("2026-M12").following().code == "2027-M01"
    assert ReportPeriod.parse("2026-M03").following().code == "2026-M04"
    assert ReportPeriod.parse("2026").following().code == "2027"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "issued_on, note, parts",
    [
        (D(2019, 1, 5), "", ("05", "01", "2019")),
        (D(2019, 3, 15), "", ("15", "3", "2019")),
        (None, "Tin của Trung tâm. Ban hành tháng 01/2019, tin không nêu ngày ký.", ("…", "01", "2019")),
        (None, "Không rõ.", ("…", "…", "…")),
    ],
)
def test_plan_issue_date_never_invents_a_day(issued_on, note, parts):
    plan = PlanFactory(issued_on=issued_on, source_note=note)
    assert document_selectors.plan_issue_date_parts(plan) == parts


def document_text(report) -> list[str]:
    """Every paragraph and table cell of the record's .docx, in order."""
    document = Document(io.BytesIO(periodic_report_docx(report)))
    cells = [
        paragraph.text
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for paragraph in cell.paragraphs
    ]
    return [paragraph.text for paragraph in document.paragraphs] + cells


@pytest.mark.django_db
def test_issued_document_says_the_same_after_a_new_report_is_accepted(users, plan):
    coordinator = users["coordinator"]
    report = create(coordinator, plan)
    report = services.periodic_report_issue(
        user=coordinator, report=report, number="15/BC-SNgV", issued_on=TODAY, today=TODAY
    )
    before = document_text(report)
    assert "Tỷ lệ chưa hoàn thành, quá hạn: 42,9% (3 trên 7 hạn)." in before
    assert "Số: 15/BC-SNgV" in before
    assert "Điện Biên, ngày 15 tháng 7 năm 2020" in before
    agency = plan.coordinating_agency.name
    assert f"(Kèm theo Báo cáo số 15/BC-SNgV ngày 15/07/2020 của {agency})" in before

    accept_late_completion(plan)

    after = document_text(PeriodicReport.objects.get(pk=report.pk))
    assert after == before
    # The figures of today, written the same way, did change.
    live = document_selectors.periodic_report_figures_get(
        plan=plan, period=YEAR_2020, dates=selectors.status_dates_get(today=TODAY)
    )
    live_text = Document(io.BytesIO(province_report_docx(live, today=TODAY)))
    assert "Tỷ lệ chưa hoàn thành, quá hạn: 28,6% (2 trên 7 hạn)." in [p.text for p in live_text.paragraphs]


@pytest.mark.django_db
def test_a_draft_takes_its_figures_again_keeping_its_narrative(users, plan):
    coordinator = users["coordinator"]
    report = create(coordinator, plan)
    services.periodic_report_update(user=coordinator, report=report, data={"proposals": "Đề xuất đã viết."})
    accept_late_completion(plan)
    # After the cut-off of 14/12/2020, the figures are those of that day.
    report = services.periodic_report_refresh(user=coordinator, report=report, today=D(2021, 1, 10))
    assert report.figures_as_of == D(2020, 12, 14)
    # 2.3 is now done late; 1.10's Quý III/2020 (30/09) has become overdue.
    assert report.figures["counts"] == {
        DeadlineStatus.OVERDUE: 3,
        DeadlineStatus.DUE_SOON: 0,
        DeadlineStatus.NOT_YET_DUE: 0,
        DeadlineStatus.DONE_LATE: 3,
        DeadlineStatus.DONE_ON_TIME: 1,
    }
    assert report.proposals == "Đề xuất đã viết."
    services.periodic_report_issue(
        user=coordinator, report=report, number="15/BC-SNgV", issued_on=D(2021, 1, 10), today=D(2021, 1, 10)
    )
    with pytest.raises(ValidationError, match="đã ban hành nên không sửa được nữa"):
        services.periodic_report_refresh(user=coordinator, report=report, today=D(2021, 1, 11))
    with pytest.raises(PermissionDenied):
        services.periodic_report_refresh(user=users["leader"], report=report)


@pytest.mark.django_db
def test_an_accepted_report_without_narrative_is_drafted_with_its_state(users, plan):
    deadline = Deadline.objects.get(task__plan=plan, task__code="2.3")
    ProgressReportFactory(
        deadline=deadline,
        submitted_at=local_datetime(D(2020, 7, 1)),
        narrative="",
        state="in_progress",
        percent=60,
    )
    report = create(users["coordinator"], plan)
    assert report.area_summaries["2"] == "- Huyện Mường Nhé (nhiệm vụ 2.3): Đang thực hiện, 60%."


@pytest.mark.django_db
def test_a_plan_taken_back_to_draft_hides_its_reports_from_leaders(users, plan):
    coordinator = users["coordinator"]
    issued = create(coordinator, plan)
    services.periodic_report_issue(
        user=coordinator, report=issued, number="15/BC-SNgV", issued_on=TODAY, today=TODAY
    )
    assert list(document_selectors.periodic_report_list(user=users["leader"])) == [issued]
    plan.status = Plan.Status.DRAFT
    plan.save()
    assert list(document_selectors.periodic_report_list(user=users["leader"])) == []
    assert list(document_selectors.periodic_report_list(user=coordinator)) == [issued]


@pytest.mark.django_db
def test_a_number_is_used_once_a_year(users, plan):
    coordinator = users["coordinator"]
    first = create(coordinator, plan)
    services.periodic_report_issue(
        user=coordinator, report=first, number="15/BC-SNgV", issued_on=TODAY, today=TODAY
    )
    second = create(coordinator, plan)
    with pytest.raises(
        ValidationError, match="Số “15/bc-sngv” đã dùng cho một báo cáo khác ban hành năm 2020"
    ):
        services.periodic_report_issue(
            user=coordinator, report=second, number="15/bc-sngv", issued_on=TODAY, today=TODAY
        )
    second.refresh_from_db()
    assert second.state == "draft"
    services.periodic_report_issue(
        user=coordinator, report=second, number="16/BC-SNgV", issued_on=TODAY, today=TODAY
    )
