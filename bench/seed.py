"""Seed a throwaway database with one review and a discussion of N comments.

Shared by the benchmark and the load test. Comments are inserted in bulk with explicit ids
(the database is new) and their HTML rendered by the same function the site uses.
"""

import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from comments.models import Comment, HideReason
from journalclub.markdown import render_comment
from posts.models import Article, Contributor, Question, Review, Series

SLUG = "benchmark-review"
MEMBERS = 50
WORDS = (
    "evidence practice brokers implementation research policy community knowledge "
    "mobilization partners trust funding outcomes services children families data "
    "relationships training scale context learning cycle co-creation barriers sector"
).split()


def _markdown(rng: random.Random) -> str:
    target = rng.randint(200, 800)
    parts, length = [], 0
    while length < target:
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
        style = rng.random()
        if style < 0.15:
            words = f"*{words}*"
        elif style < 0.25:
            words = f"**{words}**"
        elif style < 0.3:
            words = f"> {words}"
        elif style < 0.35:
            words = f"{words} https://example.org/{rng.randint(1, 999)}"
        parts.append(words + ".")
        length += len(words) + 2
    return "\n\n".join(parts)[:800]


def seed(n_comments: int, *, seed_value: int = 1) -> Review:
    rng = random.Random(seed_value)
    User = get_user_model()
    series = Series.objects.create(name="Benchmark series", slug="benchmark-series")
    article = Article.objects.create(
        authors="Doe, J., & Roe, R.", year=2024, title="A benchmark article", journal="J"
    )
    reviewer = Contributor.objects.create(name="Bench Reviewer")
    review = Review.objects.create(
        title="Benchmark review",
        slug=SLUG,
        series=series,
        article=article,
        reviewer=reviewer,
        standfirst="A long discussion.",
        background="Background.",
        summary="Summary.",
        commentary="Commentary.",
        status=Review.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
    )
    questions = [
        Question.objects.create(review=review, position=i, text=f"Question {i}?")
        for i in range(1, 6)
    ]
    members = User.objects.bulk_create(
        User(
            username=f"bench{i}",
            email=f"bench{i}@example.org",
            display_name=f"Bench Member {i}",
            affiliation=f"Organisation {i % 7}",
            password="!",
        )
        for i in range(MEMBERS)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=m, email=m.email, verified=True, primary=True) for m in members
    )
    moderator = User.objects.create_user("benchmod", "benchmod@example.org", "x")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    EmailAddress.objects.create(user=moderator, email=moderator.email, verified=True)
    # Moderators must have two-factor authentication to moderate.
    Authenticator.objects.create(
        user=moderator, type=Authenticator.Type.TOTP, data={"secret": "benchmark"}
    )

    started = timezone.now() - timedelta(hours=12)
    rows: list[Comment] = []
    for index in range(n_comments):
        pk = index + 1
        body = _markdown(rng)
        fields = {
            "pk": pk,
            "review": review,
            "author": rng.choice(members),
            "body": body,
            "body_html": render_comment(body),
            "created_at": started + timedelta(seconds=index),
        }
        if rows and rng.random() >= 0.4:
            parent = rng.choice(rows)
            if parent.depth + 1 >= settings.COMMENTS_MAX_DEPTH:
                parent = rows[parent.parent_id - 1] if parent.parent_id else parent
            depth = parent.depth + 1 if parent.depth + 1 < settings.COMMENTS_MAX_DEPTH else 0
            fields.update(
                question_id=parent.question_id,
                parent_id=parent.pk,
                root_id=parent.root_id or parent.pk,
                depth=depth,
            )
        else:
            fields.update(question=rng.choice(questions), depth=0)
        if rng.random() < 0.01:
            fields.update(
                hidden_at=timezone.now(), hidden_by=moderator, hidden_reason=HideReason.SPAM
            )
        rows.append(Comment(**fields))
    for start in range(0, len(rows), 500):
        Comment.objects.bulk_create(rows[start : start + 500])
    # Ids were given explicitly: move PostgreSQL's sequence past them for later inserts.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Comment]):
            cursor.execute(statement)
    return review
