"""Confirming the email address in another browser (a phone's mail app) keeps the page the
member signed up from: they sign in there and land on it."""

import re

import pytest
from django.test import Client

from tests.factories import make_review
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def sign_up_and_confirm_elsewhere(client, mailoutbox, next_url: str) -> tuple[Client, str]:
    client.post(
        "/accounts/signup/",
        {
            "email": "phone.reader@example.org",
            "display_name": "Phone Reader",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": next_url,
        },
    )
    run_tasks()
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+)", mailoutbox[0].body)
    phone = Client()
    page = phone.get(link.group(1))
    assert page.status_code == 200
    # The confirmation page's form carries the link's `next` on, as allauth's template does.
    next_field = re.search(
        r'action="/accounts/confirm-email/[^"]*">(?:(?!</form>).)*name="next" value="([^"]*)"',
        page.content.decode(),
        re.DOTALL,
    )
    data = {"next": next_field.group(1)} if next_field else {}
    return phone, phone.post(link.group(1).split("?")[0], data)["Location"]


def test_confirming_in_another_browser_then_signing_in_lands_on_the_question(client, mailoutbox):
    review = make_review()
    question = f"/reviews/{review.slug}/questions/1/"
    phone, location = sign_up_and_confirm_elsewhere(client, mailoutbox, question)
    assert location == f"/accounts/login/?next={question.replace('/', '%2F')}"
    page = phone.get(location).content.decode()
    assert f'name="next" value="{question}"' in page
    response = phone.post(
        "/accounts/login/",
        {"login": "phone.reader@example.org", "password": PASSWORD, "next": question},
    )
    assert response.status_code == 302
    assert response["Location"] == question


@pytest.mark.parametrize(
    "next_url", ["https://evil.example.com/", "//evil.example.com/", "http://testserver/x/"]
)
def test_only_paths_on_this_site_are_carried_into_the_link(client, mailoutbox, next_url):
    make_review()
    _, location = sign_up_and_confirm_elsewhere(client, mailoutbox, next_url)
    assert "evil" not in mailoutbox[0].body
    assert "next=" not in mailoutbox[0].body
    assert location == "/accounts/login/"
