"""A moderator's journey in a real browser: from the queue, hide a flagged comment with a
reason; the member who flagged it and its author hear of it by email, and the log tells
what was decided. Every page passes axe-core; with SCREENSHOT_DIR set (`make screenshot`),
each is photographed as moderator-<nn>-<step>-desktop/phone.png."""

import pytest
from django.contrib.auth.models import Group

from comments.models import Flag, FlagOutcome, HideReason
from comments.moderation import flag_comment
from tests.e2e.journeys import DESKTOP, PHONE, Journey
from tests.factories import PASSWORD, make_comment, make_review, make_user
from tests.tasks import run_tasks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FLAGGED_BODY = "Visit my shop for cheap research credits, best prices in town."
HIDE_NOTE = "Adverts are not part of the discussion."


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def test_moderator_hides_a_flagged_comment_from_the_queue(live_server, page, mailoutbox):
    review = make_review(title="Knowledge brokering in primary care")
    question = review.questions.first()
    make_comment(question=question, author=make_user(display_name="Robin Reader"),
                 body="The second finding matches what we saw in our clinics.")  # fmt: skip
    flagged = make_comment(
        question=question,
        author=make_user(display_name="Sam Seller", email="sam@example.org"),
        body=FLAGGED_BODY,
    )
    flag_comment(
        flagged,
        by=make_user(display_name="Fran Flagger", email="fran@example.org"),
        reason=HideReason.SPAM,
        note="An advert.",
        site_url=live_server.url,
    )
    moderator = make_user(display_name="Morgan Moderator")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    step = Journey("moderator").step
    page.set_viewport_size(DESKTOP)

    # Signing in (tests run without the two-factor requirement, as the factories' moderators
    # have no authenticator; tests/e2e/test_two_factor_setup.py covers it).
    page.goto(f"{live_server.url}/accounts/login/")
    step(page, "sign-in")
    form = page.locator("form:has(input[name=login])")
    form.locator("input[name=login]").fill(moderator.email)
    form.locator("input[name=password]").fill(PASSWORD)
    submit(page, form.locator("button[type=submit]"))
    step(page, "signed-in")

    # The header's link says how many flags are open.
    submit(page, page.locator(".site-header").get_by_role("link", name="Moderation 1 open flags"))
    assert page.url == f"{live_server.url}/moderation/"
    item = page.locator(".queue-item", has=page.locator(f"#comment-{flagged.pk}")).first
    assert "An advert." in item.inner_text()
    # The cards in the queue carry moderators' tools, not members' links.
    assert item.get_by_role("link", name="Flag this comment").count() == 0
    assert item.locator(".comment__actions").count() == 0
    step(page, "queue")

    with page.expect_navigation():
        item.get_by_role("link", name=f"Hide comment {flagged.pk}").click()
    page.get_by_label("Why hide it?").select_option(label="Spam")
    page.get_by_label("Note").fill(HIDE_NOTE)
    step(page, "hide")
    submit(page, page.get_by_role("button", name="Hide comment"))
    assert page.url == f"{live_server.url}/moderation/"
    assert "The comment is hidden." in page.locator("main").inner_text()
    assert "Flagged comments (0)" in page.locator("main").inner_text()
    assert Flag.objects.get(comment=flagged).outcome == FlagOutcome.UPHELD
    step(page, "hidden")

    run_tasks()  # the task worker sends the outbox
    to_flagger = [m for m in mailoutbox if m.to == ["fran@example.org"]]
    to_author = [m for m in mailoutbox if m.to == ["sam@example.org"]]
    assert len(to_flagger) == 1 and len(to_author) == 1
    assert "A moderator hid the comment you flagged." in to_flagger[0].body
    assert FLAGGED_BODY not in to_flagger[0].body
    assert "Reason: Spam" in to_author[0].body
    assert f"Moderator's note: {HIDE_NOTE}" in to_author[0].body
    assert f"{live_server.url}/guidelines/" in to_author[0].body

    page.goto(f"{live_server.url}/moderation/log/")
    rows = page.locator(".log-table tbody tr")
    assert rows.nth(0).locator('td[data-label="What:"]').inner_text() == "Flags upheld"
    assert rows.nth(1).locator('td[data-label="What:"]').inner_text() == "Hidden"
    assert rows.nth(1).locator('td[data-label="Reason:"]').inner_text() == "Spam"
    # The log uses the window's width, beyond the reading column.
    table_width = page.locator(".log-table").bounding_box()["width"]
    assert table_width > 900
    step(page, "log")
    page.set_viewport_size(PHONE)
    # On a phone each entry is a card that fits the screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.console_errors == []
