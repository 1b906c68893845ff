import pytest
from django.contrib.auth.models import Group

from comments.models import Flag
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db


def test_queue_shows_replies_context_as_plain_text_not_markdown(client):
    review = make_review()
    question = review.questions.first()
    question.text = "How does a *community of practice* help?"
    question.save()
    parent = make_comment(question=question, body="A *community of practice* & its **members**.")
    reply = make_comment(parent=parent, body="Agreed.")
    Flag.objects.create(comment=reply, flagger=make_user(), reason="spam")
    moderator = make_user()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    page = client.get("/moderation/").content.decode()
    # Each quoted in its own language: the comment's, the review's.
    assert '“<span lang="en">A community of practice &amp; its members.</span>”' in page
    assert '“<span lang="en">How does a community of practice help?</span>”' in page
    assert "*community of practice*" not in page
    assert "&lt;em&gt;" not in page
