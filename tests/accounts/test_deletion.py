import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import User
from comments.models import Comment, ModerationAction
from tests.factories import PASSWORD, make_comment, make_review, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(client):
    member = make_user(display_name="Leaving Member", email="leaving@example.org")
    review = make_review()
    comment = make_comment(question=review.questions.first(), author=member, body="My words")
    comment.edit("My edited words")
    reply = make_comment(parent=comment, body="A reply that stays")
    # Signed in just now with the password: deleting needs no second confirmation.
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    return member, comment, reply


def test_deleting_an_account_removes_personal_data_and_text(client, leaver):
    member, comment, reply = leaver
    assert client.get("/accounts/delete/").status_code == 200
    response = client.post("/accounts/delete/", {"confirm": "delete"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    assert not EmailAddress.objects.filter(email="leaving@example.org").exists()
    comment.refresh_from_db()
    assert (comment.author, comment.body, comment.body_html) == (None, "", "")
    assert not comment.revisions.exists()
    page = client.get(comment.review.get_absolute_url()).content.decode()
    assert "Deleted member: this comment was removed with their account." in page
    assert "My words" not in page and "My edited words" not in page
    assert "Leaving Member" not in page and "leaving@example.org" not in page
    assert "A reply that stays" in page
    entry = ModerationAction.objects.get(action="account_deleted")
    assert f"Member #{member.pk} deleted their account" in entry.note


def test_the_site_can_keep_the_text(client, leaver, settings):
    settings.ACCOUNT_DELETION_KEEPS_TEXT = True
    member, comment, _ = leaver
    client.post("/accounts/delete/", {"confirm": "delete"})
    comment.refresh_from_db()
    assert comment.author is None and comment.body == "My edited words"
    page = client.get(comment.review.get_absolute_url()).content.decode()
    assert "Deleted member" in page and "My edited words" in page


def test_deletion_needs_the_confirmation_word(client, leaver):
    member, _, _ = leaver
    response = client.post("/accounts/delete/", {"confirm": "nope"})
    assert response.status_code == 400
    assert User.objects.filter(pk=member.pk).exists()
    assert Comment.objects.filter(author=member).count() == 1


def test_deleting_an_account_ends_every_session_of_the_member(client, leaver):
    member, comment, _ = leaver
    other_device = Client()
    other_device.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert Session.objects.count() == 2

    client.post("/accounts/delete/", {"confirm": "delete"})

    remaining = [session.get_decoded() for session in Session.objects.all()]
    assert [data for data in remaining if data.get("_auth_user_id") == str(member.pk)] == []
    assert "leaving@example.org" not in str(remaining)
    page = other_device.get("/accounts/profile/")
    assert page.status_code == 302 and page.url.startswith("/accounts/login/")
