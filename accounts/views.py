from urllib.parse import urlencode

from allauth.account import views as account_views
from allauth.mfa.recovery_codes import views as recovery_codes_views
from allauth.mfa.totp import views as totp_views
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.orcid import views as orcid_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override

from posts.models import Review, questions_in

from .adapter import site_path
from .forms import NAME_TAKEN, ActivateTOTPForm, ProfileForm


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:  # the name was taken since the form checked it
            form.add_error("display_name", NAME_TAKEN)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    # A guest reviewer follows their review from the moment it is linked to them: its
    # title shows here only once it is published.
    follows = list(
        request.user.follows.filter(question__review__in=Review.objects.published()).select_related(
            "question__review__translation", "question__review__translation_of"
        )
    )
    # Each question as the member reads it: its review's version in their language.
    questions_in(get_language(), (follow.question for follow in follows))
    return render(request, "accounts/profile.html", {"form": form, "follows": follows})


def next_url(request: HttpRequest) -> str:
    """The page named by `?next=`, when it is on this site."""
    url = request.GET.get("next", "")
    on_site = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if on_site else ""


class ConfirmEmailView(account_views.ConfirmEmailView):
    """allauth's. Confirmed in a browser that is not signed in (a phone's mail app), the
    address is verified but the member not signed in: they are sent to sign in, and from
    there on to the page they signed up from (the `next` the emailed link carries)."""

    def get_redirect_url(self) -> str:
        onward = site_path(self.get_next_url())
        if onward and not self.request.user.is_authenticated:
            return f"{reverse('account_login')}?{urlencode({'next': onward})}"
        return super().get_redirect_url()


class ActivateTOTPView(totp_views.ActivateTOTPView):
    """allauth's, with the QR code drawn inline (the CSP loads images from this site only,
    never data: ones), and going on afterwards to the page the member asked for."""

    form_class = ActivateTOTPForm  # the same secret however often the page is shown

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        svg = context["totp_svg"]
        context["totp_svg"] = svg[svg.index("<svg") :]  # inside HTML: no XML declaration
        return context

    def get_success_url(self) -> str:
        url, onward = super().get_success_url(), next_url(self.request)
        if onward and self.did_generate_recovery_codes:
            # The new recovery codes first: that page links on.
            return f"{url}?{urlencode({'next': onward})}"
        return onward or url


class ViewRecoveryCodesView(recovery_codes_views.ViewRecoveryCodesView):
    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(**kwargs) | {"next_url": next_url(self.request)}


# The ORCID sign-in page's form posts to us and we redirect to ORCID; browsers apply
# form-action to that redirect, so this page, and only this one, names ORCID in the policy.
ORCID_ORIGIN = f"https://{settings.SOCIALACCOUNT_PROVIDERS['orcid']['BASE_DOMAIN']}"


@csp_override(
    {**settings.SECURE_CSP, "form-action": [*settings.SECURE_CSP["form-action"], ORCID_ORIGIN]}
)
def orcid_login(request: HttpRequest) -> HttpResponse:
    """allauth's; not found until ORCID sign-in is configured (environment or admin)."""
    try:
        return orcid_views.oauth2_login(request)
    except SocialApp.DoesNotExist:
        raise Http404("ORCID sign-in is not configured.") from None
