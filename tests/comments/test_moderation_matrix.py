"""Who may do what: every actor against every discussion action, by status and database."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from comments.models import Comment, Flag, HideReason
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "unverified",
    "member",
    "author",
    "suspended",
    "editor",
    "moderator",
    "superuser",
]


def make_actor(kind: str, author):
    if kind == "anonymous":
        return None
    if kind == "author":
        return author
    if kind == "unverified":
        return make_user(verified=False)
    if kind == "suspended":
        user = make_user()
        user.suspended_at = timezone.now()
        user.suspension_reason = "Repeated personal attacks"
        user.save()
        return user
    if kind == "editor":
        return make_user(editor=True)
    if kind == "moderator":
        user = make_user()
        user.groups.add(Group.objects.get(name="Moderators"))
        return user
    if kind == "superuser":
        return make_user(is_staff=True, is_superuser=True)
    return make_user()


@pytest.fixture
def scene(client, request):
    review = make_review()
    author = make_user(display_name="Comment Author")
    target = make_comment(question=review.questions.first(), author=author, body="Target text")
    actor = make_actor(request.param, author)
    if actor is not None:
        client.force_login(actor)
    return request.param, client, review, target


def post_new(client, review, target, parent=None):
    data = {"question": target.question_id, "body": "New words"}
    if parent:
        data["parent"] = parent.pk
    before = Comment.objects.count()
    response = client.post(f"/reviews/{review.slug}/comments/", data)
    return response, Comment.objects.count() == before + 1


def act(action, client, review, target):
    """Do `action`; return the response and whether the database changed accordingly."""
    if action == "post":
        return post_new(client, review, target)
    if action == "reply":
        return post_new(client, review, target, parent=target)
    if action == "edit":
        response = client.post(f"/comments/{target.pk}/edit/", {"body": "Changed"})
        return response, Comment.objects.get(pk=target.pk).body == "Changed"
    if action == "delete":
        response = client.post(f"/comments/{target.pk}/delete/")
        return response, Comment.objects.get(pk=target.pk).is_deleted
    if action == "flag":
        response = client.post(f"/comments/{target.pk}/flag/", {"reason": "spam"})
        return response, Flag.objects.filter(comment=target).exists()
    if action == "hide":
        response = client.post(f"/comments/{target.pk}/hide/", {"reason": "spam"})
        return response, Comment.objects.get(pk=target.pk).is_hidden
    if action == "unhide":
        target.hide(by=None, reason=HideReason.SPAM)
        response = client.post(f"/comments/{target.pk}/unhide/")
        return response, not Comment.objects.get(pk=target.pk).is_hidden
    if action == "queue":
        response = client.get("/moderation/")
        return response, response.status_code == 200
    if action == "see_hidden_text":
        target.hide(by=None, reason=HideReason.SPAM)
        response = client.get(review.get_absolute_url())
        return response, "Target text" in response.content.decode()
    if action == "suspend":
        response = client.post(
            f"/moderation/members/{target.author_id}/",
            {"reason": "Spamming", "length": "indefinite"},
        )
        target.author.refresh_from_db()
        return response, target.author.is_suspended
    raise AssertionError(action)


PARTICIPANTS = {"member", "author", "editor", "moderator", "superuser"}
MODERATORS = {"moderator", "superuser"}
ALLOWED = {
    "post": PARTICIPANTS,
    "reply": PARTICIPANTS,
    "edit": {"author"},
    "delete": {"author"},
    "flag": PARTICIPANTS - {"author"},
    "hide": MODERATORS,
    "unhide": MODERATORS,
    "queue": MODERATORS,
    "see_hidden_text": MODERATORS | {"author"},
    "suspend": MODERATORS,
}
# The status a refused actor gets, where it is not 403.
REFUSED_STATUS = {
    ("edit", "unverified"): 404,
    ("edit", "member"): 404,
    ("edit", "suspended"): 404,
    ("edit", "editor"): 404,
    ("edit", "moderator"): 404,
    ("edit", "superuser"): 404,
    ("delete", "unverified"): 404,
    ("delete", "member"): 404,
    ("delete", "suspended"): 404,
    ("delete", "editor"): 404,
    ("delete", "moderator"): 404,
    ("delete", "superuser"): 404,
}
ALLOWED_STATUS = {"queue": 200, "see_hidden_text": 200}


@pytest.mark.parametrize("scene", ACTORS, indirect=True)
@pytest.mark.parametrize("action", list(ALLOWED))
def test_permission_matrix(scene, action):
    actor, client, review, target = scene
    response, changed = act(action, client, review, target)
    if actor in ALLOWED[action]:
        assert response.status_code == ALLOWED_STATUS.get(action, 302), (actor, action)
        assert changed, (actor, action)
    elif actor == "anonymous" and action != "see_hidden_text":
        assert response.status_code == 302, action
        assert response["Location"].startswith("/accounts/login/")
        assert not changed
    elif action == "see_hidden_text":
        assert response.status_code == 200
        assert not changed, actor
    else:
        assert response.status_code == REFUSED_STATUS.get((action, actor), 403), (actor, action)
        assert not changed, (actor, action)


def test_suspended_member_cannot_edit_their_own_comment_and_is_told_why(client):
    review = make_review()
    member = make_user()
    comment = make_comment(question=review.questions.first(), author=member, body="Before")
    member.suspended_at = timezone.now()
    member.suspended_until = timezone.now() + timezone.timedelta(days=7)
    member.suspension_reason = "Cooling-off period"
    member.save()
    client.force_login(member)
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "After"})
    assert response.status_code == 403
    assert "Your account is suspended until" in response.content.decode()
    assert "Cooling-off period" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Before"
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Your account is suspended until" in page
    assert 'name="body"' not in page
