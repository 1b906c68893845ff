"""A review and its translation: validation, the links between them, and `lang` on content
read in the other language's interface."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from posts.models import Review
from tests.factories import make_review, make_user
from tests.posts.test_admin import inline_forms, review_form

pytestmark = pytest.mark.django_db


def make_pair(*, french_published: bool = True) -> tuple[Review, Review]:
    english = make_review(title="Why policymakers use evidence")
    french = make_review(
        title="Pourquoi les décideurs utilisent les données probantes",
        language="fr",
        translation_of=english,
        published=french_published,
    )
    return english, french


def url_in(language: str, review: Review) -> str:
    with translation.override(language):
        return review.get_absolute_url()


def test_a_review_is_in_english_unless_said_otherwise():
    assert make_review().language == "en"


def test_a_translation_validates_against_its_original():
    english, french = make_pair()
    french.full_clean()  # different languages, the same number of questions

    french.language = "en"
    with pytest.raises(ValidationError) as error:
        french.full_clean()
    assert "language" in error.value.message_dict


def test_a_translation_has_as_many_questions_as_its_original():
    english, french = make_pair()
    french.questions.last().delete()
    with pytest.raises(ValidationError) as error:
        french.full_clean()
    assert "as many questions as its original (3)" in str(error.value)


def test_a_translation_of_a_translation_is_refused():
    english, french = make_pair()
    other = make_review(language="en", translation_of=None)
    other.translation_of = french
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert error.value.message_dict["translation_of"] == [
        "Choose the original review: this one is a translation."
    ]


def test_an_original_cannot_also_be_a_translation():
    english, french = make_pair()
    third = make_review(language="fr")
    english.translation_of = third
    with pytest.raises(ValidationError) as error:
        english.full_clean()
    assert error.value.message_dict["translation_of"] == [
        "This review has a translation of its own: it is an original."
    ]


def test_the_review_change_page_has_the_language_fields(client):
    english, french = make_pair()
    client.force_login(make_user(editor=True))
    page = client.get(reverse("admin:posts_review_change", args=[french.pk])).content.decode()
    assert 'name="translation_of"' in page and 'name="language"' in page


def test_the_admin_links_a_translation_and_refuses_a_mismatched_one(client):
    english = make_review()  # three questions
    client.force_login(make_user(editor=True))
    same_language = review_form(language="en", translation_of=english.pk)
    response = client.post("/admin/posts/review/add/", same_language)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["language"] == [
        "A translation is in another language than its original."
    ]
    two_questions = review_form(language="fr", translation_of=english.pk)
    two_questions.update(inline_forms("questions", ["Première ?", "Deuxième ?"]))
    response = client.post("/admin/posts/review/add/", two_questions)
    assert response.status_code == 200
    assert "as many questions as its original (3)" in response.content.decode()
    assert not Review.objects.filter(language="fr").exists()

    response = client.post(
        "/admin/posts/review/add/", review_form(language="fr", translation_of=english.pk)
    )
    assert response.status_code == 302
    assert Review.objects.get(language="fr").translation_of == english


def test_each_version_links_to_the_other_in_its_language(client):
    english, french = make_pair()
    english_page = client.get(url_in("en", english)).content.decode()
    assert (
        f'<a href="{url_in("fr", french)}" lang="fr" hreflang="fr">Lire en français</a>'
        in english_page
    )
    french_page = client.get(url_in("fr", french)).content.decode()
    assert (
        f'<a href="{url_in("en", english)}" lang="en" hreflang="en">'
        "Read in English</a>" in french_page
    )


def test_no_link_to_a_version_readers_cannot_open(client):
    english, french = make_pair(french_published=False)
    assert "Lire en français" not in client.get(url_in("en", english)).content.decode()
    client.force_login(make_user(editor=True))  # staff preview drafts: the link is theirs
    assert "Lire en français" in client.get(url_in("en", english)).content.decode()


def test_content_in_another_language_than_the_interface_says_so(client):
    english, french = make_pair()
    same = client.get(url_in("en", english)).content.decode()
    assert f"<h1>{english.title}</h1>" in same
    assert 'lang="en"' not in same.split("<main", 1)[-1].split("comment-form")[0]
    page = client.get(url_in("fr", english)).content.decode()
    assert f'<h1 lang="en">{english.title}</h1>' in page
    assert '<div class="question__text prose" lang="en">' in page


def feed_links(client, language: str) -> list[str]:
    with translation.override(language):
        url = reverse("posts:feed")
    body = client.get(url).content.decode()
    return [part.split('"', 1)[0] for part in body.split('<link href="http://testserver')[1:]]


def test_each_feed_lists_each_review_once_in_its_language(client):
    english, french = make_pair()
    english_only = make_review(title="An English-only review")
    english_links = feed_links(client, "en")
    assert url_in("en", english) in english_links
    assert url_in("fr", french) not in english_links
    french_links = feed_links(client, "fr")
    assert url_in("fr", french) in french_links
    assert url_in("fr", english) not in french_links
    # A review without a French version is in the French feed as written.
    assert url_in("fr", english_only) in french_links


def test_the_feed_says_its_language(client):
    with translation.override("fr"):
        url = reverse("posts:feed")
    assert 'xml:lang="fr"' in client.get(url).content.decode()


def test_the_home_page_shows_each_review_once_in_the_readers_language(client):
    english, french = make_pair()
    english_home = client.get(url_in_name("en", "posts:review_list")).content.decode()
    assert english.title in english_home and french.title not in english_home
    french_home = client.get(url_in_name("fr", "posts:review_list")).content.decode()
    assert french.title in french_home and english.title not in french_home


def test_the_sitemap_lists_both_versions(client):
    english, french = make_pair()
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"<loc>http://testserver{url_in('en', english)}</loc>" in sitemap
    assert f"<loc>http://testserver{url_in('fr', french)}</loc>" in sitemap


def url_in_name(language: str, name: str) -> str:
    with translation.override(language):
        return reverse(name)
