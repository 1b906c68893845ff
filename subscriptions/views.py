from allauth.core.internal import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from posts.models import Review

from .forms import SubscribeForm
from .models import CONFIRM_SALT, CONFIRMATION_VALID_FOR, UNSUBSCRIBE_SALT, Subscriber
from .tasks import ask_to_subscribe, subscribe_member

LATEST_REVIEWS = 5
# Confirmation requests one client may make (allauth's rate limits: per IP address, as
# seen through the trusted proxies), on top of the limits per address
# (Subscriber.claim_confirmation_email).
ASK_LIMITS = {"ask": "5/1h/ip"}
VERIFY_FIRST = gettext_lazy(
    "Verify your email address first: we send new reviews to verified addresses only."
)


def _subscribe_page(request: HttpRequest, form: SubscribeForm, *, status: int = 200):
    subscription = None
    if request.user.is_authenticated:
        subscription = Subscriber.objects.of_member(request.user).confirmed().first()
    context = {
        "form": form,
        "reviews": Review.objects.published()
        .in_language(get_language())
        .select_related("reviewer")[:LATEST_REVIEWS],
        "feed_url": request.build_absolute_uri(reverse("posts:feed")),
        "subscription": subscription,
    }
    return render(request, "subscriptions/subscribe.html", context, status=status)


@require_safe
def subscribe_page(request: HttpRequest) -> HttpResponse:
    return _subscribe_page(request, SubscribeForm())


# Visitors' pages are cached and so carry no CSRF token: this form posts without one. It
# acts on no one's session, and nothing is sent to the address but a link to confirm.
@csrf_exempt
@require_POST
def ask_by_email(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _subscribe_page(request, form, status=400)
    if not ratelimit.consume(request, app="subscriptions", action="ask", config=ASK_LIMITS):
        form.add_error("email", _("Too many requests from your network: try again in an hour."))
        return _subscribe_page(request, form, status=429)
    ask_to_subscribe(form.cleaned_data["email"], get_language())
    return render(request, "subscriptions/check_inbox.html", {"email": form.cleaned_data["email"]})


@login_required
@require_POST
def member_subscription(request: HttpRequest) -> HttpResponse:
    if request.POST.get("action") == "stop":
        Subscriber.objects.of_member(request.user).delete()
        messages.success(request, _("You will no longer get new reviews by email."))
    else:
        subscriber = subscribe_member(request.user, get_language())
        if subscriber is None:
            messages.error(request, VERIFY_FIRST)
            return redirect("account_email")
        messages.success(
            request,
            _("Subscribed: new reviews and syntheses will come to %(email)s.")
            % {"email": subscriber.email},
        )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("subscriptions:page")
    return HttpResponseRedirect(next_url)


# The links of emails. Mail scanners and link previews open links, so a GET only asks; a
# POST acts.
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    pk = Subscriber.from_token(token, salt=CONFIRM_SALT, max_age=CONFIRMATION_VALID_FOR)
    subscriber = Subscriber.objects.filter(pk=pk).first() if pk is not None else None
    if subscriber is None:
        return render(
            request, "subscriptions/link_invalid.html", {"purpose": "confirm"}, status=400
        )
    if request.method == "POST":
        subscriber.confirm()
    context = {"subscriber": subscriber, "done": subscriber.is_confirmed}
    return render(request, "subscriptions/confirm.html", context)


# A mail client's one-click POST (RFC 8058) carries no CSRF token: the signed token in the
# address is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    pk = Subscriber.from_token(token, salt=UNSUBSCRIBE_SALT)
    if pk is None:
        context = {"purpose": "unsubscribe"}
        return render(request, "subscriptions/link_invalid.html", context, status=400)
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if request.method == "POST" and subscriber is not None:
        subscriber.delete()
        subscriber = None
    return render(request, "subscriptions/unsubscribe.html", {"subscriber": subscriber})
