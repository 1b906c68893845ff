"""Two-factor authentication: offered to everyone, required of staff and moderators."""

import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth.models import Group

from tests.factories import PASSWORD, make_review, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def require_mfa(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


def with_totp(user):
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


def moderator():
    user = make_user()
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def test_staff_without_two_factor_are_sent_to_set_it_up(client):
    client.force_login(make_user(editor=True))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/?next=%2Fadmin%2F"


def test_staff_with_two_factor_use_the_admin(client):
    client.force_login(with_totp(make_user(editor=True)))
    assert client.get("/admin/").status_code == 200


def test_moderators_without_two_factor_cannot_moderate(client):
    member = moderator()
    client.force_login(member)
    response = client.get("/moderation/")
    assert response["Location"] == "/accounts/2fa/totp/activate/?next=%2Fmoderation%2F"
    review = make_review()
    from tests.factories import make_comment

    comment = make_comment(question=review.questions.first(), body="Untouchable")
    assert client.post(f"/comments/{comment.pk}/hide/", {"reason": "spam"}).status_code == 403
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_moderators_with_two_factor_moderate(client):
    client.force_login(with_totp(moderator()))
    assert client.get("/moderation/").status_code == 200


def test_members_can_set_up_two_factor_but_are_not_required_to(client):
    member = make_user()
    client.post("/accounts/login/", {"login": member.email, "password": "a-long-test-password"})
    assert client.get("/accounts/2fa/").status_code == 200
    # Just signed in: no second password prompt before adding an authenticator.
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    assert client.get("/accounts/profile/").status_code == 200


def test_the_requirement_is_a_setting(client, settings):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(make_user(editor=True))
    assert client.get("/admin/").status_code == 200


def test_the_admin_signs_in_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_members_see_and_end_their_other_sessions(client):
    client.force_login(make_user())
    response = client.get("/accounts/sessions/")
    assert response.status_code == 200


class Elements(HTMLParser):
    """Every element of a page's <main>, as (tag, attributes, text up to the next tag)."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict, str]] = []
        self.feed(page[page.index("<main") : page.index("</main>")])

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs), ""))

    def handle_data(self, data):
        if self.found:
            tag, attrs, text = self.found[-1]
            self.found[-1] = (tag, attrs, text + data)

    def tags(self, tag: str) -> list[tuple[dict, str]]:
        return [(attrs, text.strip()) for name, attrs, text in self.found if name == tag]


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def sign_in(client, user) -> None:
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def reach_setup(client, setup_url: str) -> str:
    """Open the setup page, just after signing in: no second password prompt. The secret
    for the app."""
    setup = client.get(setup_url)
    assert setup.status_code == 200, setup.get("Location")
    return client.session[SECRET_SESSION_KEY]


def test_signing_in_counts_as_confirming_access_for_a_while(client, settings):
    sign_in(client, make_user(editor=True))
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0  # as if the sign-in were long ago
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked["Location"] == "/accounts/reauthenticate/?" + urlencode(
        {"next": "/accounts/2fa/totp/activate/"}
    )
    # The password typed there counts as before.
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    back = client.post(asked["Location"], {"password": PASSWORD})
    assert back["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get(back["Location"]).status_code == 200


def test_a_session_without_a_sign_in_still_confirms_access(client):
    client.force_login(make_user(editor=True))
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/accounts/reauthenticate/")


def continue_links(page) -> list[str]:
    links = Elements(page.content.decode()).tags("a")
    return [attrs["href"] for attrs, text in links if text.startswith("Continue")]


def test_setup_page_draws_the_qr_code_inline_and_labels_the_secret(client):
    sign_in(client, make_user(editor=True))
    reach_setup(client, "/accounts/2fa/totp/activate/")
    page = client.get("/accounts/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]  # kept for the session until activation
    html = page.content.decode()
    elements = Elements(html)
    # The CSP allows images from this site only: no data: image, no <img> at all.
    assert "img-src 'self';" in page["Content-Security-Policy"]
    assert "data:" not in html
    assert elements.tags("img") == []
    ((figure, _),) = elements.tags("figure")
    assert figure == {
        "class": "totp-qr",
        "role": "img",
        "aria-label": "QR code for your authenticator app",
    }
    assert len(elements.tags("svg")) == 1
    # The secret is shown once, in a labelled field, for typing in by hand.
    assert html.count(secret) == 1
    ((field, _),) = [t for t in elements.tags("input") if t[0].get("value") == secret]
    assert field["readonly"] is None and "name" not in field
    labels = [text for attrs, text in elements.tags("label") if attrs.get("for") == field["id"]]
    assert labels == ["Setup key"]


@pytest.mark.parametrize(
    ("make_member", "url", "title"),
    [
        (lambda: make_user(editor=True), "/admin/posts/review/add/", "Add review"),
        (moderator, "/moderation/", "Moderation"),
    ],
    ids=["editor", "moderator"],
)
def test_staff_land_on_the_page_they_asked_for_after_setting_up_two_factor(
    client, make_member, url, title
):
    member = make_member()
    sign_in(client, member)
    sent = client.get(url)
    setup_url = "/accounts/2fa/totp/activate/?" + urlencode({"next": url})
    assert sent["Location"] == setup_url
    secret = reach_setup(client, setup_url)

    activated = client.post(setup_url, {"code": current_code(secret)})
    # allauth shows the new recovery codes once; the way on waits below them.
    codes_url = "/accounts/2fa/recovery-codes/?" + urlencode({"next": url})
    assert activated["Location"] == codes_url
    codes = client.get(codes_url)
    assert codes.status_code == 200
    assert continue_links(codes) == [url]
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).count() == 1
    arrived = client.get(url)
    assert arrived.status_code == 200
    page_title = re.search(r"<title>\s*(.*?)\s*[|·]", arrived.content.decode()).group(1)
    assert page_title == title


def test_without_recovery_codes_setup_goes_straight_to_the_page_asked_for(client, settings):
    settings.MFA_SUPPORTED_TYPES = ["totp"]
    sign_in(client, moderator())
    setup_url = "/accounts/2fa/totp/activate/?" + urlencode({"next": "/moderation/"})
    secret = reach_setup(client, setup_url)
    activated = client.post(setup_url, {"code": current_code(secret)})
    assert activated["Location"] == "/moderation/"


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_setup_never_sends_staff_off_the_site(client, elsewhere):
    sign_in(client, make_user(editor=True))
    setup_url = "/accounts/2fa/totp/activate/?" + urlencode({"next": elsewhere})
    secret = reach_setup(client, setup_url)
    activated = client.post(setup_url, {"code": current_code(secret)})
    assert activated["Location"] == "/accounts/2fa/recovery-codes/"
    codes = client.get("/accounts/2fa/recovery-codes/?" + urlencode({"next": elsewhere}))
    assert codes.status_code == 200
    assert continue_links(codes) == []
    html = codes.content.decode()
    assert "evil.example" not in html[html.index("<main") : html.index("</main>")]


def test_members_setting_up_on_their_own_see_allauths_pages_as_before(client):
    sign_in(client, make_user())
    secret = reach_setup(client, "/accounts/2fa/totp/activate/")
    activated = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    assert activated["Location"] == "/accounts/2fa/recovery-codes/"
    assert continue_links(client.get(activated["Location"])) == []
