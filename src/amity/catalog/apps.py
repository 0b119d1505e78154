from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "amity.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        # Products become findable in global search.
        from amity.catalog import search  # noqa: F401
        from amity.catalog.demo import load_catalog
        from amity.core.demo import DEMO_LOADERS

        if load_catalog not in DEMO_LOADERS:
            DEMO_LOADERS.append(load_catalog)
