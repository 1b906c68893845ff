"""Browsers an account trusts: ones that have shown the member's second factor or opened a
verification link sent to them. A stranger's wrong passwords do not lock the member out of
such a browser (accounts.adapter.AccountAdapter.pre_authenticate); docs/security.md has the
trade-off."""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE = "trusted_browser"
SALT = "accounts.trusted-browser"
MAX_AGE = timedelta(days=180)


def trust_browser(request: HttpRequest, user_id: int) -> None:
    """Give this request's response the account's trust cookie (see set_cookie)."""
    request.trusted_by = user_id


def after_two_factor(sender, request: HttpRequest, user, **kwargs) -> None:
    trust_browser(request, user.pk)


def after_email_link(sender, request: HttpRequest, email_address: EmailAddress, **kwargs) -> None:
    # An administrator marking an address verified in the admin proves nothing about their
    # own browser.
    if request.user.is_authenticated and request.user.pk != email_address.user_id:
        return
    trust_browser(request, email_address.user_id)


def set_cookie(request: HttpRequest, response: HttpResponse) -> None:
    user_id = getattr(request, "trusted_by", None)
    if user_id is None:
        return
    response.set_signed_cookie(
        COOKIE,
        f"{user_id}:{secrets.token_urlsafe(16)}",
        salt=SALT,
        max_age=MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def trusted_browser(request: HttpRequest, login: str) -> str | None:
    """This browser's id when it carries the trust cookie of the account `login` names."""
    value = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=MAX_AGE)
    if not value:
        return None
    user_id, _, browser_id = value.partition(":")
    addresses = EmailAddress.objects.filter(user_id=user_id, verified=True)
    if not addresses.filter(email__iexact=login).exists():
        return None
    return browser_id
