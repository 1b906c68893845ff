from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Members"

    def ready(self) -> None:
        from journalclub.page_cache import bump_unless_only_last_login, invalidate_on_changes_to

        invalidate_on_changes_to(self.get_model("User"), receiver=bump_unless_only_last_login)
