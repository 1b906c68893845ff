"""Every form that writes, on a database that refuses writes (a failover, maintenance): the
member gets the friendly 503 with what they sent, ready to copy or to send again, never a
500; and nothing is half-written.

The table below names every POST endpoint. `test_every_post_endpoint_is_in_the_table` asks
the URL resolver for the views that accept POST, so a new one fails until it is added here.
Each case first runs on a writable database, to show that it does write."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from inspect import getsource, unwrap

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import IntegrityError, InterfaceError, OperationalError, connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.views.generic import RedirectView

from comments.models import Flag, QuestionFollow
from comments.notifications import unsubscribe_url
from subscriptions.models import Subscriber
from tests.database_failures import failing_writes, read_only_database, snapshot
from tests.factories import PASSWORD, make_comment, make_review, make_series, make_user

# Autocommit, as in production: a refused write outside an atomic block spoils nothing.
pytestmark = pytest.mark.django_db(transaction=True)

# What a member typed: the page must hand each of these back.
WORDS = "Words worth keeping, typed with care.\nA second line."
NEW_PASSWORD = "a-brand-new-long-passphrase"
CSRF = "the-token-that-came-with-the-form"


@dataclass
class Sent:
    client: Client
    url: str
    data: dict[str, str | list[str]] = field(default_factory=dict)


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def signed_in_with_password(user) -> Client:
    """Signed in through the form, so allauth counts it as a fresh authentication."""
    client = Client(raise_request_exception=False)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def anonymous() -> Client:
    return Client(raise_request_exception=False)


def moderator():
    user = make_user()
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def with_totp(user) -> str:
    secret = generate_totp_secret()
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": secret})
    return secret


def signed_in_with_two_factor(user, secret: str) -> Client:
    client = Client(raise_request_exception=False)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


# The table: case name -> (route, how to set it up and what to send).
CASES: dict[str, tuple[str, Callable[[], Sent]]] = {}


def case(name: str, route: str):
    def register(prepare: Callable[[], Sent]) -> Callable[[], Sent]:
        CASES[name] = (route, prepare)
        return prepare

    return register


# The discussion


@case("comment", "reviews/<slug:slug>/comments/")
def _comment() -> Sent:
    review = make_review()
    data = {
        "question": str(review.questions.first().pk),
        "body": WORDS,
        "submission_key": "5f0c1d52-8f3e-4a43-9a53-3d2b1c7e9a10",
    }
    return Sent(signed_in(make_user()), f"/reviews/{review.slug}/comments/", data)


@case("reply", "reviews/<slug:slug>/comments/")
def _reply() -> Sent:
    parent = make_comment()
    data = {
        "question": str(parent.question_id),
        "parent": str(parent.pk),
        "body": WORDS,
        "submission_key": "0b7f3c55-2d6e-4f1a-8c1b-6e9d4a2f5b33",
    }
    return Sent(signed_in(make_user()), f"/reviews/{parent.review.slug}/comments/", data)


@case("edit", "comments/<int:pk>/edit/")
def _edit() -> Sent:
    comment = make_comment()
    return Sent(signed_in(comment.author), f"/comments/{comment.pk}/edit/", {"body": WORDS})


@case("delete", "comments/<int:pk>/delete/")
def _delete() -> Sent:
    comment = make_comment()
    return Sent(signed_in(comment.author), f"/comments/{comment.pk}/delete/")


@case("flag", "comments/<int:pk>/flag/")
def _flag() -> Sent:
    comment = make_comment()
    data = {"reason": "spam", "note": WORDS}
    return Sent(signed_in(make_user()), f"/comments/{comment.pk}/flag/", data)


@case("follow", "questions/<int:pk>/follow/")
def _follow() -> Sent:
    question = make_review().questions.first()
    return Sent(signed_in(make_user()), f"/questions/{question.pk}/follow/", {"next": "profile"})


@case("unfollow", "questions/<int:pk>/follow/")
def _unfollow() -> Sent:
    question = make_review().questions.first()
    member = make_user()
    QuestionFollow.objects.create(question=question, member=member)
    return Sent(signed_in(member), f"/questions/{question.pk}/follow/")


@case("unfollow by email link", "follows/unsubscribe/<str:token>/")
def _unfollow_by_link() -> Sent:
    follow = QuestionFollow.objects.create(
        question=make_review().questions.first(), member=make_user()
    )
    return Sent(anonymous(), unsubscribe_url("follow", follow.pk))


@case("hide", "comments/<int:pk>/hide/")
def _hide() -> Sent:
    comment = make_comment()
    data = {"reason": "off_topic", "note": WORDS}
    return Sent(signed_in(moderator()), f"/comments/{comment.pk}/hide/", data)


@case("unhide", "comments/<int:pk>/unhide/")
def _unhide() -> Sent:
    comment = make_comment()
    comment.hide(by=None, reason="spam")
    data = {"note": "Not spam after all", "next": "queue"}
    return Sent(signed_in(moderator()), f"/comments/{comment.pk}/unhide/", data)


@case("approve", "comments/<int:pk>/approve/")
def _approve() -> Sent:
    comment = make_comment(approved=False)
    return Sent(signed_in(moderator()), f"/comments/{comment.pk}/approve/", {"next": "queue"})


@case("dismiss flags", "comments/<int:pk>/dismiss-flags/")
def _dismiss_flags() -> Sent:
    comment = make_comment()
    Flag.objects.create(comment=comment, flagger=make_user(), reason="spam")
    data = {"note": "Fair criticism, not abuse"}
    return Sent(signed_in(moderator()), f"/comments/{comment.pk}/dismiss-flags/", data)


@case("suspend", "moderation/members/<int:pk>/")
def _suspend() -> Sent:
    member = make_user()
    until = (timezone.localdate() + timedelta(days=7)).isoformat()
    data = {"until": until, "reason": WORDS, "hide_comments": "on"}
    return Sent(signed_in(moderator()), f"/moderation/members/{member.pk}/", data)


@case("lift suspension", "moderation/members/<int:pk>/")
def _lift() -> Sent:
    member = make_user(suspended_at=timezone.now(), suspension_reason="Spam")
    data = {"action": "lift", "note": "Served their time"}
    return Sent(signed_in(moderator()), f"/moderation/members/{member.pk}/", data)


# Accounts


@case("profile", "accounts/profile/")
def _profile() -> Sent:
    data = {
        "display_name": "Ada Lovelace",
        "affiliation": "Analytical Engines Ltd",
        "role": "broker",
        "reply_emails": "on",
    }
    return Sent(signed_in(make_user()), "/accounts/profile/", data)


@case("switch language", "i18n/setlang/")
def _switch_language() -> Sent:
    return Sent(signed_in(make_user()), "/i18n/setlang/", {"language": "fr", "next": "/"})


@case("delete account", "accounts/delete/")
def _delete_account() -> Sent:
    return Sent(signed_in(make_user()), "/accounts/delete/", {"confirm": "delete"})


@case("unsubscribe link", "accounts/unsubscribe/<str:token>/")
def _unsubscribe() -> Sent:
    return Sent(anonymous(), unsubscribe_url("replies", make_user().pk), {"action": "unsubscribe"})


# Subscriptions


def subscriber(**fields) -> Subscriber:
    return Subscriber.objects.create(**fields)


def path_of(url: str) -> str:
    """An email's link (on the site's domain) as the path its page's form posts to."""
    return url.removeprefix("https://testserver")


@case("subscribe by email", "subscribe/email/")
def _subscribe_by_email() -> Sent:
    return Sent(anonymous(), "/subscribe/email/", {"email": "reader@example.org"})


@case("subscribe as a member", "subscribe/member/")
def _subscribe_as_member() -> Sent:
    return Sent(signed_in(make_user()), "/subscribe/member/", {"next": "/"})


@case("stop a member's subscription", "subscribe/member/")
def _stop_subscription() -> Sent:
    member = make_user()
    subscriber(email=member.email, member=member, confirmed_at=timezone.now())
    return Sent(signed_in(member), "/subscribe/member/", {"action": "stop"})


@case("confirm a subscription", "subscribe/confirm/<str:token>/")
def _confirm_subscription() -> Sent:
    return Sent(anonymous(), path_of(subscriber(email="reader@example.org").confirm_url()))


@case("unsubscribe from new reviews", "subscribe/unsubscribe/<str:token>/")
def _unsubscribe_from_reviews() -> Sent:
    reader = subscriber(email="reader@example.org", confirmed_at=timezone.now())
    return Sent(anonymous(), path_of(reader.unsubscribe_url()), {"List-Unsubscribe": "One-Click"})


@case("sign in", "accounts/login/")
def _sign_in() -> Sent:
    member = make_user()
    return Sent(anonymous(), "/accounts/login/", {"login": member.email, "password": PASSWORD})


@case("sign out", "accounts/logout/")
def _sign_out() -> Sent:
    return Sent(signed_in(make_user()), "/accounts/logout/")


@case("sign up", "accounts/signup/")
def _sign_up() -> Sent:
    data = {
        "email": "new.member@example.org",
        "display_name": "New Member",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return Sent(anonymous(), "/accounts/signup/", data)


@case("confirm password", "accounts/reauthenticate/")
def _reauthenticate() -> Sent:
    return Sent(signed_in(make_user()), "/accounts/reauthenticate/", {"password": PASSWORD})


@case("add email address", "accounts/email/")
def _add_email() -> Sent:
    data = {"action_add": "", "email": "second.address@example.org"}
    return Sent(signed_in(make_user()), "/accounts/email/", data)


@case("confirm email address", "accounts/^confirm-email/(?P<key>[-:\\w]+)/$")
def _confirm_email() -> Sent:
    member = make_user(verified=False)
    key = EmailConfirmationHMAC(EmailAddress.objects.get(user=member)).key
    return Sent(anonymous(), f"/accounts/confirm-email/{key}/")


@case("change password", "accounts/password/change/")
def _change_password() -> Sent:
    data = {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return Sent(signed_in_with_password(make_user()), "/accounts/password/change/", data)


@case("set password", "accounts/password/set/")
def _set_password() -> Sent:
    member = make_user()
    member.set_unusable_password()
    member.save()
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return Sent(signed_in(member), "/accounts/password/set/", data)


@case("reset password", "accounts/password/reset/")
def _reset_password() -> Sent:
    return Sent(anonymous(), "/accounts/password/reset/", {"email": make_user().email})


@case(
    "new password from reset link",
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
)
def _reset_password_from_key() -> Sent:
    member = make_user()
    client = anonymous()
    uidb36 = user_pk_to_url_str(member)
    link = f"/accounts/password/reset/key/{uidb36}-{default_token_generator.make_token(member)}/"
    form_url = client.get(link)["Location"]  # the key moves into the session
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return Sent(client, form_url, data)


@case("two-factor code at sign-in", "accounts/2fa/authenticate/")
def _two_factor_sign_in() -> Sent:
    member = make_user()
    secret = with_totp(member)
    client = anonymous()
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    return Sent(client, "/accounts/2fa/authenticate/", {"code": totp_code(secret)})


@case("two-factor code to confirm", "accounts/2fa/reauthenticate/")
def _two_factor_reauthenticate() -> Sent:
    member = make_user()
    secret = with_totp(member)
    client = signed_in(member)
    return Sent(client, "/accounts/2fa/reauthenticate/", {"code": totp_code(secret)})


@case("set up two-factor", "accounts/2fa/totp/activate/")
def _activate_totp() -> Sent:
    client = signed_in(make_user())
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    code = totp_code(client.session[SECRET_SESSION_KEY])
    return Sent(client, "/accounts/2fa/totp/activate/", {"code": code})


@case("turn off two-factor", "accounts/2fa/totp/deactivate/")
def _deactivate_totp() -> Sent:
    member = make_user()
    client = signed_in_with_two_factor(member, with_totp(member))
    return Sent(client, "/accounts/2fa/totp/deactivate/")


@case("new recovery codes", "accounts/2fa/recovery-codes/generate/")
def _generate_recovery_codes() -> Sent:
    member = make_user()
    client = signed_in_with_two_factor(member, with_totp(member))
    return Sent(client, "/accounts/2fa/recovery-codes/generate/")


@case("disconnect ORCID", "accounts/3rdparty/")
def _disconnect_orcid() -> Sent:
    SocialApp.objects.create(provider="orcid", name="ORCID", client_id="id", secret="s")
    member = make_user()
    account = SocialAccount.objects.create(user=member, provider="orcid", uid="0000-0002-1825")
    return Sent(signed_in(member), "/accounts/3rdparty/", {"account": str(account.pk)})


@case("end other sessions", "accounts/sessions/")
def _end_sessions() -> Sent:
    member = make_user()
    elsewhere = signed_in_with_password(member)
    client = signed_in_with_password(member)
    assert elsewhere.session.session_key != client.session.session_key
    assert UserSession.objects.filter(user=member).count() == 2
    return Sent(client, "/accounts/sessions/")


# The admin: each kind of admin page, on one model; every model's pages are the same views.


def superuser() -> Client:
    return signed_in(make_user(is_staff=True, is_superuser=True))


@case("admin: add", "admin/<model>/add/")
def _admin_add() -> Sent:
    data = {"name": "Evidence in practice", "slug": "evidence-in-practice", "description": WORDS}
    return Sent(superuser(), "/admin/posts/series/add/", data)


@case("admin: change", "admin/<model>/<path:object_id>/change/")
def _admin_change() -> Sent:
    series = make_series()
    data = {"name": series.name, "slug": series.slug, "description": WORDS}
    return Sent(superuser(), f"/admin/posts/series/{series.pk}/change/", data)


@case("admin: delete", "admin/<model>/<path:object_id>/delete/")
def _admin_delete() -> Sent:
    series = make_series()
    return Sent(superuser(), f"/admin/posts/series/{series.pk}/delete/", {"post": "yes"})


@case("admin: action on the list", "admin/<model>/")
def _admin_action() -> Sent:
    pks = [str(make_series().pk), str(make_series().pk)]
    data = {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
    return Sent(superuser(), "/admin/posts/series/", data)


@case("admin: a member's password", "admin/accounts/user/<id>/password/")
def _admin_user_password() -> Sent:
    member = make_user()
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    return Sent(superuser(), f"/admin/accounts/user/{member.pk}/password/", data)


@case("admin: own password", "admin/password_change/")
def _admin_password_change() -> Sent:
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return Sent(superuser(), "/admin/password_change/", data)


@case("admin: sign out", "admin/logout/")
def _admin_logout() -> Sent:
    return Sent(superuser(), "/admin/logout/")


# Views that accept POST but write nothing of their own (at most the session, which only
# changes along with the writes covered above), or that tests cannot reach.
NOT_WRITING = {
    "accounts/social/login/cancelled/": "a redirect to the new address",
    "accounts/social/login/error/": "a redirect to the new address",
    "accounts/social/signup/": "a redirect to the new address",
    "accounts/social/connections/": "a redirect to the new address",
    "admin/<model>/<path:object_id>/": "a redirect to the change page",
    "admin/login/": "hands over to the allauth sign-in page (secure_admin_login)",
    "accounts/orcid/login/": "redirects to ORCID; only its session changes",
    "accounts/orcid/login/callback/": "ORCID's answer: needs ORCID (it writes as sign-up does)",
    "accounts/3rdparty/signup/": "reached only half-way through an ORCID sign-in",
    "accounts/login/code/confirm/": "sign-in by emailed code is off (ACCOUNT_LOGIN_BY_CODE)",
    "accounts/reauthenticate/code/": "sign-in by emailed code is off (ACCOUNT_LOGIN_BY_CODE)",
    "accounts/reauthenticate/code/confirm/": "sign-in by emailed code is off",
}

# Admin pages that post, by their URL name or its ending, and where the table lists them;
# every other admin page only reads.
ADMIN_POST_PAGES = {
    "auth_user_password_change": "admin/accounts/user/<id>/password/",
    "password_change": "admin/password_change/",
    "logout": "admin/logout/",
    "login": "admin/login/",
    "_add": "admin/<model>/add/",
    "_change": "admin/<model>/<path:object_id>/change/",
    "_delete": "admin/<model>/<path:object_id>/delete/",
    "_changelist": "admin/<model>/",
}
ADMIN_READ_PAGES = {"index", "password_change_done", "autocomplete", "jsi18n", "view_on_site"}
# Posted to, but writes nothing: it renders the Markdown an editor is typing.
ADMIN_READ_PAGES.add("posts_markdown_preview")
ADMIN_REDIRECT = "admin/<model>/<path:object_id>/"


def _patterns(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _admin_route(route: str, pattern: URLPattern) -> str | None:
    """Where the table lists an admin page; None for pages that only read."""
    name = pattern.name or ""
    for key, listed in ADMIN_POST_PAGES.items():
        if name == key or (key.startswith("_") and name.endswith(key)):
            return listed
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is not None and issubclass(view_class, RedirectView):
        return ADMIN_REDIRECT  # a model's <object_id>/, on to its change page
    if name in ADMIN_READ_PAGES or name.endswith("_history") or name == "app_list":
        return None
    if route.endswith("(?P<url>.*)$"):  # the catch-all: a redirect or a 404
        return None
    raise AssertionError(f"new admin page {route} ({name}): add it to this test's table")


def _accepts_post(pattern: URLPattern) -> bool:
    """Class-based views with a `post`; function views that mention POST (require_POST,
    `request.method == "POST"`, `request.POST`)."""
    view = pattern.callback
    if (view_class := getattr(view, "view_class", None)) is not None:
        return hasattr(view_class, "post")
    view = unwrap(view)
    # A view may be an instance (a feed): read its class.
    return "POST" in getsource(view if hasattr(view, "__code__") else type(view))


def post_endpoints() -> set[str]:
    routes = set()
    for route, pattern in _patterns(get_resolver().url_patterns):
        if route.startswith("admin/"):
            if (listed := _admin_route(route, pattern)) is not None:
                routes.add(listed)
        elif _accepts_post(pattern):
            routes.add(route)
    return routes


def test_every_post_endpoint_is_in_the_table():
    listed = {route for route, _ in CASES.values()} | set(NOT_WRITING)
    assert post_endpoints() - listed == set()
    # And the table names no address that is gone.
    routes = {route for route, _ in _patterns(get_resolver().url_patterns)}
    admin_kinds = set(ADMIN_POST_PAGES.values()) | {ADMIN_REDIRECT}
    assert listed - routes - admin_kinds == set()


# Reading the 503 page


class Forms(HTMLParser):
    """The POST forms of a page: action -> the fields it sends, and those shown in textareas."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]]]] = []
        self._textarea: str | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self.forms.append((attrs.get("action", ""), [], []))
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in {"submit"}:
            self.forms[-1][1].append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self.forms[-1][1].append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea is not None:
            name, text = self.forms[-1][1][-1]
            self.forms[-1][1][-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, text = self.forms[-1][1].pop()
            text = text.removeprefix("\n")  # as browsers do
            self.forms[-1][1].append((name, text))
            self.forms[-1][2].append((name, text))
            self._textarea = None

    def sending_to(self, url: str) -> tuple[dict[str, list[str]], list[str]]:
        """What the page's form for `url` sends, and which of its values are in textareas."""
        [(fields, texts)] = [(f, t) for action, f, t in self.forms if action == url]
        sent: dict[str, list[str]] = {}
        for name, value in fields:
            sent.setdefault(name, []).append(value)
        return sent, [value for _, value in texts]


def as_lists(data: dict) -> dict[str, list[str]]:
    return {name: value if isinstance(value, list) else [value] for name, value in data.items()}


def without_passwords(data: dict) -> dict[str, list[str]]:
    return {name: value for name, value in as_lists(data).items() if "password" not in name}


def assert_kept(response, sent: Sent) -> dict[str, list[str]]:
    """The 503 page, with a form that sends again what was sent, passwords left out, and the
    member's text shown to copy. Returns what that form sends."""
    page = response.content.decode()
    assert response.status_code == 503, page[:2000]
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "Traceback" not in page
    resent, in_textareas = Forms(page).sending_to(sent.url)
    [token] = resent["csrfmiddlewaretoken"]
    if "Send it again" in page:
        assert token == sent.data["csrfmiddlewaretoken"]  # the one that came with the form
    else:
        assert token  # the comment form, drawn again by its view, has a fresh one
    expected = without_passwords(sent.data) | {"csrfmiddlewaretoken": [token]}
    assert resent == expected
    texts = [v for values in resent.values() for v in values if re.search(r"\s", v)]
    assert sorted(texts) == sorted(v for v in in_textareas if re.search(r"\s", v))
    for name, values in as_lists(sent.data).items():
        if "password" in name:
            for value in values:
                assert value not in page
    return resent


@pytest.mark.parametrize("name", CASES)
def test_on_a_read_only_database_a_post_answers_503_and_can_be_sent_again(name):
    _, prepare = CASES[name]
    sent = prepare()
    sent.data["csrfmiddlewaretoken"] = CSRF
    before = snapshot()
    with read_only_database():
        response = sent.client.post(sent.url, sent.data)
    resent = assert_kept(response, sent)
    assert snapshot() == before

    # A minute later the database writes again (and rate limits and used two-factor codes
    # are forgotten): "Send it again", with the password typed again, does what was asked.
    cache.clear()
    passwords = {name: value for name, value in as_lists(sent.data).items() if "password" in name}
    again = sent.client.post(sent.url, resent | passwords)
    assert again.status_code < 400, again.content.decode()[:2000]
    assert snapshot() != before


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("could not serialize access due to concurrent update"),
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
    ],
    ids=["serialization failure", "connection lost", "connection closed"],
)
@pytest.mark.parametrize("name", ["comment", "edit", "sign in"])
@pytest.mark.django_db  # these three write in atomic blocks: the test's transaction survives
def test_other_database_failures_answer_503_too(name, error):
    _, prepare = CASES[name]
    sent = prepare()
    sent.data["csrfmiddlewaretoken"] = CSRF
    before = snapshot()
    with failing_writes(error):
        response = sent.client.post(sent.url, sent.data)
    assert_kept(response, sent)
    assert snapshot() == before


@pytest.mark.django_db
def test_an_integrity_error_the_view_handles_stays_its_answer():
    # Two flags by one member at once: the view refuses the second, as before.
    sent = _flag()
    with failing_writes(IntegrityError("duplicate key value violates unique constraint")):
        response = sent.client.post(sent.url, sent.data)
    assert response.status_code == 400
    assert "You have already flagged this comment." in response.content.decode()


@pytest.mark.django_db
def test_an_integrity_error_nobody_handles_is_a_500_that_still_hands_back_the_text():
    sent = _edit()
    with failing_writes(IntegrityError("null value in column violates not-null constraint")):
        response = sent.client.post(sent.url, sent.data)
    assert response.status_code == 500
    assert Forms(response.content.decode()).sending_to(sent.url)[1] == [WORDS]


def test_send_it_again_carries_the_token_that_came_with_the_form():
    comment = make_comment()
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(comment.author)
    form_page = client.get(f"/comments/{comment.pk}/edit/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page).group(1)
    url = f"/comments/{comment.pk}/edit/"
    with read_only_database():
        failed = client.post(url, {"csrfmiddlewaretoken": token, "body": WORDS})
    resent, _ = Forms(failed.content.decode()).sending_to(url)
    assert resent == {"csrfmiddlewaretoken": [token], "body": [WORDS]}

    response = client.post(url, resent)
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == WORDS


@pytest.mark.django_db
def test_a_failed_get_answers_503_without_a_form():
    review = make_review()
    client = anonymous()
    with connection.execute_wrapper(_no_reads):
        response = client.get(review.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 503
    assert "<form" not in page


def _no_reads(execute, sql, params, many, context):
    raise OperationalError("the database went away")


@pytest.mark.django_db
def test_a_bug_on_a_post_answers_500_and_still_hands_back_the_text(settings):
    settings.ROOT_URLCONF = "tests.broken_urls"
    response = anonymous().post("/boom/", {"body": WORDS, "csrfmiddlewaretoken": CSRF})
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    resent, in_textareas = Forms(page).sending_to("/boom/")
    assert resent == {"csrfmiddlewaretoken": [CSRF], "body": [WORDS]}
    assert in_textareas == [WORDS]
