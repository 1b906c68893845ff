from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = "Reviews"

    def ready(self) -> None:
        from journalclub.page_cache import invalidate_on_changes_to

        invalidate_on_changes_to(*self.get_models())
