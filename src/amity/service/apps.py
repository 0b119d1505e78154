from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "amity.service"
    label = "service"
    verbose_name = "Customer service"

    def ready(self) -> None:
        # Cases and their messages join the customers' timelines and global search, and a "Cases"
        # panel joins contact and account pages: through the extension points, not by editing them.
        from amity.service import panels, search, timeline  # noqa: F401  (search registers on import)

        timeline.register_sources()
        panels.register_panel()

        # Cases about to miss, or past, their service level alert whoever works them.
        from amity.service.alerts import register_rules

        register_rules()

        from amity.core.demo import DEMO_LOADERS
        from amity.service.demo import load_cases

        if load_cases not in DEMO_LOADERS:
            DEMO_LOADERS.append(load_cases)
