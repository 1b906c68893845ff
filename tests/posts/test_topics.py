"""The topics index, one page per topic, and the links that lead there."""

from datetime import timedelta

import pytest
from django.utils import timezone

from posts.models import Topic
from tests.factories import make_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics():
    welfare = Topic.objects.create(name="Child welfare", slug="child-welfare")
    brokering = Topic.objects.create(
        name="Knowledge brokering", slug="knowledge-brokering", description="Who links whom."
    )
    Topic.objects.create(name="Empty topic", slug="empty-topic")
    return welfare, brokering


def test_topics_index_lists_each_topic_with_its_published_reviews_count(client, topics):
    welfare, brokering = topics
    for review in [make_review(), make_review()]:
        review.topics.add(welfare, brokering)
    make_review(published=False).topics.add(welfare)
    make_review(published_at=timezone.now() + timedelta(days=1)).topics.add(welfare)
    make_review().topics.add(welfare)

    response = client.get("/topics/")
    html = response.content.decode()
    assert response.status_code == 200
    names = [(topic.name, topic.review_count) for topic in response.context["topics"]]
    assert names == [("Child welfare", 3), ("Knowledge brokering", 2)]
    assert '<a href="/topics/child-welfare/">Child welfare</a>' in html
    assert "· 3 reviews" in html and "· 2 reviews" in html
    assert "Who links whom." in html
    assert "Empty topic" not in html  # no page without reviews to lead to


def test_topics_index_without_topics_says_so(client):
    html = client.get("/topics/").content.decode()
    assert "No reviews have been filed under a topic yet." in html


def test_topics_index_is_linked_from_the_header_and_the_topic_pages(client, topics):
    welfare, _ = topics
    make_review().topics.add(welfare)
    for url in ["/", "/topics/child-welfare/", "/search/"]:
        html = client.get(url).content.decode()
        header = html.split('<header class="site-header">')[1].split("</header>")[0]
        assert '<a href="/topics/">Topics</a>' in header, url
    topic_page = client.get("/topics/child-welfare/").content.decode()
    assert '<a href="/topics/">All topics</a>' in topic_page


def test_every_topic_chip_leads_to_the_topic_page(client, topics):
    welfare, _ = topics
    review = make_review()
    review.topics.add(welfare)
    for url in ["/", review.get_absolute_url(), "/topics/child-welfare/"]:
        html = client.get(url).content.decode()
        assert "?topic=" not in html, url
        assert '<a href="/topics/child-welfare/">Child welfare</a>' in html, url


def test_the_home_page_filtered_by_topic_redirects_to_the_topic_page(client, topics):
    response = client.get("/?topic=child-welfare")
    assert response.status_code == 301
    assert response["Location"] == "/topics/child-welfare/"
    response = client.get("/?topic=child-welfare&page=2")
    assert response["Location"] == "/topics/child-welfare/?page=2"
    assert client.get("/?topic=child-welfare&page=x")["Location"] == "/topics/child-welfare/"
    assert client.get("/?topic=unknown").status_code == 404
    assert client.get("/?topic=%3Cscript%3E").status_code == 404
