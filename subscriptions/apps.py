from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"

    def ready(self) -> None:
        from outbox.tasks import withdraw_unless
        from posts.models import Review

        from .models import forget_subscriptions_of

        pre_delete.connect(forget_subscriptions_of, sender=settings.AUTH_USER_MODEL)
        # An announcement goes only while its review may be read by everyone.
        withdraw_unless("review", lambda pk: Review.objects.published().filter(pk=pk).exists())
