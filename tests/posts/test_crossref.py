"""posts.crossref against recorded Crossref answers (tests/posts/crossref/): no network."""

import io
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from posts import crossref

RECORDED = Path(__file__).parent / "crossref"
CFIR_DOI = "10.1186/1748-5908-4-50"


def recorded_work(doi: str = CFIR_DOI) -> dict:
    return json.loads((RECORDED / f"{doi.replace('/', '_')}.json").read_text())


def work_with(**fields) -> dict:
    """The recorded answer with some of the work's fields changed."""
    answer = recorded_work()
    answer["message"].update(fields)
    return answer


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@pytest.fixture
def requests(monkeypatch) -> list:
    """Serves the recorded answers in place of the network; lists what was asked."""
    asked = []

    def urlopen(request, timeout):
        asked.append((request, timeout))
        doi = request.full_url.removeprefix(crossref.API_URL)
        if doi == CFIR_DOI:
            return FakeResponse((RECORDED / "10.1186_1748-5908-4-50.json").read_bytes())
        if doi == "10.9999/slow":
            raise urllib.error.URLError(TimeoutError("timed out"))
        if doi == "10.9999/reset":
            raise ConnectionResetError("reset by peer")
        if doi == "10.9999/broken":
            return FakeResponse(b"<html>Bad gateway</html>")
        if doi == "10.9999/huge":
            padding = " " * crossref.MAX_ANSWER_BYTES
            return FakeResponse(f'{{"message": {{"title": ["Huge"]}}{padding}}}'.encode())
        if doi == "10.9999/busy":
            raise urllib.error.HTTPError(request.full_url, 503, "Busy", {}, io.BytesIO(b""))
        body = io.BytesIO((RECORDED / "not-found.txt").read_bytes())
        raise urllib.error.HTTPError(request.full_url, 404, "Not Found", {}, body)

    def open_(request, timeout):
        return urlopen(request, timeout)

    monkeypatch.setattr(crossref.OPENER, "open", open_)
    return asked


def test_article_details_from_the_recorded_answer(requests):
    assert crossref.article_details(CFIR_DOI) == {
        "doi": CFIR_DOI,
        "authors": "Damschroder, L. J., Aron, D. C., Keith, R. E., Kirsh, S. R., "
        "Alexander, J. A., & Lowery, J. C.",
        "year": "2009",
        "title": "Fostering implementation of health services research findings into "
        "practice: a consolidated framework for advancing implementation science",
        "journal": "Implementation Science",
        "volume": "4",
        "issue": "1",
        "pages": "50",
        "url": "https://doi.org/10.1186/1748-5908-4-50",
    }


def test_the_request_names_the_site_and_gives_up_after_three_seconds(requests):
    crossref.article_details(CFIR_DOI)
    [(request, timeout)] = requests
    assert request.full_url == "https://api.crossref.org/works/10.1186/1748-5908-4-50"
    assert request.get_header("User-agent").startswith("Journal Club")
    assert timeout == 3


def test_an_unknown_doi_is_not_found(requests):
    with pytest.raises(crossref.NotFound):
        crossref.article_details("10.9999/unknown")


@pytest.mark.parametrize("doi", ["10.9999/slow", "10.9999/reset", "10.9999/broken", "10.9999/busy"])
def test_a_timeout_or_a_bad_answer_is_unavailable(requests, doi):
    with pytest.raises(crossref.Unavailable):
        crossref.article_details(doi)
    assert not isinstance(crossref.Unavailable(), crossref.NotFound)


def test_an_answer_without_a_work_is_unreadable(monkeypatch):
    monkeypatch.setattr(crossref, "fetch", lambda doi: {"status": "ok", "message": ["odd"]})
    with pytest.raises(crossref.Unreadable):
        crossref.article_details(CFIR_DOI)


@pytest.mark.parametrize(
    "answer",
    [
        work_with(author=5),
        work_with(author="Damschroder"),
        work_with(DOI=["10.1186/1748-5908-4-50"]),
        work_with(DOI="10.1186/../../members"),
        ["not", "an", "object"],
        "message",
    ],
    ids=["author-number", "author-text", "doi-list", "doi-climbing", "list", "text"],
)
def test_a_malformed_answer_is_unreadable(monkeypatch, answer):
    monkeypatch.setattr(crossref, "fetch", lambda doi: answer)
    with pytest.raises(crossref.Unreadable):
        crossref.article_details(CFIR_DOI)


def test_an_answer_over_one_megabyte_is_not_read(requests):
    with pytest.raises(crossref.Unreadable):
        crossref.article_details("10.9999/huge")


@pytest.mark.parametrize(
    "doi", ["10.1186/../../members", "10.1186/a..b", "10.1186/a b", "10.1186/a\tb", "10.1186/x\n"]
)
def test_dois_with_dots_or_whitespace_are_refused_without_asking(requests, doi):
    with pytest.raises(crossref.InvalidDOI):
        crossref.article_details(doi)
    assert requests == []


def redirect(to: str):
    handler = crossref.SameHostRedirects()
    request = urllib.request.Request(crossref.API_URL + CFIR_DOI)
    return handler.redirect_request(request, io.BytesIO(), 302, "Found", {}, to)


def test_redirects_to_another_host_are_not_followed():
    with pytest.raises(crossref.Unavailable):
        redirect("https://attacker.example/works/10.1186/1748-5908-4-50")
    with pytest.raises(crossref.Unavailable):
        redirect("http://169.254.169.254/latest/meta-data/")


def test_redirects_within_the_api_are_followed():
    followed = redirect("https://api.crossref.org/works/10.1186/1748-5908-4-50.json")
    assert followed.full_url == "https://api.crossref.org/works/10.1186/1748-5908-4-50.json"


def test_the_lookup_uses_the_opener_that_checks_redirects():
    handlers = [type(handler) for handler in crossref.OPENER.handlers]
    assert crossref.SameHostRedirects in handlers
    assert urllib.request.HTTPRedirectHandler not in handlers


def test_markup_in_titles_is_dropped_and_missing_fields_left_out(monkeypatch):
    answer = work_with(title=["The <i>REAIM</i> model &amp; its\n   uses"], volume="")
    del answer["message"]["article-number"]
    monkeypatch.setattr(crossref, "fetch", lambda doi: answer)
    details = crossref.article_details(CFIR_DOI)
    assert details["title"] == "The REAIM model & its uses"
    assert "volume" not in details
    assert "pages" not in details


def test_page_ranges_are_used_when_there_is_no_article_number(monkeypatch):
    answer = work_with(page="112-134")
    del answer["message"]["article-number"]
    monkeypatch.setattr(crossref, "fetch", lambda doi: answer)
    assert crossref.article_details(CFIR_DOI)["pages"] == "112-134"


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        ([{"given": "Annette", "family": "Boaz"}], "Boaz, A."),
        (
            [{"given": "Allison", "family": "Metz"}, {"given": "Annette", "family": "Boaz"}],
            "Metz, A., & Boaz, A.",
        ),
        ([{"given": "Jean-Pierre", "family": "Dubois"}], "Dubois, J.-P."),
        ([{"given": "M. A.", "family": "Smith"}], "Smith, M. A."),
        (
            [{"name": "Cochrane Collaboration"}, {"family": "Plato"}],
            "Cochrane Collaboration, & Plato",
        ),
        ([], ""),
    ],
)
def test_authors_are_written_as_apa_lists_them(authors, expected):
    assert crossref.apa_authors(authors) == expected


def test_more_than_twenty_authors_are_cut_as_apa_says():
    authors = [{"given": "Ann", "family": f"Author{n}"} for n in range(1, 26)]
    text = crossref.apa_authors(authors)
    assert text.startswith("Author1, A., Author2, A.,")
    assert text.endswith("Author19, A., . . . Author25, A.")
    assert "Author20," not in text
