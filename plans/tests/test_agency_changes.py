"""The journal of changes per agency (``AgencyChange``), which the page cache's agency
fingerprint reads: the agencies a deadline concerns are exactly those whose scope holds
it, and every change to a deadline or report journals them in its own transaction."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from plans.models import AgencyChange, AgencyGroup, Deadline, ProgressReport
from plans.selectors import agency_scope_deadline_sets, deadline_scope_agencies
from plans.tests.factories import AgencyFactory, TaskFactory

pytestmark = pytest.mark.django_db


def scope_of(agency_id):
    """The deadlines in an agency's scope, as the dashboard reads them."""
    return {pk for rows in agency_scope_deadline_sets(agency_id) for pk in rows.values_list("pk", flat=True)}


def assert_inverse(deadlines, agency_ids):
    """``deadline_scope_agencies`` read from each deadline's side gives exactly the
    agencies whose scope holds it."""
    for deadline in deadlines:
        seen_by = deadline_scope_agencies([(deadline.task_id, deadline.responsible_agency_id)])
        assert seen_by <= set(agency_ids), deadline
        for agency_id in agency_ids:
            assert (agency_id in seen_by) == (deadline.pk in scope_of(agency_id)), (deadline, agency_id)


def one_deadline(task, responsible, day):
    return Deadline.objects.create(
        task=task, responsible_agency=responsible, due_on=day, period_start=day, period_label="Thời hạn"
    )


def test_the_agencies_a_deadline_concerns_are_those_whose_scope_holds_it(agencies, today):
    a, b, c = agencies["a"], agencies["b"], agencies["c"]
    member, stranger = AgencyFactory(code="agency-member"), AgencyFactory(code="agency-stranger")
    group = AgencyGroup.objects.create(name="Các đơn vị thử nghiệm")
    group.members.add(member, a)  # the lead in its own task's group changes nothing
    led = TaskFactory(lead_agency=a, due_on=today)
    led.cooperating_agencies.add(b)
    led.cooperating_groups.add(group)
    plain = TaskFactory(lead_agency=c, due_on=today)
    deadlines = [
        one_deadline(led, a, today),
        one_deadline(led, c, today + datetime.timedelta(days=1)),  # moved to C, task still A's
        one_deadline(plain, c, today),
    ]
    assert_inverse(deadlines, [agency.pk for agency in (a, b, c, member, stranger)])
    assert deadline_scope_agencies([]) == set()


def test_every_change_journals_its_agencies_in_its_own_transaction(agencies, deadline):
    """A report journals its agency and every agency seeing its deadline; a deadline
    moved away journals the agency it left; a change rolled back journals nothing."""
    a, b, c = (agencies[key].pk for key in "abc")

    def journaled(change):
        newest = AgencyChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        change()
        return set(AgencyChange.objects.filter(pk__gt=newest).values_list("agency_id", flat=True))

    report = {"state": "in_progress", "percent": 5, "narrative": "…"}
    # The deadline's task is A's, with B cooperating (fixture ``task``).
    assert journaled(
        lambda: ProgressReport.objects.create(
            deadline=deadline, agency_id=a, submitted_at=timezone.now(), **report
        )
    ) == {a, b}

    def move_to_c():
        deadline.responsible_agency_id = c
        deadline.save()

    assert journaled(move_to_c) == {a, b, c}

    def rolled_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            deadline.responsible_agency_id = a
            deadline.save()
            raise RuntimeError("rolled back")

    assert journaled(rolled_back) == set()
