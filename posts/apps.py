from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from journalclub.page_cache import changes_are_scheduled_by, invalidate_on_changes_to

        invalidate_on_changes_to(*self.get_models())
        changes_are_scheduled_by(self.get_model("Review").objects.next_scheduled_change)
