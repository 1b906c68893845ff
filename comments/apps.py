from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from accounts.roles import ensure_roles
        from journalclub.page_cache import bump_discussion_versions, invalidate_on_changes_to
        from outbox.tasks import withdraw_unless

        from .moderation import name_the_site
        from .notifications import follow_reviews_when_linked
        from .roles import bump_on_group_changes

        # Sent after this app's permissions exist, and those of posts and accounts before it.
        post_migrate.connect(ensure_roles, sender=self)
        # After the sites app's own default site ("example.com"), when both are sent.
        post_migrate.connect(name_the_site, sender=self)
        invalidate_on_changes_to(self.get_model("Comment"), receiver=bump_discussion_versions)
        # An email about a comment goes only while the comment may be read by everyone.
        comments = self.get_model("Comment").objects
        withdraw_unless("comment", lambda pk: comments.visible().filter(pk=pk).exists())
        # A review's guest reviewer hears of its new comments (comments/notifications.py).
        follow_reviews_when_linked()
        # Cards show their author's role badge: a change of role renews them.
        bump_on_group_changes()
