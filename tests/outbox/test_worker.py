"""The task worker keeps its word when it is stopped midway: tasks and emails it left
behind are taken up again, and a task another worker is running is left to it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from journalclub.tasks import requeue_lost_tasks
from outbox.models import Email
from outbox.tasks import deliver_left_behind
from tests.factories import make_comment, make_review, make_user
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply_waiting_for_its_email(client):
    review = make_review()
    parent = make_comment(
        question=review.questions.first(), author=make_user(email="parent@example.org")
    )
    client.force_login(make_user())
    client.post(
        f"/reviews/{review.slug}/comments/",
        {"question": parent.question_id, "parent": parent.pk, "body": "Worth an email"},
    )
    return DBTaskResult.objects.get()


def stopped_while_running(task, *, worker: str, minutes_ago: float) -> None:
    task.status = TaskResultStatus.RUNNING
    task.worker_ids = [worker]
    task.started_at = timezone.now() - timedelta(minutes=minutes_ago)
    task.save()


def test_a_task_whose_worker_died_runs_again(reply_waiting_for_its_email, mailoutbox):
    stopped_while_running(reply_waiting_for_its_email, worker="killed", minutes_ago=11)
    run_tasks()
    assert mailoutbox == []
    assert requeue_lost_tasks("another-worker") == 1
    run_tasks()
    assert [message.to for message in mailoutbox] == [["parent@example.org"]]


def test_a_worker_takes_up_again_the_task_it_was_running_when_the_database_went_away(
    reply_waiting_for_its_email, mailoutbox
):
    stopped_while_running(reply_waiting_for_its_email, worker="me", minutes_ago=0)
    assert requeue_lost_tasks("me") == 1
    run_tasks()
    assert len(mailoutbox) == 1


def test_a_task_another_worker_is_running_is_left_to_it(reply_waiting_for_its_email):
    stopped_while_running(reply_waiting_for_its_email, worker="busy", minutes_ago=1)
    assert requeue_lost_tasks("me") == 0
    reply_waiting_for_its_email.refresh_from_db()
    assert reply_waiting_for_its_email.status == TaskResultStatus.RUNNING


def test_emails_a_stopped_task_had_claimed_are_delivered(reply_waiting_for_its_email, mailoutbox):
    run_tasks()
    assert len(mailoutbox) == 1
    mailoutbox.clear()
    # As if the task had kept and claimed the email, then died before sending it.
    Email.objects.update(sent_at=None, next_attempt_at=timezone.now() - timedelta(minutes=2))
    deliver_left_behind()
    run_tasks()
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_runs_the_ready_tasks(reply_waiting_for_its_email, mailoutbox):
    stopped_while_running(reply_waiting_for_its_email, worker="killed", minutes_ago=30)
    call_command("worker", once=True)
    assert len(mailoutbox) == 1
