"""What `/healthz` reports: each service the site depends on, and how it is doing."""

import uuid
from datetime import timedelta

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox.models import Email

# Tasks waiting longer than this mean no worker is running, or it cannot keep up.
TASKS_LATE_AFTER = timedelta(minutes=5)


# Whether the database takes writes: a read-only one (a standby after failover,
# maintenance) still serves pages, while every post answers 503.
READ_ONLY_QUERY = {"postgresql": "SHOW transaction_read_only", "sqlite": "PRAGMA query_only"}


def database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute(READ_ONLY_QUERY.get(connection.vendor, "SELECT 0"))
            read_only = str(cursor.fetchone()[0]).lower() in {"on", "1"}
    except DatabaseError as error:
        return {"status": "error", "error": type(error).__name__}
    if read_only:
        return {"status": "degraded", "error": "read-only: pages are served, posts are not"}
    return {"status": "ok"}


def page_cache() -> dict:
    """Writes a key and reads it back: a cache that is down answers as an empty one."""
    key, value = f"healthz:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, timeout=10)
    answered = cache.get(key) == value
    cache.delete(key)
    return {"status": "ok"} if answered else {"status": "degraded", "error": "not answering"}


def task_queue() -> dict:
    now = timezone.now()
    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    oldest_seconds = round((now - oldest).total_seconds()) if oldest else 0
    report = {
        "status": "ok",
        "backlog": waiting.count(),
        "oldest_seconds": oldest_seconds,
        "emails_waiting": Email.objects.unsent().count(),
        "emails_given_up_last_day": Email.objects.failed()
        .filter(failed_at__gte=now - timedelta(days=1))
        .count(),
    }
    if oldest_seconds > TASKS_LATE_AFTER.total_seconds() or report["emails_given_up_last_day"]:
        report["status"] = "degraded"
    return report


def report() -> tuple[dict, int]:
    """The report and its HTTP status: 503 only when the database is down, since nothing
    works without it; a slow queue or a lost cache is "degraded", and the site still serves."""
    checks = {"database": database()}
    if checks["database"]["status"] == "error":
        return {"status": "error", **checks}, 503
    checks |= {"cache": page_cache(), "tasks": task_queue()}
    degraded = any(check["status"] != "ok" for check in checks.values())
    return {"status": "degraded" if degraded else "ok", **checks}, 200
