"""The account pages, the site's frame and its error pages in French (/fr/…), and English as
before; two-factor authentication guards the French admin and moderation pages too."""

import html
import re

import pytest
from django.contrib.auth.models import Group
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def main(response) -> str:
    return re.search(r"<main.*?</main>", text_of(response), re.S).group()


def test_the_sign_in_page_in_french(client):
    response = client.get("/fr/accounts/login/")
    page = text_of(response)
    assert response.status_code == 200
    assert '<html lang="fr">' in page
    assert re.search(r"<h1>\s*Connexion\s*</h1>", main(response))
    assert "Mot de passe oublié" in page  # allauth's French
    # The site's frame
    assert '<a class="skip-link" href="#content">Aller au contenu</a>' in page
    assert re.search(r'<a href="/fr/">Recensions</a>', page)
    assert re.search(r'<a href="/fr/topics/">Thèmes</a>', page)
    assert '<nav aria-label="Principale">' in page
    assert "Sign in" not in page and "Reviews" not in page


def test_the_sign_up_page_in_french_asks_for_a_display_name(client):
    page = text_of(client.get("/fr/accounts/signup/"))
    assert re.search(r'<label for="id_display_name">\s*Nom affiché', page)
    assert "Votre adresse courriel n’est jamais affichée." in page
    assert f"Facultatif{NBSP}: votre organisation, affichée à côté de votre nom." in page


def test_a_taken_display_name_is_refused_in_french(client):
    make_user(display_name="Amara Okafor")
    response = client.post(
        "/fr/accounts/signup/",
        {
            "email": "nouveau@example.org",
            "display_name": "amara okafor",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Ce nom affiché est déjà pris" in text_of(response)


@pytest.mark.parametrize(
    ("path", "language"), [("/fr/accounts/signup/", "fr"), ("/accounts/signup/", "en")]
)
def test_signing_up_keeps_the_language_of_the_pages_as_the_members(client, path, language):
    """A member who signs up from French pages gets French emails afterwards (replies,
    moderation), not only the verification email sent while the pages were French."""
    response = client.post(
        path,
        {
            "email": "nouveau@example.org",
            "display_name": "Camille Nouveau",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="nouveau@example.org").language == language


def test_the_profile_page_in_french(client):
    member = make_user(display_name="Amara Okafor")
    client.force_login(member)
    page = text_of(client.get("/fr/accounts/profile/"))
    assert re.search(r"<h1>\s*Votre profil\s*</h1>", page)
    assert "<title>Votre profil · Journal Club</title>" in page
    assert "Courtier de connaissances" in page  # the roles
    assert "M’envoyer un courriel quand quelqu’un répond à mes commentaires" in page
    assert re.search(r"<button[^>]*>\s*Enregistrer le profil\s*</button>", page)
    assert "Changer votre adresse courriel" in page


def test_the_profile_saves_with_a_message_in_french(client):
    member = make_user(display_name="Amara Okafor")
    client.force_login(member)
    response = client.post(
        "/fr/accounts/profile/",
        {"display_name": "Amara O.", "affiliation": "UQAM", "role": "researcher"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/fr/accounts/profile/"
    assert "Votre profil a été enregistré." in main(response)
    member.refresh_from_db()
    assert (member.display_name, member.affiliation) == ("Amara O.", "UQAM")


def test_a_name_on_two_lines_is_refused_in_french(client):
    client.force_login(make_user(display_name="Amara Okafor"))
    response = client.post("/fr/accounts/profile/", {"display_name": "Amara\nOkafor"})
    assert "Écrivez ceci sur une seule ligne, sans saut de ligne ni caractère de contrôle." in (
        text_of(response)
    )


def test_the_profile_page_in_english_is_unchanged(client):
    client.force_login(make_user(display_name="Amara Okafor"))
    page = text_of(client.get("/accounts/profile/"))
    assert '<html lang="en">' in page
    assert re.search(r"<h1>\s*Your profile\s*</h1>", page)
    assert "Knowledge broker" in page


def test_the_404_page_in_french(client):
    response = client.get("/fr/reviews/nothing-here/")
    assert response.status_code == 404
    page = text_of(response)
    assert '<html lang="fr">' in page
    assert "Nous n’avons pas trouvé cette page" in page
    assert "<title>Page introuvable · Journal Club</title>" in page


def test_the_500_page_in_french(client, settings):
    settings.ROOT_URLCONF = "tests.broken_urls"
    client.raise_request_exception = False
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    assert response.status_code == 500
    page = text_of(response)
    assert '<html lang="fr">' in page
    assert "Une erreur s’est produite de notre côté" in page
    assert "Retour aux recensions" in page


def test_the_400_page_for_a_hostile_address_in_french(client):
    response = client.get("/fr/?q=%00")
    assert response.status_code == 400
    page = text_of(response)
    assert '<html lang="fr">' in page
    assert "L’adresse contient un caractère de contrôle" in page


def test_the_503_page_and_the_kept_text_in_french():
    with translation.override("fr"):
        page = render_to_string("503.html", {"sent": None})
    assert "Le club de lecture est brièvement indisponible" in page
    assert '<html lang="fr">' in page


def test_the_page_count_in_french(rf):
    paginator = Paginator(range(50), 20)
    with translation.override("fr"):
        page = render_to_string(
            "includes/pagination.html", {"page_obj": paginator.page(1)}, request=rf.get("/fr/")
        )
    assert "Page 1 sur 3" in page
    assert ">Recensions plus anciennes</a>" in page
    assert '<nav class="pagination" aria-label="Pages">' in page


@pytest.mark.parametrize("url", ["/fr/admin/", "/fr/moderation/"])
def test_french_admin_and_moderation_pages_also_require_two_factor(client, settings, url):
    settings.MFA_REQUIRED_FOR_STAFF = True
    staff = make_user(editor=True)
    staff.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/fr/accounts/2fa/totp/activate/?next=")
    # Confirming access comes first (allauth), with the reason given in French.
    follow = client.get(response["Location"], follow=True)
    assert "Configurez l’authentification à deux facteurs" in text_of(follow)
