"""`manage.py worker`: django-tasks-db's task worker, kept going.

- A database outage is waited out: the worker pauses and carries on, rather than exit.
- Tasks whose worker stopped in the middle (it was killed, or the database went away while
  it ran them) are made ready again: every task of ours is safe to run twice.
- Emails left behind by a task that stopped are handed to a delivery task.
- Reviews and syntheses that came out since the last look are announced to subscribers.
"""

import logging
import os
import socket
import time

from django.core.management.base import BaseCommand
from django.db import InterfaceError, InternalError, OperationalError, close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

from outbox.tasks import deliver_left_behind
from subscriptions.tasks import announce_due_publications

from ...tasks import requeue_lost_tasks

logger = logging.getLogger("journalclub.worker")

HOUSEKEEPING_SECONDS = 60
OUTAGE_PAUSE_SECONDS = 2


class Command(BaseCommand):
    help = "Run the background tasks (emails, fan-out) as they come, and keep the queue healthy."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at an empty queue."
        )
        parser.add_argument(
            "--once", action="store_true", help="Run the tasks that are ready, then stop."
        )

    def handle(self, *, interval: float, once: bool, **options) -> None:
        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,  # returns when the queue is empty: housekeeping runs between batches
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        housekeeping_at = 0.0
        while worker.running:
            try:
                if time.monotonic() >= housekeeping_at:
                    requeue_lost_tasks(worker.worker_id)
                    deliver_left_behind()
                    announce_due_publications()  # scheduled reviews come out by themselves
                    housekeeping_at = time.monotonic() + HOUSEKEEPING_SECONDS
                worker.run()
            except (OperationalError, InterfaceError, InternalError) as error:
                logger.warning(
                    "database unavailable: the worker waits",
                    extra={"event": "worker_waits", "error": repr(error)},
                )
                close_old_connections()
                housekeeping_at = 0.0  # first thing once it is back: this worker's tasks
                time.sleep(OUTAGE_PAUSE_SECONDS)
                continue
            if once:
                return
            time.sleep(interval)
