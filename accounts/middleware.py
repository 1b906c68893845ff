from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from journalclub.inputs import without_language

from . import trust
from .roles import needs_two_factor

PROTECTED_PREFIXES = ("/admin/", "/moderation/")


class RequireTwoFactorForStaffMiddleware:
    """Sends staff and moderators without two-factor authentication to set it up before
    the admin or the moderation pages open to them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        protected = without_language(request.path_info).startswith(PROTECTED_PREFIXES)
        if protected and needs_two_factor(request.user):
            messages.warning(
                request,
                _("Set up two-factor authentication to use the admin and the moderation pages."),
            )
            setup = reverse("mfa_activate_totp")
            # Back to the page asked for once it is set up; a POST has no page to go back to.
            if request.method == "GET":
                setup += "?" + urlencode({"next": request.get_full_path()})
            return redirect(setup)
        return self.get_response(request)


class TrustedBrowserMiddleware:
    """Gives a browser that has just shown an account's second factor, or opened a
    verification link, the account's trust cookie (accounts/trust.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        trust.set_cookie(request, response)
        return response
