"""Benchmark the discussion pages at N = 100, 1,000 and 10,000 comments.

    python bench/bench.py                 # all sizes, SQLite, writes docs/benchmarks.md
    DATABASE_URL=postgres://... python bench/bench.py
    python bench/bench.py --sizes 100 --requests 20 --no-write

Each size runs in its own process on a new database (a temporary SQLite file, or a
temporary PostgreSQL database beside the one DATABASE_URL names), so that peak memory is
per size. Requests go through Django's whole stack in process (the test client), which
excludes the network and the WSGI server; `make loadtest` measures those.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REQUESTS = 20
WARMUP = 3
# The cache as deployed: Redis, with the settings' options (journalclub/settings.py).
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def temporary_database(size: int) -> tuple[str, callable]:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        prefix, _, _ = base.rpartition("/")
        name = f"journalclub_bench_{size}"
        admin_url = f"{prefix}/postgres"
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return f"{prefix}/{name}", drop
    folder = tempfile.mkdtemp(prefix="journalclub-bench-")
    return f"sqlite:///{folder}/bench.sqlite3", lambda: None


def run_one(size: int, requests: int) -> dict:
    """In a child process: build the database, seed it, time the pages."""
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "journalclub.settings"
    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from bench import urls as bench_urls
    from bench.seed import SLUG, seed
    from journalclub.page_cache import recent_pages

    # Django empties the query log when a request starts; keep it so queries can be counted.
    request_started.disconnect(reset_queries)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    review = seed(size)
    seeded_in = time.perf_counter() - started

    from django.contrib.auth import get_user_model

    User = get_user_model()
    clients = {"anonymous": Client(), "anonymous, uncached": Client()}
    clients["anonymous, cold cache"] = Client()
    clients["member"] = Client()
    clients["member"].force_login(User.objects.get(username="bench0"))
    clients["member, after a change"] = Client()
    clients["member, after a change"].force_login(User.objects.get(username="bench0"))
    clients["moderator"] = Client()
    clients["moderator"].force_login(User.objects.get(username="benchmod"))
    from comments.models import Comment

    # Shown on every page measured: the first conversation of question 1.
    changing = Comment.objects.filter(question=review.questions.first(), parent=None).first()

    def change() -> None:
        changing.edit(f"{changing.body[:400]} (edited)")

    def empty_cache() -> None:
        cache.clear()
        recent_pages.clear()

    before_each_by_role = {"member, after a change": change, "anonymous, cold cache": empty_cache}

    pages = {
        "review, all comments": (
            review.get_absolute_url(),
            {"COMMENTS_THREADS_ON_REVIEW_PAGE": 10**9, "COMMENTS_SHOWN_PER_THREAD": 10**9},
        ),
        "review, default settings": (review.get_absolute_url(), {}),
        "question page": (f"/reviews/{SLUG}/questions/1/", {}),
    }
    static = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    results = []
    with override_settings(ROOT_URLCONF="bench.urls", STORAGES={**settings.STORAGES, **static}):
        for page, (url, overrides) in pages.items():
            cache.clear()
            recent_pages.clear()
            with override_settings(**overrides):
                for role, client in clients.items():
                    page_cache = 0 if role == "anonymous, uncached" else settings.PAGE_CACHE_SECONDS
                    before_each = before_each_by_role.get(role)
                    with override_settings(PAGE_CACHE_SECONDS=page_cache):
                        row = measure(
                            client, url, requests, CaptureQueriesContext, connection, before_each
                        )
                    row.update(page=page, role=role)
                    if role == "anonymous":
                        bench_urls.FLOOR_BODY["content"] = client.get(url).content
                        row.update(floors(client, requests, CaptureQueriesContext, connection))
                        results.append(row)
                        results += cached_in_redis(
                            url, page, requests, CaptureQueriesContext, connection
                        )
                        continue
                    results.append(row)
        posting = post_comments(review, requests, CaptureQueriesContext, connection)
    import resource

    return {
        "size": size,
        "seeded_s": round(seeded_in, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "vendor": connection.vendor,
        "rows": results,
        "posting": posting,
    }


def floors(client, requests: int, capture, connection) -> dict:
    """The same bytes from a view that only returns them: through the whole middleware stack
    (what every page pays), and through Django with no middleware at all."""
    from django.test import Client, override_settings

    stack = measure(client, "/__floor__/", requests, capture, connection)
    with override_settings(MIDDLEWARE=[]):
        bare = measure(Client(), "/__floor__/", requests, capture, connection)
    return {"floor_ms": stack["median_ms"], "bare_floor_ms": bare["median_ms"]}


def cached_in_redis(url: str, page: str, requests: int, capture, connection) -> list[dict]:
    """The anonymous page from the page cache with Redis as deployed: as a worker that
    served it lately finds it (this process's memory first), and as one that did not."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client, override_settings

    from journalclub.page_cache import recent_pages

    deployed = {
        "BACKEND": "journalclub.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "journalclub-bench",
        "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
    }
    rows = []
    with override_settings(CACHES={"default": deployed}):
        cache.clear()  # its own database (REDIS_URL), emptied as each page starts
        client = Client()
        for role, before_each in (
            ("anonymous, Redis as deployed", None),
            ("anonymous, Redis, not in this worker's memory", recent_pages.clear),
        ):
            recent_pages.clear()
            row = measure(client, url, requests, capture, connection, before_each)
            assert settings.PAGE_CACHE_SECONDS > 0
            row.update(page=page, role=role)
            rows.append(row)
    recent_pages.clear()
    return rows


def post_comments(review, requests: int, capture, connection) -> dict:
    """A member posts a comment into a question that holds every comment of the review:
    the cost should not grow with the question."""
    import uuid

    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings

    from comments.models import Comment

    question = review.questions.first()
    Comment.objects.filter(review=review).update(question=question)
    in_question = Comment.objects.filter(question=question).count()
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench1"))
    url = f"/reviews/{review.slug}/comments/"

    def post() -> None:
        data = {
            "question": question.pk,
            "submission_key": str(uuid.uuid4()),
            "body": f"A new point on implementation {uuid.uuid4().hex[:8]}: "
            + "brokers build trust with partners over years, not months. " * 6,
        }
        response = client.post(url, data)
        assert response.status_code == 302, response.status_code

    wall, cpu = [], []
    with override_settings(COMMENTS_PER_MINUTE=10**6):
        for _ in range(WARMUP):
            post()
        with capture(connection) as queries:
            post()
        for _ in range(requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            post()
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    wall.sort()
    return {
        "in_question": in_question,
        "median_ms": round(statistics.median(wall), 2),
        "p95_ms": round(wall[max(0, int(len(wall) * 0.95) - 1)], 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "queries": len(queries.captured_queries),
    }


def measure(client, url: str, requests: int, capture, connection, before_each=None) -> dict:
    before_each = before_each or (lambda: None)
    for _ in range(WARMUP):
        before_each()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    before_each()
    with capture(connection) as queries:
        response = client.get(url)
    timings, cpu = [], []
    for _ in range(requests):
        before_each()
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
        "queries": len(queries.captured_queries),
        "bytes": len(response.content),
    }


def versions() -> str:
    import django

    return f"Python {platform.python_version()}, Django {django.get_version()}"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}"


CACHED_ROLES = {
    "anonymous": "local memory",
    "anonymous, Redis as deployed": "Redis as deployed (this worker's memory first)",
    "anonymous, Redis, not in this worker's memory": "Redis, not in this worker's memory",
}


def table(result: dict) -> str:
    lines = [
        f"### N = {result['size']:,} comments ({result['vendor']})",
        "",
        f"Seeded in {result['seeded_s']} s; peak memory of the process {result['peak_rss_mb']} MB.",
        "",
        "| page | role | median ms | p95 ms | median CPU ms | queries | bytes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    floor_lines = [
        "",
        "The cached pages against the floors: the same bytes from a view that only returns "
        "them, through the whole middleware stack and through Django with no middleware.",
        "",
        "| page | cached page served from | median ms | stack floor ms | ratio | "
        "bare floor ms | ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    floors = {}
    for row in result["rows"]:
        lines.append(
            f"| {row['page']} | {row['role']} | {row['median_ms']} | {row['p95_ms']} | "
            f"{row['cpu_median_ms']} | {row['queries']} | {row['bytes']:,} |"
        )
        if "floor_ms" in row:
            floors[row["page"]] = (row["floor_ms"], row["bare_floor_ms"])
        if row["page"] in floors and row["role"] in CACHED_ROLES:
            stack, bare = floors[row["page"]]
            source = CACHED_ROLES[row["role"]]
            floor_lines.append(
                f"| {row['page']} | {source} | {row['median_ms']} | {stack} | "
                f"{row['median_ms'] / stack:.1f}× | {bare} | {row['median_ms'] / bare:.1f}× |"
            )
    posting = result.get("posting")
    post_lines = []
    if posting:
        post_lines = [
            "",
            f"Posting a comment (a member, top-level) into a question of "
            f"{posting['in_question']:,} comments: median {posting['median_ms']} ms, "
            f"p95 {posting['p95_ms']} ms, median CPU {posting['cpu_median_ms']} ms, "
            f"{posting['queries']} queries, the redirect included.",
        ]
    return "\n".join(lines + floor_lines + post_lines)


def per_comment_cost(results: list[dict]) -> str:
    def median_of(result, role):
        for row in result["rows"]:
            if row["page"] == "review, all comments" and row["role"] == role:
                return row["median_ms"]

    by_size = {r["size"]: r for r in results}
    if 100 not in by_size or 1000 not in by_size:
        return ""
    lines = ["", "Cost per extra comment on the all-comments page, N = 100 → 1,000:", ""]
    for role in ("anonymous, uncached", "member", "member, after a change", "moderator"):
        cost = (median_of(by_size[1000], role) - median_of(by_size[100], role)) / 900
        lines.append(f"- {role}: {cost:.3f} ms")
    return "\n".join(lines)


def posting_cost(results: list[dict]) -> str:
    rows = [r["posting"] for r in results if r.get("posting")]
    if not rows:
        return ""
    lines = [
        "",
        "Posting a comment, by the size of its question (one question holds the review's "
        "every comment):",
        "",
        "| comments in the question | median ms | p95 ms | median CPU ms | queries |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['in_question']:,} | {row['median_ms']} | {row['p95_ms']} | "
            f"{row['cpu_median_ms']} | {row['queries']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        print(json.dumps(run_one(args.one, args.requests)))
        return

    results = []
    for size in args.sizes:
        url, drop = temporary_database(size)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only"),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",
        }
        print(f"N = {size:,}: seeding and measuring...", file=sys.stderr, flush=True)
        try:
            output = subprocess.run(
                [sys.executable, __file__, "--one", str(size), "--requests", str(args.requests)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        except subprocess.CalledProcessError as error:
            print(error.stderr, file=sys.stderr)
            raise
        finally:
            drop()
        result = json.loads(output.strip().splitlines()[-1])
        results.append(result)
        print(table(result) + "\n", flush=True)

    report = (
        "\n\n".join(table(r) for r in results)
        + "\n"
        + per_comment_cost(results)
        + posting_cost(results)
    )
    print(per_comment_cost(results) + posting_cost(results))
    if not args.no_write:
        write_report(report, args)


def replace_section(path: Path, name: str, section: str, *, title: str) -> None:
    """Write `section` into the document at `path` between its `name` markers (appended the
    first time), leaving the hand-written text around it as it is."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.exists() else f"# {title}\n"
    section = f"{start}\n{section}{end}"
    if start in text:
        before, _, rest = text.partition(start)
        text = before + section + rest.partition(end)[2]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    print(f"Wrote {path}", file=sys.stderr)


def write_report(report: str, args) -> None:
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    database = "PostgreSQL" if on_postgres else "SQLite"
    section = (
        f"## Page benchmark ({database})\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; {versions()}.\n"
        f"Command: `{' '.join(['python', 'bench/bench.py', *sys.argv[1:]])}`"
        f"{' with DATABASE_URL=' + os.environ['DATABASE_URL'] if on_postgres else ''}.\n"
        f"Median and p95 of {args.requests} requests after {WARMUP} warm-up requests, through "
        'Django\'s test client (whole middleware stack, no network). "anonymous" is served '
        'from the page cache; "anonymous, uncached" has the page cache off; "anonymous, cold '
        'cache" finds the whole cache empty before every request, as after a restart of the '
        'cache. "member" and "moderator" read the page again and again; a "member, after a '
        'change" reads it after a comment on it was edited. The floors are the same bytes '
        "from a view that only returns them; the Redis rows use the settings' Redis cache "
        f"({REDIS_URL}). Posting: a member posts a top-level comment into one question that "
        "holds all the review's comments, redirect included; CPU is this process's (SQLite "
        "runs in it).\n\n"
        f"{report}\n"
    )
    name = f"bench-{database.lower()}"
    replace_section(ROOT / "docs" / "benchmarks.md", name, section, title="Benchmarks")


if __name__ == "__main__":
    main()
