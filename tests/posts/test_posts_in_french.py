"""The reading pages, search, subscribing and the editors' admin at their French addresses."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone, translation

from posts.admin import dropped_content_warnings
from posts.models import Review, Topic
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db

NB = "\u00a0"  # the no-break space French puts before a colon and inside « »
TORONTO = ZoneInfo("America/Toronto")


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_home_page_in_french(client):
    review = make_review(title="Soutenir la mise en œuvre")
    make_comment(question=review.questions.first())
    html = page(client, "/fr/")
    assert "<h1>Recensions du club de lecture</h1>" in html
    assert "Recension de Joann Cattlin" in html
    assert "1 commentaire</a>" in html
    assert "Ne manquez aucune recension" in html
    assert "Journal club reviews" not in html


def test_english_reviews_on_french_pages_say_they_are_in_english(client):
    make_review(title="Evidence in practice", standfirst="An English standfirst.")
    make_review(title="Les données en pratique", standfirst="Un chapeau.", language="fr")
    html = page(client, "/fr/")
    assert '<h2 class="review-card__title" lang="en"><a' in html
    assert '<p lang="en">An English standfirst.</p>' in html
    assert "<p>Un chapeau.</p>" in html
    assert '<h2 class="review-card__title"><a' in page(client, "/")
    english_result = page(client, "/fr/search/?q=practice")
    assert '<h3 class="search-result__title" lang="en"><a' in english_result
    french_result = page(client, "/fr/search/?q=pratique")
    assert '<h3 class="search-result__title"><a href="/fr/reviews/' in french_result


def test_a_review_without_comments_has_zero_in_the_french_singular(client):
    make_review(title="Sans commentaire")
    html = page(client, "/fr/")
    assert "0 commentaire</a>" in html  # French counts 0 as one, English says "0 comments"
    assert "0 comments" in page(client, "/")


def test_review_page_in_french_with_its_date_in_french(client):
    review = make_review(
        slug="soutenir", published_at=datetime(2025, 12, 3, 18, 56, tzinfo=TORONTO)
    )
    html = page(client, f"/fr/reviews/{review.slug}/")
    assert '<h2 id="citation-heading">L’article</h2>' in html
    assert '<h2 id="questions-heading">Questions aux courtiers</h2>' in html
    assert 'Une recension invitée de <span class="byline__name">Joann Cattlin</span>' in html
    assert ">3 décembre 2025</time>" in html
    assert "Question 1 <span" in html
    assert "0 commentaire</span>" in html


def test_review_page_in_english_stays_in_english(client):
    review = make_review(slug="supporting")
    html = page(client, f"/reviews/{review.slug}/")
    assert '<h2 id="questions-heading">Questions for brokers</h2>' in html
    assert "Questions aux courtiers" not in html


def test_staff_preview_of_a_scheduled_review_in_french(client):
    review = make_review(published_at=timezone.now() + timedelta(days=2))
    client.force_login(make_user(editor=True))
    html = page(client, f"/fr/reviews/{review.slug}/")
    assert "<strong>Aperçu.</strong>" in html
    assert "n’est pas encore visible des lecteurs" in html


def test_topics_index_in_french(client):
    topic = Topic.objects.create(name="Mise en œuvre", slug="mise-en-oeuvre")
    for _ in range(2):
        make_review().topics.add(topic)
    html = page(client, "/fr/topics/")
    assert "<h1>Thèmes</h1>" in html
    assert "· 2 recensions</span>" in html
    assert "Choisissez un thème pour voir ses recensions." in html


def test_search_page_in_french(client):
    make_review(title="Courtage de connaissances")
    html = page(client, "/fr/search/?q=courtage")
    assert "<h1>Rechercher</h1>" in html
    assert f"1 résultat pour «{NB}courtage{NB}»" in html
    assert "· par Joann Cattlin" in html


def test_search_page_without_results_in_french(client):
    html = page(client, "/fr/search/?q=introuvable")
    assert f"0 résultat pour «{NB}introuvable{NB}»" in html
    assert "Aucune recension publiée ni aucun commentaire ne correspond" in html


def test_subscribe_page_in_french(client):
    make_review(title="Dernière parue")
    html = page(client, "/fr/subscribe/")
    assert "<h1>S’abonner aux nouvelles recensions</h1>" in html
    assert "Votre adresse courriel" in html
    assert "Dans un lecteur de flux" in html


def test_subscribe_form_errors_in_french(client):
    response = client.post("/fr/subscribe/email/", {"email": "pas une adresse"})
    assert response.status_code == 400
    assert "Saisissez une adresse courriel comme nom@exemple.org." in response.content.decode()


def editor_client(client):
    client.force_login(make_user(editor=True))
    return client


def test_admin_publish_action_says_so_in_french(client):
    drafts = [make_review(published=False), make_review(published=False)]
    response = editor_client(client).post(
        "/fr/admin/posts/review/",
        {"action": "publish", "_selected_action": [review.pk for review in drafts]},
    )
    assert response.status_code == 302
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "2 recensions publiées."
    ]
    assert Review.objects.published().count() == 2


def test_admin_review_list_and_action_labels_in_french(client):
    make_review(published_at=timezone.now() + timedelta(days=1))
    html = page(editor_client(client), "/fr/admin/posts/review/")
    assert "Publier les recensions sélectionnées" in html
    assert "Prévue pour le " in html
    assert "Exporter la discussion en CSV" in html


def test_admin_review_form_help_text_in_french(client):
    html = page(editor_client(client), "/fr/admin/posts/review/add/")
    assert "Une date future programme la recension" in html
    assert "Ce qu’en disent les courtiers" in html  # a fieldset's title


def test_dropped_content_warnings_in_french():
    with translation.override("fr"):
        warnings = dropped_content_warnings("Le commentaire", "![figure](x.png) <b>gras</b>")
    assert warnings == [
        "Le commentaire contient une image, que le site n’affiche pas.",
        "Le commentaire contient du HTML (<b>), que le site n’affiche pas.",
    ]
