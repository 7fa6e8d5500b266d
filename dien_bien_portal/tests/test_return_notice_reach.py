"""The review page's word on a returned report ("đơn vị sẽ nhận email" or "chưa gửi
được email") is read by ``plans.selectors.report_return_reachable``; the notice itself
goes to ``tasks.selectors.report_returned_recipients``. Both must agree in every case."""

import pytest

from plans.selectors import report_return_reachable
from plans.tests.factories import ProgressReportFactory
from tasks.selectors import report_returned_recipients

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "setup",
    [
        "nobody",
        "agency address",
        "submitter",
        "active colleague",
        "inactive colleague",
        "colleague without email",
        "other agency's user",
    ],
)
def test_the_message_and_the_notice_agree(users, agencies, deadline, setup):
    officer = users["officer_a"]
    if setup == "agency address":
        agencies["a"].reminder_emails = "vanthu@donvi-a.dienbien.example"
        agencies["a"].save()
    elif setup == "submitter":
        officer.email = "canbo.a@dienbien.example"
        officer.save()
    elif setup == "active colleague":
        agencies["a"].users.create(username="dn1", email="dn1@dienbien.example", is_active=True)
    elif setup == "inactive colleague":
        agencies["a"].users.create(username="dn2", email="dn2@dienbien.example", is_active=False)
    elif setup == "colleague without email":
        agencies["a"].users.create(username="dn3", email="", is_active=True)
    elif setup == "other agency's user":
        agencies["b"].users.create(username="dn4", email="dn4@dienbien.example", is_active=True)
    report = ProgressReportFactory(deadline=deadline, pending=True, submitted_by=officer)

    expected = setup in ("agency address", "submitter", "active colleague")
    assert bool(report_returned_recipients(report=report)) is expected
    assert report_return_reachable(report=report) is expected
