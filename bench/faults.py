"""Fault injection (`make faults`): the production stack under a bounded load while its
services fail one at a time, and what each failure cost: answers by status, posts
acknowledged against stored, emails expected against delivered, time to recover.

    python bench/faults.py [--seconds 40] [--readers 3] [--posters 2] [--only NAME ...]
                           [--no-write]

Everything is private and on 127.0.0.1: a database `journalclub_faults` on the PostgreSQL
that DATABASE_URL names (default postgres://postgres@127.0.0.1:5432/), reached by the app
through a TCP proxy that is cut to "restart" it (the machine's PostgreSQL is never
touched); a redis-server on a free port; an SMTP sink that records every message
(bench/services.py); gunicorn with 3 sync workers and the production settings; and a
`manage.py worker` task worker, restarted if it exits, as a process supervisor would.

Each scenario lasts `--seconds`: a quarter steady, a quarter of fault, then half to recover.
The load is a few threads of anonymous readers and of members replying to comments whose
authors, and the question's followers, get an email. After each scenario the worker is
left to drain the outbox. Failed emails wait 1 minute and more before their next try
(outbox.models): rather than wait, the run stops the worker, moves every waiting task's
and email's time 11 minutes earlier (what waiting 11 minutes would do: past the first
retry delay and the 10-minute claim of an email whose worker died), and starts it again.
The table goes to stdout and to docs/reliability.md.
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadtest import free_port, recreate_database, sign_in, wait_for  # noqa: E402

DATABASE = "journalclub_faults"
COMMENTS = 1000
FOLLOWERS_PER_QUESTION = 2  # besides the posters, who follow every question
REQUEST_TIMEOUT = 20
POST_RETRIES = 3
DRAIN_SECONDS = 120
CLOCK_JUMP_MINUTES = 11
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([0-9a-f-]+)"')

SCENARIOS = {
    "baseline": "no fault",
    "postgres": "the TCP proxy in front of PostgreSQL is killed (every connection cut, new "
    "ones refused), then started again",
    "redis-restart": "redis-server is killed, then a new, empty one starts on the same port",
    "redis-hang": "redis-server is stopped with SIGSTOP (connections hang), then SIGCONT",
    "smtp-down": "the SMTP sink is killed (the port refuses), then started again",
    "smtp-hang": "a server that accepts and never answers takes the SMTP port, then the sink "
    "comes back",
    "worker-kill": "one gunicorn worker gets SIGKILL mid-load (gunicorn starts another)",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# The stack


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class Service:
    """A process started, killed, paused and started again on the same port."""

    def __init__(self, command: list[str], port: int, log_file: Path):
        self.command, self.port, self.log_file = command, port, log_file
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_file.open("a") as output:
            self.process = subprocess.Popen(
                self.command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT
            )
        wait_for_port(self.port)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


class Supervised:
    """The task worker, started again a second after it exits, as systemd's
    `Restart=always` would; `pause()` stops it (letting its task finish) until `resume()`."""

    MAX_STARTS = 500

    def __init__(self, command: list[str], env: dict, log_file: Path):
        self.command, self.env, self.log_file = command, env, log_file
        self.exits: list[tuple[float, int]] = []
        self.process: subprocess.Popen | None = None
        self.paused = threading.Event()
        self.stopped = threading.Event()
        self.idle = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        for _ in range(self.MAX_STARTS):
            while self.paused.is_set() and not self.stopped.is_set():
                self.idle.set()
                time.sleep(0.2)
            if self.stopped.is_set():
                return
            self.idle.clear()
            with self.log_file.open("a") as output:
                self.process = subprocess.Popen(
                    self.command, env=self.env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
                )
            code = self.process.wait()
            if not (self.paused.is_set() or self.stopped.is_set()):
                self.exits.append((time.monotonic(), code))
                time.sleep(1)
        log("The task worker exited too often: no longer restarted.")

    def _terminate(self) -> None:
        process = self.process
        if process and process.poll() is None:
            process.terminate()  # the worker finishes the task it is running
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def pause(self) -> None:
        self.paused.set()
        self._terminate()
        self.idle.wait(timeout=10)

    def resume(self) -> None:
        self.paused.clear()

    def stop(self) -> None:
        self.stopped.set()
        self._terminate()
        self.thread.join(timeout=10)


@dataclass
class Stack:
    folder: Path
    proxy: Service
    redis: Service
    smtp: Service
    smtp_hang: Service
    server: subprocess.Popen
    worker: Supervised
    host: str
    record: Path

    def gunicorn_workers(self) -> list[int]:
        pid = self.server.pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def stop(self) -> None:
        self.worker.stop()
        if self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=30)
        for service in (self.smtp, self.smtp_hang, self.redis, self.proxy):
            service.kill()


def app_env(database_url: str, redis_port: int, smtp_port: int) -> dict:
    return {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "journalclub.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "faults-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "COMMENTS_PER_MINUTE": "1000000",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CACHE_KEY_PREFIX": "journalclub-faults",
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
    }


def start_stack(database_url: str) -> Stack:
    folder = Path(tempfile.mkdtemp(prefix="journalclub-faults-"))
    python = sys.executable
    services = str(ROOT / "bench" / "services.py")
    proxy_port, redis_port, smtp_port, web_port = (free_port() for _ in range(4))
    upstream = database_url.rpartition("@")[2].partition("/")[0]
    proxy = Service(
        [python, services, "proxy", "--port", str(proxy_port), "--to", upstream],
        proxy_port,
        folder / "proxy.log",
    )
    redis = Service(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        redis_port, folder / "redis.log",
    )  # fmt: skip
    record = folder / "emails.jsonl"
    smtp = Service(
        [python, services, "smtp-sink", "--port", str(smtp_port), "--record", str(record)],
        smtp_port,
        folder / "smtp.log",
    )
    smtp_hang = Service(
        [python, services, "smtp-hang", "--port", str(smtp_port)], smtp_port, folder / "smtp.log"
    )
    for service in (proxy, redis, smtp):
        service.start()
    proxied = database_url.replace(upstream, f"127.0.0.1:{proxy_port}")
    env = app_env(proxied, redis_port, smtp_port)
    with (folder / "gunicorn.log").open("a") as output:
        server = subprocess.Popen(
            [python, "-m", "gunicorn", "journalclub.wsgi", "--workers", "3",
             "--bind", f"127.0.0.1:{web_port}", "--log-level", "info"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    worker = Supervised(
        [python, "manage.py", "worker", "--interval", "0.5"],
        env,
        folder / "worker.log",
    )
    worker.start()
    host = f"http://127.0.0.1:{web_port}"
    wait_for(f"{host}/healthz")
    return Stack(folder, proxy, redis, smtp, smtp_hang, server, worker, host, record)


# Data


def prepare(posters: int) -> dict:
    """Schema, N = 1,000 comments, followers, and the posting members' sessions. Posters
    follow every question (they would on their first comment) and so do two other members:
    who should get which email is then fixed before the run."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.urls import reverse

    from bench.seed import MEMBERS, seed
    from comments.models import Comment, QuestionFollow

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    review = seed(COMMENTS)
    members = list(
        get_user_model()
        .objects.filter(username__in=[f"bench{i}" for i in range(MEMBERS)])
        .order_by("pk")
    )
    rng = random.Random(2)
    questions = list(review.questions.all())
    follows = []
    for question in questions:
        others = rng.sample(members[posters:], FOLLOWERS_PER_QUESTION)
        follows += [QuestionFollow(question=question, member=m) for m in members[:posters] + others]
    QuestionFollow.objects.bulk_create(follows)
    parents = list(Comment.objects.visible().filter(review=review).values_list("pk", "question_id"))
    return {
        "review_url": review.get_absolute_url(),
        "question_urls": {q.pk: q.get_absolute_url() for q in questions},
        "post_url": reverse("comments:post", kwargs={"slug": review.slug}),
        "parents": rng.sample(parents, 200),
        "sessions": sign_in(members[:posters]),
    }


# Load


@dataclass
class Answer:
    kind: str  # read, form, post
    started: float
    ended: float
    status: int  # 0: no answer (connection refused or reset, timeout)


@dataclass
class Load:
    host: str
    setup: dict
    scenario: str
    answers: list[Answer] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    stop: threading.Event = field(default_factory=threading.Event)

    def request(self, kind: str, method: str, path: str, headers: dict, body: str | None = None):
        port = int(self.host.rpartition(":")[2])
        started = time.monotonic()
        status, response_headers, text = 0, None, ""
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            status, response_headers = response.status, response.headers
            connection.close()
        except (OSError, http.client.HTTPException):
            pass
        self.answers.append(Answer(kind, started, time.monotonic(), status))
        return status, response_headers, text

    def read(self) -> None:
        pages = [self.setup["review_url"], *self.setup["question_urls"].values()]
        while not self.stop.is_set():
            self.request("read", "GET", random.choice(pages), {})
            self.stop.wait(0.05)

    def post(self, session: str) -> None:
        cookies = {"sessionid": session}
        while not self.stop.is_set():
            parent, question = random.choice(self.setup["parents"])
            url = self.setup["question_urls"][question]
            cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
            status, headers, page = self.request("form", "GET", url, {"Cookie": cookie})
            for header in headers.get_all("Set-Cookie") or [] if headers else []:
                cookies |= {name: morsel.value for name, morsel in SimpleCookie(header).items()}
            csrf, key = CSRF.search(page), SUBMISSION_KEY.search(page)
            if status != 200 or not csrf or not key or "csrftoken" not in cookies:
                self.stop.wait(0.5)
                continue
            marker = f"faults-{self.scenario}-{uuid.uuid4().hex[:16]}"
            form = urlencode(
                {
                    "csrfmiddlewaretoken": csrf.group(1),
                    "question": question,
                    "parent": parent,
                    "submission_key": key.group(1),
                    "body": f"{marker} A reply sent during the {self.scenario} scenario, *kept*.",
                }
            )
            headers = {
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.host + url,
            }
            # The same form again after an error, as a member pressing "Send it again" does.
            for attempt in range(1 + POST_RETRIES):
                if attempt:
                    time.sleep(1)
                status = self.request("post", "POST", self.setup["post_url"], headers, form)[0]
                if status == 302:
                    self.acknowledged.add(marker)
                if 0 < status < 500:
                    break
            self.stop.wait(0.1)

    def run(self, readers: int, sessions: list[str]) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.read, daemon=True) for _ in range(readers)]
        threads += [threading.Thread(target=self.post, args=(s,), daemon=True) for s in sessions]
        for thread in threads:
            thread.start()
        return threads


# Accounting


def expected_emails(scenario: str) -> tuple[set[str], Counter, set[tuple[str, int]]]:
    """The scenario's comments in the database: their markers (counted, to see
    duplicates), and who should hear of each, worked out from the rows rather than by the
    app's code: the parent's author (unless they wrote the reply, turned reply emails off,
    or the parent is deleted), and the question's followers but the author."""
    from comments.models import Comment, QuestionFollow

    comments = list(
        Comment.objects.filter(body__startswith=f"faults-{scenario}-").select_related(
            "author", "parent__author"
        )
    )
    markers = Counter(comment.body.split()[0] for comment in comments)
    followers: dict[int, list[tuple[int, str]]] = {}
    for follow in QuestionFollow.objects.select_related("member"):
        followers.setdefault(follow.question_id, []).append((follow.member_id, follow.member.email))
    expected = set()
    for comment in comments:
        parent = comment.parent
        if (
            parent is not None
            and not parent.is_deleted
            and parent.author is not None
            and parent.author_id != comment.author_id
            and parent.author.reply_emails
        ):
            expected.add((parent.author.email, comment.pk))
        for member_id, email in followers.get(comment.question_id, []):
            if member_id != comment.author_id and email:
                expected.add((email, comment.pk))
    return set(markers), markers, expected


def delivered_emails(record: Path) -> Counter:
    if not record.exists():
        return Counter()
    lines = [json.loads(line) for line in record.read_text().splitlines() if line.strip()]
    return Counter((line["to"], line["comment"]) for line in lines)


def retried_emails(comments: set[int]) -> int:
    """How many of these comments' emails failed at least once: the fault reached them."""
    from outbox.models import Email

    keys = Email.objects.filter(attempts__gt=0).values_list("key", flat=True)
    return sum(int(key.split(":")[1]) in comments for key in keys if key.startswith("comment:"))


def outbox_state(comments: set[int]) -> dict:
    """Tasks waiting or left running, and the emails about `comments` not sent."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from outbox.models import Email

    now = timezone.now()
    emails = Email.objects.filter(key__regex=r"^comment:\d+:").values_list(
        "key", "sent_at", "failed_at"
    )
    ours = [(sent, failed) for key, sent, failed in emails if int(key.split(":")[1]) in comments]
    return {
        "ready": DBTaskResult.objects.ready().count(),
        "later": DBTaskResult.objects.filter(status="READY", run_after__gt=now).count(),
        # Longer than any task takes here (a mail server timeout is 10 s): orphaned.
        "running": DBTaskResult.objects.running()
        .filter(started_at__lt=now - timedelta(seconds=30))
        .count(),
        "unsent": sum(sent is None and failed is None for sent, failed in ours),
        "given_up": sum(failed is not None for _, failed in ours),
    }


def jump_clock(minutes: int) -> None:
    """Move every waiting task's and email's time, and the start of tasks left running,
    `minutes` earlier: as if that long had passed. Only while the worker is stopped, so no
    task is in flight."""
    from datetime import timedelta

    from django.db.models import F
    from django_tasks_db.models import DBTaskResult

    from outbox.models import Email

    jump = timedelta(minutes=minutes)
    DBTaskResult.objects.filter(status="READY", run_after__year__lt=9999).update(
        run_after=F("run_after") - jump
    )
    DBTaskResult.objects.filter(status="RUNNING").update(started_at=F("started_at") - jump)
    Email.objects.unsent().update(next_attempt_at=F("next_attempt_at") - jump)


def drain(stack: Stack, expected: set, record: Path) -> tuple[float, int]:
    """Wait for the worker to deliver what is expected; when it is idle with work left
    for later, jump the clock. Returns seconds taken, clock jumps, and the outbox then."""
    started = time.monotonic()
    jumps, quiet_since, last_count = 0, time.monotonic(), -1
    comments = {comment for _, comment in expected}
    while time.monotonic() - started < DRAIN_SECONDS:
        delivered = delivered_emails(record)
        if expected <= set(delivered):
            break
        count = sum(delivered.values())
        if count != last_count:
            quiet_since, last_count = time.monotonic(), count
        state = outbox_state(comments)
        idle = state["ready"] == 0 and time.monotonic() - quiet_since > 3
        if idle and state["later"] + state["unsent"] and jumps < 3:
            stack.worker.pause()
            jump_clock(CLOCK_JUMP_MINUTES)
            jumps += 1
            stack.worker.resume()
            quiet_since = time.monotonic()
        elif idle and time.monotonic() - quiet_since > 10:
            break  # nothing more is coming
        time.sleep(1)
    return time.monotonic() - started, jumps


# Scenarios


def inject(stack: Stack, scenario: str, seconds: float) -> None:
    """Cause the scenario's fault, wait `seconds`, end it."""
    if scenario == "worker-kill":
        os.kill(stack.gunicorn_workers()[0], signal.SIGKILL)
        return
    if scenario == "postgres":
        stack.proxy.kill()
        time.sleep(seconds)
        stack.proxy.start()
    elif scenario == "redis-restart":
        stack.redis.kill()
        time.sleep(seconds)
        stack.redis.start()
    elif scenario == "redis-hang":
        stack.redis.pause()
        time.sleep(seconds)
        stack.redis.resume()
    elif scenario == "smtp-down":
        stack.smtp.kill()
        time.sleep(seconds)
        stack.smtp.start()
    elif scenario == "smtp-hang":
        stack.smtp.kill()
        stack.smtp_hang.start()
        time.sleep(seconds)
        stack.smtp_hang.kill()
        stack.smtp.start()
    else:
        time.sleep(seconds)


def recovery_seconds(answers: list[Answer], fault_end: float) -> float | None:
    """From the fault's end to the first success of a request begun after the last
    failure (no answer, or a 5xx); None if nothing succeeded after it."""
    failed_after = [a.ended for a in answers if a.ended > fault_end and not ok(a)]
    since = max(failed_after, default=fault_end)
    successes = [a.ended for a in answers if a.started >= since and ok(a)]
    return min(successes) - fault_end if successes else None


def ok(answer: Answer) -> bool:
    return 0 < answer.status < 500


def run_scenario(stack: Stack, setup: dict, scenario: str, args) -> dict:
    log(f"Scenario {scenario}: {SCENARIOS[scenario]}...")
    exits_before = len(stack.worker.exits)
    running_before = outbox_state(set())["running"]
    log_offset = (stack.folder / "gunicorn.log").stat().st_size
    load = Load(stack.host, setup, scenario)
    threads = load.run(args.readers, setup["sessions"][: args.posters])
    steady, fault = args.seconds / 4, args.seconds / 4
    time.sleep(steady)
    fault_start = time.monotonic()
    inject(stack, scenario, fault)
    fault_end = time.monotonic()
    time.sleep(max(0.0, args.seconds - (fault_end - fault_start) - steady))
    load.stop.set()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT + POST_RETRIES * 2 + 5)
    _, stored_counts, expected = expected_emails(scenario)
    drain_seconds, jumps = drain(stack, expected, stack.record)
    markers, stored_counts, expected = expected_emails(scenario)
    delivered = delivered_emails(stack.record)
    ours = Counter({pair: n for pair, n in delivered.items() if pair in expected})
    outbox = outbox_state({comment for _, comment in expected})
    outbox["running"] -= running_before
    statuses = Counter(answer.status for answer in load.answers)
    errors = gunicorn_errors(stack.folder / "gunicorn.log", log_offset)
    return {
        "scenario": scenario,
        "requests": len(load.answers),
        "statuses": statuses,
        "acknowledged": len(load.acknowledged),
        "stored": len(markers),
        "lost_posts": len(load.acknowledged - markers),
        "duplicate_posts": sum(n - 1 for n in stored_counts.values()),
        "expected": len(expected),
        "delivered": len(ours),
        "lost_emails": len(expected - set(ours)),
        "duplicate_emails": sum(n - 1 for n in ours.values()),
        "retried_emails": retried_emails({comment for _, comment in expected}),
        "unexpected_emails": sum(
            n
            for (to, comment), n in delivered.items()
            if comment in {c for _, c in expected} and (to, comment) not in expected
        ),
        "recovery": None if scenario == "baseline" else recovery_seconds(load.answers, fault_end),
        "fault_seconds": fault_end - fault_start,
        "drain_seconds": drain_seconds,
        "clock_jumps": jumps,
        "worker_exits": len(stack.worker.exits) - exits_before,
        "outbox": outbox,
        "logged_errors": errors,
        "p95_ms": percentile([a.ended - a.started for a in load.answers if ok(a)], 95) * 1000,
    }


def gunicorn_errors(path: Path, offset: int) -> list[dict]:
    """The app's log entries with a traceback, and 500s, written since `offset`."""
    with path.open() as handle:
        handle.seek(offset)
        lines = handle.read().splitlines()
    found = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and ("exception" in entry or entry.get("status_code") == 500):
            found.append(entry)
    return found


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# Report


def table(results: list[dict]) -> str:
    lines = [
        "| scenario | requests | 2xx/3xx | 4xx | 500 | 503 | no answer | p95 ms | posts "
        "acknowledged / stored | posts lost | emails expected / delivered | emails lost / "
        "duplicated | emails retried | recovery s | worker restarts | clock jumps | goal met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
        "---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        s = r["statuses"]
        twice = f" (+{r['duplicate_posts']} twice)" if r["duplicate_posts"] else ""
        unexpected = f" (+{r['unexpected_emails']} unexpected)" if r["unexpected_emails"] else ""
        fives_other = sum(n for code, n in s.items() if code >= 500 and code not in (500, 503))
        goal = (
            s[500] == 0
            and fives_other == 0
            and r["lost_posts"] == 0
            and r["duplicate_posts"] == 0
            and r["lost_emails"] == 0
            and r["duplicate_emails"] == 0
            and r["unexpected_emails"] == 0
            and (s[503] == 0 or r["scenario"] == "postgres")
        )
        recovery = "—" if r["recovery"] is None else f"{r['recovery']:.1f}"
        if r["recovery"] is None and r["scenario"] != "baseline":
            recovery = "never"
        lines.append(
            f"| {r['scenario']} | {r['requests']} | "
            f"{sum(n for code, n in s.items() if 200 <= code < 400)} | "
            f"{sum(n for code, n in s.items() if 400 <= code < 500)} | {s[500] + fives_other} | "
            f"{s[503]} | {s[0]} | {r['p95_ms']:.0f} | {r['acknowledged']} / {r['stored']} | "
            f"{r['lost_posts']}{twice} | {r['expected']} / {r['delivered']} | "
            f"{r['lost_emails']} / {r['duplicate_emails']}{unexpected} | "
            f"{r['retried_emails']} | {recovery} | "
            f"{r['worker_exits']} | {r['clock_jumps']} | "
            f"{'yes' if goal else '**no**'} |"
        )
    return "\n".join(lines)


def notes(results: list[dict]) -> list[str]:
    out = []
    for r in results:
        o = r["outbox"]
        left = [f"{o[key]} {label}" for key, label in (
            ("unsent", "of its emails unsent"), ("given_up", "of its emails given up"),
            ("running", "task(s) left RUNNING by a worker that died"),
        ) if o[key] > 0]  # fmt: skip
        errors = Counter(
            f"{e.get('logger')}: {e.get('message')}"
            for e in r["logged_errors"]
            if e.get("status_code") != 503
        ).most_common(3)
        if left or errors:
            out.append(
                f"- {r['scenario']}: fault {r['fault_seconds']:.1f} s, outbox drained in "
                f"{r['drain_seconds']:.0f} s"
                + (f"; left afterwards: {', '.join(left)}" if left else "")
                + (
                    "; logged with a traceback: "
                    + ", ".join(f"{message} ×{n}" for message, n in errors)
                    if errors
                    else ""
                )
                + "."
            )
    return out


def write_report(report: str) -> None:
    """The last run's section of docs/reliability.md; the method around it is written by
    hand."""
    from bench.bench import machine, replace_section, versions

    section = (
        f"## Last run\n\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on "
        f"{machine()}; {versions()}. Command: `make faults` "
        f"(`python {' '.join(['bench/faults.py', *sys.argv[1:]])}`).\n\n{report}\n"
    )
    path = ROOT / "docs" / "reliability.md"
    replace_section(path, "faults", section, title="Reliability under faults")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=40, help="length of each scenario")
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--posters", type=int, default=2)
    parser.add_argument("--only", nargs="+", choices=list(SCENARIOS), help="these scenarios")
    parser.add_argument("--no-write", action="store_true", help="leave docs/reliability.md")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    database_url = recreate_database(DATABASE)
    os.environ.update(app_env(database_url, 0, 0) | {"REDIS_URL": "", "EMAIL_BACKEND": "console"})
    import django

    django.setup()
    log("Preparing the database (N = 1,000)...")
    setup = prepare(args.posters)
    stack = start_stack(database_url)
    log(f"Logs in {stack.folder}")
    results = []
    try:
        for url in [setup["review_url"], *setup["question_urls"].values()]:
            wait_for(stack.host + url)
        for scenario in args.only or SCENARIOS:
            results.append(run_scenario(stack, setup, scenario, args))
            log(table(results[-1:]).splitlines()[-1])
    finally:
        stack.stop()
    jumps = sum(r["clock_jumps"] for r in results)
    restarts = sum(r["worker_exits"] for r in results)
    report = "\n".join(
        [
            f"{args.seconds} s a scenario ({args.seconds / 4:.0f} s steady, "
            f"{args.seconds / 4:.0f} s of fault, then recovery); {args.readers} anonymous "
            f"readers and {args.posters} members replying. Failed emails were not waited out: "
            f"once the task worker was idle with work left for later, the run stopped it, moved "
            f"the time of every waiting task and email {CLOCK_JUMP_MINUTES} minutes earlier and "
            f"started it again ({jumps} time(s) in all); no email was marked sent or retried "
            f"by hand. The task worker exited {restarts} time(s) and was started again a second "
            "later, as a process supervisor would. The machine's load average (1 min, other "
            f"people's work included) before the run → at its end: {load_before:.1f} → "
            f"{os.getloadavg()[0]:.1f}.",
            "",
            table(results),
            "",
            *notes(results),
        ]
    )
    print(report)
    log(f"Logs of this run (gunicorn, worker, sink, proxy): {stack.folder}")
    if not args.no_write:
        write_report(report)


if __name__ == "__main__":
    main()
