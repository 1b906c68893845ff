"""The discussion in a real browser: a new member signs up, verifies their email, comments on a
question and replies, with JavaScript and without."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command

from comments.models import Comment
from posts.models import Review
from tests.tasks import run_tasks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_SLUG = "implementation-research-out-of-step-with-practice"
DEMO_PATH = f"/reviews/{DEMO_SLUG}/"
PASSWORD = "a-long-test-passphrase-42"
CONFIRM_LINK = re.compile(r"(?:https?://[^/\s]+)?(/accounts/confirm-email/[^\s]+?/)(?=\s|$)")


def question_2(page):
    return page.locator("#question-2")


def thread_item_of(page, comment_id: int):
    """The `li.thread__item` that holds comment `comment_id` itself (not one of its replies)."""
    return page.locator(f"li.thread__item:has(> #comment-{comment_id})")


def submit(page, button) -> None:
    """Click a form's submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        button.click()


def signed_in(page) -> bool:
    return page.locator(".site-header").get_by_role("button", name="Sign out").count() == 1


def sign_up_and_verify(page, base_url: str, mailoutbox, *, email: str, display_name: str):
    page.goto(f"{base_url}/accounts/signup/")
    form = page.locator("form:has(input[name=password2])")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=display_name]").fill(display_name)
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    submit(page, form.locator("button[type=submit]"))
    assert "/accounts/signup/" not in page.url, page.locator("main").inner_text()

    run_tasks()  # the task worker sends the verification email
    assert len(mailoutbox) == 1, [message.subject for message in mailoutbox]
    message = mailoutbox[0]
    assert message.to == [email]
    match = CONFIRM_LINK.search(message.body)
    assert match, f"no confirmation link in the email:\n{message.body}"
    page.goto(base_url + match.group(1))

    confirm = page.locator("main form").get_by_role("button", name=re.compile("confirm", re.I))
    if confirm.count():
        submit(page, confirm)
    assert EmailAddress.objects.get(email=email).verified

    if not signed_in(page):
        sign_in(page, base_url, email)


def sign_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("form:has(input[name=login])")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    submit(page, form.locator("button[type=submit]"))
    assert signed_in(page), page.locator("main").inner_text()


def make_verified_member(email: str, display_name: str):
    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password=PASSWORD, display_name=display_name
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_new_member_signs_up_comments_and_replies(live_server, page, mailoutbox, settings):
    call_command("load_demo")
    base = live_server.url
    sign_up_and_verify(page, base, mailoutbox, email="ada@example.org", display_name="Ada Broker")
    member = get_user_model().objects.get(email="ada@example.org")
    assert member.display_name == "Ada Broker"

    # A comment on question 2 lands at its anchor under question 2.
    page.goto(base + DEMO_PATH)
    question_2(page).locator("textarea[name=body]").fill("Brokers need *both* kinds of evidence.")
    submit(page, question_2(page).get_by_role("button", name="Post comment"))
    comment = Comment.objects.get(author=member)
    review = Review.objects.get(slug=DEMO_SLUG)
    assert comment.question == review.questions.all()[1]
    assert comment.parent is None
    assert page.url == f"{base}{DEMO_PATH}#comment-{comment.pk}"
    posted = question_2(page).locator(f"#comment-{comment.pk}")
    assert posted.is_visible()
    assert "Ada Broker" in posted.locator(".comment__author").inner_text()
    assert posted.locator(".comment__body em").inner_text() == "both"
    # The confirmation is beside the new comment, in view after the jump to it.
    notice = page.locator(f"#comment-{comment.pk} + .comment-notice")
    assert notice.inner_text().strip() == "Your comment is posted."
    assert notice.get_attribute("role") == "status"

    # With JavaScript, "Reply" opens a form under the comment without leaving the page.
    url_before = page.url
    posted.locator("a.comment__reply").click()
    reply_form = posted.locator("form.comment-form--reply")
    reply_form.wait_for()
    assert page.url == url_before
    assert reply_form.locator("textarea[name=body]").evaluate("el => el === document.activeElement")
    assert reply_form.locator("input[name=parent]").input_value() == str(comment.pk)
    reply_form.locator("textarea[name=body]").fill("Agreed, and practice-based evidence too.")
    submit(page, reply_form.get_by_role("button", name="Post reply"))

    reply = Comment.objects.get(author=member, parent__isnull=False)
    assert reply.parent == comment
    assert reply.question == comment.question
    assert reply.depth == 1
    assert page.url == f"{base}{DEMO_PATH}#comment-{reply.pk}"
    nested = thread_item_of(question_2(page), comment.pk).locator(
        f"ol.thread > li.thread__item > #comment-{reply.pk}"
    )
    assert nested.is_visible()
    assert "practice-based evidence" in nested.locator(".comment__body").inner_text()

    assert page.console_errors == []

    # A comment that fails validation keeps its text in the form.
    settings.COMMENTS_MAX_LENGTH = 50
    page.goto(base + DEMO_PATH)
    textarea = question_2(page).locator("textarea[name=body]")
    assert textarea.get_attribute("maxlength") == "50"
    textarea.evaluate("el => el.removeAttribute('maxlength')")
    too_long = "Line one of a long comment.\n\n" + "word " * 20 + "  "
    textarea.fill(too_long)
    submit(page, question_2(page).get_by_role("button", name="Post comment"))
    main = page.locator("main")
    assert "Your comment was not posted" in main.inner_text()
    assert (
        "Comments can be at most 50 characters"
        in main.locator(".form-errors").all_inner_texts()[-1]
    )
    textarea = main.locator("textarea[name=body]")
    assert textarea.input_value() == too_long
    errors_id = main.locator(".comment-form .form-errors").get_attribute("id")
    assert errors_id in textarea.get_attribute("aria-describedby").split()
    assert Comment.objects.filter(author=member).count() == 2

    # The only console error is Chromium reporting the 400 status of the failed post.
    errors = [str(error) for error in page.console_errors]
    assert [error for error in errors if "status of 400" not in error] == []


def test_reply_without_javascript(live_server, browser):
    call_command("load_demo")
    base = live_server.url
    member = make_verified_member("grace@example.org", "Grace Broker")
    review = Review.objects.get(slug=DEMO_SLUG)
    parent = Comment.objects.filter(question=review.questions.all()[1], parent=None).first()
    assert parent is not None, "the demo has a comment on question 2"

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, base, member.email)
        page.goto(base + DEMO_PATH)
        page.locator(f"#comment-{parent.pk} a.comment__reply").click()
        page.wait_for_url(f"{base}/comments/{parent.pk}/reply/")
        page.locator("main textarea[name=body]").fill("Replying from a browser without scripts.")
        submit(page, page.locator("main").get_by_role("button", name="Post reply"))

        reply = Comment.objects.get(author=member)
        assert reply.parent == parent
        assert page.url == f"{base}{DEMO_PATH}#comment-{reply.pk}"
        nested = thread_item_of(page, parent.pk).locator(f"ol.thread #comment-{reply.pk}")
        assert nested.is_visible()
        assert "without scripts" in nested.inner_text()
    finally:
        context.close()


def test_cancelling_an_inline_reply_returns_focus_to_its_reply_link(live_server, page):
    call_command("load_demo")
    member = make_verified_member("alan@example.org", "Alan Broker")
    sign_in(page, live_server.url, member.email)
    page.goto(live_server.url + DEMO_PATH)
    link = question_2(page).locator("a.comment__reply").first
    link.click()
    form = question_2(page).locator("form.comment-form--reply")
    form.wait_for()
    form.get_by_role("button", name="Cancel").click()

    assert form.count() == 0
    assert page.console_errors == []
    assert link.evaluate("el => el === document.activeElement")


def test_failed_post_keeps_text_that_starts_with_a_blank_line(live_server, page, settings):
    call_command("load_demo")
    settings.COMMENTS_MAX_LENGTH = 20
    member = make_verified_member("edsger@example.org", "Edsger Broker")
    sign_in(page, live_server.url, member.email)
    page.goto(live_server.url + DEMO_PATH)
    textarea = question_2(page).locator("textarea[name=body]")
    textarea.evaluate("el => el.removeAttribute('maxlength')")
    text = "\n\nA comment that starts with blank lines."
    textarea.fill(text)
    submit(page, question_2(page).get_by_role("button", name="Post comment"))

    assert page.locator("main textarea[name=body]").input_value() == text
