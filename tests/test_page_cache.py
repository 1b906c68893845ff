"""Anonymous pages come from the cache and change the moment their content does."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from comments.models import HideReason
from tests.factories import make_comment, make_review, make_user

pytestmark = pytest.mark.django_db


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_second_anonymous_request_is_served_from_the_cache(client, django_assert_num_queries):
    review = make_review()
    assert get(client, review.get_absolute_url())["X-Page-Cache"] == "miss"
    with django_assert_num_queries(1):  # the content versions, nothing else
        assert get(client, review.get_absolute_url())["X-Page-Cache"] == "hit"


def test_members_always_get_live_pages(client):
    review = make_review()
    client.force_login(make_user())
    assert "X-Page-Cache" not in get(client, review.get_absolute_url())
    assert "X-Page-Cache" not in get(client, review.get_absolute_url())


def test_hidden_comment_text_is_gone_from_the_very_next_anonymous_response(client):
    review = make_review()
    comment = make_comment(question=review.questions.first(), body="Soon to be hidden")
    urls = [
        review.get_absolute_url(),
        f"/reviews/{review.slug}/questions/1/",
        f"/comments/{comment.pk}/conversation/",
    ]
    for url in urls:
        get(client, url)
        assert "Soon to be hidden" in get(client, url).content.decode()
    comment.hide(by=None, reason=HideReason.SPAM)
    for url in urls:
        assert "Soon to be hidden" not in get(client, url).content.decode()
    comment.unhide(by=None)
    for url in urls:
        assert "Soon to be hidden" in get(client, url).content.decode()


def test_a_page_kept_in_memory_is_not_served_after_the_shared_cache_restarts_empty(client):
    from django.core.cache import cache

    review = make_review()
    comment = make_comment(question=review.questions.first(), body="Before the restart")
    url = review.get_absolute_url()
    cache.clear()  # a server starting on an empty cache: the versions start afresh
    assert "Before the restart" in get(client, url).content.decode()  # kept in memory too
    comment.edit("After the edit")
    cache.clear()  # Redis restarted, empty (it keeps nothing on disk), before the next read
    page = get(client, url).content.decode()
    assert "After the edit" in page
    assert "Before the restart" not in page


def test_new_comments_edits_and_deletions_show_at_once(client):
    review = make_review()
    url = review.get_absolute_url()
    get(client, url)
    comment = make_comment(question=review.questions.first(), body="Fresh comment")
    assert "Fresh comment" in get(client, url).content.decode()
    comment.edit("Edited comment")
    assert "Edited comment" in get(client, url).content.decode()
    comment.delete_by_author()
    assert "Edited comment" not in get(client, url).content.decode()


def test_a_comment_renews_only_the_pages_that_show_its_discussion(client):
    review = make_review(title="Busy review")
    other = make_review(title="Quiet review")
    question_1 = f"/reviews/{review.slug}/questions/1/"
    question_2 = f"/reviews/{review.slug}/questions/2/"
    feed = f"/reviews/{review.slug}/comments/feed/"
    unchanged = [question_1, other.get_absolute_url(), f"/reviews/{other.slug}/questions/2/"]
    renewed = [review.get_absolute_url(), question_2, feed, "/"]
    for url in unchanged + renewed:
        get(client, url)
    make_comment(question=review.questions.all()[1], body="On the second question")
    for url in unchanged:
        assert get(client, url)["X-Page-Cache"] == "hit", url
    for url in renewed:
        response = get(client, url)
        assert response["X-Page-Cache"] == "miss", url
    assert "On the second question" in get(client, question_2).content.decode()
    assert "1 comment" in get(client, "/").content.decode()


def test_review_edits_and_display_name_changes_show_at_once(client):
    review = make_review(title="Old title")
    author = make_user(display_name="Old Name")
    make_comment(question=review.questions.first(), author=author)
    get(client, "/")
    get(client, review.get_absolute_url())
    review.title = "New title"
    review.save()
    assert "New title" in get(client, "/").content.decode()
    author.display_name = "New Name"
    author.save()
    assert "New Name" in get(client, review.get_absolute_url()).content.decode()


def test_signing_in_does_not_empty_the_cache(client):
    review = make_review()
    member = make_user()
    get(client, review.get_absolute_url())
    member.last_login = timezone.now()
    member.save(update_fields=["last_login"])
    assert get(client, review.get_absolute_url())["X-Page-Cache"] == "hit"


def test_pages_are_cached_no_longer_than_until_the_next_scheduled_review(settings):
    from journalclub.page_cache import _seconds_until_next_scheduled_review

    settings.PAGE_CACHE_SECONDS = 300
    assert _seconds_until_next_scheduled_review() == 300
    make_review(published_at=timezone.now() + timedelta(seconds=90))
    assert 85 <= _seconds_until_next_scheduled_review() <= 90


def test_signing_up_does_not_empty_the_cache(client):
    review = make_review()
    get(client, review.get_absolute_url())
    make_user()
    assert get(client, review.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_page_carrying_a_message_is_neither_served_from_nor_put_in_the_cache(client):
    from django.test import Client

    review = make_review()
    get(Client(), review.get_absolute_url())  # cached for anonymous readers
    client.force_login(make_user())
    client.post("/accounts/logout/")
    response = get(client, review.get_absolute_url())
    assert "You have signed out." in response.content.decode()
    assert "X-Page-Cache" not in response
    assert "You have signed out." not in get(Client(), review.get_absolute_url()).content.decode()


def test_unknown_query_parameters_bypass_the_cache(client):
    review = make_review()
    assert "X-Page-Cache" not in get(client, review.get_absolute_url() + "?utm_source=x")
    assert get(client, "/?page=1")["X-Page-Cache"] == "miss"


def test_recent_pages_stay_within_their_byte_budget():
    from journalclub.page_cache import RecentPages

    pages = RecentPages(max_bytes=10)
    pages.put("a", "v1:a", (b"12345", "text/html"))
    pages.put("b", "v1:b", (b"123456", "text/html"))
    pages.put("huge", "v1:huge", (b"x" * 11, "text/html"))
    assert pages.get("a", "v1:a") is None
    assert pages.get("b", "v1:b") == (b"123456", "text/html")
    assert pages.get("huge", "v1:huge") is None
    assert pages.size == 6


def test_a_newer_version_of_a_page_replaces_the_older_in_memory():
    from journalclub.page_cache import RecentPages

    pages = RecentPages(max_bytes=100)
    pages.put("a", "v1:a", (b"old", "text/html"))
    pages.put("a", "v2:a", (b"newer", "text/html"))
    assert pages.get("a", "v1:a") is None
    assert pages.get("a", "v2:a") == (b"newer", "text/html")
    assert pages.size == 5


def test_a_cached_page_carries_the_headers_of_a_rendered_one(client):
    review = make_review()
    rendered = get(client, review.get_absolute_url())
    cached = get(client, review.get_absolute_url())
    assert (rendered["X-Page-Cache"], cached["X-Page-Cache"]) == ("miss", "hit")
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Content-Type",
        "Content-Length",
    ):
        assert cached[header] == rendered[header], header
    assert "Cookie" in cached["Vary"]
    assert cached.content == rendered.content


def test_a_reader_with_a_stale_session_cookie_still_gets_the_cached_page(client):
    review = make_review()
    get(client, review.get_absolute_url())
    client.cookies["sessionid"] = "no-such-session"
    response = get(client, review.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's in-memory test database cannot be read while another connection writes",
)
@pytest.mark.django_db(transaction=True)
def test_a_page_rendered_before_the_comment_commits_is_not_served_after(client):
    review = make_review()
    url = review.get_absolute_url()
    get(client, url)
    written, rendered = threading.Event(), threading.Event()

    def comment_in_a_slow_transaction():
        with transaction.atomic():
            make_comment(question=review.questions.first(), body="Committed later")
            written.set()
            rendered.wait(timeout=10)
        connection.close()

    writer = threading.Thread(target=comment_in_a_slow_transaction)
    writer.start()
    written.wait(timeout=10)
    # Another reader renders while the comment is written but not committed.
    assert "Committed later" not in get(client, url).content.decode()
    rendered.set()
    writer.join()
    assert "Committed later" in get(client, url).content.decode()


def test_members_reuse_the_cards_of_comments_until_they_change(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    review = make_review()
    question = review.questions.first()
    comment = make_comment(question=question, body="First comment")
    client.force_login(make_user())
    review_page, question_page = review.get_absolute_url(), question.get_absolute_url()
    with CaptureQueriesContext(connection) as first:
        get(client, review_page)
    with CaptureQueriesContext(connection) as second:
        get(client, review_page)
    # The outline is read again, the comments' text is not.
    assert len(second) == len(first) - 1
    with CaptureQueriesContext(connection) as first:
        get(client, question_page)
    with CaptureQueriesContext(connection) as second:
        get(client, question_page)
    assert len(second) == len(first)  # the review page's cards serve here too
    comment.edit("Edited text")
    for url in (review_page, question_page):
        assert "Edited text" in get(client, url).content.decode()


def test_a_changed_setting_or_deploy_renders_every_page_and_card_afresh(client, settings):
    from journalclub import page_cache

    review = make_review()
    make_comment(question=review.questions.first(), body="A comment")
    url = review.get_absolute_url()
    get(client, url)
    assert get(client, url)["X-Page-Cache"] == "hit"
    settings.COMMENTS_SHOWN_PER_THREAD = 2
    assert get(client, url)["X-Page-Cache"] == "miss"
    assert get(client, url)["X-Page-Cache"] == "hit"
    # A deploy: the same settings, other code.
    files, page_cache._files = page_cache._files, "another build"
    page_cache._build.clear()
    try:
        assert get(client, url)["X-Page-Cache"] == "miss"
    finally:
        page_cache._files = files
        page_cache._build.clear()


def test_a_page_missed_by_the_middleware_is_looked_up_once(client, monkeypatch):
    from journalclub import page_cache

    review = make_review()
    lookups = []
    original = page_cache._cached_page
    monkeypatch.setattr(
        page_cache, "_cached_page", lambda *args: lookups.append(args) or original(*args)
    )
    assert get(client, review.get_absolute_url())["X-Page-Cache"] == "miss"
    assert len(lookups) == 1


def timed_get(client, url: str):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


def test_requests_for_a_missing_page_do_not_wait_for_each_other(client):
    # Each request renders the 404 itself; none waits for a page that is never cached.
    for _ in range(3):
        response, seconds = timed_get(client, "/reviews/no-such-review/")
        assert response.status_code == 404
        assert seconds < 1


def test_the_render_lock_is_released_when_rendering_fails(monkeypatch):
    from django.db import OperationalError
    from django.test import Client

    review = make_review()

    def broken(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr("posts.models.ReviewQuerySet.visible_to", broken)
    reader = Client(raise_request_exception=False)
    for _ in range(3):
        response, seconds = timed_get(reader, review.get_absolute_url())
        assert response.status_code == 503
        assert seconds < 1
