import uuid

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.internal import ratelimit
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

from outbox.tasks import send_later

from . import trust


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
