from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Announcement, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """A list to look at, and to remove someone on request; staff never add or edit
    addresses (confirming one is its owner's to do)."""

    list_display = ["email", "member_name", "confirmed", "language", "subscribed_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter), "language"]
    search_fields = ["email"]
    fields = ["email", "member_name", "confirmed", "language", "subscribed_at", "confirmed_at"]
    readonly_fields = fields
    list_select_related = ["member"]

    @admin.display(description=_("member"))
    def member_name(self, subscriber: Subscriber) -> str:
        return subscriber.member.public_name if subscriber.member else "—"

    @admin.display(boolean=True, description=_("confirmed"), ordering="confirmed_at")
    def confirmed(self, subscriber: Subscriber) -> bool:
        return subscriber.is_confirmed

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["review", "kind", "announced_at", "recipients"]
    list_filter = ["kind"]
    list_select_related = ["review"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
