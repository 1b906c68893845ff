"""Load test: gunicorn on 127.0.0.1 against PostgreSQL with N = 1,000 comments, driven for
60 s by simulated users, 90 % anonymous readers (wrk connections), 8 % member readers and
2 % members posting comments (locust users); none of them waits between requests. Then
the same mix for 20 s with every post on a question that 1,000 members follow, and the
task worker alone for 20 s, to measure how fast it sends their emails.

    python bench/loadtest.py [--seconds 60] [--users 40] [--workers 12] [--threads 1]
                             [--followers-seconds 20] [--drain-seconds 20] [--no-write]

Uses a throwaway database `journalclub_loadtest` on the server DATABASE_URL points at
(default postgres://postgres@127.0.0.1:5432/), and, as production would, a cache the
workers share: REDIS_URL, or Redis on 127.0.0.1:6379 (database 15, emptied first) when
one answers there; without Redis each worker keeps its own cache, which the report says.
A task worker (`manage.py worker`) sends the emails to a local SMTP sink
(bench/services.py). Afterwards it checks that every post the server accepted is in the
database, and reports requests/s, latency percentiles, errors, the task worker's emails
per second and the workers' resident memory. Only 127.0.0.1 is ever contacted.
"""

import argparse
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
FOLLOWERS = 1000
WARM_UP_SECONDS = 10


def server_url() -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/journalclub"
    return base.rpartition("/")[0]


def recreate_database(name: str = DATABASE) -> str:
    import psycopg

    with psycopg.connect(f"{server_url()}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url()}/{name}"


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
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.urls import reverse

    from bench.seed import SLUG, seed

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    review = seed(COMMENTS)
    members = get_user_model().objects.filter(username__in=[f"bench{i}" for i in range(20)])
    sessions = sign_in(members.order_by("pk"))
    questions = list(review.questions.all())
    return {
        "review_url": review.get_absolute_url(),
        "question_urls": [f"/reviews/{SLUG}/questions/{n}/" for n in range(1, 6)],
        "question_ids": [q.pk for q in questions],
        "post_url": reverse("comments:post", kwargs={"slug": SLUG}),
        "sessions": sessions,
    }


def sign_in(members) -> list[str]:
    """A session for each member, as signing in makes it; its key is the cookie."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    sessions = []
    for member in members:
        store = SessionStore()
        store[SESSION_KEY] = str(member.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = member.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    return sessions


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


def count_posts(markers: list[str]) -> dict:
    """Of the posts accepted (their markers), how many are in the database; and how many
    posts, unsent emails and tasks not yet run there are in all."""
    import django

    django.setup()
    from django_tasks_db.models import DBTaskResult

    from comments.models import Comment
    from outbox.models import Email

    bodies = Comment.objects.filter(body__startswith="loadtest-").values_list("body", flat=True)
    stored = {body.split()[0] for body in bodies}
    return {
        "stored": sum(marker in stored for marker in markers),
        "in_database": len(stored),
        "emails_unsent": Email.objects.unsent().count(),
        "tasks_waiting": DBTaskResult.objects.filter(status="READY").count(),
    }


def add_followers(question_id: int) -> None:
    """FOLLOWERS members who follow the question, each with an email address."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from comments.models import QuestionFollow

    members = get_user_model().objects.bulk_create(
        get_user_model()(
            username=f"follower{i}",
            email=f"follower{i}@example.org",
            display_name=f"Follower {i}",
            password="!",
        )
        for i in range(FOLLOWERS)
    )
    QuestionFollow.objects.bulk_create(
        QuestionFollow(question_id=question_id, member=member) for member in members
    )


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


def run_members(host: str, setup: dict, env: dict, users: int, seconds: int, log: Path):
    """Members (locust) for `seconds`; every request they make ends up as a line in `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
         "--headless", "--users", str(users), "--spawn-rate", str(users),
         "--run-time", f"{seconds}s", "--host", host, "--only-summary", "--loglevel", "WARNING"],
        env={**env, "LOADTEST_SETUP": json.dumps({**setup, "requests_file": str(log)})},
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def read_log(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def emails_between(record: Path, start: float, end: float) -> int:
    """Messages (one per recipient) the SMTP sink received between two wall-clock times."""
    return sum(start <= line["at"] < end for line in read_log(record))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--read-only-seconds", type=int, default=20, help="cached anonymous reads alone, first"
    )
    parser.add_argument(
        "--followers-seconds",
        type=int,
        default=20,
        help=f"the same mix, every post on a question with {FOLLOWERS:,} followers",
    )
    parser.add_argument(
        "--drain-seconds", type=int, default=20, help="the task worker alone, after the load"
    )
    parser.add_argument("--users", type=int, default=40)
    # Sync workers wait while a client reads its response: with no buffering proxy in
    # front, as here, more of them than 2 × cores keep cached reads from queueing.
    parser.add_argument("--workers", type=int, default=12)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--step", choices=["prepare", "count", "follow"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step == "prepare":
        print(json.dumps(prepare()))
        return
    if args.step == "count":
        print(json.dumps(count_posts(sys.stdin.read().split())))
        return
    if args.step == "follow":
        add_followers(int(sys.stdin.read()))
        return

    load_before = os.getloadavg()[0]
    database_url = recreate_database()
    folder = Path(tempfile.mkdtemp(prefix="journalclub-loadtest-"))
    smtp_port = free_port()
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
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
    }
    me = [sys.executable, __file__]
    print("Preparing the database (N = 1,000)...", file=sys.stderr, flush=True)
    setup = json.loads(
        subprocess.run(
            [*me, "--step", "prepare"], env=env, check=True, capture_output=True, text=True
        ).stdout.splitlines()[-1]
    )

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    record = folder / "emails.jsonl"
    # The followers' emails go to a local SMTP sink through the task worker, as in production.
    sink = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "services.py"), "smtp-sink",
         "--port", str(smtp_port), "--record", str(record)],
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "journalclub.wsgi", "--workers", str(args.workers),
         "--threads", str(args.threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=(folder / "gunicorn.log").open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.5"],
        cwd=ROOT, env=env, stdout=(folder / "worker.log").open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    samples: list[dict[int, float]] = []
    readers = round(args.users * 0.9)
    try:
        wait_for(f"{host}/healthz")
        for url in [setup["review_url"], *setup["question_urls"]] * 3:
            urllib.request.urlopen(host + url).read()
        print(
            f"Cached anonymous reads alone for {args.read_only_seconds} s...",
            file=sys.stderr,
            flush=True,
        )
        read_only = run_wrk(host, setup, readers, args.read_only_seconds)
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
        members = run_members(
            host, setup, env, args.users - readers, args.seconds, folder / "members.jsonl"
        )
        anonymous = run_wrk(host, setup, readers, args.seconds)
        members.wait()
        stop.set()
        samples.append(worker_rss_mb(server.pid))

        print(
            f"The same mix for {args.followers_seconds} s, posting on a question with "
            f"{FOLLOWERS:,} followers...",
            file=sys.stderr,
            flush=True,
        )
        subprocess.run(
            [*me, "--step", "follow"], env=env, input=str(setup["question_ids"][0]), text=True,
            check=True,
        )  # fmt: skip
        started = time.time()
        members = run_members(
            host,
            {**setup, "post_to": [0]},
            env,
            args.users - readers,
            args.followers_seconds,
            folder / "followers.jsonl",
        )
        followed = run_wrk(host, setup, readers, args.followers_seconds)
        members.wait()
        ended = time.time()
        print(f"The task worker alone for {args.drain_seconds} s...", file=sys.stderr, flush=True)
        time.sleep(args.drain_seconds)
        drained = time.time()
    finally:
        for process in (worker, server, sink):
            process.terminate()
            process.wait(timeout=60)

    posts = [
        line
        for name in ("members.jsonl", "followers.jsonl")
        for line in read_log(folder / name)
        if line["name"] == "comment post" and line["ok"]
    ]
    counts = json.loads(
        subprocess.run(
            [*me, "--step", "count"], env=env, input="\n".join(p["marker"] for p in posts),
            check=True, capture_output=True, text=True,
        ).stdout.splitlines()[-1]
    )  # fmt: skip
    mails = {
        "phase": emails_between(record, started, ended),
        "alone": emails_between(record, ended, drained),
        "seconds": ended - started,
        "drain_seconds": drained - ended,
        "unsent": counts["emails_unsent"],
        "load": (load_before, os.getloadavg()[0]),
        "tasks": counts["tasks_waiting"],
        "expected": FOLLOWERS
        * sum(
            line["name"] == "comment post" and line["ok"]
            for line in read_log(folder / "followers.jsonl")
        ),
    }
    report = summarise(
        read_log(folder / "members.jsonl"),
        read_log(folder / "followers.jsonl"),
        read_only,
        anonymous,
        followed,
        samples,
        counts,
        len(posts),
        mails,
        args,
        env,
    )
    print(report)
    if not args.no_write:
        write_report(report)


def row(name: str, lines: list[dict], seconds: float) -> str:
    """A table row of requests logged by the locustfile: count, failures, rate, latency."""
    times = sorted(line["ms"] for line in lines)

    def at(p: int) -> str:
        return (
            f"{times[min(len(times) - 1, round(p / 100 * (len(times) - 1)))]:.0f}" if times else ""
        )

    failures = sum(not line["ok"] for line in lines)
    return (
        f"| {name} | {len(lines)} | {failures} | {len(lines) / seconds:.1f} | {at(50)} | "
        f"{at(95)} | {at(99)} |"
    )


def p95(lines: list[dict]) -> float:
    times = sorted(line["ms"] for line in lines)
    return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] if times else 0.0


def wrk_row(name: str, result: dict) -> str:
    return (
        f"| {name} | {result['requests']} | {result['failures']} | "
        f"{result['requests'] / result['seconds']:.1f} | {result['p50']:.0f} | "
        f"{result['p95']:.0f} | {result['p99']:.0f} |"
    )


NAMES = ["comment post", "member read", "member read (before posting)"]
HEADER = [
    "| requests | count | failures | req/s | p50 ms | p95 ms | p99 ms |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
]


def summarise(
    members, followers, read_only, anonymous, followed, samples, counts, accepted, mails, args,
    env,
) -> str:  # fmt: skip
    by_name = {name: [line for line in members if line["name"] == name] for name in NAMES}
    lines = [
        *HEADER,
        wrk_row("anonymous read (wrk)", anonymous),
        *(row(f"{name} (locust)", by_name[name], args.seconds) for name in NAMES),
        row("all member requests (locust)", members, args.seconds),
    ]
    total = anonymous["requests"] + len(members)
    failures = anonymous["failures"] + sum(not line["ok"] for line in members)
    rate = anonymous["requests"] / anonymous["seconds"] + len(members) / args.seconds
    lines.append(f"| all | {total} | {failures} | {rate:.1f} |  |  |  |")
    shares = {"anonymous reads": anonymous["requests"] / total}
    for name in NAMES:
        shares[name] = len(by_name[name]) / total
    followed_posts = [line for line in followers if line["name"] == "comment post"]
    phase = [
        *HEADER,
        wrk_row("anonymous read (wrk)", followed),
        *(
            row(f"{name} (locust)", [x for x in followers if x["name"] == name], mails["seconds"])
            for name in NAMES
        ),
    ]
    post_p95 = p95(by_name["comment post"])
    first = samples[0]
    last = samples[-1]
    memory = ", ".join(
        f"{first[pid]:.0f} → {last.get(pid, 0):.0f} MB ({(last.get(pid, 0) / first[pid] - 1):+.1%})"
        for pid in first
    )
    posted = len(by_name["comment post"]) + len(followed_posts)
    return "\n".join(
        [
            f"{args.workers} gunicorn workers × {args.threads} thread(s) and one task worker "
            f"(`manage.py worker`) sending to a local SMTP sink; {args.users} users "
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
            f"**Comment posts: p95 {post_p95:.0f} ms** (goal ≤ 150 ms: "
            f"{'met' if post_p95 <= 150 else 'not met'}).",
            "",
            f"Then the same mix for {args.followers_seconds} s with every post on a question "
            f"that {FOLLOWERS:,} members follow (each post: {FOLLOWERS:,} emails, sent by the "
            "task worker):",
            "",
            *phase,
            "",
            f"Comment posts there: p95 {p95(followed_posts):.0f} ms, against {post_p95:.0f} ms "
            f"in the mix. The task worker delivered **{mails['phase'] / mails['seconds']:.0f} "
            f"emails/s** to the SMTP sink during that mix ({mails['phase']:,} in "
            f"{mails['seconds']:.0f} s) and **{mails['alone'] / mails['drain_seconds']:.0f} "
            f"emails/s** alone in the {mails['drain_seconds']:.0f} s after it "
            f"({mails['alone']:,}). Of the {mails['expected']:,} emails to the followers, "
            f"{mails['phase'] + mails['alone']:,} were sent by then; {mails['tasks']:,} "
            f"tasks and {mails['unsent']:,} built emails were still waiting when the run "
            "stopped.",
            "",
            f"Posts accepted (302): {accepted}, counted from every request locust logged, "
            f"after it exited; of these found in the database: {counts['stored']} (lost: "
            f"{accepted - counts['stored']}). Posts in the database in all: "
            f"{counts['in_database']} (a post sent as locust stops is stored but never "
            f"answered); posts sent: {posted}.",
            f"Worker resident memory, {WARM_UP_SECONDS} s into the run → end: {memory}.",
            f"The machine's load average (1 min, other people's work included) before the "
            f"run → at its end: {mails['load'][0]:.1f} → {mails['load'][1]:.1f}.",
        ]
    )


METHOD = (
    "Method, as changed on 2026-11-30: the task worker and a local SMTP sink run "
    "throughout, as in production, so the emails are really sent (before, no worker ran); "
    "every request locust makes is logged as it ends, and the members' rows and the "
    "accepted posts are counted from that log once locust has exited (its own statistics "
    "were written before its last requests ended: 173 posts reported against 181 "
    "accepted); posts send the form's one-time `submission_key`; after the mix, 20 s of "
    "the same mix with every post on a question with 1,000 followers, then the task "
    "worker alone for 20 s."
)


def write_report(report: str) -> None:
    from bench.bench import machine, replace_section, versions

    section = (
        f"## Load test\n\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on "
        f"{machine()}; {versions()}. Command: `make loadtest` "
        f"(`python {' '.join(['bench/loadtest.py', *sys.argv[1:]])}`). wrk, locust, gunicorn, "
        "the task worker and the SMTP sink share the same two cores.\n\n"
        f"{METHOD}\n\n{report}\n"
    )
    replace_section(ROOT / "docs" / "benchmarks.md", "loadtest", section, title="Benchmarks")


if __name__ == "__main__":
    main()
