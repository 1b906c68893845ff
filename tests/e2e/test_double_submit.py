"""Posting once in a real browser: a double click on "Post comment" sends one request (the
button waits for the answer) and makes one comment; without JavaScript the browser may send
the form twice, and the form's one-time key still makes one comment. On a read-only
database the member gets their text back, and "Send it again" posts it once the database
writes again."""

import re
import time

import pytest
from django.core import signals
from playwright.sync_api import expect

from comments.models import Comment
from tests.database_failures import read_only_database
from tests.e2e.test_accessibility import assert_no_serious_violations
from tests.factories import PASSWORD, make_comment, make_review, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = "Posted with a double click.\n\nStill only once."


def sign_in(page, base_url: str, member) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def posts_sent(page) -> list:
    sent: list = []
    page.on("request", lambda r: r.method == "POST" and "/comments/" in r.url and sent.append(r))
    return sent


@pytest.fixture
def slow_posts():
    """The server takes 300 ms over each POST, so that a second click lands while the first
    is still on its way, however fast the machine."""

    def wait(environ, **kwargs) -> None:
        if environ["REQUEST_METHOD"] == "POST":
            time.sleep(0.3)

    signals.request_started.connect(wait, weak=False)
    yield
    signals.request_started.disconnect(wait)


def click_twice(page, button) -> None:
    """Two clicks 50 ms apart, as a hurried hand makes them, whatever the button's state;
    then the page the server answers with (the browser may drop the first navigation)."""
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(50)
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    page.wait_for_load_state()


def test_two_clicks_on_post_comment_send_one_request_and_post_once(live_server, page, slow_posts):
    review = make_review(questions=2)
    member = make_user()
    sign_in(page, live_server.url, member)
    page.goto(live_server.url + review.get_absolute_url())
    sent = posts_sent(page)
    question = page.locator("#question-1")
    question.locator("textarea[name=body]").fill(TEXT)
    click_twice(page, question.get_by_role("button", name="Post comment"))

    comment = Comment.objects.get()
    assert comment.body.replace("\r\n", "\n") == TEXT
    assert len(sent) == 1
    assert page.url == f"{live_server.url}{review.get_absolute_url()}#comment-{comment.pk}"
    notice = page.locator(f"#comment-{comment.pk} + .comment-notice")  # beside the comment
    assert notice.inner_text().strip() == "Your comment is posted."
    assert page.console_errors == []


def test_the_button_waits_for_the_answer_and_is_back_when_the_page_is(live_server, page):
    review = make_review(questions=1)
    member = make_user()
    sign_in(page, live_server.url, member)
    page.goto(live_server.url + review.get_absolute_url())
    form = page.locator("#question-1 form.comment-form")
    form.locator("textarea[name=body]").fill("A first thought.")
    # The form stays on the page (its sending is cancelled after the script saw it), to
    # see the button as it is while a form is on its way.
    page.evaluate("document.addEventListener('submit', (event) => event.preventDefault())")
    form.get_by_role("button", name="Post comment").click()
    button = form.locator("button[type=submit]")
    assert button.is_disabled()
    assert button.inner_text() == "Posting…"

    page.goto(live_server.url + review.get_absolute_url())
    form.locator("textarea[name=body]").fill("A first thought.")
    with page.expect_navigation():
        form.get_by_role("button", name="Post comment").click()
    page.go_back()  # from the browser's back/forward cache, or loaded again: usable either way
    button = page.locator("#question-1 form.comment-form button[type=submit]")
    assert button.is_enabled()
    assert button.inner_text() == "Post comment"


def test_without_javascript_two_clicks_send_twice_and_post_once(live_server, browser, slow_posts):
    review = make_review(questions=1)
    member = make_user()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, member)
        page.goto(live_server.url + review.get_absolute_url())
        page.locator("textarea[name=body]").fill(TEXT)
        sent = posts_sent(page)
        click_twice(page, page.get_by_role("button", name="Post comment"))
        comment = Comment.objects.get()
        assert len(sent) == 2
        assert page.url == f"{live_server.url}{review.get_absolute_url()}#comment-{comment.pk}"
    finally:
        context.close()


def test_an_inline_reply_clicked_twice_posts_once(live_server, page, slow_posts):
    parent = make_comment(question=make_review(questions=1).questions.get())
    member = make_user()
    sign_in(page, live_server.url, member)
    page.goto(live_server.url + parent.review.get_absolute_url())
    sent = posts_sent(page)
    page.locator(f"#comment-{parent.pk} a.comment__reply").click()
    form = page.locator("form.comment-form--reply")
    key = form.locator("input[name=submission_key]").input_value()
    form.get_by_role("button", name="Cancel").click()
    page.locator(f"#comment-{parent.pk} a.comment__reply").click()
    # Each form opened has its own key.
    assert form.locator("input[name=submission_key]").input_value() not in {"", key}
    form.locator("textarea[name=body]").fill("A reply, once.")
    click_twice(page, form.get_by_role("button", name="Post reply"))

    reply = Comment.objects.get(parent=parent)
    assert len(sent) == 1
    assert page.url.endswith(f"#comment-{reply.pk}")
    assert page.console_errors == []


def test_on_a_read_only_database_the_text_comes_back_and_can_be_sent_again(live_server, page):
    comment = make_comment(body="An early thought.")
    sign_in(page, live_server.url, comment.author)
    page.goto(f"{live_server.url}/comments/{comment.pk}/edit/")
    page.fill("textarea[name=body]", TEXT)
    with read_only_database():
        with page.expect_navigation():
            page.get_by_role("button", name="Save changes").click()
        assert page.locator("h1").inner_text() == "The journal club is briefly unavailable"
        kept = page.get_by_role("textbox", name="Your text")
        assert kept.input_value() == TEXT
        assert_no_serious_violations(page)
    comment.refresh_from_db()
    assert comment.body == "An early thought."

    with page.expect_navigation():
        page.get_by_role("button", name="Send it again").click()
    comment.refresh_from_db()
    assert comment.body.replace("\r\n", "\n") == TEXT
    assert page.url.endswith(f"#comment-{comment.pk}")
    # Chromium reports the 503 itself; nothing else, and nothing against the CSP.
    errors = [str(error) for error in page.console_errors]
    assert [error for error in errors if "status of 503" not in error] == []
