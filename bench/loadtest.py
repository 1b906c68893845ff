"""Load test: gunicorn on 127.0.0.1 against PostgreSQL with N = 1,000 comments, driven for
60 s by simulated users, 90 % anonymous readers (wrk connections), 8 % member readers and
2 % members posting comments (locust users); none of them waits between requests.

    python bench/loadtest.py [--seconds 60] [--users 40] [--workers 12] [--threads 1] [--no-write]

Uses a throwaway database `journalclub_loadtest` on the server DATABASE_URL points at
(default postgres://postgres@127.0.0.1:5432/), and, as production would, a cache the
workers share: REDIS_URL, or Redis on 127.0.0.1:6379 (database 15, emptied first) when
one answers there; without Redis each worker keeps its own cache, which the report says.
Afterwards it checks that every post the server accepted is in the database, and reports
requests/s, latency percentiles, errors and the workers' resident memory. Only 127.0.0.1
is ever contacted.
"""

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "journalclub_loadtest"
COMMENTS = 1000
WARM_UP_SECONDS = 10


def server_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/journalclub"
    return base.rpartition("/")[0]


def recreate_database() -> str:
    import psycopg

    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return f"{server_url()}/{DATABASE}"


def local_redis_url() -> str:
    """REDIS_URL, or a throwaway database of a Redis on 127.0.0.1 if one answers."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/15"
    except OSError:
        pass
    return ""


def prepare() -> dict:
    """In a child process on the load-test database: schema, data, member sessions."""
    import django

    django.setup()
    from django.core.cache import cache

    cache.clear()  # pages cached by an earlier run must not outlive its database
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.urls import reverse

    from bench.seed import SLUG, seed

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    review = seed(COMMENTS)
    sessions = []
    for member in get_user_model().objects.filter(username__startswith="bench")[:20]:
        store = SessionStore()
        store[SESSION_KEY] = str(member.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = member.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    questions = list(review.questions.all())
    return {
        "review_url": review.get_absolute_url(),
        "question_urls": [f"/reviews/{SLUG}/questions/{n}/" for n in range(1, 6)],
        "question_ids": [q.pk for q in questions],
        "post_url": reverse("comments:post", kwargs={"slug": SLUG}),
        "sessions": sessions,
    }


def run_wrk(host: str, setup: dict, connections: int, seconds: int) -> dict:
    """Anonymous readers: `connections` wrk connections reading the review's pages."""
    finished = subprocess.run(
        ["wrk", "--threads", "1", "--connections", str(connections),
         "--duration", f"{seconds}s", "--timeout", "10s",
         "--script", str(ROOT / "bench" / "anonymous.lua"), host, "--",
         setup["review_url"], *setup["question_urls"]],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(finished.stdout.strip().splitlines()[-1])


def count_posts(markers: list[str]) -> int:
    import django

    django.setup()
    from comments.models import Comment

    stored = {
        body.split()[0]
        for body in Comment.objects.filter(body__startswith="loadtest-").values_list(
            "body", flat=True
        )
    }
    return sum(marker in stored for marker in markers)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def worker_rss_mb(master_pid: int) -> dict[int, float]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    rss = {}
    for pid in map(int, children):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss[pid] = int(line.split()[1]) / 1024
    return rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--read-only-seconds", type=int, default=20, help="cached anonymous reads alone, first"
    )
    parser.add_argument("--users", type=int, default=40)
    # Sync workers wait while a client reads its response: with no buffering proxy in
    # front, as here, more of them than 2 × cores keep cached reads from queueing.
    parser.add_argument("--workers", type=int, default=12)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--step", choices=["prepare", "count"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step == "prepare":
        print(json.dumps(prepare()))
        return
    if args.step == "count":
        print(count_posts(sys.stdin.read().split()))
        return

    database_url = recreate_database()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "journalclub.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "load-test-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "SECURE_SSL_REDIRECT": "false",
        "COMMENTS_PER_MINUTE": "1000000",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": local_redis_url(),
        "CACHE_KEY_PREFIX": "journalclub-loadtest",
    }
    me = [sys.executable, __file__]
    print("Preparing the database (N = 1,000)...", file=sys.stderr, flush=True)
    setup = json.loads(
        subprocess.run(
            [*me, "--step", "prepare"], env=env, check=True, capture_output=True, text=True
        ).stdout.splitlines()[-1]
    )
    folder = Path(tempfile.mkdtemp(prefix="journalclub-loadtest-"))
    setup["accepted_file"] = str(folder / "accepted.txt")
    Path(setup["accepted_file"]).touch()

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "journalclub.wsgi", "--workers", str(args.workers),
         "--threads", str(args.threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        # The console mail backend prints the followers' emails here.
        cwd=ROOT, env=env, stdout=(folder / "emails.txt").open("w"),
    )  # fmt: skip
    samples: list[dict[int, float]] = []
    try:
        wait_for(f"{host}/healthz")
        for url in [setup["review_url"], *setup["question_urls"]] * 3:
            urllib.request.urlopen(host + url).read()
        print(
            f"Cached anonymous reads alone for {args.read_only_seconds} s...",
            file=sys.stderr,
            flush=True,
        )
        read_only = run_wrk(host, setup, round(args.users * 0.9), args.read_only_seconds)
        stop = threading.Event()

        def sample_memory() -> None:
            # The first sample once the workers have settled under load, then every 5 s.
            if stop.wait(WARM_UP_SECONDS):
                return
            samples.append(worker_rss_mb(server.pid))
            while not stop.wait(5):
                samples.append(worker_rss_mb(server.pid))

        sampler = threading.Thread(target=sample_memory, daemon=True)
        sampler.start()
        print(f"Driving {host} for {args.seconds} s...", file=sys.stderr, flush=True)
        readers = round(args.users * 0.9)
        members = subprocess.Popen(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
             "--headless", "--users", str(args.users - readers),
             "--spawn-rate", str(args.users - readers), "--run-time", f"{args.seconds}s",
             "--host", host, "--csv", str(folder / "stats"), "--only-summary",
             "--loglevel", "WARNING"],
            env={**env, "LOADTEST_SETUP": json.dumps(setup)},
        )  # fmt: skip
        anonymous = run_wrk(host, setup, readers, args.seconds)
        members.wait()
        stop.set()
        samples.append(worker_rss_mb(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)

    accepted = Path(setup["accepted_file"]).read_text().split()
    stored = int(
        subprocess.run(
            [*me, "--step", "count"], env=env, input="\n".join(accepted), check=True,
            capture_output=True, text=True,
        ).stdout.split()[-1]
    )  # fmt: skip
    report = summarise(
        folder / "stats_stats.csv", read_only, anonymous, samples, accepted, stored, args, env
    )
    print(report)
    if not args.no_write:
        write_report(report)


def summarise(
    stats_csv: Path, read_only: dict, anonymous: dict, samples, accepted, stored, args, env
) -> str:
    with stats_csv.open() as handle:
        every_row = list(csv.DictReader(handle))
    rows = [row for row in every_row if row["Name"] != "Aggregated"]
    members = next(row for row in every_row if row["Name"] == "Aggregated")
    anonymous_rate = anonymous["requests"] / anonymous["seconds"]
    lines = [
        "| requests | count | failures | req/s | p50 ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| anonymous read (wrk) | {anonymous['requests']} | {anonymous['failures']} | "
        f"{anonymous_rate:.1f} | {anonymous['p50']:.0f} | {anonymous['p95']:.0f} | "
        f"{anonymous['p99']:.0f} |",
    ]
    for row in rows:
        lines.append(
            f"| {row['Name']} (locust) | {row['Request Count']} | {row['Failure Count']} | "
            f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    lines.append(
        f"| all member requests (locust) | {members['Request Count']} | "
        f"{members['Failure Count']} | {float(members['Requests/s']):.1f} | {members['50%']} | "
        f"{members['95%']} | {members['99%']} |"
    )
    total = anonymous["requests"] + sum(int(row["Request Count"]) for row in rows)
    failures = anonymous["failures"] + sum(int(row["Failure Count"]) for row in rows)
    rate = anonymous_rate + sum(float(row["Requests/s"]) for row in rows)
    lines.append(f"| all | {total} | {failures} | {rate:.1f} |  |  |  |")
    shares = {"anonymous reads": anonymous["requests"] / total}
    for row in rows:
        shares[row["Name"]] = int(row["Request Count"]) / total
    first = samples[0]
    last = samples[-1]
    memory = ", ".join(
        f"{first[pid]:.0f} → {last.get(pid, 0):.0f} MB ({(last.get(pid, 0) / first[pid] - 1):+.1%})"
        for pid in first
    )
    return "\n".join(
        [
            f"{args.workers} gunicorn workers × {args.threads} thread(s); {args.users} users "
            f"with no wait: {round(args.users * 0.9)} anonymous readers (wrk connections), "
            f"{args.users - round(args.users * 0.9)} members (locust: readers and posters, "
            f"8 : 2); {args.seconds} s, PostgreSQL, N = {COMMENTS:,} comments, cache: "
            f"{'Redis' if env['REDIS_URL'] else 'local memory in each worker'}.",
            "",
            f"First, cached anonymous reads alone ({args.read_only_seconds} s, the same "
            f"{round(args.users * 0.9)} wrk connections): "
            f"**{read_only['requests'] / read_only['seconds']:.0f} requests/s**, "
            f"{read_only['failures']} failures, p50 {read_only['p50']:.0f} ms, "
            f"p95 {read_only['p95']:.0f} ms, p99 {read_only['p99']:.0f} ms.",
            "",
            f"Then the mix for {args.seconds} s:",
            "",
            *lines,
            "",
            "Shares of the requests served: "
            + ", ".join(f"{name} {share:.1%}" for name, share in shares.items())
            + ". (Users, not requests, are split 90 : 8 : 2: a member's page costs more than "
            "a cached one, so members' requests are fewer.)",
            "",
            f"Posts accepted: {len(accepted)}; found in the database afterwards: {stored} "
            f"(lost: {len(accepted) - stored}).",
            f"Worker resident memory, {WARM_UP_SECONDS} s into the run → end: {memory}.",
        ]
    )


def write_report(report: str) -> None:
    from bench.bench import machine, versions

    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = "<!-- loadtest:start -->", "<!-- loadtest:end -->"
    section = (
        f"{start}\n## Load test\n\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on "
        f"{machine()}; {versions()}. Command: `make loadtest` "
        f"(`python {' '.join(['bench/loadtest.py', *sys.argv[1:]])}`). wrk, locust and gunicorn "
        "share the same two cores.\n\n"
        f"{report}\n{end}"
    )
    if start in text:
        before, _, rest = text.partition(start)
        text = before + section + rest.partition(end)[2]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)
    print(f"Wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
