import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.mail import EmailMessage
from django.db import DatabaseError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox.tasks import send_later
from posts.models import Review
from tests.database_failures import read_only_database
from tests.factories import make_review, make_series, make_user

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def unpublished_reviews():
    draft = make_review(published=False, title="Secret draft", slug="secret-draft")
    scheduled = make_review(
        title="Scheduled review",
        slug="scheduled-review",
        published_at=timezone.now() + timedelta(days=2),
    )
    return draft, scheduled


def test_home_lists_published_reviews_newest_first(client):
    older = make_review(title="Older review", published_at=timezone.now() - timedelta(days=5))
    newer = make_review(title="Newer review", published_at=timezone.now() - timedelta(days=1))
    response = client.get("/")
    assert response.status_code == 200
    assert [r.pk for r in response.context["reviews"]] == [newer.pk, older.pk]
    html = response.content.decode()
    assert html.index("Newer review") < html.index("Older review")
    assert "Joann Cattlin" in html
    assert older.series.name in html
    assert "Metz et al. (2022)" in html


def test_home_pages_twenty_reviews_at_a_time(client):
    series = make_series()
    for _ in range(21):
        make_review(series=series, findings=0, questions=0)
    first = client.get("/")
    second = client.get("/?page=2")
    assert len(first.context["reviews"]) == 20
    assert len(second.context["reviews"]) == 1
    assert 'rel="next" href="?page=2"' in first.content.decode()


def test_unknown_page_number_is_404_not_500(client):
    assert client.get("/?page=99").status_code == 404
    assert client.get("/?page=abc").status_code == 404


def test_drafts_and_scheduled_reviews_are_hidden_from_public_pages(client):
    published = make_review(title="Visible review")
    draft, scheduled = unpublished_reviews()
    draft.series = scheduled.series = published.series
    draft.save()
    scheduled.save()
    for url in ["/", published.series.get_absolute_url(), "/feed/"]:
        body = client.get(url).content.decode()
        assert "Visible review" in body, url
        assert "Secret draft" not in body, url
        assert "Scheduled review" not in body, url
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(scheduled.get_absolute_url()).status_code == 404


def test_members_who_are_not_staff_get_404_on_drafts(client):
    draft, _ = unpublished_reviews()
    client.force_login(make_user())
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_staff_preview_drafts_and_scheduled_reviews_with_a_banner(client):
    draft, scheduled = unpublished_reviews()
    client.force_login(make_user(editor=True))
    draft_page = client.get(draft.get_absolute_url()).content.decode()
    scheduled_page = client.get(scheduled.get_absolute_url()).content.decode()
    assert "<strong>Preview.</strong>" in draft_page
    assert "This review is a draft" in draft_page
    assert "This review is scheduled for" in scheduled_page


def test_published_review_has_no_preview_banner_for_staff(client):
    review = make_review()
    client.force_login(make_user(editor=True))
    assert "Preview." not in client.get(review.get_absolute_url()).content.decode()


class Outline(HTMLParser):
    """Collects heading texts and element ids in document order."""

    def __init__(self):
        super().__init__()
        self.headings, self.ids, self.h1_count, self._in_heading = [], [], 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag in {"h1", "h2"}:
            self.h1_count += tag == "h1"
            self._in_heading = tag
            self.headings.append("")

    def handle_endtag(self, tag):
        if tag == self._in_heading:
            self._in_heading = None

    def handle_data(self, data):
        if self._in_heading:
            self.headings[-1] += data.strip()


def test_review_page_shows_every_part_in_reading_order(client):
    review = make_review(
        title="A review worth reading",
        background="The background paragraph.",
        summary="The summary paragraph.",
        commentary="The commentary paragraph.",
        findings=3,
        questions=3,
    )
    response = client.get(review.get_absolute_url())
    html = response.content.decode()
    outline = Outline()
    outline.feed(html)
    assert outline.h1_count == 1
    assert outline.headings == [
        "A review worth reading",
        "The article",
        "Background",
        "Plain-language summary",
        "The reviewer's commentary",
        "Key findings",
        "Questions for brokers",
    ]
    assert "Joann Cattlin</span>, PhD Student, RMIT University" in html
    assert f'href="https://doi.org/{review.article.doi}"' in html
    order = [
        "The background paragraph.",
        "The summary paragraph.",
        "The commentary paragraph.",
        "Finding 1.",
        "Finding 3.",
        "Question 1?",
        "Question 3?",
        "<strong>join the discussion</strong>",
    ]
    positions = [html.index(text) for text in order]
    assert positions == sorted(positions)
    assert ["question-1", "question-2", "question-3"] == [
        i for i in outline.ids if i.startswith("question-")
    ]


def test_review_page_links_the_open_access_article(client):
    review = make_review()
    review.article.url = "https://journals.example.org/article/1"
    review.article.open_access = True
    review.article.save()
    html = client.get(review.get_absolute_url()).content.decode()
    assert 'href="https://journals.example.org/article/1"' in html
    assert "Read the article (open access)" in html


def test_review_page_has_open_graph_and_json_ld(client):
    review = make_review(title="Structured <review>")
    html = client.get(review.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Structured &lt;review&gt;">' in html
    assert '<meta property="og:type" content="article">' in html
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == "Review"
    assert data["name"] == "Structured <review>"
    assert data["itemReviewed"]["@type"] == "ScholarlyArticle"
    assert data["itemReviewed"]["identifier"]["value"] == review.article.doi
    assert data["itemReviewed"]["sameAs"] == f"https://doi.org/{review.article.doi}"
    assert "<review>" not in match.group(1)


def test_series_page_lists_only_its_reviews(client):
    mine = make_review(title="In this series")
    make_review(title="In another series")
    response = client.get(mine.series.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "In this series" in html
    assert "In another series" not in html
    assert "<strong>join the discussion</strong>" in html
    assert client.get("/series/no-such-series/").status_code == 404


def test_feed_is_valid_atom_listing_exactly_the_published_reviews(client):
    first = make_review(title="First published")
    second = make_review(title="Second published")
    unpublished_reviews()
    response = client.get("/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert sorted(e.find(f"{ATOM}title").text for e in entries) == sorted(
        [first.title, second.title]
    )
    links = {e.find(f"{ATOM}link").get("href") for e in entries}
    assert links == {f"http://testserver{r.get_absolute_url()}" for r in (first, second)}


def test_healthz_reports_each_dependency(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"status": "ok"},
        "cache": {"status": "ok"},
        "tasks": {
            "status": "ok",
            "backlog": 0,
            "oldest_seconds": 0,
            "emails_waiting": 0,
            "emails_given_up_last_day": 0,
        },
    }


def test_healthz_reports_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("journalclub.health.connection.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": {"status": "error", "error": "DatabaseError"},
    }


def test_healthz_is_degraded_not_down_when_the_queue_waits_or_the_cache_is_lost(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    send_later([("event", EmailMessage(subject="Hi", body="Hello", to=["a@example.org"]))])
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert report["cache"] == {"status": "degraded", "error": "not answering"}
    assert report["tasks"]["status"] == "degraded"
    assert report["tasks"]["backlog"] == 1
    assert report["tasks"]["oldest_seconds"] >= 600
    assert report["tasks"]["emails_waiting"] == 1


def test_friendly_404_page(client):
    response = client.get("/reviews/nothing-here/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_friendly_500_page(client, settings):
    settings.ROOT_URLCONF = "tests.broken_urls"
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_review_page_query_count_does_not_grow_with_findings(client, django_assert_max_num_queries):
    review = make_review(findings=10, questions=10)
    with django_assert_max_num_queries(7):  # 6 before the page's content versions
        assert client.get(review.get_absolute_url()).status_code == 200


def test_reviews_in_a_list_cost_a_fixed_number_of_queries(client, django_assert_num_queries):
    series = make_series()
    for _ in range(3):
        make_review(series=series)
    # versions, count, page, its topics, topic filter, active discussions, next scheduled change
    with django_assert_num_queries(7):
        client.get("/")
    for _ in range(10):
        make_review(series=series)
    with django_assert_num_queries(7):
        client.get("/")


def test_review_model_status_choices_are_the_two_documented():
    assert Review.Status.values == ["draft", "published"]


@pytest.mark.django_db(transaction=True)
def test_healthz_says_degraded_while_the_database_is_read_only(client):
    with read_only_database():
        response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert report["database"] == {
        "status": "degraded",
        "error": "read-only: pages are served, posts are not",
    }
