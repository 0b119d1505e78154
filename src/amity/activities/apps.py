from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "amity.activities"
    label = "activities"
    verbose_name = "Activities"

    def ready(self) -> None:
        from amity.activities import timeline

        timeline.register_builtin_sources()
