from django.core.management.base import BaseCommand

from outbox.models import Email
from outbox.tasks import deliver


class Command(BaseCommand):
    help = "Show emails waiting or given up, with their errors; optionally try the failed again."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--retry-failed", action="store_true", help="Send the given-up emails again."
        )

    def handle(self, *args, retry_failed: bool = False, **options) -> None:
        waiting = Email.objects.unsent().order_by("created_at")
        failed = Email.objects.failed().order_by("created_at")
        self.stdout.write(f"Waiting: {waiting.count()}   Given up: {failed.count()}")
        oldest = waiting.first()
        if oldest is not None:
            self.stdout.write(f"Oldest waiting since {oldest.created_at:%Y-%m-%d %H:%M:%S %Z}")
        for email in failed:
            self.stdout.write(
                f"#{email.pk} {email.created_at:%Y-%m-%d %H:%M} to {email.to}: {email.subject}\n"
                f"    {email.attempts} tries, last error: {email.last_error}"
            )
        if retry_failed:
            emails = list(failed)
            for email in emails:
                email.retry()
            if emails:
                deliver.enqueue([email.pk for email in emails])
            self.stdout.write(self.style.SUCCESS(f"{len(emails)} email(s) will be sent again."))
