"""Sensitive account actions ask to confirm access when the sign-in is old."""

from urllib.parse import urlencode

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

THREE_DAYS = 3 * 24 * 3600


def sign_in(client, user, *, seconds_ago: int = 0) -> None:
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    if seconds_ago:
        session = client.session
        session["account_authentication_methods"] = [
            record | {"at": record["at"] - seconds_ago}
            for record in session["account_authentication_methods"]
        ]
        session.save()


def reauthenticate_url(next_path: str) -> str:
    return "/accounts/reauthenticate/?" + urlencode({"next": next_path})


def test_adding_an_email_three_days_after_signing_in_asks_to_confirm_access(client):
    member = make_user(email="member@example.org")
    sign_in(client, member, seconds_ago=THREE_DAYS)
    response = client.post("/accounts/email/", {"action_add": "", "email": "attacker@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reauthenticate_url("/accounts/email/")
    assert not EmailAddress.objects.filter(email="attacker@example.org").exists()


def test_adding_an_email_just_after_signing_in_works(client):
    member = make_user(email="member@example.org")
    sign_in(client, member)
    response = client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/email/"
    assert EmailAddress.objects.filter(user=member, email="new@example.org").exists()


def test_deleting_the_account_three_days_after_signing_in_asks_to_confirm_access(client):
    member = make_user()
    sign_in(client, member, seconds_ago=THREE_DAYS)
    assert client.get("/accounts/delete/")["Location"] == reauthenticate_url("/accounts/delete/")
    response = client.post("/accounts/delete/", {"confirm": "delete"})
    assert response["Location"] == reauthenticate_url("/accounts/delete/")
    assert User.objects.filter(pk=member.pk).exists()


def test_deleting_the_account_after_confirming_access(client):
    member = make_user()
    sign_in(client, member, seconds_ago=THREE_DAYS)
    back = client.post(reauthenticate_url("/accounts/delete/"), {"password": PASSWORD})
    assert back["Location"] == "/accounts/delete/"
    assert client.get("/accounts/delete/").status_code == 200
    client.post("/accounts/delete/", {"confirm": "delete"})
    assert not User.objects.filter(pk=member.pk).exists()


def test_deleting_the_account_just_after_signing_in_works(client):
    member = make_user()
    sign_in(client, member)
    assert client.get("/accounts/delete/").status_code == 200
    response = client.post("/accounts/delete/", {"confirm": "delete"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
