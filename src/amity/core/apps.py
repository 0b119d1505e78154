from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "amity.core"
    label = "core"
    verbose_name = "Amity core"
