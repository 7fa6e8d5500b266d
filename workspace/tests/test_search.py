"""The menu's search: plans, tasks and their deadlines by code or words of the title,
tones or not, each user within their own scope (drafts only for those who edit plans)."""

import datetime

import pytest
from django.urls import reverse

from plans import selectors
from plans.models import Deadline, Plan, Task
from plans.search import contains, fold, search_words
from plans.tests.factories import PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_fold_removes_tones_and_marks_and_reads_d_for_dj():
    assert fold("ĐIỆN BIÊN Phủ") == "dien bien phu"
    assert fold("Tăng cường hợp tác quốc tế; Ưu tiên") == "tang cuong hop tac quoc te; uu tien"
    assert search_words("  Điện  biên DIEN ") == ["dien", "bien"]


@pytest.mark.parametrize(
    "word", ["dien", "Điện", "ĐIỆN", "bien", "d", "uu", "Ưu", "ung dung", "139/kh", "lao", "nghe"]
)
def test_the_database_matches_as_fold_does(word):
    """The database (SQLite's Python re, PostgreSQL's regular expressions) finds a word
    in exactly the texts whose folded form contains the folded word."""
    texts = [
        "ĐIỆN BIÊN PHỦ",
        "Tăng cường hợp tác với các tỉnh Bắc Lào",
        "Ưu tiên ỨNG DỤNG Công nghệ thông tin; Ỷ lại, Ữ, Ợ",
        "Kế hoạch 139/KH-UBND",
        "Điện Biên Đông",
    ]
    plan = PlanFactory()
    for number, text in enumerate(texts):
        TaskFactory(plan=plan, area__plan=plan, code=f"F.{number}", title=text)
    folded_words = search_words(word)
    expected = {text for text in texts if all(w in fold(text) for w in folded_words)}
    query = Task.objects.filter(plan=plan)
    for folded in folded_words:
        query = query.filter(contains("title", folded))
    assert set(query.values_list("title", flat=True)) == expected
    assert expected  # each word is found somewhere: the test compares real matches


@pytest.fixture
def found_task(agencies, today):
    """A task of A's titled with tones, two deadlines; B cooperates."""
    task = TaskFactory(
        lead_agency=agencies["a"],
        code="5.1",
        title="Đẩy mạnh quảng bá hình ảnh Điện Biên ra nước ngoài",
        due_on=today + datetime.timedelta(days=40),
    )
    task.cooperating_agencies.add(agencies["b"])
    for due in (today - datetime.timedelta(days=5), today + datetime.timedelta(days=40)):
        Deadline.objects.create(
            task=task,
            responsible_agency=agencies["a"],
            due_on=due,
            ends_on=due,
            period_start=due.replace(month=1, day=1),
            period_label=f"Năm {due.year}",
        )
    return task


def search(client, user, query):
    client.force_login(user)
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    return response


def deadline_links(response):
    return {deadline.pk for task in response.context["results"].tasks for deadline in task.found_deadlines}


@pytest.mark.parametrize("query", ["dien bien", "Điện Biên", "ĐIỆN BIÊN", "quang ba dien", "day manh", "5.1"])
def test_words_with_or_without_tones_or_the_code_find_the_task_and_its_deadlines(
    client, users, found_task, query
):
    response = search(client, users["officer_a"], query)
    assert [task.pk for task in response.context["results"].tasks] == [found_task.pk]
    assert deadline_links(response) == set(found_task.deadlines.values_list("pk", flat=True))
    for deadline in found_task.deadlines.all():
        assert reverse("deadline-detail", args=[deadline.pk]) in response.content.decode()


def test_d_finds_dj_and_every_word_must_match(client, users, found_task):
    assert [t.pk for t in search(client, users["coordinator"], "d").context["results"].tasks] == [
        found_task.pk
    ]
    response = search(client, users["coordinator"], "dien bien lao")
    assert response.context["results"].tasks == []
    assert "Không tìm thấy kế hoạch hay nhiệm vụ nào khớp với “dien bien lao”" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "finds"),
    [
        ("officer_a", True),  # leads it
        ("officer_b", True),  # cooperates on it
        ("officer_c", False),  # has nothing to do with it
        ("coordinator", True),
        ("leader", True),
    ],
)
def test_an_officer_finds_only_the_agencys_tasks(client, users, found_task, who, finds):
    response = search(client, users[who], "dien bien")
    assert bool(response.context["results"].tasks) is finds
    assert ("Đẩy mạnh quảng bá" in response.content.decode()) is finds


@pytest.mark.parametrize(("who", "finds"), [("officer_a", False), ("leader", False), ("coordinator", True)])
def test_a_draft_plan_and_its_tasks_are_found_only_by_those_who_edit_plans(
    client, users, found_task, who, finds
):
    plan = found_task.plan
    plan.status, plan.title = Plan.Status.DRAFT, "Kế hoạch Mường Nhé"
    plan.save()
    response = search(client, users[who], "muong nhe")
    assert bool(response.context["results"].plans) is finds
    response = search(client, users[who], "quang ba")
    assert bool(response.context["results"].tasks) is finds
    assert ("Đẩy mạnh quảng bá" in response.content.decode()) is finds


def test_a_task_without_deadlines_is_found_by_its_lead_agency_only(client, users, agencies):
    task = TaskFactory(
        lead_agency=agencies["a"], title="Thông tin đối ngoại", schedule=Task.Schedule.UNSPECIFIED
    )
    task.deadlines.all().delete()
    response = search(client, users["officer_a"], "thong tin doi ngoai")
    assert response.context["results"].tasks == [task]
    assert "Nhiệm vụ chưa có hạn nào." in response.content.decode()
    assert search(client, users["officer_c"], "thong tin doi ngoai").context["results"].tasks == []


def test_plans_are_found_by_number_and_title(client, users):
    plan = PlanFactory(number="139/KH-UBND", title="Kế hoạch thực hiện công tác đối ngoại")
    for query in ("139/kh", "cong tac doi ngoai", "Đối Ngoại"):
        response = search(client, users["officer_c"], query)
        assert response.context["results"].plans == [plan], query
    assert reverse("plan-detail", args=[plan.pk]) in response.content.decode()


def test_an_empty_search_lists_nothing_and_a_too_long_one_says_why(client, users, found_task):
    assert search(client, users["coordinator"], "   ").context["results"].tasks == []
    client.force_login(users["coordinator"])
    response = client.get(reverse("search"), {"q": "x" * 201})
    assert response.status_code == 400
    assert "Từ khóa tìm kiếm dài quá 200 ký tự." in response.content.decode()
    assert response.context["results"].tasks == []


def test_the_menu_has_the_search_box(client, users):
    client.force_login(users["officer_a"])
    html = client.get(reverse("plan-list")).content.decode()
    assert f'action="{reverse("search")}"' in html
    assert 'id="menu-search-q"' in html


def test_the_search_costs_three_queries_whatever_is_found(users, agencies, today, django_assert_num_queries):
    dates = selectors.status_dates_get()
    plan = PlanFactory(title="Điện Biên")
    for number in range(12):
        task = TaskFactory(plan=plan, area__plan=plan, lead_agency=agencies["a"], title=f"Điện Biên {number}")
        Deadline.objects.create(
            task=task,
            responsible_agency=agencies["a"],
            due_on=today,
            ends_on=today,
            period_start=today,
            period_label="Thời hạn",
        )
    for who in ("officer_a", "coordinator"):
        users[who].has_perm("plans.view_all_agencies")  # the permissions, loaded once per request
        with django_assert_num_queries(3):
            results = selectors.search_results(user=users[who], query="dien bien", dates=dates)
            assert len(results.tasks) == 12
            assert results.deadline_count == 12
