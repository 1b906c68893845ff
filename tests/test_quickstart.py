"""The README's first command, run as a newcomer would, and the settings it relies on."""

import os
import signal
import socket
import subprocess
import sys
import time
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


def test_make_run_serves_the_demo_reviews(tmp_path):
    port = free_port()
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/run.sqlite3", PORT=str(port))
    server = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        home = fetch(f"http://127.0.0.1:{port}/")
        review = fetch(
            f"http://127.0.0.1:{port}/reviews/implementation-research-out-of-step-with-practice/"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
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
