"""Two-factor authentication: offered to everyone, required of staff and moderators."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group

from tests.factories import make_review, make_user

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
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_with_two_factor_use_the_admin(client):
    client.force_login(with_totp(make_user(editor=True)))
    assert client.get("/admin/").status_code == 200


def test_moderators_without_two_factor_cannot_moderate(client):
    member = moderator()
    client.force_login(member)
    response = client.get("/moderation/")
    assert response["Location"] == "/accounts/2fa/totp/activate/"
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
    activate = client.get("/accounts/2fa/totp/activate/")
    # allauth asks for the password again before a new authenticator is added.
    assert activate.status_code == 200 or activate["Location"].startswith(
        "/accounts/reauthenticate/"
    )
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
