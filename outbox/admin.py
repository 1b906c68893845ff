from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Email
from .tasks import deliver


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "created_at", "attempts", "sent_at", "failed_at"]
    list_filter = [
        ("sent_at", admin.EmptyFieldListFilter),
        ("failed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["to", "subject", "key"]
    readonly_fields = [field.name for field in Email._meta.fields]
    actions = ["try_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Try to send the selected failed emails again"))
    def try_again(self, request, queryset) -> None:
        emails = list(queryset.failed())
        for email in emails:
            email.retry()
        if emails:
            deliver.enqueue([email.pk for email in emails])
        sent_again = ngettext(
            "%(count)d email will be sent again.",
            "%(count)d emails will be sent again.",
            len(emails),
        ) % {"count": len(emails)}
        self.message_user(request, sent_again, messages.SUCCESS)
