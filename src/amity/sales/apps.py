from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "amity.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        # Deals and their stage changes join the timelines of their accounts and contacts; deals and leads join global search.
        from amity.sales import search  # noqa: F401
        from amity.sales.timeline import register_sources

        register_sources()

        # Quotes sent, accepted, declined and expired join the same timelines.
        from amity.sales.quote_timeline import register_sources as register_quote_sources

        register_quote_sources()

        # Their open deals are a panel on contact and account pages.
        from amity.sales.panels import register_panel

        register_panel()

        # Alerts about deals: no activity, close date passed, a large deal moved backward.
        from amity.sales.alerts import register_rules

        register_rules()

        # The deal list's saved views.
        from amity.sales.deal_views import register_view_type

        register_view_type()

        from amity.core.demo import DEMO_LOADERS
        from amity.sales.currency_demo import load_currencies
        from amity.sales.demo import load_alerts, load_sales
        from amity.sales.demo_leads import load_leads
        from amity.sales.forecast_demo import load_forecasts

        # Leads convert into deals of the pipelines load_sales sets up; the exchange rates cover the deals' currencies;
        # quotas are set from the deals; the alerts last: they read the deals and their history.
        for loader in (load_sales, load_leads, load_currencies, load_forecasts, load_alerts):
            if loader not in DEMO_LOADERS:
                DEMO_LOADERS.append(loader)
