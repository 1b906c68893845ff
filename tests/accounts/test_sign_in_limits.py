"""Failed sign-ins are limited per address and per account, but a stranger's wrong passwords
do not lock a member out of a browser that has already shown their second factor or opened
their verification link."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

TOO_MANY = ["Too many failed login attempts. Try again later."]
MEMBER_IP = "198.51.100.7"
COOKIE = "trusted_browser"
ATTACKER_IP = "203.0.113.66"


@pytest.fixture(autouse=True)
def two_codes_per_sign_in_window(settings):
    # allauth refuses a TOTP code twice; one period either side lets a test sign in twice.
    settings.MFA_TOTP_TOLERANCE = 1


def browser(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def with_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def code(secret: str, step: int = 0) -> str:
    """The app's code for this period (step 0) or the next (step 1)."""
    before, now, after = yield_hotp_counters_from_time()
    return format_hotp_value(hotp_value(secret, now + step))


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def refused(response) -> bool:
    return response.status_code == 200 and response.context["form"].non_field_errors() == TOO_MANY


def lock_out(email: str) -> Client:
    """Five wrong passwords from a stranger's browser: allauth's per-account limit."""
    attacker = browser(ATTACKER_IP)
    for _ in range(5):
        response = sign_in(attacker, email, "not-the-password")
        assert response.status_code == 200 and not refused(response)
    return attacker


def sign_in_with_two_factor(client: Client, member: User, secret: str, step: int = 0) -> None:
    response = sign_in(client, member.email)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": code(secret, step)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_a_stranger_locks_out_a_browser_the_account_does_not_know(client):
    member = make_user()
    attacker = lock_out(member.email)
    assert refused(sign_in(attacker, member.email))  # even the right password
    assert refused(sign_in(browser(MEMBER_IP), member.email))
    assert "_auth_user_id" not in attacker.session


def test_a_stranger_does_not_lock_out_a_browser_that_passed_two_factor():
    member = make_user(is_staff=True)
    secret = with_totp(member)
    laptop = browser(MEMBER_IP)
    sign_in_with_two_factor(laptop, member, secret)
    laptop.post("/accounts/logout/")

    attacker = lock_out(member.email)
    sign_in_with_two_factor(laptop, member, secret, step=1)
    # The stranger is still held back, whatever they try.
    assert refused(sign_in(attacker, member.email, "another-guess"))
    assert refused(sign_in(attacker, member.email))
    assert "_auth_user_id" not in attacker.session


def test_a_stranger_does_not_lock_out_the_browser_that_opened_the_verification_link(
    mailoutbox,
):
    phone = browser(MEMBER_IP)
    phone.post(
        "/accounts/signup/",
        {
            "email": "new.member@example.org",
            "display_name": "New Member",
            "password1": "correct-horse-battery",
            "password2": "correct-horse-battery",
        },
    )
    run_tasks()
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", mailoutbox[0].body)
    assert phone.post(link.group(1)).status_code == 302
    phone.post("/accounts/logout/")

    attacker = lock_out("new.member@example.org")
    response = sign_in(phone, "new.member@example.org", "correct-horse-battery")
    assert response.status_code == 302
    assert phone.session["_auth_user_id"] == str(
        User.objects.get(email="new.member@example.org").pk
    )
    assert refused(sign_in(attacker, "new.member@example.org", "correct-horse-battery"))


def test_a_trusted_browser_is_still_limited_for_its_own_wrong_passwords():
    member = make_user()
    secret = with_totp(member)
    laptop = browser(MEMBER_IP)
    sign_in_with_two_factor(laptop, member, secret)
    laptop.post("/accounts/logout/")
    for _ in range(5):
        assert not refused(sign_in(laptop, member.email, "misremembered"))
    assert refused(sign_in(laptop, member.email))


def test_a_browser_trusted_by_one_account_gets_nothing_for_another():
    attacker_account = make_user()
    secret = with_totp(attacker_account)
    attacker = browser(ATTACKER_IP)
    sign_in_with_two_factor(attacker, attacker_account, secret)
    attacker.post("/accounts/logout/")

    victim = make_user()
    for _ in range(5):
        assert not refused(sign_in(attacker, victim.email, "a-guess"))
    assert refused(sign_in(attacker, victim.email, "another-guess"))
    assert refused(sign_in(browser(MEMBER_IP), victim.email))


def test_a_made_up_trust_cookie_gets_nothing():
    member = make_user()
    attacker = lock_out(member.email)
    attacker.cookies[COOKIE] = f"{member.pk}:made-up"
    assert refused(sign_in(attacker, member.email))


def test_a_password_alone_does_not_make_a_browser_trusted():
    member = make_user()
    laptop = browser(MEMBER_IP)
    assert sign_in(laptop, member.email).status_code == 302
    assert COOKIE not in laptop.cookies
    laptop.post("/accounts/logout/")
    lock_out(member.email)
    assert refused(sign_in(laptop, member.email))


def test_the_trust_cookie_is_secure_http_only_and_lasts_half_a_year(settings):
    member = make_user()
    laptop = browser(MEMBER_IP)
    sign_in_with_two_factor(laptop, member, with_totp(member))
    cookie = laptop.cookies[COOKIE]
    assert settings.SESSION_COOKIE_SECURE is True
    assert (cookie["secure"], cookie["httponly"], cookie["samesite"], cookie["max-age"]) == (
        True,
        True,
        "Lax",
        180 * 24 * 60 * 60,
    )


def test_the_per_address_limit_still_holds_for_trusted_browsers():
    """The trade-off: a trusted browser behind the same address as an attacker (one office,
    one phone network) waits out allauth's per-address minute like everyone there."""
    member = make_user()
    laptop = browser(MEMBER_IP)
    sign_in_with_two_factor(laptop, member, with_totp(member))
    laptop.post("/accounts/logout/")
    neighbour = browser(MEMBER_IP)
    for n in range(10):
        sign_in(neighbour, f"someone{n}@example.org", "a-guess")
    assert refused(sign_in(laptop, member.email))


def test_an_administrator_verifying_an_address_does_not_trust_their_own_browser(admin_client):
    member = make_user(verified=False)
    address = EmailAddress.objects.get(user=member)
    admin_client.post(
        "/admin/account/emailaddress/",
        {"action": "make_verified", "_selected_action": [address.pk]},
    )
    address.refresh_from_db()
    assert address.verified
    assert COOKIE not in admin_client.cookies


def test_an_unverified_address_added_by_a_stranger_earns_no_trust_for_it():
    from allauth.account.models import EmailAddress

    victim = make_user()
    stranger = make_user()
    secret = with_totp(stranger)
    # Any member may add an address to their own account; it stays unverified.
    EmailAddress.objects.create(user=stranger, email=victim.email.upper(), verified=False)
    attacker = browser(ATTACKER_IP)
    sign_in_with_two_factor(attacker, stranger, secret)  # the stranger's browser is trusted
    attacker.post("/accounts/logout/")
    for _ in range(5):
        assert not refused(sign_in(attacker, victim.email, "a-guess"))
    assert refused(sign_in(attacker, victim.email, "another-guess"))


def test_behind_a_proxy_each_client_has_its_own_address_limit(settings):
    """Every request then comes from the proxy: a stranger's failures there must not
    count against other members."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    member = make_user()
    stranger = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=ATTACKER_IP)
    for n in range(12):
        sign_in(stranger, f"nobody{n}@example.org", "a-guess")
    assert refused(sign_in(stranger, "nobody@example.org", "a-guess"))
    member_browser = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=MEMBER_IP)
    assert sign_in(member_browser, member.email).status_code == 302
