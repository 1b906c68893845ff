"""The Redis cache (REDIS_URL): app servers share pages, versions and rate limits through
it, so what one process writes, another reads at once."""

import socket
import uuid

import pytest

from journalclub.cache import RedisCache

REDIS = "redis://127.0.0.1:6379/14"


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(autouse=True)
def redis_is_there():
    # `make test` starts Redis (scripts/ensure_redis.sh): a missing one is a failure here.
    assert redis_answers(), "no Redis on 127.0.0.1:6379: run scripts/ensure_redis.sh"


@pytest.fixture
def two_servers():
    """Two processes' caches on the same Redis, under a prefix of this test's own."""
    params = {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    first, second = RedisCache(REDIS, params), RedisCache(REDIS, params)
    yield first, second
    first.clear()


def test_what_one_server_writes_the_other_reads(two_servers):
    first, second = two_servers
    first.set("page", (b"<html>", "text/html"), timeout=60)
    assert second.get("page") == (b"<html>", "text/html")
    assert second.get_many(["page", "missing"]) == {"page": (b"<html>", "text/html")}
    second.delete("page")
    assert first.get("page") is None


def test_counters_are_shared(two_servers):
    first, second = two_servers
    assert first.add("pages:version:site", 1, timeout=None)
    assert not second.add("pages:version:site", 5, timeout=None)
    for _ in range(3):
        second.incr("pages:version:site")
    assert first.get("pages:version:site") == 4


def test_each_call_works_after_many_calls(two_servers):
    # One client serves every call: it must keep working, not only the first time.
    first, _ = two_servers
    for n in range(200):
        first.set(f"key:{n}", n, timeout=60)
    assert first.get_many([f"key:{n}" for n in range(200)]) == {f"key:{n}": n for n in range(200)}
