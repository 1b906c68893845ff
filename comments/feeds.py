from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from journalclub.inputs import Atom1Feed
from posts.models import Review

from .models import Comment


class ReviewCommentsFeed(Feed):
    """The visible comments of one published review, newest first."""

    feed_type = Atom1Feed

    def get_object(self, request, slug: str) -> Review:
        return get_object_or_404(
            Review.objects.published().select_related("translation_of"), slug=slug
        )

    def title(self, review: Review) -> str:
        return _("%(site)s: comments on %(title)s") % {
            "site": settings.SITE_NAME,
            "title": review.title,
        }

    def link(self, review: Review) -> str:
        return review.get_absolute_url()

    def items(self, review: Review) -> list[Comment]:
        """A translation's feed lists the shared discussion, kept on its original's questions,
        each comment under this review's question of the same number."""
        comments = list(
            Comment.objects.visible()
            .filter(review=review.original)
            .select_related("author", "question")
            .order_by("-created_at", "-id")[:50]
        )
        shown = {}
        if review.translation_of_id is not None:
            own = list(review.questions.all())
            threads = review.thread_questions(own)
            shown = {thread.pk: question for question, thread in zip(own, threads, strict=False)}
        for comment in comments:
            comment.shown_question = shown.get(comment.question_id, comment.question)
        return comments

    def item_title(self, comment: Comment) -> str:
        return _("%(author)s on “%(question)s”") % {
            "author": self.item_author_name(comment),
            "question": Truncator(comment.shown_question.text).chars(60),
        }

    def item_description(self, comment: Comment) -> str:
        return comment.body_html

    def item_author_name(self, comment: Comment) -> str:
        return comment.author.public_name if comment.author else _("Deleted member")

    def item_pubdate(self, comment: Comment):
        return comment.created_at

    def item_updateddate(self, comment: Comment):
        return comment.edited_at or comment.created_at
