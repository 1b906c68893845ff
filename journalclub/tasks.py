"""Keeping the task queue healthy (run by `manage.py worker`)."""

from datetime import timedelta

from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

# Our tasks take seconds; one still running after this long has lost its worker.
LOST_AFTER = timedelta(minutes=10)


def requeue_lost_tasks(worker_id: str) -> int:
    """Make ready again the tasks whose worker stopped while running them: this worker's
    own (it is between tasks when it asks), and any other worker's after `LOST_AFTER`.
    Returns how many."""
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    stale = timezone.now() - LOST_AFTER
    lost = [
        task.pk
        for task in running.only("id", "worker_ids", "started_at")
        if (task.worker_ids and task.worker_ids[-1] == worker_id)
        or (task.started_at and task.started_at < stale)
    ]
    return running.filter(pk__in=lost).update(status=TaskResultStatus.READY, started_at=None)
