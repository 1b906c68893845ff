"""Django's Redis cache backend, made into a cache the site can lose.

- **Failures answer as an empty cache.** While Redis is down, hung or refusing, every call
  returns what a cache without the key would (a miss, nothing stored; `add`, which takes
  locks, succeeds, so nobody waits for a lock nobody holds), so pages render
  afresh and writes go on; Redis holds nothing the site cannot rebuild. Versions of
  content live in the database (journalclub.page_cache), so nothing stale is served when
  Redis comes back.
- **A failure costs one short timeout, not one per call.** After a failure this process
  stops asking Redis for `RETRY_AFTER_SECONDS`, then tries again with the next call. The
  socket timeouts are set in settings (`CACHES` OPTIONS, 0.25 s).
- **One redis-py client per connection pool.** Django's `RedisCacheClient.get_client`
  builds a new `redis.Redis` for every cache call, and redis-py 8 fills a table of ~170
  response callbacks each time it builds one: that was about 40 % of a cached page's
  version lookup (measured with cProfile). A client is only a connection pool and that
  table, and is safe to share between threads, so each pool gets one.
"""

import functools
import logging
import time

from django.core.cache.backends import redis as django_redis
from redis.exceptions import RedisError

logger = logging.getLogger("journalclub.cache")

RETRY_AFTER_SECONDS = 5
# When Redis was last found failing, per server, for every thread of this process.
_down_until: dict[str, float] = {}


def _answer_as_empty(empty_answer):
    """Call the method unless its server failed in the last few seconds; on a failure,
    note it and return `empty_answer(*args)`, the answer of a cache without the key."""

    def decorate(method):
        @functools.wraps(method)
        def guarded(self, *args, **kwargs):
            if _down_until.get(self.location, 0) > time.monotonic():
                return empty_answer(*args)
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError) as error:
                # Logged once per try, so at most every few seconds while Redis is down.
                logger.warning(
                    "cache unavailable", extra={"event": "cache_unavailable", "error": repr(error)}
                )
                _down_until[self.location] = time.monotonic() + RETRY_AFTER_SECONDS
                return empty_answer(*args)

        return guarded

    return decorate


def _missing_key(key, *args):
    raise ValueError(f"Key '{key}' not found.")


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self.location = ",".join(servers)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client

    # A lock nobody else can hold while the cache is down: whoever asks may go ahead.
    add = _answer_as_empty(lambda *args: True)(django_redis.RedisCacheClient.add)
    get = _answer_as_empty(lambda key, default: default)(django_redis.RedisCacheClient.get)
    set = _answer_as_empty(lambda *args: None)(django_redis.RedisCacheClient.set)
    touch = _answer_as_empty(lambda *args: False)(django_redis.RedisCacheClient.touch)
    delete = _answer_as_empty(lambda *args: False)(django_redis.RedisCacheClient.delete)
    get_many = _answer_as_empty(lambda *args: {})(django_redis.RedisCacheClient.get_many)
    has_key = _answer_as_empty(lambda *args: False)(django_redis.RedisCacheClient.has_key)
    incr = _answer_as_empty(_missing_key)(django_redis.RedisCacheClient.incr)
    set_many = _answer_as_empty(lambda *args: [])(django_redis.RedisCacheClient.set_many)
    delete_many = _answer_as_empty(lambda *args: None)(django_redis.RedisCacheClient.delete_many)
    clear = _answer_as_empty(lambda *args: False)(django_redis.RedisCacheClient.clear)


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
