from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self) -> None:
        from accounts.roles import ensure_roles
        from journalclub.page_cache import bump_discussion_versions, invalidate_on_changes_to

        # Sent after this app's permissions exist, and those of posts and accounts before it.
        post_migrate.connect(ensure_roles, sender=self)
        invalidate_on_changes_to(self.get_model("Comment"), receiver=bump_discussion_versions)
