"""In a real browser, on a phone and on a desktop: the content keeps the header's distance
from the edge, the follow button looks like a button under its question, and the posted
confirmation is in view beside the new comment. With SCREENSHOT_DIR set, screenshots go
there as polish-*.png."""

import pytest

from posts.models import Topic
from tests.e2e.journeys import screenshot_dir
from tests.factories import PASSWORD, make_comment, make_review, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def shoot(page, name: str) -> None:
    """Leaves the page at desktop size, photographed or not."""
    folder = screenshot_dir()
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        if folder:
            page.screenshot(path=folder / f"polish-{name}-{size}.png")
    page.set_viewport_size(SIZES["desktop"])


def left_edge(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["x"]


def test_pages_on_a_phone_and_a_desktop(live_server, page):
    topic = Topic.objects.create(name="Knowledge brokering", slug="knowledge-brokering")
    review = make_review(title="Implementation teams in public health")
    review.topics.add(topic)
    member = make_user(display_name="Amara Okafor")
    make_comment(question=review.questions.first(), author=member, body="An earlier thought.")
    for _ in range(3):
        make_comment(question=review.questions.first(), body="Another member's view.")

    page.set_viewport_size(SIZES["phone"])
    page.goto(live_server.url + "/")
    assert left_edge(page, "main h1") == left_edge(page, ".site-title") == 16
    shoot(page, "home")
    page.set_viewport_size(SIZES["phone"])
    page.goto(live_server.url + "/topics/")
    assert left_edge(page, "main h1") == 16
    shoot(page, "topics")
    page.goto(live_server.url + "/search/?q=teams")
    shoot(page, "search")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(live_server.url + review.get_absolute_url() + "#question-1")
    follow = page.locator("#question-1").get_by_role("button", name="Follow question 1")
    assert follow.get_attribute("aria-pressed") == "false"
    assert follow.evaluate("button => getComputedStyle(button).borderTopStyle") == "solid"
    with page.expect_navigation():
        follow.click()
    following = page.locator("#question-1").get_by_role("button", name="Following question 1")
    assert following.get_attribute("aria-pressed") == "true"
    page.locator("#question-1 .question__text").scroll_into_view_if_needed()
    shoot(page, "follow")

    page.fill("#question-1 textarea[name=body]", "A new thought, posted just now.")
    with page.expect_navigation():
        page.click("#question-1 button:has-text('Post comment')")
    notice = page.locator(".comment-notice")
    assert notice.inner_text() == "Your comment is posted."
    assert notice.is_visible()
    box = notice.bounding_box()
    assert 0 <= box["y"] < SIZES["desktop"]["height"]  # in view after the jump
    shoot(page, "posted")
