import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from comments.models import Comment, Flag, HideReason
from posts import demo
from posts.models import Article, Contributor, KeyFinding, Question, Review, Series, Topic


class Command(BaseCommand):
    help = "Create or refresh the demo series and reviews (and, with DEBUG on, demo accounts)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        series, _ = Series.objects.update_or_create(
            slug=demo.SERIES["slug"], defaults={k: v for k, v in demo.SERIES.items() if k != "slug"}
        )
        reviews = [self.load_review(series, data) for data in demo.REVIEWS]
        self.load_review(series, {**demo.REVIEWS[0], **demo.FRENCH_REVIEW})
        self.load_discussion(reviews[0])
        self.stdout.write(
            f"Demo content ready: {len(demo.REVIEWS)} reviews in '{series}', one of them also "
            "in French."
        )
        if settings.DEBUG:
            self.load_accounts()

    def load_review(self, series: Series, data: dict) -> Review:
        article_data = dict(data["article"])
        article, _ = Article.objects.update_or_create(
            doi=article_data.pop("doi"), defaults=article_data
        )
        reviewer, _ = Contributor.objects.update_or_create(
            name=data["reviewer"]["name"], defaults=data["reviewer"]
        )
        review = Review.objects.filter(slug=data["slug"]).first() or Review(slug=data["slug"])
        for field in ("title", "standfirst", "background", "summary", "commentary"):
            setattr(review, field, data[field])
        review.series, review.article, review.reviewer = series, article, reviewer
        review.language = data.get("language", "en")
        if original := data.get("translation_of"):
            review.translation_of = Review.objects.get(slug=original)
        review.status = Review.Status.PUBLISHED
        if review.published_at is None:
            review.published_at = timezone.now() - timedelta(days=data["published_days_ago"])
        if data.get("synthesis"):
            review.synthesis = data["synthesis"]
            review.synthesis_published_at = review.synthesis_published_at or (
                review.published_at + timedelta(days=21)
            )
        review.save()
        review.topics.set(
            Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in data.get("topics", [])
        )
        # Keyed by position so rerunning keeps each question's identity (and its discussion).
        for position, text in enumerate(data["findings"], start=1):
            KeyFinding.objects.update_or_create(
                review=review, position=position, defaults={"text": text}
            )
        for position, text in enumerate(data["questions"], start=1):
            Question.objects.update_or_create(
                review=review, position=position, defaults={"text": text}
            )
        return review

    def load_discussion(self, review: Review) -> None:
        if not review.comments.exists():
            self.create_discussion(review)
        # One open flag, so the moderation queue has something to show.
        flagged = review.comments.get(body__startswith=demo.FLAGGED_COMMENT_START)
        Flag.objects.get_or_create(
            comment=flagged,
            flagger=get_user_model().objects.get(username=demo.FLAGGED_BY),
            defaults={"reason": HideReason.OFF_TOPIC, "note": demo.FLAG_NOTE},
        )

    def create_discussion(self, review: Review) -> None:
        User = get_user_model()
        members = {}
        for username, display_name, affiliation, role in demo.MEMBERS:
            members[username], _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@example.com",
                    "display_name": display_name,
                    "affiliation": affiliation,
                    "role": role,
                },
            )
            members[username].set_unusable_password()
            members[username].save()
        questions = list(review.questions.all())
        posted: dict[str, Comment] = {}
        started = timezone.now() - timedelta(days=2)
        for minutes, (key, number, parent_key, author, text) in enumerate(demo.DISCUSSION):
            parent = posted.get(parent_key)
            posted[key] = Comment.objects.create(
                review=review,
                question=questions[number - 1],
                parent=parent,
                depth=parent.depth + 1 if parent else 0,
                author=members[author],
                body=text,
                created_at=started + timedelta(hours=3 * minutes),
            )

    def load_accounts(self) -> None:
        editor = self.demo_account("editor", "Demo Editor", group="Editors", staff=True)
        moderator = self.demo_account("moderator", "Demo Moderator", group="Moderators")
        self.stdout.write(
            self.style.WARNING(
                "Demo accounts (DEBUG only, new passwords each run):\n"
                f"  editor:    {editor.email} / {editor.demo_password} (admin at /admin/)\n"
                f"  moderator: {moderator.email} / {moderator.demo_password} (queue at "
                "/moderation/)"
            )
        )

    def demo_account(self, username: str, display_name: str, *, group: str, staff=False):
        user, _ = get_user_model().objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.com", "display_name": display_name},
        )
        user.is_staff = staff
        user.demo_password = secrets.token_urlsafe(12)
        user.set_password(user.demo_password)
        user.save()
        user.groups.add(Group.objects.get(name=group))
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        return user
