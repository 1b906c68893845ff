"""Delivering the outbox (see `outbox.models`)."""

import logging
import smtplib
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import DatabaseError, connection, transaction
from django.tasks import task
from django.utils import timezone

from .models import Email, retry_delay

logger = logging.getLogger("journalclub.outbox")

# Errors about one message; any other error means the mail server itself failed, and the
# rest of the batch waits for the next try instead of each waiting out a timeout.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
# A batch also picks up emails whose delivery task was lost (a worker killed mid-send).
STRAGGLERS_PER_BATCH = 100


# Checks, by the first part of an email's key, that what the email tells of is still there
# to tell (a comment still visible): registered by the apps that send them.
_still_wanted: dict[str, Callable[[str], bool]] = {}


def withdraw_unless(kind: str, still_wanted: Callable[[str], bool]) -> None:
    """Emails keyed "`kind`:<id>:..." are sent only while `still_wanted(<id>)`."""
    _still_wanted[kind] = still_wanted


def _wanted(email: Email) -> bool:
    kind, _, rest = email.key.partition(":")
    check = _still_wanted.get(kind)
    return check is None or check(rest.partition(":")[0])


def queue_emails(messages: list[tuple[str, EmailMessage]]) -> list[Email]:
    """Keep each `(event, message)` to be sent to each of its recipients: once per event
    and recipient, the first message given winning. Returns the rows of those events and
    recipients, new or kept before (`send_now` skips those already sent). Call it in the
    transaction of the change that causes the emails."""
    rows = {}
    for event, message in messages:
        for recipient in message.recipients():
            key = f"{event}:{recipient}"[:200]
            rows.setdefault(key, Email.from_message(message, key=key, to=recipient))
    existing = Email.objects.filter(key__in=rows)
    kept = {email.key for email in existing}
    Email.objects.bulk_create([row for key, row in rows.items() if key not in kept])
    return list(Email.objects.filter(key__in=rows).order_by("pk"))


def send_later(messages: list[tuple[str, EmailMessage]]) -> None:
    """From a request: keep the emails and enqueue their delivery, in one transaction."""
    with transaction.atomic():
        emails = queue_emails(messages)
        if emails:
            deliver.enqueue([email.pk for email in emails])


@contextmanager
def retry_task_later(task, *args, attempt: int):
    """Runs the body of `task`; if it fails, enqueues the task again for its next attempt
    after a growing delay (up to EMAIL_MAX_ATTEMPTS), and lets the failure be recorded.
    Tasks that use it take `attempt` and are safe to run again."""
    try:
        yield
    except Exception:
        if attempt < settings.EMAIL_MAX_ATTEMPTS:
            later = task.using(run_after=timezone.now() + retry_delay(attempt))
            later.enqueue(*args, attempt=attempt + 1)
        raise


@task()
def deliver(email_ids: list[int]) -> int:
    """Send the emails `email_ids` that are due, and any left behind by a lost task."""
    overdue = timezone.now() - timedelta(minutes=1)
    stragglers = Email.objects.due().filter(next_attempt_at__lt=overdue).order_by("pk")
    ids = {*email_ids, *stragglers.values_list("pk", flat=True)[:STRAGGLERS_PER_BATCH]}
    return send_now(list(Email.objects.filter(pk__in=ids).order_by("pk")))


def deliver_left_behind() -> None:
    """Emails whose delivery stopped midway (a task that died after keeping or claiming
    them) go to a delivery task, which picks them up as stragglers."""
    overdue = timezone.now() - timedelta(minutes=1)
    if Email.objects.due().filter(next_attempt_at__lt=overdue).exists():
        deliver.enqueue([])


def send_now(emails: list[Email]) -> int:
    """Deliver `emails` over one connection to the mail server; failures are tried again
    later. Returns how many were sent."""
    sent = 0
    failure = None
    claimed = []
    opened = False
    connection = mailers.default
    try:
        for email in emails:
            # Claimed one at a time, just before sending: a long batch never holds claims
            # that run out while it works.
            if not email.claim():
                continue
            claimed.append(email)
            if not _wanted(email):
                email.withdraw()
                continue
            if not opened:
                opened = True
                try:
                    connection.open()
                except Exception as error:  # the server is down, hung or refusing us
                    failure = error
            if failure is not None:
                email.mark_failed_attempt(failure)
                continue
            try:
                connection.send_messages([email.message()])
            except MESSAGE_ERRORS as error:
                email.mark_failed_attempt(error)
            except Exception as error:  # the server is down, hung or refusing us
                failure = error
                email.mark_failed_attempt(error)
            else:
                _record_sent(email)
                sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # closing a connection that already failed
            pass
    _retry_later([email for email in claimed if email.sent_at is None and not email.withdrawn_at])
    return sent


# Pauses, in seconds, while the record of a sent email waits for the database.
RECORD_PAUSES = (1, 2, 4, 8, 15, 30)


def _record_sent(email: Email) -> None:
    """The email is out: record it, waiting out a short database outage, since an email
    whose record is lost would be sent again."""
    for pause in (*RECORD_PAUSES, None):
        try:
            email.mark_sent()
            return
        except DatabaseError:
            if pause is None:
                raise
            logger.warning("sent email not recorded yet", extra={"event": "email_record_waits"})
            connection.close()  # the next try connects afresh
            time.sleep(pause)


def _retry_later(emails: list[Email]) -> None:
    retrying = [email for email in emails if email.failed_at is None]
    for email in emails:
        level = logging.WARNING if email.failed_at is None else logging.ERROR
        logger.log(
            level,
            "email not sent",
            extra={
                "event": "email_failed",
                "email_id": email.pk,
                "attempts": email.attempts,
                "gave_up": email.failed_at is not None,
                "error": email.last_error,
            },
        )
    if retrying:
        when = min(email.next_attempt_at for email in retrying)
        deliver.using(run_after=when).enqueue([email.pk for email in retrying])
