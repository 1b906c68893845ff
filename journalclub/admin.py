"""What every ModelAdmin of ours shares: input read as strictly as on the public pages."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError

from .inputs import validate_no_control_characters, validate_single_line


class ValidChoicesOnly:
    """An autocomplete widget that shows a choice it cannot look up (" " for an id, after a
    form error) as no choice: Django's widget queries it, and the database lookup fails."""

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        valid = []
        for choice in value:
            try:
                target.to_python(choice)
            except ValidationError:
                continue
            valid.append(choice)
        return super().optgroups(name, valid, attr)


class ValidAutocompleteSelect(ValidChoicesOnly, AutocompleteSelect):
    pass


class ValidAutocompleteSelectMultiple(ValidChoicesOnly, AutocompleteSelectMultiple):
    pass


class StrictInputMixin:
    """For a ModelAdmin or an inline: text fields refuse control characters, one-line ones
    (any but a textarea) line breaks too; autocomplete fields survive a made-up id."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(field, forms.CharField):
            multi_line = isinstance(field.widget, forms.Textarea)
            validator = validate_no_control_characters if multi_line else validate_single_line
            if validator not in field.validators:
                field.validators.append(validator)
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
