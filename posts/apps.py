from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Reviews"

    def ready(self) -> None:
        from journalclub.page_cache import changes_are_scheduled_by, invalidate_on_changes_to

        invalidate_on_changes_to(*self.get_models())
        changes_are_scheduled_by(self.get_model("Review").objects.next_scheduled_change)
