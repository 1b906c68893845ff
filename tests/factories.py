"""Plain keyword-default factories for the tests."""

import itertools
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from comments.models import Comment
from posts.models import Article, Contributor, KeyFinding, Question, Review, Series

_sequence = itertools.count(1)


PASSWORD = "a-long-test-password"


def make_user(*, username: str = "", editor: bool = False, verified: bool = True, **fields):
    n = next(_sequence)
    fields.setdefault("email", f"member{n}@example.com")
    fields.setdefault("display_name", f"Member {n}")
    user = get_user_model().objects.create_user(
        username=username or f"member{n}", password=PASSWORD, **fields
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    if editor:
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name="Editors"))
    return user


def make_moderator(**fields):
    user = make_user(**fields)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def make_series(**fields) -> Series:
    n = next(_sequence)
    fields.setdefault("name", f"Series {n}")
    fields.setdefault("slug", f"series-{n}")
    fields.setdefault("description", "Read the article, then **join the discussion**.")
    return Series.objects.create(**fields)


def make_article(**fields) -> Article:
    n = next(_sequence)
    fields.setdefault("authors", "Metz, A., Jensen, T., Farley, A., & Boaz, A.")
    fields.setdefault("year", 2022)
    fields.setdefault("title", f"Article {n}")
    fields.setdefault("journal", "Implementation Research and Practice")
    fields.setdefault("volume", "3")
    fields.setdefault("pages", "26334895221105585")
    fields.setdefault("doi", f"10.1177/{n:017d}")
    return Article.objects.create(**fields)


def make_contributor(**fields) -> Contributor:
    fields.setdefault("name", "Joann Cattlin")
    fields.setdefault("role", "PhD Student")
    fields.setdefault("affiliation", "RMIT University")
    return Contributor.objects.create(**fields)


def make_review(
    *, findings: int = 2, questions: int = 3, published: bool = True, **fields
) -> Review:
    n = next(_sequence)
    fields.setdefault("title", f"Review {n}")
    fields.setdefault("slug", f"review-{n}")
    fields.setdefault("series", make_series())
    fields.setdefault("article", make_article())
    fields.setdefault("reviewer", make_contributor())
    fields.setdefault("standfirst", f"Standfirst of review {n}.")
    fields.setdefault("background", "Background text.")
    fields.setdefault("summary", "Summary text.")
    fields.setdefault("commentary", "Commentary text.")
    if published:
        fields.setdefault("status", Review.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timedelta(hours=n))
    review = Review.objects.create(**fields)
    for position in range(1, findings + 1):
        KeyFinding.objects.create(review=review, position=position, text=f"Finding {position}.")
    for position in range(1, questions + 1):
        Question.objects.create(review=review, position=position, text=f"Question {position}?")
    return review


def make_comment(*, question=None, parent=None, author=None, **fields) -> Comment:
    if parent is not None:
        question = parent.question
        fields.setdefault("depth", parent.depth + 1)
    question = question or make_review().questions.first()
    fields.setdefault("body", f"Comment number {next(_sequence)}.")
    return Comment.objects.create(
        review=question.review,
        question=question,
        parent=parent,
        author=author or make_user(),
        **fields,
    )
