"""Reviews and syntheses that readers could see before subscriptions existed are old
news: record them as announced, so the first sweep emails nobody about them."""

from django.db import migrations
from django.utils import timezone


def mark_published_as_announced(apps, schema_editor) -> None:
    Review = apps.get_model("posts", "Review")
    Announcement = apps.get_model("subscriptions", "Announcement")
    now = timezone.now()
    published = Review.objects.filter(status="published", published_at__lte=now)
    synthesised = published.filter(synthesis_published_at__lte=now).exclude(synthesis_html="")
    Announcement.objects.bulk_create(
        [
            Announcement(review_id=pk, kind="published")
            for pk in published.values_list("pk", flat=True)
        ]
        + [
            Announcement(review_id=pk, kind="synthesis")
            for pk in synthesised.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(mark_published_as_announced, migrations.RunPython.noop),
    ]
