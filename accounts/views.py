from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
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
