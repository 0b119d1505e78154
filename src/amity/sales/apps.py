from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "amity.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        # Deals and their stage changes join the timelines of their accounts and contacts, and global search.
        from amity.sales import search  # noqa: F401
        from amity.sales.timeline import register_sources

        register_sources()

        # Their open deals are a panel on contact and account pages.
        from amity.sales.panels import register_panel

        register_panel()

        from amity.core.demo import DEMO_LOADERS
        from amity.sales.demo import load_sales
        from amity.sales.forecast_demo import load_forecasts

        for loader in (load_sales, load_forecasts):  # quotas are set from the deals, so after them
            if loader not in DEMO_LOADERS:
                DEMO_LOADERS.append(loader)
