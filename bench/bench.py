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
    clients["member"] = Client()
    clients["member"].force_login(User.objects.get(username="bench0"))
    # Members share an outline of the discussion and the cards of others' comments until
    # it changes: this member's every request follows a change, so nothing is reused.
    clients["member, after a change"] = Client()
    clients["member, after a change"].force_login(User.objects.get(username="bench0"))
    clients["moderator"] = Client()
    clients["moderator"].force_login(User.objects.get(username="benchmod"))

    pages = {
        "review, all comments": (
            review.get_absolute_url(),
            {"COMMENTS_THREADS_ON_REVIEW_PAGE": 10**9, "COMMENTS_SHOWN_PER_THREAD": 10**9},
        ),
        "review, paginated": (review.get_absolute_url(), {}),
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
                    before_each = cache.clear if role == "member, after a change" else None
                    with override_settings(PAGE_CACHE_SECONDS=page_cache):
                        row = measure(
                            client, url, requests, CaptureQueriesContext, connection, before_each
                        )
                    row.update(page=page, role=role)
                    if role == "anonymous":
                        bench_urls.FLOOR_BODY["content"] = client.get(url).content
                        floor = measure(
                            client, "/__floor__/", requests, CaptureQueriesContext, connection
                        )
                        row["floor_ms"] = floor["median_ms"]
                    results.append(row)
    import resource

    return {
        "size": size,
        "seeded_s": round(seeded_in, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "vendor": connection.vendor,
        "rows": results,
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
    timings = []
    for _ in range(requests):
        before_each()
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 2),
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


def table(result: dict) -> str:
    lines = [
        f"### N = {result['size']:,} comments ({result['vendor']})",
        "",
        f"Seeded in {result['seeded_s']} s; peak memory of the process {result['peak_rss_mb']} MB.",
        "",
        "| page | role | median ms | p95 ms | queries | bytes | floor ms | ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in result["rows"]:
        floor = row.get("floor_ms")
        ratio = f"{row['median_ms'] / floor:.1f}×" if floor else ""
        lines.append(
            f"| {row['page']} | {row['role']} | {row['median_ms']} | {row['p95_ms']} | "
            f"{row['queries']} | {row['bytes']:,} | {floor or ''} | {ratio} |"
        )
    return "\n".join(lines)


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

    report = "\n\n".join(table(r) for r in results) + "\n" + per_comment_cost(results)
    print(per_comment_cost(results))
    if not args.no_write:
        write_report(report, args)


def write_report(report: str, args) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    database = "PostgreSQL" if on_postgres else "SQLite"
    section = (
        f"{start}\n## Page benchmark ({database})\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; {versions()}.\n"
        f"Command: `{' '.join(['python', 'bench/bench.py', *sys.argv[1:]])}`"
        f"{' with DATABASE_URL=' + os.environ['DATABASE_URL'] if on_postgres else ''}.\n"
        f"Median and p95 of {args.requests} requests after {WARMUP} warm-up requests, through "
        'Django\'s test client (whole middleware stack, no network). "anonymous" is served '
        'from the page cache; "anonymous, uncached" has it off. A "member" reuses the '
        "discussion's outline and the cards of others' comments, as members do until the "
        'discussion changes; a "member, after a change" finds the cache empty before every '
        "request. The floor is the same bytes from a view that only returns them.\n\n"
        f"{report}\n{end}"
    )
    marker_start = start.replace("bench:", f"bench-{database.lower()}:")
    marker_end = end.replace("bench:", f"bench-{database.lower()}:")
    section = section.replace(start, marker_start).replace(end, marker_end)
    if marker_start in text:
        before, _, rest = text.partition(marker_start)
        _, _, after = rest.partition(marker_end)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    print(f"Wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
