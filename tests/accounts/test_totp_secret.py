"""Reloading the authenticator setup page keeps the secret the member may have scanned."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.test import Client

from tests.accounts.test_mfa import current_code, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SETUP = "/accounts/2fa/totp/activate/"


def shown_secret(client) -> str:
    page = client.get(SETUP)
    assert page.status_code == 200, page.get("Location")
    return re.search(r'id="totp-key" type="text" value="([A-Z2-7]+)"', page.content.decode())[1]


def test_reloading_the_setup_page_shows_the_same_secret_and_its_codes_work(client):
    member = make_user()
    sign_in(client, member)
    first = shown_secret(client)
    assert shown_secret(client) == first
    response = client.post(SETUP, {"code": current_code(first)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    assert SECRET_SESSION_KEY not in client.session


def test_each_session_draws_its_own_secret(client):
    member = make_user()
    sign_in(client, member)
    other = Client()
    sign_in(other, member)
    assert shown_secret(client) != shown_secret(other)
