from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse

from comments.export import export_response
from journalclub.admin import StrictInputMixin

from .models import Article, Contributor, KeyFinding, Question, Review, Series, Topic


@admin.register(Series)
class SeriesAdmin(StrictInputMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "review_count")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(review_total=Count("reviews"))

    @admin.display(description="reviews", ordering="review_total")
    def review_count(self, series: Series) -> int:
        return series.review_total


@admin.register(Topic)
class TopicAdmin(StrictInputMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Article)
class ArticleAdmin(StrictInputMixin, admin.ModelAdmin):
    list_display = ("title", "authors", "year", "journal", "doi", "open_access")
    list_filter = ("open_access", "year")
    search_fields = ("title", "authors", "journal", "doi")
    fieldsets = (
        (None, {"fields": ("authors", "year", "title")}),
        ("Where it was published", {"fields": ("journal", "volume", "issue", "pages")}),
        ("Links", {"fields": ("doi", "url", "open_access")}),
    )


@admin.register(Contributor)
class ContributorAdmin(StrictInputMixin, admin.ModelAdmin):
    list_display = ("name", "role", "affiliation")
    search_fields = ("name", "affiliation")
    raw_id_fields = ("user",)


class KeyFindingInline(StrictInputMixin, admin.TabularInline):
    model = KeyFinding
    extra = 1
    fields = ("position", "text")


class QuestionInline(StrictInputMixin, admin.TabularInline):
    model = Question
    extra = 1
    fields = ("position", "text")


@admin.register(Review)
class ReviewAdmin(StrictInputMixin, admin.ModelAdmin):
    list_display = ("title", "series", "reviewer", "status", "published_at", "discussion_open")
    list_filter = ("status", "series", "topics", "discussion_open")
    list_select_related = ("series", "reviewer")
    search_fields = ("title", "standfirst", "article__title", "article__authors", "reviewer__name")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("article", "reviewer", "series", "topics")
    date_hierarchy = "published_at"
    inlines = [KeyFindingInline, QuestionInline]
    actions = ["publish", "export_discussion_csv"]
    fieldsets = (
        (
            None,
            {"fields": ("title", "slug", "series", "topics", "article", "reviewer", "standfirst")},
        ),
        ("The review", {"fields": ("background", "summary", "commentary")}),
        ("What brokers said", {"fields": ("synthesis", "synthesis_published_at")}),
        ("Publishing", {"fields": ("status", "published_at", "discussion_open")}),
    )

    @admin.action(description="Publish the selected reviews", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        reviews = list(queryset)
        for review in reviews:
            review.publish()
        self.message_user(request, f"Published {len(reviews)} review(s).", messages.SUCCESS)

    @admin.action(description="Export discussion as CSV", permissions=["change"])
    def export_discussion_csv(
        self, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        reviews = list(queryset[:2])
        if len(reviews) != 1:
            self.message_user(
                request, "Select a single review to export its discussion.", messages.ERROR
            )
            return None
        return export_response(reviews[0], "csv")
