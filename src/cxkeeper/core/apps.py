from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cxkeeper.core"
    label = "core"
    verbose_name = "cxkeeper core"
