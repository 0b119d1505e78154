from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "amity.web"
    label = "web"
    verbose_name = "Amity web UI"

    def ready(self) -> None:
        from amity.web.record_panels import register_builtin_panels

        register_builtin_panels()
