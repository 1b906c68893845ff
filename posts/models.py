from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from journalclub.markdown import render_editorial

DOI_PATTERN = r"^10\.\d{4,9}/\S+$"
DOI_RESOLVER = "https://doi.org/"


class DOIField(models.CharField):
    """A DOI stored bare: pasted resolver links and "doi:" prefixes are trimmed on input."""

    PREFIXES = (
        DOI_RESOLVER,
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi:",
    )

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        for prefix in self.PREFIXES:
            if value.lower().startswith(prefix):
                return value[len(prefix) :].strip()
        return value


class Series(models.Model):
    name = models.CharField(verbose_name=_("name"), max_length=200)
    slug = models.SlugField(verbose_name=_("slug"), max_length=100, unique=True)
    description = models.TextField(
        verbose_name=_("description"),
        blank=True,
        help_text=_(
            "Markdown. The standing blurb and call to action shown at the end of every "
            "review in this series."
        ),
    )
    description_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("series")
        verbose_name_plural = pgettext_lazy("plural", "series")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.description_html = render_editorial(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("posts:series_detail", kwargs={"slug": self.slug})


class Topic(models.Model):
    name = models.CharField(verbose_name=_("name"), max_length=100, unique=True)
    slug = models.SlugField(verbose_name=_("slug"), max_length=100, unique=True)
    description = models.TextField(
        verbose_name=_("description"),
        blank=True,
        help_text=_("Plain text, shown on the topic page."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("posts:topic_detail", kwargs={"slug": self.slug})


class Article(models.Model):
    """The publication a review discusses, with what a citation needs."""

    authors = models.CharField(
        verbose_name=_("authors"),
        max_length=1000,
        help_text=_('As written in a citation, e.g. "Metz, A., & Boaz, A."'),
    )
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    title = models.CharField(verbose_name=_("title"), max_length=500)
    journal = models.CharField(verbose_name=_("journal"), max_length=300)
    volume = models.CharField(verbose_name=_("volume"), max_length=30, blank=True)
    issue = models.CharField(verbose_name=_("issue"), max_length=30, blank=True)
    pages = models.CharField(
        _("article number or pages"),
        max_length=50,
        blank=True,
        help_text=_('e.g. "e1234" or "12-34"'),
    )
    doi = DOIField(
        _("DOI"),
        max_length=200,
        blank=True,
        validators=[
            RegexValidator(DOI_PATTERN, _("Enter a DOI such as 10.1177/26334895221105585."))
        ],
        help_text=_(
            "Just the DOI, e.g. 10.1177/26334895221105585 (a https://doi.org/ link is "
            "shortened to this)."
        ),
    )
    url = models.URLField(
        _("link to the article"),
        max_length=500,
        blank=True,
        help_text=_("Where readers can read it."),
    )
    open_access = models.BooleanField(
        verbose_name=_("open access"), default=False, help_text=_("Free to read for everyone.")
    )

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["doi"], condition=~Q(doi=""), name="article_doi_unique_when_present"
            )
        ]

    def __str__(self) -> str:
        return f"{self.short_citation()}: {self.title}"

    @property
    def doi_url(self) -> str:
        return f"{DOI_RESOLVER}{self.doi}" if self.doi else ""

    @property
    def read_url(self) -> str:
        return self.url or self.doi_url

    def short_citation(self) -> str:
        first_author = self.authors.split(",")[0].strip()
        several = "&" in self.authors or " and " in self.authors
        return f"{first_author}{' et al.' if several else ''} ({self.year})"

    def _title_sentence(self) -> str:
        title = self.title.strip()
        return title if title.endswith((".", "?", "!")) else f"{title}."

    def _source_details(self) -> tuple[str, str]:
        volume = self.volume + (f"({self.issue})" if self.issue else "")
        return volume, self.pages

    def citation(self) -> str:
        """The APA-style reference as plain text."""
        parts = [f"{self.authors} ({self.year}). {self._title_sentence()} {self.journal}"]
        parts.extend(part for part in self._source_details() if part)
        text = ", ".join(parts) + "."
        return f"{text} {self.doi_url}" if self.doi else text

    def citation_html(self) -> SafeString:
        """The same reference with the journal and volume in italics and the DOI linked."""
        volume, pages = self._source_details()
        return format_html(
            "{} ({}). {} <cite>{}</cite>{}{}.{}",
            self.authors,
            self.year,
            self._title_sentence(),
            self.journal,
            format_html(", <i>{}</i>", volume) if volume else "",
            format_html(", {}", pages) if pages else "",
            format_html(' <a href="{}">{}</a>', self.doi_url, self.doi_url) if self.doi else "",
        )


class Contributor(models.Model):
    """A guest reviewer. Not necessarily a site member."""

    name = models.CharField(verbose_name=_("name"), max_length=200)
    role = models.CharField(
        verbose_name=_("role"), max_length=200, blank=True, help_text=_('e.g. "PhD Student"')
    )
    affiliation = models.CharField(
        verbose_name=_("affiliation"),
        max_length=300,
        blank=True,
        help_text=_("Department and institution, as they want it shown."),
    )
    bio = models.TextField(
        _("short bio"), blank=True, help_text=_("Two or three sentences. Plain text.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributor_profiles",
        verbose_name=_("user"),
        help_text=_("The site account of this reviewer, if they have one."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")

    def __str__(self) -> str:
        return self.name

    def credentials(self) -> str:
        return ", ".join(part for part in (self.role, self.affiliation) if part)


def language_choices() -> list[tuple[str, str]]:
    """The languages a review may be written in: the site's (a callable, so that migrations
    do not copy the list)."""
    return list(settings.LANGUAGES)


# Each version links to the other in the other's own language, whatever the interface's:
# these are never translated.
READ_IN = {"en": "Read in English", "fr": "Lire en français"}


def check_same_questions(count: int, original: "Review") -> None:
    """A translation has as many questions as its original: they share their threads."""
    if count != original.questions.count():
        raise ValidationError(
            _(
                "A translation has as many questions as its original (%(count)d): question n "
                "of one shares its discussion with question n of the other."
            ),
            params={"count": original.questions.count()},
        )


class ReviewQuerySet(models.QuerySet):
    def published(self) -> "ReviewQuerySet":
        return self.filter(status=Review.Status.PUBLISHED, published_at__lte=timezone.now())

    def visible_to(self, user) -> "ReviewQuerySet":
        """Staff may open drafts and scheduled reviews as a preview; everyone else sees
        only what is published (in memory: `Review.is_visible_to`)."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        return self.published()

    def next_scheduled_change(self) -> datetime | None:
        """When the next scheduled review or discussion synthesis comes out, if any."""
        now = timezone.now()
        scheduled = self.filter(
            Q(status=Review.Status.PUBLISHED, published_at__gt=now)
            | Q(synthesis_published_at__gt=now)
        ).values_list("published_at", "synthesis_published_at")
        moments = [moment for pair in scheduled for moment in pair if moment and moment > now]
        return min(moments, default=None)

    def in_language(self, language: str, among: "ReviewQuerySet | None" = None) -> "ReviewQuerySet":
        """Each review once: its version in `language` where one is published (and is
        `among` the reviews listed, when given: a topic's, a series'), else the review as
        written (lists and feeds show one of the two versions)."""
        versions = Review.objects.all() if among is None else among
        in_language = versions.published().filter(language=language)
        return self.exclude(
            ~Q(language=language)
            & (Q(translation__in=in_language) | Q(translation_of__in=in_language))
        )

    def with_citation(self) -> "ReviewQuerySet":
        return self.select_related("series", "article", "reviewer")

    def with_topics(self) -> "ReviewQuerySet":
        return self.prefetch_related("topics")

    def for_cards(self) -> "ReviewQuerySet":
        """Published reviews with what a review card shows."""
        return self.published().with_citation().with_topics()


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(verbose_name=_("title"), max_length=300)
    slug = models.SlugField(verbose_name=_("slug"), max_length=200, unique=True)
    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("series")
    )
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("article")
    )
    reviewer = models.ForeignKey(
        Contributor, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("reviewer")
    )
    standfirst = models.TextField(
        verbose_name=_("standfirst"),
        blank=True,
        max_length=600,
        help_text=_(
            "One or two sentences that introduce the review on lists, feeds and links "
            "shared on social media. Plain text."
        ),
    )
    background = models.TextField(
        verbose_name=_("background"), blank=True, help_text=_("Markdown. The study's background.")
    )
    summary = models.TextField(
        _("plain-language summary"), blank=True, help_text=_("Markdown. The study in plain words.")
    )
    commentary = models.TextField(
        verbose_name=_("commentary"),
        blank=True,
        help_text=_("Markdown. The reviewer's own reading of the article."),
    )
    background_html = models.TextField(blank=True, editable=False)
    summary_html = models.TextField(blank=True, editable=False)
    commentary_html = models.TextField(blank=True, editable=False)
    status = models.CharField(
        verbose_name=_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication date"),
        null=True,
        blank=True,
        help_text=_("A date in the future schedules the review: it stays invisible until then."),
    )
    discussion_open = models.BooleanField(
        verbose_name=_("discussion open"),
        default=True,
        help_text=_("Members may comment. Closing keeps the comments on show."),
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="reviews", verbose_name=_("topics")
    )
    synthesis = models.TextField(
        _("what brokers said"),
        blank=True,
        help_text=_(
            "Markdown. The editors' synthesis of the discussion, shown above the "
            "questions once its date has come."
        ),
    )
    synthesis_html = models.TextField(blank=True, editable=False)
    synthesis_published_at = models.DateTimeField(
        _("synthesis date"),
        null=True,
        blank=True,
        help_text=_("When the synthesis appears (and is announced in the feed). Empty: not yet."),
    )
    language = models.CharField(_("language"), max_length=8, choices=language_choices, default="en")
    translation_of = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translation",
        verbose_name=_("translation of"),
        help_text=_(
            "The original review this one translates. Both versions share one discussion: "
            "question 1 of one is question 1 of the other."
        ),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.background_html = render_editorial(self.background)
        self.summary_html = render_editorial(self.summary)
        self.commentary_html = render_editorial(self.commentary)
        self.synthesis_html = render_editorial(self.synthesis)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("posts:review_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        original = self.translation_of
        if original is None:
            return
        if original.pk == self.pk:
            raise ValidationError({"translation_of": _("A review cannot translate itself.")})
        if original.translation_of_id is not None:
            raise ValidationError(
                {"translation_of": _("Choose the original review: this one is a translation.")}
            )
        if self.pk and Review.objects.filter(translation_of=self).exists():
            raise ValidationError(
                {
                    "translation_of": _(
                        "This review has a translation of its own: it is an original."
                    )
                }
            )
        if original.language == self.language:
            raise ValidationError(
                {"language": _("A translation is in another language than its original.")}
            )
        if self.pk and not getattr(self, "questions_counted_on_form", False):
            check_same_questions(self.questions.count(), original)

    def url_in_its_language(self) -> str:
        """The review's page with the interface in the review's own language: where the
        other version's "Read in …" link leads."""
        with translation.override(self.language):
            return self.get_absolute_url()

    @property
    def original(self) -> "Review":
        """The review whose questions carry the discussion of both versions."""
        return self.translation_of or self

    def other_version(self) -> "Review | None":
        if self.translation_of_id is not None:
            return self.translation_of
        try:
            return self.translation
        except Review.DoesNotExist:
            return None

    def version_in(self, language: str) -> "Review":
        """This review or its published translation, whichever is written in `language`;
        this one when neither is."""
        other = self.other_version()
        if other is not None and other.language == language and other.is_published:
            return other
        return self

    def discussion_slugs(self) -> list[str]:
        """The reviews whose pages show this review's discussion: itself and, for an
        original, its translation."""
        translations = Review.objects.filter(translation_of=self).values_list("slug", flat=True)
        return [self.slug, *translations]

    def thread_questions(self, questions: list["Question"]) -> list["Question"]:
        """The questions whose threads `questions` (this review's own, in order) show: the
        same, or on a translation the original's questions, question n for question n."""
        if self.translation_of_id is None:
            return questions
        return list(self.translation_of.questions.all())

    def is_visible_to(self, user) -> bool:
        """`ReviewQuerySet.visible_to`, asked of one review in memory."""
        return (user.is_authenticated and user.is_staff) or self.is_published

    @property
    def is_published(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def synthesis_is_published(self) -> bool:
        return bool(
            self.synthesis_html
            and self.synthesis_published_at
            and self.synthesis_published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_published

    def publish(self) -> None:
        """Publish now, or at the date already set if that date is in the future."""
        self.status = self.Status.PUBLISHED
        self.published_at = self.published_at or timezone.now()
        self.save()


class NumberedItem(models.Model):
    """A finding or question of a review. Readers see its rank as its number; the row's
    own id stays the same whatever the editors reorder or reword."""

    position = models.PositiveSmallIntegerField(
        verbose_name=_("position"),
        default=0,
        help_text=_("Order within the review: lower numbers come first."),
    )
    text = models.TextField(verbose_name=_("text"), help_text=_("Markdown."))
    text_html = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    def save(self, *args, **kwargs) -> None:
        self.text_html = render_editorial(self.text)
        super().save(*args, **kwargs)


class KeyFinding(NumberedItem):
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="findings", verbose_name=_("review")
    )

    class Meta(NumberedItem.Meta):
        verbose_name = _("key finding")
        verbose_name_plural = _("key findings")


class Question(NumberedItem):
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="questions", verbose_name=_("review")
    )

    class Meta(NumberedItem.Meta):
        verbose_name = _("question for brokers")
        verbose_name_plural = _("questions for brokers")

    def get_absolute_url(self) -> str:
        return reverse(
            "comments:question_detail", kwargs={"slug": self.review.slug, "number": self.number}
        )

    @cached_property
    def number(self) -> int:
        """The number readers see: this question's rank within its review."""
        ranks = list(self.review.questions.values_list("pk", flat=True))
        return ranks.index(self.pk) + 1


def questions_in(language: str, questions: Iterable[Question]) -> None:
    """Give each question `in_language`: the question a reader in `language` sees in its
    place, its `review` set: question n of its review's published version in `language`
    (`Review.version_in`), or the question itself where there is no such version or that
    version has no question n (then the review is named as written, with its question).

    Each question's `review` must be loaded with that review's `translation` and
    `translation_of` (select_related), or those cost a query each. One query in all, and
    none when no question has another version to show."""
    questions = list(questions)
    versions = {}
    for question in questions:
        question.in_language = question
        version = question.review.version_in(language)
        if version.pk != question.review_id:
            versions[question.pk] = version
    if not versions:
        return
    reviews = {version.pk for version in versions.values()}
    reviews |= {question.review_id for question in questions if question.pk in versions}
    ranked: dict[int, list[Question]] = {pk: [] for pk in reviews}
    for item in Question.objects.filter(review_id__in=reviews).order_by("position", "id"):
        ranked[item.review_id].append(item)
    for question in questions:
        if (version := versions.get(question.pk)) is None:
            continue
        own = [item.pk for item in ranked.get(question.review_id, [])]
        if question.pk not in own:
            continue
        question.number = own.index(question.pk) + 1
        theirs = ranked[version.pk]
        if question.number <= len(theirs):
            shown = theirs[question.number - 1]
            shown.review, shown.number = version, question.number
            question.in_language = shown


def review_structured_data(review: Review, url: str) -> dict:
    """schema.org JSON-LD: a Review whose itemReviewed is the ScholarlyArticle."""
    article = review.article
    scholarly_article = {
        "@type": "ScholarlyArticle",
        "name": article.title,
        "author": article.authors,
        "datePublished": str(article.year),
        "isPartOf": {"@type": "Periodical", "name": article.journal},
        "isAccessibleForFree": article.open_access,
    }
    if article.doi:
        scholarly_article["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "DOI",
            "value": article.doi,
        }
        scholarly_article["sameAs"] = article.doi_url
    if article.url:
        scholarly_article["url"] = article.url
    reviewer = {"@type": "Person", "name": review.reviewer.name}
    if review.reviewer.role:
        reviewer["jobTitle"] = review.reviewer.role
    if review.reviewer.affiliation:
        reviewer["affiliation"] = {"@type": "Organization", "name": review.reviewer.affiliation}
    return {
        "@context": "https://schema.org",
        "@type": "Review",
        "name": review.title,
        "url": url,
        "description": review.standfirst,
        "datePublished": review.published_at,
        "dateModified": review.updated_at,
        "author": reviewer,
        "itemReviewed": scholarly_article,
    }
