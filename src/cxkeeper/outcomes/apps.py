from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "cxkeeper.outcomes"
    label = "outcomes"
    verbose_name = "Shared outcomes"
