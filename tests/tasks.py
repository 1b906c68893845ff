"""Running the background work in tests, as `manage.py db_worker` does."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from outbox.models import Email


def run_tasks(*, later: timedelta | None = None) -> None:
    """Run every task that is ready, one at a time, as the worker would (its loop also
    closes old database connections, which would end a test's transaction). With `later`,
    as if that much time had passed first: the tasks and emails waiting for a retry by then
    are due."""
    if later is not None:
        now = timezone.now()
        window = (now, now + later)
        DBTaskResult.objects.filter(run_after__range=window).update(run_after=now)
        Email.objects.unsent().filter(next_attempt_at__range=window).update(next_attempt_at=now)
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    while True:
        with transaction.atomic():
            task = DBTaskResult.objects.ready().get_locked()
            if task is None:
                return
            task.claim(worker.worker_id)
        worker.run_task(task)
