import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def date_earlier_revisions(apps, schema_editor):
    # The moment of earlier edits was not kept: the text's own date is the closest we know,
    # and it never counts against a member's current rate limit.
    apps.get_model("comments", "CommentRevision").objects.update(replaced_at=F("written_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0005_questionfollow"),
    ]

    operations = [
        migrations.AddField(
            model_name="commentrevision",
            name="replaced_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.RunPython(date_earlier_revisions, migrations.RunPython.noop),
    ]
