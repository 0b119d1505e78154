from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "amity.activities"
    label = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        from amity.activities import timeline

        timeline.register_builtin_sources()

        from amity.activities.alerts import register_rules

        register_rules()

        from amity.activities.demo import load_history
        from amity.core.demo import DEMO_LOADERS

        if load_history not in DEMO_LOADERS:
            DEMO_LOADERS.append(load_history)
