from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, QueryDict
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from comments.export import can_export, export_response
from journalclub.admin import StrictInputMixin
from journalclub.markdown import dropped_editorial_tags, render_editorial
from journalclub.times import moment_text

from . import crossref
from .forms import FILL_FROM_DOI, ArticleForm, NumberedItemForm, NumberedItemFormSet
from .models import (
    Article,
    Contributor,
    KeyFinding,
    Question,
    Review,
    Series,
    Topic,
    check_same_questions,
)

EDITOR_MEDIA = forms.Media(js=["js/admin-editor.js"], css={"all": ["css/admin-editor.css"]})


def dropped_content_warnings(subject: str, text: str) -> list[str]:
    """What the site will not show of an editor's Markdown, said plainly:
    "The commentary contains an image, which the site does not show." """
    tags = dropped_editorial_tags(text)
    warnings = []
    if "img" in tags:
        warnings.append(
            _("%(subject)s contains an image, which the site does not show.") % {"subject": subject}
        )
    if html_tags := [f"<{tag}>" for tag in tags if tag != "img"]:
        warnings.append(
            _("%(subject)s contains HTML (%(tags)s), which the site does not show.")
            % {"subject": subject, "tags": ", ".join(html_tags)}
        )
    return warnings


class MarkdownPreviewMixin:
    """Marks the Markdown fields (`markdown_subjects`: field name -> how a warning names it)
    for static/js/admin-editor.js, which previews them as the editor types."""

    markdown_subjects: dict[str, str] = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in self.markdown_subjects:
            field.widget.attrs["data-markdown-preview"] = reverse("admin:posts_markdown_preview")
            field.widget.attrs["data-markdown-subject"] = self.markdown_subjects[db_field.name]
        return field

    def warn_of_dropped_content(self, request: HttpRequest, obj) -> None:
        for name, subject in self.markdown_subjects.items():
            for warning in dropped_content_warnings(subject, getattr(obj, name)):
                messages.warning(request, warning)


@admin.register(Series)
class SeriesAdmin(MarkdownPreviewMixin, StrictInputMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "review_count")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)
    markdown_subjects = {"description": gettext_lazy("The description")}

    @property
    def media(self) -> forms.Media:
        return super().media + EDITOR_MEDIA

    def save_model(self, request: HttpRequest, obj: Series, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        self.warn_of_dropped_content(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(review_total=Count("reviews"))

    @admin.display(description=gettext_lazy("reviews"), ordering="review_total")
    def review_count(self, series: Series) -> int:
        return series.review_total


@admin.register(Topic)
class TopicAdmin(StrictInputMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Article)
class ArticleAdmin(StrictInputMixin, admin.ModelAdmin):
    form = ArticleForm
    # Enter in a field presses the form's first button: Save, not "Fill in from DOI".
    save_on_top = True
    list_display = ("title", "authors", "year", "journal", "doi", "open_access")
    list_filter = ("open_access", "year")
    search_fields = ("title", "authors", "journal", "doi")
    # The first fieldset is followed by the "Fill in from DOI" button (the change form).
    fieldsets = (
        (None, {"fields": ("doi",)}),
        (gettext_lazy("Citation"), {"fields": ("authors", "year", "title")}),
        (
            gettext_lazy("Where it was published"),
            {"fields": ("journal", "volume", "issue", "pages")},
        ),
        (gettext_lazy("Links"), {"fields": ("url", "open_access")}),
    )

    @property
    def media(self) -> forms.Media:
        return super().media + EDITOR_MEDIA

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Looked up before the admin opens its transaction: the network is slow.
        if request.method == "POST" and FILL_FROM_DOI in request.POST:
            request.POST = self.filled_from_doi(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def filled_from_doi(self, request: HttpRequest) -> QueryDict:
        """The form as posted, with what Crossref knows of its DOI in place of what was typed.
        When the lookup fails, the form as posted and a message saying so."""
        data = request.POST.copy()
        doi_field = Article._meta.get_field("doi")
        try:
            doi = doi_field.clean(data.get("doi", ""), None)
        except ValidationError:
            doi = ""
        if not doi:
            messages.error(
                request, _("Enter a DOI such as 10.1177/26334895221105585, then fill in from DOI.")
            )
            return data
        try:
            details = crossref.article_details(doi)
        except crossref.InvalidDOI:
            messages.error(
                request, _("Enter a DOI such as 10.1177/26334895221105585, then fill in from DOI.")
            )
            return data
        except crossref.NotFound:
            messages.warning(
                request,
                _("Crossref does not know the DOI %(doi)s; fill in the fields yourself.")
                % {"doi": doi},
            )
            return data
        except crossref.Unreadable:
            messages.warning(
                request, _("Crossref's answer could not be read; fill in the fields yourself.")
            )
            return data
        except crossref.CrossrefError:
            messages.warning(request, _("Crossref did not answer; fill in the fields yourself."))
            return data
        for name, value in details.items():
            data[name] = value
        messages.success(request, _("Filled in from Crossref: check the details, then save."))
        return data


@admin.register(Contributor)
class ContributorAdmin(StrictInputMixin, admin.ModelAdmin):
    list_display = ("name", "role", "affiliation")
    search_fields = ("name", "affiliation")
    raw_id_fields = ("user",)


class KeyFindingInline(MarkdownPreviewMixin, StrictInputMixin, admin.TabularInline):
    model = KeyFinding
    form = NumberedItemForm
    formset = NumberedItemFormSet
    extra = 1
    fields = ("position", "text")
    markdown_subjects = {"text": gettext_lazy("This key finding")}


class QuestionFormSet(NumberedItemFormSet):
    def clean(self) -> None:
        super().clean()
        review = self.instance
        kept = [f for f in self.forms if f.has_changed() or f.instance.pk]
        kept = [f for f in kept if not self._should_delete_form(f)]
        for linked in (review.translation_of, _translation(review)):
            if linked is not None:
                check_same_questions(len(kept), linked)


def _translation(review: Review) -> Review | None:
    return Review.objects.filter(translation_of=review).first() if review.pk else None


class QuestionInline(MarkdownPreviewMixin, StrictInputMixin, admin.TabularInline):
    model = Question
    form = NumberedItemForm
    formset = QuestionFormSet
    extra = 1
    fields = ("position", "text")
    markdown_subjects = {"text": gettext_lazy("This question")}


@admin.register(Review)
class ReviewAdmin(MarkdownPreviewMixin, StrictInputMixin, admin.ModelAdmin):
    # Narrow enough for a 1280-pixel screen with the admin's sidebar open.
    list_display = ("title", "series_name", "publication", "discussion")
    list_filter = ("status", "series", "topics", "discussion_open", "language")
    list_select_related = ("series",)
    search_fields = ("title", "standfirst", "article__title", "article__authors", "reviewer__name")
    prepopulated_fields = {"slug": ("title",)}
    # "translation of" is a plain list: an empty autocomplete box has no accessible name.
    autocomplete_fields = ("article", "reviewer", "series", "topics")
    date_hierarchy = "published_at"
    inlines = [KeyFindingInline, QuestionInline]
    actions = ["publish", "export_discussion_csv"]
    fieldsets = (
        (
            None,
            {"fields": ("title", "slug", "series", "topics", "article", "reviewer", "standfirst")},
        ),
        (gettext_lazy("The review"), {"fields": ("background", "summary", "commentary")}),
        (
            gettext_lazy("What brokers said"),
            {"fields": ("synthesis", "synthesis_published_at")},
        ),
        (
            gettext_lazy("Publishing"),
            {"fields": ("status", "published_at", "discussion_open")},
        ),
        (
            gettext_lazy("Language"),
            {"fields": ("language", "translation_of")},
        ),
    )
    markdown_subjects = {
        "background": gettext_lazy("The background"),
        "summary": gettext_lazy("The plain-language summary"),
        "commentary": gettext_lazy("The commentary"),
        "synthesis": gettext_lazy("The synthesis"),
    }

    @property
    def media(self) -> forms.Media:
        return super().media + EDITOR_MEDIA

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class ReviewForm(form):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                if "language" in self.fields:  # a form sent without it: English, as before
                    self.fields["language"].required = False

            def clean_language(self) -> str:
                return self.cleaned_data["language"] or Review._meta.get_field("language").default

            def _post_clean(self) -> None:
                # The questions on the same page are counted by QuestionFormSet, as edited.
                self.instance.questions_counted_on_form = True
                super()._post_clean()

        return ReviewForm

    def get_urls(self) -> list:
        preview = self.admin_site.admin_view(require_POST(self.markdown_preview))
        return [
            path("markdown-preview/", preview, name="posts_markdown_preview"),
            *super().get_urls(),
        ]

    @admin.display(description=gettext_lazy("series"), ordering="series__name")
    def series_name(self, review: Review) -> str:
        return review.series.name  # as text, so that it wraps (a foreign key's column doesn't)

    @admin.display(description=gettext_lazy("discussion"), boolean=True, ordering="discussion_open")
    def discussion(self, review: Review) -> bool:
        return review.discussion_open

    @admin.display(description=gettext_lazy("status"), ordering="published_at")
    def publication(self, review: Review) -> str:
        if review.is_scheduled:
            return _("Scheduled for %(moment)s") % {"moment": moment_text(review.published_at)}
        return review.get_status_display()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        review = self.get_object(request, object_id)
        if review is not None:
            extra_context = {
                "public_url": request.build_absolute_uri(review.get_absolute_url()),
                "publication_moment": moment_text(review.published_at),
                "can_export": can_export(request.user),
                "review": review,
                **(extra_context or {}),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        review = form.instance
        self.warn_of_dropped_content(request, review)
        for number, finding in enumerate(review.findings.all(), start=1):
            subject = _("Key finding %(number)d") % {"number": number}
            for warning in dropped_content_warnings(subject, finding.text):
                messages.warning(request, warning)
        for number, question in enumerate(review.questions.all(), start=1):
            subject = _("Question %(number)d") % {"number": number}
            for warning in dropped_content_warnings(subject, question.text):
                messages.warning(request, warning)

    @admin.action(description=gettext_lazy("Publish the selected reviews"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        published, scheduled = 0, Counter()
        for review in queryset:
            review.publish()
            if review.is_scheduled:
                scheduled[review.published_at] += 1
            else:
                published += 1
        if published:
            message = ngettext("Published %d review.", "Published %d reviews.", published)
            self.message_user(request, message % published, messages.SUCCESS)
        for moment, count in sorted(scheduled.items()):
            message = ngettext(
                "Scheduled %(count)d review for %(moment)s: readers see it from then.",
                "Scheduled %(count)d reviews for %(moment)s: readers see them from then.",
                count,
            )
            self.message_user(
                request, message % {"count": count, "moment": moment_text(moment)}, messages.SUCCESS
            )

    def markdown_preview(self, request: HttpRequest) -> HttpResponse:
        """An editor's Markdown as the site will show it, with what it will not show."""
        if not request.user.has_perm("posts.change_review"):
            return HttpResponseForbidden(_("Only editors may preview."))
        text = request.POST.get("text", "")
        subject = request.POST.get("subject", "") or _("The text")
        context = {
            "html": render_editorial(text),
            "warnings": dropped_content_warnings(subject[:40], text),
        }
        return render(request, "admin/posts/markdown_preview.html", context)

    @admin.action(description=gettext_lazy("Export discussion as CSV"), permissions=["change"])
    def export_discussion_csv(
        self, request: HttpRequest, queryset: QuerySet
    ) -> HttpResponse | None:
        reviews = list(queryset[:2])
        if len(reviews) != 1:
            self.message_user(
                request, _("Select a single review to export its discussion."), messages.ERROR
            )
            return None
        return export_response(reviews[0], "csv")
