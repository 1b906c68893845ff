"""An article's citation details from Crossref (https://api.crossref.org/works/<doi>), for the
editors' "Fill in from DOI" button. Only the admin calls it, and a failed lookup only means
that the editor fills in the fields by hand."""

import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.html import strip_tags

from .models import DOI_PATTERN, DOI_RESOLVER

API_URL = "https://api.crossref.org/works/"
API_HOST = urllib.parse.urlsplit(API_URL).hostname
TIMEOUT_SECONDS = 3
# A work's record is a few kilobytes; more than this is not one.
MAX_ANSWER_BYTES = 1_000_000
# Crossref asks clients to name themselves; polite clients get the faster pool.
USER_AGENT = f"{settings.SITE_NAME} article lookup (editors' admin; Python urllib)"
# APA lists up to 20 authors; beyond that the first 19, an ellipsis, then the last.
APA_MAX_AUTHORS = 20


class CrossrefError(Exception):
    pass


class NotFound(CrossrefError):
    pass


class Unavailable(CrossrefError):
    pass


class Unreadable(Unavailable):
    """Crossref answered, but not with a work's record as the site reads it."""


class InvalidDOI(CrossrefError):
    pass


class SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects within Crossref's API only: the lookup never asks another host."""

    def redirect_request(self, request, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).hostname != API_HOST:
            raise Unavailable(newurl)
        return super().redirect_request(request, fp, code, msg, headers, newurl)


OPENER = urllib.request.build_opener(SameHostRedirects)


def is_plain_doi(doi: str) -> bool:
    """A DOI that names one work: no whitespace, no ".." that would climb out of the API's
    path to another of its pages."""
    return bool(re.fullmatch(DOI_PATTERN, doi)) and ".." not in doi


def fetch(doi: str) -> dict:
    """The JSON Crossref answers for `doi`. Tests replace this function."""
    url = API_URL + urllib.parse.quote(doi, safe="/")
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
    )
    try:
        with OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            answer = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise NotFound(doi) from error
        raise Unavailable(doi) from error
    except (OSError, ValueError) as error:  # URLError, timeouts, resets
        raise Unavailable(doi) from error
    if len(answer) > MAX_ANSWER_BYTES:
        raise Unreadable(doi)
    try:
        return json.loads(answer)
    except ValueError as error:
        raise Unreadable(doi) from error


def article_details(doi: str) -> dict[str, str]:
    """Article fields from Crossref's record of `doi`; fields Crossref lacks are left out.
    Unreadable if the record is not shaped as Crossref documents it."""
    if not is_plain_doi(doi):
        raise InvalidDOI(doi)
    answer = fetch(doi)
    work = answer.get("message") if isinstance(answer, dict) else None
    if not isinstance(work, dict):
        raise Unreadable(doi)
    doi = work.get("DOI") or doi
    authors = work.get("author") or []
    if not isinstance(doi, str) or not is_plain_doi(doi) or not isinstance(authors, list):
        raise Unreadable(doi)
    details = {
        "doi": doi,
        "authors": apa_authors(authors),
        "year": _year(work),
        "title": _first_text(work.get("title")),
        "journal": _first_text(work.get("container-title")),
        "volume": _text(work.get("volume")),
        "issue": _text(work.get("issue")),
        "pages": _text(work.get("page") or work.get("article-number")),
        "url": f"{DOI_RESOLVER}{doi}",
    }
    return {name: value for name, value in details.items() if value}


def apa_authors(authors: list[dict]) -> str:
    """ "Damschroder, L. J., Aron, D. C., & Keith, R. E." from Crossref's author list."""
    names = [name for name in map(_apa_name, authors) if name]
    if len(names) > APA_MAX_AUTHORS:
        return ", ".join(names[: APA_MAX_AUTHORS - 1]) + ", . . . " + names[-1]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _apa_name(author: dict) -> str:
    if not isinstance(author, dict):
        return ""
    family = _text(author.get("family"))
    if not family:
        return _text(author.get("name"))  # an organisation
    initials = " ".join(_initials(given) for given in _text(author.get("given")).split())
    return f"{family}, {initials}" if initials else family


def _initials(given_name: str) -> str:
    """ "Laura" -> "L.", "Jean-Pierre" -> "J.-P.", "J." -> "J." """
    parts = [part for part in given_name.replace(".", " ").split("-") if part.strip()]
    return "-".join(f"{part.strip()[0]}." for part in parts)


def _year(work: dict) -> str:
    for key in ("issued", "published", "published-print", "published-online"):
        try:
            year = work[key]["date-parts"][0][0]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(year, int) and year > 0:
            return str(year)
    return ""


def _first_text(values) -> str:
    return _text(values[0]) if isinstance(values, list) and values else ""


def _text(value) -> str:
    """Crossref text may hold markup (<i>, <sub>) and entities: the site wants plain words."""
    if not isinstance(value, str | int):
        return ""
    return re.sub(r"\s+", " ", html.unescape(strip_tags(str(value)))).strip()
