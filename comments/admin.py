from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from journalclub.inputs import validate_single_line

from .models import ANONYMOUS, FLAG_REASONS, Comment, CommentRevision, Flag, ModerationAction
from .moderation import hide_comment


class ModerationActionForm(ActionForm):
    """The admin runs an action only once this form is valid: the actions read it from
    request.POST."""

    reason = forms.ChoiceField(
        choices=FLAG_REASONS, required=False, label=gettext_lazy("Reason (for hiding)")
    )
    note = forms.CharField(
        required=False,
        max_length=1000,
        label=gettext_lazy("Note"),
        validators=[validate_single_line],
    )


class CommentRevisionInline(admin.TabularInline):
    model = CommentRevision
    extra = 0
    can_delete = False
    fields = ("written_at", "body")
    readonly_fields = ("written_at", "body")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("excerpt", "author", "review", "question", "created_at", "state")
    list_filter = ("review", "question", "approved", "created_at")
    list_select_related = ("author", "review", "question")
    search_fields = ("body", "author__display_name", "author__email")
    date_hierarchy = "created_at"
    readonly_fields = (
        "review", "question", "parent", "author", "created_at", "edited_at", "deleted_at",
        "hidden_at", "hidden_by", "hidden_reason", "hidden_note", "approved",
    )  # fmt: skip
    fields = readonly_fields
    inlines = [CommentRevisionInline]
    action_form = ModerationActionForm
    actions = ["hide_comments", "unhide_comments"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # comments are never hard-deleted

    @admin.display(description=gettext_lazy("comment"))
    def excerpt(self, comment: Comment) -> str:
        return comment.body[:80]

    @admin.display(description=gettext_lazy("state"))
    def state(self, comment: Comment) -> str:
        if comment.is_visible_to(ANONYMOUS):
            return _("edited") if comment.edited_at else _("visible")
        if comment.is_deleted:
            return _("deleted by author")
        if comment.is_hidden:
            return _("hidden: %(reason)s") % {"reason": comment.get_hidden_reason_display()}
        return _("awaiting approval")

    @admin.action(description=gettext_lazy("Hide the selected comments"), permissions=["hide"])
    def hide_comments(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = request.POST.get("reason")
        if reason not in dict(FLAG_REASONS):
            self.message_user(request, _("Choose a reason to hide comments."), messages.ERROR)
            return
        note = request.POST.get("note", "")[:1000]
        comments = [
            comment for comment in queryset.select_related("author") if not comment.is_hidden
        ]
        site_url = request.build_absolute_uri("/").rstrip("/")
        for comment in comments:
            hide_comment(comment, by=request.user, reason=reason, note=note, site_url=site_url)
        count = len(comments)
        self.message_user(
            request,
            ngettext("Hid %(count)s comment.", "Hid %(count)s comments.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Unhide the selected comments"), permissions=["hide"])
    def unhide_comments(self, request: HttpRequest, queryset: QuerySet) -> None:
        note = request.POST.get("note", "")[:1000]
        comments = [comment for comment in queryset if comment.is_hidden]
        for comment in comments:
            comment.unhide(by=request.user, note=note)
        count = len(comments)
        self.message_user(
            request,
            ngettext("Unhid %(count)s comment.", "Unhid %(count)s comments.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_hide_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("comments.hide_comment")


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("comment", "flagger", "reason", "created_at", "resolved_at")
    list_filter = ("reason", "resolved_at")
    list_select_related = ("comment", "flagger")
    readonly_fields = ("comment", "flagger", "reason", "note", "created_at", "resolved_at")
    fields = readonly_fields + ("resolved_by",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The audit trail, read-only for everyone, superusers included."""

    list_display = ("created_at", "actor", "action", "comment", "member", "reason", "note")
    list_filter = ("action", "created_at")
    list_select_related = ("actor", "comment", "member")
    search_fields = ("reason", "note", "actor__display_name", "member__display_name")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
