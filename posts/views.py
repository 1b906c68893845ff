from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from comments.discussion import followed_question_ids, review_discussion
from comments.export import can_export
from comments.forms import CommentForm
from comments.models import (
    QuestionFollow,
    Viewer,
    active_discussions,
    discussions_in,
    with_comment_counts,
)
from journalclub.inputs import Atom1Feed, whole_number

from .models import READ_IN, Question, Review, Series, Topic, review_structured_data


class ReviewPagesView(ListView):
    """Reviews page by page; a page number is ASCII digits, anything else a 404."""

    context_object_name = "reviews"
    paginate_by = settings.REVIEWS_PER_PAGE

    def paginate_queryset(self, queryset, page_size):
        page = self.request.GET.get(self.page_kwarg)
        if page and whole_number(page) is None:
            raise Http404("No such page.")
        return super().paginate_queryset(queryset, page_size)


class ReviewListView(ReviewPagesView):
    """The home page: published reviews, newest first."""

    template_name = "posts/review_list.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The home page once filtered by topic: each topic has one page, its own.
        if slug := request.GET.get("topic"):
            url = get_object_or_404(Topic, slug=slug).get_absolute_url()
            if page := whole_number(request.GET.get(self.page_kwarg)):
                url += f"?{self.page_kwarg}={page}"
            return HttpResponsePermanentRedirect(url)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        reviews = Review.objects.for_cards().in_language(translation.get_language())
        return with_comment_counts(reviews)

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            topics=Topic.objects.filter(reviews__in=Review.objects.published()).distinct(),
            active_discussions=discussions_in(
                translation.get_language(), active_discussions(Review.objects.all())[:5]
            ),
            **kwargs,
        )


class TopicListView(ListView):
    """Every topic with published reviews, each with how many."""

    template_name = "posts/topic_index.html"
    context_object_name = "topics"

    def get_queryset(self) -> QuerySet:
        # A review and its translation count once: as their original.
        published = Count(
            Coalesce("reviews__translation_of", "reviews__pk"),
            distinct=True,
            filter=Q(reviews__in=Review.objects.published()),
        )
        return Topic.objects.annotate(review_count=published).filter(review_count__gt=0)


class TopicDetailView(ReviewPagesView):
    template_name = "posts/topic_detail.html"

    def get_queryset(self) -> QuerySet:
        self.topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        # Each review once, in the reader's language when that version is on the topic too.
        in_topic = Review.objects.filter(topics=self.topic)
        reviews = Review.objects.for_cards().in_language(translation.get_language(), in_topic)
        return with_comment_counts(reviews).filter(topics=self.topic)

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(topic=self.topic, **kwargs)


class ReviewDetailView(DetailView):
    """A review in reading order. Staff may preview drafts and scheduled reviews."""

    template_name = "posts/review_detail.html"
    context_object_name = "review"

    def get_queryset(self) -> QuerySet:
        questions = Question.objects.annotate(followed=Value(False))
        if self.request.user.is_authenticated:
            follows = QuestionFollow.objects.filter(
                question=OuterRef("pk"), member=self.request.user
            )
            questions = questions.annotate(followed=Exists(follows))
        return (
            Review.objects.visible_to(self.request.user)
            .with_citation()
            .select_related("translation_of", "translation")
            .prefetch_related("findings", Prefetch("questions", questions), "topics")
        )

    def get_context_data(self, **kwargs) -> dict:
        review = self.object
        # The configured domain, not the request's Host: the page is cached for every host.
        url = f"{self.request.scheme}://{settings.SITE_DOMAIN}{review.get_absolute_url()}"
        viewer = Viewer.of(self.request.user)
        questions = list(review.questions.all())
        followed = {question.pk for question in questions if question.followed}
        if review.translation_of_id is not None:
            followed = followed_question_ids(viewer, review)
        return super().get_context_data(
            canonical_url=url,
            structured_data=review_structured_data(review, url),
            discussions=review_discussion(review, questions, viewer, self.request),
            form=CommentForm(),
            can_comment=viewer.participant,
            can_export=can_export(self.request.user),
            refusal=viewer.refusal,
            moderator=viewer.moderator,
            followed=followed,
            other_version=other_version_link(review, self.request.user),
            content_language=review_content_language(review),
            **kwargs,
        )


@dataclass(frozen=True)
class VersionLink:
    """The link from a review to its version in another language, in that language."""

    url: str
    language: str
    label: str


def other_version_link(review: Review, user) -> VersionLink | None:
    """The other version of `review`, if the reader may open it."""
    other = review.other_version()
    if other is None or not other.is_visible_to(user):
        return None
    label = READ_IN.get(other.language) or other.get_language_display()
    return VersionLink(other.url_in_its_language(), other.language, label)


def review_content_language(review: Review) -> str:
    """The review's language when it is not the interface's (the `lang` its content needs),
    else ""."""
    return "" if review.language == translation.get_language() else review.language


class SeriesDetailView(ReviewPagesView):
    template_name = "posts/series_detail.html"

    def get_queryset(self) -> QuerySet:
        self.series = get_object_or_404(Series, slug=self.kwargs["slug"])
        in_series = Review.objects.filter(series=self.series)
        reviews = Review.objects.for_cards().in_language(translation.get_language(), in_series)
        return with_comment_counts(reviews).filter(series=self.series)

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(series=self.series, **kwargs)


@dataclass(frozen=True)
class FeedEntry:
    """A new review, or the announcement of a review's discussion synthesis."""

    review: Review
    synthesis: bool = False

    @property
    def date(self):
        return self.review.synthesis_published_at if self.synthesis else self.review.published_at


class LatestReviewsFeed(Feed):
    feed_type = Atom1Feed
    link = "/"

    def title(self) -> str:
        return _("%(site_name)s: latest reviews") % {"site_name": settings.SITE_NAME}

    def subtitle(self) -> str:
        return _("Guest reviews of open-access research, with questions for knowledge brokers.")

    def items(self) -> list[FeedEntry]:
        reviews = Review.objects.published().in_language(translation.get_language()).with_citation()
        syntheses = reviews.filter(synthesis_published_at__lte=timezone.now()).exclude(
            synthesis_html=""
        )
        entries = [FeedEntry(review) for review in reviews[:30]]
        entries += [FeedEntry(review, synthesis=True) for review in syntheses[:30]]
        return sorted(entries, key=lambda entry: entry.date, reverse=True)[:30]

    def item_title(self, entry: FeedEntry) -> str:
        if entry.synthesis:
            return _("What brokers said: %(title)s") % {"title": entry.review.title}
        return entry.review.title

    def item_link(self, entry: FeedEntry) -> str:
        url = entry.review.get_absolute_url()
        return f"{url}#synthesis" if entry.synthesis else url

    def item_description(self, entry: FeedEntry) -> str:
        if entry.synthesis:
            return entry.review.synthesis_html
        return entry.review.standfirst or entry.review.summary_html

    def item_author_name(self, entry: FeedEntry) -> str:
        return entry.review.reviewer.name

    def item_pubdate(self, entry: FeedEntry):
        return entry.date

    def item_updateddate(self, entry: FeedEntry):
        return entry.review.updated_at
