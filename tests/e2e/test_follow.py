"""In a real browser: a member follows question 1, another member comments there, and the
follower's email arrives with a link that opens the comment."""

import re

import pytest
from django.core import mail

from tests.factories import PASSWORD, make_review, make_user
from tests.tasks import run_tasks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(browser, base_url, user):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    return context, page


def test_follower_gets_an_email_with_a_working_link(live_server, browser):
    review = make_review(title="A followed review")
    follower = make_user(display_name="Fiona Follower", email="fiona@example.org")
    writer = make_user(display_name="Walter Writer", email="walter@example.org")

    context, page = sign_in(browser, live_server.url, follower)
    page.goto(live_server.url + review.get_absolute_url())
    page.locator("#question-1").get_by_role("button", name="Follow question 1").click()
    assert page.locator("#question-1").get_by_role("button", name="Following question 1").count()
    context.close()

    context, page = sign_in(browser, live_server.url, writer)
    page.goto(live_server.url + review.get_absolute_url())
    page.fill("#question-1 textarea[name=body]", "A thought worth following")
    page.click("#question-1 button:has-text('Post comment')")
    page.wait_for_load_state()
    context.close()

    run_tasks()  # the task worker sends the follow email
    [email] = [m for m in mail.outbox if m.to == ["fiona@example.org"]]
    assert "A thought worth following" in email.body
    path = re.search(r"https?://[^/\s]+(/comments/\d+/)", email.body).group(1)
    reader = browser.new_context()
    page = reader.new_page()
    page.goto(live_server.url + path)
    anchor = page.url.split("#")[1]
    assert page.locator(f"#{anchor}").inner_text().count("A thought worth following") == 1
    reader.close()
