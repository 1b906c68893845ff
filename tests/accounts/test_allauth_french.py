"""django-allauth's pages and emails in the site's French (locale_overrides/fr): « courriel »,
never « e-mail », and French typography, where allauth's own French says « e-mail » and puts
ordinary spaces before « : ? ! »."""

import gettext
import html
import re
from pathlib import Path

import allauth
import pytest
from django.utils import translation
from django.utils.translation import trans_real

from tests.factories import PASSWORD, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db
NBSP, NNBSP = "\u00a0", "\u202f"
# The word, not a placeholder (%(email)s, {email}), a field name (email(ENTER)) or mailto:.
E_MAIL = re.compile(r"(?<![%(){\w:])e-?mails?(?![\w)}(])", re.I)

ACCOUNT_PAGES = [
    "/fr/accounts/login/",
    "/fr/accounts/signup/",
    "/fr/accounts/password/reset/",
    "/fr/accounts/email/",
    "/fr/accounts/password/change/",
    "/fr/accounts/reauthenticate/",
    "/fr/accounts/2fa/",
    "/fr/accounts/2fa/totp/activate/",
    "/fr/accounts/2fa/recovery-codes/generate/",
    "/fr/accounts/sessions/",
    "/fr/accounts/3rdparty/",
]
SIGNED_OUT = {"/fr/accounts/login/", "/fr/accounts/signup/", "/fr/accounts/password/reset/"}


def visible_text(response) -> str:
    """The page's title and main content as a reader sees them (no tags or attributes)."""
    page = response.content.decode()
    parts = re.findall(r"<title>.*?</title>|<main.*?</main>", page, re.S)
    text = re.sub(r"<[^>]+>", " ", " ".join(parts))
    return html.unescape(text)


@pytest.mark.parametrize("url", ACCOUNT_PAGES)
def test_allauths_pages_say_courriel_and_space_punctuation_the_french_way(client, url):
    if url not in SIGNED_OUT:  # signing in, so the pages asking to confirm access open too
        client.post("/fr/accounts/login/", {"login": make_user().email, "password": PASSWORD})
    response = client.get(url)
    assert response.status_code == 200
    text = visible_text(response)
    assert not E_MAIL.search(text), E_MAIL.search(text)
    # No ordinary space before « : ? ! ; » (a no-break one, or none, as in a time: 14:30).
    assert not re.search(r" [:?!;]", text), re.findall(r".{20} [:?!;]", text)
    assert "'" not in text, re.findall(r".{20}'.{20}", text)  # the apostrophe is ’


@pytest.mark.parametrize(
    "url", ["/fr/accounts/login/", "/fr/accounts/signup/", "/fr/accounts/password/reset/"]
)
def test_the_signed_out_pages_say_courriel(client, url):
    page = html.unescape(client.get(url).content.decode())
    assert "courriel" in page
    assert "e-mail" not in page.lower()


def test_the_email_page_says_adresses_courriel(client):
    client.force_login(make_user(email="amara@example.org"))
    page = html.unescape(client.get("/fr/accounts/email/").content.decode())
    assert re.search(r"<h1>\s*Adresses courriel\s*</h1>", page)
    assert f"Les adresses courriel suivantes sont associées à votre compte{NBSP}:" in page
    assert re.search(r"<button[^>]*>\s*Ajouter l’adresse\s*</button>", page)
    assert "e-mail" not in page.lower()


def test_the_sign_in_page_spaces_its_question_mark(client):
    page = html.unescape(client.get("/fr/accounts/login/").content.decode())
    assert f"Mot de passe oublié{NNBSP}?" in page


def test_the_password_reset_email_in_french_says_courriel(client, mailoutbox):
    make_user(email="oublieuse@example.org")
    client.post("/fr/accounts/password/reset/", {"email": "oublieuse@example.org"})
    run_tasks()
    [email] = mailoutbox
    assert email.subject.endswith("Courriel de réinitialisation du mot de passe")
    assert "Vous recevez ce courriel parce que vous, ou quelqu’un d’autre," in email.body
    assert f"Bonjour de la part de Journal Club{NNBSP}!" in email.body
    assert "/fr/accounts/password/reset/key/" in email.body
    assert "e-mail" not in (email.subject + email.body).lower()


def test_english_is_unchanged(client):
    page = html.unescape(client.get("/accounts/login/").content.decode())
    assert "Forgot your password?" in page
    assert "courriel" not in page


def allauths_french() -> dict:
    """allauth's own French catalogue: msgid (or (msgid, n) for plurals) → French."""
    folder = Path(allauth.__file__).parent / "locale"
    return gettext.translation("django", folder, languages=["fr"])._catalog


def test_every_allauth_string_saying_e_mail_has_the_sites_french():
    """A string allauth adds or rewords in an upgrade comes with allauth's « e-mail »: this
    lists them, to add to locale_overrides/fr/LC_MESSAGES/django.po."""
    theirs = {key: french for key, french in allauths_french().items() if E_MAIL.search(french)}
    assert len(theirs) > 50  # the test reads allauth's catalogue
    with translation.override("fr"):
        ours = trans_real.translation("fr")._catalog
        still = {key: ours[key] for key in theirs if E_MAIL.search(ours[key])}
    assert not still


def test_the_overrides_come_before_the_projects_catalogue(settings):
    """locale_overrides/ is listed first: its French wins over allauth's and locale/'s."""
    names = [Path(path).name for path in settings.LOCALE_PATHS]
    assert names == ["locale_overrides", "locale"]
    with translation.override("fr"):
        assert translation.gettext("Email Addresses") == "Adresses courriel"
