from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.views.generic import DetailView, ListView

from comments.forms import CommentForm
from comments.threads import Viewer, attach_discussion

from .models import Review, Series, review_structured_data


class ReviewListView(ListView):
    template_name = "posts/review_list.html"
    context_object_name = "reviews"
    paginate_by = settings.REVIEWS_PER_PAGE

    def get_queryset(self) -> QuerySet:
        return Review.objects.published().with_citation().with_comment_counts()


class ReviewDetailView(DetailView):
    """A review in reading order. Staff may preview drafts and scheduled reviews."""

    template_name = "posts/review_detail.html"
    context_object_name = "review"

    def get_queryset(self) -> QuerySet:
        return (
            Review.objects.visible_to(self.request.user)
            .with_citation()
            .prefetch_related("findings", "questions")
        )

    def get_context_data(self, **kwargs) -> dict:
        review = self.object
        url = self.request.build_absolute_uri(review.get_absolute_url())
        questions = list(review.questions.all())
        viewer = Viewer.of(self.request.user)
        attach_discussion(
            review, questions, viewer=viewer, thread_limit=settings.COMMENTS_THREADS_ON_REVIEW_PAGE
        )
        return super().get_context_data(
            canonical_url=url,
            structured_data=review_structured_data(review, url),
            questions=questions,
            form=CommentForm(),
            can_comment=viewer.participant,
            refusal=viewer.refusal,
            moderator=viewer.moderator,
            **kwargs,
        )


class SeriesDetailView(ListView):
    template_name = "posts/series_detail.html"
    context_object_name = "reviews"
    paginate_by = settings.REVIEWS_PER_PAGE

    def get_queryset(self) -> QuerySet:
        self.series = get_object_or_404(Series, slug=self.kwargs["slug"])
        return (
            Review.objects.published()
            .with_citation()
            .with_comment_counts()
            .filter(series=self.series)
        )

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(series=self.series, **kwargs)


class LatestReviewsFeed(Feed):
    feed_type = Atom1Feed
    title = f"{settings.SITE_NAME}: latest reviews"
    link = "/"
    subtitle = "Guest reviews of open-access research, with questions for knowledge brokers."

    def items(self) -> QuerySet:
        return Review.objects.published().with_citation()[:30]

    def item_title(self, review: Review) -> str:
        return review.title

    def item_description(self, review: Review) -> str:
        return review.standfirst or review.summary_html

    def item_author_name(self, review: Review) -> str:
        return review.reviewer.name

    def item_pubdate(self, review: Review):
        return review.published_at

    def item_updateddate(self, review: Review):
        return review.updated_at
