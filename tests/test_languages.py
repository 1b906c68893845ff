"""English and French: addresses, the reader's choice of language, the switcher, hreflang
links, caches and times in each language (journalclub/languages.py, journalclub/times.py)."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone, translation

from journalclub.languages import in_language_of
from journalclub.page_cache import cached_fragments
from journalclub.times import moment_text
from tests.factories import PASSWORD, make_comment, make_review, make_user

pytestmark = pytest.mark.django_db

COOKIE = django_settings.LANGUAGE_COOKIE_NAME
WINTER = datetime(2026, 12, 3, 23, 56, tzinfo=UTC)  # 18:56 in Toronto
SUMMER = datetime(2026, 7, 3, 13, 5, tzinfo=UTC)  # 9:05 in Toronto (daylight time)


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]*)">', response.content.decode()).group(1)


@pytest.fixture
def review():
    return make_review()


# Settings and addresses


def test_the_site_speaks_english_and_french():
    assert django_settings.LANGUAGE_CODE == "en"
    assert django_settings.LANGUAGES == [("en", "English"), ("fr", "Français")]
    middleware = django_settings.MIDDLEWARE
    locale = middleware.index("django.middleware.locale.LocaleMiddleware")
    # Active before the page cache resolves the address, and before CommonMiddleware.
    assert locale < middleware.index("django.middleware.common.CommonMiddleware")
    assert (
        locale
        < middleware.index("journalclub.languages.PreferredLanguageMiddleware")
        < middleware.index("journalclub.page_cache.CachedPageMiddleware")
    )


def test_english_pages_keep_their_addresses_and_french_ones_start_with_fr(client, review):
    english = client.get(review.get_absolute_url())
    french = client.get(f"/fr{review.get_absolute_url()}")
    assert (english.status_code, html_lang(english)) == (200, "en")
    assert (french.status_code, html_lang(french)) == (200, "fr")
    assert french["Content-Language"] == "fr"


def test_french_sign_in_page_is_in_french(client):
    response = client.get("/fr/accounts/login/")
    assert response.status_code == 200
    assert html_lang(response) == "fr"
    assert "Mot de passe" in response.content.decode()  # allauth's French


def test_the_feed_is_per_language_and_the_plain_addresses_stay_unprefixed(client, review):
    assert client.get("/fr/feed/").status_code == 200
    for address in ("/healthz", "/robots.txt", "/sitemap.xml"):
        assert client.get(address).status_code == 200
        assert client.get(f"/fr{address}").status_code == 404


def test_robots_txt_keeps_crawlers_out_of_french_private_pages_too(client):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/\n" in text
    assert "Disallow: /fr/admin/\n" in text
    assert "Disallow: /fr/accounts/\n" in text


# The reader's choice: cookie, browser, profile


def test_a_french_browser_opening_an_english_link_gets_the_english_page(client, review):
    response = client.get(review.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    assert response.status_code == 200
    assert html_lang(response) == "en"


def test_a_french_browser_on_the_home_page_is_sent_to_the_french_home_page(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"
    assert set(re.split(r",\s*", response["Vary"])) >= {"Cookie", "Accept-Language"}
    assert "no-store" in response["Cache-Control"]
    assert html_lang(client.get("/fr/")) == "fr"


def test_an_english_browser_or_an_english_choice_stays_on_the_english_home_page(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-CA,en;q=0.9").status_code == 200
    client.cookies[COOKIE] = "en"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert (response.status_code, html_lang(response)) == (200, "en")


def test_a_reader_who_chose_french_is_sent_from_english_pages_to_french_ones(client, review):
    client.cookies[COOKIE] = "fr"
    response = client.get(f"{review.get_absolute_url()}?page=2")
    assert response.status_code == 302
    assert response["Location"] == f"/fr{review.get_absolute_url()}?page=2"
    assert "no-store" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_a_cached_english_page_is_not_served_to_a_reader_who_chose_french(client, review):
    url = review.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    client.cookies[COOKIE] = "fr"
    assert client.get(url).status_code == 302


def test_french_addresses_are_french_whatever_the_cookie(client, review):
    client.cookies[COOKIE] = "en"
    response = client.get(f"/fr{review.get_absolute_url()}", HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, html_lang(response)) == (200, "fr")


def test_the_choice_leaves_posts_and_plain_addresses_alone(client):
    client.cookies[COOKIE] = "fr"
    assert client.get("/healthz").status_code == 200
    assert client.get("/robots.txt").status_code == 200
    response = client.post("/accounts/login/", {"login": "x@example.org", "password": "x"})
    assert response.status_code == 200  # the form again, not a redirect
    assert client.cookies[COOKIE].value == "fr"


@pytest.mark.parametrize("path", ["//evil.example/", "//evil.example/reviews/x/", "//[x/"])
def test_odd_addresses_are_never_sent_to_another_site_nor_answer_500(client, path):
    for cookie in ("en", "fr"):
        client.cookies[COOKIE] = cookie
        response = client.get("/", PATH_INFO=path)  # the client itself would not parse it
        assert response.status_code in (200, 302, 404)
        assert not response.get("Location", "/").startswith("//")
        assert "evil.example" not in response.get("Location", "")


def test_signing_in_sets_the_language_from_the_profile(client):
    make_user(email="broker@example.org", language="fr")
    response = client.post(
        "/accounts/login/", {"login": "broker@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "fr"
    assert client.get("/").headers["Location"] == "/fr/"


def test_signing_in_without_a_preference_keeps_the_readers_choice(client):
    make_user(email="broker@example.org")
    client.cookies[COOKIE] = "fr"
    response = client.post(
        "/accounts/login/", {"login": "broker@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert COOKIE not in response.cookies
    assert client.cookies[COOKIE].value == "fr"


def test_choosing_french_on_the_profile_sets_the_language(client):
    member = make_user()
    client.force_login(member)
    form = client.get("/accounts/profile/").content.decode()
    assert 'name="language"' in form
    response = client.post(
        "/accounts/profile/", {"display_name": member.display_name, "language": "fr"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "fr"
    assert response.cookies[COOKIE].value == "fr"


def test_in_language_of_a_member_uses_their_language_and_zone():
    member = make_user(language="fr", time_zone="America/Vancouver")
    with in_language_of(member):
        assert translation.get_language() == "fr"
        assert moment_text(WINTER) == "3 décembre 2026, 15\u00a0h\u00a056 HNP"
    assert translation.get_language() == "en"
    with in_language_of(make_user()):
        assert translation.get_language() == "en"
        assert moment_text(WINTER) == "3 Dec 2026, 18:56 EST"


def test_in_language_of_overrides_the_language_of_the_request_it_runs_in():
    with translation.override("fr"), in_language_of(make_user(language="en")):
        assert translation.get_language() == "en"


# The switcher


def test_english_pages_offer_french_and_french_pages_english(client, review):
    url = review.get_absolute_url()
    english = client.get(url).content.decode()
    assert '<form class="language-switcher" method="post" action="/i18n/setlang/">' in english
    assert f'<input type="hidden" name="next" value="/fr{url}">' in english
    assert (
        '<button type="submit" name="language" value="fr" class="link-button" lang="fr"'
        ' hreflang="fr">Français</button>'
    ) in english
    french = client.get(f"/fr{url}").content.decode()
    assert f'<input type="hidden" name="next" value="{url}">' in french
    assert (
        '<button type="submit" name="language" value="en" class="link-button" lang="en"'
        ' hreflang="en">English</button>'
    ) in french


def test_the_switcher_keeps_anonymous_pages_cacheable(client, review):
    response = client.get(review.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_switching_to_french_remembers_it_and_opens_the_french_page(review):
    client = Client(enforce_csrf_checks=True)  # the anonymous form carries no token
    url = review.get_absolute_url()
    response = client.post("/i18n/setlang/", {"language": "fr", "next": f"/fr{url}"})
    assert response.status_code == 302
    assert response["Location"] == f"/fr{url}"
    assert client.cookies[COOKIE].value == "fr"
    assert client.get(url)["Location"] == f"/fr{url}"
    response = client.post("/i18n/setlang/", {"language": "en", "next": url})
    assert response["Location"] == url
    assert html_lang(client.get(url)) == "en"


def test_a_member_switching_language_keeps_it_on_their_profile(review):
    member = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    page = client.get(review.get_absolute_url()).content.decode()
    switcher = page[page.index('class="language-switcher"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', switcher).group(1)
    response = client.post(
        "/i18n/setlang/", {"language": "fr", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "fr"
    assert client.cookies[COOKIE].value == "fr"


def test_a_members_switch_needs_their_csrf_token():
    member = make_user()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.language == ""


def test_switching_to_a_language_the_site_does_not_speak_is_refused(client):
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert response.status_code == 400
    assert response.content.decode() == "Choose English or French."
    assert COOKIE not in response.cookies


def test_switching_language_is_a_post(client):
    assert client.get("/i18n/setlang/?language=fr").status_code == 405


def test_switching_to_an_outside_address_stays_on_the_site(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


# hreflang links and the sitemap


def test_every_page_links_to_itself_in_each_language(client, review):
    url = review.get_absolute_url()
    for page in (client.get(url), client.get(f"/fr{url}")):
        links = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page.text)
        assert links == [
            ("en", f"http://testserver{url}"),
            ("fr", f"http://testserver/fr{url}"),
            ("x-default", f"http://testserver{url}"),
        ]


def test_a_page_not_found_has_no_alternates_and_offers_the_other_home_page(client):
    page = client.get("/fr/nothing-here/")
    assert page.status_code == 404
    assert 'hreflang="x-default"' not in page.text
    assert '<input type="hidden" name="next" value="/">' in page.text


def test_the_sitemap_lists_each_page_in_both_languages_with_alternates(client, review):
    root = ET.fromstring(client.get("/sitemap.xml").content)
    sitemap = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    xhtml = "{http://www.w3.org/1999/xhtml}"
    url = f"http://testserver{review.get_absolute_url()}"
    french = f"http://testserver/fr{review.get_absolute_url()}"
    entries = {
        entry.find(f"{sitemap}loc").text: [
            (link.get("hreflang"), link.get("href")) for link in entry.iter(f"{xhtml}link")
        ]
        for entry in root.iter(f"{sitemap}url")
    }
    expected = [("en", url), ("fr", french), ("x-default", url)]
    assert entries[url] == expected
    assert entries[french] == expected


# Caches


def test_a_french_page_is_never_served_for_the_english_address_or_back(client, review):
    url = review.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    french = client.get(f"/fr{url}")
    assert (french["X-Page-Cache"], html_lang(french)) == ("miss", "fr")
    english = client.get(url)
    assert (english["X-Page-Cache"], html_lang(english)) == ("hit", "en")
    french = client.get(f"/fr{url}")
    assert (french["X-Page-Cache"], html_lang(french)) == ("hit", "fr")


def test_an_english_comment_card_is_not_served_on_the_french_page(client, review):
    make_comment(question=review.questions.first(), created_at=WINTER)
    member = make_user()
    client.force_login(member)  # members' pages are made of cached cards
    url = review.get_absolute_url()
    assert "3 Dec 2026, 18:56 EST" in client.get(url).text
    french = client.get(f"/fr{url}").text
    assert "3 décembre 2026, 18\u00a0h\u00a056 HNE" in french
    assert "3 Dec 2026" not in french


def test_fragments_are_kept_per_language():
    def render_in_active_language(keys):
        return {key: (f"{key} in {translation.get_language()}", True) for key in keys}

    with translation.override("en"):
        assert cached_fragments("cards", {1: ("v",)}, render_in_active_language) == {
            1: ("1 in en", True)
        }
    with translation.override("fr"):
        assert cached_fragments("cards", {1: ("v",)}, render_in_active_language) == {
            1: ("1 in fr", True)
        }
        assert cached_fragments("cards", {1: ("v",)}, lambda keys: {}) == {1: ("1 in fr", True)}


def test_choosing_a_language_does_not_empty_the_page_cache(client, review):
    url = review.get_absolute_url()
    client.get(url)
    member = make_user()
    member.language = "fr"
    member.save(update_fields=["language"])
    assert client.get(url)["X-Page-Cache"] == "hit"


# Times


def test_times_in_english_are_as_they_were():
    with translation.override("en"):
        assert moment_text(WINTER) == "3 Dec 2026, 18:56 EST"
        assert moment_text(SUMMER) == "3 Jul 2026, 09:05 EDT"
        assert moment_text(WINTER, time_only=True) == "18:56 EST"


def test_times_in_french_are_written_the_canadian_way():
    with translation.override("fr"):
        assert moment_text(WINTER) == "3 décembre 2026, 18\u00a0h\u00a056 HNE"
        assert moment_text(SUMMER) == "3 juillet 2026, 9\u00a0h\u00a005 HAE"
        assert moment_text(WINTER, time_only=True) == "18\u00a0h\u00a056 HNE"


@pytest.mark.parametrize(
    ("zone", "english", "french"),
    [
        ("America/Halifax", "AST", "HNA"),
        ("America/St_Johns", "NST", "HNT"),
        ("America/Winnipeg", "CST", "HNC"),
        ("America/Edmonton", "MST", "HNR"),
        ("America/Vancouver", "PST", "HNP"),
        ("Europe/Paris", "CET", "CET"),
        ("America/Sao_Paulo", "UTC-03", "UTC-03"),
    ],
)
def test_zones_are_labelled_in_each_language(zone, english, french):
    with timezone.override(zone):
        with translation.override("en"):
            assert moment_text(WINTER, time_only=True).endswith(f" {english}")
        with translation.override("fr"):
            assert moment_text(WINTER, time_only=True).endswith(f" {french}")


def test_the_moment_filter_is_french_on_french_pages(client, review):
    make_comment(question=review.questions.first(), created_at=SUMMER)
    page = client.get(f"/fr{review.get_absolute_url()}").text
    assert (
        '<time datetime="2026-07-03T09:05:00-04:00">3 juillet 2026, 9\u00a0h\u00a005 HAE</time>'
        in page
    )
