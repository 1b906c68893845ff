from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from journalclub.admin import StrictInputMixin

from .models import User


@admin.register(User)
class UserAdmin(StrictInputMixin, BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Public profile"), {"fields": ("display_name", "affiliation", "role")}),
    )
    list_display = ("username", "email", "display_name", "affiliation", "is_staff")
    search_fields = ("username", "email", "display_name", "affiliation")
