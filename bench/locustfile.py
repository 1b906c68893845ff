"""Members' traffic for `make loadtest`: reads (weight 8) and comment posts (weight 2).

The anonymous readers (weight 90) are wrk's connections (bench/anonymous.lua): a Python
load generator costs as much CPU per request as the cached page it asks for, and the two
would share the same two cores. Started by bench/loadtest.py, which passes the review's
URLs and members' session cookies through the environment and reads back the posts that
were accepted.
"""

import json
import os
import random
import re
import uuid

from locust import FastHttpUser, constant, task

SETUP = json.loads(os.environ["LOADTEST_SETUP"])
PAGES = [SETUP["review_url"], *SETUP["question_urls"]]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")


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
        number = random.randrange(len(SETUP["question_urls"]))
        url = SETUP["question_urls"][number]
        page = self.get(url, "member read (before posting)")
        token = CSRF.search(page.text or "")
        if not token or "csrftoken" not in self.cookies:
            return
        marker = f"loadtest-{uuid.uuid4().hex}"
        cookie = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        with self.client.post(
            SETUP["post_url"],
            data={
                "csrfmiddlewaretoken": token.group(1),
                "question": SETUP["question_ids"][number],
                "body": f"{marker} A comment posted under load, with *some* Markdown.",
            },
            headers={"Cookie": cookie, "Referer": self.host + url},
            name="comment post",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                with open(SETUP["accepted_file"], "a") as accepted:
                    accepted.write(marker + "\n")
                response.success()
            else:
                response.failure(f"post refused: {response.status_code}")
