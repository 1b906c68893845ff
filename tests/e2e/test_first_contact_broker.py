"""In a real browser: a knowledge broker reading a question chooses to comment, signs up,
opens the verification link from the email, is signed in and back at the question's comment
form, and posts their first comment there. Every page passes axe-core; with SCREENSHOT_DIR
set (`make screenshot`), each is photographed as broker-<nn>-<step>-desktop/phone.png."""

import re

import pytest
from django.core import mail

from accounts.models import User
from tests.e2e.journeys import DESKTOP, Journey
from tests.factories import make_review
from tests.tasks import run_tasks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def test_broker_signs_up_from_a_question_and_comments_there(live_server, page):
    review = make_review(title="Implementation teams in public health")
    question = review.questions.first()
    question_url = live_server.url + question.get_absolute_url()
    step = Journey("broker").step
    page.set_viewport_size(DESKTOP)

    page.goto(question_url)
    step(page, "question")
    submit(page, page.get_by_role("link", name="Sign in to comment"))
    assert page.url.startswith(f"{live_server.url}/accounts/login/?next=")
    step(page, "sign-in")
    submit(page, page.locator("main").get_by_role("link", name="sign up", exact=True))
    assert page.url.startswith(f"{live_server.url}/accounts/signup/?next=")

    form = page.locator("main form")
    form.get_by_label("Email").fill("amara@example.org")
    form.get_by_label("Display name").fill("Amara Okafor")
    form.get_by_label("Affiliation").fill("Ontario Health")
    form.get_by_label("Password:", exact=True).fill("correct-horse-battery")
    form.get_by_label("Password (again)").fill("correct-horse-battery")
    step(page, "sign-up")
    submit(page, page.locator("main").get_by_role("button", name="Sign up", exact=True))
    assert page.url == f"{live_server.url}/accounts/confirm-email/"
    assert page.get_by_role("heading", level=1).inner_text() == "Verify your email address"
    step(page, "check-your-email")

    run_tasks()  # the task worker sends the verification email
    [email] = [m for m in mail.outbox if m.to == ["amara@example.org"]]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", email.body).group(1)
    page.goto(live_server.url + link)
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm email address"
    step(page, "confirm")
    submit(page, page.locator("main").get_by_role("button", name="Confirm"))

    # Signed in, greeted by name, and back at the question's comment form.
    assert page.url == f"{question_url}#comment-form-{question.pk}"
    assert "Successfully signed in as Amara Okafor." in page.locator(".messages").inner_text()
    assert page.get_by_role("link", name="Amara Okafor").count() == 1
    step(page, "back-at-the-question")
    page.get_by_label("Add your comment on question 1").fill("Our team tried this last year.")
    submit(page, page.get_by_role("button", name="Post comment"))
    comment = page.locator(".comment", has_text="Our team tried this last year.")
    assert comment.count() == 1
    assert "Amara Okafor" in comment.inner_text()
    step(page, "first-comment")
    assert User.objects.get(email="amara@example.org").comments.count() == 1
    assert page.console_errors == []
