"""Several app server processes without Redis (each with its own local-memory cache, as
the README allows) never serve hidden text: the versions the pages are cached under live
in the shared database."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.mail_servers import free_port

ROOT = Path(__file__).resolve().parent.parent
SECRET = "Text for the moderators only"
SETUP = f"""
from tests.factories import make_comment, make_review
review = make_review(slug="shared-review")
make_comment(question=review.questions.first(), body={SECRET!r})
"""
HIDE = f"""
from comments.models import Comment
Comment.objects.get(body={SECRET!r}).hide(by=None, reason="spam")
"""


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def fetch(url: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_no_process_serves_a_comment_after_it_is_hidden(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    } | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/shared.sqlite3",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    manage(env, "migrate", "--no-input")
    manage(env, "shell", "-c", SETUP)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "journalclub.wsgi", "--workers", "3",
         "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/reviews/shared-review/"
    try:
        before = [fetch(url) for _ in range(30)]  # every worker has the page in memory
        manage(env, "shell", "-c", HIDE)
        after = [fetch(url) for _ in range(60)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert all(SECRET in page for page in before)
    assert [page for page in after if SECRET in page] == []
