from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "amity.imports"
    label = "imports"
    verbose_name = "Imports"
