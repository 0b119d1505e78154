from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "amity.orders"
    label = "orders"
    verbose_name = "Orders and invoices"

    def ready(self) -> None:
        # Orders, fulfilments, cancellations, invoices and payments join the customers' and deals' timelines,
        # and a "Billing history" panel joins contact and account pages.
        from amity.orders.panels import register_panel
        from amity.orders.timeline import register_sources

        register_sources()
        register_panel()

        # A customer's invoice unpaid past its due date alerts the account's owner.
        from amity.orders.alerts import register_rules

        register_rules()

        # Orders and invoices join global search (by number and customer).
        from amity.orders.search import register_search

        register_search()

        from amity.core.demo import DEMO_LOADERS
        from amity.orders.demo import load_billing

        if load_billing not in DEMO_LOADERS:
            DEMO_LOADERS.append(load_billing)
