"""The README's first command, run as a newcomer would, and the settings it relies on."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return {**env, **extra}


def fetch(url: str, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def sign_up(base: str, email: str) -> None:
    """Sign up through the running server, as a browser would (CSRF cookie and token)."""
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    page = opener.open(f"{base}/accounts/signup/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {
        "csrfmiddlewaretoken": token,
        "email": email,
        "display_name": "Quick Starter",
        "password1": "correct-horse-battery",
        "password2": "correct-horse-battery",
    }
    request = urllib.request.Request(
        f"{base}/accounts/signup/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{base}/accounts/signup/"},
    )
    opener.open(request, timeout=30)


def wait_for(path: Path, text: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in path.read_text(errors="replace"):
            return True
        time.sleep(0.5)
    return False


def test_make_run_serves_the_demo_reviews_and_sends_emails(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/run.sqlite3", PORT=str(port))
    output = tmp_path / "output.txt"
    with output.open("w") as sink:
        server = subprocess.Popen(
            ["make", "run"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        home = fetch(f"{base}/")
        review = fetch(f"{base}/reviews/implementation-research-out-of-step-with-practice/")
        sign_up(base, "quick.starter@example.org")
        # The task worker started by `make run` sends the verification email (to the console).
        assert wait_for(output, "To: quick.starter@example.org")
    finally:
        # Ctrl-C in the terminal: both the web server and the worker stop.
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)
    time.sleep(1)
    processes = subprocess.run(["ps", "-eo", "sid=,args="], capture_output=True, text=True).stdout
    left = [
        line
        for line in processes.splitlines()
        if line.split()[0] == str(server.pid) and not line.endswith("<defunct>")
    ]
    assert left == [], "the web server and the task worker both stop"
    assert "Is implementation research out of step with implementation practice?" in home
    assert "Why policymakers use evidence, or don&#x27;t" in home
    assert "A shared vocabulary for implementation strategies" in home
    headings = ["Background", "Plain-language summary", "Key findings", "Questions for brokers"]
    positions = [review.index(f">{heading}</h2>") for heading in headings]
    assert positions == sorted(positions)


def run_check(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_with_debug_off_is_a_clear_error():
    result = run_check()
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_on_runs_without_a_secret_key():
    assert run_check(DEBUG="true").returncode == 0


@pytest.mark.parametrize("name,value", [("DEBUG", "maybe"), ("CONN_MAX_AGE", "forever")])
def test_bad_environment_values_are_named_in_the_error(name, value):
    result = run_check(SECRET_KEY="x", **{name: value})
    assert result.returncode != 0
    assert f"{name} must be" in result.stderr


@pytest.mark.parametrize("target", ["run", "test"])
def test_make_stops_early_on_an_old_python(tmp_path, target):
    old_python = tmp_path / "python3.11"
    old_python.write_text(
        '#!/bin/sh\n[ "$1" = "--version" ] && echo "Python 3.11.9" && exit 0\nexit 1\n'
    )
    old_python.chmod(0o755)
    result = subprocess.run(
        ["make", target, f"PYTHON={old_python}", "VENV=" + str(tmp_path / "venv")],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Journal Club needs Python 3.12 or newer; " in result.stdout
    assert "Python 3.11.9" in result.stdout
    assert not (tmp_path / "venv").exists()
