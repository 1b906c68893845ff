"""Search in both languages: PostgreSQL reads each review and comment with its language's
configuration; the SQLite fallback folds accents. Runs on both databases."""

import re

import pytest
from django.db import connection

from tests.factories import make_comment, make_review

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="PostgreSQL's configurations keep accents"
)


def result_titles(client, q: str) -> str:
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def result_links(html: str) -> list[str]:
    return re.findall(r'<li class="search-result">.*?<a href="([^"]+)"', html, flags=re.S)


def test_a_word_without_its_accents_finds_the_french_review(client):
    review = make_review(
        language="fr",
        title="Une grille d’analyse",
        commentary="Les auteurs proposent une évaluation réaliste des interventions.",
    )
    make_review(title="Unrelated", commentary="Nothing to see.")
    for q in ("évaluation", "ÉVALUATION", "évaluations"):
        assert result_links(result_titles(client, q)) == [review.get_absolute_url()], q


@sqlite_only
def test_the_sqlite_fallback_folds_accents(client):
    review = make_review(language="fr", commentary="Une évaluation menée sur le terrain.")
    english = make_review(commentary="A realist evaluation.")
    found = result_links(result_titles(client, "evaluation"))
    assert sorted(found) == sorted([review.get_absolute_url(), english.get_absolute_url()])
    assert result_links(result_titles(client, "menee")) == [review.get_absolute_url()]


def test_ligatures_and_the_letters_they_join_find_each_other(client):
    written = make_review(
        language="fr", title="Une grille d’analyse", commentary="La mise en œuvre des politiques."
    )
    spelled_out = make_review(language="fr", commentary="Le cæcum et la mise en oeuvre.")
    make_review(language="fr", commentary="Rien à voir.")
    both = sorted([written.get_absolute_url(), spelled_out.get_absolute_url()])
    for q in ("mise en oeuvre", "mise en œuvre", "MISE EN ŒUVRE", "Oeuvre"):
        assert sorted(result_links(result_titles(client, q))) == both, q
    assert result_links(result_titles(client, "caecum")) == [spelled_out.get_absolute_url()]
    comment = make_comment(body="Une manœuvre habile.", language="fr")
    assert result_links(result_titles(client, "manoeuvre")) == [comment.get_absolute_url()]


@sqlite_only
def test_the_sqlite_fallback_marks_a_match_written_with_a_ligature(client):
    make_review(language="fr", commentary="La mise en œuvre des politiques.")
    assert "<mark>œuvre</mark>" in result_titles(client, "oeuvre")


def test_french_words_find_french_reviews_by_their_family(client):
    review = make_review(
        language="fr",
        title="Le courtage de connaissances",
        commentary="Les courtiers facilitent les échanges entre chercheurs et praticiens.",
    )
    assert result_links(result_titles(client, "échange")) == [review.get_absolute_url()]


def test_a_french_comment_is_found_by_its_words(client):
    comment = make_comment(body="Nous avons mené des évaluations régionales.", language="fr")
    make_comment(body="Nothing about it.")
    assert result_links(result_titles(client, "évaluation")) == [comment.get_absolute_url()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL configurations")
def test_postgresql_stems_each_review_in_its_own_language(client):
    french = make_review(language="fr", title="Les politiques publiques", commentary="Décideurs.")
    english = make_review(title="Public policies", commentary="Policymakers.")
    # French stemming: "politique" finds "politiques"; English: "policy" finds "policies".
    assert result_links(result_titles(client, "politique")) == [french.get_absolute_url()]
    assert result_links(result_titles(client, "policy")) == [english.get_absolute_url()]
