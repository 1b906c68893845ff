"""Whole-page caching for anonymous readers, invalidated the moment content changes.

Every cached page's key carries a content version; any save or delete of something a page
shows bumps the version, so the next anonymous request renders afresh. Members and
moderators always get live pages. The cache is Django's default cache: local memory, or
Redis when REDIS_URL is set, so several app servers share pages and invalidations.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

VERSION_KEY = "pages:version"
RENDER_LOCK_SECONDS = 2


class RecentPages:
    """This process's most recently served pages, kept as they are: the shared cache
    pickles values, and unpickling a long discussion page costs more than serving it. The
    shared cache stays the source of truth; keys carry the content version, so an entry
    here can never be served after the content changed."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.pages: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0

    def put(self, key: str, page: tuple[bytes, str]) -> None:
        if len(page[0]) > self.max_bytes:
            return
        with self.lock:
            if key in self.pages:
                return
            self.pages[key] = page
            self.size += len(page[0])
            while self.size > self.max_bytes:
                _, (content, _) = self.pages.popitem(last=False)
                self.size -= len(content)


recent_pages = RecentPages(max_bytes=settings.PAGE_CACHE_LOCAL_BYTES)


def content_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_content_version(**kwargs) -> None:
    """Signal receiver: something readers see has changed."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET" or settings.PAGE_CACHE_SECONDS <= 0:
        return False
    if request.user.is_authenticated or len(get_messages(request)):
        return False
    # Only the query strings our pages use, so junk parameters cannot fill the cache.
    return set(request.GET) <= {"page", "topic"} and request.GET.get("page", "1").isdigit()


def _seconds_until_next_scheduled_review() -> int:
    """Pages change by themselves when a scheduled review or synthesis comes out: keep
    them no longer than that."""
    from posts.models import Review

    now = timezone.now()
    scheduled = Review.objects.filter(
        Q(status=Review.Status.PUBLISHED, published_at__gt=now) | Q(synthesis_published_at__gt=now)
    ).values_list("published_at", "synthesis_published_at")
    moments = [moment for pair in scheduled for moment in pair if moment and moment > now]
    timeout = settings.PAGE_CACHE_SECONDS
    if moments:
        timeout = min(timeout, max(1, int((min(moments) - now) / timedelta(seconds=1))))
    return timeout


def _wait_for_another_worker(key: str) -> tuple[bytes, str] | None:
    """Single flight: when a page has just been invalidated, the first request renders it
    and the ones arriving meanwhile wait briefly for that rendering instead of repeating it.
    Returns None when this request should render (it holds the lock, or waited too long)."""
    if cache.add(f"{key}:rendering", 1, timeout=RENDER_LOCK_SECONDS):
        return None
    deadline = time.monotonic() + RENDER_LOCK_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        cached = cache.get(key)
        if cached is not None:
            recent_pages.put(key, cached)
            return cached
    return None


def cache_anonymous_page(view):
    """Serve anonymous GETs of `view` from the page cache."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"pages:{content_version()}:{path}"
        cached = recent_pages.get(key)
        if cached is None:
            cached = cache.get(key)
            if cached is not None:
                recent_pages.put(key, cached)
        if cached is None:
            cached = _wait_for_another_worker(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        # A response that sets cookies (a CSRF token, a session) belongs to one reader.
        if (
            response.status_code == 200
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            page = (response.content, response["Content-Type"])
            cache.set(key, page, timeout=_seconds_until_next_scheduled_review())
            recent_pages.put(key, page)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper


def bump_unless_only_last_login(sender, update_fields=None, created=False, **kwargs) -> None:
    """A member's name shows beside their comments; signing up or in changes nothing shown."""
    if created or (update_fields is not None and set(update_fields) <= {"last_login", "password"}):
        return
    bump_content_version()


def invalidate_on_changes_to(*models, receiver=bump_content_version) -> None:
    from django.db.models.signals import post_delete, post_save

    for model in models:
        post_save.connect(receiver, sender=model, dispatch_uid=f"pages:save:{model.__name__}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"pages:delete:{model.__name__}")
