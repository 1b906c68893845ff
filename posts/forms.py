from django import forms
from django.forms.models import BaseInlineFormSet
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .models import Article

# The name of the article form's "Fill in from DOI" submit button.
FILL_FROM_DOI = "_fill_from_doi"


class ArticleForm(forms.ModelForm):
    """The admin's article form. A press of "Fill in from DOI" shows the form again, filled
    in, without checking or saving it: the editor saves once the details look right."""

    class Meta:
        model = Article
        fields = [
            "doi", "authors", "year", "title", "journal", "volume", "issue", "pages", "url",
            "open_access",
        ]  # fmt: skip
        widgets = {"title": forms.Textarea(attrs={"rows": 2, "cols": 80})}

    @property
    def filling_in(self) -> bool:
        return FILL_FROM_DOI in self.data

    def full_clean(self) -> None:
        if self.filling_in:
            self._errors, self.cleaned_data = ErrorDict(), {}
            return
        super().full_clean()

    def is_valid(self) -> bool:
        return not self.filling_in and super().is_valid()

    def clean_doi(self) -> str:
        # The database's constraint (article_doi_unique_when_present) would only say its name.
        doi = self.cleaned_data["doi"]
        existing = Article.objects.filter(doi=doi).exclude(pk=self.instance.pk).first()
        if doi and existing:
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("An article with this DOI already exists."),
                    reverse("admin:posts_article_change", args=[existing.pk]),
                    _("Open it"),
                ),
                code="doi_taken",
            )
        return doi

    def clean_title(self) -> str:
        # Titles pasted from a PDF break across lines; a citation wants one line.
        return " ".join(self.cleaned_data["title"].split())


class NumberedItemForm(forms.ModelForm):
    def has_changed(self) -> bool:
        """A new row whose only change is its suggested number is still an empty row."""
        if self.instance.pk is None:
            return any(name != "position" for name in self.changed_data)
        return super().has_changed()


class NumberedItemFormSet(BaseInlineFormSet):
    """Key findings or questions: blank rows offer the next numbers, and rows left at 0 are
    numbered after the others, in the order they are on the form, when saved."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        start = max((item.position for item in self.get_queryset()), default=0) + 1
        self.initial_extra = [{"position": start + offset} for offset in range(self.extra)]

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        # The admin's tabular inline heads its columns but labels no input: name each one.
        item = capfirst(self.model._meta.verbose_name)
        for field in form.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = _("%(item)s: %(field)s") % {
                    "item": item,
                    "field": field.label.lower(),
                }

    def save(self, commit: bool = True) -> list:
        unnumbered = self._number_unnumbered()
        saved = super().save(commit)
        if commit:
            for item in unnumbered:  # unchanged rows, which the formset does not save
                if item.pk is not None:
                    item.save(update_fields=["position"])
        return saved

    def _number_unnumbered(self) -> list:
        kept = [
            form.instance
            for form in self.forms
            if form not in self.deleted_forms and (form.instance.pk or form.has_changed())
        ]
        position = max((item.position for item in kept), default=0)
        unnumbered = [item for item in kept if not item.position]
        for item in unnumbered:
            position += 1
            item.position = position
        return unnumbered
