import logging

from django.apps import AppConfig
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Members")

    def ready(self) -> None:
        from journalclub.page_cache import bump_unless_only_last_login, invalidate_on_changes_to

        invalidate_on_changes_to(self.get_model("User"), receiver=bump_unless_only_last_login)
        user_login_failed.connect(log_failed_sign_in, dispatch_uid="accounts:log-failed-sign-in")

        from allauth.account.signals import email_confirmed
        from allauth.mfa.signals import authenticator_used

        from . import trust

        authenticator_used.connect(trust.after_two_factor, dispatch_uid="accounts:trust-2fa")
        email_confirmed.connect(trust.after_email_link, dispatch_uid="accounts:trust-email")


def log_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    # Django hides passwords in `credentials`; the address tried is worth keeping.
    logging.getLogger("journalclub.auth").warning(
        "sign-in failed",
        extra={
            "event": "sign_in_failed",
            "login": credentials.get("email") or credentials.get("username"),
            "ip": request.META.get("REMOTE_ADDR") if request else None,
        },
    )
