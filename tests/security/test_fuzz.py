"""Fuzzing: no URL pattern and no form answers 500, to a visitor, a member, a moderator
(with two-factor authentication) or, in the admin, a superuser.

The URL patterns come from the resolver, so a new page is fuzzed as soon as it exists, and
this test fails until it knows how to fill the new pattern's path. Each pattern is asked
with real objects from a small fixture; then with every parameter at once set to "²", then
to NUL (the sweeps); then with arbitrary Unicode, control characters and NUL in its path,
query string and POST body (Hypothesis). Every form found on those pages is then sent with
all its fields swept, and with one to three of them made hostile.

Each request runs in a savepoint rolled back afterwards, so that a logout, a deletion or a
suspension does not change the next example, with its on-commit callbacks run inside it.
"""

import copy
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, TestCase
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from comments.models import Flag, QuestionFollow
from comments.notifications import unsubscribe_url
from subscriptions.models import Subscriber
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "moderator", "superuser")
# Few examples each, to stay fast (FUZZ_EXAMPLES=50, say, for a deeper search); one only
# for what our code does not answer (allauth's pages, the admin of other apps' models) and
# for pages the role may not open.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 3))
EXAMPLES_ELSEWHERE = 1
# Also, every parameter of our pages and every field of our forms at once: a digit that
# only looks ASCII, then a NUL. Random examples would seldom hit them.
SWEEPS = ["²", "\x00"]

TRICKY = [
    "", " ", "0", "1", "2", "-1", "+1", "1.5", "1e9", "9" * 30, "1" * 5000, "last", "²", "①", "١", "１",
    "\x00", "a\x00b", "\n", "a\r\nBcc: x@example.org", "\t", "\x1b[31m", "\x7f", "\x85", "\u2028",
    "\ufeff", "\ufffd", "🙂", "'", '"', "<script>alert(1)</script>", "%00", "../../etc/passwd",
    "on", "true", "null", "delete_selected", "hide_comments", "lift", "queue", "profile",
]  # fmt: skip
CONTROL = st.characters(categories=["Cc"])
HOSTILE = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=40),
    st.text(alphabet=CONTROL, min_size=1, max_size=4),
    st.builds(lambda a, c, b: a + c + b, st.text(max_size=8), st.text(CONTROL, min_size=1, max_size=2), st.text(max_size=8)),
)  # fmt: skip
# Query strings that are not UTF-8, or not even well-formed.
RAW_QUERIES = ["page=%FF", "q=%ED%A0%80", "%00=1", "page=%", "&&=&", "page=1&page=2", "q=" + "%00" * 50]  # fmt: skip
QUERY_NAMES = [
    "page", "topic", "q", "flags_page", "review", "member", "last_week", "next", "o", "p", "e",
    "all", "_changelist_filters", "_to_field", "_popup", "action", "key",
]  # fmt: skip
POST_NAMES = ["body", "question", "parent", "note", "reason", "next", "action", "until", "display_name"]  # fmt: skip
PARAMETER = re.compile(r"<(?:\w+:)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")
HYPOTHESIS = hypothesis_settings(
    deadline=None, database=None, suppress_health_check=list(HealthCheck), print_blob=False
)


# The URL patterns


def url_routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    """Every URL pattern's full route, joined the way Django's resolver joins them."""
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = str(entry.pattern)
        route = prefix + (pattern.removeprefix("^") if prefix else pattern)
        if isinstance(entry, URLResolver):
            yield from url_routes(entry, route)
        else:
            yield route


def parameters(route: str) -> list[str]:
    return [match["name"] or match["group"] for match in PARAMETER.finditer(route)]


def fill(route: str, values: dict[str, str]) -> str:
    path = PARAMETER.sub(lambda match: values[match["name"] or match["group"]], route)
    return "/" + path.removeprefix("^").removesuffix("$")


@dataclass
class Site:
    """The fixture's objects, and the cookies of a signed-in client per role."""

    cookies: dict
    values: dict[str, dict[str, str]]

    def path_values(self, route: str) -> dict[str, str]:
        names = parameters(route)
        if not names:
            return {}
        if route in self.values:
            return self.values[route]
        if route.startswith("admin/(?P<app_label>"):  # one alternative per app with models
            return {"app_label": "posts"}
        admin = re.fullmatch(r"admin/(\w+)/(\w+)/<path:object_id>/(?:\w+/)?", route)
        if admin:
            model = apps.get_model(*admin.groups())
            pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
            # A model the fixture has no row of: the admin's page for a missing object.
            return {"object_id": "0" if pk is None else str(pk)}
        pytest.fail(
            f"Cannot fill the URL pattern {route!r}: add its values to site() in {__file__}"
        )


@pytest.fixture
def site(db, settings) -> Site:
    settings.MFA_REQUIRED_FOR_STAFF = True
    settings.ACCOUNT_RATE_LIMITS = False
    settings.COMMENTS_PER_MINUTE = settings.COMMENTS_FLAGS_PER_MINUTE = 100_000

    member, author, flagger = make_user(), make_user(), make_user()
    moderator = make_user()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    superuser = make_user(editor=True, is_superuser=True)
    for user in (moderator, superuser):
        TOTP.activate(user, generate_totp_secret())
    suspended = make_user(suspended_at=timezone.now(), suspension_reason="Spam.")

    review = make_review()
    make_review(published=False)
    topic = review.topics.create(name="Evidence", slug="evidence")
    question = review.questions.first()
    visible = make_comment(question=question, author=author)
    own = make_comment(parent=visible, author=member)
    flagged = make_comment(question=question, author=author)
    Flag.objects.create(comment=flagged, flagger=flagger, reason="spam")
    hidden = make_comment(question=question, author=author)
    hidden.hide(by=moderator, reason="spam")
    pending = make_comment(question=question, author=author, approved=False)
    follow = QuestionFollow.objects.create(question=question, member=member)
    app = SocialApp.objects.create(provider="orcid", name="ORCID", client_id="id", secret="s")
    account = SocialAccount.objects.create(user=member, provider="orcid", uid="0000-0002")
    SocialToken.objects.create(app=app, account=account, token="token")
    UserSession.objects.create(user=member, ip="127.0.0.1", session_key="k" * 32, user_agent="Test")
    subscriber = Subscriber.objects.create(email="reader@example.org")

    comment_routes = {"edit": own, "delete": own, "unhide": hidden, "approve": pending, "dismiss-flags": flagged}  # fmt: skip
    values = {
        "reviews/<slug:slug>/": {"slug": review.slug},
        "reviews/<slug:slug>/comments/": {"slug": review.slug},
        "reviews/<slug:slug>/comments/feed/": {"slug": review.slug},
        "reviews/<slug:slug>/export.<str:fmt>": {"slug": review.slug, "fmt": "csv"},
        "reviews/<slug:slug>/questions/<int:number>/": {"slug": review.slug, "number": "1"},
        "topics/<slug:slug>/": {"slug": topic.slug},
        "series/<slug:slug>/": {"slug": review.series.slug},
        "questions/<int:pk>/follow/": {"pk": str(question.pk)},
        "follows/unsubscribe/<str:token>/": {"token": unsubscribe_url("follow", follow.pk).split("/")[-2]},
        "accounts/unsubscribe/<str:token>/": {"token": unsubscribe_url("replies", member.pk).split("/")[-2]},
        "moderation/members/<int:pk>/": {"pk": str(suspended.pk)},
        "subscribe/confirm/<str:token>/": {"token": subscriber.confirm_url().split("/")[-2]},
        "subscribe/unsubscribe/<str:token>/": {"token": subscriber.unsubscribe_url().split("/")[-2]},
        "accounts/confirm-email/(?P<key>[-:\\w]+)/$": {
            "key": EmailConfirmationHMAC(EmailAddress.objects.get(user=member)).key
        },
        "accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": {
            "uidb36": user_pk_to_url_str(member), "key": default_token_generator.make_token(member)
        },  # fmt: skip
        "admin/r/<path:content_type_id>/<path:object_id>/": {
            "content_type_id": str(ContentType.objects.get_for_model(review).pk), "object_id": str(review.pk)
        },  # fmt: skip
        "admin/accounts/user/<id>/password/": {"id": str(member.pk)},
        "admin/(?P<url>.*)$": {"url": "no/such/page/"},
    }  # fmt: skip
    for route in url_routes():
        if route.startswith("comments/<int:pk>/"):
            action = route.removeprefix("comments/<int:pk>/").rstrip("/")
            values[route] = {"pk": str(comment_routes.get(action, visible).pk)}

    cookies = {"anonymous": Client().cookies}
    for role, user in [("member", member), ("moderator", moderator), ("superuser", superuser)]:
        client = Client()
        client.force_login(user)
        cookies[role] = client.cookies
    return Site(cookies=cookies, values=values)


def send(site: Site, role: str, method: str, url: str, data=None) -> HttpResponse:
    """One request, with its on-commit callbacks, in a savepoint rolled back afterwards."""
    client = Client()
    client.cookies = copy.deepcopy(site.cookies[role])
    with transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = getattr(client, method)(url, data)
        transaction.set_rollback(True)
    assert response.status_code < 500, (role, method, url, data, response.status_code)
    return response


# The forms on the pages


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name: its values as sent


class PageParser(HTMLParser):
    """A page's forms, with the values they would send, and the query parameters its links use."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url, self.forms, self.query_names = url, [], []
        self.form: Form | None = None
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "a" and "?" in attrs.get("href", ""):
            query = urlsplit(urljoin(self.url, attrs["href"])).query
            self.query_names += [pair.split("=")[0] for pair in query.split("&") if pair]
        if tag == "form":
            action = urljoin(self.url, attrs.get("action") or self.url)
            self.form = Form((attrs.get("method") or "get").lower(), action)
            self.forms.append(self.form)
        elif self.form is None or not name:
            return
        elif tag == "textarea":
            self.textarea = name
            self.form.fields.setdefault(name, [""])
        elif tag == "select":
            self.select = name
            self.form.fields.setdefault(name, [])
        elif tag == "option" and self.select:
            values = self.form.fields[self.select]
            if "selected" in attrs or not values:
                values[:] = [attrs.get("value", "")]
        elif tag in ("input", "button"):
            kind = (attrs.get("type") or ("text" if tag == "input" else "submit")).lower()
            values = self.form.fields.setdefault(name, [])
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    values.append(attrs.get("value", "on"))
            elif kind not in ("file", "image", "reset"):
                values.append(attrs.get("value") or ("" if kind == "submit" else "Plain text"))

    def handle_data(self, data: str) -> None:
        if self.form is not None and self.textarea:
            self.form.fields[self.textarea] = [data.removeprefix("\n")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None


def parse(response: HttpResponse, url: str) -> PageParser:
    parser = PageParser("http://testserver" + url)
    if response.get("Content-Type", "").startswith("text/html"):
        parser.feed(response.content.decode())
    return parser


def route_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver"):
        return None
    try:
        return resolve(parts.path).route
    except Resolver404:
        return None


# The tests

EXPECTED_FORMS = {
    "anonymous": {"account_login", "account_signup", "account_reset_password", "results"},
    "member": {
        "post", "edit", "delete", "flag", "follow", "profile", "account_change_password",
        "account_email", "account_logout", "results",
    },
    "moderator": {"post", "hide", "unhide", "approve", "dismiss_flags", "member", "queue"},
    "superuser": {
        "posts_review_change", "posts_review_add", "comments_comment_changelist",
        "accounts_user_change", "accounts_user_delete",
    },
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_no_page_and_no_form_answers_500(site, role):
    routes = list(url_routes())
    assert len(routes) > 100
    if role == "superuser":  # for the admin; the moderator covers the rest
        routes = [route for route in routes if route.startswith("admin/")]
    fuzz_page = {n: page_fuzzer(site, role, n) for n in {EXAMPLES, EXAMPLES_ELSEWHERE}}
    fuzz_form = {n: form_fuzzer(site, role, n) for n in {EXAMPLES, EXAMPLES_ELSEWHERE}}
    forms = {}
    for route in routes:
        values = site.path_values(route)
        url = fill(route, values)
        assert route_of(url) == route, f"{url} does not lead to {route}"
        response = send(site, role, "get", url)
        page = parse(response, url)
        for form in page.forms:
            forms.setdefault((form.method, form.action, tuple(sorted(form.fields))), form)
        refused = response.status_code == 403 or (
            response.status_code == 302 and "/login/" in response["Location"]
        )
        query_names = list(dict.fromkeys(QUERY_NAMES + page.query_names))
        post_names = list(dict.fromkeys(POST_NAMES + [name for form in page.forms for name in form.fields]))  # fmt: skip
        examples, sweep = effort(role, url, refused=refused)
        if sweep:
            for value in SWEEPS:
                send(site, role, "get", f"{url}?{urlencode(dict.fromkeys(query_names, value))}")
                send(site, role, "post", url, dict.fromkeys(post_names, value))
        if examples:
            fuzz_page[examples](Pattern(route, values, query_names, post_names))
    names = {resolve(urlsplit(form.action).path).url_name for form in forms.values() if route_of(form.action)}  # fmt: skip
    assert EXPECTED_FORMS[role] <= names, f"forms not found: {EXPECTED_FORMS[role] - names}"
    for form in forms.values():
        if form.fields and route_of(form.action):
            examples, sweep = effort(role, form.action, form=True)
            for value in SWEEPS if sweep else []:
                submit(site, role, form, dict.fromkeys(form.fields, value))
            fuzz_form[examples](form)


def effort(role: str, url: str, *, form: bool = False, refused: bool = False) -> tuple[int, bool]:
    """How hard to fuzz `url` as `role`: how many random examples, and whether to sweep.
    Our pages and forms get the most; Django's admin and allauth one example each (the
    admin's forms for our models the sweeps too). A page the role may not open, one example
    as the anonymous visitor and none as anyone else: the refusal is the same code."""
    if refused:
        return (EXAMPLES_ELSEWHERE if role == "anonymous" else 0), False
    local = {config.label for config in apps.get_app_configs() if Path(config.path).parent == settings.BASE_DIR}  # fmt: skip
    path = urlsplit(url).path
    if path.startswith("/admin/"):
        return EXAMPLES_ELSEWHERE, form and path.split("/")[2] in local
    if resolve(path).func.__module__.split(".")[0] in local | {"journalclub"}:
        return EXAMPLES, True
    return EXAMPLES_ELSEWHERE, False


def submit(site: Site, role: str, form: Form, values: dict) -> None:
    target = urlsplit(form.action)
    if form.method == "post":
        send(site, role, "post", target.path + (f"?{target.query}" if target.query else ""), values)
    else:
        pairs = [(name, value) for name, values in values.items() for value in ([values] if isinstance(values, str) else values)]  # fmt: skip
        send(site, role, "get", f"{target.path}?{urlencode(pairs)}")


# Each Hypothesis test is made once and aimed at one pattern or form after another: making
# one costs more than running it.


@dataclass
class Pattern:
    route: str
    values: dict[str, str]
    query_names: list[str]
    post_names: list[str]


def page_fuzzer(site: Site, role: str, examples: int):
    """Hostile path parameters, query strings and POST bodies for a URL pattern."""
    aim = {}

    @hypothesis_settings(HYPOTHESIS, max_examples=examples)
    @given(data=st.data())
    def fuzz(data):
        pattern = aim["pattern"]
        values = dict(pattern.values)
        if values and data.draw(st.booleans(), label="hostile path"):
            name = data.draw(st.sampled_from(sorted(values)), label="parameter")
            values[name] = quote(data.draw(HOSTILE, label="value"), safe="")
        pairs = data.draw(st.lists(st.tuples(st.sampled_from(pattern.query_names) | HOSTILE, HOSTILE), max_size=3), label="query")  # fmt: skip
        query = urlencode(pairs)
        if data.draw(st.booleans(), label="raw query"):
            query = "&".join([query, data.draw(st.sampled_from(RAW_QUERIES))]).strip("&")
        target = fill(pattern.route, values) + (f"?{query}" if query else "")
        if data.draw(st.booleans(), label="post"):
            body = data.draw(st.dictionaries(st.sampled_from(pattern.post_names) | HOSTILE, HOSTILE | st.lists(HOSTILE, max_size=2), max_size=4), label="body")  # fmt: skip
            send(site, role, "post", target, body)
        else:
            send(site, role, "get", target)

    def aim_at(pattern: Pattern) -> None:
        aim["pattern"] = pattern
        fuzz()

    return aim_at


def form_fuzzer(site: Site, role: str, examples: int):
    """A form as its page fills it, with one to three of its fields made hostile."""
    aim = {}

    @hypothesis_settings(HYPOTHESIS, max_examples=examples)
    @given(data=st.data())
    def fuzz(data):
        form = aim["form"]
        hostile = data.draw(st.lists(st.sampled_from(sorted(form.fields)), min_size=1, max_size=3, unique=True), label="fields")  # fmt: skip
        submit(site, role, form, dict(form.fields) | {name: data.draw(HOSTILE, label=name) for name in hostile})  # fmt: skip

    def aim_at(form: Form) -> None:
        aim["form"] = form
        fuzz()

    return aim_at
