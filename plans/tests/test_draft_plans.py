"""Draft plans are still being written: nobody reports on them, and only those who edit
plans see their rows. The routes are checked in dien_bien_portal/tests/test_url_security.py."""

import pytest
from django.core.exceptions import ValidationError

from plans import selectors, services
from plans.models import Contribution, Plan, ProgressReport


def _make_draft(deadline):
    plan = deadline.task.plan
    plan.status = Plan.Status.DRAFT
    plan.save()


@pytest.mark.django_db
def test_no_report_or_contribution_on_a_draft_plan(users, deadline):
    _make_draft(deadline)
    with pytest.raises(ValidationError) as refused:
        services.report_submit(
            deadline=deadline, user=users["officer_a"], state="done", percent=100, narrative=""
        )
    assert "dự thảo" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        services.contribution_add(deadline=deadline, user=users["officer_b"], text="Ý kiến")
    assert "dự thảo" in refused.value.messages[0]
    assert not ProgressReport.objects.exists() and not Contribution.objects.exists()


@pytest.mark.django_db
def test_the_scope_hides_drafts_from_all_but_plan_editors(users, deadline):
    dates = selectors.status_dates_get()
    _make_draft(deadline)
    for who in ("officer_a", "officer_b", "leader"):
        assert (
            not selectors.deadline_list_visible_to(user=users[who], dates=dates)
            .filter(pk=deadline.pk)
            .exists()
        )
    assert (
        selectors.deadline_list_visible_to(user=users["coordinator"], dates=dates)
        .filter(pk=deadline.pk)
        .exists()
    )
