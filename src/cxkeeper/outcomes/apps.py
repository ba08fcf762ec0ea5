from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "cxkeeper.outcomes"
    label = "outcomes"
    verbose_name = "Shared outcomes"

    def ready(self):
        from cxkeeper.outcomes import removals  # noqa: F401 - registers what happens when things it refers to go
