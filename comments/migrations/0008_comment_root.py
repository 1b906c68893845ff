import django.db.models.deletion
from django.db import migrations, models


def fill_roots(apps, schema_editor) -> None:
    """Each reply learns the first comment of its conversation."""
    Comment = apps.get_model("comments", "Comment")
    parents = dict(Comment.objects.values_list("pk", "parent_id"))

    def root_of(pk: int) -> int:
        while parents[pk] is not None:
            pk = parents[pk]
        return pk

    replies = [Comment(pk=pk, root_id=root_of(pk)) for pk, parent in parents.items() if parent]
    Comment.objects.bulk_update(replies, ["root"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0007_submission_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="root",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="The first comment of its conversation; empty on that first comment.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="comments.comment",
            ),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                condition=models.Q(("parent", None)),
                fields=["question", "created_at"],
                name="comment_conversations",
            ),
        ),
        migrations.RunPython(fill_roots, migrations.RunPython.noop),
    ]
