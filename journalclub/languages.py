"""The language each reader sees. English pages have the site's plain addresses, French ones
start with /fr/ (journalclub/urls.py), so a shared link opens in the language it was shared
in. A reader's language is chosen, in order, by their profile, by the switcher on every page
(Django's language cookie), then by their browser's Accept-Language, which decides only on
the home page: the middleware here sends a reader from an English address to its French one
when that is what they chose."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import translate_url
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from journalclub.times import zone_of


@contextmanager
def in_language_of(member) -> Iterator[None]:
    """Renders what is inside (an email's subject and body) in `member`'s language and time
    zone, whoever's request or task is running."""
    language = getattr(member, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(zone_of(member)):
        yield


def supported_language(code: str | None) -> str | None:
    """`code` if the site speaks it ("fr", or "fr-ca" as "fr"), else None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def address_in(request: HttpRequest, language: str) -> str:
    """This page's address (path and query) in `language`; itself when it is no page."""
    # Translated whole, host included, so that a path such as //elsewhere.example/ is read
    # as a path, never as another site.
    translated = urlsplit(translate_url(request.build_absolute_uri(), language))
    return f"{translated.path}?{translated.query}" if translated.query else translated.path


def _chosen_address(request: HttpRequest) -> str | None:
    """The French address of an English page, for a reader who chose French."""
    if request.method not in ("GET", "HEAD") or translation.get_language_from_path(
        request.path_info
    ):
        return None  # French addresses are French, whatever the reader chose
    chosen = supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen is None and request.path_info == "/":
        # The browser's languages decide only for the home page: any other English link was
        # shared in English.
        chosen = supported_language(translation.get_language_from_request(request))
    if chosen is None or chosen == settings.LANGUAGE_CODE:
        return None
    translated = address_in(request, chosen)
    # Not a page (healthz, robots.txt): the same address.
    return translated if translated != request.get_full_path() else None


def _remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class PreferredLanguageMiddleware:
    """Sends a reader from an English page to the French one when they chose French. It sits
    before the page cache, which would otherwise serve them the English page. Also keeps a
    member's profile language in the language cookie when they sign in or change it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = _chosen_address(request)
        if address is not None:
            response = HttpResponseRedirect(address)
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
            add_never_cache_headers(response)
            return response
        response = self.get_response(request)
        language = _members_language_to_remember(request)
        if language is not None:
            _remember_language(response, language)
        return response


def _members_language_to_remember(request: HttpRequest) -> str | None:
    language = getattr(request, "signed_in_language", None)
    user = getattr(request, "user", None)
    # A member's language changes on their profile, a form: only POSTs need looking at.
    if language is None and request.method == "POST" and user is not None:
        language = user.language if user.is_authenticated else None
    if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
        return language
    return None


@receiver(request_finished, dispatch_uid="languages:request_finished")
def _forget_language(**kwargs) -> None:
    # LocaleMiddleware leaves the request's language active in the thread: what runs next in
    # it outside a request (a task, a test) must not inherit a reader's French.
    translation.deactivate()


@receiver(user_logged_in, dispatch_uid="languages:signed_in")
def _signed_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is not None and user.language:
        request.signed_in_language = user.language


# No CSRF token for readers who are not signed in: one in every page's switcher would give
# every page a cookie, and none could be cached; a forged switch changes only a cookie.
@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, keeping a signed-in member's choice on their profile too."""
    if request.POST.get("language") not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Choose English or French."))
    if request.user.is_authenticated:
        return _set_members_language(request)
    return i18n.set_language(request)


@csrf_protect
def _set_members_language(request: HttpRequest) -> HttpResponse:
    response = i18n.set_language(request)
    request.user.language = request.POST["language"]
    request.user.save(update_fields=["language"])
    return response


class LanguageLinks:
    """The addresses of this page in each language, for the switcher and hreflang links."""

    def __init__(self, request: HttpRequest):
        self.request = request

    @cached_property
    def addresses(self) -> dict[str, str]:
        """Language code → this page's path in it; empty for an address that is no page."""
        addresses = {code: address_in(self.request, code) for code, _name in settings.LANGUAGES}
        return addresses if len(set(addresses.values())) == len(addresses) else {}

    @cached_property
    def alternates(self) -> list[tuple[str, str]]:
        """(hreflang, absolute URL) for each language, and x-default: the English page."""
        # The configured domain, not the request's Host: the page is cached for every host.
        site = f"{self.request.scheme}://{settings.SITE_DOMAIN}"
        links = [(code, site + path) for code, path in self.addresses.items()]
        if self.addresses:
            links.append(("x-default", site + self.addresses[settings.LANGUAGE_CODE]))
        return links

    @cached_property
    def others(self) -> list[tuple[str, str, str]]:
        """(code, name, path) of the languages this page is not in."""
        current = translation.get_language()
        return [
            (code, name, self.addresses.get(code) or translate_url("/", code))
            for code, name in settings.LANGUAGES
            if code != current
        ]


def language_links(request: HttpRequest) -> dict:
    return {"language_links": LanguageLinks(request)}
