"""Moderation in a real browser: a moderator hides a comment with a reason from the review page,
an anonymous reader sees the placeholder with the replies kept under it, the moderator unhides
it, and dismisses the open flags on another comment from the moderation queue."""

import pytest
from django.contrib.auth.models import Group

from comments.models import Comment, Flag, HideReason, ModerationAction
from comments.moderation import flag_comment
from tests.factories import PASSWORD, make_comment, make_review, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HIDDEN_BODY = "Completely unrelated: who wants to join my fantasy football league?"
HIDE_NOTE = "Please keep the discussion on the article."
REPLY_BODY = "I think this belongs on another site, but here is my answer about the article."
FLAGGED_BODY = "Buy cheap research credits at my shop, best prices in town."
FLAG_NOTE = "Looks like an advert."


def submit(page, button) -> None:
    """Click a form's submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        button.click()


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("form:has(input[name=login])")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    submit(page, form.locator("button[type=submit]"))
    sign_out = page.locator(".site-header").get_by_role("button", name="Sign out")
    assert sign_out.count() == 1, page.locator("main").inner_text()


def thread_item_of(page, comment_id: int):
    """The `li.thread__item` that holds comment `comment_id` itself (not one of its replies)."""
    return page.locator(f"li.thread__item:has(> #comment-{comment_id})")


def flag_badge(page):
    return page.locator(".site-header").get_by_role("link", name="Moderation").locator(".badge")


def test_moderator_hides_unhides_and_dismisses_flags(live_server, browser, page):
    review = make_review(title="A review under moderation")
    question = review.questions.first()
    hidden = make_comment(
        question=question, author=make_user(display_name="Avery Author"), body=HIDDEN_BODY
    )
    reply = make_comment(
        parent=hidden, author=make_user(display_name="Riley Replier"), body=REPLY_BODY
    )
    flagged = make_comment(
        question=question, author=make_user(display_name="Sam Seller"), body=FLAGGED_BODY
    )
    flag_comment(
        flagged,
        by=make_user(display_name="Fran Flagger"),
        reason=HideReason.SPAM,
        note=FLAG_NOTE,
        site_url=live_server.url,
    )
    moderator = make_user(display_name="Morgan Moderator")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    review_url = live_server.url + review.get_absolute_url()

    # The moderator signs in and hides the comment from the review page.
    sign_in(page, live_server.url, moderator.email)
    page.goto(review_url)
    assert flag_badge(page).inner_text().startswith("1")
    tools = page.locator(f"#comment-{hidden.pk} > .moderator-tools")
    with page.expect_navigation():
        tools.get_by_role("link", name=f"Hide comment {hidden.pk}").click()
    assert page.url.endswith(f"/comments/{hidden.pk}/hide/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hide a comment"
    page.get_by_label("Why hide it?").select_option(label="Off-topic")
    page.get_by_label("Note").fill(HIDE_NOTE)
    submit(page, page.get_by_role("button", name="Hide comment"))

    assert page.url == f"{review_url}#comment-{hidden.pk}"
    assert "The comment is hidden." in page.locator("main").inner_text()
    article = page.locator(f"#comment-{hidden.pk}")
    assert "comment--hidden" in article.get_attribute("class")
    moderation_note = article.locator(".comment__moderation").inner_text()
    assert "Hidden by Morgan Moderator" in moderation_note
    assert "Off-topic" in moderation_note
    assert HIDE_NOTE in moderation_note
    assert article.locator(".comment__body").inner_text() == HIDDEN_BODY  # moderators still see it
    assert tools.get_by_role("button", name=f"Unhide comment {hidden.pk}").is_visible()
    hidden.refresh_from_db()
    assert hidden.is_hidden
    assert hidden.hidden_by == moderator
    assert hidden.hidden_reason == HideReason.OFF_TOPIC
    assert hidden.hidden_note == HIDE_NOTE

    # A fresh anonymous browser sees the placeholder in place, with the reply under it.
    anonymous_context = browser.new_context()
    anonymous = anonymous_context.new_page()
    anonymous_errors = []
    anonymous.on("console", lambda m: m.type == "error" and anonymous_errors.append(m))
    anonymous.on("pageerror", lambda error: anonymous_errors.append(error))
    try:
        anonymous.goto(review_url)
        assert anonymous.locator(".site-header").get_by_role("link", name="Sign in").count() == 1
        html = anonymous.content()
        assert HIDDEN_BODY not in html
        assert HIDE_NOTE not in html
        assert "Morgan Moderator" not in html
        placeholder = anonymous.locator(f"#comment-{hidden.pk}")
        assert placeholder.inner_text().strip() == "Hidden by a moderator."
        assert placeholder.locator(".moderator-tools").count() == 0
        nested_reply = thread_item_of(anonymous, hidden.pk).locator(
            f"> ol.thread > li.thread__item > #comment-{reply.pk}"
        )
        assert nested_reply.is_visible()
        assert REPLY_BODY in nested_reply.locator(".comment__body").inner_text()

        # The moderator unhides it; the anonymous reader sees the text again.
        submit(page, tools.get_by_role("button", name=f"Unhide comment {hidden.pk}"))
        assert page.url == f"{review_url}#comment-{hidden.pk}"
        assert "The comment is visible again." in page.locator("main").inner_text()
        assert "comment--hidden" not in article.get_attribute("class")
        assert article.locator(".comment__moderation").count() == 0
        assert tools.get_by_role("link", name=f"Hide comment {hidden.pk}").is_visible()

        anonymous.reload()
        assert HIDDEN_BODY in anonymous.content()
        assert anonymous.locator(f"#comment-{hidden.pk} .comment__body").inner_text() == (
            HIDDEN_BODY
        )
        assert anonymous.locator(f"#comment-{hidden.pk} .comment__placeholder").count() == 0
        assert nested_reply.is_visible()
        assert anonymous_errors == []
    finally:
        anonymous_context.close()
    hidden.refresh_from_db()
    assert not hidden.is_hidden

    # The queue shows the flagged comment with its flag; dismissing the flags clears it.
    with page.expect_navigation():
        page.locator(".site-header").get_by_role("link", name="Moderation").click()
    assert page.url == f"{live_server.url}/moderation/"
    flagged_section = page.locator("section[aria-labelledby=flagged-heading]")
    assert flagged_section.get_by_role("heading", level=2).inner_text() == "Flagged comments (1)"
    item = flagged_section.locator(f".queue-item:has(#comment-{flagged.pk})")
    assert item.count() == 1
    assert item.locator(".comment__body").inner_text() == FLAGGED_BODY
    flag_text = item.locator(".flag-list").inner_text()
    assert "Spam" in flag_text
    assert "Fran Flagger" in flag_text
    assert FLAG_NOTE in flag_text
    submit(page, item.get_by_role("button", name=f"Dismiss flags on comment {flagged.pk}"))

    assert page.url == f"{live_server.url}/moderation/"
    main = page.locator("main").inner_text()
    assert "The flags are dismissed." in main
    assert flagged_section.get_by_role("heading", level=2).inner_text() == "Flagged comments (0)"
    assert "No open flags" in flagged_section.inner_text()
    assert flagged_section.locator(".queue-item").count() == 0
    assert flag_badge(page).count() == 0
    assert page.console_errors == []

    flag = Flag.objects.get(comment=flagged)
    assert flag.resolved_at is not None
    assert flag.resolved_by == moderator
    assert not Flag.objects.open().exists()
    actions = ModerationAction.objects.filter(actor=moderator).order_by("created_at", "id")
    assert [(a.action, a.comment_id) for a in actions] == [
        (ModerationAction.Action.HIDE, hidden.pk),
        (ModerationAction.Action.UNHIDE, hidden.pk),
        (ModerationAction.Action.DISMISS, flagged.pk),
    ]
    assert actions[0].reason == HideReason.OFF_TOPIC
    assert actions[0].note == HIDE_NOTE
    assert actions[0].member == hidden.author
    assert Comment.objects.get(pk=flagged.pk).is_publicly_visible
