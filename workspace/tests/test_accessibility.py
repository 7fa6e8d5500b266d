"""What the accessibility fixes put in every page's HTML (the browser tests check them in
use): a skip link to the content, the current page marked in the menu, and zeros in
the count tables in a colour that keeps AA contrast."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def current_items(html: str) -> list[str]:
    import re

    return re.findall(
        r'<a class="[^"]*" aria-current="page" href="([^"]+)"|href="([^"]+)"[^>]*aria-current="page"', html
    )


@pytest.mark.parametrize(
    "who, page, current",
    [
        ("officer_a", "agency-dashboard", "agency-dashboard"),
        ("officer_a", "deadline-list", "deadline-list"),
        ("coordinator", "province-overview", "province-overview"),
        ("coordinator", "review-queue", "review-queue"),
        ("leader", "plan-list", "plan-list"),
        ("leader", "profile", "profile"),
    ],
)
def test_the_menu_marks_the_current_page_and_only_it(client, users, who, page, current):
    client.force_login(users[who])
    html = client.get(reverse(page)).content.decode()
    marked = [first or second for first, second in current_items(html)]
    assert marked == [reverse(current)]


def test_a_page_below_a_menu_item_marks_none(client, users, deadline):
    client.force_login(users["officer_a"])
    html = client.get(reverse("deadline-detail", args=[deadline.pk])).content.decode()
    assert 'aria-current="page"' not in html


def test_every_page_starts_with_a_skip_link_to_the_content(client, users):
    for html in [
        client.get(reverse("login")).content.decode(),
        client.get(reverse("password_reset")).content.decode(),
    ]:
        body = html[html.index("<body") :]
        first_link = body[body.index("<a ") : body.index("</a>")]
        assert 'href="#main"' in first_link and "Bỏ qua menu, đến nội dung chính" in first_link
        assert '<main class="container pb-5" id="main" tabindex="-1">' in html


def test_zero_counts_use_the_readable_class(client, users, deadline):
    client.force_login(users["leader"])
    html = client.get(reverse("province-overview")).content.decode()
    assert '<span class="count-zero">0</span>' in html
    assert "text-body-tertiary" not in html
