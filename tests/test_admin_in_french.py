"""The admin at /fr/admin/: our models' names and their fields' labels in French, not only
Django's own words around them."""

import re

import pytest

from tests.factories import make_comment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def label(html: str, field: str) -> str:
    """The text of the form's label for `field`."""
    match = re.search(rf'<label[^>]*for="id_{field}"[^>]*>(.*?)</label>', html, re.S)
    assert match, f"no label for {field}"
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split()).rstrip(" :")


def test_the_review_form_labels_its_fields_in_french(superuser_client):
    html = page(superuser_client, "/fr/admin/posts/review/add/")
    assert label(html, "title") == "Titre"
    assert label(html, "standfirst") == "Chapeau"
    assert label(html, "series") == "Série"
    assert label(html, "reviewer") == "Auteur·e de la recension"
    assert label(html, "discussion_open") == "Discussion ouverte"
    # A date and a time: the pair is named by its fieldset's legend.
    assert re.search(r"<legend>Date de publication\s:</legend>", html)
    assert "Ajout de recension" in html  # the model's name, in the page's title
    # The inlines: their titles and column headings.
    assert "Résultats clés" in html and "Questions aux courtiers" in html
    assert re.search(r"<th[^>]*>\s*Texte\b", html)
    assert "Title" not in html and "Standfirst" not in html


def test_the_comment_list_names_its_columns_and_model_in_french(superuser_client):
    make_comment(body="In the admin.")
    html = page(superuser_client, "/fr/admin/comments/comment/")
    assert "<h1>Sélectionnez l’objet commentaire à changer</h1>" in html
    result_list = html[html.index('id="result_list"') :]
    headings = " ".join(
        " ".join(re.sub(r"<[^>]+>", " ", heading).split())
        for heading in re.findall(r'<th scope="col".*?</th>', result_list, re.S)
    )
    for column in ("Commentaire", "Auteur", "Recension", "Question", "Date de création", "État"):
        assert column in headings, column
    for english in ("Author", "Review", "Created at"):
        assert english not in headings, english


def test_the_admin_index_names_our_models_in_french(superuser_client):
    html = page(superuser_client, "/fr/admin/")
    for name in ("Recensions", "Séries", "Thèmes", "Articles", "Signalements", "Abonnés"):
        assert f">{name}</a>" in html, name
    assert ">Series</a>" not in html and ">Flags</a>" not in html
