import uuid
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.core import context as allauth_context
from allauth.core.internal import ratelimit
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from outbox.tasks import send_later

from . import trust


def site_path(url: str | None) -> str:
    """`url` when it is a path on this site ("/reviews/..."), else ""."""
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return ""


def user_display(user: AbstractBaseUser) -> str:
    """How allauth names a member in its messages and pages (ACCOUNT_USER_DISPLAY)."""
    return user.public_name


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        """allauth's limit on failed sign-ins (ACCOUNT_RATE_LIMITS["login_failed"]: per
        address, and per account), except that a browser the account trusts counts its
        failures on its own, so a stranger's wrong passwords cannot lock the member out of it.
        The per-address limit applies to everyone."""
        key = self._get_login_attempts_cache_key(request, **credentials)
        login = credentials.get("email", credentials.get("username", ""))
        if browser := trust.trusted_browser(request, login):
            key = f"{key}:browser:{browser}"
        # Kept where allauth's authenticate() looks for it, to give the attempt back when the
        # password was right.
        self._login_failed_rl_usage = ratelimit.consume(
            request, app="allauth.account", action="login_failed", key=key
        )
        if not self._login_failed_rl_usage:
            raise self.validation_error("too_many_login_attempts")

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        """allauth's, and the password (and second factor) just shown to sign in count as
        proof for its "Confirm access" step, as a password typed there would, until
        ACCOUNT_REAUTHENTICATION_TIMEOUT has passed since. allauth counts only records marked
        `reauthenticated`, so staff who had just signed in were asked for their password
        again before setting up two-factor authentication."""
        super().login(request, user)
        records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY)
        if isinstance(records, list):
            request.session[AUTHENTICATION_METHODS_SESSION_KEY] = [
                record | {"reauthenticated": True}
                if record.get("method") in ("password", "mfa")
                else record
                for record in records
            ]

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        """allauth's, and a member who signs up from French pages (/fr/accounts/signup/)
        gets French as their language: the site and the emails they are sent afterwards
        (replies, moderation) are in French, not only the verification email."""
        if not user.language:
            language = translation.get_language()
            if language in dict(settings.LANGUAGES):
                user.language = language
        return super().save_user(request, user, form, commit=commit)

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation) -> str:
        """allauth's, carrying the `next` of the sign-up (a path on this site only): a member
        who confirms in another browser, such as a phone's mail app, is not signed in there,
        and is sent on to that page once they sign in (accounts.views.ConfirmEmailView)."""
        url = super().get_email_confirmation_url(request, emailconfirmation)
        onward = site_path(request and (request.POST.get("next") or request.GET.get("next")))
        return f"{url}?{urlencode({'next': onward})}" if onward else url

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails (verification, password reset, ...) go out through the outbox,
        by the task worker: the request only keeps them."""
        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request)}
            | context,
        )
        send_later([(f"account:{uuid.uuid4()}", message)])


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request: HttpRequest, provider=None, client_id=None) -> list:
        """allauth's, without its filter on the sites an app is linked to: there is one site,
        so a sign-in app (ORCID) added in the admin without ticking it still works, instead
        of every sign-in through it failing with a server error."""
        return super().list_apps(None, provider=provider, client_id=client_id)
