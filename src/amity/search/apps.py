from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "amity.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # Accounts and contacts become findable; later apps register their own types in their ready().
        from amity.search import record_types  # noqa: F401
