"""The editors' admin: honest publishing, Markdown previews and warnings, numbering, the
article form with "Fill in from DOI", and the review's whereabouts and exports."""

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from journalclub.markdown import render_editorial
from posts import crossref
from posts.models import Article, KeyFinding, Review
from tests.factories import make_review, make_series, make_user
from tests.posts.test_admin import inline_forms, review_form

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
# Far enough ahead to stay in the future: 09:00 in Toronto, in winter (EST).
SCHEDULED = datetime(2036, 12, 3, 9, 0, tzinfo=TORONTO)
RECORDED = Path(__file__).parent / "crossref"
CFIR_DOI = "10.1186/1748-5908-4-50"


@pytest.fixture(autouse=True)
def toronto(settings):
    settings.TIME_ZONE = "America/Toronto"


@pytest.fixture
def editor(client):
    user = make_user(editor=True)
    client.force_login(user)
    return user


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def changelist_statuses(client) -> dict[str, str]:
    html = client.get("/admin/posts/review/").content.decode()
    rows = re.findall(r'<th class="field-title"><a [^>]*>([^<]*)</a></th>.*?'
                      r'<td class="field-publication">([^<]*)</td>', html, re.S)  # fmt: skip
    return dict(rows)


# Honest publishing


def test_publishing_a_review_dated_in_the_future_schedules_it_and_says_when(client, editor):
    scheduled = make_review(published=False, title="Later", published_at=SCHEDULED)
    drafts = [make_review(published=False, title=f"Now {n}") for n in (1, 2)]
    response = client.post(
        "/admin/posts/review/",
        {"action": "publish", "_selected_action": [scheduled.pk, *(d.pk for d in drafts)]},
        follow=True,
    )
    assert messages_of(response) == [
        "Published 2 reviews.",
        "Scheduled 1 review for 3 Dec 2036, 09:00 EST: readers see it from then.",
    ]
    assert changelist_statuses(client) == {
        "Later": "Scheduled for 3 Dec 2036, 09:00 EST",
        "Now 1": "Published",
        "Now 2": "Published",
    }
    client.logout()
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    assert client.get(drafts[0].get_absolute_url()).status_code == 200


def test_publishing_one_review_says_so_in_the_singular(client, editor):
    review = make_review(published=False)
    response = client.post(
        "/admin/posts/review/", {"action": "publish", "_selected_action": [review.pk]}, follow=True
    )
    assert messages_of(response) == ["Published 1 review."]


def test_reviews_scheduled_for_two_dates_are_announced_per_date(client, editor):
    later = SCHEDULED.replace(year=2037)
    reviews = [make_review(published=False, published_at=moment) for moment in (SCHEDULED, later)]
    reviews.append(make_review(published=False, published_at=SCHEDULED))
    response = client.post(
        "/admin/posts/review/",
        {"action": "publish", "_selected_action": [r.pk for r in reviews]},
        follow=True,
    )
    assert messages_of(response) == [
        "Scheduled 2 reviews for 3 Dec 2036, 09:00 EST: readers see them from then.",
        "Scheduled 1 review for 3 Dec 2037, 09:00 EST: readers see it from then.",
    ]


def test_drafts_show_as_drafts_in_the_list(client, editor):
    make_review(published=False, title="Unfinished")
    assert changelist_statuses(client) == {"Unfinished": "Draft"}


def test_a_scheduled_review_page_says_where_it_will_be_and_links_the_staff_preview(client, editor):
    review = make_review(published=False, slug="coming-soon", published_at=SCHEDULED)
    review.publish()
    html = client.get(f"/admin/posts/review/{review.pk}/change/").content.decode()
    assert (
        "Scheduled for 3 Dec 2036, 09:00 EST. From then, readers will find it at "
        "<code>http://testserver/reviews/coming-soon/</code>; until then that page is not found. "
        '<a href="/reviews/coming-soon/">Preview it as staff</a>.'
    ) in html
    assert client.get("/reviews/coming-soon/").status_code == 200  # the staff preview
    client.logout()
    assert client.get("/reviews/coming-soon/").status_code == 404


def test_a_draft_and_a_published_review_say_where_readers_find_them(client, editor):
    draft = make_review(published=False, slug="a-draft")
    published = make_review(slug="out-now")
    draft_html = client.get(f"/admin/posts/review/{draft.pk}/change/").content.decode()
    assert "A draft: readers do not see it. Once published, it will be at " in draft_html
    assert '<a href="/reviews/a-draft/">Preview it as staff</a>' in draft_html
    published_html = client.get(f"/admin/posts/review/{published.pk}/change/").content.decode()
    assert (
        'Readers find this review at <a href="http://testserver/reviews/out-now/">'
        "http://testserver/reviews/out-now/</a>."
    ) in published_html


def test_the_review_page_in_the_admin_links_the_discussion_exports(client, editor):
    review = make_review(slug="exported")
    html = client.get(f"/admin/posts/review/{review.pk}/change/").content.decode()
    for fmt in ("md", "csv", "json"):
        assert f'href="/reviews/exported/export.{fmt}"' in html
    assert client.get("/reviews/exported/export.csv").status_code == 200


# Markdown preview


def test_the_preview_is_the_sites_rendering_with_what_it_drops(client, editor):
    text = "See https://example.org/study.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![chart](c.png)"
    response = client.post(
        "/admin/posts/review/markdown-preview/", {"text": text, "subject": "The commentary"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<div class="prose">{render_editorial(text)}</div>' in html
    assert '<a href="https://example.org/study" rel="noopener">' in html
    assert "<table>" in html
    assert (
        '<p class="markdown-preview__warning">The commentary contains an image, which the site '
        "does not show.</p>"
    ) in html


def test_the_preview_escapes_what_it_names(client, editor):
    response = client.post(
        "/admin/posts/review/markdown-preview/",
        {"text": '<div onclick="x()">Hi</div>', "subject": "<b>The summary</b>"},
    )
    html = response.content.decode()
    assert "&lt;b&gt;The summary&lt;/b&gt; contains HTML (&lt;div&gt;)" in html
    assert "onclick" not in html


def test_the_preview_is_for_editors_only_and_by_post(client):
    url = "/admin/posts/review/markdown-preview/"
    response = client.post(url, {"text": "Hello"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    client.force_login(make_user())
    assert client.post(url, {"text": "Hello"}).status_code == 302
    client.force_login(make_user(is_staff=True))  # staff without the editors' permissions
    assert client.post(url, {"text": "Hello"}).status_code == 403
    client.force_login(make_user(editor=True))
    assert client.get(url).status_code == 405


def test_the_preview_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(editor=True))
    response = client.post("/admin/posts/review/markdown-preview/", {"text": "Hello"})
    assert response.status_code == 403


def test_markdown_fields_are_marked_for_the_preview_script(client, editor):
    review = make_review()
    html = client.get(f"/admin/posts/review/{review.pk}/change/").content.decode()
    marked = re.findall(r'<textarea name="([^"]+)"[^>]*data-markdown-preview=', html)
    assert set(marked) >= {"background", "summary", "commentary", "synthesis", "findings-0-text"}
    assert "questions-0-text" in marked
    assert "standfirst" not in marked  # plain text on the site
    assert '<script src="/static/js/admin-editor.js"></script>' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # nothing inline
    series = make_series()
    series_html = client.get(f"/admin/posts/series/{series.pk}/change/").content.decode()
    assert re.search(r'<textarea name="description"[^>]*data-markdown-preview=', series_html)


# Warnings after saving


def test_saving_text_the_site_will_drop_warns_the_editor(client, editor):
    data = review_form(commentary="As the chart shows:\n\n![chart](https://example.org/c.png)")
    data["findings-1-text"] = 'A <span class="big">big</span> effect.'
    response = client.post("/admin/posts/review/add/", data, follow=True)
    assert messages_of(response)[:2] == [
        "The commentary contains an image, which the site does not show.",
        "Key finding 2 contains HTML (<span>), which the site does not show.",
    ]
    review = Review.objects.get(slug="evidence-in-the-real-world")
    assert "<img" not in review.commentary_html


def test_saving_plain_markdown_gives_no_warning(client, editor):
    response = client.post("/admin/posts/review/add/", review_form(), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]


def test_saving_a_series_with_raw_html_warns_the_editor(client, editor):
    response = client.post(
        "/admin/posts/series/add/",
        {"name": "Reading", "slug": "reading", "description": "Join <iframe src=x></iframe> us"},
        follow=True,
    )
    assert "The description contains HTML (<iframe>), which the site does not show." in (
        messages_of(response)
    )


# Bare URLs in editorial text


def test_bare_urls_in_a_review_are_links_on_its_page(client):
    review = make_review(commentary="The protocol is at https://example.org/protocol.")
    html = client.get(review.get_absolute_url()).content.decode()
    assert (
        'The protocol is at <a href="https://example.org/protocol" rel="noopener">'
        "https://example.org/protocol</a>."
    ) in html


def test_only_safe_bare_urls_become_links():
    assert render_editorial("javascript:alert(1) and www.example.org") == (
        '<p>javascript:alert(1) and <a href="http://www.example.org" rel="noopener">'
        "www.example.org</a></p>"
    )


def test_tables_in_review_text_are_on_the_page_and_styled(client):
    review = make_review(commentary="| Site | n |\n|---|---|\n| Leeds | 12 |")
    html = client.get(review.get_absolute_url()).content.decode()
    assert "<th>Site</th>" in html
    css = Path("static/css/site.css").read_text()
    assert re.search(r"^\.prose th, \.prose td \{[^}]*border:", css, re.M)


# Numbering of findings and questions


def test_rows_left_at_zero_are_numbered_in_order(client, editor):
    data = review_form(**inline_forms("findings", ["First.", "Second."]))
    data.update({"findings-0-position": "0", "findings-1-position": "0"})
    data.update({"questions-0-position": "0", "questions-1-position": "5"})
    data["questions-2-position"] = "0"
    assert client.post("/admin/posts/review/add/", data).status_code == 302
    review = Review.objects.get(slug="evidence-in-the-real-world")
    assert [(f.position, f.text) for f in review.findings.all()] == [(1, "First."), (2, "Second.")]
    assert [(q.position, q.text) for q in review.questions.all()] == [
        (5, "Second question?"),
        (6, "First question?"),
        (7, "Third question?"),
    ]
    page = client.get(review.get_absolute_url())
    assert [q.text for q in page.context["review"].questions.all()] == [
        "Second question?",
        "First question?",
        "Third question?",
    ]


def change_data(review: Review) -> dict:
    """The review's change form as the admin shows it, ready to post back."""
    data = review_form(series=review.series_id, article=review.article_id)
    data.update(title=review.title, slug=review.slug, reviewer=review.reviewer_id)
    for prefix, items in (("findings", review.findings.all()), ("questions", [])):
        data.update(inline_forms(prefix, [item.text for item in items]))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(items))
        for index, item in enumerate(items):
            data[f"{prefix}-{index}-id"] = str(item.pk)
            data[f"{prefix}-{index}-review"] = str(review.pk)
            data[f"{prefix}-{index}-position"] = str(item.position)
    return data


def test_a_new_row_at_zero_goes_after_the_existing_ones(client, editor):
    review = make_review(published=False, findings=2, questions=0)
    data = change_data(review)
    data.update({"findings-TOTAL_FORMS": "3", "findings-2-position": "0"})
    data["findings-2-text"] = "Third."
    assert client.post(f"/admin/posts/review/{review.pk}/change/", data).status_code == 302
    assert list(review.findings.values_list("position", "text")) == [
        (1, "Finding 1."),
        (2, "Finding 2."),
        (3, "Third."),
    ]


def test_an_existing_row_left_at_zero_is_numbered_too(client, editor):
    review = make_review(published=False, findings=1, questions=0)
    KeyFinding.objects.create(review=review, position=0, text="Unnumbered.")
    data = change_data(review)
    assert client.post(f"/admin/posts/review/{review.pk}/change/", data).status_code == 302
    assert list(review.findings.values_list("position", "text")) == [
        (1, "Finding 1."),
        (2, "Unnumbered."),
    ]


def test_blank_rows_offer_the_next_number_and_stay_blank_unless_filled(client, editor):
    review = make_review(published=False, findings=2, questions=3)
    html = client.get(f"/admin/posts/review/{review.pk}/change/").content.decode()
    assert re.search(r'name="findings-2-position" value="3"', html)
    assert re.search(r'name="questions-3-position" value="4"', html)
    add_html = client.get("/admin/posts/review/add/").content.decode()
    assert re.search(r'name="findings-0-position" value="1"', add_html)

    data = change_data(review)
    data.update({"findings-TOTAL_FORMS": "3", "findings-2-position": "3"})
    data["findings-2-text"] = ""
    assert client.post(f"/admin/posts/review/{review.pk}/change/", data).status_code == 302
    assert review.findings.count() == 2


# The article form


def test_the_article_title_is_a_textarea_and_saved_on_one_line(client, editor):
    html = client.get("/admin/posts/article/add/").content.decode()
    assert re.search(r'<textarea name="title" cols="80" rows="2"', html)
    response = client.post(
        "/admin/posts/article/add/",
        {"authors": "Doe, J.", "year": "2024", "title": "A long title\r\nbroken  in two",
         "journal": "J"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Article.objects.get().title == "A long title broken in two"


@pytest.fixture
def crossref_answers(monkeypatch) -> list[str]:
    """Crossref as recorded: the CFIR article, and nothing else. Lists the DOIs asked for."""
    asked = []

    def fetch(doi: str) -> dict:
        asked.append(doi)
        if doi == CFIR_DOI:
            return json.loads((RECORDED / "10.1186_1748-5908-4-50.json").read_text())
        raise crossref.NotFound(doi)

    monkeypatch.setattr(crossref, "fetch", fetch)
    return asked


def field_values(response) -> dict:
    form = response.context["adminform"].form
    return {name: form[name].value() for name in form.fields}


def test_fill_in_from_doi_fills_the_form_without_saving(client, editor, crossref_answers):
    response = client.post(
        "/admin/posts/article/add/",
        {"doi": "https://doi.org/10.1186/1748-5908-4-50", "authors": "Typed, A.",
         "_fill_from_doi": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert crossref_answers == [CFIR_DOI]
    assert Article.objects.count() == 0
    values = field_values(response)
    assert values["authors"].startswith("Damschroder, L. J., Aron, D. C.,")
    assert (values["year"], values["journal"], values["volume"]) == (
        "2009",
        "Implementation Science",
        "4",
    )
    assert (values["issue"], values["pages"], values["doi"]) == ("1", "50", CFIR_DOI)
    assert values["url"] == "https://doi.org/10.1186/1748-5908-4-50"
    html = response.content.decode()
    assert "Filled in from Crossref: check the details, then save." in html
    assert "errornote" not in html

    saved = client.post("/admin/posts/article/add/", {**values, "open_access": "on"})
    assert saved.status_code == 302
    article = Article.objects.get()
    assert article.title.startswith("Fostering implementation of health services research")
    assert (article.year, article.pages, article.open_access) == (2009, "50", True)


def test_when_crossref_does_not_answer_the_typed_fields_stay(client, editor, monkeypatch):
    def unavailable(doi):
        raise crossref.Unavailable(doi)

    monkeypatch.setattr(crossref, "fetch", unavailable)
    typed = {"doi": "10.1177/123456", "authors": "Doe, J.", "title": "Mine", "year": "2020"}
    response = client.post("/admin/posts/article/add/", {**typed, "_fill_from_doi": "1"})
    assert response.status_code == 200
    assert messages_of(response) == ["Crossref did not answer; fill in the fields yourself."]
    values = field_values(response)
    assert {name: values[name] for name in typed} == typed
    assert Article.objects.count() == 0
    # Saving does not ask Crossref again.
    saved = client.post("/admin/posts/article/add/", {**typed, "journal": "J"})
    assert saved.status_code == 302
    assert Article.objects.get().authors == "Doe, J."


@pytest.mark.parametrize(
    "answer", [{"message": {"author": 5}}, {"message": {"DOI": ["10.1177/123456"]}}]
)
def test_a_malformed_crossref_answer_says_it_could_not_be_read(client, editor, monkeypatch, answer):
    monkeypatch.setattr(crossref, "fetch", lambda doi: answer)
    typed = {"doi": "10.1177/123456", "authors": "Doe, J.", "title": "Mine", "year": "2020"}
    response = client.post("/admin/posts/article/add/", {**typed, "_fill_from_doi": "1"})
    assert response.status_code == 200
    assert messages_of(response) == [
        "Crossref's answer could not be read; fill in the fields yourself."
    ]
    values = field_values(response)
    assert {name: values[name] for name in typed} == typed


def test_a_doi_climbing_out_of_the_api_is_refused(client, editor, crossref_answers):
    typed = {"doi": "10.1177/../../members", "title": "Mine"}
    response = client.post("/admin/posts/article/add/", {**typed, "_fill_from_doi": "1"})
    assert response.status_code == 200
    assert messages_of(response) == [
        "Enter a DOI such as 10.1177/26334895221105585, then fill in from DOI."
    ]
    assert crossref_answers == []


def test_an_unknown_doi_says_so(client, editor, crossref_answers):
    response = client.post(
        "/admin/posts/article/add/", {"doi": "10.9999/nothing", "_fill_from_doi": "1"}
    )
    assert messages_of(response) == [
        "Crossref does not know the DOI 10.9999/nothing; fill in the fields yourself."
    ]


def test_a_malformed_doi_is_not_looked_up(client, editor, crossref_answers):
    response = client.post("/admin/posts/article/add/", {"doi": "doi-ish", "_fill_from_doi": "1"})
    assert messages_of(response) == [
        "Enter a DOI such as 10.1177/26334895221105585, then fill in from DOI."
    ]
    assert crossref_answers == []
    assert field_values(response)["doi"] == "doi-ish"


def test_fill_in_from_doi_in_the_popup_of_the_review_page(client, editor, crossref_answers):
    url = "/admin/posts/article/add/?_to_field=id&_popup=1"
    page = client.get(url).content.decode()
    assert '<button type="submit" name="_fill_from_doi" value="1" class="button">' in page
    response = client.post(url, {"doi": CFIR_DOI, "_popup": "1", "_fill_from_doi": "1"})
    assert 'name="_popup" value="1"' in response.content.decode()
    values = field_values(response)
    saved = client.post(url, {**values, "_popup": "1"})
    article = Article.objects.get()
    assert saved.status_code == 200
    # Back to the review form, with the new article chosen.
    assert f"&quot;value&quot;: &quot;{article.pk}&quot;" in saved.content.decode()


def test_fill_in_from_doi_on_an_existing_article_saves_nothing_until_saved(
    client, editor, crossref_answers
):
    article = Article.objects.create(authors="Old, A.", year=2000, title="Old", journal="J")
    url = f"/admin/posts/article/{article.pk}/change/"
    response = client.post(url, {"doi": CFIR_DOI, "_fill_from_doi": "1", "title": "Old"})
    assert field_values(response)["journal"] == "Implementation Science"
    article.refresh_from_db()
    assert (article.journal, article.doi) == ("J", "")
