from urllib.parse import urlencode

from allauth.mfa.recovery_codes import views as recovery_codes_views
from allauth.mfa.totp import views as totp_views
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.orcid import views as orcid_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt

from .forms import ProfileForm
from .models import User

UNSUBSCRIBE_SALT = "accounts.reply-emails.unsubscribe"


def unsubscribe_url(user: User) -> str:
    token = signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)
    return reverse("accounts:unsubscribe", kwargs={"token": token})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile has been saved.")
        return redirect("accounts:profile")
    follows = request.user.follows.select_related("question__review")
    return render(request, "accounts/profile.html", {"form": form, "follows": follows})


# Mail clients send RFC 8058 one-click unsubscribes as a POST without a CSRF token;
# the signed token in the URL is what authorises the change.
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return render(request, "accounts/unsubscribe_invalid.html", status=400)
    user = get_object_or_404(User, pk=user_id)
    if request.method != "POST":
        # Mail scanners and link previews open links: a GET only asks.
        return render(request, "accounts/unsubscribe.html", {"confirm": True})
    resubscribe = request.POST.get("action") == "resubscribe"
    user.reply_emails = resubscribe
    user.save(update_fields=["reply_emails"])
    return render(request, "accounts/unsubscribe.html", {"subscribed": resubscribe})


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    from comments.moderation import delete_account as delete_member

    if request.method == "POST":
        if request.POST.get("confirm") != "delete":
            messages.error(request, "Type delete in the box to confirm.")
            context = {"keeps_text": settings.ACCOUNT_DELETION_KEEPS_TEXT}
            return render(request, "accounts/delete.html", context, status=400)
        member = request.user
        logout(request)
        delete_member(member)
        messages.success(request, "Your account and personal data are deleted. Goodbye.")
        return redirect("posts:review_list")
    return render(
        request, "accounts/delete.html", {"keeps_text": settings.ACCOUNT_DELETION_KEEPS_TEXT}
    )


def next_url(request: HttpRequest) -> str:
    """The page named by `?next=`, when it is on this site."""
    url = request.GET.get("next", "")
    on_site = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if on_site else ""


class ActivateTOTPView(totp_views.ActivateTOTPView):
    """allauth's, with the QR code drawn inline (the CSP loads images from this site only,
    never data: ones), and going on afterwards to the page the member asked for."""

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
