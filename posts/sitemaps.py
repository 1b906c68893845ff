from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from .models import Review, Series, Topic


class BilingualSitemap(Sitemap):
    """Each page once per language, with hreflang links to the others."""

    i18n = True
    alternates = True
    x_default = True


class ReviewSitemap(BilingualSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self) -> QuerySet:
        return Review.objects.published().order_by("-published_at")

    def lastmod(self, review: Review):
        return review.updated_at


class SeriesSitemap(BilingualSitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet:
        return Series.objects.filter(reviews__in=Review.objects.published()).distinct()


class TopicSitemap(BilingualSitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet:
        return Topic.objects.filter(reviews__in=Review.objects.published()).distinct()


SITEMAPS = {"reviews": ReviewSitemap, "series": SeriesSitemap, "topics": TopicSitemap}
