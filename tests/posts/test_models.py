from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from posts.models import Article, Question, Review
from tests.factories import make_article, make_review

pytestmark = pytest.mark.django_db


def test_citation_is_apa_like_with_doi_link():
    article = make_article(
        authors="Metz, A., Jensen, T., Farley, A., & Boaz, A.",
        year=2022,
        title="Is implementation research out of step with implementation practice? "
        "Pathways to effective implementation support over the last decade",
        journal="Implementation Research and Practice",
        volume="3",
        pages="26334895221105585",
        doi="10.1177/26334895221105585",
    )
    assert article.citation() == (
        "Metz, A., Jensen, T., Farley, A., & Boaz, A. (2022). Is implementation research out of "
        "step with implementation practice? Pathways to effective implementation support over "
        "the last decade. Implementation Research and Practice, 3, 26334895221105585. "
        "https://doi.org/10.1177/26334895221105585"
    )
    assert article.short_citation() == "Metz et al. (2022)"


def test_citation_html_escapes_and_links_the_doi():
    article = make_article(title="<b>Bold</b> claims?", doi="10.1000/xyz", volume="3", issue="2")
    html = str(article.citation_html())
    assert "&lt;b&gt;Bold&lt;/b&gt; claims? <cite>" in html
    assert "<i>3(2)</i>" in html
    assert '<a href="https://doi.org/10.1000/xyz">https://doi.org/10.1000/xyz</a>' in html


@pytest.mark.parametrize("bad_doi", ["not-a-doi", "11.1177/abc", "10.12/too-short-prefix"])
def test_doi_shape_is_validated(bad_doi):
    article = Article(authors="A, B.", year=2020, title="T", journal="J", doi=bad_doi)
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "doi" in error.value.message_dict


def test_doi_link_is_shortened_to_the_doi():
    article = Article(authors="A, B.", year=2020, title="T", journal="J")
    article.doi = "https://doi.org/10.1177/26334895221105585"
    article.full_clean()
    assert article.doi == "10.1177/26334895221105585"


def test_doi_is_unique_when_present_and_blank_may_repeat():
    make_article(doi="")
    make_article(doi="")
    make_article(doi="10.1000/same")
    with pytest.raises(IntegrityError):
        make_article(doi="10.1000/same")


def test_published_excludes_drafts_and_scheduled_reviews():
    published = make_review()
    make_review(published=False)
    make_review(status=Review.Status.PUBLISHED, published_at=timezone.now() + timedelta(days=1))
    assert list(Review.objects.published()) == [published]


def test_scheduled_review_appears_once_its_date_passes():
    review = make_review(published_at=timezone.now() + timedelta(days=1))
    assert not Review.objects.published().exists()
    Review.objects.filter(pk=review.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert list(Review.objects.published()) == [review]


def test_publish_sets_status_and_date():
    review = make_review(published=False)
    review.publish()
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    assert review.published_at <= timezone.now()
    assert list(Review.objects.published()) == [review]


def test_markdown_is_rendered_on_save():
    review = make_review(commentary="Some *emphasis*.")
    assert review.commentary_html == "<p>Some <em>emphasis</em>.</p>"
    question = review.questions.first()
    question.text = "Does it **transfer**?"
    question.save()
    assert question.text_html == "<p>Does it <strong>transfer</strong>?</p>"


def test_reordering_and_rewording_questions_keeps_their_identity():
    review = make_review(questions=3)
    first, second, third = review.questions.all()
    third.position, first.position = 0, 5
    third.text = "Reworded?"
    third.save()
    first.save()
    assert [q.pk for q in review.questions.all()] == [third.pk, second.pk, first.pk]
    assert Question.objects.get(pk=third.pk).text == "Reworded?"
