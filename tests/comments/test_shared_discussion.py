"""The English and French versions of a review share one discussion: question n of one is
question n of the other, and each comment says which language it is written in."""

import pytest
from django.urls import reverse
from django.utils import translation

from comments.models import Comment
from journalclub.page_cache import content_versions
from posts.models import Review
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair() -> tuple[Review, Review]:
    english = make_review(title="Why policymakers use evidence")
    french = make_review(
        title="Pourquoi les décideurs utilisent les données probantes",
        language="fr",
        translation_of=english,
    )
    return english, french


def url_in(language: str, name: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


def post(client, review: Review, question_pk: int, body: str, **data):
    url = url_in(review.language, "comments:post", slug=review.slug)
    return client.post(url, {"question": question_pk, "body": body, **data})


def test_a_comment_on_the_french_version_joins_the_original_question(client, pair):
    english, french = pair
    client.force_login(make_user())
    response = post(client, french, french.questions.all()[1].pk, "Bonjour !", language="fr")
    comment = Comment.objects.get()
    assert (comment.review, comment.question) == (english, english.questions.all()[1])
    assert comment.language == "fr"
    with translation.override("fr"):
        french_page = french.get_absolute_url()
    assert response["Location"] == f"{french_page}#comment-{comment.pk}"

    page = client.get(url_in("en", "posts:review_detail", slug=english.slug)).content.decode()
    second = page.split('id="question-2"')[1].split('id="question-3"')[0]
    assert f'id="comment-{comment.pk}"' in second
    assert "· 1 comment" in second


def test_both_versions_show_the_same_threads_and_counts(client, pair):
    english, french = pair
    make_comment(question=english.questions.all()[2], body="An English comment.")
    for language, review in (("en", english), ("fr", french)):
        page = client.get(url_in(language, "posts:review_detail", slug=review.slug))
        third = page.content.decode().split('id="question-3"')[1]
        assert "An English comment." in third
        assert '<span class="badge badge--language" lang="en">EN</span>' in third
        assert '<div class="comment__body prose" lang="en">' in third
        question_page = client.get(
            url_in(language, "comments:question_detail", slug=review.slug, number=3)
        )
        assert "An English comment." in question_page.content.decode()


def test_a_reply_on_the_french_page_answers_the_comment_shown_there(client, pair):
    english, french = pair
    question = english.questions.first()
    parent = make_comment(question=question, body="First thoughts.")
    client.force_login(make_user())
    # The reply form of a card names its comment's question: the original's.
    response = post(client, french, question.pk, "Réponse.", parent=parent.pk, language="fr")
    assert response.status_code == 302
    reply = Comment.objects.get(parent=parent)
    assert (reply.question, reply.language) == (question, "fr")


def test_the_comment_form_offers_both_languages_defaulting_to_the_interface(client, pair):
    english, french = pair
    client.force_login(make_user())
    page = client.get(url_in("fr", "posts:review_detail", slug=french.slug)).content.decode()
    assert '<option value="fr" lang="fr" selected>' in page
    assert '<option value="en" lang="en">' in page
    response = post(client, french, french.questions.first().pk, "Sans langue choisie.")
    assert response.status_code == 302
    assert Comment.objects.get().language == "fr"


def test_an_unknown_language_is_refused_with_a_message(client, pair):
    english, french = pair
    client.force_login(make_user())
    response = post(client, english, english.questions.first().pk, "Hello", language="xx")
    assert response.status_code == 400
    assert "Choose a language from the list." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_permalink_leads_to_the_version_in_the_readers_language(client, pair):
    english, french = pair
    comment = make_comment(question=english.questions.first())
    french_link = client.get(url_in("fr", "comments:permalink", pk=comment.pk))
    with translation.override("fr"):
        assert french_link["Location"] == f"{french.get_absolute_url()}#{comment.anchor}"
    english_link = client.get(url_in("en", "comments:permalink", pk=comment.pk))
    with translation.override("en"):
        assert english_link["Location"] == f"{english.get_absolute_url()}#{comment.anchor}"


def test_a_permalink_leads_to_the_original_while_the_translation_is_a_draft(client):
    english = make_review()
    make_review(language="fr", translation_of=english, published=False)
    comment = make_comment(question=english.questions.first())
    response = client.get(url_in("fr", "comments:permalink", pk=comment.pk))
    with translation.override("fr"):
        assert response["Location"] == f"{english.get_absolute_url()}#{comment.anchor}"


def test_a_comment_renews_the_cached_pages_of_both_versions(pair):
    english, french = pair
    scopes = [f"review:{french.slug}", f"question:{french.slug}:2", f"review:{english.slug}"]
    before = content_versions(*scopes)
    make_comment(question=english.questions.all()[1])
    after = content_versions(*scopes)
    assert all(old != new for old, new in zip(before, after, strict=True))


def test_following_a_question_of_the_french_version_follows_the_shared_thread(client, pair):
    english, french = pair
    member = make_user()
    client.force_login(member)
    question = french.questions.all()[1]
    response = client.post(url_in("fr", "comments:follow", pk=question.pk))
    with translation.override("fr"):
        assert response["Location"] == f"{french.get_absolute_url()}#question-2"
    assert list(member.follows.values_list("question", flat=True)) == [
        english.questions.all()[1].pk
    ]
    page = client.get(url_in("fr", "posts:review_detail", slug=french.slug)).content.decode()
    second = page.split('id="question-2"')[1].split('id="question-3"')[0]
    assert 'aria-pressed="true"' in second


@pytest.mark.parametrize("original_state", ["scheduled", "closed"])
def test_a_translation_takes_no_comment_while_its_original_would_not(client, pair, original_state):
    """Comments live on the original's questions: a scheduled original (whose address and
    title must not leak through a redirect or an email) or a closed one takes none, even
    through its published, open translation."""
    english, french = pair
    if original_state == "scheduled":
        english.published_at = english.published_at.replace(year=2099)
    else:
        english.discussion_open = False
    english.save()
    client.force_login(make_user())
    response = post(client, french, french.questions.all()[1].pk, "Bonjour !", language="fr")
    assert response.status_code == 403
    assert english.slug not in response.content.decode()
    assert not Comment.objects.exists()


def test_each_version_shows_its_own_guest_reviewers_badge(client, pair):
    """Cards are kept in the cache; the badge of a translation's reviewer, who is not the
    original's, never shows on the original's page."""
    english, french = pair
    translator = make_user(display_name="Tina Translator")
    french.reviewer.user = translator
    french.reviewer.save()
    make_comment(question=english.questions.first(), author=translator, body="Merci.")
    assert (
        "Guest reviewer" in client.get(url_in("en", "posts:review_detail", slug=french.slug)).text
    )
    assert "Guest reviewer" not in client.get(english.get_absolute_url()).text


def test_hreflang_links_name_the_configured_domain_whatever_the_host(client, settings, pair):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    english, _ = pair
    page = client.get(english.get_absolute_url(), HTTP_HOST="other.example").text
    assert 'hreflang="fr" href="http://testserver/fr/' in page
    assert "other.example" not in page.split("</head>")[0]
