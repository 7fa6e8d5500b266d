"""What the SMTP server answers for each recipient, and how long it may take.

Against a real SMTP server (aiosmtpd) through the portal's own backend
(``tasks.mail.EmailBackend``): a 550 for one address among others is recorded on the
ledger and logged, not hidden behind "sent"; a relay that never finishes is cut at
``EMAIL_CONVERSATION_SECONDS`` and the digest deferred.
"""

import io
import logging
import time

import pytest
from django.core import mail
from django.core.management import call_command

from plans.tests.factories import AgencyFactory
from tasks import services
from tasks.mail import ConversationTimeout
from tasks.models import ReminderLog
from tasks.tests.conftest import SWEEP_DAY, deadline_make

pytestmark = pytest.mark.django_db

KEPT = "vanthu@stttt.dienbien.gov.vn"
GONE = "nguoi-cu@stttt.dienbien.gov.vn"


@pytest.fixture
def real_smtp(settings, smtp):
    settings.EMAIL_BACKEND = "tasks.mail.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp


@pytest.fixture
def smtp(smtp_server):
    smtp_server.handler.reset()
    smtp_server.handler.port = smtp_server.port
    yield smtp_server.handler
    smtp_server.handler.reset()


@pytest.fixture
def two_addresses(plan, agency):
    agency.reminder_emails = f"{KEPT}, {GONE}"
    agency.save()
    deadline_make(plan=plan, lead_agency=agency, due_on=SWEEP_DAY)
    return agency


def sweep_and_send():
    result = services.reminder_sweep(today=SWEEP_DAY)
    return [
        services.reminder_digest_send(agency=row.agency, claim_token=token, today=SWEEP_DAY)
        for row, token in (
            (ReminderLog.objects.filter(agency_id=agency_id).first(), token)
            for agency_id, token in result.digests
        )
    ]


def test_a_recipient_refused_among_others_is_recorded_and_logged(real_smtp, two_addresses, caplog):
    real_smtp.refuse = {GONE}
    with caplog.at_level(logging.WARNING, logger="tasks.services"):
        results = sweep_and_send()

    assert [result.state for result in results] == ["sent"]
    assert [item["to"] for item in real_smtp.delivered] == [[KEPT]]
    row = ReminderLog.objects.get(agency=two_addresses)
    assert row.state == ReminderLog.State.SENT
    assert row.recipients == f"{KEPT}, {GONE}"
    assert row.refused == f"{GONE}: 550 5.1.1 Mailbox unavailable"
    assert f"some recipients refused: {GONE}: 550" in caplog.text


def test_every_recipient_accepted_leaves_nothing_refused(real_smtp, two_addresses):
    sweep_and_send()
    assert sorted(real_smtp.delivered[0]["to"]) == sorted([KEPT, GONE])
    assert ReminderLog.objects.get(agency=two_addresses).refused == ""


def test_every_recipient_refused_fails_the_row_with_each_answer(real_smtp, two_addresses):
    real_smtp.refuse = {KEPT, GONE}
    (result,) = sweep_and_send()
    row = ReminderLog.objects.get(agency=two_addresses)
    assert (result.state, row.state) == ("failed", ReminderLog.State.FAILED)
    assert f"{GONE}: 550 5.1.1 Mailbox unavailable" in row.refused
    assert f"{KEPT}: 550 5.1.1 Mailbox unavailable" in row.refused
    assert real_smtp.delivered == []


def test_the_refused_address_is_sent_again_alone(real_smtp, two_addresses):
    real_smtp.refuse = {GONE}
    sweep_and_send()
    real_smtp.refuse = set()
    row = ReminderLog.objects.get(agency=two_addresses)

    (claim,) = services.reminder_log_resend_refused(log_ids=[row.pk])
    services.reminder_digest_send(agency=two_addresses, claim_token=claim[1], today=SWEEP_DAY)

    assert [item["to"] for item in real_smtp.delivered] == [[KEPT], [GONE]]
    row.refresh_from_db()
    assert (row.state, row.refused, row.resend_to, row.recipients) == ("sent", "", "", GONE)


def test_a_relay_that_never_finishes_is_cut_at_the_conversation_deadline(real_smtp, two_addresses, settings):
    settings.EMAIL_TIMEOUT = 30
    settings.EMAIL_CONVERSATION_SECONDS = 1.0
    real_smtp.hold = True  # DATA is never answered
    started = time.monotonic()
    with pytest.raises(services.ReminderSendDeferred) as deferred:
        sweep_and_send()
    elapsed = time.monotonic() - started
    real_smtp.hold = False

    assert isinstance(deferred.value.__cause__, ConversationTimeout)
    assert "longer than 1.0 s" in str(deferred.value)
    # Cut by the conversation's bound, not by the 30 s read timeout.
    assert elapsed < settings.EMAIL_TIMEOUT
    row = ReminderLog.objects.get(agency=two_addresses)
    assert row.state == ReminderLog.State.CLAIMED  # left for the retry, not lost
    assert "longer than 1.0 s" in row.last_error


def test_other_backends_record_no_refusal(plan, two_addresses):
    sweep_and_send()
    assert len(mail.outbox) == 1
    assert ReminderLog.objects.get(agency=two_addresses).refused == ""


def send_reminders(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_reminders", "--date", SWEEP_DAY.isoformat(), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def five_agencies(plan):
    agencies = [AgencyFactory(reminder_emails=f"vanthu{n}@dienbien.gov.vn") for n in range(5)]
    for agency in agencies:
        deadline_make(plan=plan, lead_agency=agency, due_on=SWEEP_DAY)
    return agencies


def test_send_reminders_stops_after_three_deferrals_in_a_row_and_keeps_the_rest(
    real_smtp, five_agencies, settings
):
    settings.EMAIL_CONVERSATION_SECONDS = 0.3
    real_smtp.hold = True  # a relay that accepts connections and never finishes
    _out, err = send_reminders()
    real_smtp.hold = False

    assert len(real_smtp.attempts) == 3
    assert "Dừng gửi (3 thư liên tiếp không gửi được): còn 2 thư chưa gửi, lượt quét sau sẽ gửi." in err
    # Nothing lost: every row is still claimed, for the next sweep.
    assert set(ReminderLog.objects.values_list("state", flat=True)) == {"claimed"}
    assert ReminderLog.objects.filter(agency__in=five_agencies).count() == 5


def test_send_reminders_stops_at_its_deadline(real_smtp, five_agencies):
    _out, err = send_reminders("--deadline-seconds", "0")
    assert "Dừng gửi (đã quá 0 giây): còn 5 thư chưa gửi, lượt quét sau sẽ gửi." in err
    assert real_smtp.attempts == []
    assert set(ReminderLog.objects.values_list("state", flat=True)) == {"claimed"}
