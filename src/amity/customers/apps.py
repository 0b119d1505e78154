from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "amity.customers"
    label = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        # "Merged X into this" (and its undo) on the survivor's timeline.
        from amity.customers.timeline import register_sources

        register_sources()

        from amity.core.demo import DEMO_LOADERS
        from amity.customers.demo import load_customers

        if load_customers not in DEMO_LOADERS:
            DEMO_LOADERS.append(load_customers)
