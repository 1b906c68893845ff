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

from .models import DOI_RESOLVER

API_URL = "https://api.crossref.org/works/"
TIMEOUT_SECONDS = 3
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


def fetch(doi: str) -> dict:
    """The JSON Crossref answers for `doi`. Tests replace this function."""
    url = API_URL + urllib.parse.quote(doi, safe="/")
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise NotFound(doi) from error
        raise Unavailable(doi) from error
    except (OSError, ValueError) as error:  # URLError, timeouts, resets, bad JSON
        raise Unavailable(doi) from error


def article_details(doi: str) -> dict[str, str]:
    """Article fields from Crossref's record of `doi`; fields Crossref lacks are left out."""
    try:
        work = fetch(doi)["message"]
    except (KeyError, TypeError) as error:
        raise Unavailable(doi) from error
    if not isinstance(work, dict):
        raise Unavailable(doi)
    doi = work.get("DOI") or doi
    details = {
        "doi": doi,
        "authors": apa_authors(work.get("author") or []),
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
