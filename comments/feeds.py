from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
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
        return get_object_or_404(Review.objects.published(), slug=slug)

    def title(self, review: Review) -> str:
        return _("%(site)s: comments on %(title)s") % {
            "site": settings.SITE_NAME,
            "title": review.title,
        }

    def link(self, review: Review) -> str:
        return review.get_absolute_url()

    def items(self, review: Review) -> QuerySet:
        return (
            Comment.objects.visible()
            .filter(review=review)
            .select_related("author", "question")
            .order_by("-created_at", "-id")[:50]
        )

    def item_title(self, comment: Comment) -> str:
        return _("%(author)s on “%(question)s”") % {
            "author": self.item_author_name(comment),
            "question": Truncator(comment.question.text).chars(60),
        }

    def item_description(self, comment: Comment) -> str:
        return comment.body_html

    def item_author_name(self, comment: Comment) -> str:
        return comment.author.public_name if comment.author else _("Deleted member")

    def item_pubdate(self, comment: Comment):
        return comment.created_at

    def item_updateddate(self, comment: Comment):
        return comment.edited_at or comment.created_at
