"""Every vector of the corpus through members' comments and editors' Markdown."""

import json
from pathlib import Path

import pytest

from comments.models import Comment
from journalclub.markdown import render_comment, render_editorial
from tests.factories import make_review, make_user
from tests.security.html_checks import problems_in

VECTORS = json.loads((Path(__file__).parent / "xss_vectors.json").read_text())


def test_the_corpus_is_large_and_varied():
    assert len(VECTORS) >= 150
    for family in ["<script", "onerror", "javascript:", "data:", "vbscript:", "&#", "<svg",
                   "<math", "style=", "![", "]("]:  # fmt: skip
        assert any(family in vector for vector in VECTORS), family


def test_the_checker_catches_what_it_looks_for():
    assert problems_in('<p onclick="x">a</p>') == ["onclick= attribute on <p>"]
    assert problems_in('<a href="javascript:alert(1)">a</a>')
    assert problems_in("<svg></svg>") == ["<svg> element"]
    assert problems_in('<a href="https://ok.example">ok</a>') == []


@pytest.mark.parametrize("vector", VECTORS)
def test_editorial_markdown_neutralises(vector):
    assert problems_in(render_editorial(vector), allow_site_relative=True) == []


@pytest.mark.parametrize("vector", VECTORS)
def test_comment_markdown_neutralises(vector):
    assert problems_in(render_comment(vector)) == []


@pytest.mark.django_db
def test_every_vector_posted_as_a_comment_renders_harmless_on_the_page(client, settings):
    settings.COMMENTS_PER_MINUTE = 10_000
    settings.COMMENTS_THREADS_ON_REVIEW_PAGE = 10_000
    review = make_review(questions=1)
    question = review.questions.get()
    client.force_login(make_user())
    for vector in VECTORS:
        response = client.post(
            f"/reviews/{review.slug}/comments/", {"question": question.pk, "body": vector}
        )
        assert response.status_code in (302, 400), vector
    client.logout()
    page = client.get(review.get_absolute_url()).content.decode()
    comments = list(Comment.objects.all())
    assert len(comments) >= len(VECTORS) - 5  # a few vectors are blank once stripped
    for comment in comments:
        assert problems_in(comment.body_html) == [], comment.body
        assert comment.body_html in page


@pytest.mark.django_db
def test_every_vector_in_a_review_renders_harmless_on_the_page(client):
    review = make_review(findings=0, questions=0)
    # Editors' forms refuse NUL bytes (and PostgreSQL cannot store them): leave them out here.
    review.commentary = "\n\n".join(vector.replace("\x00", "") for vector in VECTORS)
    review.save()
    page = client.get(review.get_absolute_url()).content.decode()
    body = page.split('id="commentary-heading"')[1].split("</section>")[0]
    assert problems_in(body, allow_site_relative=True) == []
