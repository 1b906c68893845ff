import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.contrib.sites.models import Site

from accounts.models import User
from tests.factories import PASSWORD, make_comment, make_review, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


def sign_up(client, **overrides):
    data = {
        "email": "new.member@example.org",
        "display_name": "New Member",
        "password1": "correct-horse-battery",
        "password2": "correct-horse-battery",
        **overrides,
    }
    return client.post("/accounts/signup/", data)


def test_sign_up_asks_for_a_display_name_and_sends_a_verification_email(client, mailoutbox):
    page = client.get("/accounts/signup/").content.decode()
    assert 'name="display_name"' in page
    response = sign_up(client)
    assert response.status_code == 302
    user = User.objects.get(email="new.member@example.org")
    assert user.display_name == "New Member"
    assert EmailAddress.objects.get(user=user).verified is False
    assert mailoutbox == [], "the request only keeps the email; the task worker sends it"
    run_tasks()
    assert len(mailoutbox) == 1
    assert "/accounts/confirm-email/" in mailoutbox[0].body


def test_verification_link_verifies_and_the_member_can_then_post(client, mailoutbox):
    sign_up(client)
    run_tasks()
    link = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", mailoutbox[0].body)
    assert client.post(link.group(1)).status_code == 302
    user = User.objects.get(email="new.member@example.org")
    assert EmailAddress.objects.get(user=user).verified is True
    review = make_review()
    client.force_login(user)
    response = client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": review.questions.first().pk, "body": "My first comment"},
    )
    assert response.status_code == 302
    assert user.comments.count() == 1


def test_sign_in_by_email_is_held_until_the_address_is_verified(client):
    make_user(email="pending@example.org", verified=False)
    response = client.post(
        "/accounts/login/", {"login": "pending@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_verified_member_signs_in_by_email_and_out(client):
    user = make_user(email="member@example.org")
    response = client.post(
        "/accounts/login/", {"login": "member@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email(client, mailoutbox):
    make_user(email="forgetful@example.org")
    client.post("/accounts/password/reset/", {"email": "forgetful@example.org"})
    run_tasks()
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_email_and_password_change_pages_are_there_for_members(client):
    client.force_login(make_user())
    assert client.get("/accounts/email/").status_code == 200
    assert client.get("/accounts/password/change/").status_code == 200


def test_allauth_rate_limits_stay_on():
    assert getattr(django_settings, "ACCOUNT_RATE_LIMITS", None) is not False


def test_allauth_pages_use_the_site_layout(client):
    page = client.get("/accounts/login/").content.decode()
    assert '<header class="site-header">' in page
    assert "/static/css/site.css" in page
    assert "<title>Sign in · Journal Club</title>" in re.sub(r"\s+", " ", page).replace(
        "> ", ">"
    ).replace(" <", "<")
    assert 'class="button' in page


def test_profile_edits_display_name_affiliation_role_and_reply_emails(client):
    user = make_user()
    client.force_login(user)
    response = client.post(
        "/accounts/profile/",
        {"display_name": "Dr Broker", "affiliation": "Evidence Unit", "role": "researcher"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.affiliation, user.role) == (
        "Dr Broker",
        "Evidence Unit",
        "researcher",
    )
    assert user.reply_emails is False  # unticked checkbox


def test_profile_requires_a_display_name_and_keeps_the_input(client):
    client.force_login(make_user())
    response = client.post("/accounts/profile/", {"display_name": "", "affiliation": "Kept Org"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page
    assert 'value="Kept Org"' in page


def test_profile_requires_sign_in(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_display_name_and_affiliation_show_on_comments_but_never_the_email(client):
    author = make_user(display_name="Visible Name", affiliation="Visible Org", email="hide@x.org")
    comment = make_comment(author=author)
    page = client.get(comment.review.get_absolute_url()).content.decode()
    assert "Visible Name" in page and "Visible Org" in page
    assert "hide@x.org" not in page


def test_orcid_button_appears_only_when_configured(client, settings):
    assert "Continue with ORCID" not in client.get("/accounts/login/").content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {"APPS": [{"client_id": "id-123", "secret": "s3cret", "key": ""}]}
    }
    page = client.get("/accounts/login/").content.decode()
    assert "Continue with ORCID" in page
    assert "/accounts/orcid/login/" in page


def test_orcid_button_appears_when_configured_in_the_admin(client):
    from allauth.socialaccount.models import SocialApp

    app = SocialApp.objects.create(provider="orcid", name="ORCID", client_id="id", secret="s")
    # With the sites framework installed, an app configured in the admin names its site.
    app.sites.add(Site.objects.get_current())
    assert "/accounts/orcid/login/" in client.get("/accounts/login/").content.decode()


def test_password_reset_does_not_reveal_whether_an_address_has_an_account(client, mailoutbox):
    make_user(email="known@example.org")
    known = client.post("/accounts/password/reset/", {"email": "known@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "unknown@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_sign_up_with_a_taken_address_looks_like_any_other_sign_up(client, mailoutbox):
    make_user(email="taken@example.org")
    fresh = sign_up(client, email="fresh@example.org")
    client.logout()
    taken = sign_up(client, email="taken@example.org", display_name="Someone Else")
    assert (fresh.status_code, fresh["Location"]) == (taken.status_code, taken["Location"])
    assert User.objects.filter(email="taken@example.org").count() == 1


def test_failed_sign_ins_are_rate_limited(client):
    make_user(email="target@example.org")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "target@example.org", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": "target@example.org", "password": PASSWORD}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_members_end_their_other_sessions(client):
    from django.test import Client

    member = make_user(email="two-devices@example.org")
    phone = Client()
    phone.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    page = client.get("/accounts/sessions/")
    assert page.status_code == 200
    client.post("/accounts/sessions/", {"action": "sign_out_other"})
    assert "_auth_user_id" in client.session
    assert phone.get("/accounts/profile/").status_code == 302
