"""Whole-page caching for anonymous readers, invalidated the moment content changes.

Every cached page's key carries content versions, so a change makes the next anonymous
request render afresh:

- the site version, bumped by any save or delete of a review, its parts, or a member;
- one discussion version, named by the page's `scope`: a comment bumps the versions of
  its question (`question:<slug>:<number>`), its review (`review:<slug>`) and of every
  page that lists discussions site-wide (`discussions`). A new comment on one question
  thus leaves the review's other question pages cached.

The versions live in the database (`ContentVersion`) and are renewed in the transaction
of the change, so no cache failure, restart or partition can pair an old page with new
versions, and several processes agree on them without any shared cache; a request reads
them once. Members and moderators get live pages, made of comment cards and
conversations this module keeps too (`cached_fragments`). Every key also carries the
build version: a digest of the code, templates and static files and of the settings that
shape a page, so that nothing rendered by another deploy, or under other settings, is
ever served.

This module owns every key, version and lifetime of the site's cache: Django's default
cache, local memory or Redis when REDIS_URL is set, so several app servers share it;
either may lose its contents at any time (journalclub/cache.py answers as an empty cache
while Redis is down).
"""

import hashlib
import importlib.metadata
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from functools import wraps

from asgiref.local import Local
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.core.signals import request_finished, request_started, setting_changed
from django.db import connection
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from journalclub.inputs import whole_number
from journalclub.models import ContentVersion

SITE = "site"
DISCUSSIONS = "discussions"
RENDER_LOCK_SECONDS = 2
# A fragment's key names every version of what it shows, so it is never stale: it is kept
# until the cache needs the room.
FRAGMENT_SECONDS = 7 * 24 * 60 * 60
# What shapes a page besides the content: these settings, and the project's files.
PAGE_SETTINGS = (
    "SITE_NAME", "TIME_ZONE", "LANGUAGE_CODE", "LANGUAGES", "USE_I18N", "USE_TZ", "STATIC_URL",
    "STORAGES", "DEBUG", "MFA_REQUIRED_FOR_STAFF", "ACCOUNT_DELETION_KEEPS_TEXT",
)  # fmt: skip
PAGE_SETTINGS_PREFIXES = ("COMMENTS_", "REVIEWS_", "MODERATION_", "PAGE_CACHE_")
SOURCE_SUFFIXES = (".py", ".html", ".txt", ".css", ".js", ".svg", ".toml")
NOT_SOURCES = {"staticfiles", "tests", "bench", "docs", "scripts", "media", "__pycache__"}


def _files_digest() -> str:
    """The project's code, templates and static files, and the installed packages."""
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(settings.BASE_DIR):
        subfolders[:] = sorted(
            name for name in subfolders if name not in NOT_SOURCES and not name.startswith(".")
        )
        for name in sorted(files):
            if name.endswith(SOURCE_SUFFIXES):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, settings.BASE_DIR).encode())
                with open(path, "rb") as source:
                    digest.update(source.read())
    packages = sorted(f"{d.name}=={d.version}" for d in importlib.metadata.distributions())
    digest.update(";".join(packages).encode())
    return digest.hexdigest()


_files = _files_digest()  # once per process: a deploy starts new processes
_build: dict[str, str] = {}


def build_version() -> str:
    """The files' digest with the settings that shape a page, in every key."""
    if "version" not in _build:
        names = sorted(
            name
            for name in dir(settings)
            if name in PAGE_SETTINGS or name.startswith(PAGE_SETTINGS_PREFIXES)
        )
        shaping = ";".join(f"{name}={getattr(settings, name)!r}" for name in names)
        _build["version"] = hashlib.sha256(f"{_files}:{shaping}".encode()).hexdigest()[:16]
    return _build["version"]


def _settings_changed(**kwargs) -> None:
    _build.clear()


setting_changed.connect(_settings_changed, dispatch_uid="page_cache:settings")


class RecentPages:
    """This process's most recently served pages, kept as they are: the shared cache
    pickles values, and unpickling a long discussion page costs more than serving it. The
    shared cache stays the source of truth. Each page is kept under its path with the
    versioned key it was cached under, so an entry can never be served after the content
    changed, and a newer version replaces the older one: memory holds one copy per page."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.pages: OrderedDict[str, tuple[str, bytes, str]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, path: str, key: str) -> tuple[bytes, str] | None:
        with self.lock:
            entry = self.pages.get(path)
            if entry is None or entry[0] != key:
                return None
            self.pages.move_to_end(path)
            return entry[1:]

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0

    def put(self, path: str, key: str, page: tuple[bytes, str]) -> None:
        if len(page[0]) > self.max_bytes:
            return
        with self.lock:
            older = self.pages.pop(path, None)
            if older is not None:
                self.size -= len(older[1])
            self.pages[path] = (key, *page)
            self.size += len(page[0])
            while self.size > self.max_bytes:
                _, (_, content, _) = self.pages.popitem(last=False)
                self.size -= len(content)


recent_pages = RecentPages(max_bytes=settings.PAGE_CACHE_LOCAL_BYTES)


# The versions read during one request, so its several lookups cost one query. Only while a
# request is being served (a task worker reads afresh every time), and forgotten by `bump`.
_this_request = Local()


def _start_request(**kwargs) -> None:
    _this_request.versions = {}


def _end_request(**kwargs) -> None:
    _this_request.versions = None


request_started.connect(_start_request, dispatch_uid="page_cache:start")
request_finished.connect(_end_request, dispatch_uid="page_cache:end")


def content_versions(*names: str) -> tuple[int, ...]:
    """The current versions of `names` (0 for content never changed), in one query."""
    known = getattr(_this_request, "versions", None)
    wanted = [name for name in names if known is None or name not in known]
    if wanted:
        # Plain SQL: asked on every request, cached pages included, where the ORM's
        # building of the query would cost more than running it.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT name, version FROM {ContentVersion._meta.db_table} "
                f"WHERE name IN ({', '.join(['%s'] * len(wanted))})",
                wanted,
            )
            found = dict(cursor.fetchall())
        fresh = {name: found.get(name, 0) for name in wanted}
        if known is None:
            known = fresh
        else:
            known.update(fresh)
    return tuple(known[name] for name in names)


def bump(*names: str) -> None:
    """Renew the versions `names`, in the transaction that changes their content: a page
    rendered before it commits reads the old content under the old versions, and no page
    is ever kept under the new versions without the change."""
    for name in sorted(set(names)):  # one order everywhere: concurrent bumps never deadlock
        if not ContentVersion.objects.filter(name=name).update(version=F("version") + 1):
            # Counting from the clock, not from 0: pages cached from another database (a
            # restored backup, a test run) can never share a version with this one's.
            ContentVersion.objects.bulk_create(
                [ContentVersion(name=name, version=time.time_ns())], ignore_conflicts=True
            )
            ContentVersion.objects.filter(name=name).update(version=F("version") + 1)
    if getattr(_this_request, "versions", None):
        _this_request.versions = {}


def cached_fragments[K: Hashable](
    kind: str, versions: dict[K, tuple], render: Callable[[list[K]], dict[K, tuple[str, bool]]]
) -> dict[K, tuple[str, bool]]:
    """Rendered fragments of a page (comments' cards, conversations), by `K`, each with
    whether it may be kept. `versions[k]` names everything the fragment of `k` shows but
    the site's content: its comments' versions, the kind of reader (and the reader, for
    their own comments). `render` renders those not found, telling which may be kept: not
    those that carry the reader's CSRF token."""
    (site,) = content_versions(SITE)
    # Fragments carry words of the interface ("Reply"): one copy per language.
    prefix = f"{kind}:{build_version()}:{translation.get_language()}:{site}:"
    keys = {
        k: prefix + hashlib.blake2b(repr(version).encode(), digest_size=12).hexdigest()
        for k, version in versions.items()
    }
    found = cache.get_many(keys.values())
    fragments = {k: (found[key], True) for k, key in keys.items() if key in found}
    missing = [k for k in keys if k not in fragments]
    if missing:
        rendered = render(missing)
        shared = {keys[k]: html for k, (html, shareable) in rendered.items() if shareable}
        cache.set_many(shared, timeout=FRAGMENT_SECONDS)
        fragments.update(rendered)
    return fragments


def bump_content_version(**kwargs) -> None:
    """Signal receiver: something readers see everywhere has changed."""
    bump(SITE)


def bump_discussion_versions(sender, instance, **kwargs) -> None:
    """Signal receiver for comments: only the pages that show this discussion change."""
    try:
        number = instance.question.number
        # A translation shows the same threads: its pages change too.
        slugs = instance.review.discussion_slugs()
    except ObjectDoesNotExist:  # deleted along with its review, which bumped SITE
        bump(SITE)
        return
    scopes = [scope for slug in slugs for scope in (f"review:{slug}", f"question:{slug}:{number}")]
    bump(DISCUSSIONS, *scopes)


def _cacheable_query(request: HttpRequest) -> bool:
    if request.method != "GET" or settings.PAGE_CACHE_SECONDS <= 0:
        return False
    # Only the query strings our pages use, so junk parameters cannot fill the cache.
    page = request.GET.get("page", "1")
    return set(request.GET) <= {"page", "topic"} and whole_number(page) is not None


def _cacheable_request(request: HttpRequest) -> bool:
    if not _cacheable_query(request):
        return False
    return not request.user.is_authenticated and not len(get_messages(request))


def _page_key(request: HttpRequest, scope: str) -> tuple[str, str]:
    """The page's path digest, and its cache key at the current content versions."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    site, discussion = content_versions(SITE, scope)
    return path, f"pages:{build_version()}:{site}.{discussion}:{path}"


def _cached_page(path: str, key: str) -> tuple[bytes, str] | None:
    cached = recent_pages.get(path, key)
    if cached is None:
        cached = cache.get(key)
        if cached is not None:
            recent_pages.put(path, key, cached)
    return cached


def _cache_hit(cached: tuple[bytes, str]) -> HttpResponse:
    content, content_type = cached
    response = HttpResponse(content, content_type=content_type)
    response["X-Page-Cache"] = "hit"
    return response


class CachedPageMiddleware:
    """Answers a request that carries no session or messages cookie, for a page already
    in the cache, before sessions, authentication and the rest of the stack run: most
    readers are anonymous, and for them this is most of a request's cost. It sits below
    the middleware that add security headers, so a cached page gets them as any page
    does. Everything else, and every miss, goes on to the view (`cache_anonymous_page`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
            and _cacheable_query(request)
        ):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return self.get_response(request)
            scope = getattr(match.func, "page_cache_scope", None)
            if scope is None:
                return self.get_response(request)
            path, key = _page_key(request, scope(match.kwargs))
            cached = _cached_page(path, key)
            if cached is not None:
                response = _cache_hit(cached)
                # As the session middleware would: the page differs for signed-in members.
                patch_vary_headers(response, ("Cookie",))
                return response
            request.page_cache_missed = (path, key)  # the view does not look it up again
        return self.get_response(request)


# Functions returning the next moment content changes by itself (a scheduled review comes
# out): registered by the apps that schedule content, so this module depends on none of them.
_scheduled_changes: list[Callable[[], datetime | None]] = []


def changes_are_scheduled_by(next_change: Callable[[], datetime | None]) -> None:
    _scheduled_changes.append(next_change)


def _seconds_until_next_scheduled_review() -> int:
    """Pages change by themselves when a scheduled review or synthesis comes out: keep
    them no longer than that."""
    timeout = settings.PAGE_CACHE_SECONDS
    now = timezone.now()
    for next_change in _scheduled_changes:
        moment = next_change()
        if moment is not None and moment > now:
            timeout = min(timeout, max(1, int((moment - now) / timedelta(seconds=1))))
    return timeout


def _wait_for_another_worker(path: str, key: str) -> tuple[bytes, str] | None | bool:
    """Single flight: when a page has just been invalidated, the first request renders it
    and the ones arriving meanwhile wait briefly for that rendering instead of repeating it.
    Returns the page when another request rendered it, True when this request holds the
    lock and renders, None when it renders without it: the lock's holder finished without
    caching the page (an error, a 404, a cookie), or the cache is not answering."""
    lock = f"{key}:rendering"
    if cache.add(lock, 1, timeout=RENDER_LOCK_SECONDS):
        return True
    deadline = time.monotonic() + RENDER_LOCK_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        found = cache.get_many([key, lock])
        if key in found:
            recent_pages.put(path, key, found[key])
            return found[key]
        if lock not in found:
            return None
    return None


def cache_anonymous_page(view, scope: Callable[[dict], str] = lambda kwargs: DISCUSSIONS):
    """Serve anonymous GETs of `view` from the page cache. `scope` names, from the URL's
    arguments, the discussion version the page depends on besides the site version."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        missed = getattr(request, "page_cache_missed", None)
        path, key = missed or _page_key(request, scope(kwargs))
        cached = (None if missed else _cached_page(path, key)) or _wait_for_another_worker(
            path, key
        )
        if isinstance(cached, tuple):
            return _cache_hit(cached)
        try:
            return _render_and_keep(view, request, args, kwargs, path=path, key=key)
        finally:
            if cached is True:  # whatever happened, the requests waiting go on at once
                cache.delete(f"{key}:rendering")

    wrapper.page_cache_scope = scope
    return wrapper


def _render_and_keep(view, request: HttpRequest, args, kwargs, *, path: str, key: str):
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
        recent_pages.put(path, key, page)
        response["X-Page-Cache"] = "miss"
    return response


def bump_unless_only_last_login(sender, update_fields=None, created=False, **kwargs) -> None:
    """A member's name shows beside their comments; signing up or in, or choosing a language,
    changes nothing shown."""
    if created or (
        update_fields is not None and set(update_fields) <= {"last_login", "password", "language"}
    ):
        return
    bump_content_version()


def invalidate_on_changes_to(*models, receiver=bump_content_version) -> None:
    from django.db.models.signals import post_delete, post_save

    for model in models:
        post_save.connect(receiver, sender=model, dispatch_uid=f"pages:save:{model.__name__}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"pages:delete:{model.__name__}")


def review_scope(kwargs: dict) -> str:
    return f"review:{kwargs['slug']}"


def question_scope(kwargs: dict) -> str:
    return f"question:{kwargs['slug']}:{kwargs['number']}"
