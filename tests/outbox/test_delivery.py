from contextlib import nullcontext
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.utils import timezone

from outbox.models import Email
from outbox.tasks import send_later
from tests.mail_servers import HangingServer, SmtpSink, free_port, smtp_mailer
from tests.tasks import run_tasks

pytestmark = pytest.mark.django_db


def message(to: str, subject: str = "Hello") -> EmailMessage:
    return EmailMessage(subject=subject, body="Body text", to=[to])


def test_an_email_waits_for_the_worker_and_is_sent_once(settings):
    port = free_port()
    settings.MAILERS = smtp_mailer(port)
    send_later([("event-1", message("a@example.org")), ("event-1", message("b@example.org"))])
    assert Email.objects.unsent().count() == 2
    with SmtpSink(port) as sink:
        run_tasks()
        run_tasks(later=timedelta(hours=2))
    assert sorted(recipients for recipients, _ in sink.received) == [
        ["a@example.org"],
        ["b@example.org"],
    ]
    assert Email.objects.unsent().count() == 0


def test_the_same_event_for_the_same_recipient_is_kept_once(settings):
    send_later([("event-1", message("a@example.org"))])
    send_later([("event-1", message("a@example.org"))])
    assert Email.objects.count() == 1


@pytest.mark.parametrize("server", ["refusing", "hanging"])
def test_a_failing_mail_server_is_tried_again_with_growing_delays(settings, server):
    port = free_port()
    settings.MAILERS = smtp_mailer(port, timeout=0.5)
    settings.EMAIL_MAX_ATTEMPTS = 6
    send_later([("event-1", message("a@example.org"))])
    email = Email.objects.get()
    delays = []
    with HangingServer(port) if server == "hanging" else nullcontext():
        for _ in range(6):
            run_tasks(later=timedelta(hours=1))
            email.refresh_from_db()
            delays.append(email.next_attempt_at - timezone.now())
    assert email.attempts == 6
    assert email.sent_at is None and email.failed_at is not None
    assert email.last_error
    # Delays after tries 1 to 5 grow and add up to over an hour.
    minutes = [round(delay / timedelta(minutes=1)) for delay in delays[:5]]
    assert minutes == sorted(minutes) and sum(minutes) >= 60


def test_a_given_up_email_is_listed_with_its_error_and_can_be_sent_again(settings, capsys):
    port = free_port()
    settings.MAILERS = smtp_mailer(port)
    settings.EMAIL_MAX_ATTEMPTS = 1
    send_later([("event-1", message("a@example.org", subject="Your reply"))])
    run_tasks()
    call_command("outbox")
    listing = capsys.readouterr().out
    assert "Given up: 1" in listing
    assert "Your reply" in listing and "ConnectionRefusedError" in listing

    with SmtpSink(port) as sink:
        call_command("outbox", retry_failed=True)
        run_tasks()
    assert len(sink.received) == 1
    assert Email.objects.get().sent_at is not None


def test_a_batch_cut_short_sends_only_the_rest_when_tried_again(settings):
    port = free_port()
    settings.MAILERS = smtp_mailer(port)
    send_later([("event-1", message(f"member{n}@example.org")) for n in range(5)])
    with SmtpSink(port) as sink:
        first_two = Email.objects.order_by("pk")[:2]
        for email in first_two:  # as if a worker sent these, then died
            email.mark_sent()
        run_tasks()
    assert sorted(recipients[0] for recipients, _ in sink.received) == [
        f"member{n}@example.org" for n in range(2, 5)
    ]


def test_failed_emails_are_listed_for_staff_in_the_admin(client, settings):
    from tests.factories import make_user

    port = free_port()
    settings.MAILERS = smtp_mailer(port)
    settings.EMAIL_MAX_ATTEMPTS = 1
    send_later([("event-1", message("a@example.org", subject="Lost in the post"))])
    run_tasks()
    admin = make_user(is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get("/admin/outbox/email/?failed_at__isempty=0").content.decode()
    assert "Lost in the post" in page


@pytest.mark.django_db(transaction=True)
def test_a_sent_email_is_recorded_once_the_database_answers_again(settings, monkeypatch):
    """Sent, then the database fails for a moment: waiting it out keeps the email from
    being sent a second time."""
    from django.db import OperationalError, connection

    import outbox.tasks

    port = free_port()
    settings.MAILERS = smtp_mailer(port)
    monkeypatch.setattr(outbox.tasks, "RECORD_PAUSES", (0, 0))
    send_later([("event-1", message("a@example.org"))])
    failures = [OperationalError("the database went away")]

    def database_away_once(execute, sql, params, many, context):
        if failures and sql.startswith("UPDATE") and 'SET "sent_at"' in sql:
            raise failures.pop()
        return execute(sql, params, many, context)

    with SmtpSink(port) as sink, connection.execute_wrapper(database_away_once):
        run_tasks()
        run_tasks(later=timedelta(hours=2))
    assert failures == []
    assert len(sink.received) == 1
    assert Email.objects.get().sent_at is not None
