from django.db import migrations


def follow_own_reviews(apps, schema_editor):
    """Guest reviewers linked before they followed their reviews start following them, as
    those linked from now on do (comments.notifications.follow_own_review)."""
    Question = apps.get_model("posts", "Question")
    QuestionFollow = apps.get_model("comments", "QuestionFollow")
    questions = Question.objects.filter(review__reviewer__user__isnull=False).values_list(
        "pk", "review__reviewer__user"
    )
    QuestionFollow.objects.bulk_create(
        [QuestionFollow(question_id=pk, member_id=user_id) for pk, user_id in questions],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0010_community_guidelines"),
        ("posts", "0003_topic_review_synthesis_review_synthesis_html_and_more"),
    ]

    operations = [migrations.RunPython(follow_own_reviews, migrations.RunPython.noop)]
