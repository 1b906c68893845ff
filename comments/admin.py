from django.contrib import admin
from django.http import HttpRequest

from .models import Comment, CommentRevision


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
    list_filter = ("review", "question", "created_at")
    list_select_related = ("author", "review", "question")
    search_fields = ("body", "author__display_name", "author__email")
    date_hierarchy = "created_at"
    readonly_fields = ("review", "question", "parent", "author", "created_at", "edited_at")
    fields = (*readonly_fields, "body", "deleted_at")
    inlines = [CommentRevisionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # comments are never hard-deleted

    @admin.display(description="comment")
    def excerpt(self, comment: Comment) -> str:
        return comment.body[:80]

    @admin.display(description="state")
    def state(self, comment: Comment) -> str:
        if comment.is_deleted:
            return "deleted by author"
        return "edited" if comment.edited_at else "visible"
