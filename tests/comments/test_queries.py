import random

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db


def seed_discussion(review, total: int) -> None:
    rng = random.Random(total)
    authors = [make_user() for _ in range(6)]
    questions = list(review.questions.all())
    comments = []
    for n in range(total):
        if comments and rng.random() < 0.6:
            parent = rng.choice(comments)
            reply_to, depth = parent.reply_position()
            comment = make_comment(
                question=parent.question, parent=reply_to, depth=depth,
                author=rng.choice(authors),
            )  # fmt: skip
        else:
            comment = make_comment(question=rng.choice(questions), author=rng.choice(authors))
        if n % 17 == 0:
            comment.delete_by_author()
        elif n % 13 == 0:
            comment.edit("Second thoughts.")
        comments.append(comment)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def make_reader(role: str):
    if role == "member":
        return make_user()
    moderator = make_user()
    moderator.groups.add(Group.objects.get(name="Moderators"))
    Authenticator.objects.create(user=moderator, type=Authenticator.Type.TOTP, data={})
    return moderator


@pytest.mark.parametrize("role", ["anonymous", "member", "moderator"])
def test_review_page_query_count_is_constant(client, settings, role):
    settings.MFA_REQUIRED_FOR_STAFF = True
    small, large = make_review(), make_review()
    seed_discussion(small, 10)
    seed_discussion(large, 300)
    if role != "anonymous":
        client.force_login(make_reader(role))
    counts = [queries_for(client, r.get_absolute_url()) for r in (small, large)]
    assert counts[0] == counts[1]
    assert counts[1] <= 15


def test_question_page_query_count_is_constant(client):
    small, large = make_review(), make_review()
    seed_discussion(small, 10)
    seed_discussion(large, 200)
    client.force_login(make_user())
    counts = [queries_for(client, f"/reviews/{r.slug}/questions/1/") for r in (small, large)]
    assert counts[0] == counts[1]
    assert counts[1] <= 15


def test_home_page_query_count_is_constant(client):
    for _ in range(3):
        seed_discussion(make_review(), 5)
    few = queries_for(client, "/")
    for _ in range(5):
        seed_discussion(make_review(), 5)
    assert queries_for(client, "/") == few
