"""Members' traffic for `make loadtest`: reads (weight 8) and comment posts (weight 2).

The anonymous readers (weight 90) are wrk's connections (bench/anonymous.lua): a Python
load generator costs as much CPU per request as the cached page it asks for, and the two
would share the same two cores. Started by bench/loadtest.py, which passes the review's
URLs and members' session cookies through the environment. Every request that ends is
written, one JSON line each, to the file it names: the report is built from those lines
after locust has exited, not from locust's statistics, which it writes out before the
last requests end.
"""

import json
import os
import random
import re
import time
import uuid

from locust import FastHttpUser, constant, events, task

SETUP = json.loads(os.environ["LOADTEST_SETUP"])
PAGES = [SETUP["review_url"], *SETUP["question_urls"]]
# The questions posts go to (indexes into question_urls): all of them unless told.
POST_TO = SETUP.get("post_to") or list(range(len(SETUP["question_urls"])))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([0-9a-f-]+)"')
CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")
LOG = open(SETUP["requests_file"], "a", buffering=1)  # noqa: SIM115 (locust's lifetime)


@events.request.add_listener
def record(name, response_time, response, context, exception, **kwargs) -> None:
    status = getattr(response, "status_code", 0) or 0
    line = {"name": name, "ms": response_time, "status": status, "ok": exception is None}
    line |= {"at": time.time(), **(context or {})}
    LOG.write(json.dumps(line) + "\n")


class Member(FastHttpUser):
    """A signed-in member: its session cookie was made by the load test's set-up."""

    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        self.cookies = {"sessionid": random.choice(SETUP["sessions"])}

    def get(self, url: str, name: str):
        cookie = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        response = self.client.get(url, name=name, headers={"Cookie": cookie})
        token = CSRF_COOKIE.search(response.headers.get("Set-Cookie") or "")
        if token:
            self.cookies["csrftoken"] = token.group(1)
        return response


class MemberReader(Member):
    weight = 8

    @task
    def read(self) -> None:
        self.get(random.choice(PAGES), "member read")


class Poster(Member):
    weight = 2

    @task
    def post(self) -> None:
        number = random.choice(POST_TO)
        url = SETUP["question_urls"][number]
        page = self.get(url, "member read (before posting)")
        token = CSRF.search(page.text or "")
        form_key = SUBMISSION_KEY.search(page.text or "")
        if not token or not form_key or "csrftoken" not in self.cookies:
            return
        marker = f"loadtest-{uuid.uuid4().hex}"
        cookie = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        with self.client.post(
            SETUP["post_url"],
            data={
                "csrfmiddlewaretoken": token.group(1),
                "question": SETUP["question_ids"][number],
                "submission_key": form_key.group(1),
                "body": f"{marker} A comment posted under load, with *some* Markdown.",
            },
            headers={"Cookie": cookie, "Referer": self.host + url},
            name="comment post",
            allow_redirects=False,
            catch_response=True,
            context={"marker": marker},
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"post refused: {response.status_code}")
