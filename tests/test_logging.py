"""Structured logs for moderation, failed sign-ins and server errors."""

import json
import logging

import pytest

from journalclub.logs import JSONLinesFormatter
from tests.factories import make_comment, make_user

pytestmark = pytest.mark.django_db


def test_json_lines_formatter_writes_one_object_with_the_extras():
    record = logging.makeLogRecord(
        {"name": "x", "levelname": "INFO", "msg": "hello %s", "args": ("world",), "action": "hide"}
    )
    line = JSONLinesFormatter().format(record)
    data = json.loads(line)
    assert (data["message"], data["action"], data["level"]) == ("hello world", "hide", "INFO")
    assert "\n" not in line


def test_moderation_actions_are_logged(caplog):
    comment = make_comment()
    moderator = make_user()
    with caplog.at_level(logging.INFO, logger="journalclub.moderation"):
        comment.hide(by=moderator, reason="spam")
    [record] = [r for r in caplog.records if r.name == "journalclub.moderation"]
    assert (record.action, record.actor_id, record.comment_id) == ("hide", moderator.pk, comment.pk)


def test_failed_sign_ins_are_logged_without_the_password(client, caplog):
    make_user(email="someone@example.org")
    with caplog.at_level(logging.WARNING, logger="journalclub.auth"):
        client.post("/accounts/login/", {"login": "someone@example.org", "password": "wrong-pw"})
    [record] = [r for r in caplog.records if r.name == "journalclub.auth"]
    assert record.event == "sign_in_failed"
    assert record.login == "someone@example.org"
    assert "wrong-pw" not in json.dumps(vars(record), default=str)


def test_production_logs_are_json_by_default():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    code = (
        "import django, os, logging; os.environ['DJANGO_SETTINGS_MODULE']='journalclub.settings';"
        "django.setup(); logging.getLogger('journalclub.test').warning('hi', extra={'k': 1})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).parent.parent,
        env={**env, "SECRET_KEY": "x" * 60}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert (data["message"], data["k"], data["logger"]) == ("hi", 1, "journalclub.test")
