"""Every field a comment's card prints is escaped by the template, for every reader."""

import pytest
from django.contrib.auth.models import Group
from django.utils.html import escape

from comments.models import Comment
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db

FIELDS = ("name", "affiliation", "note", "reason", "revision", "hider")
# What each reader is shown of the fields: the moderators' card names who hid a comment
# and keeps the earlier versions of edited ones.
SHOWN = {
    "anonymous": {"name", "affiliation"},
    "author": {"name", "affiliation", "note", "reason"},
    "moderator": set(FIELDS),
}


def payload(field: str) -> str:
    # Short enough for every field, the reason's 30 characters included.
    return f"<script>\"{field}'"


@pytest.fixture
def discussion():
    review = make_review()
    question = review.questions.first()
    author = make_user(display_name=payload("name"), affiliation=payload("affiliation"))
    hider = make_user(display_name=payload("hider"))
    hider.groups.add(Group.objects.get(name="Moderators"))
    edited = make_comment(question=question, author=author, body=payload("revision"))
    edited.edit("The second version.")
    hidden = make_comment(parent=edited, author=author, body="Hidden text.")
    hidden.hide(by=hider, reason="spam", note=payload("note"))
    # A reason outside the choices is printed as it is stored.
    Comment.objects.filter(pk=hidden.pk).update(hidden_reason=payload("reason"))
    return {"anonymous": None, "author": author, "moderator": hider}, question, edited


@pytest.mark.parametrize("reader", SHOWN)
def test_every_field_a_card_prints_is_escaped(client, discussion, reader):
    readers, question, edited = discussion
    if readers[reader] is not None:
        client.force_login(readers[reader])
    urls = [
        question.review.get_absolute_url(),
        question.get_absolute_url(),
        f"/comments/{edited.pk}/conversation/",
    ]
    if reader == "moderator":
        urls.append("/moderation/")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for field in FIELDS:
            assert payload(field) not in page, (url, field)
            shown = escape(payload(field)) in page
            assert shown == (field in SHOWN[reader]), (url, field)
