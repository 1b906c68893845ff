"""Topics, the discussion synthesis, feeds, active discussions, sitemap and robots.txt."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from comments.models import HideReason
from posts.models import Topic
from tests.factories import make_comment, make_review

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def topic():
    return Topic.objects.create(name="Child welfare", slug="child-welfare")


def test_topic_page_lists_its_published_reviews(client, topic):
    tagged = make_review(title="Tagged review")
    tagged.topics.add(topic)
    make_review(title="Untagged review")
    draft = make_review(title="Tagged draft", published=False)
    draft.topics.add(topic)
    page = client.get("/topics/child-welfare/").content.decode()
    assert "Tagged review" in page
    assert "Untagged review" not in page and "Tagged draft" not in page
    assert client.get("/topics/nothing/").status_code == 404


def test_topics_show_on_cards_and_review_pages_and_the_old_home_filter_redirects(client, topic):
    tagged = make_review(title="Tagged review")
    tagged.topics.add(topic)
    make_review(title="Other review")
    home = client.get("/").content.decode()
    assert 'href="/topics/child-welfare/">Child welfare</a>' in home
    filtered = client.get("/?topic=child-welfare")
    assert (filtered.status_code, filtered["Location"]) == (301, "/topics/child-welfare/")
    assert client.get("/?topic=unknown").status_code == 404
    review_page = client.get(tagged.get_absolute_url()).content.decode()
    assert 'href="/topics/child-welfare/">Child welfare</a>' in review_page


def test_synthesis_shows_above_the_questions_once_its_date_has_come(client):
    review = make_review(synthesis="Brokers agreed on **trust**.")
    review.synthesis_published_at = timezone.now() + timedelta(days=1)
    review.save()
    assert "What brokers said" not in client.get(review.get_absolute_url()).content.decode()
    review.synthesis_published_at = timezone.now() - timedelta(minutes=1)
    review.save()
    page = client.get(review.get_absolute_url()).content.decode()
    assert page.index("What brokers said") < page.index("Questions for brokers")
    assert "Brokers agreed on <strong>trust</strong>." in page
    published = timezone.localtime(review.synthesis_published_at).isoformat()
    assert f'<time datetime="{published}' in page


def test_the_feed_announces_a_published_synthesis(client):
    review = make_review(title="Synthesised", synthesis="What we heard.")
    review.synthesis_published_at = timezone.now() - timedelta(minutes=1)
    review.save()
    later = make_review(title="Synthesis later", synthesis="Not yet.")
    later.synthesis_published_at = timezone.now() + timedelta(days=3)
    later.save()
    feed = ET.fromstring(client.get("/feed/").content)
    titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
    assert "What brokers said: Synthesised" in titles
    assert "What brokers said: Synthesis later" not in titles
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    assert f"http://testserver{review.get_absolute_url()}#synthesis" in links


def test_review_comments_feed_lists_visible_comments_newest_first(client):
    review = make_review()
    question = review.questions.first()
    first = make_comment(question=question, body="First visible")
    second = make_comment(question=question, body="Second visible")
    hidden = make_comment(question=question, body="Hidden words")
    hidden.hide(by=None, reason=HideReason.SPAM)
    make_comment(question=question, body="Deleted words").delete_by_author()
    response = client.get(f"/reviews/{review.slug}/comments/feed/")
    feed = ET.fromstring(response.content)
    contents = [e.find(f"{ATOM}summary").text for e in feed.findall(f"{ATOM}entry")]
    assert contents == [second.body_html, first.body_html]
    assert b"Hidden words" not in response.content and b"Deleted words" not in response.content
    draft = make_review(published=False)
    assert client.get(f"/reviews/{draft.slug}/comments/feed/").status_code == 404


def test_home_shows_active_discussions_by_latest_visible_comment(client):
    quiet = make_review(title="Quiet review")
    busy = make_review(title="Busy review")
    make_review(title="Silent review")
    make_comment(question=quiet.questions.first(), created_at=timezone.now() - timedelta(days=2))
    make_comment(question=busy.questions.first(), created_at=timezone.now() - timedelta(hours=1))
    hidden = make_comment(question=quiet.questions.first())
    hidden.hide(by=None, reason=HideReason.SPAM)  # a hidden comment does not make it active
    response = client.get("/")
    assert [r.title for r in response.context["active_discussions"]] == [
        "Busy review",
        "Quiet review",
    ]
    assert "Active discussions" in response.content.decode()


def test_sitemap_lists_published_reviews_series_and_topics(client, topic):
    review = make_review()
    review.topics.add(topic)
    draft = make_review(published=False)
    body = client.get("/sitemap.xml").content.decode()
    assert review.get_absolute_url() in body
    assert review.series.get_absolute_url() in body
    assert "/topics/child-welfare/" in body
    assert draft.get_absolute_url() not in body


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text
