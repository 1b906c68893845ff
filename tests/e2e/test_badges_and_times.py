"""In a real browser: a member in Vancouver reads a question where the guest reviewer, an
editor and a moderator answer brokers; each answer carries its role badge and every time
is labelled with the reader's zone. With SCREENSHOT_DIR set, screenshots at 1280×800 and
390×844 go there."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.e2e.journeys import screenshot_dir
from tests.factories import PASSWORD, make_comment, make_contributor, make_review, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def test_a_question_page_shows_role_badges_and_times_in_the_readers_zone(live_server, browser):
    amara = make_user(display_name="Amara Okafor", affiliation="University of Ottawa")
    review = make_review(
        title="Knowledge brokers in public health",
        reviewer=make_contributor(name="Amara Okafor", user=amara),
    )
    question = review.questions.first()
    broker = make_user(display_name="Léa Tremblay", affiliation="Santé publique Montréal")
    editor = make_user(display_name="Sam Editor", editor=True)
    moderator = make_user(display_name="Mo Rahman")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    start = timezone.now() - timedelta(days=2)
    asked = make_comment(
        question=question, author=broker, created_at=start,
        body="Which brokering activities did the teams find most useful?",
    )  # fmt: skip
    answer = make_comment(
        parent=asked, author=amara, created_at=start + timedelta(hours=3),
        body="Mostly the convening: bringing managers and researchers to one table.",
    )  # fmt: skip
    make_comment(
        parent=answer, author=editor, created_at=start + timedelta(hours=4),
        body="We will add the study's appendix to the reading list.",
    )  # fmt: skip
    make_comment(
        question=question, author=moderator, created_at=start + timedelta(hours=5),
        body="A reminder to keep examples free of personal information.",
    )  # fmt: skip
    reader = make_user(display_name="Vera Reader", time_zone="America/Vancouver")

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", reader.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/reviews/{review.slug}/questions/1/")

    cards = page.locator("article.comment")
    assert cards.count() == 4
    roles = {
        "Léa Tremblay": None,
        "Amara Okafor": "Guest reviewer",
        "Sam Editor": "Editor",
        "Mo Rahman": "Moderator",
    }
    for name, role in roles.items():
        card = cards.filter(has=page.locator(".comment__author", has_text=name))
        badge = card.locator(".comment__meta .badge--role")
        assert badge.count() == (1 if role else 0), name
        if role:
            assert badge.inner_text() == role
        assert card.locator(".comment__meta time").inner_text().endswith((" PST", " PDT"))

    if folder := screenshot_dir():
        page.screenshot(path=folder / "badges-question-1280.png", full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=folder / "badges-question-390.png", full_page=True)
    context.close()
